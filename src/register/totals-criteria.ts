/**
 * The criteria of a totals query as queryTotals's planner sees them (src/register/totals-plan.ts):
 * for each, how to count the lines or grants it selects (up to a cap), how to find its lines when
 * it drives the statement, and how to test a line found another way, in whichever form costs less
 * for that many lines: a column of the covering index (years, superseded, amount), a set of line
 * or grant rowids built once (SQLite's `IN (SELECT …)`), the line's or its grant's row, or for the
 * text a merge of the driver's grants with the full-text index's (an INTERSECT of two ordered
 * lists; testing a grant against the full-text index one at a time reads a term's whole list each
 * time). The conditions are those of the listing (src/register/query-sql.ts), criterion by
 * criterion; none reads a grant's currency or withdrawn state (src/register/query-totals.ts).
 *
 * Costs are nanoseconds per line or grant, measured on the bench's million-line register
 * (bench/measure-totals-matrix.ts; only their ratios matter).
 */
import type { Db } from '../db/open.js';
import { UsageError } from '../core/errors.js';
import { financialYearBounds } from '../core/financial-year.js';
import type { GrantQuery } from './query.js';
import { ORG_IDS, TEXT_ROWIDS, ftsQuery, like, orgParams, statement, yearSql, type SqlPart } from './query-sql.js';

/** One way of finding lines: a FROM clause naming the line `a`, and the conditions that make it the criterion's lines. */
export interface Arm {
  from: string;
  where: SqlPart;
  /** Whether it gives its lines in grant order (a merge with the full-text index's grants then needs no sort). */
  grantOrder?: boolean;
  /**
   * Whether its index holds the grant's rowid right after the columns it fixes, so that a short
   * list of grants can drive it instead (a search per grant, not the whole range).
   */
  seekGrant?: boolean;
  /** Whether it reads lines in the order of the table (a year's, every line): their rows are then read in order. */
  dense?: boolean;
  /**
   * The FROM clause with the grant `g` joined before the line (its tests then come first: a
   * grant turned away is not looked up in allocation_by_grant); without it, after.
   */
  grantFirst?: string;
}

/** The lines a statement reads: arms joined by UNION ALL, each AND the filters. */
export interface Source {
  arms: Arm[];
  /** Lines (or grants) it finds, as counted (capped). */
  size: number;
  /** Whether each arm reads the line's table row anyway (a column test then costs nothing more). */
  readsRow: boolean;
  /** Whether the grant `g` is joined (a grant's column test then costs nothing more). */
  hasGrant: boolean;
  /** Grants in the register (for estimates). */
  grants: number;
  /** What reading one of its lines costs (a merge with the text reads the arm again). */
  lineCost: number;
}

/** A test of a line, and what it costs for the lines of the driver (nanoseconds). */
export interface Filter {
  part: SqlPart;
  cost: number;
  /** It tests the grant `g`, joined to the line for it. */
  joinGrant?: boolean;
}

/** A criterion that can drive: how many lines or grants it selects, how to find them, how to test a line found otherwise. */
export interface Criterion {
  what: string;
  /** Its lines (or grants) counted up to `cap` (exact below it). */
  count(cap: number): number;
  /**
   * When it selects more than LIMITS.small: an estimate (the years), or whether to count further
   * (not for lines read row by row: many of those never drive).
   */
  estimate?: () => number;
  countMore: boolean;
  /** Whether counting it costs more than an index range (then it is counted to LIMITS.grants, not LIMITS.large). */
  grantCount?: boolean;
  /** Nanoseconds per line or grant counted, when it drives. */
  driveCost: number;
  drive(size: number): Source;
  /**
   * The test of a line found by `arm` of `by`, in the cheaper form for `n` lines reaching it (the
   * driver's, less those earlier tests turned away); `size`: this criterion's.
   */
  filter(by: Source, size: number, arm: Arm, n: number): Filter;
  /** A set of grants: its SELECT, and what finding and adding a member costs (for a merge with the text's). */
  grantSet?: { set: SqlPart; memberCost: number; sorted: boolean };
  /** The full-text query. */
  fts?: string;
  /** Whether it can test the grant's own columns (programme, running dates). */
  grantTest?: boolean;
}

