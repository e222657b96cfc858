/**
 * Findings of a new user's review, each through bin/foi: terminal tables line up by display width
 * (CJK, emoji, combining marks); bidirectional overrides from data reach no table, letter, CSV or
 * workbook; letter and listing CSVs drop the control characters letters drop; the import's change
 * report is shown for the terminal; a lookup that fails is exit 1, not a usage error; `foi batch`
 * writes each letter's files all or none.
 */
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { strFromU8, unzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { displayWidth } from '../../src/output/display-width.js';
import { foi, tempDir } from '../helpers/cli.js';

/** What no output may carry: C0 but tab and line feed, DEL, C1, bidi embeddings, overrides and isolates. */
const FORBIDDEN = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;
const BIDI = /[\u202a-\u202e\u2066-\u2069]/;

interface Grant { id: string; title: string; recipient: string; amount: number }

const GRANTS: Grant[] = [
  { id: '360G-U-1', title: '東京の被害者支援サービス', recipient: '日本語の団体', amount: 1500 },
  { id: '360G-U-2', title: 'Café support 🎉 for victims', recipient: 'Zoe\u0301 Trust', amount: 250000 },
  { id: '360G-U-3', title: 'Plain \u202eevil title\u202c two\r\nlines', recipient: 'Evil \u202egnissecorp\u202c Ltd\u2067\u2069', amount: 75 },
  { id: '360G-U-4', title: '=HYPERLINK("http://e.x")\u0001', recipient: 'Ctrl\u001b[31m Org\u009b\u007f', amount: 10 },
];

function writePackage(path: string, grants: Grant[]): void {
  writeFileSync(path, JSON.stringify({
    grants: grants.map((g, i) => ({
      id: g.id, title: g.title, description: 'd', currency: 'GBP', amountAwarded: g.amount, awardDate: `2019-05-0${i + 1}`,
      recipientOrganization: [{ id: `GB-CHC-${i + 1}`, name: g.recipient }],
      fundingOrganization: [{ id: 'GB-CHC-99', name: 'Funder' }],
    })),
  }));
}

function register(): { dir: string; db: string } {
  const dir = tempDir('foi-unicode-');
  const db = join(dir, 'r.sqlite');
  writePackage(join(dir, 'grants.json'), GRANTS);
  expect(foi(['init', '--db', db]).code).toBe(0);
  const r = foi(['import', '--db', db, join(dir, 'grants.json')]);
  expect([r.code, r.stderr]).toEqual([0, '']);
  return { dir, db };
}

function request(dir: string, name: string, lines: string[]): string {
  const path = join(dir, name);
  writeFileSync(path, lines.join('\n') + '\n');
  return path;
}

/** Display columns before `text` in `line`. */
const columnOf = (line: string, text: string) => displayWidth(line.slice(0, line.indexOf(text)));

describe('terminal tables line up by display width', () => {
  it('foi grants: wide text, emoji and combining marks keep every later column in place; bidi controls never reach the terminal', () => {
    const { db } = register();
    const r = foi(['grants', '--db', db, '--fy', '2019-20', '--order', 'register']);
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe('FY       Grant                        Recipient            Funder    Amount  Basis  Source  ID');
    expect(lines[2]).toBe('2019-20  東京の被害者支援サービス     日本語の団体         Funder    £1,500  award          360G-U-1');
    const row = (id: string) => lines.find((l) => l.endsWith(id))!;
    for (const [id, recipient] of [['360G-U-1', '日本語の団体'], ['360G-U-2', 'Zoe\u0301 Trust'], ['360G-U-3', 'Evil gnissecorp Ltd'], ['360G-U-4', 'Ctrl\u241b[31m Org\ufffd\u2421']]) {
      expect(columnOf(row(id), recipient), id).toBe(columnOf(lines[0], 'Recipient'));
      expect(columnOf(row(id), 'Funder'), id).toBe(columnOf(lines[0], 'Funder'));
      expect(columnOf(row(id), id), id).toBe(columnOf(lines[0], 'ID'));
    }
    expect(row('360G-U-3')).toContain('Plain evil title two lines');
    expect(r.stdout).not.toMatch(FORBIDDEN);
  });

  it('foi show: the value column starts in one place', () => {
    const { db } = register();
    const lines = foi(['show', '360G-U-1', '--db', db]).stdout.trimEnd().split('\n');
    const values = lines.slice(2).filter((l) => /^(Grant|Recipient|Funder) {2}/.test(l));
    expect(values).toHaveLength(3);
    for (const l of values) expect(columnOf(l, l.replace(/^\S+ +/, ''))).toBe(columnOf(lines[0], 'Value'));
    expect(values[0]).toContain('東京の被害者支援サービス (360G-U-1)');
  });
});

describe('letters and CSVs carry no control or bidi override characters from data', () => {
  it('the Markdown, DOCX, CSV and workbook of a letter, and foi grants --format csv', () => {
    const { dir, db } = register();
    const req = request(dir, 'req.yaml', [
      'reference: FOI 771', 'received: 2019-10-01', 'responseDate: 2019-10-20', 'questions:',
      '  - wording: Grants in 2019-20', '    criteria: { fy: [2019-20] }', '    columns: [grant, recipient, amount]', '    order: register',
    ]);
    const out = join(dir, 'letters');
    const r = foi(['answer', '--db', db, req, '--out', out, '--no-input']);
    expect(r.code, r.stderr).toBe(0);
    const md = readFileSync(join(out, 'FOI-771.md'), 'utf8');
    expect(md).not.toMatch(FORBIDDEN);
    expect(md).toContain('| Plain evil title two lines | Evil gnissecorp Ltd | £75 |');
    const docx = unzipSync(readFileSync(join(out, 'FOI-771.docx')));
    const xml = strFromU8(docx['word/document.xml']);
    expect(xml).not.toMatch(FORBIDDEN);
    expect(xml).toContain('Evil gnissecorp Ltd');
    const book = unzipSync(readFileSync(join(out, 'FOI-771.xlsx')));
    expect(strFromU8(book['xl/sharedStrings.xml'])).not.toMatch(FORBIDDEN);
    // The CSV drops what the letter drops; a line break in a cell stays (quoted); formulas stay text.
    const csv = readFileSync(join(out, 'FOI-771.q1.csv'), 'utf8');
    expect(csv.replace(/\r\n/g, '')).not.toMatch(FORBIDDEN); // CR LF ends each row
    expect(csv).toContain('"Plain evil title two\nlines",Evil gnissecorp Ltd,£75\r\n');
    expect(csv).toContain(`"'=HYPERLINK(""http://e.x"")",Ctrl[31m Org,£10\r\n`);
    const listing = foi(['grants', '--db', db, '--fy', '2019-20', '--format', 'csv', '--order', 'register']);
    expect(listing.stdout.replace(/\r\n/g, '')).not.toMatch(FORBIDDEN);
    expect(listing.stdout).toContain('2019-20,"Plain evil title two\nlines",Evil gnissecorp Ltd,Funder,75.00,');
    expect(listing.stdout).toContain(`2019-20,"'=HYPERLINK(""http://e.x"")",Ctrl[31m Org,Funder,10.00,`);
    // JSON keeps the data exactly as imported.
    const json = JSON.parse(foi(['grants', '--db', db, '--fy', '2019-20', '--format', 'json']).stdout);
    expect(json.rows.map((x: { title: string }) => x.title)).toContain(GRANTS[2].title);
  });

  it('the import change report is shown for the terminal: no C1 control, escape or bidi override', () => {
    const { dir, db } = register();
    const changed = GRANTS.map((g) => (g.id === '360G-U-3' ? { ...g, title: 'New \u009b2J\u202e title', amount: 80 } : g));
    writePackage(join(dir, 'grants.json'), changed);
    const r = foi(['import', '--db', db, join(dir, 'grants.json')]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).not.toMatch(FORBIDDEN);
    const line = r.stdout.split('\n').find((l) => l.startsWith('  360G-U-3 '))!;
    expect(line).toContain('amount £75 → £80');
    expect(line).toContain('"New \ufffd2J title"');
    expect(line).toContain('"Plain evil title two\\r\\nlines"');
  });

  it('foi log show and error messages are shown for the terminal too', () => {
    const { db } = register();
    expect(foi(['log', 'add', 'FOI 774', '--received', '2019-10-01', '--requester', 'Ms \u202eA\u202c Person\u001b[2J', '--db', db]).code).toBe(0);
    const show = foi(['log', 'show', 'FOI 774', '--db', db], { env: { FOI_TODAY: '2019-10-02' } });
    expect(show.code).toBe(0);
    expect(show.stdout).toContain('requester:  Ms A Person\u241b[2J\n');
    expect(show.stdout).not.toMatch(FORBIDDEN);
    expect(pick(foi(['show', '\u001b[31mNOPE\u202e', '--db', db]))).toEqual([1, `foi: no grant with id "\u241b[31mNOPE" in ${db}\n`]);
  });
});

describe('a lookup that fails is exit 1; only bad usage is exit 2', () => {
  it('foi show and foi history of an unknown id name the register', () => {
    const { db } = register();
    expect(pick(foi(['show', 'NOPE', '--db', db]))).toEqual([1, `foi: no grant with id "NOPE" in ${db}\n`]);
    expect(pick(foi(['show', 'U-1', '--db', db]))).toEqual([1, `foi: no grant with id "U-1" in ${db}; did you mean 360G-U-1?\n`]);
    expect(pick(foi(['history', 'NOPE', '--db', db]))).toEqual([1, `foi: no grant with id "NOPE" in ${db}\n`]);
    expect(pick(foi(['show', 'NOPE']))).toEqual([1, 'foi: no grant with id "NOPE" in the embedded MOPAC register\n']);
    expect(foi(['show']).code).toBe(2); // a missing argument is usage
  });

  it('an unknown template names the request file, line and field, or the option', () => {
    const { dir, db } = register();
    const req = request(dir, 'req.yaml', [
      'reference: FOI 772', 'received: 2019-10-01', 'responseDate: 2019-10-20', 'template: nope', 'questions:',
      '  - wording: Grants', '    criteria: { fy: [2019-20] }',
    ]);
    const known = '(known: full-response, not-held, partly-held, refusal-s12)';
    const fromFile = foi(['answer', '--db', db, req, '--out', join(dir, 'o'), '--no-input']);
    expect(fromFile.code).toBe(1);
    expect(fromFile.stderr).toContain(`foi: ${req} line 4, template: unknown template "nope" ${known}\n`);
    const fromOption = foi(['answer', '--db', db, req, '--template', 'nope2', '--out', join(dir, 'o'), '--no-input']);
    expect(fromOption.code).toBe(1);
    expect(fromOption.stderr).toContain(`foi: --template: unknown template "nope2" ${known}\n`);
    expect(readdirSync(dir)).not.toContain('o');
  });

  it('an unknown theme, flag or letter version is 1; a malformed value is 2', () => {
    const { dir, db } = register();
    expect(pick(foi(['grants', '--db', db, '--theme', 'burglary']))).toEqual([1, 'foi: unknown theme "burglary"; none are known\n']);
    expect(pick(foi(['export', '360giving', '--db', db, '--theme', 'burglary', '--out', join(dir, 'x.json')]))).toEqual([1, 'foi: unknown theme "burglary"; none are known\n']);
    expect(pick(foi(['grants', '--flag', 'wheelchair=y']))).toEqual([1, 'foi: unknown flag "wheelchair"; known: non-ex-intimate\n']);
    expect(foi(['grants', '--flag', 'wheelchair']).code).toBe(2);
    const req = request(dir, 'req.yaml', [
      'reference: FOI 773', 'received: 2019-10-01', 'responseDate: 2019-10-20', 'questions:', '  - wording: Grants', '    criteria: { fy: [2019-20] }',
    ]);
    expect(foi(['answer', '--db', db, req, '--out', dir, '--no-input']).code).toBe(0);
    const record = join(dir, 'FOI-773.answer.json');
    expect(pick(foi(['verify', '--db', db, record, '--letter-version', '9']))).toEqual([1, 'foi: --letter-version 9: this record has 1 version (1 to 1)\n']);
    expect(pick(foi(['verify', '--db', db, record, '--letter-version', '0']))).toEqual([2, 'foi: --letter-version "0": expected a whole number of at least 1; this record has 1 version (1 to 1)\n']);
    expect(foi(['verify', '--db', db, record, '--letter-version', 'x']).code).toBe(2);
    // A file that is not there: a mistake in the command (2), as for answer; one that is not a record: a failure (1).
    expect(pick(foi(['verify', '--db', db, join(dir, 'none.answer.json')]))).toEqual([2, `foi: ${join(dir, 'none.answer.json')}: no such answer record\n`]);
    expect(pick(foi(['answer', '--db', db, join(dir, 'none.yaml'), '--out', dir, '--no-input']))).toEqual([2, `foi: ${join(dir, 'none.yaml')}: no such request file\n`]);
    expect(foi(['verify', '--db', db, req]).code).toBe(1);
  });
});

function pick(r: { code: number; stderr: string }): [number, string] {
  return [r.code, r.stderr];
}

describe('foi batch writes each letter all or none', () => {
  it('a folder in the way of one file: that letter keeps all its old files and fails, naming the letter and the path; the others are written', () => {
    const { dir, db } = register();
    const log = join(dir, 'requests');
    mkdirSync(log);
    const ask = (ref: string, id: string) => [
      `reference: ${ref}`, 'received: 2019-10-01', 'responseDate: 2019-10-20', 'questions:',
      '  - wording: One grant', `    criteria: { grants: [${id}] }`, '    columns: [grant, amount]',
    ];
    request(log, 'a.yaml', ask('FOI 11', '360G-U-1'));
    request(log, 'b.yaml', ask('FOI 12', '360G-U-2'));
    const out = join(dir, 'out');
    expect(foi(['batch', log, '--out', out, '--db', db]).code).toBe(0);
    const before = new Map(readdirSync(out).map((f) => [f, readFileSync(join(out, f))]));
    expect([...before.keys()].filter((f) => f.startsWith('FOI-11.')).sort()).toEqual(['FOI-11.answer.json', 'FOI-11.docx', 'FOI-11.md', 'FOI-11.q1.csv', 'FOI-11.xlsx']);
    // Both grants change, so both letters would be rewritten; a folder stands where FOI 11's DOCX goes.
    writePackage(join(dir, 'grants.json'), GRANTS.map((g) => ({ ...g, amount: g.amount + 1 })));
    expect(foi(['import', '--db', db, join(dir, 'grants.json')]).code).toBe(0);
    rmSync(join(out, 'FOI-11.docx'));
    mkdirSync(join(out, 'FOI-11.docx'));
    for (const jobs of ['1', '2']) {
      const r = foi(['batch', log, '--out', out, '--db', db, '--jobs', jobs]);
      expect(r.code, jobs).toBe(1);
      expect(r.stdout).toContain('2 requests: 0 created, 1 changed, 0 unchanged, 1 failed');
      expect(r.stdout).toContain(`failed   a.yaml   ${join(out, 'FOI-11.docx')}: a folder of that name is in the way; none of FOI 11's files were written`);
      expect(r.stderr).toContain('foi: 1 request failed: a.yaml\n');
      for (const f of ['FOI-11.answer.json', 'FOI-11.md', 'FOI-11.q1.csv', 'FOI-11.xlsx']) expect(readFileSync(join(out, f)).equals(before.get(f)!), f).toBe(true);
      expect(readFileSync(join(out, 'FOI-12.md'), 'utf8')).toContain('£250,001');
      expect(readdirSync(out).filter((f) => f.endsWith('.tmp'))).toEqual([]);
      // The letter that was written is the register's, figure for figure.
      expect(foi(['verify', '--db', db, join(out, 'FOI-12.answer.json')]).code).toBe(0);
      // Put FOI 12 back as it was, so the second round changes it again.
      if (jobs === '1') for (const f of ['FOI-12.answer.json', 'FOI-12.docx', 'FOI-12.md', 'FOI-12.q1.csv', 'FOI-12.xlsx']) writeFileSync(join(out, f), before.get(f)!);
    }
    // With the folder gone, the letter is written whole.
    rmSync(join(out, 'FOI-11.docx'), { recursive: true });
    const ok = foi(['batch', log, '--out', out, '--db', db]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(readFileSync(join(out, 'FOI-11.md'), 'utf8')).toContain('£1,501');
    expect(foi(['verify', '--db', db, join(out, 'FOI-11.answer.json')]).code).toBe(0);
  });
});
