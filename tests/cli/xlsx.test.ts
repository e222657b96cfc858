/**
 * Workbooks through bin/foi: the letter workbooks of both seed examples read back by LibreOffice
 * Calc with the Markdown tables' figures as numbers; formula-looking names kept as text; identical
 * bytes across runs and time zones; no workbook for a letter without tables; `foi grants --format
 * xlsx --out`.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { FIXTURES, ROOT, foi, tempDir } from '../helpers/cli.js';
import { calcSheets, skipWithoutCalc, zipParts } from '../helpers/workbook.js';

const EX000 = join(ROOT, 'examples', 'seed-000-stalking-grants.yaml');
const EX003 = join(ROOT, 'examples', 'seed-003-foi-556.yaml');

function answer(request: string, extra: string[] = [], env: Record<string, string> = {}) {
  const out = tempDir('foi-xlsx-');
  const r = foi(['answer', request, '--out', out, '--no-input', ...extra], { env });
  expect(r.code, r.stderr).toBe(0);
  return { ...r, out };
}

/** The GFM tables of a letter, each as rows of cells (header first, rule dropped, escapes undone). */
function markdownTables(md: string): string[][][] {
  const tables: string[][][] = [];
  let current: string[][] | null = null;
  for (const line of md.split('\n')) {
    if (!line.startsWith('|')) {
      current = null;
      continue;
    }
    if (!current) tables.push((current = []));
    const cells = line.slice(1, -1).split(/(?<!\\)\|/).map((c) => c.trim().replace(/\\(.)/g, '$1').replace(/^\*\*(.*)\*\*$/, '$1'));
    if (!cells.every((c) => /^:?-+:?$/.test(c))) current.push(cells);
  }
  return tables;
}

/** Test-side reading of the letter's money (production never parses formatted money). */
function pounds(s: string): number[] {
  return [...s.matchAll(/£([\d,]+(?:\.\d\d)?)/g)].map((m) => Number(m[1].replace(/,/g, '')));
}

const isNumber = (s: string) => /^-?\d+(\.\d+)?$/.test(s);

/**
 * The sheet (values as stored) holds the Markdown table's figures as numbers: per row, the same
 * amounts and counts; the same words elsewhere; the same total.
 */
function expectSameFigures(mdTable: string[][], sheet: string[][]): number {
  const [mdHeader, ...mdRows] = mdTable;
  const [sheetHeader, ...sheetRows] = sheet.filter((r) => r.some((c) => c !== ''));
  expect(sheetHeader.filter((h) => h !== 'Funding stream')).toEqual(mdHeader);
  const isFigure = (c: string) => pounds(c).length > 0 || /^\d[\d,]*$/.test(c);
  const figuresOf = (row: string[]) => row.flatMap((c) => (pounds(c).length ? pounds(c) : /^\d[\d,]*$/.test(c) ? [Number(c.replace(/,/g, ''))] : []));
  let figures = 0;
  // Rows grouped by their first cell (a programme, a year): the sheet may give a row per amount.
  for (const key of new Set(mdRows.map((r) => r[0]))) {
    const md = mdRows.filter((r) => r[0] === key);
    const group = sheetRows.filter((r) => r[0] === key || r[0].startsWith(`${key} (`));
    expect(group.length, `sheet rows for ${key}`).toBeGreaterThan(0);
    const mdNumbers = md.flatMap(figuresOf).sort((a, b) => a - b);
    expect(group.flatMap((r) => r.filter(isNumber).map(Number)).sort((a, b) => a - b), key).toEqual(mdNumbers);
    figures += mdNumbers.length;
    for (const row of md) for (const c of row) if (!isFigure(c) && c !== '') expect(group.flat(), key).toContain(c);
  }
  return figures;
}

