/**
 * `npm run bench:xlsx`: `foi import` of a workbook against the same data as CSV (issue 11's
 * target: XLSX import time per row within 2× of CSV). Two sizes: the Lloyds Bank Foundation file
 * (4,116 rows) and 100,000 rows, each made by bench/lib/gen-csv.ts and written as a workbook by
 * bench/lib/gen-xlsx.ts. Each import is a fresh register through bin/foi, the CSV and the
 * workbook alternating, 3 runs each; medians. Writes bench/XLSX-RESULTS.md.
 */
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeBigCsv } from './lib/gen-csv.js';
import { csvToXlsx } from './lib/gen-xlsx.js';
import { FOI_BIN, LLOYDS_JSON, ROOT, WORK } from './lib/paths.js';
import { run } from './lib/proc.js';
import { mdTable } from './lib/report.js';
import { fmtBytes, fmtInt, fmtMs, fmtRatio, fmtRuns, median } from './lib/stats.js';
import { systemInfo } from './lib/system.js';

const RUNS = Number(process.env.BENCH_XLSX_RUNS ?? 3);
const TARGET = 2;

async function importOnce(file: string): Promise<number> {
  const db = join(WORK, 'xlsx-bench.sqlite');
  for (const s of ['', '-wal', '-shm']) rmSync(db + s, { force: true });
  await run(process.execPath, [FOI_BIN, 'init', '--db', db]);
  const r = await run(process.execPath, [FOI_BIN, 'import', '--db', db, file], { check: false });
  if (r.code !== 0) throw new Error(`foi import ${file} failed: ${r.stderr.slice(0, 500)}`);
  return r.ms;
}

async function main(): Promise<void> {
  if (!existsSync(LLOYDS_JSON)) {
    process.stderr.write(`bench:xlsx: ${LLOYDS_JSON} is missing; the data is made from it\n`);
    process.exitCode = 1;
    return;
  }
  mkdirSync(WORK, { recursive: true });
  const sys = systemInfo();
  const rows: string[][] = [];
  let verdict = true;
  for (const n of [4116, 100_000]) {
    const csv = makeBigCsv(LLOYDS_JSON, join(WORK, `xlsx-bench-${n}.csv`), n);
    const xlsx = await csvToXlsx(csv.path, join(WORK, `xlsx-bench-${n}.xlsx`));
    const times = { csv: [] as number[], xlsx: [] as number[] };
    for (let i = 0; i < RUNS; i++) {
      times.csv.push(await importOnce(csv.path));
      times.xlsx.push(await importOnce(xlsx.path));
    }
    const c = median(times.csv);
    const x = median(times.xlsx);
    const ratio = x / c;
    if (ratio > TARGET) verdict = false;
    rows.push([
      fmtInt(n), `${fmtBytes(csv.bytes)} / ${fmtBytes(xlsx.bytes)}`, `${fmtMs(c)} (${fmtRuns(times.csv)})`, `${fmtMs(x)} (${fmtRuns(times.xlsx)})`,
      `${((c / n) * 1000).toFixed(0)} µs / ${((x / n) * 1000).toFixed(0)} µs`, fmtRatio(ratio), ratio <= TARGET ? 'PASS' : 'MISS',
    ]);
    process.stdout.write(`${fmtInt(n)} rows: CSV ${fmtMs(c)}, XLSX ${fmtMs(x)}, ${fmtRatio(ratio)}\n`);
  }
  const headers = ['Rows', 'CSV / XLSX size', 'CSV import (median; runs)', 'XLSX import (median; runs)', 'Per row CSV / XLSX', 'XLSX ÷ CSV', `≤ ${TARGET}×`];
  const md = [
    '# XLSX import against CSV',
    '',
    `Written by \`npm run bench:xlsx\` (bench/measure-xlsx.ts) on ${new Date().toISOString().slice(0, 10)}: ${sys.cpu}, ${sys.cores} cores, ${sys.memory}; node ${sys.node}.`,
    `Each figure is the wall time of \`foi import FILE --db fresh.sqlite\` through bin/foi (start-up included), ${RUNS} runs each, CSV and workbook alternating.`,
    'The workbook holds the same data as the CSV (bench/lib/gen-xlsx.ts): amounts and durations as numbers, dates as date cells, text as shared strings.',
    '',
    mdTable(headers, rows),
    '',
    verdict ? 'Target met at both sizes.' : 'Target missed: see the ratio column.',
    '',
  ].join('\n');
  writeFileSync(join(ROOT, 'bench', 'XLSX-RESULTS.md'), md);
  process.stdout.write(md);
}

main().catch((e) => {
  process.stderr.write(`bench:xlsx: ${(e as Error).stack ?? e}\n`);
  process.exitCode = 1;
});
