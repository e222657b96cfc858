/**
 * A GrantQuery as SQL: the conditions a money line must meet, for the listing (rows in order,
 * src/register/query-rows.ts) and the totals read as at a time (src/register/query-totals.ts).
 * The totals otherwise choose how to find the lines criterion by criterion
 * (src/register/totals-plan.ts), from the same pieces (the years, the organisations a name finds,
 * the full-text query); tests hold the two to the same lines for every plan
 * (tests/register/query-totals.test.ts, tests/register/totals-plan.test.ts).
 *
 * A year query is written as two arms joined by UNION ALL rather than one OR: lines within one
 * financial year (`financial_year IN (…)`) and lines over several (`financial_year IS NULL` and
 * their span overlapping a year asked for). Each arm is then a range of one index
 * (allocation_listing, see src/db/migrations/listing-indexes.ts) instead of a MULTI-INDEX OR,
 * which collects keys from both indexes and reads every table row, and the totals can be summed
 * from the index alone. With text over several years (or none) the lines are found from the
 * grants the text finds instead (allocation_by_grant): see `textFirst` below.
 *
 * Conditions name the money line `a` (allocation) and, where they need it, its grant `g`.
 */
import type { Db } from '../db/open.js';
import { UsageError } from '../core/errors.js';
import { financialYearBounds } from '../core/financial-year.js';
import type { GrantQuery, RowOrder } from './query.js';

export interface SqlPart {
  sql: string;
  params: unknown[];
}

export interface QuerySql {
  /** The years asked for, ascending, without repeats. */
  years: number[];
  /**
   * The lines the criteria select, as arms joined by UNION ALL, each AND the common conditions:
   * one arm per kind of line for a year query found through the year index, else one arm.
   */
  arms: SqlPart[];
  /** Conditions on the line and its grant besides the arm's (not withdrawn), joined with AND. */
  common: SqlPart;
  /** The line is listed but its amount is not counted: it covers years not asked for (SQL on `a`). */
  outside: SqlPart;
}

/** The grants (rowids) a full-text query finds. */
export const TEXT_ROWIDS = 'SELECT rowid FROM grant_fts WHERE grant_fts MATCH ?';

/** Turn free text into a safe FTS5 query: every word must appear (prefix match on the last). */
export function ftsQuery(text: string): string | null {
  const words = text.match(/[\p{L}\p{N}]+/gu) ?? [];
  if (!words.length) return null;
  return words.map((w, i) => `"${w}"${i === words.length - 1 ? '*' : ''}`).join(' ');
}

