/**
 * `node dist/bench/profile-summary.js DIR|FILE [N]`: summarise a .cpuprofile (the newest in DIR)
 * as the bench does, positions mapped back to the sources: for profiling by hand, e.g.
 *   node --cpu-prof --cpu-prof-dir /tmp/prof bin/foi answer examples/seed-003-foi-556.yaml --out /tmp/x
 *   node dist/bench/profile-summary.js /tmp/prof
 */
import { statSync } from 'node:fs';
import { formatSummary, latestProfile, summariseProfile } from './lib/profile.js';

const [target, n] = process.argv.slice(2);
if (!target) {
  process.stderr.write('usage: node dist/bench/profile-summary.js DIR|FILE [N]\n');
  process.exit(2);
}
const file = statSync(target).isDirectory() ? latestProfile(target) : target;
process.stdout.write(formatSummary(summariseProfile(file, n ? Number(n) : 25)) + '\n');
