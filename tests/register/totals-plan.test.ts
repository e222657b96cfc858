/**
 * The plans of queryTotals (src/register/totals-plan.ts) all give the totals added up row by row:
 * every driver it could choose and every form of every other criterion's test (a set of rowids,
 * a test of the line's or grant's row, the merge with the full-text index), forced in turn; the
 * counting limits set small, as if the generated register held a million lines (counts stopped
 * at a cap, the years estimated from bands of grants, sizes taken as "many"); lines summed as
 * plain with the others summed again; a funder that every line has dropped as no criterion.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../src/db/open.js';
import { RegisterWriter } from '../../src/register/writer.js';
import { emptyGrant } from '../../src/register/types.js';
import { emptyQuery, queryGrants, type GrantQuery } from '../../src/register/query.js';
import { queryTotals } from '../../src/register/query-totals.js';
import { LIMITS, type PlanTrace } from '../../src/register/totals-plan.js';
import { makeRegister, randomQuery } from './totals-fixture.js';

const DEFAULTS = { ...LIMITS };
afterEach(() => Object.assign(LIMITS, DEFAULTS));

/** The plan queryTotals chose for `q` (and the others it weighed). */
function planOf(db: Db, q: GrantQuery): PlanTrace {
  let trace: PlanTrace | null = null;
  LIMITS.trace = (t) => (trace = t);
  try {
    queryTotals(db, q);
  } finally {
    LIMITS.trace = null;
  }
  return trace!;
}

/** queryGrants's figures without the rows. */
function byRow(db: Db, q: GrantQuery) {
  const { rows: _rows, ...totals } = queryGrants(db, q);
  return totals;
}

/** Criteria of every kind and their combinations, besides the random ones. */
const CHOSEN: Partial<GrantQuery>[] = [
  { text: 'community', recipient: 'Refu' }, { text: 'community', programme: 'Violence' }, { text: 'mental health', activeIn: [2014] },
  { years: [2014], text: 'community', programme: 'VR1' }, { years: [2013, 2014, 2015], text: 'housing project', themes: ['stalking'] },
  { years: [2012, 2015, 2019], funder: 'Home Office', minPence: 100_000 }, { recipient: 'Women', funder: 'Refuge', activeIn: [2013, 2016] },
  { programme: 'Youth', classifications: ['c1'], includeSuperseded: true }, { text: 'caf', flags: [{ name: 'non_ex_intimate', value: 'y' }], includeWithdrawn: true },
  { grantIds: ['G-0003', 'G-0017', 'G-0042', 'G-0123', 'G-0301'], text: 'community', years: [2014] }, { maxPence: 50_000, years: [2016] },
  { themes: ['stalking', 'youth'], years: [2013, 2014] }, { classifications: ['c1', 'crime'], text: 'youth' }, { programme: 'vr1', years: [2012, 2019] },
];
const queries = (): GrantQuery[] => [...CHOSEN.map((c) => ({ ...emptyQuery(), ...c })), ...Array.from({ length: 120 }, (_, i) => randomQuery(5000 + i))];

describe('every plan for the totals gives the totals added up row by row', () => {
  let db: Db;
  beforeAll(() => {
    db = makeRegister();
  });

  it('each driver, with each form of every other test', () => {
    const seen = new Set<string>();
    for (const q of queries()) {
      const want = byRow(db, q);
      const what = JSON.stringify(q);
      for (const driver of Object.keys(planOf(db, q).costs)) {
        for (const form of [null, 'set', 'test'] as const) {
          Object.assign(LIMITS, { driver, form });
          expect(queryTotals(db, q), `${driver} ${form} ${what}`).toEqual(want);
          seen.add(driver);
        }
      }
      Object.assign(LIMITS, { driver: null, form: null });
    }
    // Every kind of driver was tried.
    for (const d of ['all', 'years', 'text', 'recipient', 'funder', 'programme', 'running', 'theme', 'flag', 'classification', 'amount', 'grant ids', 'text and programme', 'text and running']) {
      expect(seen, d).toContain(d);
    }
  });

  it('with small counting limits, as at a million lines', () => {
    Object.assign(LIMITS, { small: 4, large: 30, grants: 12 });
    const drivers = new Set<string>();
    for (const q of queries()) {
      expect(queryTotals(db, q), JSON.stringify(q)).toEqual(byRow(db, q));
      drivers.add(planOf(db, q).driver);
    }
    expect(drivers.size).toBeGreaterThan(5);
  });

  it('lines summed as plain, and the few that are not summed again, when many lines are read', () => {
    const notPlain = db.prepare("SELECT count(*) FROM allocation WHERE amount_pence IS NULL OR basis = 'maximum' OR superseded <> 0 OR fy_from <> fy_to").pluck().get() as number;
    expect(notPlain).toBeGreaterThan(100);
    // Lines read by the plan from here are "many"; fewer than that are not plain.
    LIMITS.small = notPlain + 1;
    let plain = 0;
    for (const q of queries()) {
      expect(queryTotals(db, q), JSON.stringify(q)).toEqual(byRow(db, q));
      if (planOf(db, q).plain) plain++;
    }
    expect(plain).toBeGreaterThan(10);
  });
});

describe('a funder that every line has', () => {
  function register(funders: (string | null)[]): Db {
    const db = openDatabase(':memory:', { create: true });
    const w = new RegisterWriter(db);
    w.startChange('command', { command: 'test' });
    db.transaction(() => {
      w.writeOrg({ id: 'GB-CHC-1', name: 'Lloyds Bank Foundation' });
      w.writeOrg({ id: 'GB-CHC-2', name: 'Another Trust' });
      funders.forEach((funder, i) => {
        const g = emptyGrant(`G-${i}`, `Grant ${i}`);
        g.allocations = [{ financialYear: 2015 + (i % 3), recipientOrgId: 'GB-CHC-2', funderOrgId: funder, stream: null, basis: 'award', amountPence: 1000 * (i + 1), amountStatus: 'value', note: null, footnote: null, sourceRef: null }];
        w.writeGrant(g);
      });
      w.finishFile();
    })();
    return db;
  }

  it('is no criterion: every line is read, and the totals are the same', () => {
    const db = register(Array(12).fill('GB-CHC-1'));
    const q = { ...emptyQuery(), funder: 'Lloyds', years: [2016] };
    expect(Object.keys(planOf(db, q).sizes)).toEqual(['years']);
    expect(queryTotals(db, q)).toEqual(byRow(db, q));
    expect(queryTotals(db, q).count).toBe(4);
  });

  it('is still a criterion when a line has another funder, or none', () => {
    for (const odd of ['GB-CHC-2', null]) {
      const db = register([...Array(11).fill('GB-CHC-1'), odd]);
      const q = { ...emptyQuery(), funder: 'Lloyds' };
      expect(Object.keys(planOf(db, q).sizes)).toEqual(['funder']);
      expect(queryTotals(db, q)).toEqual(byRow(db, q));
      expect(queryTotals(db, q).count).toBe(11);
    }
  });
});
