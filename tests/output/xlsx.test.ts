/**
 * The workbook writer and its parts: sheet names Excel accepts, formula-looking text kept as text,
 * money as formatted numbers, the header and filter, widths, and identical bytes on every run.
 */
import { describe, expect, it } from 'vitest';
import { SHEET_NAME_MAX, safeSheetName, sheetNames } from '../../src/output/xlsx-sheet-names.js';
import { MAX_CELL_CHARS, MAX_ROWS, columnWidths, moneyFormat, wrappedLines, writeXlsx, type SheetSpec, type WorkbookSpec } from '../../src/output/xlsx.js';
import { letterWorkbook, sheetTable } from '../../src/output/xlsx-letter.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FIXTURES } from '../helpers/cli.js';
import { listingAmountCell, money, num, sheetCellText, text, textCells, withPrefix, withSuffix, type PlainCell, type SplitCell } from '../../src/output/table-cells.js';
import type { TableView } from '../../src/letters/view-model.js';
import { zipParts } from '../helpers/workbook.js';

describe('sheet names', () => {
  it('keeps a plain name as it is', () => {
    expect(sheetNames(['Q1 2017-18', 'Q1 2018-19', 'Notes'])).toEqual(['Q1 2017-18', 'Q1 2018-19', 'Notes']);
  });

  it('replaces the characters Excel forbids and trims apostrophes at either end', () => {
    expect(safeSheetName('Q1 [2017/18]: a*b?c\\d')).toBe('Q1 -2017-18-- a-b-c-d');
    expect(safeSheetName("'quoted'")).toBe('quoted');
    expect(safeSheetName("it's")).toBe("it's");
    expect(safeSheetName('tab\tand\nnewline')).toBe('tab and newline');
    expect(safeSheetName('   ')).toBe('Sheet');
    expect(safeSheetName("'''")).toBe('Sheet');
    for (const n of sheetNames(['a/b', 'c:d', 'e?f', 'g*h', 'i[j]', 'k\\l'])) expect(n).not.toMatch(/[[\]:*?/\\]/);
  });

  it('cuts to 31 characters without splitting a character', () => {
    const long = 'Q12 2017-18 grants for victims of stalking';
    expect(safeSheetName(long.replace(/ /g, '_'))).toBe(long.replace(/ /g, '_').slice(0, 31));
    expect(safeSheetName(long.replace(/ /g, '_')).length).toBe(SHEET_NAME_MAX);
    // The 31st character is a space: trimmed.
    expect(safeSheetName(long)).toBe('Q12 2017-18 grants for victims');
    const emoji = 'x'.repeat(30) + '😀';
    expect(safeSheetName(emoji)).toBe('x'.repeat(30));
    // A cut that ends in a space or apostrophe is trimmed (Excel refuses a trailing apostrophe).
    expect(safeSheetName('x'.repeat(30) + "'abc")).toBe('x'.repeat(30));
  });

  it('makes names unique ignoring case, within 31 characters', () => {
    expect(sheetNames(['Q1', 'q1', 'Q1', 'History'])).toEqual(['Q1', 'q1 (2)', 'Q1 (3)', 'History (2)']);
    const long = 'A'.repeat(40);
    const names = sheetNames([long, long, long]);
    expect(names).toEqual(['A'.repeat(31), 'A'.repeat(27) + ' (2)', 'A'.repeat(27) + ' (3)']);
    for (const n of names) expect(n.length).toBeLessThanOrEqual(31);
    // Unique even when a made-up name collides with a wanted one.
    const mixed = sheetNames(['Q1', 'Q1 (2)', 'Q1']);
    expect(new Set(mixed.map((n) => n.toUpperCase())).size).toBe(3);
  });
});

