/**
 * `foi import FILE.xlsx`: a workbook holding one sheet of grants, either in the 360Giving flat
 * form (the standard's column titles: `Identifier`, `Amount Awarded`, `Recipient Org:Name`,
 * `Beneficiary Location:1:Name`…) or as the register's own foi-lines (a `Grant ID` column). The
 * rows go through the same readers as CSV (src/import/360/flat.ts readFlat360, and
 * src/import/foi-lines-csv.ts readFoiLines), so mapping, schema checks and duplicate ids are
 * shared; what is the workbook's own is here:
 *
 * - Which sheet: the one whose first row is a header of grant columns. Other sheets (notes,
 *   code lists) are not read, and a notice names them. A second sheet of grants, or a sheet of
 *   one list per grant (the flatten-tool's multi-sheet form: `Identifier` plus
 *   `Beneficiary Location:Name`) is an error: foi reads one sheet, and would otherwise leave
 *   data behind without saying so.
 * - The header must be in row 1: a sheet whose header is lower down (a title above it) is an
 *   error naming the row. Merged cells in the header row, or across data rows of the table, are
 *   errors naming the range: a merged cell holds its value only in its first cell.
 * - Hidden rows and columns are imported like the others (hiding is how a sheet is viewed, not
 *   what it holds) and a notice lists them.
 * - Messages name the sheet and the cell: `sheet "Grants", cell E12, column "Amount Awarded"`.
 */
import { basename } from 'node:path';
import type { ImportItem, Issue, Normalisation } from '../../register/types.js';
import { Flat360Csv, readFlat360, type FlatRow } from '../360/flat.js';
import type { MapOptions } from '../360/map-grant.js';
import { readFoiLines } from '../foi-lines-csv.js';
import { columnLetter, parseRange, serialToIsoDate } from './cells.js';
import { WorkbookReadError, readWorkbook, type XlsxRow, type XlsxSheet } from './sheet-stream.js';

export type XlsxFormat = '360giving-xlsx' | 'foi-lines-xlsx';

export interface ReadXlsxOptions extends MapOptions {
  /** Told which form the workbook is in, once its sheet of grants is found. */
  onFormat?: (format: XlsxFormat) => void;
  /** Told how many bytes of the file each read brought (for a progress line). */
  onRead?: (bytes: number) => void;
}

/** How many rows below the first a header is looked for, to say that it is not in row 1. */
const HEADER_SEARCH_ROWS = 20;

type HeaderKind = '360' | 'foi-lines' | 'sub-sheet' | null;

const norm = (s: string | undefined): string => (s ?? '').trim().replace(/\s+/g, ' ').toLowerCase();

/** What a row of titles is a header of, if anything. */
export function headerKind(cells: readonly string[]): HeaderKind {
  const titles = new Set(cells.map(norm));
  if (titles.has('grant id')) return 'foi-lines';
  if (!titles.has('identifier') && !titles.has('id')) return null;
  if (titles.has('title') || titles.has('amount awarded') || titles.has('amountawarded')) return '360';
  // `Identifier` and a grouped field (`Beneficiary Location:Name`): one list of each grant on a sheet of its own.
  return cells.some((c) => /^[^:]+:/.test(c.trim())) ? 'sub-sheet' : null;
}

/** Rows of a sheet one at a time, with the rest still available in batches. */
class RowCursor {
  private buf: XlsxRow[] = [];
  private pos = 0;
  constructor(private readonly src: AsyncGenerator<XlsxRow[]>) {}

  async next(): Promise<XlsxRow | null> {
    while (this.pos >= this.buf.length) {
      const r = await this.src.next();
      if (r.done) return null;
      this.buf = r.value;
      this.pos = 0;
    }
    return this.buf[this.pos++];
  }

  /** The rows not yet taken, in batches. */
  async *rest(): AsyncGenerator<XlsxRow[]> {
    if (this.pos < this.buf.length) yield this.buf.slice(this.pos);
    this.buf = [];
    this.pos = 0;
    for await (const b of this.src) yield b;
  }
}

