/**
 * Which lines queryTotals sums, and how SQLite finds them at a million lines (issue 9: count and
 * total for any criteria in under 50 ms):
 *
 * - Each criterion (src/register/totals-criteria.ts) is counted, only as far as the plan needs:
 *   the years estimated from bands of grants, the others to a few thousand lines first (well
 *   under a millisecond), and further only while they could still drive for less than the best
 *   so far.
 * - The plan is the cheapest of: every line from a covering index, or one criterion driving (or
 *   the text merged with a set of grants first), each other criterion tested in the cheaper form
 *   for the lines that reach it.
 * - A funder that every line of the register has (one funder's grants asked about that funder) is
 *   no criterion at all.
 * - When many lines are read and few of them are not plain (no amount, an "up to" amount,
 *   superseded, over several years: allocation_special), every line is summed as plain, a count
 *   and a sum, and those few are summed again as they are.
 *
 * The lines of the few grants withdrawn or not in GBP are read apart (grants_not_plain), tested
 * against every criterion (src/register/query-totals.ts moves them to their own currency).
 */
import type { Db } from '../db/open.js';
import type { GrantQuery } from './query.js';
import { TEXT_ROWIDS, statement, type SqlPart } from './query-sql.js';
import { COST, LIMITS, NONE, counter, criteria, source, union, type Arm, type Criterion, type Filter, type PlanTrace, type Source } from './totals-criteria.js';

export { LIMITS, type Arm, type PlanTrace };

export interface TotalsPlan {
  /** The lines of the criteria, every one as if of a current GBP grant: arms joined by UNION ALL, each a FROM and its conditions. */
  lines: Arm[];
  /** The same lines of the grants withdrawn or not in GBP (grants_not_plain), with their grant `g`. */
  notPlain: Arm[];
  /**
   * When `lines` are many and the lines that are not plain few (allocation_special): those lines,
   * and `lines` is summed as if every line were plain (a count and a sum: a third of the work).
   */
  special: Arm[] | null;
  /** What drives each, for EXPLAIN and tests. */
  driver: string;
}

/**
 * How many lines or grants each criterion selects, as far as the plan needs to know. A count
 * that reaches its cap is taken as twice the cap, or twice LIMITS.large if more: many more.
 */
function sizesOf(counted: Criterion[], lines: number): number[] {
  const { small, large, slack } = LIMITS;
  // One criterion drives whatever its size (a covering index range, or a set of grants either way).
  if (counted.length === 1) return [2 * large];
  let best = lines * COST.coveringLine;
  const capFor = (c: Criterion, most: number) => Math.max(1, Math.min(most, Math.ceil((best * slack) / c.driveCost)));
  const sizes: (number | null)[] = counted.map(() => null);
  const caps: number[] = counted.map(() => 0);
  const count = (i: number, cap: number) => {
    caps[i] = cap;
    const n = counted[i].count(cap);
    if (n >= cap) return;
    sizes[i] = n;
    best = Math.min(best, n * counted[i].driveCost);
  };
  // The years are estimated (cheap, and they set the bar); then every other criterion is counted
  // to `small` at most (less where it could not drive for less than the best so far).
  counted.forEach((c, i) => {
    if (!c.estimate) return;
    sizes[i] = c.estimate();
    best = Math.min(best, sizes[i]! * c.driveCost);
  });
  counted.forEach((c, i) => {
    if (!c.estimate) count(i, capFor(c, small));
  });
  // Unless one is small enough that the rest hardly matter, those over it are counted further: an
  // index range as far as it could still drive for less, when no other's size is known (it drives
  // for less than the rest); a set of grants to LIMITS.grants (a set's size decides how it is
  // tested); the text's as far as it could still drive for less, when that is far enough to matter
  // and no index range's size is known (against one, taking a common word as LIMITS.grants
  // decides as well as its count would), unless there are sets of grants too (how they are tested
  // depends on how many grants the text leaves).
  if (best >= small * COST.coveringLine) {
    const sets = counted.some((c) => c.grantSet);
    counted.forEach((c, i) => {
      if (sizes[i] !== null || !c.countMore) return;
      const knownRange = counted.some((d, j) => !d.grantCount && d.driveCost === COST.coveringLine && sizes[j] !== null);
      const cap = c.grantCount ? Math.min(LIMITS.grants, Math.max(c.fts && !sets ? 0 : 4 * small, capFor(c, LIMITS.grants))) : capFor(c, large);
      if (cap > caps[i] && (c.fts ? cap >= 3 * small && (!knownRange || sets) : c.grantCount ? cap >= 4 * small : !knownRange)) count(i, cap);
    });
  }
  // Not counted to the end: many more than the cap (a set of grants: maybe half the register; a
  // word, LIMITS.grants: a common one finds a fifth of a 360Giving register).
  const many = (c: Criterion, cap: number) => (c.fts ? Math.max(2 * cap, LIMITS.grants) : Math.max(2 * Math.max(cap, c.grantCount ? LIMITS.grants : large), c.grantCount ? lines / 2 : 0));
  return sizes.map((n, i) => n ?? many(counted[i], caps[i]));
}

