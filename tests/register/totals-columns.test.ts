/**
 * Count and totals from the totals columns (one pass over packed arrays) against the same figures
 * added up row by row, over the generated register full of hard cases (tests/register/totals-fixture.ts),
 * for the same criteria as the SQL plans are held to; and the columns are never read stale: any
 * change to a line or a grant field they hold removes them, and an import writes them again.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { migrate, openDatabase, type Db } from '../../src/db/open.js';
import { emptyQuery, type GrantQuery } from '../../src/register/query.js';
import { queryTotals } from '../../src/register/query-totals.js';
import { COLUMNS, totalsColumns, writeTotalsColumns } from '../../src/register/totals-columns.js';
import { scanTotals } from '../../src/register/totals-scan.js';
import { importFiles as runImport } from '../../src/import/run-import.js';
import { compare, makeRegister, randomQuery } from './totals-fixture.js';

const withColumns = (): Db => {
  const db = makeRegister();
  expect(db.transaction(() => writeTotalsColumns(db))()).toBe(true);
  return db;
};

/** Compared row by row, and answered from the columns (not the SQL plans). */
function fromColumns(db: Db, q: GrantQuery): void {
  const cols = totalsColumns(db);
  expect(cols).not.toBeNull();
  expect(scanTotals(db, cols!, q, [...new Set(q.years)].sort((a, b) => a - b))).not.toBeNull();
  compare(db, q);
}

describe('totals from the totals columns equal the totals added up row by row', () => {
  let db: Db;
  beforeAll(() => {
    db = withColumns();
  });

  it('hold every line, in a few arrays', () => {
    const cols = totalsColumns(db)!;
    expect(cols.meta.lines).toBe(db.prepare('SELECT count(*) FROM allocation').pluck().get());
    expect(cols.meta.currencies[0]).toBe('GBP');
    expect(cols.meta.currencies.length).toBe(3);
    expect(cols.meta.active).toBe(true);
    expect(cols.get('amount').length).toBe(cols.meta.lines);
  });

  it('the plain criteria: nothing, a year, years with gaps', () => {
    for (const years of [[], [2015], [2013, 2014, 2015], [2012, 2015, 2019], [2030]]) fromColumns(db, { ...emptyQuery(), years });
  });

  it('text with years and every other kind of criterion', () => {
    let found = 0;
    for (const text of ['community', 'mental health', 'housing project', 'caf', 'Øre', 'nothing matches this']) {
      for (const years of [[2012], [2016, 2016], [2013, 2014], [2012, 2015, 2019], []]) {
        for (const extra of [{}, { includeSuperseded: true, includeWithdrawn: true }, { programme: 'Violence' }, { programme: 'vr1' }, { activeIn: [2014] }, { recipient: 'Refu', minPence: 500_000 }, { grantIds: ['G-0003', 'G-0017', 'G-0042', 'G-0123', 'G-0301'] }, { funder: 'Home Office' }, { funder: 'GB-CHC-2', maxPence: 900_000 }, { themes: ['stalking'], flags: [{ name: 'non_ex_intimate', value: 'y' as const }] }, { classifications: ['c1'] }]) {
          const q = { ...emptyQuery(), years, text, ...extra };
          fromColumns(db, q);
          found += queryTotals(db, q).count;
        }
      }
    }
    expect(found).toBeGreaterThan(1000);
  });

  it('for 600 random criteria', () => {
    let nonEmpty = 0;
    for (let seed = 1; seed <= 600; seed++) {
      const q = randomQuery(seed);
      fromColumns(db, q);
      if (queryTotals(db, q).count) nonEmpty++;
    }
    expect(nonEmpty).toBeGreaterThan(200);
  });
});

describe('the totals columns read in chunks', () => {
  it('give the same figures read a few rows at a time, over rowids with gaps', () => {
    const db = makeRegister();
    db.exec('DELETE FROM allocation WHERE rowid % 5 = 0 OR rowid BETWEEN 100 AND 180');
    const chunk = COLUMNS.chunk;
    try {
      COLUMNS.chunk = 7;
      expect(db.transaction(() => writeTotalsColumns(db))()).toBe(true);
    } finally {
      COLUMNS.chunk = chunk;
    }
    expect(totalsColumns(db)!.meta.lines).toBe(db.prepare('SELECT count(*) FROM allocation').pluck().get());
    for (let seed = 2000; seed < 2150; seed++) fromColumns(db, randomQuery(seed));
    db.close();
  });
});

