/**
 * Count and totals of a query without reading its rows. A register that has totals columns (large
 * ones, after an import: src/register/totals-columns.ts) is summed by one pass over them
 * (src/register/totals-scan.ts); otherwise, one aggregate statement over the lines
 * the criteria select (the same conditions as the listing, src/register/query-sql.ts), summed
 * into the same buckets as queryGrants adds rows into (a stated amount, an "up to" amount, a line
 * over years not asked for, no amount, superseded). Tests fuzz criteria over a generated register
 * and require the same figures from both (tests/register/query-totals.test.ts, and for the columns
 * tests/register/totals-columns.test.ts).
 *
 * A line's currency and whether it is withdrawn belong to its grant, and reading a million grants
 * rows is what makes a year's totals slow. So the lines are summed from the allocation indexes
 * alone as if every grant were a current GBP one (which index finds them, and how the criteria
 * are tested: src/register/totals-plan.ts), and the lines of the few grants that are not (the
 * grants_not_plain partial index) are summed apart, taken out of the GBP figures, and added back
 * to their own currency unless withdrawn. Read as at a time (the history views, which have no
 * indexes), every line is read with its grant.
 */
import type { Db } from '../db/open.js';
import { summarise, type CurrencyTotal, type GrantQuery, type GrantRow, type QueryTotals } from './query.js';
import { grantRows, listingSql } from './query-rows.js';
import { and, querySql, statement, type QuerySql, type SqlPart } from './query-sql.js';
import { totalsPlan, type Arm } from './totals-plan.js';
import { totalsColumns } from './totals-columns.js';
import { scanTotals, type ScanSums } from './totals-scan.js';

/** One bucket's sums, as the aggregate returns them (sum() is NULL over no rows). */
interface Sums {
  currency?: string;
  withdrawn?: number;
  n: number;
  /** Lines with an amount (the rest have none, superseded or not). */
  withAmount: number;
  superseded: number | null;
  /** Every amount of a line not superseded: the total, the maxima and the outside amounts together. */
  amounts: number | null;
  maximum: number | null;
  outside: number | null;
  outsideRows: number | null;
}

/**
 * The aggregate over `arms` (joined by UNION ALL), one result row per arm, or per currency and
 * withdrawn state when the grant `g` is joined (`byGrant`). Each line is looked at once with a few
 * cheap tests (at a million lines, every test counts): the total is what is left of the amounts
 * after the maxima and the amounts outside the years. `plain`: the sums as if every line were
 * plain (an amount, not an "up to", not superseded, within one year): a count and a sum, a third
 * of the work per line.
 */
function aggregate(db: Db, q: GrantQuery, outside: SqlPart | null, arms: Arm[], byGrant: boolean, plain = false): Sums[] {
  if (plain) {
    const sql = arms.map((arm) => `SELECT count(*), sum(a.amount_pence) FROM ${arm.from}${arm.where.sql !== '1' ? ` WHERE ${arm.where.sql}` : ''}`).join('\nUNION ALL\n');
    return (statement(db, sql).raw(true).all(...arms.flatMap((arm) => arm.where.params)) as [number, number | null][]).map(([n, amounts]) => ({
      n, withAmount: n, superseded: 0, amounts, maximum: 0, outside: 0, outsideRows: 0,
    }));
  }
  const live = q.includeSuperseded ? ' AND a.superseded <> 1' : ''; // without it, the WHERE has only lines not superseded
  const measures = [
    'count(*) AS n', 'count(a.amount_pence) AS withAmount',
    q.includeSuperseded ? 'sum(a.superseded = 1) AS superseded' : '0 AS superseded',
    live ? `sum(a.amount_pence) FILTER (WHERE 1${live}) AS amounts` : 'sum(a.amount_pence) AS amounts',
    `sum(a.amount_pence) FILTER (WHERE a.basis = 'maximum'${live}${outside ? ` AND NOT ${outside.sql}` : ''}) AS maximum`,
    ...(outside ? [`sum(a.amount_pence) FILTER (WHERE ${outside.sql}${live}) AS outside`, `count(a.amount_pence) FILTER (WHERE ${outside.sql}${live}) AS outsideRows`] : ['0 AS outside', '0 AS outsideRows']),
    ...(byGrant ? ['g.currency AS currency', 'g.withdrawn_at IS NOT NULL AS withdrawn'] : []),
  ];
  const measureParams = outside ? [...outside.params, ...outside.params, ...outside.params] : [];
  const sql = arms.map((arm) => `SELECT ${measures.join(', ')} FROM ${arm.from}${arm.where.sql !== '1' ? ` WHERE ${arm.where.sql}` : ''}${byGrant ? ' GROUP BY currency, withdrawn' : ''}`).join('\nUNION ALL\n');
  return statement(db, sql).raw(false).all(...arms.flatMap((arm) => [...measureParams, ...arm.where.params])) as Sums[];
}

