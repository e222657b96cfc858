/**
 * `foi export 360giving` through bin/foi (issue 11): the package validates against the official
 * schema; MOPAC's multi-line grants are mapped faithfully and come back whole when the export is
 * imported into an empty register; the three real 360Giving files round-trip to identical grants;
 * the flattened CSV and XLSX; selection by criteria; deterministic bytes; errors.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { foi, json, tempDir } from '../helpers/cli.js';
import { packageErrors } from '../helpers/schema360.js';
import { openDatabase } from '../../src/db/open.js';
import { grantDetail } from '../../src/register/grant-detail.js';

const SHARED = fileURLToPath(new URL('../../../shared/data/360giving/', import.meta.url));
const newDb = (name = 'r.sqlite') => {
  const db = join(tempDir('foi-export-'), name);
  expect(foi(['init', '--db', db]).code).toBe(0);
  return db;
};

type Pkg = { version: string; grants: Record<string, any>[] };
type Listing = { count: number; totalPence: number; maximumPence: number; totals: unknown[]; rows: Record<string, unknown>[] };

const readPkg = (path: string): Pkg => JSON.parse(readFileSync(path, 'utf8')) as Pkg;
const listing = (args: string[]): Listing => json<Listing>(foi(['grants', '--format', 'json', '--include-superseded', ...args]));

/**
 * What says where a grant came from rather than what it is: the record as published and its
 * other keys (only a 360Giving import has them) and the register's history of it (which import
 * file, when), when the register keeps one.
 */
const PROVENANCE = ['published', 'extra', 'history'];

/** Every grant as `foi show --format json` gives it, without its provenance. */
function details(db: string | null, drop: string[] = PROVENANCE): Map<string, Record<string, unknown>> {
  const out = new Map<string, Record<string, unknown>>();
  const ids = [...new Set(listing(db ? ['--db', db] : []).rows.map((r) => r.id as string))];
  for (const id of ids) {
    const d = json<Record<string, unknown>>(foi(['show', id, '--format', 'json', ...(db ? ['--db', db] : [])]));
    for (const k of drop) delete d[k];
    out.set(id, d);
  }
  return out;
}