/** What the plan chose, and from what (LIMITS.trace). */
export interface PlanTrace {
  sizes: Record<string, number>;
  costs: Record<string, number>;
  driver: string;
  plain: boolean;
}

/**
 * Every criterion is counted to `small` first (a millisecond or less). Those above it are then
 * estimated or counted further, each only as far as it could still drive for less than `slack`
 * times the cheapest driver known, and never beyond `large`: a criterion counted to its cap is
 * taken to select at least `large`. Tests set smaller limits, and `driver` and `form` to force
 * every plan on a small register.
 */
export const LIMITS = {
  small: 20_000,
  large: 300_000,
  slack: 2,
  /** Counting grants (the full-text index's, a set's) costs more than counting an index range: to here at most. */
  grants: 100_000,
  driver: null as string | null,
  form: null as 'set' | 'test' | null,
  /** Told the sizes counted, each plan's modelled cost (nanoseconds), the one chosen, and whether lines are summed as plain: for tests and calibration. */
  trace: null as ((t: PlanTrace) => void) | null,
};

/** Nanoseconds, measured on the bench's million-line register (rounded; only their ratios matter). */
export const COST = {
  /** A line read from a covering index range, summed. */
  coveringLine: 50,
  /** A line's table row read (found by rowid or a non-covering index), to sum it or test a column; lines read in order, and here and there. */
  tableLine: 300,
  tableLineSparse: 1000,
  /** A grant's row read to test a column (grants rows are wide), for lines in grant order and in no order. */
  grantRow: 900,
  grantRowRandom: 1800,
  /** A grant's lines looked up in allocation_by_grant, grants in rowid order. */
  grantLines: 250,
  /** A member added to a rowid set (SQLite's ephemeral index) when members come in rowid order, and when they do not. */
  sortedMember: 100,
  randomMember: 500,
  /** A line tested against a rowid set. */
  probe: 100,
  /** A grant found by the full-text index (the term lists merged), and merged with a driver's grants. */
  textGrant: 60,
  merge: 60,
  /** A driver's line sorted by grant, for that merge (into a temporary B-tree). */
  sort: 600,
  /** A line's column tested in the covering index. */
  column: 5,
} as const;

const marks = (n: number) => new Array<string>(n).fill('?').join(', ');
export const NONE: SqlPart = { sql: '1', params: [] };
export const source = (arms: Arm[], size: number, o: Partial<Pick<Source, 'readsRow' | 'hasGrant'>> = {}): Source => ({
  arms, size, readsRow: o.readsRow ?? false, hasGrant: o.hasGrant ?? false, grants: 0, lineCost: 0,
});
export const union = (arms: Arm[], select: string): SqlPart => ({
  sql: arms.map((a) => `SELECT ${select} FROM ${a.from} WHERE ${a.where.sql}`).join(' UNION ALL '),
  params: arms.flatMap((a) => a.where.params),
});
/** Counts the rows of a SELECT up to a cap. */
export const counter = (db: Db, select: SqlPart) => (cap: number): number =>
  (statement(db, `SELECT count(*) FROM (${select.sql} LIMIT ?)`).raw(true).all(...select.params, cap) as [number][])[0][0];

/**
 * The cheaper test of a line found by `by`: a set of rowids built once (`set`: `size` members at
 * `memberCost` each, then a probe per line), or `test` on each line (at `testCost`).
 */
function setOrTest(n: number, size: number, rowid: 'a.rowid' | 'a.grant_rowid', set: SqlPart, memberCost: number, test: SqlPart | null, testCost: number, joinGrant = false): Filter {
  const inSet = { part: { sql: `+${rowid} IN (${set.sql})`, params: set.params }, cost: size * memberCost + n * COST.probe };
  if (!test || LIMITS.form === 'set' || (LIMITS.form !== 'test' && inSet.cost <= n * testCost)) return inSet;
  return { part: test, cost: n * testCost, joinGrant };
}

