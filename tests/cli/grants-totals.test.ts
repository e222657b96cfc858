/**
 * `foi grants --totals-only` (count and totals without the rows) and the streamed CSV listing,
 * through bin/foi: the same figures as the full listing, in every format, with what the totals
 * leave out (maxima, a line over years not asked for, other currencies, withdrawn grants).
 */
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, foi, json, tempDir } from '../helpers/cli.js';

interface Listed {
  count: number; totalPence: number; maximumPence: number; totals: unknown[]; notInTotal: unknown[];
  rows: { amountPence: number | null; superseded: boolean }[];
}

/** The totals `--totals-only --format json` gives, and the same worked out from the full JSON listing. */
function both(args: string[]): { totals: Record<string, unknown>; fromRows: Record<string, unknown> } {
  const totals = json(foi(['grants', ...args, '--totals-only', '--format', 'json']));
  const l = json(foi(['grants', ...args, '--format', 'json'])) as Listed;
  return {
    totals,
    fromRows: {
      count: l.count, totalPence: l.totalPence, maximumPence: l.maximumPence, totals: l.totals, notInTotal: l.notInTotal,
      rowsWithoutAmount: l.rows.filter((r) => r.amountPence === null).length, superseded: l.rows.filter((r) => r.superseded).length,
    },
  };
}