/** Where a sheet's header is, as far as the first rows tell. */
async function findHeader(cursor: RowCursor): Promise<{ row: XlsxRow | null; kind: HeaderKind; first: XlsxRow | null }> {
  const first = await cursor.next();
  let row = first;
  while (row && row.row <= HEADER_SEARCH_ROWS) {
    const kind = headerKind(row.cells);
    if (kind) return { row, kind, first };
    row = await cursor.next();
  }
  return { row: null, kind: null, first };
}

const quoteSheet = (name: string): string => `sheet ${JSON.stringify(name)}`;

function listed(items: string[], max = 12): string {
  const shown = items.slice(0, max).join(', ');
  return items.length > max ? `${shown} and ${items.length - max} more` : shown;
}

/** The row an item is about (`…, row 12` or `…, cell E12`), or 0. */
function rowOfItem(item: ImportItem): number {
  const loc = item.kind === 'issue' ? item.issue.location : item.kind === 'normalised' ? item.note.location : item.location;
  const m = /(?:row |cell [A-Z]+)(\d+)$/.exec(loc);
  return m ? Number(m[1]) : 0;
}

/** Items in row order (a stable sort: each row's own items keep their order). */
function byRow(items: ImportItem[]): ImportItem[] {
  return items.map((item, i) => ({ item, i, row: rowOfItem(item) })).sort((a, b) => a.row - b.row || a.i - b.i).map((x) => x.item);
}

/** The items of an .xlsx file, in the order of the rows, as a 360Giving file's are. */
export async function* readXlsxBatches(path: string, opts: ReadXlsxOptions = {}): AsyncGenerator<ImportItem[]> {
  const file = basename(path);
  const fileError = (location: string, message: string): ImportItem => ({ kind: 'issue', issue: { severity: 'error', file, location, column: null, value: null, message } });
  const notice = (location: string, message: string): ImportItem => ({ kind: 'issue', issue: { severity: 'warning', kind: 'quality', file, location, column: null, value: null, message } });
  let found: { sheet: string; kind: HeaderKind } | null = null;
  const firstRows: string[] = [];
  try {
    for await (const sheet of readWorkbook(path, opts.onRead)) {
      const cursor = new RowCursor(sheet.rows());
      const { row: header, kind, first } = await findHeader(cursor);
      const where = quoteSheet(sheet.name);
      if (!header || !kind) {
        firstRows.push(`${where}${first ? ` (row ${first.row}: ${first.cells.filter((c) => c.trim()).slice(0, 4).map((c) => JSON.stringify(c.trim())).join(', ')})` : ' (empty)'}`);
        yield [notice(where, first ? 'not read: its first row is not a header of grant columns (Identifier and Title, or Grant ID)' : 'not read: the sheet is empty')];
        continue;
      }
      if (header.row !== 1) {
        yield [fileError(`${where}, row ${header.row}`, `the header row is row ${header.row}, not row 1: foi reads the column titles from row 1 of the sheet; delete the rows above the titles (rows 1 to ${header.row - 1}) and import it again`)];
        found ??= { sheet: sheet.name, kind };
        continue;
      }
      if (kind === 'sub-sheet') {
        yield [fileError(`${where}, row 1`, `this sheet lists items of each grant on rows of their own (the 360Giving flatten-tool's one-sheet-per-list form), which foi does not read; put them on the grants sheet as numbered columns (Beneficiary Location:1:Name, …) so that nothing is left behind`)];
        continue;
      }
      if (found) {
        yield [fileError(`${where}, row 1`, `a second sheet of grants (the first is ${quoteSheet(found.sheet)}); foi reads one sheet per workbook: import each sheet as a file of its own, or put the rows on one sheet`)];
        continue;
      }
      found = { sheet: sheet.name, kind };
      opts.onFormat?.(kind === '360' ? '360giving-xlsx' : 'foi-lines-xlsx');
      yield* readGrantsSheet(file, sheet, header, kind, cursor, opts);
    }
  } catch (e) {
    if (!(e instanceof WorkbookReadError)) throw e;
    yield [fileError('file', `not a workbook foi can read (${(e as Error).message}); save it from Excel as "Excel Workbook (*.xlsx)" and import that`)];
    return;
  }
  if (!found) {
    yield [fileError('file', `no sheet has a header of grant columns in row 1: a 360Giving sheet needs Identifier, Title, Amount Awarded, … and a foi-lines sheet Grant ID (sheets: ${firstRows.join('; ') || 'none'})`)];
  }
}