/** The plan for `q`'s lines; `years` ascending without repeats. */
export function totalsPlan(db: Db, q: GrantQuery, years: number[]): TotalsPlan {
  // How many lines and grants the register holds (about: the largest rowids), in two searches.
  const largest = (table: string) => ((statement(db, `SELECT max(rowid) FROM ${table}`).raw(true).all() as [number | null][])[0][0] ?? 0) + 1;
  const lines = largest('allocation');
  const grants = largest('grants');
  const { counted, columns } = criteria(db, q, years, grants);
  const sizes = sizesOf(counted, lines);
  const drivers: { at: number[]; by: Source; cost: number }[] = [
    { at: [], by: source([{ from: 'allocation a INDEXED BY allocation_listing', where: NONE, dense: true }], lines), cost: lines * COST.coveringLine },
    ...counted.map((c, i) => ({ at: [i], by: c.drive(sizes[i]), cost: sizes[i] * c.driveCost })),
  ];
  // With text, a set of grants can be merged with the text's first (both sorted by rowid), and the
  // lines of the grants in both read.
  const t = counted.findIndex((c) => c.fts);
  if (t >= 0) {
    counted.forEach((c, i) => {
      if (!c.grantSet) return;
      const both = (sizes[i] * sizes[t]) / grants;
      const inBoth: SqlPart = { sql: `SELECT * FROM (${c.grantSet.set.sql}) INTERSECT ${TEXT_ROWIDS}`, params: [...c.grantSet.set.params, counted[t].fts] };
      drivers.push({
        at: [t, i],
        by: source([{ from: 'allocation a INDEXED BY allocation_by_grant', where: { sql: `a.grant_rowid IN (${inBoth.sql})`, params: inBoth.params }, grantOrder: true }], both),
        cost: sizes[i] * (c.grantSet.memberCost + (c.grantSet.sorted ? COST.sortedMember : COST.sort)) + sizes[t] * (COST.textGrant + COST.merge) + both * (COST.sortedMember + COST.grantLines),
      });
    });
  }
  for (const d of drivers) {
    d.by.grants = grants;
    d.by.lineCost = d.cost / Math.max(1, d.by.size);
  }
  // The other criteria's tests of a line, most selective first, each in the cheaper form for the
  // lines the tests before it let through (as if the criteria were independent).
  const tests = (src: Source, driver: number[], arm: Arm): Filter[] => {
    let n = src.size;
    // The years first: a test of the line's own columns (as are the amounts, among `columns`);
    // but where the grant is joined first, the tests of its columns come first.
    const grantFirst = !!arm.grantFirst;
    const rank = (i: number) => (grantFirst && counted[i].grantTest ? -2 : counted[i].what === 'years' ? -1 : sizes[i]);
    return [...counted.keys()].filter((i) => !driver.includes(i)).sort((i, j) => rank(i) - rank(j)).map((i) => {
      const f = counted[i].filter(src, sizes[i], arm, n);
      n *= Math.min(1, sizes[i] / lines);
      return f;
    });
  };
  // The cheapest: reading the driver's lines, and testing them against every other criterion.
  const total = (d: (typeof drivers)[number]) => d.cost + tests(d.by, d.at, d.by.arms[0]).reduce((sum, f) => sum + f.cost, 0);
  const name = (d: (typeof drivers)[number]) => (d.at.length ? d.at.map((i) => counted[i].what).join(' and ') : 'all');
  const best = drivers.find((d) => name(d) === LIMITS.driver) ?? drivers.reduce((x, y) => (total(y) < total(x) ? y : x));
  // Each arm with its own conditions, the columns', and every other criterion's test.
  const withFilters = (src: Source, driver: number[]): Arm[] => src.arms.map((arm) => {
    const fs = tests(src, driver, arm);
    const conds = [arm.where, ...columns, ...fs.map((f) => f.part)].filter((f) => f.sql !== '1');
    // A test of the grant's own columns: the grant joined to each line (its row read).
    const from = fs.some((f) => f.joinGrant) ? (arm.grantFirst ?? `${arm.from} CROSS JOIN grants g ON g.rowid = a.grant_rowid`) : arm.from;
    return { from, where: { sql: conds.length ? conds.map((c) => c.sql).join('\n    AND ') : '1', params: conds.flatMap((c) => c.params) } };
  });

  // The grants withdrawn or not in GBP, few: each one's lines are tested against every criterion.
  const notPlain = source([{
    from: 'grants g INDEXED BY grants_not_plain CROSS JOIN allocation a INDEXED BY allocation_by_grant ON a.grant_rowid = g.rowid',
    where: { sql: NOT_PLAIN, params: [] },
  }], 0, { hasGrant: true });
  notPlain.grants = grants;
  // Many lines, few of them not plain: those are found through their partial index and each
  // tested against every criterion.
  let special: Arm[] | null = null;
  if (best.by.size >= LIMITS.small) {
    const arm: Arm = { from: 'allocation a INDEXED BY allocation_special', where: { sql: SPECIAL, params: [] } };
    const n = counter(db, union([arm], '1'))(LIMITS.small);
    if (n < LIMITS.small) special = withFilters({ ...source([arm], n, { readsRow: true }), grants }, []);
  }
  LIMITS.trace?.({
    sizes: Object.fromEntries(counted.map((c, i) => [c.what, sizes[i]])), costs: Object.fromEntries(drivers.map((d) => [name(d), total(d)])),
    driver: name(best), plain: special !== null,
  });
  return { lines: withFilters(best.by, best.at), notPlain: withFilters(notPlain, []), special, driver: name(best) };
}

/** The same lines as the partial index allocation_special (the expression must match it exactly). */
const SPECIAL = "(a.amount_pence IS NULL OR a.basis = 'maximum' OR a.superseded <> 0 OR a.fy_from <> a.fy_to)";

/** The same grants as the partial index grants_not_plain (the expression must match it exactly). */
export const NOT_PLAIN = "(g.withdrawn_at IS NOT NULL OR g.currency <> 'GBP')";
