/**
 * The same data as a flat CSV (bench/lib/gen-csv.ts), as a workbook a spreadsheet program would
 * save: one sheet "grants", the CSV's header in row 1, amounts and durations as numbers, dates as
 * date cells (dd/mm/yyyy; a date-time keeps its calendar date, as Excel cannot hold a zone),
 * everything else as shared strings. Written with exceljs's streaming writer; reused when a
 * sidecar stamp matches the CSV.
 */
import { existsSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type ExcelJS from 'exceljs';
import { readCsvBatches } from '../../src/import/csv.js';

const require = createRequire(import.meta.url);
const NUMBER_COLUMNS = new Set(['Amount Awarded', 'Planned Dates:Duration (months)']);
const DATE_COLUMNS = new Set(['Award Date', 'Planned Dates:Start Date', 'Planned Dates:End Date', 'Last Modified']);

export async function csvToXlsx(csv: string, out: string): Promise<{ path: string; rows: number; bytes: number; reused: boolean; ms: number }> {
  const t0 = performance.now();
  const st = statSync(csv);
  const stamp = JSON.stringify({ v: 1, csv, size: st.size, mtime: st.mtimeMs });
  const stampFile = `${out}.stamp`;
  if (existsSync(out) && existsSync(stampFile) && readFileSync(stampFile, 'utf8') === stamp) {
    return { path: out, rows: -1, bytes: statSync(out).size, reused: true, ms: performance.now() - t0 };
  }
  const Excel = require('exceljs') as typeof ExcelJS;
  const tmp = `${out}.tmp`;
  const wb = new Excel.stream.xlsx.WorkbookWriter({ filename: tmp, useSharedStrings: true, useStyles: true });
  const ws = wb.addWorksheet('grants');
  let header: string[] = [];
  let rows = 0;
  for await (const batch of readCsvBatches(csv)) {
    for (const { row, fields } of batch) {
      if (row === 1) {
        header = fields;
        ws.addRow(fields).commit();
        continue;
      }
      const r = ws.addRow(fields.map((v, i): ExcelJS.CellValue => {
        if (v === '') return null;
        if (NUMBER_COLUMNS.has(header[i]) && /^-?\d+(\.\d+)?$/.test(v)) return Number(v);
        if (DATE_COLUMNS.has(header[i]) && /^\d{4}-\d{2}-\d{2}/.test(v)) return new Date(`${v.slice(0, 10)}T00:00:00Z`);
        return v;
      }));
      header.forEach((h, i) => {
        if (DATE_COLUMNS.has(h) && fields[i]) r.getCell(i + 1).numFmt = 'dd/mm/yyyy';
      });
      r.commit();
      rows++;
    }
  }
  ws.commit();
  await wb.commit();
  renameSync(tmp, out);
  writeFileSync(stampFile, stamp);
  return { path: out, rows, bytes: statSync(out).size, reused: false, ms: performance.now() - t0 };
}