/** Whether the register is read as at a time (src/register/history.ts: temporary views over its tables, without their indexes). */
function asAt(db: Db): boolean {
  return (statement(db, "SELECT 1 FROM temp.sqlite_master WHERE name = 'allocation'").raw(true).all() as unknown[]).length > 0;
}

/** Count and totals of the lines `q` selects, as queryGrants gives them, from one aggregate. */
export function queryTotals(db: Db, q: GrantQuery): QueryTotals {
  // Its statements read one state of the register (another process may import meanwhile).
  return db.inTransaction ? totalsOf(db, q) : db.transaction(() => totalsOf(db, q))();
}

/** The sums from the totals columns, when the register has them and they can answer `q`. */
function columnsSums(db: Db, q: GrantQuery, years: number[]): ScanSums[] | null {
  const cols = totalsColumns(db);
  return cols && scanTotals(db, cols, q, years);
}

function totalsOf(db: Db, q: GrantQuery): QueryTotals {
  const s = querySql(q);
  let sums: ScanSums[] | null;
  const buckets = new Map<string, Sums>();
  const add = (currency: string, x: Sums, sign: 1 | -1) => {
    let b = buckets.get(currency);
    if (!b) buckets.set(currency, (b = { n: 0, withAmount: 0, superseded: 0, amounts: 0, maximum: 0, outside: 0, outsideRows: 0 }));
    b.n += sign * x.n;
    b.withAmount += sign * x.withAmount;
    b.superseded! += sign * (x.superseded ?? 0);
    b.amounts! += sign * (x.amounts ?? 0);
    b.maximum! += sign * (x.maximum ?? 0);
    b.outside! += sign * (x.outside ?? 0);
    b.outsideRows! += sign * (x.outsideRows ?? 0);
  };
  const keep = (x: Sums) => !x.withdrawn || !!q.includeWithdrawn;
  const outside = s.years.length ? s.outside : null;
  if (asAt(db)) {
    // Through the history views: every line with its grant, grouped by currency (the views have no indexes to plan with).
    const arms = s.arms.map((arm) => ({ from: 'allocation a JOIN grants g ON g.rowid = a.grant_rowid', where: and([arm, s.common]) }));
    for (const x of aggregate(db, q, outside, arms, true)) if (keep(x)) add(x.currency!, x, 1);
  } else if ((sums = columnsSums(db, q, s.years))) {
    for (const x of sums) if (x.n) add(x.currency, x, 1);
  } else {
    const plan = totalsPlan(db, q, s.years);
    for (const x of aggregate(db, q, outside, plan.lines, false, plan.special !== null)) add('GBP', x, 1);
    if (plan.special) {
      // Summed as plain above, the lines that are not (few) are summed again as they are, in place of that.
      for (const x of aggregate(db, q, outside, plan.special, false, true)) add('GBP', x, -1);
      for (const x of aggregate(db, q, outside, plan.special, false)) add('GBP', x, 1);
    }
    // The grants outside that assumption, found through their partial index, each line once.
    for (const x of aggregate(db, q, outside, plan.notPlain, true)) {
      add('GBP', x, -1);
      if (keep(x)) add(x.currency!, x, 1);
    }
  }
  const totals: CurrencyTotal[] = [];
  let count = 0;
  let noAmount = 0;
  let superseded = 0;
  let outsideRows = 0;
  for (const [currency, b] of buckets) {
    if (b.n <= 0) continue;
    count += b.n;
    noAmount += b.n - b.withAmount;
    superseded += b.superseded!;
    outsideRows += b.outsideRows!;
    totals.push({ currency, totalPence: b.amounts! - b.maximum! - b.outside!, maximumPence: b.maximum!, outsidePence: b.outside! });
  }
  return summarise(count, totals, noAmount, superseded, outsideRows ? outsideLines(db, q, s) : []);
}

/** The lines counted as outside the years asked for, in listing order (letters and notes name each). */
function outsideLines(db: Db, q: GrantQuery, s: QuerySql): GrantRow[] {
  return grantRows(db, listingSql(q, [s.outside, { sql: 'a.superseded <> 1 AND a.amount_pence IS NOT NULL', params: [] }]));
}