/** Reading the line's row to test a column: nothing more where the arm reads it anyway; less where the arm reads lines in order. */
const rowTest = (by: Source, arm: Arm) => (by.readsRow ? 0 : arm.dense ? COST.tableLine : COST.tableLineSparse);

/** Lines found through an index on an organisation column (recipient, funder): drive from it, or test the column. */
function lineCriterion(db: Db, what: string, arms: Arm[], test: SqlPart): Criterion {
  const set = union(arms, 'a.rowid');
  return {
    what,
    count: counter(db, union(arms, '1')),
    countMore: true,
    driveCost: COST.coveringLine,
    drive: (size) => source(arms, size),
    // The index gives line rowids in organisation order, not rowid order.
    filter: (by, size, arm, n) => setOrTest(n, size, 'a.rowid', set, COST.coveringLine + COST.randomMember, test, rowTest(by, arm)),
  };
}

/**
 * A set of grants (a SELECT of grants.rowid, each grant once) as a criterion: it drives through
 * allocation_by_grant (SQLite collects the set, then reads each grant's lines in rowid order).
 * `memberCost`: finding a member and adding it to the set; `test`: the condition on the grant
 * `g`, or null to test through the set only; `sorted`: the set comes (mostly) in rowid order.
 */
function grantSet(db: Db, what: string, set: SqlPart, memberCost: number, test: SqlPart | null, sorted = false): Criterion {
  return {
    what,
    grantTest: !!test,
    grantSet: { set, memberCost, sorted },
    count: counter(db, set),
    countMore: true,
    grantCount: true,
    driveCost: memberCost + COST.grantLines,
    drive: (size) => source([{ from: 'allocation a INDEXED BY allocation_by_grant', where: { sql: `a.grant_rowid IN (${set.sql})`, params: set.params }, grantOrder: true }], size),
    filter: (by, size, arm, n) => {
      // Where the statement has joined the grant, its columns are there to test.
      if (test && by.hasGrant) return { part: test, cost: 0 };
      return setOrTest(n, size, 'a.grant_rowid', set, memberCost, test, arm.grantOrder ? COST.grantRow : COST.grantRowRandom, true);
    },
  };
}

/**
 * The criteria that can drive, in the order they are counted (likely small and cheap to count
 * first), and the conditions every line is tested on from the covering indexes' own columns.
 */