describe('foi grants --totals-only', () => {
  it('gives the listing\'s own count and totals, for any criteria', () => {
    for (const args of [
      [], ['--fy', '2023-24', '--recipient', 'Suzy Lamplugh'], ['--fy', '2022-23..2025-26', '--recipient', 'Suzy Lamplugh'],
      ['--fy', '2017-18', '--fy', '2019-20'], ['--text', 'stalking'], ['--fy', '2022-23', '--theme', 'domestic-abuse-perpetrators'],
      ['--include-superseded'], ['--funder', 'Home Office', '--min', '100000'], ['--fy', '2030-31'],
      // Criteria of every kind together (each plan of src/register/totals-plan.ts is tested in tests/register/totals-plan.test.ts).
      ['--active-in', '2023-24'], ['--flag', 'non-ex-intimate=y', '--theme', 'stalking'], ['--fy', '2017-18..2019-20', '--text', 'victims', '--funder', 'MOPAC'],
      ['--text', 'stalking', '--recipient', 'Suzy', '--active-in', '2022-23'], ['--programme', 'Violence', '--include-withdrawn'], ['--max', '500000', '--fy', '2018-19'],
    ]) {
      const { totals, fromRows } = both(args);
      expect(totals, args.join(' ')).toEqual(fromRows);
    }
  });

  it('says what the total leaves out, in words', () => {
    const r = foi(['grants', '--fy', '2023-24', '--recipient', 'Suzy Lamplugh', '--totals-only']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe([
      '1 row',
      'Total: £0, the stated amounts counted.',
      'Not in the total: £490,000 for 2023 to 2025 (360G-MOPAC-SLT-ADVOCACY-2023 line 1), which covers years not asked for and is not split by year.',
      '',
    ].join('\n'));
    const all = foi(['grants', '--fy', '2022-23..2025-26', '--recipient', 'Suzy Lamplugh', '--totals-only']);
    expect(all.stdout).toContain('Total: £490,000, the stated amounts counted.');
    expect(all.stdout).toContain('Not in the total: up to £480,000 in "up to" amounts (maxima, not sums awarded).');
    expect(foi(['grants', '--fy', '2030-31', '--totals-only']).stdout).toBe('0 rows\nNo grants matched.\n');
  });

  it('as CSV: one line per currency, amounts in pounds', () => {
    const r = foi(['grants', '--fy', '2022-23..2025-26', '--recipient', 'Suzy Lamplugh', '--totals-only', '--format', 'csv']);
    const { totals } = both(['--fy', '2022-23..2025-26', '--recipient', 'Suzy Lamplugh']);
    expect(r.stdout).toBe(`Rows,Rows without amount,Currency,Total,Up to (not in total),Other years (not in total)\r\n${totals.count},0,GBP,490000.00,480000.00,0.00\r\n`);
  });

  it('keeps currencies apart and leaves withdrawn grants out, as the listing does', () => {
    const dir = tempDir('foi-totals-');
    const db = join(dir, 'r.sqlite');
    const full = join(dir, 'register.yaml');
    copyFileSync(join(ROOT, 'data', 'mopac-register.yaml'), full);
    expect(foi(['import', '--db', db, full]).code).toBe(0);
    expect(foi(['import', '--db', db, join(ROOT, 'tests', 'fixtures', '360giving', 'hand', 'usd.json')]).code).toBe(0);
    const text = readFileSync(full, 'utf8');
    writeFileSync(full, text.slice(0, text.indexOf('  - id: 360G-MOPAC-FOI556-RESTART')) + text.slice(text.indexOf('  - id: 360G-MOPAC-FOI556-CIFA')));
    expect(foi(['import', '--db', db, full, '--prune']).code).toBe(0);
    for (const args of [['--fy', '2019-20'], ['--fy', '2022-23'], ['--fy', '2022-23', '--include-withdrawn'], []]) {
      const { totals, fromRows } = both(['--db', db, ...args]);
      expect(totals, args.join(' ')).toEqual(fromRows);
    }
    const usd = json(foi(['grants', '--db', db, '--fy', '2019-20', '--totals-only', '--format', 'json']));
    expect(usd.totals).toEqual([
      { currency: 'GBP', totalPence: 219593062, maximumPence: 0, outsidePence: 0 },
      { currency: 'USD', totalPence: 250050, maximumPence: 0, outsidePence: 0 },
    ]);
    expect(foi(['grants', '--db', db, '--fy', '2019-20', '--totals-only']).stdout).toContain('Amounts in different currencies are never added together.');
    const withdrawn = json(foi(['grants', '--db', db, '--fy', '2022-23', '--theme', 'domestic-abuse-perpetrators', '--totals-only', '--format', 'json']));
    const kept = json(foi(['grants', '--db', db, '--fy', '2022-23', '--theme', 'domestic-abuse-perpetrators', '--include-withdrawn', '--totals-only', '--format', 'json']));
    expect([withdrawn.count, kept.count]).toEqual([12, 14]);
  });

  it('writes to --out atomically and says what it wrote; a workbook of totals is a usage error', () => {
    const dir = tempDir('foi-totals-out-');
    const out = join(dir, 'totals.json');
    const r = foi(['grants', '--fy', '2022-23..2025-26', '--recipient', 'Suzy Lamplugh', '--totals-only', '--format', 'json', '--out', out]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^wrote .*totals\.json: \d+ rows, total £490,000\n$/);
    expect(JSON.parse(readFileSync(out, 'utf8')).totalPence).toBe(49000000);
    const x = foi(['grants', '--totals-only', '--format', 'xlsx', '--out', join(dir, 't.xlsx')]);
    expect(x.code).toBe(2);
    expect(x.stderr).toBe('foi: --totals-only prints the count and totals; a workbook (--format xlsx) holds the rows: use one or the other\n');
  });
});

describe('foi grants --format csv', () => {
  it('streams the rows in order, the same to a file (--out) as to stdout', () => {
    const dir = tempDir('foi-csv-');
    for (const order of ['year', 'name', 'register', 'amount']) {
      const printed = foi(['grants', '--order', order, '--format', 'csv', '--include-superseded']);
      expect(printed.code).toBe(0);
      const lines = printed.stdout.split('\r\n');
      expect(lines[0]).toBe('FY,Grant,Recipient,Funder,Amount,Currency,Amount status,In total,Basis,Source,ID');
      const listed = json(foi(['grants', '--order', order, '--format', 'json', '--include-superseded']));
      expect(lines.length - 2).toBe(listed.count);
      // Row for row the JSON listing's order and figures.
      expect(lines.slice(1, -1).map((l) => l.split(',').at(-1))).toEqual(listed.rows.map((r: { id: string }) => r.id));
      const out = join(dir, `${order}.csv`);
      const w = foi(['grants', '--order', order, '--format', 'csv', '--include-superseded', '--out', out]);
      expect(w.stdout).toBe(`wrote ${out}: ${listed.count} rows, total ${foi(['grants', '--include-superseded', '--totals-only']).stdout.match(/Total: (£[\d,.]+), the/)![1]}\n`);
      expect(readFileSync(out, 'utf8')).toBe(printed.stdout);
    }
  });
});
