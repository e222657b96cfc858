/**
 * Reading workbooks back in tests: the zip parts (our own ZipArchive), and every sheet as LibreOffice
 * Calc exports it to CSV (a second, independent reader), either the stored values (`209052`) or the
 * values as the number formats show them (`£209,052.00`).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { ZipArchive } from '../../src/render/deterministic-zip.js';
import { tempDir } from './cli.js';
import { requireToolOrSkip, runTool } from './tools.js';

/** Installed with libreoffice-calc (soffice alone, from libreoffice-writer, cannot open a workbook). */
export const CALC = '/usr/lib/libreoffice/program/scalc';

export function skipWithoutCalc(what: string): boolean {
  return requireToolOrSkip(['soffice', CALC], what);
}

export function zipParts(bytes: Uint8Array): ZipArchive {
  return ZipArchive.read(bytes);
}

/** RFC 4180 CSV as LibreOffice writes it (quoted fields may hold commas, quotes and newlines). */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(cell);
      cell = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
    } else cell += ch;
  }
  if (cell !== '' || row.length) {
    row.push(cell);
    rows.push(row);
  }
  return rows;
}

/**
 * Every sheet of each workbook through `soffice --convert-to csv` (all sheets: LibreOffice 7.2+).
 * Returns workbook file name -> sheet name -> rows. `shown`: values as formatted, else as stored.
 */
export function calcSheets(files: string[], opts: { shown: boolean }): Map<string, Map<string, string[][]>> {
  const out = tempDir('foi-calc-');
  // Options: comma, double quote, UTF-8, from line 1, …, formatted-as-shown flag (9th), all sheets (-1).
  const filter = `csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,${opts.shown},false,false,-1`;
  runTool('soffice', [`-env:UserInstallation=file://${tempDir('foi-lo-')}`, '--headless', '--convert-to', filter, '--outdir', out, ...files], { timeout: 150_000 });
  const result = new Map<string, Map<string, string[][]>>();
  for (const f of files) {
    const base = basename(f).replace(/\.xlsx$/, '');
    const sheets = new Map<string, string[][]>();
    for (const name of readdirSync(out)) {
      if (name.startsWith(`${base}-`) && name.endsWith('.csv')) {
        sheets.set(name.slice(base.length + 1, -4), parseCsv(readFileSync(join(out, name), 'utf8')));
      }
    }
    result.set(basename(f), sheets);
  }
  return result;
}