describe('the embedded MOPAC register as 360Giving', () => {
  const dir = tempDir('foi-export-mopac-');
  const out = join(dir, 'mopac.json');
  const r = foi(['export', '360giving', '--out', out, '--include-notes']);

  it('writes a package that validates against the official 360Giving package schema', () => {
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(`wrote ${out} (360Giving package): 14 grants, amounts awarded £9,185,760.81 (GBP), each checked against the 360Giving schema\n`);
    const pkg = readPkg(out);
    expect(pkg.version).toBe('1.4');
    expect(pkg.grants).toHaveLength(14);
    expect(packageErrors(pkg)).toEqual([]);
  });

  it('maps the multi-line grants faithfully: money lines in the foi extension, amountAwarded never adding unlike money', () => {
    const g = new Map(readPkg(out).grants.map((x) => [x.id, x]));
    // Yearly budgets with a revision: the budgets as first set (the revision re-profiles an underspend).
    const masip = g.get('360G-MOPAC-MASIP')!;
    expect(masip.amountAwarded).toBe(4158957.81);
    expect(masip.foi.derived.amountAwarded).toBe('not stated in the register: the sum of its yearly budgets as first set (a revised budget is a later change, and may carry money re-profiled from another year): money lines 1, 2 and 3, £4,158,957.81');
    expect(masip.awardDate).toBe('2017-04-01');
    expect(masip.foi.derived.awardDate).toContain('the start of its planned dates');
    expect(masip.foi.moneyLines.map((l: any) => [l.line, l.financialYear, l.basis, l.amount, l.superseded ?? false, l.supersedes ?? null])).toEqual([
      [1, '2017-18', 'budget', 139707, false, null],
      [2, '2018-19', 'budget', 2087431.81, false, null],
      [3, '2019-20', 'original', 1931819, true, null],
      [4, '2019-20', 'revised', 2089877.62, false, 3],
    ]);
    expect(masip.foi.moneyLines[3].footnote).toContain('3% efficiency requirement');
    expect(masip.foi.flags).toEqual([{ flag: 'non-ex-intimate', question: 'Provides services for non ex-intimate victims of stalking', value: 'y', evidence: 'All provide services to non ex intimate victims of stalking', source: 'FOI MASIP' }]);
    expect(masip.foi.partners).toHaveLength(7);
    expect(masip.foi.plannedPeriod).toBe('2017-18 to 2019-20');

    // Co-funding: the Home Office's grant, not the borough's match fund added to it.
    const remove = g.get('360G-MOPAC-FOI556-REMOVE')!;
    expect(remove.amountAwarded).toBe(209052);
    expect(remove.fundingOrganization).toEqual([{ id: '360G-MOPAC-ORG-home-office', name: 'Home Office' }]);
    expect(remove.recipientOrganization).toEqual([{ id: '360G-foi-not-stated', name: 'Not stated in the register' }]);
    expect(remove.foi.derived.recipientOrganization).toBe('not stated in the register: no recipient is recorded for this grant');
    expect(remove.foi.moneyLines.map((l: any) => [l.basis, l.amount, l.funder, l.stream])).toEqual([
      ['grant', 209052, '360G-MOPAC-ORG-home-office', 'Home Office Grant'],
      ['match', 130996, 'GB-LAE-BDG', 'LBBD Match Fund'],
    ]);
    expect(remove.foi.figures).toContainEqual({ measure: 'starts', label: 'Number of starts', financialYear: '2022-23', status: 'not held', wording: 'MOPAC does not hold this data', source: 'FOI 556' });
    expect(remove.foi.figures).toContainEqual({ measure: 'referrals', label: 'Number of referrals', financialYear: '2022-23', status: 'value', value: 116, source: 'FOI 556' });
    // Officers' notes only with --include-notes.
    expect(g.get('360G-MOPAC-FOI556-RESTART')!.foi.moneyLines[0].note).toContain('asterisk');

    // A stated award with "up to" maxima beside it: the award, the maxima as lines only.
    const slt = g.get('360G-MOPAC-SLT-ADVOCACY-2023')!;
    expect(slt.amountAwarded).toBe(490000);
    expect(slt.foi.derived?.amountAwarded).toBeUndefined();
    expect(slt.foi.moneyLines.map((l: any) => [l.basis, l.amount, l.financialYear ?? l.period.text])).toEqual([
      ['award', 490000, '2023 to 2025'], ['maximum', 240000, '2024-25'], ['maximum', 240000, '2025-26'],
    ]);
    expect(slt.foi.moneyLines[0].period).toEqual({ start: '2023-01-01', end: '2025-12-31', precision: 'year', text: '2023 to 2025' });

    // Allocations to boroughs: the stated award; the recipients are the lines' (there is no one recipient).
    const ivs = g.get('360G-MOPAC-DMPCD-2015-96-IVS')!;
    expect(ivs.amountAwarded).toBe(987813);
    expect(ivs.awardDate).toBe('2015-08-27');
    expect(ivs.recipientOrganization).toHaveLength(16);
    expect(ivs.recipientOrganization[11]).toEqual({ id: '360G-MOPAC-ORG-richmond-kingston', name: 'Richmond/Kingston' });
    expect(ivs.foi.derived.recipientOrganization).toBe('not stated in the register: the recipients of its money lines');
    expect(ivs.foi.organisations).toContainEqual({ id: '360G-MOPAC-ORG-tri-borough', name: 'Tri-borough', members: 'Hammersmith & Fulham, Kensington & Chelsea, Westminster' });
  });

  it('imported into an empty register gives the same grants, money lines, counts and totals', () => {
    const db = newDb();
    const imp = foi(['import', out, '--db', db]);
    expect(imp.code, imp.stderr).toBe(0);
    expect(imp.stdout).toContain('mopac.json (360giving-json): 14 grants; 14 added');
    const before = listing([]);
    const after = listing(['--db', db]);
    expect(after.count).toBe(before.count);
    expect(after.totalPence).toBe(before.totalPence);
    expect(after.maximumPence).toBe(before.maximumPence);
    expect(after.totals).toEqual(before.totals);
    expect(after.rows).toEqual(before.rows);
    expect(details(db)).toEqual(details(null));
    // The letters' queries still find them: themes, flags and years as before.
    for (const args of [['--fy', '2017-18', '--theme', 'stalking'], ['--fy', '2022-23', '--theme', 'domestic-abuse-perpetrators'], ['--flag', 'non-ex-intimate=y']]) {
      expect(listing(['--db', db, ...args])).toEqual(listing(args));
    }
  });

  it('leaves officers\' notes out unless asked, and is the same bytes every time', () => {
    const a = join(dir, 'a.json');
    const b = join(dir, 'b.json');
    expect(foi(['export', '360giving', '--out', a]).code).toBe(0);
    expect(foi(['export', '360giving', '--out', b]).code).toBe(0);
    expect(readFileSync(a).equals(readFileSync(b))).toBe(true);
    expect(readFileSync(a, 'utf8')).not.toContain('asterisk');
  });
});