describe('the totals columns are never read stale', () => {
  it('a changed amount, a withdrawn grant, new running dates or a deleted line removes them; the totals follow the register', () => {
    const changes = [
      "UPDATE allocation SET amount_pence = amount_pence + 1 WHERE amount_pence IS NOT NULL AND rowid % 7 = 0",
      "UPDATE grants SET withdrawn_at = '2024-01-01T00:00:00.000Z' WHERE rowid % 11 = 0",
      "UPDATE grants SET planned_start = '2014-06-01', planned_end = '2015-06-01' WHERE rowid % 5 = 0",
      "UPDATE grants SET currency = 'EUR' WHERE rowid % 13 = 0",
      "UPDATE grants SET programme_title = 'Violence Reduction' WHERE rowid % 3 = 1",
      'DELETE FROM allocation WHERE rowid % 9 = 0',
    ];
    for (const sql of changes) {
      const db = withColumns();
      const q = { ...emptyQuery(), activeIn: sql.includes('planned') ? [2014] : [], programme: sql.includes('programme') ? 'Violence' : null };
      const before = queryTotals(db, q);
      db.exec(sql);
      expect(totalsColumns(db), sql).toBeNull();
      compare(db, q);
      expect(queryTotals(db, q), sql).not.toEqual(before);
      // Written again, they give the same figures as the SQL plans.
      const planned = queryTotals(db, q);
      db.transaction(() => writeTotalsColumns(db))();
      fromColumns(db, q);
      expect(queryTotals(db, q)).toEqual(planned);
      db.close();
    }
  });

  it('a grant given another rowid by hand removes them too (the columns find grants by rowid)', () => {
    const db = withColumns();
    db.exec('UPDATE grants SET rowid = rowid + 5000 WHERE withdrawn_at IS NOT NULL');
    expect(totalsColumns(db)).toBeNull();
    db.close();
  });

  it('a title changed leaves them (no column holds it); a connection that held them reads the new set', () => {
    const db = withColumns();
    const token = totalsColumns(db)!.token;
    db.exec("UPDATE grants SET title = 'x' || title");
    expect(totalsColumns(db)?.token).toBe(token);
    db.transaction(() => writeTotalsColumns(db))();
    expect(totalsColumns(db)!.token).not.toBe(token);
    db.close();
  });

  it('running dates that are not plain ISO dates leave --active-in to SQL, with the same figures', () => {
    const db = makeRegister();
    db.exec("UPDATE grants SET planned_start = planned_start || 'T00:00:00' WHERE rowid % 4 = 0 AND planned_start IS NOT NULL");
    db.transaction(() => writeTotalsColumns(db))();
    const cols = totalsColumns(db)!;
    expect(cols.meta.active).toBe(false);
    const q = { ...emptyQuery(), activeIn: [2014, 2016] };
    expect(scanTotals(db, cols, q, [])).toBeNull();
    compare(db, q);
    fromColumns(db, { ...emptyQuery(), years: [2014] });
    db.close();
  });

  it('amounts too large to add up exactly in a double: no columns, and totals from SQL', () => {
    const db = makeRegister();
    db.exec('UPDATE allocation SET amount_pence = 4000000000000000 WHERE rowid IN (1, 2, 3)');
    expect(db.transaction(() => writeTotalsColumns(db))()).toBe(false);
    expect(totalsColumns(db)).toBeNull();
    db.close();
  });
});

describe('an import writes the totals columns of a large register', () => {
  it('only at COLUMNS.minLines lines or more; a failed import leaves the last set as it was', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'foi-columns-'));
    const header = 'Identifier,Title,Description,Currency,Amount Awarded,Award Date,Recipient Org:Identifier,Recipient Org:Name,Funding Org:Identifier,Funding Org:Name,Last Modified';
    const rows = (from: number, n: number) => Array.from({ length: n }, (_, i) => `360G-T-${from + i},Grant ${from + i},Community work,GBP,${1000 + i},2015-06-01,GB-CHC-${i % 7},Charity ${i % 7},GB-CHC-99,Funder,2020-01-01T00:00:00Z`);
    writeFileSync(join(dir, 'a.csv'), [header, ...rows(0, 40)].join('\n') + '\n');
    writeFileSync(join(dir, 'b.csv'), [header, ...rows(40, 30)].join('\n') + '\n');
    writeFileSync(join(dir, 'bad.csv'), [header, ...rows(70, 5), '360G-T-bad,Bad,x,GBP,not money,2015-06-01,GB-CHC-1,C,GB-CHC-99,F,2020-01-01T00:00:00Z'].join('\n') + '\n');
    const db = openDatabase(join(dir, 'r.sqlite'), { create: true });
    const min = COLUMNS.minLines;
    try {
      COLUMNS.minLines = 50;
      await runImport(db, [join(dir, 'a.csv')], {});
      expect(totalsColumns(db)).toBeNull(); // 40 lines
      await runImport(db, [join(dir, 'b.csv')], {});
      const cols = totalsColumns(db)!;
      expect(cols.meta.lines).toBe(70);
      const q = { ...emptyQuery(), years: [2015], text: 'community' };
      expect(queryTotals(db, q).count).toBe(70);
      expect(queryTotals(db, q).totalPence).toBe(Array.from({ length: 40 }, (_, i) => 100_000 + i * 100).reduce((x, y) => x + y) + Array.from({ length: 30 }, (_, i) => 100_000 + i * 100).reduce((x, y) => x + y));
      await expect(runImport(db, [join(dir, 'bad.csv')], {})).rejects.toThrow(/nothing was written/);
      expect(totalsColumns(db)!.token).toBe(cols.token);
      compare(db, q);
    } finally {
      COLUMNS.minLines = min;
      db.close();
    }
  });
});

describe('the migration that adds the totals columns', () => {
  it('gives a register already large its columns, and the triggers that keep them current', () => {
    const db = makeRegister();
    const version = db.pragma('user_version', { simple: true }) as number;
    db.exec(`DROP TABLE totals_column; ${['line_insert', 'line_update', 'line_delete', 'grant_insert', 'grant_delete', 'grant_update', 'grant_rowid'].map((t) => `DROP TRIGGER totals_stale_${t};`).join(' ')}`);
    db.pragma(`user_version = ${version - 1}`);
    const min = COLUMNS.minLines;
    try {
      COLUMNS.minLines = 100;
      migrate(db);
    } finally {
      COLUMNS.minLines = min;
    }
    expect(db.pragma('user_version', { simple: true })).toBe(version);
    fromColumns(db, { ...emptyQuery(), years: [2014], text: 'community' });
    db.exec('UPDATE allocation SET amount_pence = 1 WHERE rowid = 1');
    expect(totalsColumns(db)).toBeNull();
    db.close();
  });
});
