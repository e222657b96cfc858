/**
 * Step 2, query: count and total (queryTotals, what `foi grants --totals-only` runs) in process on
 * the million-row register (the one `foi import` just built), by financial year, text and
 * recipient; median after a warm-up; SQLite's share (time inside the statements) and the query
 * plans of any miss. For information, the rows too (queryGrants: every row read into memory, as
 * a letter or the JSON listing needs them), and each query once through the CLI.
 */
import { performance } from 'node:perf_hooks';
import { openDatabase, type Db } from '../../src/db/open.js';
import { emptyQuery, ftsQuery, queryGrants, type GrantQuery } from '../../src/register/query.js';
import { queryTotals } from '../../src/register/query-totals.js';
import { LIMITS } from '../../src/register/totals-plan.js';
import { totalsColumns } from '../../src/register/totals-columns.js';
import { parseFinancialYearList } from '../../src/core/financial-year.js';
import { CONFIG, clock, load, log, pass, type StepResult } from './bench.js';
import { relative } from 'node:path';
import { FOI_BIN, ROOT } from './paths.js';
import { run } from './proc.js';
import { mdTable, shellQuote, type SummaryRow } from './report.js';
import { fmtInt, fmtMs, median } from './stats.js';
import { combinations, matrixQuery, timeMatrix, type MatrixResult } from './totals-matrix.js';

const TARGET_MS = 50;

interface QueryDef {
  id: string;
  what: string;
  /** As typed on the command line (foi grants …). */
  args: string[];
  /** The query (else `args` read as `foi grants` reads them: bench/lib/totals-matrix.ts). */
  build?: (q: GrantQuery) => void;
}

export const QUERIES: QueryDef[] = [
  { id: 'Q1', what: 'financial year and text', args: ['--fy', '2012-13', '--text', 'community'], build: (q) => { q.years = parseFinancialYearList(['2012-13']); q.text = 'community'; } },
  { id: 'Q2', what: 'a single financial year', args: ['--fy', '2012-13'], build: (q) => { q.years = parseFinancialYearList(['2012-13']); } },
  { id: 'Q3', what: 'a range of years and a theme-less text term', args: ['--fy', '2010-11..2014-15', '--text', 'mental health'], build: (q) => { q.years = parseFinancialYearList(['2010-11..2014-15']); q.text = 'mental health'; } },
  { id: 'Q4', what: 'a recipient (name part)', args: ['--recipient', "Women's Aid"], build: (q) => { q.recipient = "Women's Aid"; } },
];

/**
 * Count and total only (no rows, no CLI run): a common word, no single year, and one criterion
 * more, the kinds that were slowest before src/register/totals-plan.ts; and a criterion of each
 * kind that still selects a large part of the register. The whole matrix of criteria follows.
 */
export const MORE_QUERIES: QueryDef[] = [
  { id: 'Q5', what: 'a common word and a recipient', args: ['--text', 'community', '--recipient', "Women's Aid"] },
  { id: 'Q6', what: "a common word and the register's one funder", args: ['--text', 'community', '--funder', 'Lloyds'] },
  { id: 'Q7', what: 'a common word and a programme', args: ['--text', 'community', '--programme', 'XA8'] },
  { id: 'Q8', what: 'a common word and running dates', args: ['--text', 'community', '--active-in', '2013-14'] },
  { id: 'Q9', what: 'a range of years, a recipient and running dates', args: ['--fy', '2010-11..2014-15', '--recipient', 'Community', '--active-in', '2013-14'] },
  { id: 'Q10', what: 'every line (no criteria)', args: [] },
];

const queryOf = (db: Db, def: QueryDef): GrantQuery => {
  if (!def.build) return matrixQuery(db, def.args);
  const q = emptyQuery();
  def.build(q);
  return q;
};

interface Captured { sql: string; params: unknown[]; ms: number }

