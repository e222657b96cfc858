/**
 * `npm run bench`: import, query, batch and cold-start measurements in one run; prints a table
 * and writes bench/RESULTS.md. See bench/README.md. Work files live in bench/work/ (git-ignored):
 * the big CSV and the request files are kept and reused, databases and outputs are removed.
 */
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CONFIG, clock, log, type StepResult } from './lib/bench.js';
import { ROOT, SQLITE3, WORK } from './lib/paths.js';
import { mdTable, SUMMARY_HEADERS, summaryCells, textTable, type SummaryRow } from './lib/report.js';
import { fmtMs } from './lib/stats.js';
import { systemInfo } from './lib/system.js';
import { importStep, REGISTER, SQLITE_FLAT } from './lib/step-import.js';
import { listingStep } from './lib/step-listing.js';
import { queryStep } from './lib/step-query.js';
import { batchStep, cleanBatch } from './lib/step-batch.js';
import { coldStep } from './lib/step-cold.js';

function removeDb(p: string): void {
  for (const s of ['', '-wal', '-shm']) rmSync(p + s, { force: true });
}

async function main(): Promise<void> {
  const sys = systemInfo();
  log(`${sys.cpu}, ${sys.cores} cores, ${sys.memory}; node ${sys.node}, sqlite3 ${sys.sqlite3Cli ?? 'missing'}, pandoc ${sys.pandoc ?? 'missing'}`);
  if (!sys.sqlite3Cli) log(`${SQLITE3} not found: apt-get install sqlite3 is needed for the import comparison`);

  const steps: StepResult[] = [];
  const imp = await importStep();
  steps.push(imp);
  steps.push(await queryStep(imp.register, imp.register ? null : 'the import step was skipped or did not finish'));
  steps.push(await listingStep(imp.register, SQLITE_FLAT));
  removeDb(REGISTER);
  steps.push(await batchStep());
  cleanBatch();
  steps.push(await coldStep());
  for (const f of ['probe.sqlite', 'sqlite3-import.db']) removeDb(join(WORK, f));

  const summary: SummaryRow[] = steps.flatMap((s) => s.summary);
  const total = clock.elapsedMs();
  const date = new Date().toISOString().slice(0, 10);
  const counts = { PASS: 0, MISS: 0, SKIP: 0, INFO: 0 };
  for (const r of summary) counts[r.status]++;
  const verdict = `${counts.PASS} pass, ${counts.MISS} miss${counts.SKIP ? `, ${counts.SKIP} skipped` : ''}`;

  const machine: [string, string][] = [
    ['CPU', sys.cpu], ['Cores', String(sys.cores)], ['Memory', sys.memory], ['OS', sys.os],
    ['node', sys.node], ['sqlite3 CLI', sys.sqlite3Cli ?? 'not installed (apt-get install sqlite3)'],
    ['better-sqlite3', sys.betterSqlite3], ['pandoc', sys.pandoc ?? 'not installed'], ['foi', sys.foi],
  ];

  let md = `# foi benchmark results\n\n`;
  md += `Written by \`npm run bench\` (bench/run.ts) on ${date}; the run took ${fmtMs(total)} after the build. ${verdict}. `;
  md += `Medians of several runs unless a row says n=1; ratios compare medians. Other work on the machine shows in the load averages given per step.\n\n`;
  md += `## Machine and versions\n\n${mdTable(['', ''], machine)}\n\n`;
  md += `## Summary\n\n${mdTable(SUMMARY_HEADERS, summary.map(summaryCells))}\n\n`;
  md += steps.map((s) => s.markdown).join('\n');
  const misses = steps.map((s) => s.misses).filter(Boolean);
  md += `\n## Misses: why, and what would close them\n\n`;
  md += misses.length ? misses.join('\n') : 'None: every target was met.\n';
  md += `\n---\nHow this is measured: bench/README.md. Sizes: ${CONFIG.rows.toLocaleString('en-GB')} CSV rows, ${CONFIG.requests.toLocaleString('en-GB')} requests.\n`;
  // A quick run is for development: its report goes beside the work files, not over RESULTS.md.
  const report = CONFIG.quick ? join(WORK, 'RESULTS-quick.md') : join(ROOT, 'bench', 'RESULTS.md');
  writeFileSync(report, md);

  const out = [
    `foi benchmark, ${date}: ${sys.cpu}, ${sys.cores} cores, ${sys.memory}`,
    `node ${sys.node} | sqlite3 ${sys.sqlite3Cli ?? 'missing'} | better-sqlite3 ${sys.betterSqlite3} | pandoc ${sys.pandoc ?? 'missing'} | foi ${sys.foi}`,
    '',
    textTable(SUMMARY_HEADERS, summary.map(summaryCells)),
    '',
    `${verdict}; bench took ${fmtMs(total)} (plus the build). Details${CONFIG.quick ? '' : ' and profiles of misses'}: ${report.slice(ROOT.length + 1)}`,
  ].join('\n');
  process.stdout.write(out + '\n');
  if (total > CONFIG.budgetMs) log(`warning: the bench took ${fmtMs(total)}, over its ${fmtMs(CONFIG.budgetMs)} budget`);
}

main().catch((e) => {
  process.stderr.write(`bench: ${(e as Error).stack ?? e}\n`);
  process.exitCode = 1;
});