describe('letter workbooks read back by LibreOffice Calc', () => {
  const skip = skipWithoutCalc('workbook read-back with LibreOffice Calc');
  let masip = '';
  let foi556 = '';
  let stored: Map<string, Map<string, string[][]>>;
  let shown: Map<string, Map<string, string[][]>>;
  beforeAll(() => {
    masip = answer(EX000).out;
    foi556 = answer(EX003).out;
    if (skip) return;
    const files = [join(masip, 'FOI-MASIP.xlsx'), join(foi556, 'FOI-556.xlsx')];
    stored = calcSheets(files, { shown: false });
    shown = calcSheets(files, { shown: true });
  }, 300_000);

  it('writes <ref>.xlsx beside the CSVs, and says so', () => {
    expect(readdirSync(foi556).sort()).toEqual(['FOI-556.answer.json', 'FOI-556.docx', 'FOI-556.md', 'FOI-556.q1.csv', 'FOI-556.q3.csv', 'FOI-556.xlsx']);
    expect(existsSync(join(masip, 'FOI-MASIP.xlsx'))).toBe(true);
  });

  it.skipIf(skip)('seed 000: the grant, then its four budgets as numbers, with the note under them', () => {
    const book = stored.get('FOI-MASIP.xlsx')!;
    expect([...book.keys()].sort()).toEqual(['Notes', 'Q1 (1)', 'Q1 (2)']);
    const [grant, budgets] = markdownTables(readFileSync(join(masip, 'FOI-MASIP.md'), 'utf8'));
    expectSameFigures(grant, book.get('Q1 (1)')!);
    expect(book.get('Q1 (1)')![1][4]).toBe('Y');
    expect(expectSameFigures(budgets, book.get('Q1 (2)')!)).toBe(4);
    expect(book.get('Q1 (2)')!.slice(0, 5)).toEqual([
      ['Financial year', 'Basis', 'Budget'],
      ['2017-18', 'budget', '139707'],
      ['2018-19', 'budget', '2087431.81'],
      ['2019-20', 'original budget (superseded)', '1931819'],
      ['2019-20', 'revised budget', '2089877.62'],
    ]);
    // The same cells as their number formats show them: numbers, with the letter's words.
    const asShown = shown.get('FOI-MASIP.xlsx')!.get('Q1 (2)')!;
    expect(asShown.slice(1, 5).map((r) => r[2])).toEqual(['£139,707.00', '£2,087,431.81', '£1,931,819.00', '£2,089,877.62 (note 1)']);
    expect(asShown.map((r) => r[0])).toContain('Note 1: The 2019-20 revised budget includes the 3% efficiency requirement and the re-profile request from the 2018-19 underspend.');
    expect(asShown.map((r) => r[0])).toContain('These figures are budgets, not spend.');
  });

  it.skipIf(skip)('seed 003: co-funded awards one row per funding stream, every amount a number, a total per kind of funding', () => {
    const book = stored.get('FOI-556.xlsx')!;
    expect([...book.keys()].sort()).toEqual(['Notes', 'Q1 2022-23', 'Q3 2022-23']);
    const [awards, referrals] = markdownTables(readFileSync(join(foi556, 'FOI-556.md'), 'utf8'));
    const q1 = book.get('Q1 2022-23')!;
    expect(expectSameFigures(awards, q1)).toBe(16);
    expect(q1[0]).toEqual(['Programme', 'Operating in', 'Description', 'Funding stream', '2022-23 award']);
    expect(q1.filter((r) => r[0] === 'Re-MOVE Abuse').map((r) => [r[3], r[4]])).toEqual([['Home Office Grant', '209052'], ['LBBD Match Fund', '130996']]);
    expect(awards[awards.length - 1]).toEqual(['Total', '', '', '£2,541,937 (Home Office Grant) £2,057,705 (match funding)']);
    expect(q1.slice(-2)).toEqual([['Total', '', '', 'Home Office Grant', '2541937'], ['Total', '', '', 'match funding', '2057705']]);
    const amounts = q1.slice(1, -2).map((r) => Number(r[4]));
    expect(amounts).toHaveLength(14);
    expect(amounts.reduce((a, b) => a + b, 0)).toBe(4599642);
    expect(shown.get('FOI-556.xlsx')!.get('Q1 2022-23')!.find((r) => r[3] === 'LBBD Match Fund')![4]).toBe('£130,996.00');

    const q3 = book.get('Q3 2022-23')!;
    expectSameFigures(referrals, q3);
    expect(q3.find((r) => r[0] === 'Re-MOVE Abuse')).toEqual(['Re-MOVE Abuse', 'Self-referrals and professionals', '116', 'MOPAC does not hold this data', '28']);
    expect(q3.find((r) => r[0] === 'Restart')![2]).toBe('N/A - referrals are recorded as for families, not men');
  });

  it.skipIf(skip)('a Notes sheet says which question each sheet answers', () => {
    const notes = stored.get('FOI-556.xlsx')!.get('Notes')!;
    expect(notes[0]).toEqual(['Sheet', 'Question']);
    expect(notes[1][0]).toBe('Q1 2022-23');
    expect(notes[1][1]).toContain('Q10. Budget inclusive of Running Costs.');
    expect(notes[2][0]).toBe('Q3 2022-23');
    expect(notes.some((r) => r[0].includes('response to Freedom of Information request FOI 556, 23 August 2023'))).toBe(true);
  });
});