/** The sheet of grants: its header, rows, and what the sheet itself says about them (hidden, merged). */
async function* readGrantsSheet(
  file: string, sheet: XlsxSheet, header: XlsxRow, kind: '360' | 'foi-lines', cursor: RowCursor, opts: ReadXlsxOptions,
): AsyncGenerator<ImportItem[]> {
  const where = quoteSheet(sheet.name);
  let width = header.cells.length;
  while (width > 0 && header.cells[width - 1].trim() === '') width--;
  const titles = header.cells.slice(0, width);
  const letterOf = new Map<string, string>();
  titles.forEach((t, i) => {
    const k = norm(t);
    if (k && !letterOf.has(k)) letterOf.set(k, columnLetter(i + 1));
  });
  const dateColumns = new Set<number>();
  titles.forEach((t, i) => {
    // `Award Date`, `Planned Dates:Start Date`, `Last Modified`; not `Planned Dates:Duration (months)`.
    if (/(^|\s)date$|^last modified$/i.test(t.split(':').pop()!.trim())) dateColumns.add(i + 1);
  });

  /** `sheet "Grants", row 12` plus a column title in the header -> `sheet "Grants", cell E12`. */
  const locate = <T extends Issue | Normalisation>(x: T): T => {
    const letter = x.column ? letterOf.get(norm(x.column)) : undefined;
    if (!letter) return x;
    const m = / row (\d+)$/.exec(x.location);
    if (!m || !x.location.startsWith(where)) return x;
    return { ...x, location: `${where}, cell ${letter}${m[1]}` };
  };
  const locateItem = (item: ImportItem): ImportItem =>
    item.kind === 'issue' ? { kind: 'issue', issue: locate(item.issue) } : item.kind === 'normalised' ? { kind: 'normalised', note: locate(item.note) } : item;
  const titleAt = (col: number): string | null => (col <= width && titles[col - 1].trim() ? titles[col - 1].trim() : null);
  const cellIssue = (severity: 'error' | 'warning', row: number, col: number, message: string, value: string | null): ImportItem => ({
    kind: 'issue',
    issue: { severity, ...(severity === 'warning' ? { kind: 'quality' as const } : {}), file, location: `${where}, cell ${columnLetter(col)}${row}`, column: titleAt(col), value, message },
  });

  // Found while handing rows on; yielded before the items of the rows they came with.
  let side: ImportItem[] = [];
  const hiddenRows: number[] = [];
  let rows = 0;
  async function* flatRows(): AsyncGenerator<FlatRow[]> {
    for await (const batch of cursor.rest()) {
      const out: FlatRow[] = [];
      for (const r of batch) {
        rows++;
        if (r.hidden) hiddenRows.push(r.row);
        let skip = false;
        if (r.problems) {
          for (const p of r.problems) side.push(cellIssue('error', r.row, p.col, p.message, p.value));
          skip = true;
        }
        for (let c = width; c < r.cells.length; c++) {
          if (r.cells[c].trim() === '') continue;
          side.push(cellIssue('error', r.row, c + 1, `the cell has a value but column ${columnLetter(c + 1)} has no title in row 1; give the column a title (a 360Giving title, or your own) or clear the cell`, r.cells[c]));
          skip = true;
        }
        if (r.plainNumbers) {
          // A plain number in a date column is a date whose format was cleared: read it as Excel would show it.
          for (const col of r.plainNumbers) {
            if (!dateColumns.has(col)) continue;
            const from = r.cells[col - 1];
            const d = Number(from) >= 1 ? serialToIsoDate(Number(from), sheet.date1904) : null;
            if (!d?.ok) continue;
            r.cells[col - 1] = d.date;
            side.push({ kind: 'normalised', note: { file, location: `${where}, cell ${columnLetter(col)}${r.row}`, column: titleAt(col) ?? columnLetter(col), from, to: `${d.date} (a plain number in a date column, read as an Excel date)` } });
          }
        }
        if (skip) continue;
        const cells = r.cells.length === width ? r.cells : r.cells.slice(0, width);
        while (cells.length < width) cells.push('');
        out.push({ cells, row: r.row });
      }
      if (out.length) yield out;
    }
  }
  const takeSide = (): ImportItem[] => {
    const s = side;
    side = [];
    return s;
  };

  const hiddenCols = [...sheet.hiddenColumns].filter((c) => c <= width).sort((a, b) => a - b);
  if (hiddenCols.length) {
    yield [{ kind: 'issue', issue: { severity: 'warning', kind: 'quality', file, location: where, column: null, value: null, message: `column${hiddenCols.length === 1 ? '' : 's'} ${listed(hiddenCols.map((c) => `${columnLetter(c)}${titleAt(c) ? ` (${titleAt(c)})` : ''}`))} ${hiddenCols.length === 1 ? 'is' : 'are'} hidden in Excel; foi imported ${hiddenCols.length === 1 ? 'it' : 'them'} like the others` } }];
  }
  if (sheet.state !== 'visible') {
    yield [{ kind: 'issue', issue: { severity: 'warning', kind: 'quality', file, location: where, column: null, value: null, message: 'the sheet of grants is hidden in Excel; foi imported it' } }];
  }

  const headerLocation = `${where}, row 1`;
  let merged: ImportItem[] = [];
  const mergeErrors = (): ImportItem[] => {
    const out: ImportItem[] = [];
    for (const ref of sheet.merges) {
      const r = parseRange(ref);
      if (!r || r.left > Math.max(width, 1)) continue;
      const message = r.top <= 1
        ? `cells ${ref} are merged in the header row: each column needs a title of its own in row 1; unmerge them (Home > Merge & Center) and give every column its title`
        : `cells ${ref} are merged: a merged cell holds its value only in its first cell (${ref.split(':')[0]}), so the other rows would read as blank; unmerge them and fill in each row`;
      out.push({ kind: 'issue', issue: { severity: 'error', file, location: `${where}, cells ${ref}`, column: r.top <= 1 ? null : titleAt(r.left), value: null, message } });
    }
    return out;
  };

  if (kind === 'foi-lines') {
    async function* records(): AsyncGenerator<{ row: number; fields: string[] }> {
      yield { row: header.row, fields: titles };
      for await (const b of flatRows()) for (const r of b) yield { row: r.row, fields: r.cells };
    }
    const { grants, issues } = await readFoiLines(file, records(), (row) => `${where}, row ${row}`);
    merged = mergeErrors();
    const out: ImportItem[] = [...merged, ...takeSide(), ...issues.map((issue): ImportItem => locateItem({ kind: 'issue', issue }))];
    for (const { grant, location } of grants) out.push({ kind: 'grant', grant, location });
    yield out;
  } else if (!new Flat360Csv(titles, { file }).usable) {
    // The header cannot be read: say first whether merged cells are why (Excel lists them after the rows).
    const head: ImportItem[] = [];
    for await (const items of readFlat360({ file, header: titles, headerLocation, rows: flatRows(), where: (row) => `${where}, row ${row}` }, opts)) head.push(...items.map(locateItem));
    await sheet.drain();
    merged = mergeErrors();
    yield [...merged, ...head];
    return;
  } else {
    for await (const items of readFlat360({ file, header: titles, headerLocation, rows: flatRows(), where: (row) => `${where}, row ${row}` }, opts)) {
      const extra = takeSide();
      const out = extra.length ? byRow([...extra, ...items]) : items;
      for (let k = 0; k < out.length; k++) out[k] = locateItem(out[k]);
      yield out;
    }
    const rest = takeSide();
    merged = mergeErrors();
    if (rest.length || merged.length) yield [...rest, ...merged];
  }
  if (hiddenRows.length) {
    yield [{ kind: 'issue', issue: { severity: 'warning', kind: 'quality', file, location: where, column: null, value: null, message: `row${hiddenRows.length === 1 ? '' : 's'} ${listed(hiddenRows.map(String))} ${hiddenRows.length === 1 ? 'is' : 'are'} hidden in Excel (hidden or filtered out); foi imported ${hiddenRows.length === 1 ? 'it' : 'them'} like the others` } }];
  }
  if (kind === 'foi-lines' && rows === 0) {
    yield [{ kind: 'issue', issue: { severity: 'error', file, location: headerLocation, column: null, value: null, message: 'the sheet has a header row but no rows under it; there is nothing to import' } }];
  }
}
