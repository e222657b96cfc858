/**
 * The reference for the hand-written workbook (src/output/xlsx-parts.ts): the same sheet layouts
 * written with exceljs's streaming writer (shared strings, styles), as foi wrote workbooks before,
 * then zipped the same way. Tests only: foi itself never loads exceljs.
 */
import { Writable } from 'node:stream';
import type ExcelJS from 'exceljs';
// @ts-expect-error -- exceljs ships no types for this path; typed by the cast
import WorkbookWriterModule from 'exceljs/lib/stream/xlsx/workbook-writer.js';
import { ZipArchive } from '../../src/render/deterministic-zip.js';
import { layoutWorkbook, zipWorkbook, type SheetLayout, type WorkbookSpec } from '../../src/output/xlsx.js';

const WorkbookWriter = WorkbookWriterModule as typeof ExcelJS.stream.xlsx.WorkbookWriter;
type Writer = ExcelJS.stream.xlsx.WorkbookWriter;

const BOLD: Partial<ExcelJS.Font> = { name: 'Calibri', family: 2, size: 11, bold: true };

function addSheet(wb: Writer, sheet: SheetLayout): void {
  const ws = wb.addWorksheet(sheet.name, {
    views: [{ state: 'frozen', xSplit: 0, ySplit: 1, topLeftCell: 'A2', activeCell: 'A2' }],
    pageSetup: { paperSize: 9, orientation: 'landscape', fitToPage: true, fitToWidth: 1, fitToHeight: 0 },
    headerFooter: sheet.footer ? { oddFooter: `&L${sheet.footer.replace(/&/g, '&&')}&RPage &P of &N` } : undefined,
  });
  ws.columns = sheet.widths.map((width) => ({ width }));
  ws.autoFilter = sheet.filter;
  for (const laid of sheet.rows) {
    const row = ws.addRow([]);
    if (row.number !== laid.number) throw new Error(`row ${row.number} is laid out as ${laid.number}`);
    laid.cells.forEach(({ value, style }, i) => {
      const cell = row.getCell(i + 1);
      if (value.kind === 'string') cell.value = value.text;
      else if (value.kind === 'number') {
        cell.value = value.value;
        cell.numFmt = value.format;
      }
      if (!style) return;
      if (style.bold) cell.font = BOLD;
      cell.alignment = { vertical: 'top', ...(style.right ? { horizontal: 'right', indent: 1 } : {}), ...(style.wrap ? { wrapText: true } : {}) };
    });
    if (laid.height) row.height = laid.height;
    row.commit();
  }
  ws.commit();
}

/** exceljs's parts for the spec (names without the leading "/" its zip gives some). */
export async function exceljsParts(spec: WorkbookSpec): Promise<Map<string, Uint8Array>> {
  const chunks: Buffer[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      chunks.push(chunk);
      done();
    },
  });
  const wb = new WorkbookWriter({ stream: sink, useStyles: true, useSharedStrings: true, zip: { store: true } });
  const [y, m, d] = spec.date.split('-').map(Number);
  const when = new Date(Date.UTC(y, m - 1, d));
  wb.creator = spec.creator;
  wb.lastModifiedBy = spec.creator;
  wb.title = spec.title;
  wb.created = when;
  wb.modified = when;
  for (const sheet of layoutWorkbook(spec)) addSheet(wb, sheet);
  await wb.commit();
  const raw = ZipArchive.read(new Uint8Array(Buffer.concat(chunks)));
  const parts = new Map<string, Uint8Array>();
  for (const name of raw.names()) if (!name.endsWith('/')) parts.set(name.replace(/^\/+/, ''), raw.get(name));
  return parts;
}

/** The workbook as exceljs writes it, zipped as foi zips workbooks. */
export async function exceljsWorkbook(spec: WorkbookSpec): Promise<Uint8Array> {
  return zipWorkbook(await exceljsParts(spec), spec.date);
}
