/**
 * A generated register full of the cases that make totals hard (other currencies, withdrawn
 * grants, superseded budgets, "up to" amounts, lines without an amount, lines over several years,
 * programmes by title and by code, two classifications of one grant), random criteria over it, and
 * the comparison of count and totals from one aggregate (queryTotals) with the same figures added
 * up row by row (queryGrants). Seeded, so a failure reproduces. Shared by the totals' tests.
 */
import { expect } from 'vitest';
import { openDatabase, type Db } from '../../src/db/open.js';
import { RegisterWriter } from '../../src/register/writer.js';
import { emptyGrant, type AllocationBasis, type AllocationInput, type GrantInput } from '../../src/register/types.js';
import { emptyQuery, queryGrants, streamGrants, ROW_ORDERS, type GrantQuery, type GrantRow } from '../../src/register/query.js';
import { queryTotals } from '../../src/register/query-totals.js';
import { prng } from '../helpers/prng.js';

export const WORDS = ['community', 'mental', 'health', 'stalking', 'victims', 'youth', 'housing', 'Café', 'Øresund', '😀 emoji', '\ue000 private'];
const ORGS = ['GB-CHC-1', 'GB-CHC-2', 'GB-COH-3', 'GB-LAE-4', '360G-X-5'];
export const NAMES = ["Women's Aid", 'Refuge', 'Victim Support', 'Safe Lives', 'Community Trust'];
const THEMES = ['stalking', 'youth'];
const FLAGS = ['non_ex_intimate'];
const BASES: AllocationBasis[] = ['award', 'budget', 'original', 'revised', 'allocation', 'grant', 'match', 'maximum'];

function line(r: () => number, int: (n: number) => number): AllocationInput {
  const k = int(10);
  const amount = int(8) === 0 ? null : int(2_000_000) - (int(20) === 0 ? 100_000 : 0);
  const base = {
    recipientOrgId: int(6) === 0 ? null : ORGS[int(ORGS.length)], funderOrgId: int(5) === 0 ? null : ORGS[int(ORGS.length)],
    stream: int(4) === 0 ? 'Home Office Grant' : null, basis: BASES[int(BASES.length)], amountPence: amount,
    amountStatus: amount === null ? (int(2) ? 'not_held' as const : 'unknown' as const) : 'value' as const,
    note: null, footnote: null, sourceRef: null,
  };
  // Within one year, over several, or with no year at all.
  if (k < 6) return { ...base, financialYear: 2012 + int(8) };
  if (k < 9) {
    const from = 2012 + int(7);
    const to = from + 1 + int(3);
    return { ...base, financialYear: null, period: { start: `${from}-04-01`, end: `${to + 1}-03-31`, precision: r() < 0.5 ? 'fy' : 'day' } };
  }
  return { ...base, financialYear: null };
}

export function makeRegister(): Db {
  const db = openDatabase(':memory:', { create: true });
  const w = new RegisterWriter(db);
  w.startChange('command', { command: 'test' });
  const r = prng(20240601);
  const int = (n: number) => Math.floor(r() * n);
  db.transaction(() => {
    for (const t of THEMES) w.writeTheme({ name: t, label: t });
    for (const f of FLAGS) w.writeFlag({ name: f, question: f });
    ORGS.forEach((id, i) => w.writeOrg({ id, name: NAMES[i] }));
    for (let i = 0; i < 400; i++) {
      const g: GrantInput = emptyGrant(`G-${String(i).padStart(4, '0')}`, `${WORDS[int(WORDS.length)]} ${WORDS[int(WORDS.length)]} ${int(3) ? 'project' : 'programme'}`);
      g.currency = int(8) === 0 ? 'USD' : int(15) === 0 ? 'EUR' : 'GBP';
      g.programmeTitle = int(3) === 0 ? 'Violence Reduction' : null;
      g.programmeCode = g.programmeTitle ? 'VR1' : null;
      g.plannedStart = int(2) ? `${2012 + int(8)}-0${1 + int(9)}-01` : null;
      g.plannedEnd = g.plannedStart && int(2) ? `${Number(g.plannedStart.slice(0, 4)) + int(3)}-12-31` : null;
      g.sourceDocument = int(2) ? 'a.json' : null;
      g.position = int(3) ? i % 37 : null;
      g.allocations = Array.from({ length: 1 + int(3) }, () => line(r, int));
      g.allocations.forEach((a, j) => {
        if (j > 0 && int(4) === 0) {
          a.basis = 'revised';
          g.allocations[j - 1].basis = 'original';
          a.supersedes = j;
        }
      });
      if (int(3) === 0) g.themes = [{ theme: THEMES[int(THEMES.length)] }];
      if (int(3) === 0) g.flags = [{ name: FLAGS[0], value: (['y', 'n', 'unknown'] as const)[int(3)] }];
      if (int(3) === 0) g.classifications = [{ code: `C${int(3)}`, title: 'Crime' }];
      // Without drawing from the generator (the rest stay as they were): a programme's code under
      // another title or none, another programme, and two classifications that both match "c1".
      if (i % 17 === 5) [g.programmeTitle, g.programmeCode] = [null, 'VR1'];
      if (i % 19 === 7) [g.programmeTitle, g.programmeCode] = ['Youth Fund', 'VR1'];
      if (i % 23 === 11) [g.programmeTitle, g.programmeCode] = ['Youth Fund', 'YF2'];
      if (i % 29 === 3) g.classifications = [{ code: 'C1', title: 'Crime' }, { code: 'X9', title: 'c1 related' }];
      w.writeGrant(g);
    }
    w.finishFile(); // the full-text rows of the grants (made together at the end of a file)
    w.withdraw(Array.from({ length: 30 }, () => `G-${String(int(400)).padStart(4, '0')}`));
  })();
  return db;
}

