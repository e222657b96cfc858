/**
 * Workbooks (.xlsx) from tables of typed cells.
 *
 * Each sheet: a bold header row, frozen, with an autofilter over the header and data rows; money
 * as numbers in a `£#,##0.00` number format (words the letter prints around an amount, "up to " or
 * " (excluding amounts not stated)", are literal text in the format, so the cell stays a number);
 * counts as numbers; everything else as text cells. Text is only ever written as a string value, so
 * `=1+1` or `-2+3+cmd|' /C calc'!A0` is text a spreadsheet shows and never runs. The total row
 * sits under the data, outside the filter range, so sorting leaves it at the bottom. Column widths
 * fit the longest line in the column (at most 60 characters; longer text wraps).
 *
 * This module lays each sheet out (what every cell holds, its style, widths, row heights); the
 * SpreadsheetML is written by hand in xlsx-parts.ts, as the DOCX is, around the constant parts
 * exceljs writes (its theme, its style sheet frame). The tests write every layout with exceljs too
 * and require the same bytes (tests/output/xlsx-writer.test.ts), so exceljs stays the reference
 * without being loaded by `foi answer` (it was a third of a cold letter's time, and a fifth of a
 * batch worker's).
 *
 * Text cells are shared strings (`t="s"`), never inline strings or formulas. Determinism: nothing
 * reads the clock; the parts are zipped by src/render/deterministic-zip.ts (stored when small,
 * else fflate DEFLATE; fixed entry order, one fixed stamp).
 */
import { DataError } from '../core/errors.js';
import { currencyPrefix } from '../core/money.js';
import { ZipArchive, type ZipStamp } from '../render/deterministic-zip.js';
import type { Listing } from './listing.js';
import { sheetCellText, text, type MoneyCell, type PlainCell } from './table-cells.js';
import { dropControls } from '../core/control-chars.js';
import { sheetNames } from './xlsx-sheet-names.js';
import { workbookParts } from './xlsx-parts.js';

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

/** Excel's limits: rows per sheet and characters per cell. */
export const MAX_ROWS = 1_048_576;
export const MAX_CELL_CHARS = 32_767;
const MAX_WIDTH = 60;
const MIN_WIDTH = 6;
/** A long header wraps rather than widen a column of short values beyond this. */
const HEADER_WIDTH = 24;

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

const SURROGATE = /[\ud800-\udfff]/;

/** Characters (code points, as `[...s].length` counts them) of s[from, to), without making an array. */
function codePoints(s: string, from = 0, to = s.length, surrogates = SURROGATE.test(s)): number {
  let n = to - from;
  if (!surrogates) return n;
  for (let i = from; i < to - 1; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n--;
        i++;
      }
    }
  }
  return n;
}

function longestLine(s: string): number {
  let max = 0;
  const surrogates = SURROGATE.test(s);
  for (let start = 0; start <= s.length;) {
    let end = s.indexOf('\n', start);
    if (end < 0) end = s.length;
    max = Math.max(max, codePoints(s, start, end, surrogates));
    start = end + 1;
  }
  return max;
}

function longestWord(s: string): number {
  return Math.max(0, ...s.split(/\s+/).map((w) => codePoints(w)));
}

/** Widths in Excel's units (about one digit of the default font each), from the content. */
export function columnWidths(sheet: SheetSpec, right: readonly boolean[] = []): number[] {
  const shownOf = (rows: PlainCell[][]) => rows.map((r) => r.map((c) => (c ? shown(c) : '')));
  return widthsOf(sheet.columns, shownOf(sheet.rows), shownOf(sheet.totals), right);
}

/** columnWidths from the cells' shown text (worked out once per cell by the layout). */
function widthsOf(columns: readonly SheetColumn[], rows: readonly string[][], totals: readonly string[][], right: readonly boolean[]): number[] {
  return columns.map((col, i) => {
    let data = 0;
    for (const row of rows) if (row[i]) data = Math.max(data, longestLine(row[i]));
    for (const row of totals) if (row[i]) data = Math.max(data, longestLine(row[i]) + 1); // bold
    const header = Math.max(longestWord(col.header), Math.min(longestLine(col.header), HEADER_WIDTH)) + 1; // bold
    return Math.min(MAX_WIDTH, Math.max(MIN_WIDTH, data, header)) + (right[i] ? 3 : 2);
  });
}

