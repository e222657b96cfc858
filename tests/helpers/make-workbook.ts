/**
 * Workbooks for the import tests, built with exceljs (the way a spreadsheet program saves them):
 * a 360Giving workbook from a package's grants, and small sheets with each Excel quirk (dates as
 * serial numbers in both date systems, amounts as numbers and as text, formulas with and
 * without saved results, merged and hidden cells, a header below row 1). Nothing is committed:
 * each test builds what it reads, so how it was made is here.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type ExcelJS from 'exceljs';

const require = createRequire(import.meta.url);
const Excel = require('exceljs') as typeof ExcelJS;

export type CellValue = ExcelJS.CellValue;

export interface SheetSpec {
  name: string;
  rows: CellValue[][];
  /** Applied to the sheet after the rows are added. */
  edit?: (ws: ExcelJS.Worksheet) => void;
}

/** A workbook of the given sheets; `date1904` sets Excel's 1904 date system flag in workbook.xml. */
export async function writeWorkbook(path: string, sheets: SheetSpec[], opts: { date1904?: boolean } = {}): Promise<void> {
  const wb = new Excel.Workbook();
  if (opts.date1904) wb.properties.date1904 = true;
  for (const s of sheets) {
    const ws = wb.addWorksheet(s.name);
    for (const r of s.rows) ws.addRow(r);
    s.edit?.(ws);
  }
  await wb.xlsx.writeFile(path);
}

/** The 360Giving flat columns of the Lloyds-style files (as bench/lib/gen-csv.ts writes them). */
export const FLAT_COLUMNS = [
  'Identifier', 'Title', 'Description', 'Currency', 'Amount Awarded', 'Award Date',
  'Recipient Org:Identifier', 'Recipient Org:Name', 'Recipient Org:Charity Number', 'Recipient Org:Company Number',
  'Recipient Org:City', 'Recipient Org:Postal Code', 'Funding Org:Identifier', 'Funding Org:Name',
  'Grant Programme:Code', 'Grant Programme:Title', 'Planned Dates:Start Date', 'Planned Dates:End Date',
  'Planned Dates:Duration (months)', 'From An Open Call?', 'Last Modified',
] as const;

type Obj = Record<string, any>;

/** An ISO date-time's calendar date as an Excel date cell value (a UTC midnight Date: exceljs stores it as a serial). */
function excelDate(v: unknown): Date | null {
  if (typeof v !== 'string' || !/^\d{4}-\d{2}-\d{2}/.test(v)) return null;
  return new Date(`${v.slice(0, 10)}T00:00:00Z`);
}

/**
 * A 360Giving package's grants as one sheet "grants" with the flat column titles: amounts and
 * durations as numbers, dates as date cells (dd/mm/yyyy), everything else as text; plus a
 * "Read me" sheet that is not read. Written with exceljs's streaming writer.
 */
export async function workbookFromPackage(json: string, path: string): Promise<{ grants: number }> {
  const grants = (JSON.parse(readFileSync(json, 'utf8')) as { grants: Obj[] }).grants;
  const wb = new Excel.stream.xlsx.WorkbookWriter({ filename: path, useSharedStrings: true, useStyles: true });
  const readme = wb.addWorksheet('Read me');
  readme.addRow(['Grants data converted for the foi tests']).commit();
  readme.commit();
  const ws = wb.addWorksheet('grants');
  ws.addRow([...FLAT_COLUMNS]).commit();
  const dateCols = new Set(['Award Date', 'Planned Dates:Start Date', 'Planned Dates:End Date', 'Last Modified']);
  for (const g of grants) {
    const r = g.recipientOrganization?.[0] ?? {};
    const f = g.fundingOrganization?.[0] ?? {};
    const p = g.grantProgramme?.[0] ?? {};
    const pd = g.plannedDates?.[0] ?? {};
    const values: Record<(typeof FLAT_COLUMNS)[number], unknown> = {
      Identifier: g.id, Title: g.title, Description: g.description, Currency: g.currency, 'Amount Awarded': g.amountAwarded,
      'Award Date': excelDate(g.awardDate), 'Recipient Org:Identifier': r.id, 'Recipient Org:Name': r.name,
      'Recipient Org:Charity Number': r.charityNumber, 'Recipient Org:Company Number': r.companyNumber, 'Recipient Org:City': r.addressLocality,
      'Recipient Org:Postal Code': r.postalCode, 'Funding Org:Identifier': f.id, 'Funding Org:Name': f.name, 'Grant Programme:Code': p.code,
      'Grant Programme:Title': p.title, 'Planned Dates:Start Date': excelDate(pd.startDate), 'Planned Dates:End Date': excelDate(pd.endDate),
      'Planned Dates:Duration (months)': pd.duration, 'From An Open Call?': g.fromOpenCall, 'Last Modified': excelDate(g.dateModified),
    };
    const row = ws.addRow(FLAT_COLUMNS.map((c) => (values[c] === undefined ? null : values[c]) as CellValue));
    FLAT_COLUMNS.forEach((c, i) => {
      if (dateCols.has(c) && values[c]) row.getCell(i + 1).numFmt = 'dd/mm/yyyy';
    });
    row.commit();
  }
  ws.commit();
  await wb.commit();
  return { grants: grants.length };
}

/** The minimum 360Giving columns, and a valid row for grant `n` to start from. */
export const MIN_COLUMNS = ['Identifier', 'Title', 'Description', 'Currency', 'Amount Awarded', 'Award Date', 'Recipient Org:Identifier', 'Recipient Org:Name', 'Funding Org:Identifier', 'Funding Org:Name'];

export function minRow(n: number, over: Partial<Record<string, CellValue>> = {}): CellValue[] {
  const base: Record<string, CellValue> = {
    Identifier: `360G-XLSX-${n}`, Title: `Grant ${n}`, Description: `Description ${n}`, Currency: 'GBP', 'Amount Awarded': 1000 * n,
    'Award Date': '2019-01-24', 'Recipient Org:Identifier': `GB-CHC-10${n}`, 'Recipient Org:Name': `Charity ${n}`,
    'Funding Org:Identifier': 'GB-CHC-999', 'Funding Org:Name': 'The Funder',
  };
  return MIN_COLUMNS.map((c) => (c in over ? over[c]! : base[c]));
}
