/**
 * `foi import` end to end: real 360Giving files with exact counts and totals, all-or-nothing
 * failures that leave the register byte-for-byte unchanged, and idempotent re-imports.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIXTURES, ROOT, foi, json, tempDir } from '../helpers/cli.js';
import { isCI } from '../helpers/tools.js';

const G360 = join(FIXTURES, '360giving');
const SHARED = join(ROOT, '..', 'shared', 'data', '360giving');

/** The larger real files are read from ../shared (beside every clone in CI); locally they may be absent. */
function sharedOrSkip(name: string): boolean {
  if (existsSync(join(SHARED, name))) return false;
  if (isCI()) return false;
  console.warn(`[import] skipping: ${join(SHARED, name)} is not here (CI has ../shared and never skips)`);
  return true;
}

const sha = (p: string) => createHash('sha256').update(readFileSync(p)).digest('hex');

type Listing = { count: number; totalPence: number };
function totals(db: string, funder: string): [number, number] {
  const r = json<Listing>(foi(['grants', '--db', db, '--funder', funder, '--format', 'json']));
  return [r.count, r.totalPence];
}

describe('importing real 360Giving files', () => {
  it('Andrew Lloyd Webber Foundation: 475 grants, £21,757,793.27, mixed date formats normalised', () => {
    const db = join(tempDir('foi-imp-'), 'r.sqlite');
    const r = foi(['import', join(G360, 'andrew-lloyd-webber-foundation.360g.json'), '--db', db]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('andrew-lloyd-webber-foundation.360g.json (360giving-json): 475 grants; 475 added, 0 changed, 0 unchanged');
    expect(r.stdout).toMatch(/normalised \d+ values in awardDate, e\.g\. grants\[\d+\]: "\d{4}-\d\d-\d\dT00:00:00\+00:00" -> "\d{4}-\d\d-\d\d"/);
    expect(totals(db, 'Andrew Lloyd Webber')).toEqual([475, 2175779327]);
  });

  it('A B Charitable Trust: 783 grants, £12,785,625', { skip: sharedOrSkip('ab-charitable-trust.360g.json') }, () => {
    const db = join(tempDir('foi-imp-'), 'r.sqlite');
    const r = foi(['import', join(SHARED, 'ab-charitable-trust.360g.json'), '--db', db]);
    expect(r.code, r.stderr).toBe(0);
    expect(totals(db, 'A B Charitable')).toEqual([783, 1278562500]);
    // Non-standard keys are kept, not dropped.
    const any = json<{ rows: { id: string }[] }>(foi(['grants', '--db', db, '--format', 'json', '--max', '£5,000']));
    const d = json<{ extra: Record<string, unknown> | null }>(foi(['show', any.rows[0].id, '--db', db, '--format', 'json']));
    expect(Object.keys(d.extra ?? {})).toContain('Award Date - website format');
  });

  it('Lloyds Bank Foundation: 4,116 grants, £115,795,635.69, "Y"/"N" open-call flags and non-integer amounts', { skip: sharedOrSkip('lloyds-bank-foundation-2010-2015.360g.json') }, () => {
    const db = join(tempDir('foi-imp-'), 'r.sqlite');
    const r = foi(['import', join(SHARED, 'lloyds-bank-foundation-2010-2015.360g.json'), '--db', db]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('4,116 grants; 4,116 added');
    // "Y"/"N" break the schema ("Yes"/"No"): one schema warning line with the count, not 4,116 lines.
    expect(r.stderr).toContain('6,124 warnings (imported anyway; the register keeps every value as published); --report FILE.json lists every one:');
    expect(r.stderr).toContain('schema: lloyds-bank-foundation-2010-2015.360g.json, grants[0], column "fromOpenCall": 360Giving schema: expected "Yes" or "No"; read as "Yes" (value: "Y") [and 4,115 more like it]');
    expect(r.stderr).toContain('column "recipientOrganization[0].url": 360Giving schema: not a URI');
    expect(r.stderr).toContain('notice: lloyds-bank-foundation-2010-2015.360g.json, grants[1606], column "amountAwarded": the amount awarded is zero');
    expect(totals(db, 'Lloyds Bank')).toEqual([4116, 11579563569]);
    // Grants fall in the financial year of their award date.
    const fy = json<Listing>(foi(['grants', '--db', db, '--funder', 'Lloyds Bank', '--fy', '2012-13', '--format', 'json']));
    expect(fy.count).toBeGreaterThan(0);
    expect(fy.count).toBeLessThan(4116);
  });
});

describe('all or nothing', () => {
  it('rejects fixture-2-grants.csv with its specific error and leaves the register byte-for-byte unchanged', () => {
    const dir = tempDir('foi-imp-');
    const db = join(dir, 'r.sqlite');
    expect(foi(['import', join(G360, 'andrew-lloyd-webber-foundation.360g.json'), '--db', db]).code).toBe(0);
    const before = sha(db);
    const r = foi(['import', join(G360, 'fixture-2-grants.csv'), '--db', db]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('foi: import failed: 1 error; nothing was written to the register');
    expect(r.stderr).toContain('fixture-2-grants.csv, row 2, column "Recipient Org:Identifier": recipient organisation has no identifier');
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(sha(db)).toBe(before);
    expect(existsSync(`${db}-wal`) && readFileSync(`${db}-wal`).length > 0).toBe(false);
  });

  it('rejects fixture-2-grants.json: duplicate ids and a missing recipient id', () => {
    const dir = tempDir('foi-imp-');
    const db = join(dir, 'r.sqlite');
    expect(foi(['init', '--db', db]).code).toBe(0);
    const before = sha(db);
    const r = foi(['import', join(G360, 'fixture-2-grants.json'), '--db', db]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('foi: import failed: 3 errors; nothing was written to the register');
    expect(r.stderr).toContain('fixture-2-grants.json, grants[0], column "recipientOrganization[0].id": recipient organisation has no identifier');
    expect(r.stderr).toContain('fixture-2-grants.json, grants[1], column "id": duplicate grant id: the same id is already used at grants[0] in this file');
    expect(r.stderr).toContain('fixture-2-grants.json, grants[3], column "id": duplicate grant id');
    expect(sha(db)).toBe(before);
  });

  it('a good file and a bad file in one run: nothing from either is written', () => {
    const dir = tempDir('foi-imp-');
    const db = join(dir, 'r.sqlite');
    expect(foi(['init', '--db', db]).code).toBe(0);
    const r = foi(['import', join(G360, 'andrew-lloyd-webber-foundation.360g.json'), join(G360, 'hand-values.csv'), '--db', db]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('hand-values.csv, row 3, column "award date": award date: "31/02/2019" is not a real date');
    expect(r.stderr).toContain('hand-values.csv, row 4, column "Amount Awarded": amount awarded: a negative amount');
    expect(totals(db, 'Andrew Lloyd Webber')).toEqual([0, 0]);
  });

  it('caps the error list and says so', () => {
    const db = join(tempDir('foi-imp-'), 'r.sqlite');
    const r = foi(['import', join(G360, 'hand-values.csv'), '--db', db, '--max-errors', '2']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('import failed: 2+ errors');
    expect(r.stderr).toContain('(stopped after 2 errors; fix these and run again to see the rest)');
  });

  it('an unterminated quote names the row', () => {
    const db = join(tempDir('foi-imp-'), 'r.sqlite');
    const r = foi(['import', join(G360, 'hand-unterminated.csv'), '--db', db]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/hand-unterminated\.csv, row 3: a quoted field .* is never closed/);
  });

  it('a missing file or the read-only embedded register is a usage error', () => {
    expect(foi(['import', join(G360, 'nope.csv'), '--db', join(tempDir(), 'r.sqlite')]).code).toBe(2);
    const r = foi(['import', join(G360, 'fixture-2-grants.csv')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('the embedded MOPAC register is read-only');
  });
});

describe('idempotent re-import', () => {
  it('an unchanged file changes nothing and says so; a changed record is updated and counted', () => {
    const dir = tempDir('foi-imp-');
    const db = join(dir, 'r.sqlite');
    const file = join(dir, 'alw.json');
    copyFileSync(join(G360, 'andrew-lloyd-webber-foundation.360g.json'), file);
    expect(foi(['import', file, '--db', db]).code).toBe(0);
    const again = foi(['import', file, '--db', db]);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('475 grants; nothing changed, 475 unchanged');
    expect(again.stdout).toContain('The register is unchanged.');

    const text = readFileSync(file, 'utf8');
    const m = /"amountAwarded":\s*(\d+)/.exec(text)!;
    writeFileSync(file, text.replace(m[0], `"amountAwarded": ${Number(m[1]) + 1}`));
    const changed = foi(['import', file, '--db', db]);
    expect(changed.stdout).toContain('475 grants; 0 added, 1 changed, 474 unchanged');
    expect(totals(db, 'Andrew Lloyd Webber')).toEqual([475, 2175779327 + 100]);
  });

  it('the MOPAC sample re-imported into itself is unchanged', () => {
    const db = join(tempDir('foi-imp-'), 'r.sqlite');
    expect(foi(['init', '--db', db, '--sample']).code).toBe(0);
    const r = foi(['import', join(ROOT, 'data', 'mopac-register.yaml'), '--db', db]);
    expect(r.stdout).toContain('mopac-register.yaml (foi-register): 14 grants; nothing changed, 14 unchanged');
  });

  it('foi-register files report errors with the line number', () => {
    const dir = tempDir('foi-imp-');
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, 'format: foi-register/1\ngrants:\n  - id: G1\n    title: T\n    amount: "£1,00"\n    colour: red\n');
    const r = foi(['import', file, '--db', join(dir, 'r.sqlite')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('bad.yaml, grants[0].amount (line 5), column "amount": misplaced thousands separator in "£1,00"');
    expect(r.stderr).toContain('bad.yaml, grants[0].colour (line 6), column "colour": unknown key "colour"');
  });
});

describe("the register's own CSV (foi-lines)", () => {
  it('imports yearly money lines, flags and figures (number, not held, n/a, unknown) for a grant', () => {
    const db = join(tempDir('foi-lines-'), 'r.sqlite');
    expect(foi(['init', '--db', db, '--sample']).code).toBe(0);
    const r = foi(['import', join(FIXTURES, 'foi-lines', 'stalking-advocacy.csv'), '--db', db]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('stalking-advocacy.csv (foi-lines-csv): 1 grant; 1 added, 0 changed, 0 unchanged');
    const rows = json<{ rows: { financialYear: string; amountPence: number; recipient: string }[] }>(
      foi(['grants', '--db', db, '--theme', 'stalking', '--flag', 'non-ex-intimate=y', '--fy', '2021-22..2022-23', '--format', 'json']));
    expect(rows.rows.map((x) => [x.financialYear, x.amountPence, x.recipient])).toEqual([
      ['2021-22', 10000050, 'Suzy Lamplugh Trust'],
      ['2022-23', 12000000, 'Suzy Lamplugh Trust'],
    ]);
    const d = json<{ figures: { measure: string; financialYear: string; status: string; value: unknown; wording: string | null }[] }>(foi(['show', '360G-TEST-LINES-1', '--db', db, '--format', 'json']));
    expect(d.figures.map((f) => [f.financialYear, f.measure, f.status, f.value, f.wording])).toEqual([
      ['2021-22', 'referrals', 'value', 120, null],
      ['2021-22', 'starts', 'not_held', null, 'MOPAC does not hold this data'],
      ['2022-23', 'referrals', 'not_applicable', null, 'recorded for families'],
      ['2022-23', 'starts', 'unknown', null, null],
    ]);
  });

  it('reports every bad cell with row, column and value, and writes nothing', () => {
    const db = join(tempDir('foi-lines-'), 'r.sqlite');
    expect(foi(['init', '--db', db, '--sample']).code).toBe(0);
    const before = sha(db);
    const r = foi(['import', join(FIXTURES, 'foi-lines', 'bad.csv'), '--db', db]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('import failed: 5 errors');
    expect(r.stderr).toContain('bad.csv, row 2, column "Financial Year": not a UK financial year; write it as 2017-18 (value: "2021-23")');
    expect(r.stderr).toContain('bad.csv, row 2, column "Amount": a negative amount');
    expect(r.stderr).toContain('bad.csv, row 2, column "Flag:non-ex-intimate": expected Y, N or unknown (value: "maybe")');
    expect(r.stderr).toContain('bad.csv, row 2, column "Figure:referrals": expected a whole number');
    expect(sha(db)).toBe(before);
  });

  it('a grant that names an organisation the register does not have is an error', () => {
    const dir = tempDir('foi-lines-');
    const file = join(dir, 'lines.csv');
    writeFileSync(file, 'Grant ID,Title,Funder,Financial Year,Amount\nG-1,Test,360G-NOBODY,2021-22,100\n');
    const r = foi(['import', file, '--db', join(dir, 'r.sqlite')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('lines.csv, row 2: grant G-1: funder: unknown organisation "360G-NOBODY"');
  });
});

describe('progress on a terminal', () => {
  const json = join(G360, 'andrew-lloyd-webber-foundation.360g.json');

  it('shows a bar with percentage, rows, rows/s and time left on a TTY (through script(1))', { skip: !existsSync('/usr/bin/script') && !isCI() }, () => {
    const db = join(tempDir('foi-progress-'), 'r.sqlite');
    const cmd = [process.execPath, join(ROOT, 'bin', 'foi'), 'import', json, '--db', db].map((a) => `'${a.replace(/'/g, "'\\''")}'`).join(' ');
    const r = spawnSync('script', ['-qfec', cmd, '/dev/null'], { encoding: 'utf8', env: { ...process.env, FOI_DB: '', TERM: 'xterm' } });
    expect(r.status, r.stdout).toBe(0);
    expect(r.stdout).toMatch(/import \[[#.]+\] 100% \| 475 rows \| [\d,]+ rows\/s \| \S+ left/);
    // Once the file is read, what the import is doing instead of the time left.
    expect(r.stdout).toMatch(/import \[#+\] 100% \| 475 rows \| building indexes and the full-text index/);
    expect(r.stdout).toMatch(/import \[#+\] 100% \| 475 rows \| committing/);
    expect(r.stdout).toContain('475 grants');
  });

  it('prints nothing but the summary when stderr is not a terminal', () => {
    const db = join(tempDir('foi-progress-'), 'r.sqlite');
    const r = foi(['import', json, '--db', db]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).not.toMatch(/%|rows\/s/);
  });
});