describe('typed cells', () => {
  const co: SplitCell = {
    kind: 'split', suffix: '',
    parts: [
      { before: ' ', cell: money(20905200), label: 'Home Office Grant', after: '' },
      { before: ' ', cell: money(13099600), label: 'LBBD Match Fund', after: ' (note 2)' },
    ],
  };

  it('print as the letter does', () => {
    expect(sheetCellText(money(20905200))).toBe('£209,052');
    expect(sheetCellText(money(20905200), { alwaysPence: true })).toBe('£209,052.00');
    expect(sheetCellText(money(208743181, { prefix: 'up to ' }))).toBe('up to £2,087,431.81');
    expect(sheetCellText(money(150000, { currency: 'USD' }))).toBe('US$1,500');
    expect(sheetCellText(num(1234))).toBe('1,234');
    expect(sheetCellText(co)).toBe('£209,052 (Home Office Grant) £130,996 (LBBD Match Fund) (note 2)');
    const total: SplitCell = { kind: 'split', suffix: ' (excluding amounts not stated)', parts: [...co.parts.map((p) => ({ ...p, after: '' })), { before: '; ', cell: money(34004800, { suffix: ' in all' }), label: null, after: '' }] };
    expect(sheetCellText(total)).toBe('£209,052 (Home Office Grant) £130,996 (LBBD Match Fund); £340,048 in all (excluding amounts not stated)');
    expect(sheetCellText(withSuffix(text('not held'), ' (note 1)'))).toBe('not held (note 1)');
    expect(sheetCellText(withPrefix(money(100), 'Total ')!)).toBe('Total £1');
    expect(withPrefix(co, 'Total ')).toBeNull();
  });

  it('give a listing row its amount, marked when not counted', () => {
    const row = { amountPence: 24000000, amountStatus: 'value' as const, basis: 'maximum' as const, currency: 'GBP', superseded: false, countedAs: 'total' as never };
    expect(sheetCellText(listingAmountCell(row))).toBe('up to £240,000');
    expect(sheetCellText(listingAmountCell({ ...row, basis: 'original', superseded: true }))).toBe('£240,000 (superseded)');
    expect(listingAmountCell({ ...row, amountPence: null, amountStatus: 'not_held' })).toEqual(text('not held'));
  });
});