describe('workbook bytes', () => {
  it('are identical across runs and time zones, stamped with the response date', () => {
    const a = answer(EX003, [], { TZ: 'Pacific/Kiritimati' });
    const b = answer(EX003, [], { TZ: 'America/Anchorage' });
    const c = answer(EX003, [], { TZ: 'UTC' });
    const bytes = readFileSync(join(a.out, 'FOI-556.xlsx'));
    expect(bytes.equals(readFileSync(join(b.out, 'FOI-556.xlsx')))).toBe(true);
    expect(bytes.equals(readFileSync(join(c.out, 'FOI-556.xlsx')))).toBe(true);
    const core = zipParts(bytes).getText('docProps/core.xml');
    expect(core).toContain('<dc:creator>Mayor&apos;s Office for Policing And Crime</dc:creator>');
    expect(core).toContain('<dcterms:created xsi:type="dcterms:W3CDTF">2023-08-23T00:00:00Z</dcterms:created>');
    expect(core).toContain('<dcterms:modified xsi:type="dcterms:W3CDTF">2023-08-23T00:00:00Z</dcterms:modified>');
  });
});

describe('hostile names', () => {
  let out = '';
  let db = '';
  beforeAll(() => {
    db = join(tempDir('foi-xlsx-db-'), 'r.sqlite');
    expect(foi(['import', join(FIXTURES, 'xlsx', 'register-hostile.yaml'), '--db', db]).code).toBe(0);
    out = answer(join(FIXTURES, 'xlsx', 'request-hostile.yaml'), ['--db', db]).out;
  });

  it('are text cells in the workbook, never formulas', () => {
    const zip = zipParts(readFileSync(join(out, 'TEST-XLSX-1.xlsx')));
    for (const n of zip.names().filter((x) => x.startsWith('xl/worksheets/'))) expect(zip.getText(n)).not.toContain('<f>');
    const strings = zip.getText('xl/sharedStrings.xml');
    expect(strings).toContain('<t>=1+1</t>');
    expect(strings).toContain('<t>-2+3+cmd|&apos; /C calc&apos;!A0</t>');
  });

  it.skipIf(skipWithoutCalc('hostile names read back by LibreOffice Calc'))('read back as the same text: nothing is calculated', () => {
    const book = calcSheets([join(out, 'TEST-XLSX-1.xlsx')], { shown: false }).get('TEST-XLSX-1.xlsx')!;
    expect(book.get('Q1 2021-22')).toEqual([
      ['Name of grant', 'Funding stream', 'Grant amount', 'Recipient', 'Testing outcome'],
      ['=1+1', 'Test Grant', '1000.5', "-2+3+cmd|' /C calc'!A0", '+44 20 7983 4000'],
      ['=1+1', 'Council Match Fund', 'not held', "-2+3+cmd|' /C calc'!A0", '+44 20 7983 4000'],
      ['=HYPERLINK("http://example.invalid","click")', '', '2500', "@SUM(1+1)*cmd|' /C calc'!A0", 'Not stated'],
      ['Total (excluding amounts not stated)', 'Test Grant', '1000.5', '', ''],
      ['', '', '', '', ''],
      ['The total does not include amounts stated as "up to" (up to £2,500): these are maximum amounts, not sums awarded.', '', '', '', ''],
    ]);
    expect(book.get('Notes')![1]).toEqual(['Q1 2021-22', '-1+1 grants for testing in 2021-22', 'TEST X1']);
    const asShown = calcSheets([join(out, 'TEST-XLSX-1.xlsx')], { shown: true }).get('TEST-XLSX-1.xlsx')!.get('Q1 2021-22')!;
    expect(asShown[3][2]).toBe('up to £2,500.00');
    expect(asShown[4][2]).toBe('£1,000.50');
  });
});

