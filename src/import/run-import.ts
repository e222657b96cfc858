/**
 * `foi import`: one transaction for the whole run; any error and nothing is written.
 * Reads 360Giving JSON packages and flat CSV (streamed) and the register's own foi-register
 * YAML/JSON. Reports every error up to a cap, with file, row or path, column and value.
 */
import { createHash } from 'node:crypto';
import { createReadStream, openSync, readSync, closeSync, existsSync, readFileSync, statSync } from 'node:fs';
import { basename, extname } from 'node:path';
import { beginWrite, type Db } from '../db/open.js';
import { DataError, UsageError } from '../core/errors.js';
import { RegisterWriter, type WriteOutcome } from '../register/writer.js';
import { idPrefix } from '../register/stored-grant.js';
import type { GrantChangeReport } from '../register/history.js';
import { formatIssue, type GrantInput, type Issue } from '../register/types.js';
import { isFoiRegisterText, parseFoiRegisterText, type FoiRegisterFile } from './foi-format.js';
import { isFoiLinesHeader, readFoiLinesCsv } from './foi-lines-csv.js';
import { DefinitionWriter } from './grant-definitions.js';
import { ImportReport } from './import-report.js';
import { IssueTally, type NormalisedGroup, type WarningGroup } from './issue-tally.js';
import { stored360 } from './stored-360.js';
import { EncodingError, checkEncoding, decodeFile, replacementNotice } from './text-encoding.js';
import { COLUMNS, hasTotalsColumns, writeTotalsColumns } from '../register/totals-columns.js';

/** Page cache during an import: 64 MiB (PRAGMA cache_size in KiB when negative). */
const IMPORT_CACHE_SIZE = -65536;

/** `xlsx`: a workbook, whose form (360giving-xlsx or foi-lines-xlsx) is known once its sheet of grants is read. */
export type FileFormat = 'foi-register' | 'foi-lines-csv' | '360giving-json' | '360giving-csv' | 'xlsx' | '360giving-xlsx' | 'foi-lines-xlsx';

export interface FileSummary {
  file: string;
  format: FileFormat;
  /** sha256 of the file's bytes: what the change set records, with the name. */
  sha256: string;
  grants: number;
  inserted: number;
  updated: number;
  unchanged: number;
  /** Grants that changed, field by field (old and new values). */
  changes: GrantChangeReport[];
  /** Grants the register holds for this file's funders and publishers that the file no longer contains. */
  notInSource: { id: string; title: string }[];
  /** Of those, the ones marked withdrawn (--prune). */
  withdrawn: number;
}

export interface ImportResult {
  files: FileSummary[];
  inserted: number;
  updated: number;
  unchanged: number;
  warningCount: number;
  /** Schema warnings first, then quality notices; each in the order first met. */
  warnings: WarningGroup[];
  /** How many values were normalised, by column, with one example each. */
  normalised: NormalisedGroup[];
}

export interface ImportOptions {
  maxErrors?: number;
  /**
   * Progress for a terminal: bytes read of all the files so far, their total size, and grants
   * read so far. Called as each chunk of a streamed file is read, and after each whole file.
   */
  onProgress?: (bytesRead: number, totalBytes: number, rows: number) => void;
  /** What the import is doing once a file is read (indexes, totals columns, commit): for the progress bar. */
  onPhase?: (text: string) => void;
  /** Validate and report, then roll back: nothing is written. */
  dryRun?: boolean;
  /** Called when another process is writing to the register and this import waits for it. */
  onWait?: () => void;
  /** Text encoding of the files when not UTF-8 (`windows-1252`). */
  encoding?: string;
  /** Write every error, warning, notice and normalised value to this JSON file (atomically; also when the import fails). */
  report?: string;
  /** Mark grants no longer in a re-imported file (same funder and publisher) withdrawn. */
  prune?: boolean;
}

