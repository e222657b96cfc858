/**
 * Workbooks (.xlsx) from tables of typed cells, with exceljs.
 *
 * Each sheet: a bold header row, frozen, with an autofilter over the header and data rows; money
 * as numbers in a `£#,##0.00` number format (words the letter prints around an amount, "up to " or
 * " (excluding amounts not stated)", are literal text in the format, so the cell stays a number);
 * counts as numbers; everything else as text cells. Text is only ever written as a string value, so
 * `=1+1` or `-2+3+cmd|' /C calc'!A0` is text a spreadsheet shows and never runs. The total row
 * sits under the data, outside the filter range, so sorting leaves it at the bottom. Column widths
 * fit the longest line in the column (at most 60 characters; longer text wraps).
 *
 * exceljs's streaming writer is used (measured: twice as fast as the in-memory Workbook and a
 * twentieth of the memory at 100,000 rows) with shared strings, so text cells are plain `t="s"`
 * cells. It is imported by path: the package entry point also loads the reader, CSV and date
 * libraries (250 ms against 65 ms), and this runs on every `foi answer`.
 *
 * Determinism: exceljs stamps the clock into docProps/core.xml unless given dates, and its zip
 * writer stamps every entry; the workbook is written uncompressed, then re-zipped by
 * src/render/deterministic-zip.ts (fflate DEFLATE, or stored when small; fixed entry order, one
 * fixed stamp). exceljs's writer is bundled into its own chunk, loaded on first use.
 */
import { Writable } from 'node:stream';
import type ExcelJS from 'exceljs';
import { DataError } from '../core/errors.js';
import { currencyPrefix } from '../core/money.js';
import { ZipArchive, type ZipStamp } from '../render/deterministic-zip.js';
import type { Listing } from './listing.js';
import { sheetCellText, text, type MoneyCell, type PlainCell } from './table-cells.js';
import { sheetNames } from './xlsx-sheet-names.js';

export interface SheetColumn {
  header: string;
  align: 'left' | 'right';
}

export interface SheetSpec {
  /** Wanted name; made acceptable to Excel and unique (src/output/xlsx-sheet-names.ts). */
  name: string;
  columns: SheetColumn[];
  rows: PlainCell[][];
  /** Total rows (none, one, or one per kind of funding), bold under the data, outside the filter. */
  totals: PlainCell[][];
  /** Lines of text under the table, after an empty row. */
  notes?: string[];
}

export interface WorkbookSpec {
  sheets: SheetSpec[];
  /** dc:creator and lastModifiedBy: the body. */
  creator: string;
  title: string;
  /** Printed at the foot of every page, e.g. "MOPAC FOI 556". */
  footer?: string | null;
  /** YYYY-MM-DD stamped as created and modified, and on every zip entry (never the clock). */
  date: string;
}

/** Workbooks smaller than this (uncompressed) are stored in the zip, larger ones deflated. */
const STORE_BELOW_BYTES = 256 * 1024;

/** Excel's limits: rows per sheet and characters per cell. */
export const MAX_ROWS = 1_048_576;
export const MAX_CELL_CHARS = 32_767;
const MAX_WIDTH = 60;
const MIN_WIDTH = 6;
/** A long header wraps rather than widen a column of short values beyond this. */
const HEADER_WIDTH = 24;

type WorkbookWriter = ExcelJS.stream.xlsx.WorkbookWriter;
let writerClass: typeof ExcelJS.stream.xlsx.WorkbookWriter | null = null;
async function loadWriter(): Promise<typeof ExcelJS.stream.xlsx.WorkbookWriter> {
  // @ts-expect-error -- exceljs ships no types for this path; typed by the cast
  writerClass ??= ((await import('exceljs/lib/stream/xlsx/workbook-writer.js')) as { default: typeof ExcelJS.stream.xlsx.WorkbookWriter }).default;
  return writerClass;
}

/** `"up to "£#,##0.00`: the letter's words around an amount as literal text in the format. */
export function moneyFormat(c: MoneyCell): string {
  // Inside quotes everything is literal but the quote itself; the words come from the register.
  const lit = (s: string) => (s ? `"${s.replace(/"/g, "'").replace(/[\u0000-\u001f]/g, ' ')}"` : '');
  const symbol = c.currency === 'GBP' ? '£' : lit(currencyPrefix(c.currency));
  return `${lit(c.prefix)}${symbol}#,##0.00${lit(c.suffix)}`;
}

/** Excel's longest number format. */
export const MAX_FORMAT_CHARS = 255;