describe('letter tables as sheets', () => {
  const table = (over: Partial<TableView>): TableView => ({
    financialYear: null, caption: null, notes: ['Note 1: a footnote.'], emptyText: null,
    columns: [{ key: 'grant', header: 'Programme', align: 'left' }, { key: 'amount', header: '2022-23 award', align: 'right' }],
    rows: [['Re-MOVE Abuse', '£209,052 (Home Office Grant) £130,996 (LBBD Match Fund)'], ['Other', 'not held (note 1)']],
    totalRow: ['Total', '£209,052 (Home Office Grant) £130,996 (match funding) (excluding amounts not stated)'],
    cells: [
      [text('Re-MOVE Abuse'), { kind: 'split', suffix: '', parts: [{ before: ' ', cell: money(20905200), label: 'Home Office Grant', after: '' }, { before: ' ', cell: money(13099600), label: 'LBBD Match Fund', after: '' }] }],
      [text('Other'), text('not held (note 1)')],
    ],
    totalCells: [text('Total'), { kind: 'split', suffix: ' (excluding amounts not stated)', parts: [{ before: ' ', cell: money(20905200), label: 'Home Office Grant', after: '' }, { before: ' ', cell: money(13099600), label: 'match funding', after: '' }] }],
    ...over,
  });

  it('spreads a co-funded cell over one row per funding stream, and the total over one row per kind', () => {
    const s = sheetTable(table({}));
    expect(s.columns.map((c) => c.header)).toEqual(['Programme', 'Funding stream', '2022-23 award']);
    expect(s.rows).toEqual([
      [text('Re-MOVE Abuse'), text('Home Office Grant'), money(20905200)],
      [text('Re-MOVE Abuse'), text('LBBD Match Fund'), money(13099600)],
      [text('Other'), text(''), text('not held (note 1)')],
    ]);
    expect(s.totals).toEqual([
      [text('Total (excluding amounts not stated)'), text('Home Office Grant'), money(20905200)],
      [text('Total (excluding amounts not stated)'), text('match funding'), money(13099600)],
    ]);
    expect(s.notes).toEqual(['Note 1: a footnote.']);
  });

  it('keeps labels in the number format when no row is co-funded', () => {
    const s = sheetTable(table({ rows: [['A', '£1'], ['B', '£2']], cells: [[text('A'), money(100)], [text('B'), money(200)]] }));
    expect(s.columns.map((c) => c.header)).toEqual(['Programme', '2022-23 award']);
    expect(s.totals.map((r) => r[1])).toEqual([money(20905200, { suffix: ' (Home Office Grant)' }), money(13099600, { suffix: ' (match funding)' })]);
  });

  it("writes the letter's words where a typed cell says something else, or is missing", () => {
    const s = sheetTable(table({ cells: [[text('Re-MOVE Abuse'), money(1)], []], totalCells: null }));
    expect(s.columns).toHaveLength(2);
    expect(s.rows).toEqual([[text('Re-MOVE Abuse'), text('£209,052 (Home Office Grant) £130,996 (LBBD Match Fund)')], [text('Other'), text('not held (note 1)')]]);
    expect(s.totals).toEqual([[text('Total'), text('£209,052 (Home Office Grant) £130,996 (match funding) (excluding amounts not stated)')]]);
  });

  it('names sheets by question and year, and makes no workbook for a letter without tables', () => {
    const view = JSON.parse(readFileSync(join(FIXTURES, 'letters', 'seed-000-stalking-grants.json'), 'utf8'));
    const q = view.questions[0];
    const t = { ...q.tables[0], financialYear: '2017-18', caption: null };
    const one = (tables: TableView[], years?: string[]) => letterWorkbook({ ...view, questions: [{ ...q, tables }] }, new Map(years ? [[1, years]] : []));
    expect(one([t, { ...t, financialYear: '2018-19' }])!.sheets.map((s) => s.name)).toEqual(['Q1 2017-18', 'Q1 2018-19', 'Notes']);
    expect(one([{ ...t, financialYear: null }, { ...t, financialYear: null }])!.sheets.map((s) => s.name)).toEqual(['Q1 (1)', 'Q1 (2)', 'Notes']);
    expect(one([{ ...t, financialYear: null }], ['2017-18'])!.sheets[0].name).toBe('Q1 2017-18');
    expect(one([{ ...t, financialYear: null, caption: 'Match funding' }])!.sheets[0].name).toBe('Q1 Match funding');
    const book = one([t])!;
    expect(book.date).toBe(view.responseDateIso);
    expect(book.creator).toBe(view.body.name);
    // A view saved without typed cells gives the letter's words.
    expect(book.sheets[0].rows[0]).toEqual(t.rows[0].map(text));
    expect(one([])).toBeNull();
    expect(one([{ ...t, rows: [], emptyText: 'No grants matched these criteria in 2017-18.' }])).toBeNull();
  });
});

const BOOK = (sheets: SheetSpec[], date = '2023-08-23'): WorkbookSpec => ({ sheets, creator: "Mayor's Office for Policing And Crime", title: 'Freedom of Information request FOI 556', footer: 'MOPAC FOI 556', date });

const HOSTILE: PlainCell[][] = [
  [text('=1+1'), money(208743181), text('Y')],
  [text("-2+3+cmd|' /C calc'!A0"), text('not held'), text('@SUM(A1)')],
  [text('+44 20 7983 4000'), money(24000000, { prefix: 'up to ' }), text('\tTab')],
];

const SHEET: SheetSpec = {
  name: 'Q1 2017-18',
  columns: [{ header: 'Name of grant', align: 'left' }, { header: 'Grant amount', align: 'right' }, { header: 'Provides services for non ex intimate victims of stalking', align: 'left' }],
  rows: HOSTILE,
  totals: [[text('Total'), money(233143181, { suffix: ' (excluding amounts not stated)' }), text('')]],
};

