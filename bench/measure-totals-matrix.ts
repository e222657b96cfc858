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
import { shellQuote, textTable } from './lib/report.js';
import { fmtInt, fmtMs, median } from './lib/stats.js';
import { combinations, matrixQuery, timeMatrix, type MatrixResult } from './lib/totals-matrix.js';

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
const t0 = performance.now();
const results: (MatrixResult & { same: boolean | null })[] = timeMatrix(db, runs, only).map((r) => ({ ...r, same: null }));
let differ = 0;
if (check) {
  const byArgs = new Map(combinations().map((c) => [c.args.map(shellQuote).join(' '), c.args]));
  for (const r of results) {
    const q = matrixQuery(db, byArgs.get(r.args)!);
    const { rows: _rows, ...byRow } = queryGrants(db, q);
    r.same = isDeepStrictEqual(JSON.parse(JSON.stringify(queryTotals(db, q))), JSON.parse(JSON.stringify(byRow)));
    if (!r.same) differ++;
  }
}
db.close();

const shown = results.filter((r) => r.median >= over).sort((a, b) => (a.median >= TARGET_MS ? 1 : 0) - (b.median >= TARGET_MS ? 1 : 0) || a.median - b.median);
console.log(textTable(['Criteria (foi grants …)', 'Lines', 'Median', 'Slowest', ...(check ? ['Same as rows'] : [])], shown.map((r) => [
  r.args || '(none)', fmtInt(r.rows), fmtMs(r.median), fmtMs(r.max), ...(check ? [r.same ? 'yes' : 'NO'] : []),
])));
const slow = results.filter((r) => r.median >= TARGET_MS);
const worst = results.reduce((a, b) => (b.median > a.median ? b : a));
console.log(`\n${results.length} combinations in ${fmtMs(performance.now() - t0)}; ${slow.length} at or over ${TARGET_MS} ms; slowest ${fmtMs(worst.median)} (${worst.args}); median of medians ${fmtMs(median(results.map((r) => r.median)))}${check ? `; ${differ} differ from the rows` : ''}.`);
if (arg('--json')) writeFileSync(arg('--json')!, JSON.stringify(results, null, 2) + '\n');
if (differ) process.exitCode = 1;
