/**
 * `foi import FILE.xlsx` through bin/foi (issue 11): a workbook made from the Lloyds Bank
 * Foundation file, every Excel quirk the issue lists, the register's own foi-lines as a
 * workbook, and located, all-or-nothing errors. The workbooks are built by
 * tests/helpers/make-workbook.ts with exceljs.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { FIXTURES, foi, json, tempDir } from '../helpers/cli.js';
import { MIN_COLUMNS, minRow, workbookFromPackage, writeWorkbook } from '../helpers/make-workbook.js';
import { ZipArchive } from '../../src/render/deterministic-zip.js';
import { skipWithoutCalc } from '../helpers/workbook.js';
import { runTool } from '../helpers/tools.js';

const SHARED = fileURLToPath(new URL('../../../shared/data/360giving/', import.meta.url));
const LLOYDS = join(SHARED, 'lloyds-bank-foundation-2010-2015.360g.json');
const newDb = () => join(tempDir('foi-xlsx-in-'), 'r.sqlite');

type Listing = { count: number; totalPence: number; rows: { id: string; amountPence: number; financialYear: string }[] };
type Detail = { title: string; description: string | null; amountAwardedPence: number; awardDate: string; plannedStart: string | null; recipient: { name: string } | null };

const grants = (db: string): Listing => json<Listing>(foi(['grants', '--db', db, '--format', 'json']));
const show = (db: string, id: string): Detail => json<Detail>(foi(['show', id, '--db', db, '--format', 'json']));

describe('a workbook made from the Lloyds Bank Foundation file (CC BY 4.0)', () => {
  const have = existsSync(LLOYDS);
  if (!have) console.warn(`skipping the Lloyds workbook test: ${LLOYDS} not found (the shared data folder is not present)`);

  it.skipIf(!have)('imports exactly 4,116 grants with the same total as the JSON, £115,795,635.69', async () => {
    const dir = tempDir('foi-xlsx-lloyds-');
    const xlsx = join(dir, 'lloyds.xlsx');
    expect((await workbookFromPackage(LLOYDS, xlsx)).grants).toBe(4116);
    const db = newDb();
    const r = foi(['import', xlsx, '--db', db]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('lloyds.xlsx (360giving-xlsx): 4,116 grants; 4,116 added');
    // The read-me sheet is named as not read; the rows' own warnings are as for the JSON.
    expect(r.stderr).toContain('notice: lloyds.xlsx, sheet "Read me": not read: its first row is not a header of grant columns');
    expect(r.stderr).toContain('schema: lloyds.xlsx, sheet "grants", cell T2, column "From An Open Call?": 360Giving schema: expected "Yes" or "No"; read as "Yes" (value: "Y") [and 4,115 more like it]');
    const fromXlsx = grants(db);
    expect(fromXlsx.count).toBe(4116);
    expect(fromXlsx.totalPence).toBe(11_579_563_569);

    const jsonDb = newDb();
    expect(foi(['import', LLOYDS, '--db', jsonDb]).code).toBe(0);
    const fromJson = grants(jsonDb);
    expect(fromXlsx.totalPence).toBe(fromJson.totalPence);
    // Every grant in the same year with the same amount: dates and amounts read alike.
    const key = (l: Listing) => l.rows.map((x) => `${x.id} ${x.financialYear} ${x.amountPence}`).sort();
    expect(key(fromXlsx)).toEqual(key(fromJson));
    const d = show(db, '360G-LBFEW-114001');
    expect(d.awardDate).toBe('2015-06-10');
    expect(d.plannedStart).toBe('2015-07-01');
    expect(d.amountAwardedPence).toBe(1_500_000);
  });
});

describe('Excel quirks', () => {
  let dir: string;
  beforeAll(() => {
    dir = tempDir('foi-xlsx-quirks-');
  });

  it('reads dates stored as serial numbers (1900 system), amounts as numbers or as formatted text, formulas by their saved values, spaces and £ in text', async () => {
    const path = join(dir, 'quirks.xlsx');
    await writeWorkbook(path, [{
      name: 'Grants',
      rows: [
        MIN_COLUMNS,
        minRow(1, { 'Award Date': 43489, 'Amount Awarded': 1234.5 }),
        minRow(2, { 'Award Date': new Date('2019-01-25T00:00:00Z'), 'Amount Awarded': '£1,234.50', Title: '  Grant of £5,000 to Charity 2  ' }),
        minRow(3, { 'Award Date': 43491, 'Amount Awarded': ' £2,000 ', Description: '  spaced out  ' }),
        minRow(4, { 'Amount Awarded': { formula: '1000+234.56', result: 1234.56 }, Title: { formula: 'CONCAT("Grant ","4")', result: 'Grant 4' } }),
        minRow(5, { 'Amount Awarded': 0.1 + 0.2 + 99.7 }),
      ],
      edit: (ws) => {
        ws.getCell('F2').numFmt = 'dd/mm/yyyy'; // 43489 is 24 January 2019
        ws.getCell('F3').numFmt = 'd mmmm yyyy';
        // F4 is left General: a plain number in a date column, read as a date and noted.
      },
    }]);
    const db = newDb();
    const r = foi(['import', path, '--db', db]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('quirks.xlsx (360giving-xlsx): 5 grants; 5 added');
    expect(r.stdout).toContain('normalised 1 value in Award Date, e.g. sheet "Grants", cell F4: "43491" -> "2019-01-26 (a plain number in a date column, read as an Excel date)"');
    expect(show(db, '360G-XLSX-1')).toMatchObject({ awardDate: '2019-01-24', amountAwardedPence: 123450 });
    expect(show(db, '360G-XLSX-2')).toMatchObject({ awardDate: '2019-01-25', amountAwardedPence: 123450, title: 'Grant of £5,000 to Charity 2' });
    expect(show(db, '360G-XLSX-3')).toMatchObject({ awardDate: '2019-01-26', amountAwardedPence: 200000, description: 'spaced out' });
    expect(show(db, '360G-XLSX-4')).toMatchObject({ title: 'Grant 4', amountAwardedPence: 123456 });
    // 100.00000000000001 as stored: Excel shows 15 significant digits, and so does foi.
    expect(show(db, '360G-XLSX-5').amountAwardedPence).toBe(10000);
    // Text amounts are read, and the schema warning says what they were read as.
    expect(r.stderr).toMatch(/schema: quirks\.xlsx, sheet "Grants", cell E3, column "Amount Awarded": .*"£1,234.50"/);
  });

  it('reads the 1904 date system (date1904 in workbook.xml, "1" or "true")', async () => {
    const path = join(dir, 'mac-1904.xlsx');
    await writeWorkbook(path, [{
      name: 'Grants',
      rows: [MIN_COLUMNS, minRow(1, { 'Award Date': 40000 }), minRow(2, { 'Award Date': 40000 })],
      edit: (ws) => {
        ws.getCell('F2').numFmt = 'yyyy-mm-dd';
        ws.getCell('F3').numFmt = 'dd/mm/yy';
      },
    }], { date1904: true });
    const db = newDb();
    expect(foi(['import', path, '--db', db]).code).toBe(0);
    // Day 40000 is 7 July 2013 from 1 January 1904 (it would be 6 July 2009 in the 1900 system).
    expect(show(db, '360G-XLSX-1').awardDate).toBe('2013-07-07');
    expect(show(db, '360G-XLSX-2').awardDate).toBe('2013-07-07');

    // The same workbook with the flag written as an XML boolean "true" (as some programs do).
    const zip = ZipArchive.read(new Uint8Array(readFileSync(path)));
    const wbXml = Buffer.from(zip.get('xl/workbook.xml')).toString('utf8');
    expect(wbXml).toContain('date1904="1"');
    zip.set('xl/workbook.xml', new Uint8Array(Buffer.from(wbXml.replace('date1904="1"', 'date1904="true"'))));
    const path2 = join(dir, 'mac-1904-true.xlsx');
    writeFileSync(path2, zip.toBytes());
    const db2 = newDb();
    expect(foi(['import', path2, '--db', db2]).code).toBe(0);
    expect(show(db2, '360G-XLSX-1').awardDate).toBe('2013-07-07');

    // And the 1900 system for the same serial.
    const path3 = join(dir, 'win-1900.xlsx');
    await writeWorkbook(path3, [{ name: 'Grants', rows: [MIN_COLUMNS, minRow(1, { 'Award Date': 40000 })], edit: (ws) => (ws.getCell('F2').numFmt = 'yyyy-mm-dd') }]);
    const db3 = newDb();
    expect(foi(['import', path3, '--db', db3]).code).toBe(0);
    expect(show(db3, '360G-XLSX-1').awardDate).toBe('2009-07-06');
  });

  it('a formula with no saved value, or an Excel error value, is an error naming the cell; nothing is written', async () => {
    const path = join(dir, 'formulas.xlsx');
    await writeWorkbook(path, [{
      name: 'Grants',
      rows: [
        MIN_COLUMNS,
        minRow(1),
        minRow(2, { 'Amount Awarded': { formula: 'SUM(B2:B9)' } as never }),
        minRow(3, { 'Recipient Org:Name': { error: '#N/A' } as never }),
      ],
    }]);
    const db = newDb();
    const r = foi(['import', path, '--db', db]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('foi: import failed: 2 errors; nothing was written to the register');
    expect(r.stderr).toContain('formulas.xlsx, sheet "Grants", cell E3, column "Amount Awarded": the formula "=SUM(B2:B9)" has no saved result; foi reads the values Excel last calculated, and this workbook was saved without them: open it in Excel or LibreOffice and save it, or paste the values (value: "=SUM(B2:B9)")');
    expect(r.stderr).toContain('formulas.xlsx, sheet "Grants", cell H4, column "Recipient Org:Name": the cell holds the Excel error #N/A; a value is needed here (value: "#N/A")');
    expect(grants(db).count).toBe(0);
  });

  it('merged header cells are rejected, saying which and what to do; merged data cells too', async () => {
    const path = join(dir, 'merged-header.xlsx');
    const header = [...MIN_COLUMNS];
    header[7] = 'Recipient Org'; // "Recipient Org" over Identifier and Name, as a two-row heading
    header[6] = 'Recipient Org';
    await writeWorkbook(path, [{
      name: 'Grants',
      rows: [header, minRow(1)],
      edit: (ws) => ws.mergeCells('G1:H1'),
    }]);
    const r = foi(['import', path, '--db', newDb()]);
    expect(r.code).toBe(1);
    const lines = r.stderr.split('\n');
    // The merge is named first: it is why the columns are missing.
    expect(lines[1]).toBe('  merged-header.xlsx, sheet "Grants", cells G1:H1: cells G1:H1 are merged in the header row: each column needs a title of its own in row 1; unmerge them (Home > Merge & Center) and give every column its title');
    expect(r.stderr).toContain('required column "Recipient Org:Identifier" is missing from the header');

    const path2 = join(dir, 'merged-data.xlsx');
    await writeWorkbook(path2, [{
      name: 'Grants',
      rows: [MIN_COLUMNS, minRow(1), minRow(2, { 'Funding Org:Name': null }), minRow(3, { 'Funding Org:Name': null })],
      edit: (ws) => ws.mergeCells('J2:J4'),
    }]);
    const db = newDb();
    const r2 = foi(['import', path2, '--db', db]);
    expect(r2.code).toBe(1);
    expect(r2.stderr).toContain('merged-data.xlsx, sheet "Grants", cells J2:J4, column "Funding Org:Name": cells J2:J4 are merged: a merged cell holds its value only in its first cell (J2), so the other rows would read as blank; unmerge them and fill in each row');
    expect(grants(db).count).toBe(0);
  });

  it('hidden rows and columns are imported, and a notice says which', async () => {
    const path = join(dir, 'hidden.xlsx');
    await writeWorkbook(path, [{
      name: 'Grants',
      rows: [MIN_COLUMNS, minRow(1), minRow(2), minRow(3)],
      edit: (ws) => {
        ws.getRow(3).hidden = true;
        ws.getColumn(3).hidden = true;
      },
    }]);
    const db = newDb();
    const r = foi(['import', path, '--db', db]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('hidden.xlsx (360giving-xlsx): 3 grants; 3 added');
    expect(r.stderr).toContain('notice: hidden.xlsx, sheet "Grants": column C (Description) is hidden in Excel; foi imported it like the others');
    expect(r.stderr).toContain('notice: hidden.xlsx, sheet "Grants": row 3 is hidden in Excel (hidden or filtered out); foi imported it like the others');
    expect(show(db, '360G-XLSX-2').description).toBe('Description 2');
  });

  it('a header row that is not row 1 is rejected clearly', async () => {
    const path = join(dir, 'titled.xlsx');
    await writeWorkbook(path, [{ name: 'Grants 2019', rows: [['Grants awarded in 2019'], [], MIN_COLUMNS, minRow(1)] }]);
    const r = foi(['import', path, '--db', newDb()]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('titled.xlsx, sheet "Grants 2019", row 3: the header row is row 3, not row 1: foi reads the column titles from row 1 of the sheet; delete the rows above the titles (rows 1 to 2) and import it again');
  });

  it('errors name the sheet, the cell (column letter and row), the column title, the value and what was expected', async () => {
    const path = join(dir, 'bad.xlsx');
    await writeWorkbook(path, [
      { name: 'Notes', rows: [['These grants are draft']] },
      { name: 'Grants', rows: [MIN_COLUMNS, minRow(1), minRow(2, { 'Amount Awarded': 'about a thousand', 'Award Date': '31/02/2019' }), minRow(1, { Title: 'again' }), [...minRow(4), null, 'stray']] },
    ]);
    const db = newDb();
    const r = foi(['import', path, '--db', db]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/bad\.xlsx, sheet "Grants", cell E3, column "Amount Awarded": .*expected an amount like 1234\.50.* \(value: "about a thousand"\)/);
    expect(r.stderr).toMatch(/bad\.xlsx, sheet "Grants", cell F3, column "Award Date": .*31\/02\/2019/);
    expect(r.stderr).toContain('bad.xlsx, sheet "Grants", cell A4, column "Identifier": duplicate grant id: the same id is already used at sheet "Grants", row 2 in this file; each grant needs its own id (value: "360G-XLSX-1")');
    expect(r.stderr).toContain('bad.xlsx, sheet "Grants", cell L5: the cell has a value but column L has no title in row 1; give the column a title (a 360Giving title, or your own) or clear the cell (value: "stray")');
    expect(grants(db).count).toBe(0);
  });

  it('one sheet of grants: a second sheet of grants, or one sheet per list, is an error; a workbook with none says so', async () => {
    const two = join(dir, 'two.xlsx');
    await writeWorkbook(two, [
      { name: '2019', rows: [MIN_COLUMNS, minRow(1)] },
      { name: '2020', rows: [MIN_COLUMNS, minRow(2)] },
      { name: 'beneficiaryLocation', rows: [['Identifier', 'Beneficiary Location:Name'], ['360G-XLSX-1', 'Leeds']] },
    ]);
    const db = newDb();
    const r = foi(['import', two, '--db', db]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('two.xlsx, sheet "2020", row 1: a second sheet of grants (the first is sheet "2019"); foi reads one sheet per workbook');
    expect(r.stderr).toContain('two.xlsx, sheet "beneficiaryLocation", row 1: this sheet lists items of each grant on rows of their own');
    expect(grants(db).count).toBe(0);

    const none = join(dir, 'none.xlsx');
    await writeWorkbook(none, [{ name: 'Sheet1', rows: [['Name', 'Amount'], ['x', 1]] }]);
    const r2 = foi(['import', none, '--db', newDb()]);
    expect(r2.code).toBe(1);
    expect(r2.stderr).toContain('none.xlsx, file: no sheet has a header of grant columns in row 1: a 360Giving sheet needs Identifier, Title, Amount Awarded, … and a foi-lines sheet Grant ID (sheets: sheet "Sheet1" (row 1: "Name", "Amount"))');
  });

  it('a file that is not a workbook, a password-protected one and an old .xls are clear errors', () => {
    const d = tempDir();
    const broken = join(d, 'broken.xlsx');
    writeFileSync(broken, Buffer.concat([Buffer.from('PK\u0003\u0004'), Buffer.alloc(200, 7)]));
    const r = foi(['import', broken, '--db', newDb()]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('broken.xlsx, file: not a workbook foi can read');
    const locked = join(d, 'locked.xlsx');
    writeFileSync(locked, Buffer.concat([Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]), Buffer.alloc(500)]));
    const r3 = foi(['import', locked, '--db', newDb()]);
    expect(r3.code).toBe(2);
    expect(r3.stderr).toContain('the workbook is password-protected (encrypted), or an Excel 97-2003 file named .xlsx');
    const xls = join(d, 'old.xls');
    writeFileSync(xls, 'whatever');
    const r2 = foi(['import', xls, '--db', newDb()]);
    expect(r2.code).toBe(2);
    expect(r2.stderr).toContain('an Excel 97-2003 workbook (.xls) is not read; open it and save it as "Excel Workbook (*.xlsx)", then import that');
  });
});

describe('a workbook saved by another program (LibreOffice Calc)', () => {
  const skip = skipWithoutCalc('reading a workbook LibreOffice Calc wrote');
  it.skipIf(skip)('imports: its dates, numbers and column definitions (hidden="false") are read as Excel\'s', () => {
    const dir = tempDir('foi-xlsx-lo-');
    const csv = join(dir, 'grants.csv');
    writeFileSync(csv, [
      MIN_COLUMNS.join(','),
      '360G-LO-1,Grant one,About one,GBP,15000,2019-01-24,GB-CHC-1,Charity One,GB-CHC-9,The Funder',
      '360G-LO-2,Grant two,"About two, with a comma",GBP,1234.56,2020-03-31,GB-CHC-2,Charity Two,GB-CHC-9,The Funder',
      '',
    ].join('\n'));
    runTool('soffice', [`-env:UserInstallation=file://${tempDir('foi-lo-')}`, '--headless', '--convert-to', 'xlsx', '--outdir', dir, csv], { timeout: 150_000 });
    const db = newDb();
    const r = foi(['import', join(dir, 'grants.xlsx'), '--db', db]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('grants.xlsx (360giving-xlsx): 2 grants; 2 added');
    expect(show(db, '360G-LO-1')).toMatchObject({ awardDate: '2019-01-24', amountAwardedPence: 1_500_000 });
    expect(show(db, '360G-LO-2')).toMatchObject({ awardDate: '2020-03-31', amountAwardedPence: 123_456, description: 'About two, with a comma' });
  });
});

describe("the register's own foi-lines as a workbook", () => {
  it('imports like the CSV: the same grant, lines, flags and figures', async () => {
    const dir = tempDir('foi-xlsx-lines-');
    const csv = readFileSync(join(FIXTURES, 'foi-lines', 'stalking-advocacy.csv'), 'utf8').trim().split('\n');
    const { parseCsv } = await import('../helpers/workbook.js');
    const rows = parseCsv(csv.join('\n'));
    const path = join(dir, 'lines.xlsx');
    // Amounts as the officer types them: one as text with £, one as a number.
    rows[2][9] = 120000 as never;
    await writeWorkbook(path, [{ name: 'Lines', rows }]);
    const fromXlsx = join(tempDir(), 'r.sqlite');
    const fromCsv = join(tempDir(), 'r.sqlite');
    expect(foi(['init', '--db', fromXlsx, '--sample']).code).toBe(0);
    expect(foi(['init', '--db', fromCsv, '--sample']).code).toBe(0);
    const r = foi(['import', path, '--db', fromXlsx]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('lines.xlsx (foi-lines-xlsx): 1 grant; 1 added');
    expect(foi(['import', join(FIXTURES, 'foi-lines', 'stalking-advocacy.csv'), '--db', fromCsv]).code).toBe(0);
    const shown = (db: string) => {
      const d = json<Record<string, unknown>>(foi(['show', '360G-TEST-LINES-1', '--db', db, '--format', 'json']));
      delete d.history; // which file and when, where the register keeps a history
      return d;
    };
    const a = shown(fromXlsx);
    const b = shown(fromCsv);
    expect(a).toEqual(b);
    expect((a.allocations as { amountPence: number }[]).map((x) => x.amountPence)).toEqual([10000050, 12000000]);
  });

  it('foi-lines errors are located by sheet and cell', async () => {
    const dir = tempDir('foi-xlsx-lines-');
    const path = join(dir, 'bad-lines.xlsx');
    await writeWorkbook(path, [{ name: 'Lines', rows: [['Grant ID', 'Title', 'Financial Year', 'Amount'], ['360G-L-1', 'A grant', '2019/20', 'lots']] }]);
    const db = join(tempDir(), 'r.sqlite');
    expect(foi(['init', '--db', db]).code).toBe(0);
    const r = foi(['import', path, '--db', db]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/bad-lines\.xlsx, sheet "Lines", cell D2, column "Amount": .*expected an amount like £1,234\.50.* \(value: "lots"\)/);
  });
});
