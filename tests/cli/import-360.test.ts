/**
 * Faithful 360Giving records through bin/foi (issue 8): schema tiers and --report, each grant's
 * own organisation details, classifications, currencies, encodings, CSV line ends and
 * separators, and amounts in the register's own YAML/JSON.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIXTURES, foi, json, tempDir } from '../helpers/cli.js';

const HAND = join(FIXTURES, '360giving', 'hand');
const ENC = join(FIXTURES, 'encodings');
const newDb = () => join(tempDir('foi-360-'), 'r.sqlite');

type Report = {
  format: string;
  items: { tier: string; file: string; location: string; column: string | null; value: string | null; message: string }[];
  counts: Record<string, number>;
  summary: { outcome: string; inserted: number };
};

describe('the 360Giving schema, in tiers', () => {
  it('imports records whose schema problems foi can read or does not depend on, says so by kind, and keeps the values as published', () => {
    const db = newDb();
    const report = join(tempDir(), 'report.json');
    const r = foi(['import', join(HAND, 'schema-tiers.json'), '--db', db, '--report', report]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('schema-tiers.json (360giving-json): 2 grants; 2 added');
    expect(r.stderr).toContain('6 warnings (imported anyway; the register keeps every value as published):');
    expect(r.stderr).toContain('schema: schema-tiers.json, grants[0], column "fromOpenCall": 360Giving schema: expected "Yes" or "No"; read as "Yes" (value: "Y")');
    expect(r.stderr).toContain('schema: schema-tiers.json, grants[0], column "url": 360Giving schema: not a URI: a web address must be written in full, with its scheme (https://www.example.org/); kept as published (value: "www.example.org/grant/1")');
    expect(r.stderr).toContain('schema: schema-tiers.json, grants[1], column "currency": 360Giving schema: not an ISO 4217 currency code as the schema lists them (upper case, e.g. GBP); read as "GBP" (value: "gbp")');

    const rep = JSON.parse(readFileSync(report, 'utf8')) as Report;
    expect(rep.format).toBe('foi-import-report/1');
    expect(rep.summary.outcome).toBe('imported');
    expect(rep.counts).toEqual({ error: 0, 'schema-warning': 6, 'quality-notice': 0, normalised: 0 });
    expect(rep.items.map((i) => [i.tier, i.location, i.column, i.value])).toEqual([
      ['schema-warning', 'grants[0]', 'url', 'www.example.org/grant/1'],
      ['schema-warning', 'grants[0]', 'recipientOrganization[0].url', 'charityone.org.uk'],
      ['schema-warning', 'grants[0]', 'fromOpenCall', 'Y'],
      ['schema-warning', 'grants[0]', 'dateModified', '2019-06-01'],
      ['schema-warning', 'grants[1]', 'currency', 'gbp'],
      ['schema-warning', 'grants[1]', 'beneficiaryLocation[0].countryCode', 'gb'],
    ]);

    // Never silently rewritten: the record as published, with foi's reading beside it.
    const d = json<{ fromOpenCall: string; currency: string; published: { record: Record<string, unknown> } }>(foi(['show', '360G-TIER-1', '--db', db, '--format', 'json']));
    expect(d.fromOpenCall).toBe('y');
    expect(d.published.record.fromOpenCall).toBe('Y');
    expect(d.published.record.url).toBe('www.example.org/grant/1');
    expect(d.published.record.relatedActivity).toEqual(['360G-TIER-0']);
    const source = JSON.parse(readFileSync(join(HAND, 'schema-tiers.json'), 'utf8')).grants;
    expect(d.published.record).toEqual(source[0]);
    const d2 = json<{ currency: string; published: { record: Record<string, unknown> } }>(foi(['show', '360G-TIER-2', '--db', db, '--format', 'json']));
    expect(d2.currency).toBe('GBP');
    expect(d2.published.record).toEqual(source[1]);
  });

  it('schema errors foi cannot read fail the import, write nothing, and --report still lists every problem (atomically)', () => {
    const db = newDb();
    const dir = tempDir();
    const report = join(dir, 'report.json');
    writeFileSync(report, 'the old report\n');
    const r = foi(['import', join(HAND, 'schema-unusable.json'), '--db', db, '--report', report]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('foi: import failed: 2 errors; nothing was written to the register');
    expect(r.stderr).toContain('schema-unusable.json, grants[0], column "title": the grant has no title; the 360Giving standard requires one');
    expect(r.stderr).toContain('schema-unusable.json, grants[1], column "amountAwarded": amount awarded must be a JSON number (no £ sign or commas), got text "12,000"');
    expect(r.stderr).toContain(`(every problem found is listed in ${report})`);
    const rep = JSON.parse(readFileSync(report, 'utf8')) as Report;
    expect(rep.summary.outcome).toBe('failed');
    expect(rep.items.map((i) => [i.tier, i.location, i.column])).toEqual([
      ['error', 'grants[0]', 'title'],
      ['schema-warning', 'grants[0]', 'url'],
      ['error', 'grants[1]', 'amountAwarded'],
    ]);
    expect(json<{ count: number }>(foi(['grants', '--db', db, '--format', 'json'])).count).toBe(0);
  });
});

describe("each grant's own organisation details", () => {
  it('shows and lists the recipient as each grant published it, though both files use one org-id; --recipient finds either name', () => {
    const db = newDb();
    const r = foi(['import', join(HAND, 'org-as-published-a.json'), join(HAND, 'org-as-published-b.json'), '--db', db]);
    expect(r.code, r.stderr).toBe(0);
    const rows = json<{ rows: { id: string; recipient: string; recipientId: string }[] }>(foi(['grants', '--db', db, '--format', 'json'])).rows;
    expect(rows.map((x) => [x.id, x.recipientId, x.recipient])).toEqual([
      ['360G-ORG-A1', 'GB-CHC-2000002', "Leeds Women's Aid"],
      ['360G-ORG-B1', 'GB-CHC-2000002', "Women's Aid Leeds (renamed)"],
    ]);
    type Shown = { recipient: { name: string }; published: { organisations: Record<string, unknown>[] } };
    const a = json<Shown>(foi(['show', '360G-ORG-A1', '--db', db, '--format', 'json']));
    expect(a.recipient.name).toBe("Leeds Women's Aid");
    expect(a.published.organisations[0]).toEqual({ role: 'recipient', id: 'GB-CHC-2000002', name: "Leeds Women's Aid", charityNumber: '2000002', streetAddress: '2 Park Row', postalCode: 'LS1 2AB' });
    const b = json<Shown>(foi(['show', '360G-ORG-B1', '--db', db, '--format', 'json']));
    expect(b.published.organisations[0]).toEqual({ role: 'recipient', id: 'GB-CHC-2000002', name: "Women's Aid Leeds (renamed)", charityNumber: '2000002X', addressRegion: 'West Yorkshire', addressCountry: 'England' });
    const table = foi(['show', '360G-ORG-A1', '--db', db]);
    expect(table.stdout).toMatch(/Recipient +Leeds Women's Aid \(GB-CHC-2000002\)/);
    expect(table.stdout).toMatch(/Recipient as published +Leeds Women's Aid \(GB-CHC-2000002\); charityNumber: 2000002; streetAddress: 2 Park Row; postalCode: LS1 2AB/);
    // The organisation is one: either name it was published under finds its grants.
    for (const name of ['Leeds Women', 'renamed']) {
      expect(json<{ count: number }>(foi(['grants', '--db', db, '--recipient', name, '--format', 'json'])).count).toBe(2);
    }
  });

  it('a letter names the recipient as the grant published it', () => {
    const db = newDb();
    expect(foi(['import', join(HAND, 'org-as-published-a.json'), join(HAND, 'org-as-published-b.json'), '--db', db]).code).toBe(0);
    const out = tempDir();
    const r = foi(['answer', '--db', db, '--ref', 'FOI 1', '--received', '2024-01-02', '--response-date', '2024-01-10', '--fy', '2019-20..2020-21',
      '--columns', 'grant,recipient,amount', '--outcome', 'held', '--md-only', '--no-input', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    const md = readFileSync(join(out, 'FOI-1.md'), 'utf8');
    expect(md).toContain("Leeds Women's Aid");
    expect(md).toContain("Women's Aid Leeds (renamed)");
  });
});

describe('classifications and other published fields', () => {
  it('foi show lists classifications, codes, addresses and web addresses; --classification filters by code or title', () => {
    const db = newDb();
    expect(foi(['import', join(HAND, 'schema-tiers.json'), '--db', db]).code).toBe(0);
    const show = foi(['show', '360G-TIER-1', '--db', db]).stdout;
    expect(show).toMatch(/Classification +Stalking advocacy; code STALK-1; vocabulary TestVocab/);
    expect(show).toMatch(/Beneficiary location +Leeds: GB, E08000035 \(LAD\)/);
    expect(show).toMatch(/Grant programme +code: SV; title: Safer Streets; url: https:\/\/example\.org\/programmes\/sv/);
    expect(show).toMatch(/Recipient as published +Charity One \(GB-CHC-1000001\); streetAddress: 1 High Street; addressLocality: Leeds; postalCode: LS1 1AA; url: charityone\.org\.uk; organisationType: Registered Charity/);
    expect(show).toMatch(/Amount applied for +£15,000/);
    expect(show).toMatch(/Amount disbursed +£11,000\.50/);
    expect(show).toMatch(/Published relatedActivity +\["360G-TIER-0"\]/);
    const ids = (args: string[]) => json<{ rows: { id: string }[] }>(foi(['grants', '--db', db, '--format', 'json', ...args])).rows.map((x) => x.id);
    expect(ids(['--classification', 'stalk-1'])).toEqual(['360G-TIER-1']);
    expect(ids(['--classification', 'Domestic'])).toEqual(['360G-TIER-2']);
    expect(ids(['--classification', 'TestVocab'])).toEqual([]);
    expect(ids(['--classification', 'STALK-1', '--classification', 'Domestic'])).toEqual([]);
  });
});

describe('currencies', () => {
  it('a USD file is stored as USD, amounts in cents, with the money line in USD', () => {
    const db = newDb();
    expect(foi(['import', join(HAND, 'usd.json'), '--db', db]).code).toBe(0);
    const d = json<{ currency: string; amountAwardedPence: number; allocations: { amountPence: number }[]; published: { record: { currency: string; amountAwarded: number } } }>(
      foi(['show', '360G-USD-1', '--db', db, '--format', 'json']));
    expect([d.currency, d.amountAwardedPence, d.allocations[0].amountPence]).toEqual(['USD', 250050, 250050]);
    expect(d.published.record).toMatchObject({ currency: 'USD', amountAwarded: 2500.5 });
  });
});

describe('encodings', () => {
  for (const [name, byte, shown] of [['windows-1252.json', 67, '0xE9'], ['windows-1252.yaml', 71, '0xE9'], ['windows-1252.csv', 163, '0xE9']] as const) {
    it(`${name}: not UTF-8 is an error with the byte and a hint; --encoding windows-1252 imports it`, () => {
      const db = newDb();
      const r = foi(['import', join(ENC, name), '--db', db]);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`${name}, byte ${byte}: the file is not UTF-8 text (bytes ${shown}`);
      expect(r.stderr).toContain('(0xE9 is "é" in Windows-1252)');
      expect(r.stderr).toContain('or import it with --encoding windows-1252');
      const ok = foi(['import', join(ENC, name), '--db', db, '--encoding', 'windows-1252']);
      expect(ok.code, ok.stderr).toBe(0);
      const rows = json<{ rows: { title: string; recipient: string }[] }>(foi(['grants', '--db', db, '--format', 'json'])).rows;
      expect(rows.map((x) => x.recipient)).toContain('Café Society');
      expect(rows.some((x) => x.title.startsWith('Café'))).toBe(true);
      expect(JSON.stringify(rows)).not.toContain('\uFFFD');
    });
  }

  it('the £ of a Windows-1252 file arrives as £', () => {
    const db = newDb();
    expect(foi(['import', join(ENC, 'windows-1252.json'), '--db', db, '--encoding', 'windows-1252']).code).toBe(0);
    expect(json<{ title: string }>(foi(['show', '360G-ENC-1', '--db', db, '--format', 'json'])).title).toBe('Café £5k fund');
  });

  it('an unknown --encoding is a usage error', () => {
    const r = foi(['import', join(ENC, 'windows-1252.json'), '--db', newDb(), '--encoding', 'klingon']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--encoding "klingon": not an encoding this Node knows');
  });

  it('a U+FFFD already in a UTF-8 file is the publisher\'s: kept, with a notice naming the byte', () => {
    const db = newDb();
    const r = foi(['import', join(ENC, 'replacement-char.json'), '--db', db]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('replacement-char.json, byte 68: the file contains the replacement character U+FFFD');
    expect(json<{ title: string }>(foi(['show', '360G-FFFD-1', '--db', db, '--format', 'json'])).title).toBe('Caf\uFFFD grant');
  });
});

describe('CSV line ends and separators', () => {
  it('a CR-only file (old Mac Excel) is read as rows', () => {
    const db = newDb();
    const r = foi(['import', join(ENC, 'cr-only.csv'), '--db', db]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('cr-only.csv (360giving-csv): 2 grants; 2 added');
    expect(json<{ count: number; totalPence: number }>(foi(['grants', '--db', db, '--format', 'json']))).toMatchObject({ count: 2, totalPence: 175000 });
  });

  it('a semicolon-separated file gets an error that says so, and how to fix it', () => {
    const r = foi(['import', join(ENC, 'semicolons.csv'), '--db', newDb()]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('semicolons.csv, row 1: the header is one column holding semicolons');
    expect(r.stderr).toContain('the file is separated by semicolons, not commas; save it as CSV with commas');
  });

  it('a header with no rows is an error: importing nothing is never a silent success', () => {
    const r = foi(['import', join(ENC, 'header-only.csv'), '--db', newDb()]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('header-only.csv, row 1: the file has a header row but no grants under it');
  });

  it('an empty 360Giving grants list is an error too', () => {
    const file = join(tempDir(), 'empty.json');
    writeFileSync(file, '{"grants": []}');
    const r = foi(['import', file, '--db', newDb()]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('empty.json, grants: the grants list is empty: there is nothing to import');
  });
});

describe("amounts in the register's own YAML and JSON", () => {
  it('unquoted 0x10, 1e3, 0o17 and .inf are rejected with their line; quoted or plain amounts are read', () => {
    const dir = tempDir();
    const file = join(dir, 'amounts.yaml');
    writeFileSync(file, [
      'format: foi-register/1',
      'organisations: [{ id: 360G-X-ORG, name: Org }]',
      'grants:',
      '  - { id: G1, title: Hex, recipient: 360G-X-ORG, amount: 0x10 }',
      '  - { id: G2, title: Exp, recipient: 360G-X-ORG, amount: 1e3 }',
      '  - { id: G3, title: Oct, recipient: 360G-X-ORG, amount: 0o17 }',
      '  - { id: G4, title: Inf, recipient: 360G-X-ORG, amount: .inf }',
      '  - { id: G5, title: Fine, recipient: 360G-X-ORG, amount: 1234.50 }',
      '  - { id: G6, title: Quoted, recipient: 360G-X-ORG, amount: "£1,000" }',
    ].join('\n') + '\n');
    const r = foi(['import', file, '--db', join(dir, 'r.sqlite')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('foi: import failed: 4 errors');
    expect(r.stderr).toContain('amounts.yaml, grants[0].amount (line 4), column "amount": an amount is written as the source writes it: 0x10 is read as the number 16; quote it, e.g. "£1,000" (value: "0x10")');
    expect(r.stderr).toContain('grants[1].amount (line 5), column "amount": an amount is written as the source writes it: 1e3 is read as the number 1000');
    expect(r.stderr).toContain('grants[2].amount (line 6), column "amount": an amount is written as the source writes it: 0o17 is read as the number 15');
    expect(r.stderr).toContain('grants[3].amount (line 7), column "amount": an amount is written as the source writes it: .inf is read as the number Infinity');
    expect(r.stderr).not.toContain('grants[4]');
    expect(r.stderr).not.toContain('grants[5]');
  });

  it('a JSON number with an exponent is rejected the same way', () => {
    const dir = tempDir();
    const file = join(dir, 'amounts.json');
    writeFileSync(file, JSON.stringify({ format: 'foi-register/1', organisations: [{ id: '360G-X-ORG', name: 'Org' }], grants: [{ id: 'G1', title: 'T', recipient: '360G-X-ORG', amount: 1 }] }).replace('"amount":1', '"amount":1e3'));
    const r = foi(['import', file, '--db', join(dir, 'r.sqlite')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('an amount is written as the source writes it: 1e3 is read as the number 1000; quote it');
  });
});