/** Wrap db.prepare so each statement's .all() records its SQL, parameters and time (since `reset`). */
function capture(db: Db): { runs: Captured[] } {
  const box: { runs: Captured[] } = { runs: [] };
  const prepare = db.prepare.bind(db);
  (db as { prepare: unknown }).prepare = (sql: string) => {
    const st = prepare(sql);
    const all = st.all.bind(st) as (...p: unknown[]) => unknown[];
    (st as unknown as { all: unknown }).all = (...params: unknown[]) => {
      const t0 = performance.now();
      const rows = all(...params);
      box.runs.push({ sql, params, ms: performance.now() - t0 });
      return rows;
    };
    return st;
  };
  return box;
}

/** Median and SQLite time of `f` run after a warm-up, up to CONFIG.queryRuns times or the budget (at least 3). */
function timeRuns(box: { runs: Captured[] }, f: () => number): { runs: number[]; sqlRuns: number[]; rows: number; sql: Captured[] } {
  f(); // warm-up
  const runs: number[] = [];
  const sqlRuns: number[] = [];
  let rows = 0;
  let sql: Captured[] = [];
  const start = performance.now();
  while (runs.length < CONFIG.queryRuns && (runs.length < 3 || performance.now() - start < CONFIG.queryBudgetMs)) {
    box.runs = [];
    const t0 = performance.now();
    rows = f();
    runs.push(performance.now() - t0);
    sql = box.runs;
    sqlRuns.push(sql.reduce((a, c) => a + c.ms, 0));
  }
  return { runs, sqlRuns, rows, sql };
}

