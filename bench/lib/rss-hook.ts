/**
 * Preloaded with `node --import` into a measured child: at exit, writes the process's peak
 * resident set size (kB, from getrusage) to the file named by BENCH_RSS_FILE.
 */
import { writeFileSync } from 'node:fs';

const file = process.env.BENCH_RSS_FILE;
if (file) {
  process.on('exit', () => {
    writeFileSync(file, String(process.resourceUsage().maxRSS));
  });
}