/** A text cell: without control or bidirectional override characters (as letters drop them), and at most MAX_CELL_CHARS. */
function cellText(raw: string): string {
  const s = dropControls(raw);
  return s.length > MAX_CELL_CHARS ? s.slice(0, MAX_CELL_CHARS - 1) + '…' : s;
}

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
  const surrogates = SURROGATE.test(s);
  for (const para of s.split('\n')) {
    let line = 0;
    lines++;
    for (const word of para.split(/\s+/).filter(Boolean)) {
      const w = codePoints(word, 0, word.length, surrogates);
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

/** What a cell holds: text (a shared string), a number shown through a number format, or nothing. */
export type SheetValue =
  | { kind: 'string'; text: string }
  | { kind: 'number'; value: number; format: string }
  | { kind: 'empty' };

/** A cell's look: bold (headers and totals), right-aligned and indented, wrapped. */
export interface CellStyle {
  bold: boolean;
  right: boolean;
  wrap: boolean;
}

export interface LaidCell {
  value: SheetValue;
  /** null: the default style (the notes under a table). */
  style: CellStyle | null;
}

export interface LaidRow {
  /** 1-based row number. */
  number: number;
  /** From column A, one per column. */
  cells: LaidCell[];
  /** Points, for wrapped text (readers do not grow rows to fit it); null: the default height. */
  height: number | null;
}

/**
 * A sheet as written: what every cell holds and how it looks, the column widths, the filter range.
 * Both the workbook writer (xlsx-parts.ts) and the exceljs reference in the tests write from this.
 */
export interface SheetLayout {
  name: string;
  widths: number[];
  /** The autofilter range: the header and data rows, not the totals. */
  filter: string;
  /** Rows in order; a row with no value and no height (the gap before the notes) is not written. */
  rows: LaidRow[];
  footer: string | null;
}

/** The value a cell holds for a table cell. */
function sheetValue(c: PlainCell): SheetValue {
  switch (c.kind) {
    case 'money': {
      const format = moneyFormat(c);
      // Too many words around the amount for a number format: the letter's words, as text.
      if (format.length > MAX_FORMAT_CHARS) return { kind: 'string', text: cellText(sheetCellText(c)) };
      return { kind: 'number', value: c.pence / 100, format };
    }
    case 'number':
      return { kind: 'number', value: c.value, format: numberFormat(c.value) };
    case 'text':
      // Always a plain string: text is never written as a formula, whatever it looks like.
      return c.text === '' ? { kind: 'empty' } : { kind: 'string', text: cellText(c.text) };
  }
}

/** Lay a sheet out: values, styles, widths and row heights. */
export function layoutSheet(name: string, sheet: SheetSpec, footer: string | null): SheetLayout {
  const used = 1 + sheet.rows.length + sheet.totals.length + (sheet.notes?.length ? sheet.notes.length + 1 : 0);
  if (used > MAX_ROWS) {
    throw new DataError(`sheet "${name}" would have ${used.toLocaleString('en-GB')} rows; a workbook sheet holds at most ${MAX_ROWS.toLocaleString('en-GB')}: narrow the selection, or use CSV`);
  }
  // A column holding amounts or counts is right-aligned throughout, its words ("not held") too.
  const right = sheet.columns.map((c, i) => c.align === 'right' || sheet.rows.some((r) => r[i] && r[i].kind !== 'text'));
  const n = sheet.columns.length;
  // What each cell shows (for widths and wrapping), worked out once.
  const shownOf = (rows: PlainCell[][]) => rows.map((r) => r.slice(0, n).map((c) => (c ? shown(c) : '')));
  const shownRows = shownOf(sheet.rows);
  const shownTotals = shownOf(sheet.totals);
  const widths = widthsOf(sheet.columns, shownRows, shownTotals, right);
  const rows: LaidRow[] = [];
  const table = (cells: PlainCell[], contents: readonly string[], bold: boolean) => {
    let lines = 1;
    const out: LaidCell[] = [];
    for (let i = 0; i < cells.length && i < n; i++) {
      const c = cells[i];
      const content = contents[i];
      const wrap = longestLine(content) + 2 > widths[i] || content.includes('\n');
      if (wrap) lines = Math.max(lines, wrappedLines(content, Math.floor((widths[i] - 2) * CHARS_PER_UNIT)));
      out.push({ value: sheetValue(c), style: { bold, right: right[i], wrap } });
    }
    rows.push({ number: rows.length + 1, cells: out, height: lines > 1 ? lines * LINE_HEIGHT : null });
  };
  table(sheet.columns.map((c) => text(c.header)), sheet.columns.map((c) => c.header), true);
  sheet.rows.forEach((r, i) => table(r, shownRows[i], false));
  sheet.totals.forEach((r, i) => table(r, shownTotals[i], true));
  if (sheet.notes?.length) {
    rows.push({ number: rows.length + 1, cells: [], height: null });
    for (const note of sheet.notes) rows.push({ number: rows.length + 1, cells: [{ value: { kind: 'string', text: cellText(note) }, style: null }], height: null });
  }
  return { name, widths, filter: `A1:${columnLetter(Math.max(1, n))}${1 + sheet.rows.length}`, rows, footer };
}

function stampOf(date: string): ZipStamp {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!m) throw new RangeError(`workbook date must be YYYY-MM-DD: ${date}`);
  return { year: Number(m[1]), month: Number(m[2]), day: Number(m[3]) };
}

/** Workbooks smaller than this (uncompressed) are stored in the zip, larger ones deflated. */
const STORE_BELOW_BYTES = 256 * 1024;

/** Entries written right after the content types and package relationships. */
export const XLSX_FIRST_ENTRIES = ['xl/workbook.xml', 'xl/_rels/workbook.xml.rels', 'docProps/core.xml', 'docProps/app.xml'];

/**
 * Zip a workbook's parts: fixed order and stamp, no directory entries. A small workbook (a letter's
 * tables) is stored: deflating it would cost a one-letter `foi answer` more than the rest of the
 * workbook (fflate is JavaScript, cold in a new process).
 */
export function zipWorkbook(parts: ReadonlyMap<string, Uint8Array>, date: string): Uint8Array {
  const stamp = stampOf(date);
  let size = 0;
  for (const data of parts.values()) size += data.length;
  const store = size < STORE_BELOW_BYTES;
  const zip = new ZipArchive();
  for (const [name, data] of parts) zip.set(name, data, { store });
  return zip.toBytes({ stamp, first: XLSX_FIRST_ENTRIES });
}

/** The workbook's layouts: sheet names made acceptable and unique, every sheet laid out. */
export function layoutWorkbook(spec: WorkbookSpec): SheetLayout[] {
  stampOf(spec.date);
  const names = sheetNames(spec.sheets.map((s) => s.name));
  return spec.sheets.map((s, i) => layoutSheet(names[i], s, spec.footer ?? null));
}

/** The workbook's bytes: the same spec always gives the same bytes, in any time zone. */
export async function writeXlsx(spec: WorkbookSpec): Promise<Uint8Array> {
  return zipWorkbook(workbookParts(layoutWorkbook(spec), spec), spec.date);
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