export async function queryStep(register: string | null, skipReason: string | null): Promise<StepResult> {
  const title = `## 2. Query: the ${CONFIG.rows.toLocaleString('en-GB')}-row register`;
  if (!register) {
    const why = skipReason ?? 'there is no million-row register (the import did not finish)';
    return {
      summary: [...[...QUERIES, ...MORE_QUERIES].map((d): SummaryRow => ({ step: '2 Totals', measure: `${d.id} ${d.args.map(shellQuote).join(' ')}`, foi: '-', baseline: '-', ratio: '-', target: `< ${TARGET_MS} ms`, status: 'SKIP' })), ...matrixRows([])],
      markdown: `${title}\n\nSkipped: ${why}.\n`,
      misses: '',
    };
  }
  const loadBefore = load();
  const db = openDatabase(register);
  const box = capture(db);
  // Whether the import wrote the totals columns (src/register/totals-columns.ts): queryTotals then
  // adds up any criteria in one pass over them, and the SQL plans below are not used.
  const columns = totalsColumns(db) !== null;
  const results: { def: QueryDef; runs: number[]; sqlRuns: number[]; rows: number; plan: string; driver: string; rowRuns: number[] }[] = [];
  for (const def of [...QUERIES, ...MORE_QUERIES]) {
    const q = queryOf(db, def);
    let driver = '';
    LIMITS.trace = (t) => (driver = `${t.driver}${t.plain ? ', summed as plain' : ''}; sizes ${Object.entries(t.sizes).map(([k, v]) => `${k} ${fmtInt(v)}`).join(', ')}`);
    const totals = timeRuns(box, () => queryTotals(db, q).count);
    LIMITS.trace = null;
    const plan = totals.sql.map((c) => (db as unknown as { prepare(s: string): { all(...p: unknown[]): { detail: string }[] } }).prepare(`EXPLAIN QUERY PLAN ${c.sql}`).all(...c.params).map((r) => r.detail).join('; ')).join(' | then | ');
    // The rows as well (not a target): fewer runs, they take seconds at this size.
    const rowRuns: number[] = [];
    for (let i = 0; i < 3 && def.build && clock.remainingMs() > 240_000; i++) {
      const t0 = performance.now();
      queryGrants(db, q);
      rowRuns.push(performance.now() - t0);
    }
    if (columns) driver = 'the totals columns (one pass; SQLite finds only the sets of grants and the names the criteria match)';
    results.push({ def, runs: totals.runs, sqlRuns: totals.sqlRuns, rows: totals.rows, plan, driver, rowRuns });
    log(`query ${def.id} ${def.args.map(shellQuote).join(' ')}: ${fmtInt(totals.rows)} rows, totals median ${fmtMs(median(totals.runs))} (${totals.runs.length} runs)${rowRuns.length ? `, rows ${fmtMs(median(rowRuns))}` : ''}`);
  }
  // Any criteria: every combination of the matrix, a few runs each.
  const matrixStart = performance.now();
  const matrix = timeMatrix(db, CONFIG.matrixRuns, null, matrixStart + Math.max(0, Math.min(CONFIG.matrixBudgetMs, clock.remainingMs() / 2)));
  const matrixMs = performance.now() - matrixStart;
  log(`query matrix: ${matrix.length} combinations in ${fmtMs(matrixMs)}, slowest ${matrix.length ? fmtMs(Math.max(...matrix.map((r) => r.median))) : '-'}`);
  db.close();

  // Once through the CLI, for information (process start, opening, formatting included).
  const cli: (number | null)[] = [];
  for (const def of QUERIES) {
    if (clock.remainingMs() < 200_000) {
      cli.push(null);
      continue;
    }
    const r = await run(process.execPath, [FOI_BIN, 'grants', '--db', register, ...def.args, '--format', 'csv'], { keep: 1024 });
    cli.push(r.ms);
  }
  const loadAfter = load();

  const summary: SummaryRow[] = [...results.map((r) => ({
    step: '2 Totals', measure: `in process: count and total (queryTotals) of ${r.def.id} ${r.def.args.map(shellQuote).join(' ') || '(no criteria)'} (${fmtInt(r.rows)} rows)`,
    foi: fmtMs(median(r.runs)), baseline: '-', ratio: '-', target: `< ${TARGET_MS} ms`, status: pass(median(r.runs) < TARGET_MS),
  })), ...matrixRows(matrix)];
  let md = `${title}\n\n`;
  md += `Count and total in process: \`queryTotals\` (what \`foi grants --totals-only\` runs: ${columns ? 'one pass over the totals columns the import wrote, packed arrays of the fields the criteria test, see src/register/totals-columns.ts and totals-scan.ts; the first run of a process reads the columns it needs from the register' : 'one aggregate over the lines the criteria select, from the allocation indexes, see src/register/query-totals.ts'}) with \`openDatabase\` on the register written by step 1, as \`foi grants --db\` opens it; one warm-up, then up to ${CONFIG.queryRuns} runs or ${fmtMs(CONFIG.queryBudgetMs)} per query (at least 3). `;
  md += `"In SQLite" is the time inside its statements. "Rows" is \`queryGrants\` for information (not a target): every row read into memory with its grant and names, as a letter or the JSON listing needs them. The CLI column is one run of \`foi grants --db ${relative(ROOT, register)} … --format csv\` (process start, opening and output included).\n\n`;
  md += mdTable(['Query', 'Criteria', 'Lines', 'Runs', 'Median', 'In SQLite (median)', 'Min', 'Rows (queryGrants)', 'CLI once', 'Target', 'Result'], results.map((r, i) => [
    r.def.id, `${r.def.what}: \`${r.def.args.map(shellQuote).join(' ')}\``, fmtInt(r.rows), String(r.runs.length), fmtMs(median(r.runs)), fmtMs(median(r.sqlRuns)),
    fmtMs(Math.min(...r.runs)), r.rowRuns.length ? fmtMs(median(r.rowRuns)) : r.def.build ? 'skipped (budget)' : '-', cli[i] === undefined ? '-' : cli[i] === null ? 'skipped (budget)' : fmtMs(cli[i]!), `< ${TARGET_MS} ms`, pass(median(r.runs) < TARGET_MS),
  ])) + '\n\n';
  md += `Q5-Q10 are timed the same way, without the rows or the CLI. How each one was summed (${columns ? 'the totals columns' : 'src/register/totals-plan.ts: which criterion drove, the sizes it counted or estimated'}):\n\n`;
  md += mdTable(['Query', 'Plan'], results.filter((r) => !r.def.build).map((r) => [r.def.id, r.driver])) + '\n\n';
  md += matrixMarkdown(matrix, matrixMs);
  md += `Load average before: ${loadBefore}; after: ${loadAfter}.\n`;

  const missed = results.filter((r) => median(r.runs) >= TARGET_MS);
  let misses = '';
  if (missed.length) {
    misses = `### Query\n\n**${missed.length} of ${results.length} count-and-total queries take ${TARGET_MS} ms or longer.** `;
    const sqlShare = median(missed.map((r) => median(r.sqlRuns) / median(r.runs)));
    misses += `For them, SQLite's own execution is ${(sqlShare * 100).toFixed(0)}% of the time (median over the missed queries). Plans (EXPLAIN QUERY PLAN of each statement \`queryTotals\` ran):\n\n`;
    misses += mdTable(['Query', 'Lines', 'Median', 'In SQLite', 'Plan'], missed.map((r) => [r.def.id, fmtInt(r.rows), fmtMs(median(r.runs)), fmtMs(median(r.sqlRuns)), r.plan])) + '\n\n';
    const parts = partsOf(register, missed.map((r) => r.def));
    if (parts.length) {
      misses += `**Where the time goes.** The two sets the statement intersects, each measured alone (median of 5):\n\n`;
      misses += mdTable(['Query', 'Grants the text finds', 'Full-text search alone', 'Lines in the years', 'Year lines alone (from the index)'], parts.map((p) => [p.id, fmtInt(p.ftsRows), fmtMs(p.ftsMs), fmtInt(p.yearRows), fmtMs(p.yearMs)])) + '\n\n';
      misses += `When a common word meets a whole year, both sets are large: SQLite merges the year's lines (in grant order in allocation_listing) with the text's grants (in rowid order) and then reads the lines of the grants in both; the full-text search and the merge, not the reading, are what is left.\n\n`;
    }
  }
  const slow = matrix.filter((r) => r.median >= TARGET_MS);
  if (slow.length || missed.length) misses += `${missed.length ? '' : '### Query\n\n'}${MATRIX_MISSES(slow.length, matrix.length, columns)}\n`;
  return { summary, markdown: md, misses };
}