export function criteria(db: Db, q: GrantQuery, years: number[], grants: number): { counted: Criterion[]; columns: SqlPart[] } {
  const counted: Criterion[] = [];
  const columns: SqlPart[] = [];
  if (!q.includeSuperseded) columns.push({ sql: '+a.superseded = 0', params: [] });
  if (q.minPence !== null) columns.push({ sql: '+a.amount_pence >= ?', params: [q.minPence] });
  if (q.maxPence !== null) columns.push({ sql: '+a.amount_pence <= ?', params: [q.maxPence] });

  if (q.grantIds.length) {
    const arm: Arm = { from: 'allocation a INDEXED BY allocation_key', where: { sql: `a.grant_id IN (${marks(q.grantIds.length)})`, params: q.grantIds } };
    counted.push({
      what: 'grant ids', count: counter(db, union([arm], '1')), countMore: false, driveCost: COST.tableLine,
      drive: (size) => source([arm], size, { readsRow: true }),
      filter: (by, size, _arm, n) => setOrTest(n, size, 'a.rowid', union([arm], 'a.rowid'), COST.randomMember,
        { sql: `+a.grant_id IN (${marks(q.grantIds.length)})`, params: q.grantIds }, rowTest(by, arm)),
    });
  }

  if (q.recipient) {
    const orgs = orgParams(q.recipient);
    counted.push(lineCriterion(db, 'recipient', [{ from: 'allocation a INDEXED BY allocation_by_recipient', where: { sql: `a.recipient_org_id IN (${ORG_IDS})`, params: orgs } }],
      { sql: `+a.recipient_org_id IN (${ORG_IDS})`, params: orgs }));
  }

  if (q.funder && !everyLineHasFunder(db, q.funder)) {
    const orgs = orgParams(q.funder);
    const pattern = like(q.funder);
    // The funder's lines, and lines of another funder (or none) whose funding stream matches.
    counted.push(lineCriterion(db, 'funder', [
      { from: 'allocation a INDEXED BY allocation_by_funder', where: { sql: `a.funder_org_id IN (${ORG_IDS})`, params: orgs } },
      { from: 'allocation a INDEXED BY allocation_stream', where: { sql: `a.stream IS NOT NULL AND a.stream LIKE ? ESCAPE '\\' AND coalesce(a.funder_org_id IN (${ORG_IDS}), 0) = 0`, params: [pattern, ...orgs] } },
    ], { sql: `+(a.funder_org_id IN (${ORG_IDS}) OR a.stream LIKE ? ESCAPE '\\')`, params: [...orgs, pattern] }));
  }

  if (q.programme) {
    // Programme titles are few: the distinct ones are walked in grants_programme, the matching
    // ones' grants read from it, and the grants with the code under any other title (or none).
    const p = [q.programme, like(q.programme)];
    const set: SqlPart = {
      sql: `WITH RECURSIVE titles(t) AS (SELECT min(programme_title) FROM grants INDEXED BY grants_programme
          UNION ALL SELECT (SELECT min(programme_title) FROM grants INDEXED BY grants_programme WHERE programme_title > t) FROM titles WHERE t IS NOT NULL)
        SELECT g.rowid FROM titles CROSS JOIN grants g INDEXED BY grants_programme ON g.programme_title = titles.t WHERE titles.t LIKE ? ESCAPE '\\'
        UNION ALL SELECT g.rowid FROM titles CROSS JOIN grants g INDEXED BY grants_programme ON g.programme_title = titles.t AND g.programme_code = ?
          WHERE NOT (titles.t LIKE ? ESCAPE '\\')
        UNION ALL SELECT g.rowid FROM grants g INDEXED BY grants_programme WHERE g.programme_title IS NULL AND g.programme_code = ?`,
      params: [p[1], p[0], p[1], p[0]],
    };
    // A title's grants come in rowid order.
    counted.push(grantSet(db, 'programme', set, COST.coveringLine + COST.sortedMember, { sql: "(g.programme_code = ? OR g.programme_title LIKE ? ESCAPE '\\')", params: p }, true));
  }

  for (const theme of q.themes) {
    counted.push(grantSet(db, 'theme', { sql: 'SELECT g.rowid FROM grant_theme t INDEXED BY grant_theme_theme CROSS JOIN grants g ON g.id = t.grant_id WHERE t.theme = ?', params: [theme] },
      COST.tableLine + COST.randomMember, null));
  }
  for (const f of q.flags) {
    counted.push(grantSet(db, 'flag', { sql: 'SELECT g.rowid FROM grant_flag f CROSS JOIN grants g ON g.id = f.grant_id WHERE f.flag = ? AND f.value = ?', params: [f.name, f.value] },
      COST.tableLine + COST.randomMember, null));
  }
  for (const c of q.classifications ?? []) {
    // A grant can have two classifications that match: each grant once.
    counted.push(grantSet(db, 'classification', {
      sql: `SELECT g.rowid FROM grants g WHERE g.id IN (SELECT c.grant_id FROM grant_classification c WHERE c.code = ? COLLATE NOCASE OR c.title LIKE ? ESCAPE '\\')`,
      params: [c, like(c)],
    }, COST.tableLine + COST.randomMember, null));
  }

  const ys = yearSql(years);
  if (ys) {
    const [one, several] = ys.kinds('');
    const severalArm: Arm = { from: 'allocation a INDEXED BY allocation_listing', where: several };
    // One year's lines within it have fy_from = fy_to = financial_year, so this range of
    // allocation_listing holds them in grant order (see the full-text merge).
    const oneArm = years.length === 1 ? { sql: 'a.financial_year = ? AND a.fy_from = ? AND a.fy_to = ?', params: [ys.lo, ys.lo, ys.lo] } : one;
    const arms: Arm[] = [
      { from: 'allocation a INDEXED BY allocation_listing', where: oneArm, grantOrder: years.length === 1, seekGrant: years.length === 1, dense: true },
      severalArm,
    ];
    const test = ys.either('+'); // the covering indexes' columns
    counted.push({
      what: 'years', count: counter(db, union(arms, '1')), estimate: () => yearsEstimate(db, years, severalArm, grants), countMore: true, driveCost: COST.coveringLine,
      drive: (size) => source(arms, size), filter: (_by, _size, _arm, n) => ({ part: test, cost: n * COST.column }),
    });
  }

  if (q.minPence !== null || q.maxPence !== null) {
    // allocation_fy holds each year's lines by amount: a range per year, and one for lines with no year.
    const range = [...(q.minPence !== null ? ['a.amount_pence >= ?'] : []), ...(q.maxPence !== null ? ['a.amount_pence <= ?'] : [])].join(' AND ');
    const bounds = [...(q.minPence !== null ? [q.minPence] : []), ...(q.maxPence !== null ? [q.maxPence] : [])];
    const arms: Arm[] = [
      { from: `allocation a INDEXED BY allocation_fy`, where: { sql: `a.financial_year IN (${DISTINCT_YEARS}) AND ${range}`, params: bounds } },
      { from: `allocation a INDEXED BY allocation_fy`, where: { sql: `a.financial_year IS NULL AND ${range}`, params: bounds } },
    ];
    // Tested from the columns (above) when it does not drive.
    counted.push({
      what: 'amount', count: counter(db, union(arms, '1')), countMore: false, driveCost: COST.tableLine,
      drive: (size) => source(arms, size, { readsRow: true }), filter: () => ({ part: NONE, cost: 0 }),
    });
  }

  if (q.text) {
    const fts = ftsQuery(q.text);
    if (!fts) throw new UsageError(`--text "${q.text}" has no words to search for`);
    counted.push(textCriterion(db, fts));
  }

  if (q.activeIn.length) {
    const bounds = q.activeIn.map((y) => financialYearBounds(y));
    const params = bounds.flatMap((b) => [b.to, b.from]);
    // grants_active holds each grant's first and last planned date (either, when one is missing);
    // it gives the grants in date order.
    const set: SqlPart = {
      sql: bounds.map(() => 'SELECT rowid FROM grants INDEXED BY grants_active WHERE coalesce(planned_start, planned_end) <= ? AND coalesce(planned_end, planned_start) >= ?').join(' UNION '),
      params,
    };
    const cond = `(${bounds.map(() => '(coalesce(g.planned_start, g.planned_end) <= ? AND coalesce(g.planned_end, g.planned_start) >= ?)').join(' OR ')})`;
    counted.push(grantSet(db, 'running', set, COST.coveringLine + COST.randomMember, { sql: cond, params }));
  }
  return { counted, columns };
}