describe('the real 360Giving files round-trip: import, export, import into a fresh register', () => {
  for (const [name, count, pence] of [
    ['andrew-lloyd-webber-foundation.360g.json', 475, 2_175_779_327],
    ['ab-charitable-trust.360g.json', 783, 1_278_562_500],
    ['lloyds-bank-foundation-2010-2015.360g.json', 4116, 11_579_563_569],
  ] as const) {
    const path = join(SHARED, name);
    const have = existsSync(path);
    if (!have) console.warn(`skipping the ${name} round trip: not found at ${path} (the shared data folder is not present)`);
    it.skipIf(!have)(`${name}: ${count} grants, identical published records and grants, a valid package`, () => {
      const first = newDb();
      expect(foi(['import', path, '--db', first]).code).toBe(0);
      const out = join(tempDir('foi-export-rt-'), 'out.json');
      const r = foi(['export', '360giving', '--db', first, '--out', out]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain(`${count.toLocaleString('en-GB')} grants`);
      const pkg = readPkg(out);
      expect(pkg.grants).toHaveLength(count);
      expect(packageErrors(pkg)).toEqual([]);
      const second = newDb();
      expect(foi(['import', out, '--db', second]).code).toBe(0);
      expect(listing(['--db', second]).totalPence).toBe(pence);
      // Every grant as `foi show --format json` gives it, the record as published included.
      const a = openDatabase(first, { readonly: true } as never);
      const b = openDatabase(second, { readonly: true } as never);
      try {
        const ids = a.prepare('SELECT id FROM grants ORDER BY id').pluck().all() as string[];
        expect(b.prepare('SELECT id FROM grants ORDER BY id').pluck().all()).toEqual(ids);
        // Everything but the history (which file and when): the record as published included.
        const detail = (db: typeof a, id: string) => {
          const d = grantDetail(db, id) as unknown as Record<string, unknown>;
          delete d.history;
          return JSON.stringify(d);
        };
        let differ = 0;
        for (const id of ids) if (detail(a, id) !== detail(b, id)) differ++;
        expect(differ).toBe(0);
      } finally {
        a.close();
        b.close();
      }
      const someId = pkg.grants[0].id as string;
      const shown = (db: string) => {
        const d = json<Record<string, unknown>>(foi(['show', someId, '--db', db, '--format', 'json']));
        delete d.history;
        return d;
      };
      expect(shown(second)).toEqual(shown(first));
    });
  }

  it('a record whose published form breaks the schema is exported valid, with the published values in foi.asPublished', () => {
    const db = newDb();
    expect(foi(['import', join(ROOT_FIXTURES, '360giving', 'hand', 'schema-tiers.json'), '--db', db]).code).toBe(0);
    const out = join(tempDir('foi-export-tiers-'), 'tiers.json');
    expect(foi(['export', '360giving', '--db', db, '--out', out]).code).toBe(0);
    const pkg = readPkg(out);
    expect(packageErrors(pkg)).toEqual([]);
    const g = pkg.grants[0];
    expect(g.fromOpenCall).toBe('Yes');
    expect(g.url).toBeUndefined();
    expect(g.foi.asPublished).toMatchObject({ fromOpenCall: 'Y', url: 'www.example.org/grant/1', dateModified: '2019-06-01' });
    expect(pkg.grants[1].currency).toBe('GBP');
    expect(pkg.grants[1].foi.asPublished.currency).toBe('gbp');
    // Imported again: the record exactly as first published.
    const again = newDb();
    expect(foi(['import', out, '--db', again]).code).toBe(0);
    const source = JSON.parse(readFileSync(join(ROOT_FIXTURES, '360giving', 'hand', 'schema-tiers.json'), 'utf8')).grants;
    expect(json<any>(foi(['show', '360G-TIER-1', '--db', again, '--format', 'json'])).published.record).toEqual(source[0]);
  });
});

const ROOT_FIXTURES = fileURLToPath(new URL('../fixtures/', import.meta.url));

describe('the flattened form', () => {
  it('CSV and XLSX with the standard column titles; each imports with the same counts and totals', async () => {
    const dir = tempDir('foi-export-flat-');
    const csv = join(dir, 'mopac.csv');
    const xlsx = join(dir, 'mopac.xlsx');
    expect(foi(['export', '360giving', '--out', csv]).stdout).toContain('(360Giving flattened CSV): 14 grants');
    expect(foi(['export', '360giving', '--out', xlsx]).stdout).toContain('(360Giving flattened XLSX): 14 grants');
    const header = readFileSync(csv, 'utf8').split('\r\n')[0].split(',');
    expect(header.slice(0, 8)).toEqual(['Identifier', 'Title', 'Description', 'Currency', 'Amount Awarded', 'Award Date', 'Planned Dates:Start Date', 'Planned Dates:End Date']);
    expect(header).toContain('Recipient Org:Identifier');
    expect(header).toContain('Recipient Org:15:Name');
    expect(header).toContain('Beneficiary Location:1:Name');
    expect(header[header.length - 1]).toBe('foi');
    const before = listing([]);
    for (const file of [csv, xlsx]) {
      const db = newDb();
      const r = foi(['import', file, '--db', db]);
      expect(r.code, r.stderr).toBe(0);
      const after = listing(['--db', db]);
      expect([after.count, after.totalPence, after.maximumPence]).toEqual([before.count, before.totalPence, before.maximumPence]);
    }
    // The workbook: amounts are numbers, and a spreadsheet reader sees the same header.
    const { ZipArchive } = await import('../../src/render/deterministic-zip.js');
    const sheet = Buffer.from(ZipArchive.read(new Uint8Array(readFileSync(xlsx))).get('xl/worksheets/sheet1.xml')).toString('utf8');
    expect(sheet).toMatch(/<c r="E2" s="\d+"><v>4158957.81<\/v><\/c>/);
    // Same bytes each time.
    const again = join(dir, 'again.xlsx');
    expect(foi(['export', '360giving', '--out', again]).code).toBe(0);
    expect(readFileSync(again).equals(readFileSync(xlsx))).toBe(true);
  });
});

describe('selection, completeness and errors', () => {
  it('the criteria of foi grants select grants, each exported whole', () => {
    const out = join(tempDir('foi-export-sel-'), 'dapp.json');
    const r = foi(['export', '360giving', '--out', out, '--fy', '2022-23', '--theme', 'domestic-abuse-perpetrators']);
    expect(r.code, r.stderr).toBe(0);
    const pkg = readPkg(out);
    expect(pkg.grants.map((g) => g.id)).toEqual([
      '360G-MOPAC-FOI556-REMOVE', '360G-MOPAC-FOI556-GREENWICH', '360G-MOPAC-FOI556-SPOTLIGHT', '360G-MOPAC-FOI556-DRIVE-SOUTH',
      '360G-MOPAC-FOI556-RESTART', '360G-MOPAC-FOI556-CIFA', '360G-MOPAC-FOI556-SAFE-TOGETHER',
    ]);
    const slt = join(tempDir('foi-export-sel-'), 'slt.json');
    expect(foi(['export', '360giving', '--out', slt, '--recipient', 'Suzy Lamplugh', '--fy', '2024-25']).code).toBe(0);
    // Matched by its 2024-25 "up to" line; exported with all three lines.
    const g = readPkg(slt).grants;
    expect(g.map((x) => x.id)).toEqual(['360G-MOPAC-SLT-ADVOCACY-2023']);
    expect(g[0].foi.moneyLines).toHaveLength(3);
  });

  it('a grant the standard cannot express without inventing a figure fails the export, naming it; --skip-incomplete leaves it out', () => {
    const dir = tempDir('foi-export-inc-');
    const yaml = join(dir, 'ceiling.yaml');
    writeFileSync(yaml, [
      'format: foi-register/1',
      'sources: [{ ref: T 1, kind: decision, title: Test decision }]',
      'organisations: [{ id: 360G-T-ORG-a, name: Funder A }, { id: 360G-T-ORG-b, name: Charity B }]',
      'grants:',
      '  - { id: 360G-T-CEILING, title: Up to grant, description: A ceiling only, funder: 360G-T-ORG-a, recipient: 360G-T-ORG-b, source: T 1,',
      '      allocations: [{ seq: 1, fy: 2024-25, amount: "£10,000", basis: maximum }] }',
      '  - { id: 360G-T-OK, title: Fine grant, amount: "£5,000", awardDate: 2024-05-01, funder: 360G-T-ORG-a, recipient: 360G-T-ORG-b, source: T 1 }',
      '',
    ].join('\n'));
    const db = newDb();
    expect(foi(['import', yaml, '--db', db]).code).toBe(0);
    const out = join(dir, 'out.json');
    writeFileSync(out, 'the previous export\n');
    const r = foi(['export', '360giving', '--db', db, '--out', out]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('foi: 1 grant cannot be exported as 360Giving without inventing what the register does not hold; nothing was written');
    expect(r.stderr).toContain('360G-T-CEILING: amountAwarded: the register states no amount awarded, and its money lines are all "up to" amounts (ceilings, not money awarded)');
    expect(r.stderr).toContain('(--skip-incomplete leaves them out and writes the rest)');
    expect(readFileSync(out, 'utf8')).toBe('the previous export\n');

    const r2 = foi(['export', '360giving', '--db', db, '--out', out, '--skip-incomplete']);
    expect(r2.code, r2.stderr).toBe(0);
    expect(r2.stderr).toContain('foi: left out 360G-T-CEILING: amountAwarded:');
    const pkg = readPkg(out);
    expect(packageErrors(pkg)).toEqual([]);
    expect(pkg.grants.map((g) => g.id)).toEqual(['360G-T-OK']);
    // No description in the register: an empty one, and the extension says so.
    expect(pkg.grants[0].description).toBe('');
    expect(pkg.grants[0].foi.derived.description).toContain('not stated in the register');
  });

  it('usage errors and an empty selection write nothing', () => {
    const dir = tempDir('foi-export-err-');
    expect(foi(['export', 'iati', '--out', join(dir, 'x.json')]).code).toBe(2);
    const mismatch = foi(['export', '360giving', '--out', join(dir, 'x.json'), '--format', 'csv']);
    expect(mismatch.code).toBe(2);
    expect(mismatch.stderr).toContain('--format csv but --out');
    const none = foi(['export', '360giving', '--out', join(dir, 'none.json'), '--fy', '1999-00']);
    expect(none.code).toBe(1);
    expect(none.stderr).toContain('no grants match the criteria; nothing was written');
    expect(existsSync(join(dir, 'none.json'))).toBe(false);
  });
});