function numberFormat(value: number): string {
  return Number.isInteger(value) ? '#,##0' : '#,##0.0##';
}

/** What the cell shows, for widths. */
function shown(c: PlainCell): string {
  return sheetCellText(c, { alwaysPence: true });
}

function longestLine(s: string): number {
  let max = 0;
  for (const line of s.split('\n')) max = Math.max(max, [...line].length);
  return max;
}

function longestWord(s: string): number {
  return Math.max(0, ...s.split(/\s+/).map((w) => [...w].length));
}

/** Widths in Excel's units (about one digit of the default font each), from the content. */
export function columnWidths(sheet: SheetSpec, right: readonly boolean[] = []): number[] {
  return sheet.columns.map((col, i) => {
    let data = 0;
    for (const row of sheet.rows) if (row[i]) data = Math.max(data, longestLine(shown(row[i])));
    for (const row of sheet.totals) if (row[i]) data = Math.max(data, longestLine(shown(row[i])) + 1); // bold
    const header = Math.max(longestWord(col.header), Math.min(longestLine(col.header), HEADER_WIDTH)) + 1; // bold
    return Math.min(MAX_WIDTH, Math.max(MIN_WIDTH, data, header)) + (right[i] ? 3 : 2);
  });
}

function cellText(s: string): string {
  return s.length > MAX_CELL_CHARS ? s.slice(0, MAX_CELL_CHARS - 1) + '…' : s;
}

function setCell(cell: ExcelJS.Cell, c: PlainCell, style: { bold: boolean; right: boolean; wrap: boolean }): void {
  switch (c.kind) {
    case 'money': {
      const format = moneyFormat(c);
      if (format.length > MAX_FORMAT_CHARS) {
        // Too many words around the amount for a number format: the letter's words, as text.
        cell.value = cellText(sheetCellText(c));
        break;
      }
      cell.value = c.pence / 100;
      cell.numFmt = format;
      break;
    }
    case 'number':
      cell.value = c.value;
      cell.numFmt = numberFormat(c.value);
      break;
    case 'text':
      // Always a plain string value: never an object exceljs could read as a formula.
      if (c.text !== '') cell.value = cellText(c.text);
      break;
  }
  // The whole font, not just `bold`: a font without a name falls back to the reader's default face.
  if (style.bold) cell.font = BOLD;
  // Right-aligned cells are indented one step so they do not run into the next column's text.
  cell.alignment = { vertical: 'top', ...(style.right ? { horizontal: 'right', indent: 1 } : {}), ...(style.wrap ? { wrapText: true } : {}) };
}

const BOLD: Partial<ExcelJS.Font> = { name: 'Calibri', family: 2, size: 11, bold: true };
/** Points per line of the default font (Calibri 11). */
const LINE_HEIGHT = 15;
/** Characters of running text per unit of column width (a unit is one digit of the default font). */
const CHARS_PER_UNIT = 1.2;

/**
 * Lines a text takes wrapped greedily at `width` characters. Readers do not size rows to wrapped
 * text on their own (LibreOffice keeps the default height), so rows get an explicit height.
 */
export function wrappedLines(s: string, width: number): number {
  let lines = 0;
  for (const para of s.split('\n')) {
    let line = 0;
    lines++;
    for (const word of para.split(/\s+/).filter(Boolean)) {
      const w = [...word].length;
      if (line > 0 && line + 1 + w > width) {
        lines++;
        line = 0;
      }
      line += (line > 0 ? 1 : 0) + w;
      while (line > width) {
        lines++;
        line -= width;
      }
    }
  }
  return lines;
}

function columnLetter(n: number): string {
  let s = '';
  for (let x = n; x > 0; x = Math.floor((x - 1) / 26)) s = String.fromCharCode(65 + ((x - 1) % 26)) + s;
  return s;
}