/** The distinct financial years of the lines, walked in allocation_fy (a search per year). */
const DISTINCT_YEARS = `WITH RECURSIVE y(v) AS (SELECT min(financial_year) FROM allocation INDEXED BY allocation_fy
    UNION ALL SELECT (SELECT min(financial_year) FROM allocation INDEXED BY allocation_fy WHERE financial_year > v) FROM y WHERE v IS NOT NULL)
  SELECT v FROM y WHERE v IS NOT NULL`;

function textCriterion(db: Db, fts: string): Criterion {
  const text = (query: string): SqlPart => ({ sql: TEXT_ROWIDS, params: [query] });
  // The last word is a prefix, and FTS5 merges the lists of every term it starts before giving a
  // first grant; the words as whole words (fewer grants, never more) are counted as they are read.
  const exact = counter(db, text(fts.replace(/\*$/, '')));
  const all = counter(db, text(fts));
  return {
    what: 'text',
    fts,
    count: (cap) => {
      // The prefix's grants only matter when the whole words find few: then they may too.
      const n = exact(cap);
      return n >= cap || n >= LIMITS.small ? n : all(cap);
    },
    countMore: true,
    grantCount: true,
    driveCost: COST.textGrant + COST.grantLines,
    drive: (size) => source([{
      from: 'grant_fts CROSS JOIN allocation a INDEXED BY allocation_by_grant ON a.grant_rowid = grant_fts.rowid',
      grantFirst: 'grant_fts CROSS JOIN grants g ON g.rowid = grant_fts.rowid CROSS JOIN allocation a INDEXED BY allocation_by_grant ON a.grant_rowid = grant_fts.rowid',
      where: { sql: 'grant_fts MATCH ?', params: [fts] },
      grantOrder: true,
    }], size),
    filter: (by, size, arm, n) => {
      // The arm's grants merged with the text's (both in rowid order; the arm's sorted first unless
      // they come in grant order), or every grant the text finds as a set.
      // The merge's grants are then a set each line is tested against (as many as if the two were independent).
      const both = (size * by.size) / Math.max(1, by.grants);
      // (An arm searched by grant is read once, inside the merge, and then searched for the grants
      // in both; any other is read again in the merge, sorted unless in grant order, and each of
      // its lines tested against the merge's grants.)
      const merge = size * (COST.textGrant + COST.merge) + both * COST.sortedMember
        + (arm.seekGrant ? both * COST.grantLines : by.size * (by.lineCost + (arm.grantOrder ? 0 : COST.sort)) + n * COST.probe);
      const inSet = size * (COST.textGrant + COST.sortedMember) + n * COST.probe;
      if (LIMITS.form === 'set' || (LIMITS.form !== 'test' && inSet < merge)) return { part: { sql: `+a.grant_rowid IN (${TEXT_ROWIDS})`, params: [fts] }, cost: inSet };
      // Where the arm's index can be searched by grant, the grants in both drive it.
      return {
        part: { sql: `${arm.seekGrant ? '' : '+'}a.grant_rowid IN (SELECT a.grant_rowid FROM ${arm.from} WHERE ${arm.where.sql} INTERSECT ${TEXT_ROWIDS})`, params: [...arm.where.params, fts] },
        cost: merge,
      };
    },
  };
}

