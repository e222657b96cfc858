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
import { parseFinancialYearList } from '../../src/core/financial-year.js';
import { CONFIG, clock, load, log, pass, type StepResult } from './bench.js';
import { relative } from 'node:path';
import { FOI_BIN, ROOT } from './paths.js';
import { run } from './proc.js';
import { mdTable, type SummaryRow } from './report.js';
import { fmtInt, fmtMs, median } from './stats.js';

const TARGET_MS = 50;

interface QueryDef {
  id: string;
  what: string;
  /** As typed on the command line (foi grants …). */
  args: string[];
  build: (q: GrantQuery) => void;
}

export const QUERIES: QueryDef[] = [
  { id: 'Q1', what: 'financial year and text', args: ['--fy', '2012-13', '--text', 'community'], build: (q) => { q.years = parseFinancialYearList(['2012-13']); q.text = 'community'; } },
  { id: 'Q2', what: 'a single financial year', args: ['--fy', '2012-13'], build: (q) => { q.years = parseFinancialYearList(['2012-13']); } },
  { id: 'Q3', what: 'a range of years and a theme-less text term', args: ['--fy', '2010-11..2014-15', '--text', 'mental health'], build: (q) => { q.years = parseFinancialYearList(['2010-11..2014-15']); q.text = 'mental health'; } },
  { id: 'Q4', what: 'a recipient (name part)', args: ['--recipient', "Women's Aid"], build: (q) => { q.recipient = "Women's Aid"; } },
];

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

export const shellQuote = (a: string) => (/^[\w.,=:/-]+$/.test(a) ? a : `"${a.replace(/"/g, '\\"')}"`);

export async function queryStep(register: string | null, skipReason: string | null): Promise<StepResult> {
  const title = `## 2. Query: the ${CONFIG.rows.toLocaleString('en-GB')}-row register`;
  if (!register) {
    const why = skipReason ?? 'there is no million-row register (the import did not finish)';
    return {
      summary: QUERIES.map((d) => ({ step: '2 Totals', measure: `${d.id} ${d.args.map(shellQuote).join(' ')}`, foi: '-', baseline: '-', ratio: '-', target: `< ${TARGET_MS} ms`, status: 'SKIP' })),
      markdown: `${title}\n\nSkipped: ${why}.\n`,
      misses: '',
    };
  }
  const loadBefore = load();
  const db = openDatabase(register);
  const box = capture(db);
  const results: { def: QueryDef; runs: number[]; sqlRuns: number[]; rows: number; plan: string; rowRuns: number[] }[] = [];
  for (const def of QUERIES) {
    const q = emptyQuery();
    def.build(q);
    const totals = timeRuns(box, () => queryTotals(db, q).count);
    const plan = totals.sql.map((c) => (db as unknown as { prepare(s: string): { all(...p: unknown[]): { detail: string }[] } }).prepare(`EXPLAIN QUERY PLAN ${c.sql}`).all(...c.params).map((r) => r.detail).join('; ')).join(' | then | ');
    // The rows as well (not a target): fewer runs, they take seconds at this size.
    const rowRuns: number[] = [];
    for (let i = 0; i < 3 && clock.remainingMs() > 240_000; i++) {
      const t0 = performance.now();
      queryGrants(db, q);
      rowRuns.push(performance.now() - t0);
    }
    results.push({ def, runs: totals.runs, sqlRuns: totals.sqlRuns, rows: totals.rows, plan, rowRuns });
    log(`query ${def.id} ${def.args.map(shellQuote).join(' ')}: ${fmtInt(totals.rows)} rows, totals median ${fmtMs(median(totals.runs))} (${totals.runs.length} runs)${rowRuns.length ? `, rows ${fmtMs(median(rowRuns))}` : ''}`);
  }
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

  const summary: SummaryRow[] = results.map((r) => ({
    step: '2 Totals', measure: `in process: count and total (queryTotals) of ${r.def.id} ${r.def.args.map(shellQuote).join(' ')} (${fmtInt(r.rows)} rows)`,
    foi: fmtMs(median(r.runs)), baseline: '-', ratio: '-', target: `< ${TARGET_MS} ms`, status: pass(median(r.runs) < TARGET_MS),
  }));
  let md = `${title}\n\n`;
  md += `Count and total in process: \`queryTotals\` (what \`foi grants --totals-only\` runs: one aggregate over the lines the criteria select, from the allocation indexes, see src/register/query-totals.ts) with \`openDatabase\` on the register written by step 1, as \`foi grants --db\` opens it; one warm-up, then up to ${CONFIG.queryRuns} runs or ${fmtMs(CONFIG.queryBudgetMs)} per query (at least 3). `;
  md += `"In SQLite" is the time inside its statements. "Rows" is \`queryGrants\` for information (not a target): every row read into memory with its grant and names, as a letter or the JSON listing needs them. The CLI column is one run of \`foi grants --db ${relative(ROOT, register)} … --format csv\` (process start, opening and output included).\n\n`;
  md += mdTable(['Query', 'Criteria', 'Lines', 'Runs', 'Median', 'In SQLite (median)', 'Min', 'Rows (queryGrants)', 'CLI once', 'Target', 'Result'], results.map((r, i) => [
    r.def.id, `${r.def.what}: \`${r.def.args.map(shellQuote).join(' ')}\``, fmtInt(r.rows), String(r.runs.length), fmtMs(median(r.runs)), fmtMs(median(r.sqlRuns)),
    fmtMs(Math.min(...r.runs)), r.rowRuns.length ? fmtMs(median(r.rowRuns)) : 'skipped (budget)', cli[i] === null ? 'skipped (budget)' : fmtMs(cli[i]!), `< ${TARGET_MS} ms`, pass(median(r.runs) < TARGET_MS),
  ])) + '\n\n';
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
      misses += `When a common word meets a whole year, both sets are large: SQLite merges the year's lines (in grant order in allocation_listing) with the text's grants (in rowid order) and then reads the lines of the grants in both (over several years, it looks up the lines of every grant the text finds, through allocation_by_grant); the full-text search and the merge, not the reading, are what is left. What could close it: a full-text index that also holds each grant's financial years (a token per year in \`grant_fts\`, written by the import), so that one FTS5 query returns only that year's grants.\n`;
    }
  }
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
  const out = defs.filter((d) => d.args.includes('--text')).map((def) => {
    const q = emptyQuery();
    def.build(q);
    const fts = db.prepare('SELECT count(*) FROM grant_fts WHERE grant_fts MATCH ?').pluck();
    const f = timed(() => fts.get(ftsQuery(q.text!)) as number);
    const y = timed(() => queryTotals(db, { ...q, text: null }).count);
    return { id: def.id, ftsRows: f.n, ftsMs: f.ms, yearRows: y.n, yearMs: y.ms };
  });
  db.close();
  return out;
}