export function randomQuery(seed: number): GrantQuery {
  const r = prng(seed);
  const int = (n: number) => Math.floor(r() * n);
  const q = emptyQuery();
  const k = int(6);
  if (k === 0) q.years = [2012 + int(8)];
  else if (k === 1) q.years = [2012 + int(4), 2013 + int(4)].filter((y, i, a) => a.indexOf(y) === i);
  else if (k === 2) q.years = Array.from({ length: 1 + int(4) }, () => 2011 + int(10)); // gaps and repeats
  else if (k === 3) q.years = [2013, 2014, 2015];
  if (int(4) === 0) q.activeIn = [2012 + int(8)];
  if (int(4) === 0) q.text = ['community', 'mental health', 'stalk', 'caf', 'Øre', 'housing project', 'youth programme'][int(7)];
  if (int(5) === 0) q.recipient = NAMES[int(NAMES.length)].slice(0, 4);
  if (int(6) === 0) q.funder = int(2) ? 'Home Office' : NAMES[int(NAMES.length)];
  if (int(6) === 0) q.programme = 'Violence';
  if (int(5) === 0) q.minPence = int(1_000_000);
  if (int(6) === 0) q.maxPence = int(2_000_000);
  if (int(6) === 0) q.themes = [THEMES[int(THEMES.length)]];
  if (int(8) === 0) q.flags = [{ name: FLAGS[0], value: 'y' }];
  if (int(8) === 0) q.classifications = ['c1'];
  if (int(8) === 0) q.grantIds = Array.from({ length: 1 + int(20) }, () => `G-${String(int(400)).padStart(4, '0')}`);
  q.includeSuperseded = int(3) === 0;
  q.includeWithdrawn = int(4) === 0;
  q.order = ROW_ORDERS[int(ROW_ORDERS.length)];
  // Drawn last, so the criteria above stay as they were: running in two years, every theme, a
  // programme by code or another title.
  if (int(10) === 0) q.activeIn = [...q.activeIn, 2012 + int(8)];
  if (int(10) === 0) q.themes = [...THEMES];
  if (int(8) === 0) q.programme = ['VR1', 'vr1', 'Youth', 'YF2'][int(4)];
  return q;
}

/**
 * The lines a year query lists, and which are outside the years, worked out here from first
 * principles on every line: a line within one year is listed in that year; a line over several
 * is listed when its span overlaps a year asked for, and counted only when every year it covers
 * was asked for.
 */
function expectedYearLines(db: Db, q: GrantQuery): [string, number, string][] {
  const years = new Set(q.years);
  const covers = (r: GrantRow, y: number) => r.fyFrom !== null && r.fyTo !== null && r.fyFrom <= y && y <= r.fyTo;
  return queryGrants(db, { ...q, years: [] }).rows
    .filter((r) => (r.fyStart !== null ? years.has(r.fyStart) : [...years].some((y) => covers(r, y))))
    .map((r) => {
      let within = r.fyFrom !== null && r.fyTo !== null;
      for (let y = r.fyFrom ?? 0; within && y <= r.fyTo!; y++) within = years.has(y);
      const outside = r.countedAs === 'total' || r.countedAs === 'maximum' ? r.multiYear && !within : false;
      return [r.id, r.seq, outside ? 'outside' : r.countedAs];
    });
}

/** Every field of a GrantRow (the type checks none is missing), read through its getters where it has them. */
const FIELDS = Object.keys({
  id: 1, seq: 1, title: 1, recipient: 1, recipientId: 1, funder: 1, funderId: 1, financialYear: 1, fyStart: 1, fyFrom: 1, fyTo: 1, period: 1, multiYear: 1,
  amountPence: 1, amountStatus: 1, currency: 1, basis: 1, stream: 1, programme: 1, note: 1, footnote: 1, superseded: 1, sourceRef: 1, countedAs: 1,
} satisfies Record<keyof GrantRow, 1>) as (keyof GrantRow)[];
const plain = (r: GrantRow) => Object.fromEntries(FIELDS.map((f) => [f, r[f]]));

export function compare(db: Db, q: GrantQuery): void {
  const { rows, ...byRow } = queryGrants(db, q);
  const what = JSON.stringify(q);
  expect(queryTotals(db, q), what).toEqual(byRow);
  expect([...streamGrants(db, q)].map(plain), what).toEqual(rows.map(plain));
  // A listing that reads only some fields reads them right (and in the same order).
  const some = ['id', 'seq', 'period', 'countedAs', 'financialYear'] as const;
  const pick = (r: Pick<GrantRow, (typeof some)[number]>) => some.map((f) => r[f]);
  expect([...streamGrants(db, q, some)].map(pick), what).toEqual(rows.map(pick));
  if (q.years.length) expect(rows.map((r) => [r.id, r.seq, r.countedAs]), what).toEqual(expectedYearLines(db, q));
}