/**
 * Whether every line has a funder that `name` matches: then it selects every line and is no
 * criterion at all (a register of one funder's grants, asked about that funder). The funders are
 * walked in allocation_by_funder, a search each; more than a few and the answer is no.
 */
function everyLineHasFunder(db: Db, name: string): boolean {
  const one = (sql: string, ...params: unknown[]) => (statement(db, sql).raw(true).all(...params) as unknown[][])[0]?.[0];
  if (one('SELECT 1 FROM allocation INDEXED BY allocation_by_funder WHERE funder_org_id IS NULL LIMIT 1') !== undefined) return false;
  const matching = new Set((statement(db, ORG_IDS).raw(true).all(...orgParams(name)) as [string][]).map((r) => r[0]));
  let funder = one('SELECT min(funder_org_id) FROM allocation INDEXED BY allocation_by_funder') as string | null;
  for (let seen = 0; funder !== null; seen++) {
    if (seen === 20 || !matching.has(funder)) return false;
    funder = one('SELECT min(funder_org_id) FROM allocation INDEXED BY allocation_by_funder WHERE funder_org_id > ?', funder) as string | null;
  }
  return true;
}

/**
 * A year's lines within it are in grant order in allocation_listing, so counting those of a few
 * narrow bands of grants, spread over the register, estimates their number (a sixteenth of the
 * index entries read); a year whose grants are bunched between bands is underestimated, but then
 * it is a small year. Lines over several years are counted (to LIMITS.small: usually few).
 */
function yearsEstimate(db: Db, years: number[], several: Arm, grants: number): number {
  const band = Math.max(1, Math.floor(grants / 256)); // 16 bands of 1/256 of the grants: a sixteenth
  const sampled = statement(db, `WITH RECURSIVE band(lo) AS (SELECT 0 UNION ALL SELECT lo + ? FROM band WHERE lo + ? < ?)
    SELECT sum((SELECT count(*) FROM allocation INDEXED BY allocation_listing
      WHERE financial_year = y.value AND fy_from = y.value AND fy_to = y.value AND grant_rowid >= band.lo AND grant_rowid < band.lo + ?))
    FROM band, json_each(?) y`).raw(true).all(band * 16, band * 16, grants, band, JSON.stringify(years)) as [number | null][];
  return (sampled[0][0] ?? 0) * 16 + counter(db, union([several], '1'))(LIMITS.small);
}
