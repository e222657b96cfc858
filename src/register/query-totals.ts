/**
 * Count and totals of a query without reading its rows: one aggregate statement over the lines
 * the criteria select (the same conditions as the listing, src/register/query-sql.ts), summed
 * into the same buckets as queryGrants adds rows into (a stated amount, an "up to" amount, a line
 * over years not asked for, no amount, superseded). Tests fuzz criteria over a generated register
 * and require the same figures from both (tests/register/query-totals.test.ts).
 *
 * A line's currency and whether it is withdrawn belong to its grant, and reading a million grants
 * rows is what makes a year's totals slow. So unless a criterion reads the grant anyway, the lines
 * are summed from the allocation indexes alone as if every grant were a current GBP one, and the
 * lines of the few grants that are not (the grants_not_plain partial index) are summed apart,
 * taken out of the GBP figures, and added back to their own currency unless withdrawn.
 */
import type { Db } from '../db/open.js';
import { summarise, type CurrencyTotal, type GrantQuery, type GrantRow, type QueryTotals } from './query.js';
import { grantRows, listingSql } from './query-rows.js';
import { querySql, statement, type QuerySql, type SqlPart } from './query-sql.js';

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

/** The same grants as the partial index grants_not_plain (the expression must match it exactly). */
const NOT_PLAIN = "(g.withdrawn_at IS NOT NULL OR g.currency <> 'GBP')";

/** Which lines an aggregate reads, and how. */
const SOURCES = {
  /** Every line, from the allocation index alone. */
  lines: { from: 'allocation a', byGrant: false, extra: [] },
  /** Every line with its grant: when a criterion reads the grant anyway. */
  linesWithGrants: { from: 'allocation a JOIN grants g ON g.rowid = a.grant_rowid', byGrant: true, extra: [] },
  /** The lines of the few grants withdrawn or not in GBP: those grants first, then their lines (allocation_by_grant). */
  notPlain: { from: 'grants g CROSS JOIN allocation a ON a.grant_rowid = g.rowid', byGrant: true, extra: [{ sql: NOT_PLAIN, params: [] }] },
} as const;

/**
 * The aggregate, one result row per arm (and per currency and withdrawn state but for `lines`).
 * Each line is looked at once with a few cheap tests (at a million lines, every test counts): the
 * total is what is left of the amounts after the maxima and the amounts outside the years.
 */
function aggregate(db: Db, q: GrantQuery, s: QuerySql, source: keyof typeof SOURCES): Sums[] {
  const { from, byGrant, extra } = SOURCES[source];
  const live = q.includeSuperseded ? ' AND a.superseded <> 1' : ''; // without it, the WHERE has only lines not superseded
  const years = s.years.length > 0;
  const measures = [
    'count(*) AS n', 'count(a.amount_pence) AS withAmount',
    q.includeSuperseded ? 'sum(a.superseded = 1) AS superseded' : '0 AS superseded',
    live ? `sum(a.amount_pence) FILTER (WHERE 1${live}) AS amounts` : 'sum(a.amount_pence) AS amounts',
    `sum(a.amount_pence) FILTER (WHERE a.basis = 'maximum'${live}${years ? ` AND NOT ${s.outside.sql}` : ''}) AS maximum`,
    ...(years ? [`sum(a.amount_pence) FILTER (WHERE ${s.outside.sql}${live}) AS outside`, `count(a.amount_pence) FILTER (WHERE ${s.outside.sql}${live}) AS outsideRows`] : ['0 AS outside', '0 AS outsideRows']),
    ...(byGrant ? ['g.currency AS currency', 'g.withdrawn_at IS NOT NULL AS withdrawn'] : []),
  ];
  const measureParams = years ? [...s.outside.params, ...s.outside.params, ...s.outside.params] : [];
  const parts: string[] = [];
  const params: unknown[] = [];
  // Driven by the text: the grants come from the full-text index first, then their lines.
  const driven = source !== 'notPlain' && s.textDriven !== null;
  const ways: SqlPart[][] = source === 'notPlain' ? [[s.byGrant]] : s.arms.map((arm) => [arm, driven ? s.textDriven! : s.common]);
  for (const way of ways) {
    const conds = [...way, ...extra].filter((c) => c.sql !== '1');
    parts.push(`SELECT ${measures.join(', ')} FROM ${driven ? `grant_fts CROSS JOIN ${from.replace(/^allocation a/, 'allocation a ON a.grant_rowid = grant_fts.rowid')}` : from}${conds.length ? ` WHERE ${conds.map((c) => c.sql).join(' AND ')}` : ''}${byGrant ? ' GROUP BY currency, withdrawn' : ''}`);
    params.push(...measureParams);
    for (const c of conds) params.push(...c.params);
  }
  return statement(db, parts.join('\nUNION ALL\n')).raw(false).all(...params) as Sums[];
}

/** Count and totals of the lines `q` selects, as queryGrants gives them, from one aggregate. */
export function queryTotals(db: Db, q: GrantQuery): QueryTotals {
  const s = querySql(q);
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
  if (s.readsGrant) {
    // A criterion reads the grant (programme, dates): join it for every line and group by currency.
    for (const x of aggregate(db, q, s, 'linesWithGrants')) if (keep(x)) add(x.currency!, x, 1);
  } else {
    for (const x of aggregate(db, q, s, 'lines')) add('GBP', x, 1);
    // The grants outside that assumption, found through their partial index, each line once.
    for (const x of aggregate(db, q, s, 'notPlain')) {
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