function addSheet(wb: WorkbookWriter, name: string, sheet: SheetSpec, footer: string | null): void {
  const used = 1 + sheet.rows.length + sheet.totals.length + (sheet.notes?.length ? sheet.notes.length + 1 : 0);
  if (used > MAX_ROWS) {
    throw new DataError(`sheet "${name}" would have ${used.toLocaleString('en-GB')} rows; a workbook sheet holds at most ${MAX_ROWS.toLocaleString('en-GB')}: narrow the selection, or use CSV`);
  }
  const ws = wb.addWorksheet(name, {
    views: [{ state: 'frozen', xSplit: 0, ySplit: 1, topLeftCell: 'A2', activeCell: 'A2' }],
    // Printed on A4 landscape, as wide as the page; the footer names the letter and the page.
    pageSetup: { paperSize: 9, orientation: 'landscape', fitToPage: true, fitToWidth: 1, fitToHeight: 0 },
    headerFooter: footer ? { oddFooter: `&L${footer.replace(/&/g, '&&')}&RPage &P of &N` } : undefined,
  });
  // A column holding amounts or counts is right-aligned throughout, its words ("not held") too.
  const right = sheet.columns.map((c, i) => c.align === 'right' || sheet.rows.some((r) => r[i] && r[i].kind !== 'text'));
  const widths = columnWidths(sheet, right);
  ws.columns = widths.map((width) => ({ width }));
  const last = columnLetter(Math.max(1, sheet.columns.length));
  ws.autoFilter = `A1:${last}${1 + sheet.rows.length}`;
  const write = (cells: PlainCell[], bold: boolean) => {
    const row = ws.addRow([]);
    let lines = 1;
    cells.forEach((c, i) => {
      const col = sheet.columns[i];
      if (!col) return;
      const content = shown(c);
      const wrap = longestLine(content) + 2 > widths[i] || content.includes('\n');
      if (wrap) lines = Math.max(lines, wrappedLines(content, Math.floor((widths[i] - 2) * CHARS_PER_UNIT)));
      setCell(row.getCell(i + 1), c, { bold, right: right[i], wrap });
    });
    if (lines > 1) row.height = lines * LINE_HEIGHT;
    row.commit();
  };
  write(sheet.columns.map((c) => ({ kind: 'text', text: c.header })), true);
  for (const r of sheet.rows) write(r, false);
  for (const r of sheet.totals) write(r, true);
  if (sheet.notes?.length) {
    ws.addRow([]).commit();
    for (const n of sheet.notes) ws.addRow([cellText(n)]).commit();
  }
  ws.commit();
}

function stampOf(date: string): ZipStamp {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!m) throw new RangeError(`workbook date must be YYYY-MM-DD: ${date}`);
  return { year: Number(m[1]), month: Number(m[2]), day: Number(m[3]) };
}

/** The workbook's bytes: the same spec always gives the same bytes, in any time zone. */
export async function writeXlsx(spec: WorkbookSpec): Promise<Uint8Array> {
  const stamp = stampOf(spec.date);
  const chunks: Buffer[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      chunks.push(chunk);
      done();
    },
  });
  const Writer = await loadWriter();
  const wb = new Writer({ stream: sink, useStyles: true, useSharedStrings: true, zip: { store: true } });
  const when = new Date(Date.UTC(stamp.year, stamp.month - 1, stamp.day));
  wb.creator = spec.creator;
  wb.lastModifiedBy = spec.creator;
  wb.title = spec.title;
  wb.created = when;
  wb.modified = when;
  const names = sheetNames(spec.sheets.map((s) => s.name));
  spec.sheets.forEach((s, i) => addSheet(wb, names[i], s, spec.footer ?? null));
  await wb.commit();

  // Re-zip: DEFLATE with fflate, fixed order and stamp; no directory entries; no leading "/".
  // A small workbook (a letter's tables) is stored instead: deflating it would cost a one-letter
  // `foi answer` more than the rest of the workbook (fflate is JavaScript, cold in a new process).
  const raw = ZipArchive.read(new Uint8Array(Buffer.concat(chunks)));
  const entries = raw.names().filter((name) => !name.endsWith('/'));
  const store = entries.reduce((a, name) => a + raw.get(name).length, 0) < STORE_BELOW_BYTES;
  const out = new ZipArchive();
  for (const name of entries) out.set(name.replace(/^\/+/, ''), raw.get(name), { store });
  return out.toBytes({ stamp, first: ['xl/workbook.xml', 'xl/_rels/workbook.xml.rels', 'docProps/core.xml', 'docProps/app.xml'] });
}

/** A listing (`foi grants --format xlsx`) as a sheet: typed cells where its columns give them. */
export function listingSheet<R>(name: string, l: Listing<R>, footer: PlainCell[] | null): SheetSpec {
  return {
    name,
    columns: l.columns.map((c) => ({ header: c.header, align: c.align ?? 'left' })),
    rows: l.rows.map((r) => l.columns.map((c) => (c.cell ? c.cell(r) : text(c.value(r))))),
    totals: footer ? [footer] : [],
    notes: l.notes,
  };
}
