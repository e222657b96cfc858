/**
 * A 360Giving file of 2 MiB or more is read, validated and mapped in a reading thread
 * (src/import/stored-360.ts, dist/read-worker.js) while the main thread writes. Tests that run
 * from the sources never start that thread, so these drive bin/foi on a file big enough to use it
 * and compare the register it writes with the one the same file makes in this thread.
 */
import { createHash } from 'node:crypto';
import { readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeBigCsv } from '../../bench/lib/gen-csv.js';
import { openDatabase } from '../../src/db/open.js';
import { importFiles } from '../../src/import/run-import.js';
import { ROOT, foi, tempDir } from '../helpers/cli.js';

const LLOYDS = join(ROOT, '..', 'shared', 'data', '360giving', 'lloyds-bank-foundation-2010-2015.360g.json');
const ROWS = 7_000;
const dir = tempDir('foi-reader-');
let csv = '';

beforeAll(() => {
  csv = makeBigCsv(LLOYDS, join(dir, 'big.csv'), ROWS).path;
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const listing = (db: string) => foi(['grants', '--db', db, '--fy', '2012-13', '--format', 'csv']);

describe('foi import: a large 360Giving file through the reading thread', () => {
  it('is big enough to be read in a thread of its own', () => {
    expect(statSync(csv).size).toBeGreaterThan(2 << 20);
  });

  it('writes the same register as reading in the writing thread, and records the file\'s sha256', async () => {
    const threaded = join(dir, 'threaded.sqlite');
    const r = foi(['import', csv, '--db', threaded]);
    expect(r.stderr).not.toMatch(/reading thread|Error/);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`big.csv (360giving-csv): ${ROWS.toLocaleString('en-GB')} grants; ${ROWS.toLocaleString('en-GB')} added, 0 changed, 0 unchanged`);

    const inline = join(dir, 'inline.sqlite');
    const db = openDatabase(inline, { create: true });
    try {
      const result = await importFiles(db, [csv]);
      expect(result.inserted).toBe(ROWS);
    } finally {
      db.close();
    }
    const a = listing(threaded);
    const b = listing(inline);
    expect(a.code).toBe(0);
    expect(a.stdout.split('\n').length).toBeGreaterThan(500);
    expect(a.stdout).toBe(b.stdout);
    expect(foi(['grants', '--db', threaded, '--text', 'community', '--totals-only']).stdout)
      .toBe(foi(['grants', '--db', inline, '--text', 'community', '--totals-only']).stdout);

    const sha = createHash('sha256').update(readFileSync(csv)).digest('hex');
    const check = openDatabase(threaded, { readonly: true });
    try {
      expect(check.prepare("SELECT file, file_sha256 FROM change_set WHERE kind = 'import'").all()).toEqual([{ file: 'big.csv', file_sha256: sha }]);
    } finally {
      check.close();
    }
    // The same file again: every grant unchanged, nothing written.
    const again = foi(['import', csv, '--db', threaded]);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain(`nothing changed, ${ROWS.toLocaleString('en-GB')} unchanged`);
    expect(again.stdout).toContain('The register is unchanged.');
  });

  it("a foi export (records with the register's definitions) read in the thread imports to the same listing", () => {
    const from = join(dir, 'threaded.sqlite');
    const out = join(dir, 'export.json');
    expect(foi(['export', '360giving', '--db', from, '--out', out]).code).toBe(0);
    expect(statSync(out).size).toBeGreaterThan(2 << 20);
    const to = join(dir, 'from-export.sqlite');
    const r = foi(['import', out, '--db', to]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`${ROWS.toLocaleString('en-GB')} added`);
    expect(listing(to).stdout).toBe(listing(from).stdout);
  });

  it('a bad value deep in the file: exit 1, the row and column named, nothing written', () => {
    const lines = readFileSync(csv, 'utf8').split('\r\n');
    const header = lines[0].split(',');
    const amount = header.indexOf('Amount Awarded');
    expect(amount).toBeGreaterThan(0);
    // Data row 6,500 is line 6,501 of the file (the header is row 1).
    const cells = lines[6500].split(',');
    expect(cells.length).toBe(header.length); // the generator quotes no commas in these columns
    cells[amount] = 'about £5k';
    lines[6500] = cells.join(',');
    const bad = join(dir, 'bad.csv');
    writeFileSync(bad, lines.join('\r\n'));

    const db = join(dir, 'bad.sqlite');
    expect(foi(['import', csv, '--db', db]).code).toBe(0);
    const before = foi(['grants', '--db', db, '--totals-only']).stdout;
    const r = foi(['import', bad, '--db', db]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('nothing was written to the register');
    expect(r.stderr).toMatch(/bad\.csv, row 6501, column "Amount Awarded"/);
    expect(r.stderr).toContain('about £5k');
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(foi(['grants', '--db', db, '--totals-only']).stdout).toBe(before);
  });
});