export function detectFormat(path: string): FileFormat {
  const ext = extname(path).toLowerCase();
  if (ext === '.yaml' || ext === '.yml') return 'foi-register';
  if (ext === '.xls' || ext === '.ods') {
    throw new UsageError(`${path}: ${ext === '.xls' ? 'an Excel 97-2003 workbook (.xls)' : 'an OpenDocument spreadsheet (.ods)'} is not read; open it and save it as "Excel Workbook (*.xlsx)", then import that`);
  }
  const head = readHead(path, 4096);
  // A zip: an Excel workbook (whatever its name says; an .xlsm is one too).
  if (head.startsWith('PK\u0003\u0004')) return 'xlsx';
  if (ext === '.xlsx' || ext === '.xlsm') {
    // Not a zip: an OLE compound file is a password-protected workbook (or an .xls renamed).
    const ole = readHeadBytes(path, 4).equals(Buffer.from([0xd0, 0xcf, 0x11, 0xe0]));
    throw new UsageError(ole
      ? `${path}: the workbook is password-protected (encrypted), or an Excel 97-2003 file named .xlsx; open it in Excel, remove the password (File > Info > Protect Workbook) and save it as "Excel Workbook (*.xlsx)"`
      : `${path}: not a workbook (an .xlsx file is a zip archive, and this is not one); save it from Excel as "Excel Workbook (*.xlsx)"`);
  }
  if (ext === '.csv') return isFoiLinesHeader(head.split(/\r\n|\r|\n/, 1)[0]) ? 'foi-lines-csv' : '360giving-csv';
  if (ext === '.json' || head.trimStart().startsWith('{')) return isFoiRegisterText(head) ? 'foi-register' : '360giving-json';
  if (isFoiRegisterText(head)) return 'foi-register';
  throw new UsageError(`${path}: cannot tell what this file is; expected .json (360Giving package or foi-register), .csv or .xlsx (360Giving flat, or foi-lines with a "Grant ID" column) or .yaml (foi-register)`);
}

/** sha256 of a file's bytes, read in chunks (a large file is never held in memory). */
async function fileSha256(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

function readHead(path: string, n: number): string {
  return readHeadBytes(path, n).toString('utf8');
}

function readHeadBytes(path: string, n: number): Buffer {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(n);
    const got = readSync(fd, buf, 0, n, 0);
    return buf.subarray(0, got);
  } finally {
    closeSync(fd);
  }
}

