/**
 * Count and total for any criteria, in process:
 * `node dist/bench/measure-totals-matrix.js REGISTER.sqlite [--runs N] [--only REGEX] [--over MS] [--check] [--json FILE]`.
 *
 * Times queryTotals (what `foi grants --totals-only` runs) for every combination of
 * bench/lib/totals-matrix.ts on a register (the bench's million-row one: `foi import
 * bench/work/big-1000000.csv --db bench/work/register-1m.sqlite`), one warm-up then N runs (5),
 * and prints a table: criteria, lines counted, median and slowest run, the combinations at or
 * over 50 ms last. --only keeps the combinations whose arguments match a pattern; --over lists
 * only those at or over MS; --check also compares each result with the totals added up row by
 * row (queryGrants: slow, seconds a query at a million lines) and exits 1 on a difference;
 * --json writes every result.
 */
import { writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { isDeepStrictEqual } from 'node:util';
import { openDatabase } from '../src/db/open.js';
import { queryGrants } from '../src/register/query.js';
import { queryTotals } from '../src/register/query-totals.js';
import { textTable } from './lib/report.js';
import { fmtInt, fmtMs, median } from './lib/stats.js';
import { shellQuote } from './lib/step-query.js';
import { combinations, matrixQuery } from './lib/totals-matrix.js';

const TARGET_MS = 50;

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
}

const register = process.argv[2];
if (!register || register.startsWith('--')) {
  console.error('usage: node dist/bench/measure-totals-matrix.js REGISTER.sqlite [--runs N] [--only REGEX] [--over MS] [--check] [--json FILE]');
  process.exit(2);
}
const runs = Number(arg('--runs') ?? 5);
const only = arg('--only') ? new RegExp(arg('--only')!) : null;
const over = Number(arg('--over') ?? 0);
const check = process.argv.includes('--check');

const db = openDatabase(register);
const results: { args: string; size: number; rows: number; median: number; max: number; same: boolean | null }[] = [];
let differ = 0;
const all = combinations().filter((c) => !only || only.test(c.args.join(' ')));
const t0 = performance.now();
for (const c of all) {
  const q = matrixQuery(db, c.args);
  const first = queryTotals(db, q); // warm-up
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const s = performance.now();
    queryTotals(db, q);
    times.push(performance.now() - s);
  }
  let same: boolean | null = null;
  if (check) {
    const { rows: _rows, ...byRow } = queryGrants(db, q);
    same = isDeepStrictEqual(JSON.parse(JSON.stringify(first)), JSON.parse(JSON.stringify(byRow)));
    if (!same) differ++;
  }
  const args = c.args.map(shellQuote).join(' ');
  results.push({ args, size: c.size, rows: first.count, median: median(times), max: Math.max(...times), same });
  if (process.stderr.isTTY) process.stderr.write(`\r${results.length}/${all.length}`);
}
db.close();
if (process.stderr.isTTY) process.stderr.write('\r');

const shown = results.filter((r) => r.median >= over).sort((a, b) => (a.median >= TARGET_MS ? 1 : 0) - (b.median >= TARGET_MS ? 1 : 0) || a.median - b.median);
console.log(textTable(['Criteria (foi grants …)', 'Lines', 'Median', 'Slowest', ...(check ? ['Same as rows'] : [])], shown.map((r) => [
  r.args || '(none)', fmtInt(r.rows), fmtMs(r.median), fmtMs(r.max), ...(check ? [r.same ? 'yes' : 'NO'] : []),
])));
const slow = results.filter((r) => r.median >= TARGET_MS);
const worst = results.reduce((a, b) => (b.median > a.median ? b : a));
console.log(`\n${results.length} combinations in ${fmtMs(performance.now() - t0)}; ${slow.length} at or over ${TARGET_MS} ms; slowest ${fmtMs(worst.median)} (${worst.args}); median of medians ${fmtMs(median(results.map((r) => r.median)))}${check ? `; ${differ} differ from the rows` : ''}.`);
if (arg('--json')) writeFileSync(arg('--json')!, JSON.stringify(results, null, 2) + '\n');
if (differ) process.exitCode = 1;