describe('the workbook', () => {
  it('writes formula-looking text as shared-string text cells, never formulas', async () => {
    const zip = zipParts(await writeXlsx(BOOK([SHEET])));
    const sheet = zip.getText('xl/worksheets/sheet1.xml');
    const strings = zip.getText('xl/sharedStrings.xml');
    expect(sheet).not.toContain('<f>');
    expect(sheet).not.toMatch(/t="(str|inlineStr)"/);
    expect(strings).toContain('<t>=1+1</t>');
    expect(strings).toContain('<t>-2+3+cmd|&apos; /C calc&apos;!A0</t>');
    expect(strings).toContain('<t>@SUM(A1)</t>');
    expect(strings).toContain('+44 20 7983 4000');
    // The cell holding "=1+1" is a shared-string cell (t="s").
    expect(sheet).toMatch(/<c r="A2"[^>]* t="s"><v>\d+<\/v><\/c>/);
  });

  it('drops the control and bidirectional override characters letters drop from text cells', async () => {
    const sheet: SheetSpec = { ...SHEET, rows: [[text('Evil \u202egnissecorp\u202c Ltd\u009b\u0007'), money(100), text('a\r\nb')]] };
    const strings = zipParts(await writeXlsx(BOOK([sheet]))).getText('xl/sharedStrings.xml');
    expect(strings).toContain('>Evil gnissecorp Ltd</t>');
    expect(strings).toContain('>a\nb</t>');
    expect(strings).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
  });

  it('writes money as numbers with a £#,##0.00 format, the letter\'s words as literal text in it', async () => {
    const zip = zipParts(await writeXlsx(BOOK([SHEET])));
    const sheet = zip.getText('xl/worksheets/sheet1.xml');
    const styles = zip.getText('xl/styles.xml');
    expect(sheet).toMatch(/<c r="B2" s="\d+"><v>2087431.81<\/v><\/c>/);
    expect(sheet).toMatch(/<c r="B4" s="\d+"><v>240000<\/v><\/c>/);
    expect(sheet).toMatch(/<c r="B5" s="\d+"><v>2331431.81<\/v><\/c>/);
    expect(styles).toContain('formatCode="£#,##0.00"');
    expect(styles).toContain('formatCode="&quot;up to &quot;£#,##0.00"');
    expect(styles).toContain('formatCode="£#,##0.00&quot; (excluding amounts not stated)&quot;"');
    expect(moneyFormat(money(1, { prefix: 'Total ' }))).toBe('"Total "£#,##0.00');
  });

  it('has a bold, frozen header row with a filter over the data (not the total)', async () => {
    const zip = zipParts(await writeXlsx(BOOK([SHEET])));
    const sheet = zip.getText('xl/worksheets/sheet1.xml');
    expect(sheet).toContain('<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>');
    expect(sheet).toContain('<autoFilter ref="A1:C4"/>');
    const headerStyle = Number(/<c r="A1" s="(\d+)"/.exec(sheet)![1]);
    const xfs = [...zip.getText('xl/styles.xml').matchAll(/<xf numFmtId="\d+" fontId="(\d+)"[^>]*xfId="0"/g)].map((m) => Number(m[1]));
    const fonts = /<fonts[^>]*>(.*)<\/fonts>/.exec(zip.getText('xl/styles.xml'))![1].split('</font>');
    expect(fonts[xfs[headerStyle]]).toContain('<b/>');
    expect(zip.getText('xl/workbook.xml')).toContain('name="Q1 2017-18"');
  });

  it('sizes columns to their content, up to 60 characters, wrapping longer text', () => {
    const widths = columnWidths(SHEET, [false, true, false]);
    // "£2,087,431.81" is 13 characters shown; the long header wraps at 24 characters.
    expect(widths[1]).toBe(Math.max('£2,331,431.81 (excluding amounts not stated)'.length + 1, 13) + 3);
    expect(widths[2]).toBe(24 + 1 + 2);
    const long = columnWidths({ ...SHEET, rows: [[text('x '.repeat(100)), money(1), text('')]] });
    expect(long[0]).toBe(62);
    expect(wrappedLines('aaa bbb ccc', 7)).toBe(2);
    expect(wrappedLines('one\ntwo', 60)).toBe(2);
    expect(wrappedLines('x'.repeat(25), 10)).toBe(3);
  });

  it('stamps the given date and creator, never the clock', async () => {
    const zip = zipParts(await writeXlsx(BOOK([SHEET])));
    const core = zip.getText('docProps/core.xml');
    expect(core).toContain('<dc:creator>Mayor&apos;s Office for Policing And Crime</dc:creator>');
    expect(core).toContain('<dc:title>Freedom of Information request FOI 556</dc:title>');
    expect(core).toContain('<dcterms:created xsi:type="dcterms:W3CDTF">2023-08-23T00:00:00Z</dcterms:created>');
    expect(core).toContain('<dcterms:modified xsi:type="dcterms:W3CDTF">2023-08-23T00:00:00Z</dcterms:modified>');
    expect(zip.names()[0]).toBe('[Content_Types].xml');
    expect(zip.names().some((n) => n.endsWith('/') || n.startsWith('/'))).toBe(false);
    expect(zip.getText('xl/worksheets/sheet1.xml')).toContain('&amp;LMOPAC FOI 556&amp;RPage &amp;P of &amp;N');
  });

  it('gives identical bytes for the same workbook, and different bytes for another date', async () => {
    const a = await writeXlsx(BOOK([SHEET]));
    const b = await writeXlsx(BOOK([SHEET]));
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
    const c = await writeXlsx(BOOK([SHEET], '2023-08-24'));
    expect(Buffer.from(a).equals(Buffer.from(c))).toBe(false);
    // Every zip entry carries the date at 12:00 (DOS date: years since 1980, month, day).
    const bytes = Buffer.from(a);
    const dosDate = ((2023 - 1980) << 9) | (8 << 5) | 23;
    for (let p = bytes.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02])); p >= 0; p = bytes.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]), p + 4)) {
      expect(bytes.readUInt16LE(p + 14)).toBe(dosDate);
      expect(bytes.readUInt16LE(p + 12)).toBe(12 << 11);
    }
  });

  it('cuts text at Excel\'s 32,767 characters a cell, and refuses more rows than a sheet holds', async () => {
    const zip = zipParts(await writeXlsx(BOOK([{ ...SHEET, rows: [[text('x'.repeat(40_000)), money(1), text('')]], totals: [] }])));
    const strings = zip.getText('xl/sharedStrings.xml');
    expect(strings).toContain('x'.repeat(MAX_CELL_CHARS - 1) + '…<');
    expect(strings).not.toContain('x'.repeat(MAX_CELL_CHARS));
    const many = { ...SHEET, rows: new Array<PlainCell[]>(MAX_ROWS).fill([text('a')]) };
    await expect(writeXlsx(BOOK([many]))).rejects.toThrow(/would have 1,048,578 rows; a workbook sheet holds at most 1,048,576/);
  });

  it('names sheets uniquely, and writes a sheet with no rows', async () => {
    const zip = zipParts(await writeXlsx(BOOK([{ ...SHEET, name: 'Q1: a/b' }, { ...SHEET, name: 'q1- a-b', rows: [], totals: [] }])));
    const wb = zip.getText('xl/workbook.xml');
    expect(wb).toContain('name="Q1- a-b"');
    expect(wb).toContain('name="q1- a-b (2)"');
    expect(zip.getText('xl/worksheets/sheet2.xml')).toContain('<autoFilter ref="A1:C1"/>');
  });

  it('writes another currency with its own symbol, and too many words around an amount as text', async () => {
    expect(moneyFormat(money(150000, { currency: 'USD' }))).toBe('"US$"#,##0.00');
    expect(moneyFormat(money(1, { suffix: ' for "2023" to 2025' }))).toBe('£#,##0.00" for \'2023\' to 2025"');
    const long = money(100, { suffix: ` (${'a very long funding stream name '.repeat(10)})` });
    const zip = zipParts(await writeXlsx(BOOK([{ ...SHEET, rows: [[text('x'), long, text('')]], totals: [] }])));
    expect(zip.getText('xl/sharedStrings.xml')).toContain('<t>£1 (a very long funding stream name');
    expect(zip.getText('xl/worksheets/sheet1.xml')).not.toMatch(/<c r="B2"[^>]*><v>1<\/v>/);
  });

  it('keeps text cells built from letter rows as text', () => {
    expect(textCells([['£1', 'x']])).toEqual([[text('£1'), text('x')]]);
  });
});