/** For text queries that missed: the full-text search and the year's lines, each timed alone. */
function partsOf(register: string, defs: QueryDef[]): { id: string; ftsRows: number; ftsMs: number; yearRows: number; yearMs: number }[] {
  const db = openDatabase(register);
  const timed = (f: () => number) => {
    let n = 0;
    const ts: number[] = [];
    for (let i = 0; i < 5; i++) {
      const t0 = performance.now();
      n = f();
      ts.push(performance.now() - t0);
    }
    return { n, ms: median(ts) };
  };
  const out = defs.filter((d) => d.args.includes('--text') && d.args.includes('--fy')).map((def) => {
    const q = queryOf(db, def);
    const fts = db.prepare('SELECT count(*) FROM grant_fts WHERE grant_fts MATCH ?').pluck();
    const f = timed(() => fts.get(ftsQuery(q.text!)) as number);
    const y = timed(() => queryTotals(db, { ...q, text: null }).count);
    return { id: def.id, ftsRows: f.n, ftsMs: f.ms, yearRows: y.n, yearMs: y.ms };
  });
  db.close();
  return out;
}

/** The summary's rows for the matrix: the slowest combination against the target, and how many miss it. */
function matrixRows(matrix: MatrixResult[]): SummaryRow[] {
  if (!matrix.length) return [{ step: '2 Totals', measure: 'in process: count and total for any criteria (bench/lib/totals-matrix.ts)', foi: '-', baseline: '-', ratio: '-', target: `< ${TARGET_MS} ms`, status: 'SKIP' }];
  const worst = matrix.reduce((a, b) => (b.median > a.median ? b : a));
  const slow = matrix.filter((r) => r.median >= TARGET_MS).length;
  return [
    {
      step: '2 Totals', measure: `in process: count and total for any criteria, the slowest of ${matrix.length} combinations (bench/lib/totals-matrix.ts): ${worst.args} (${fmtInt(worst.rows)} rows)`,
      foi: fmtMs(worst.median), baseline: '-', ratio: '-', target: `< ${TARGET_MS} ms`, status: pass(worst.median < TARGET_MS),
    },
    {
      step: '2 Totals', measure: `combinations of criteria at ${TARGET_MS} ms or more (median of each: ${fmtMs(median(matrix.map((r) => r.median)))})`,
      foi: `${slow} of ${matrix.length}`, baseline: '-', ratio: '-', target: '-', status: 'INFO',
    },
  ];
}