/** A LIKE pattern (with ESCAPE '\\') for a name part. */
export function like(s: string): string {
  return `%${s.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/**
 * The organisations a name part or org-id names: any name the org-id has been published under (a
 * grant is found by the name it shows). Its parameters: `orgParams(name)`.
 */
export const ORG_IDS = `SELECT id FROM organisation WHERE id = ? OR name LIKE ? ESCAPE '\\'
      UNION SELECT org_id FROM organisation_name WHERE name LIKE ? ESCAPE '\\'`;
export const orgParams = (name: string): string[] => [name, like(name), like(name)];

const marks = (n: number) => new Array<string>(n).fill('?').join(', ');

/** The line's span [fy_from, fy_to] contains year `y` (bound as two parameters). */
const COVERS = '(a.fy_from <= ? AND a.fy_to >= ?)';

/**
 * The conditions besides the year and the text (which steer the choice of index). `p` before
 * `a.superseded` keeps SQLite from choosing allocation_by_grant for it (see the year and text below).
 */
function otherConditions(q: GrantQuery, p: '' | '+'): { where: string[]; params: unknown[] } {
  const where: string[] = [];
  const params: unknown[] = [];
  if (!q.includeSuperseded) where.push(`${p}a.superseded = 0`);
  if (q.activeIn.length) {
    where.push(`(${q.activeIn.map(() => '(coalesce(g.planned_start, g.planned_end) <= ? AND coalesce(g.planned_end, g.planned_start) >= ?)').join(' OR ')})`);
    for (const y of q.activeIn) {
      const b = financialYearBounds(y);
      params.push(b.to, b.from);
    }
  }
  for (const theme of q.themes) {
    where.push('EXISTS (SELECT 1 FROM grant_theme t WHERE t.grant_id = a.grant_id AND t.theme = ?)');
    params.push(theme);
  }
  for (const f of q.flags) {
    where.push('EXISTS (SELECT 1 FROM grant_flag f WHERE f.grant_id = a.grant_id AND f.flag = ? AND f.value = ?)');
    params.push(f.name, f.value);
  }
  if (q.recipient) {
    // Match organisations first (a small table), then use the allocation index on recipient.
    // Any name the org-id has been published under: a grant is found by the name it shows.
    where.push(`a.recipient_org_id IN (${ORG_IDS})`);
    params.push(...orgParams(q.recipient));
  }
  if (q.funder) {
    where.push(`(a.funder_org_id IN (${ORG_IDS}) OR a.stream LIKE ? ESCAPE '\\')`);
    params.push(...orgParams(q.funder), like(q.funder));
  }
  if (q.programme) {
    where.push(`(g.programme_code = ? OR g.programme_title LIKE ? ESCAPE '\\')`);
    params.push(q.programme, like(q.programme));
  }
  for (const c of q.classifications ?? []) {
    where.push(`EXISTS (SELECT 1 FROM grant_classification c WHERE c.grant_id = a.grant_id AND (c.code = ? COLLATE NOCASE OR c.title LIKE ? ESCAPE '\\'))`);
    params.push(c, like(c));
  }
  if (q.minPence !== null) {
    where.push('a.amount_pence >= ?');
    params.push(q.minPence);
  }
  if (q.maxPence !== null) {
    where.push('a.amount_pence <= ?');
    params.push(q.maxPence);
  }
  if (q.grantIds.length) {
    where.push(`a.grant_id IN (${marks(q.grantIds.length)})`);
    params.push(...q.grantIds);
  }
  return { where, params };
}

export const and = (parts: SqlPart[]): SqlPart => {
  const live = parts.filter((p) => p.sql !== '1');
  return live.length ? { sql: live.map((p) => p.sql).join('\n    AND '), params: live.flatMap((p) => p.params) } : { sql: '1', params: [] };
};

/** The lines of the years asked for, as SQL on the line `a` (a `+` before a column keeps SQLite from choosing an index by it). */
export interface YearSql {
  /** The lines within one financial year asked for, and the lines over several that overlap one: an index range each. */
  kinds(p: '' | '+'): [SqlPart, SqlPart];
  /** Either kind, as one condition. */
  either(p: '' | '+'): SqlPart;
  /** Over several years, not all of them asked for: listed, but its amount is not the years' money. */
  outside: SqlPart;
  lo: number;
  hi: number;
}

/** `years` ascending without repeats (querySql's `years`); null for none. */
export function yearSql(years: number[]): YearSql | null {
  if (!years.length) return null;
  const lo = years[0];
  const hi = years[years.length - 1];
  // Years between the first and last that were not asked for (none for a run such as 2017-18..2019-20).
  const gaps: number[] = [];
  for (let y = lo, i = 0; y <= hi; y++) {
    if (years[i] === y) i++;
    else gaps.push(y);
  }
  // A line over several years is listed when its span overlaps a year asked for.
  const overlap: SqlPart = gaps.length
    ? { sql: ` AND (${years.map(() => COVERS).join(' OR ')})`, params: years.flatMap((y) => [y, y]) }
    : { sql: '', params: [] };
  const kinds = (p: string): [SqlPart, SqlPart] => [
    { sql: `${p}a.financial_year IN (${marks(years.length)})`, params: years },
    { sql: `${p}a.financial_year IS NULL AND ${p}a.fy_from <= ? AND ${p}a.fy_to >= ?${overlap.sql}`, params: [hi, lo, ...overlap.params] },
  ];
  const either = (p: string): SqlPart => {
    const [one, several] = kinds(p);
    return { sql: `(${one.sql} OR (${several.sql}))`, params: [...one.params, ...several.params] };
  };
  // Over several years, not all of them asked for: listed, but its amount is not the years' money.
  // Never NULL (NULL AND FALSE is FALSE), and false at the first test for a line within one year.
  const outside: SqlPart = {
    sql: `(a.fy_from <> a.fy_to AND a.fy_from IS NOT NULL AND a.fy_to IS NOT NULL AND NOT (a.fy_from >= ? AND a.fy_to <= ?${gaps.map(() => ` AND NOT ${COVERS}`).join('')}))`,
    params: [lo, hi, ...gaps.flatMap((g) => [g, g])],
  };
  return { kinds, either, outside, lo, hi };
}

export function querySql(q: GrantQuery): QuerySql {
  const years = [...new Set(q.years)].sort((x, y) => x - y);
  // One year and text: the lines of the grants in both are read from the year's part of
  // allocation_listing, which the merge below has just read, not looked up in allocation_by_grant.
  const other = otherConditions(q, q.text !== null && years.length === 1 ? '+' : '');
  const rest: SqlPart = { sql: other.where.length ? other.where.join('\n    AND ') : '1', params: other.params };
  let text: ((p: string) => SqlPart) | null = null;
  if (q.text) {
    const fts = ftsQuery(q.text);
    if (!fts) throw new UsageError(`--text "${q.text}" has no words to search for`);
    // The line's own copy of its grant's rowid: no join to grants to test it.
    text = (p) => ({ sql: `${p}a.grant_rowid IN (${TEXT_ROWIDS})`, params: [fts] });
  }
  // Which index finds the lines (a `+` before a column keeps SQLite from choosing an index by it):
  // for one year, the year's lines (allocation_listing), each tested against the grants the text
  // finds; over several years, or none, the grants the text finds, then their lines
  // (allocation_by_grant). Measured at a million lines: a year holds ~140,000 lines and a common
  // word ~200,000 grants, either way ~60 ms for one year; over five years, by year takes twice as long.
  const textFirst = text !== null && (years.length === 0 || years[years.length - 1] > years[0]);
  if (!years.length) {
    return { years, arms: [{ sql: '1', params: [] }], common: and([...(text ? [text('')] : []), rest]), outside: { sql: '0', params: [] } };
  }

  const { lo, kinds, either, outside } = yearSql(years)!;
  if (textFirst) return { years, arms: [either('+')], common: and([text!(''), rest]), outside };
  if (text) {
    // One year and text: both the year's lines and the grants the text finds can be many (a common
    // word finds a fifth of a register). Within one year the year index holds the lines in grant
    // order (a line within one year has fy_from = fy_to = financial_year, see lineSpan) and the
    // full-text index gives grants in rowid order, so SQLite intersects the two by merging them
    // (INTERSECT of two ordered sides), then reads the lines of the grants in both; rather than
    // collecting every grant the text finds into a temporary B-tree and testing every line of the
    // year against it. Lines over several years (usually few) are sorted by grant and merged the
    // same way, only when there are some (an IN list is made when first tested).
    const fts = ftsQuery(q.text!);
    const merged = (arm: SqlPart): SqlPart => ({
      sql: `${arm.sql} AND a.grant_rowid IN (SELECT a.grant_rowid FROM allocation a WHERE ${arm.sql} INTERSECT ${TEXT_ROWIDS})`,
      params: [...arm.params, ...arm.params, fts],
    });
    const [, several] = kinds('');
    const one: SqlPart = { sql: 'a.financial_year = ? AND a.fy_from = ? AND a.fy_to = ?', params: [lo, lo, lo] };
    return { years, arms: [merged(one), merged(several)], common: rest, outside };
  }
  return { years, arms: kinds(''), common: rest, outside };
}

/**
 * The SELECT run once per arm, joined by UNION ALL, with the arm's and the common conditions;
 * `selectParams` are the SELECT list's own parameters (bound before the conditions').
 */
export function unionOfArms(select: string, s: QuerySql, extra: SqlPart[] = [], selectParams: unknown[] = []): SqlPart {
  const parts: string[] = [];
  const params: unknown[] = [];
  for (const arm of s.arms) {
    const conds = [arm, s.common, ...extra].filter((c) => c.sql !== '1');
    parts.push(`${select}${conds.length ? `\n  WHERE ${conds.map((c) => c.sql).join('\n    AND ')}` : ''}`);
    params.push(...selectParams);
    for (const c of conds) params.push(...c.params);
  }
  return { sql: parts.join('\nUNION ALL\n'), params };
}

/**
 * Row orders (on the listing's column names): every one ends with the grant id and line number,
 * so ties never depend on the engine. Text sorts by SQLite's BINARY collation (Unicode code
 * points), never by locale.
 */
export const ORDER_BY: Record<RowOrder, string> = {
  // Year (no year last), then grant title, id and line number.
  year: 'fyFrom NULLS LAST, title, id, seq',
  name: 'title, id, fyFrom NULLS LAST, seq',
  // The order of the source document (grants as they came, lines as numbered).
  register: 'sourceDocument NULLS LAST, position NULLS LAST, id, seq',
  // Largest first; no amount last.
  amount: 'coalesce(amountPence, -1) DESC, fyFrom NULLS LAST, title, id, seq',
};

type Statement = {
  raw(on: boolean): Statement;
  all(...params: unknown[]): unknown[];
  iterate(...params: unknown[]): IterableIterator<unknown>;
};
const statements = new WeakMap<Db, Map<string, Statement>>();

/** Prepared statements are reused per register: the same criteria shape gives the same SQL. */
export function statement(db: Db, sql: string): Statement {
  let m = statements.get(db);
  if (!m) statements.set(db, (m = new Map()));
  let st = m.get(sql);
  if (!st) m.set(sql, (st = db.prepare(sql) as unknown as Statement));
  return st;
}