export async function importFiles(db: Db, paths: readonly string[], opts: ImportOptions = {}): Promise<ImportResult> {
  const maxErrors = opts.maxErrors ?? 50;
  for (const p of paths) {
    if (!existsSync(p)) throw new UsageError(`${p}: no such file`);
    if (statSync(p).isDirectory()) throw new UsageError(`${p}: a folder, not a file; name the files to import (foi import ${p.replace(/\/+$/, '')}/*.json)`);
    if (!statSync(p).isFile()) throw new UsageError(`${p}: not a regular file`);
  }
  const encoding = opts.encoding === undefined ? undefined : checkEncoding(opts.encoding);
  const sizes = paths.map((p) => statSync(p).size);
  const totalBytes = sizes.reduce((a, n) => a + n, 0);
  let bytesDone = 0;
  let rows = 0;
  const errors: Issue[] = [];
  const result: ImportResult = { files: [], inserted: 0, updated: 0, unchanged: 0, warningCount: 0, warnings: [], normalised: [] };
  const tally = new IssueTally();
  const report = opts.report ? new ImportReport(opts.report) : null;
  let capped = false;
  const addError = (i: Issue) => {
    if (errors.length < maxErrors) {
      errors.push(i);
      report?.issue(i);
    } else capped = true;
  };
  const addWarning = (i: Issue) => {
    tally.warning(i);
    report?.issue(i);
  };
  const addIssue = (i: Issue) => (i.severity === 'error' ? addError(i) : addWarning(i));
  const finishReport = (outcome: string) => {
    report?.finish({ outcome, files: result.files, inserted: result.inserted, updated: result.updated, unchanged: result.unchanged, capped });
  };

  // An import appends rows and builds its indexes in one pass at the end: a smaller page cache
  // than the register's usual one is as fast (measured at a million rows) and keeps the whole
  // process under 500 MiB, the reading thread included.
  const cacheSize = db.pragma('cache_size', { simple: true }) as number;
  db.pragma(`cache_size = ${IMPORT_CACHE_SIZE}`);
  // Index builds at the end sort in temporary files on disk, not in this process's memory, and
  // pages are not mapped (mapped pages count as resident): measured at a million rows, a few
  // seconds faster and 10-30 MiB less at the peak. Both are put back when the import ends.
  const mmapSize = db.pragma('mmap_size', { simple: true }) as number;
  const tempStore = db.pragma('temp_store', { simple: true }) as number;
  db.pragma('mmap_size = 0');
  db.pragma('temp_store = FILE');
  beginWrite(db, opts.onWait);
  let committed = false;
  try {
    const writer = new RegisterWriter(db);
    // About 500 bytes a grant in a flat file: enough to size the filter of ids the register may hold.
    writer.expect(Math.ceil(totalBytes / 200));
    const definitions = new DefinitionWriter(db, writer);
    const count = (s: FileSummary, o: WriteOutcome) => {
      s[o]++;
      result[o]++;
    };
    for (const [k, path] of paths.entries()) {
      if (capped) break;
      const fileEnd = bytesDone + sizes[k];
      const file = basename(path);
      const format = detectFormat(path);
      const summary: FileSummary = { file, format, sha256: '', grants: 0, inserted: 0, updated: 0, unchanged: 0, changes: [], notInSource: [], withdrawn: 0 };
      result.files.push(summary);
      // One change set per file: history says which file (by name and content) changed what. The
      // content's sha256 is computed as the file is read, and recorded when it has been.
      writer.startChange('import', { file });
      const bulk = writer.beginBulk();
      let funders = new Set<string>();
      let prefixes = new Set<string>();
      const write = (id: string, location: string, put: () => WriteOutcome) => {
        if (errors.length) return; // keep validating, stop writing: it will all be rolled back
        try {
          count(summary, put());
        } catch (e) {
          addError({ severity: 'error', file, location, message: `grant ${id} could not be stored: ${(e as Error).message}` });
        }
      };
      const writeOne = (g: GrantInput, location: string) => {
        g.position = summary.grants++;
        rows++;
        if (g.fundingOrg?.id) funders.add(g.fundingOrg.id);
        prefixes.add(idPrefix(g.id));
        storeInput(g, location);
      };
      const storeInput = (g: GrantInput, location: string) => {
        if (errors.length) return; // keep validating, stop writing: it will all be rolled back
        if (g.definitions) definitions.write(g.definitions);
        const problems = writer.checkReferences(g);
        if (problems.length) {
          for (const m of problems) addError({ severity: 'error', file, location, message: `grant ${g.id}: ${m}` });
          return;
        }
        write(g.id, location, () => writer.writeGrant(g, location));
      };
      if (format === 'foi-register') {
        let text: string;
        try {
          const bytes = readFileSync(path);
          summary.sha256 = createHash('sha256').update(bytes).digest('hex');
          const decoded = decodeFile(bytes, file, encoding);
          text = decoded.text;
          if (decoded.replacementAt !== -1) addWarning({ severity: 'warning', file, location: `byte ${decoded.replacementAt}`, message: replacementNotice(decoded.replacementAt) });
        } catch (e) {
          if (!(e instanceof EncodingError)) throw e;
          addError({ severity: 'error', file, location: `byte ${e.offset}`, message: e.problem });
          continue;
        }
        const { data, issues } = parseFoiRegisterText(text, file);
        for (const i of issues) addIssue(i);
        if (!issues.some((i) => i.severity === 'error')) writeDefinitions(writer, data, file, addError);
        data.grants.forEach((g) => writeOne(g, `grant ${g.id}`));
      } else if (format === 'foi-lines-csv') {
        const hash = createHash('sha256');
        const { grants, issues } = await readFoiLinesCsv(path, encoding, (chunk) => hash.update(chunk));
        summary.sha256 = hash.digest('hex');
        for (const i of issues) addError(i);
        for (const { grant, location } of grants) writeOne(grant, location);
      } else if (format === 'xlsx') {
        // A workbook: read in this thread (exceljs), its bytes hashed in a pass of their own.
        summary.sha256 = await fileSha256(path);
        const onRead = opts.onProgress && ((n: number) => opts.onProgress!((bytesDone += n), totalBytes, rows));
        const { readXlsxBatches } = await import('./xlsx/read-xlsx.js');
        // Batches, not single items: one await per few hundred records.
        outer: for await (const batch of readXlsxBatches(path, { onFormat: (f) => (summary.format = f), onRead })) {
          for (const item of batch) {
            if (item.kind === 'grant') {
              writeOne(item.grant, item.location);
            } else if (item.kind === 'issue') {
              addIssue(item.issue);
              if (capped) break outer;
            } else {
              tally.note(item.note);
              report?.note(item.note);
            }
          }
        }
      } else {
        // A 360Giving file: read, validated and mapped to stored rows, in a thread of its own when large.
        const source = stored360(path, sizes[k], { encoding, report: !!report });
        try {
          for await (const m of source) {
            if (m.kind === 'end') {
              summary.sha256 = m.sha256;
              funders = new Set(m.funders);
              prefixes = new Set(m.prefixes);
              tally.merge(m.tally);
              break;
            }
            for (const it of m.items) {
              if (it.issue?.severity === 'error') addError(it.issue);
              else if (it.issue) report?.issue(it.issue);
              else report?.note(it.note!);
            }
            if (capped) break;
            for (const g of m.grants) write(g.id, g.location, () => writer.writeStored(g));
            // Records of a `foi export` bring the definitions they refer to: written as the register's own records are.
            for (const { grant, location } of m.inputs) storeInput(grant, location);
            summary.grants += m.grants.length + m.inputs.length;
            rows += m.grants.length + m.inputs.length;
            bytesDone += m.bytes;
            opts.onProgress?.(bytesDone, totalBytes, rows);
          }
        } finally {
          await source.return(undefined);
        }
      }
      bytesDone = fileEnd;
      opts.onProgress?.(bytesDone, totalBytes, rows);
      if (errors.length) continue;
      opts.onPhase?.(bulk ? 'building indexes and the full-text index' : 'finishing the file');
      writer.finishFile();
      writer.history.setFileSha256(summary.sha256);
      // Into a register that held no grants before this file, every grant is this file's: none is missing from it.
      summary.notInSource = bulk ? [] : writer.notInSource(funders, prefixes);
      if (opts.prune && summary.notInSource.length) {
        writer.withdraw(summary.notInSource.map((g) => g.id));
        summary.withdrawn = summary.notInSource.length;
      }
      summary.changes = writer.changes;
    }
    result.warningCount = tally.warningCount;
    result.normalised = tally.normalised();
    result.warnings = tally.warnings();
    if (errors.length) {
      db.exec('ROLLBACK');
      committed = true;
      finishReport('failed');
      const head = `import failed: ${errors.length}${capped ? '+' : ''} error${errors.length === 1 ? '' : 's'}; nothing was written to the register`;
      const details = errors.map(formatIssue);
      if (capped) details.push(`(stopped after ${maxErrors} errors; fix these and run again to see the rest)`);
      if (opts.report) details.push(`(every problem found is listed in ${opts.report})`);
      throw new DataError(head, details);
    }
    if (opts.dryRun) db.exec('ROLLBACK');
    else {
      // A large register's totals columns: any change to its lines has removed them; written again
      // here, in the same transaction (src/register/totals-columns.ts).
      if (!hasTotalsColumns(db) && (db.prepare('SELECT count(*) FROM allocation').pluck().get() as number) >= COLUMNS.minLines) {
        opts.onPhase?.('writing the totals columns');
        writeTotalsColumns(db);
      }
      opts.onPhase?.('committing');
      db.exec('COMMIT');
    }
    committed = true;
    finishReport(opts.dryRun ? 'dry-run' : 'imported');
    return result;
  } finally {
    report?.abort();
    if (!committed && db.inTransaction) db.exec('ROLLBACK');
    db.pragma(`cache_size = ${cacheSize}`);
    db.pragma(`mmap_size = ${mmapSize}`);
    db.pragma(`temp_store = ${tempStore}`);
  }
}

function writeDefinitions(writer: RegisterWriter, data: FoiRegisterFile, file: string, addError: (i: Issue) => void): void {
  for (const s of data.sources) writer.writeSource(s);
  for (const o of data.organisations) writer.writeOrg(o);
  for (const t of data.themes) writer.writeTheme(t);
  for (const f of data.flags) writer.writeFlag(f);
  for (const m of data.measures) writer.writeMeasure(m);
  // Totals refer to grants; grants are written after definitions, so totals are checked by `foi check`.
  for (const t of data.totals) {
    const problem = writer.writeTotal(t);
    if (problem) addError({ severity: 'error', file, location: `totals ${t.id}`, message: problem });
  }
}