/** The matrix in RESULTS.md: how the combinations spread, and every one at or over the target. */
function matrixMarkdown(matrix: MatrixResult[], ms: number): string {
  const all = combinations().length;
  let md = `### Any criteria\n\n`;
  if (!matrix.length) return `${md}Skipped (time budget).\n\n`;
  md += `Every criterion \`foi grants\` takes, alone, in pairs and in ${new Set(matrix.filter((r) => r.size === 3).map((r) => r.args)).size ? 'a few triples' : 'no triples'}, each with no financial year, one year and a range (bench/lib/totals-matrix.ts): ${matrix.length}${matrix.length < all ? ` of ${all} (time budget)` : ''} combinations, ${CONFIG.matrixRuns} run${CONFIG.matrixRuns === 1 ? '' : 's'} each after a warm-up, in ${fmtMs(ms)}. By hand: \`node dist/bench/measure-totals-matrix.js REGISTER\` (\`--check\` also compares each with the rows).\n\n`;
  const bands = [[0, 10], [10, 25], [25, TARGET_MS], [TARGET_MS, 100], [100, 200], [200, Infinity]];
  md += mdTable(['Median', 'Combinations'], bands.map(([lo, hi]) => [hi === Infinity ? `${lo} ms or more` : `${lo}-${hi} ms`, String(matrix.filter((r) => r.median >= lo && r.median < hi).length)])) + '\n\n';
  const slow = matrix.filter((r) => r.median >= TARGET_MS).sort((a, b) => b.median - a.median);
  if (slow.length) {
    md += `At ${TARGET_MS} ms or more:\n\n`;
    md += mdTable(['Criteria', 'Lines', 'Median', 'Slowest'], slow.map((r) => [`\`${r.args}\``, fmtInt(r.rows), fmtMs(r.median), fmtMs(r.max)])) + '\n\n';
  }
  return md;
}

/** Why the combinations over the target are, and what would close them (measured on the million-line register). */
const MATRIX_MISSES = (slow: number, all: number, columns: boolean) => columns
  ? `**${slow} of ${all} combinations of criteria take ${TARGET_MS} ms or more** (see "Any criteria" above), summed from the totals columns: one pass over a million lines takes a few milliseconds whatever the criteria, so what is left is finding the sets SQLite gives (the grants a word finds in the full-text index, read as one list; a theme's, flag's or classification's grants).`
  : `**${slow} of ${all} combinations of criteria take ${TARGET_MS} ms or more** (see "Any criteria" above). queryTotals counts each criterion to a cap, drives from the one that costs least and tests the others in the cheaper form (src/register/totals-plan.ts); what is left over the target selects a large part of the register through a criterion no line index holds: a common word (the full-text index gives a fifth of the grants, each grant's lines then looked up: about 0.3 µs a grant), or planned dates (\`--active-in\`: grants_active gives the grants in date order, so each one's lines are looked up at random, or each line's grant row read, about 1 µs each). The full-text search alone is about 13 ms of a common word's time (FTS5 merges the lists of every term its last word begins; an index without positions, \`detail=none\`, measured no faster). What would close the rest: the grant's planned financial years stored on its money lines by the import (then columns of the covering indexes, as the line's own years are), and for a common word a way to sum the lines of a fifth of the grants without a search per grant (the grants' lines in one index ordered as the full-text index orders them, merged in one pass).`;