describe('letters without tables', () => {
  it('get no workbook', () => {
    const r = answer(join(ROOT, 'examples', 'refusal-s12.yaml'));
    expect(readdirSync(r.out).filter((f) => f.endsWith('.xlsx'))).toEqual([]);
    expect(r.stdout).not.toContain('.xlsx');
  });

  it('--md-only writes no workbook either', () => {
    const r = answer(EX003, ['--md-only']);
    expect(readdirSync(r.out).sort()).toEqual(['FOI-556.answer.json', 'FOI-556.md', 'FOI-556.q1.csv', 'FOI-556.q3.csv']);
  });
});

describe('foi grants --format xlsx', () => {
  it('needs --out: a workbook is not printed (exit 2)', () => {
    const r = foi(['grants', '--fy', '2022-23', '--format', 'xlsx']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('foi: --format xlsx writes a workbook: say where with --out FILE.xlsx\n');
  });

  it('refuses a file name that says it is something else (exit 2, nothing written)', () => {
    const dir = tempDir('foi-grants-xlsx-name-');
    const r = foi(['grants', '--fy', '2022-23', '--format', 'xlsx', '--out', join(dir, 'perpetrators.csv')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('foi: --format xlsx writes a workbook: name it .xlsx, not "perpetrators.csv"\n');
    expect(readdirSync(dir)).toEqual([]);
  });

  it('writes the listing to --out with amounts as numbers and the total', () => {
    const dir = tempDir('foi-grants-xlsx-');
    const file = join(dir, 'perpetrators.xlsx');
    const r = foi(['grants', '--fy', '2022-23', '--theme', 'domestic-abuse-perpetrators', '--format', 'xlsx', '--out', file]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(`wrote ${file}: 14 rows, total £4,599,642\n`);
    expect(readdirSync(dir)).toEqual(['perpetrators.xlsx']); // no temp file left behind
    const again = join(dir, 'again.xlsx');
    foi(['grants', '--fy', '2022-23', '--theme', 'domestic-abuse-perpetrators', '--format', 'xlsx', '--out', again], { env: { TZ: 'Asia/Tokyo' } });
    expect(readFileSync(file).equals(readFileSync(again))).toBe(true);
  });

  it.skipIf(skipWithoutCalc('grants workbook read-back'))('reads back with the listing\'s columns, numbers, "up to" and superseded amounts', () => {
    const dir = tempDir('foi-grants-xlsx-');
    const file = join(dir, 'stalking.xlsx');
    expect(foi(['grants', '--theme', 'stalking', '--include-superseded', '--format', 'xlsx', '--out', file]).code).toBe(0);
    const csv = foi(['grants', '--theme', 'stalking', '--include-superseded', '--format', 'json']);
    const listing = JSON.parse(csv.stdout) as { count: number; totalPence: number; rows: { id: string; amountPence: number | null; basis: string; superseded: boolean }[] };
    const rows = calcSheets([file], { shown: false }).get('stalking.xlsx')!.get('Grants')!;
    expect(rows[0]).toEqual(['FY', 'Grant', 'Recipient', 'Funder', 'Amount', 'Basis', 'Source', 'ID']);
    const data = rows.slice(1, 1 + listing.count);
    expect(data.map((r) => r[7])).toEqual(listing.rows.map((r) => r.id));
    expect(data.map((r) => r[4])).toEqual(listing.rows.map((r) => (r.amountPence === null ? 'not held' : String(r.amountPence / 100))));
    expect(rows[1 + listing.count]).toEqual(['Total', `${listing.count} rows`, '', '', String(listing.totalPence / 100), '', '', '']);
    const asShown = calcSheets([file], { shown: true }).get('stalking.xlsx')!.get('Grants')!;
    const maxIdx = listing.rows.findIndex((r) => r.basis === 'maximum');
    const supIdx = listing.rows.findIndex((r) => r.superseded);
    expect(asShown[1 + maxIdx][4]).toMatch(/^up to £[\d,]+\.\d\d$/);
    expect(asShown[1 + supIdx][4]).toMatch(/^£[\d,]+\.\d\d \(superseded\)$/);
  });

  it('--out also writes the text formats, atomically', () => {
    const dir = tempDir('foi-grants-out-');
    const file = join(dir, 'list.csv');
    const r = foi(['grants', '--fy', '2022-23', '--format', 'csv', '--out', file]);
    expect(r.code).toBe(0);
    expect(readFileSync(file, 'utf8')).toBe(foi(['grants', '--fy', '2022-23', '--format', 'csv']).stdout);
  });
});
