/**
 * `foi import`: one transaction for the whole run; any error and nothing is written.
 * Reads 360Giving JSON packages and flat CSV (streamed) and the register's own foi-register
 * YAML/JSON. Reports every error up to a cap, with file, row or path, column and value.
 */
import { openSync, readSync, closeSync, existsSync, statSync } from 'node:fs';
import { basename, extname } from 'node:path';
import { beginWrite, type Db } from '../db/open.js';
import { DataError, UsageError } from '../core/errors.js';
import { RegisterWriter, type WriteOutcome } from '../register/writer.js';
import { formatIssue, type GrantInput, type Issue, type Normalisation } from '../register/types.js';
import { isFoiRegisterText, parseFoiRegisterFile, type FoiRegisterFile } from './foi-format.js';
import { isFoiLinesHeader, readFoiLinesCsv } from './foi-lines-csv.js';

export type FileFormat = 'foi-register' | 'foi-lines-csv' | '360giving-json' | '360giving-csv';

export interface FileSummary {
  file: string;
  format: FileFormat;
  grants: number;
  inserted: number;
  updated: number;
  unchanged: number;
}

export interface ImportResult {
  files: FileSummary[];
  inserted: number;
  updated: number;
  unchanged: number;
  warnings: Issue[];
  /** How many values were normalised, by column, with one example each. */
  normalised: { column: string; count: number; example: Normalisation }[];
}

export interface ImportOptions {
  maxErrors?: number;
  /**
   * Progress for a terminal: bytes read of all the files so far, their total size, and grants
   * read so far. Called as each chunk of a streamed file is read, and after each whole file.
   */
  onProgress?: (bytesRead: number, totalBytes: number, rows: number) => void;
  /** Validate and report, then roll back: nothing is written. */
  dryRun?: boolean;
  /** Called when another process is writing to the register and this import waits for it. */
  onWait?: () => void;
}

export function detectFormat(path: string): FileFormat {
  const ext = extname(path).toLowerCase();
  if (ext === '.yaml' || ext === '.yml') return 'foi-register';
  const head = readHead(path, 4096);
  if (ext === '.csv') return isFoiLinesHeader(head.split(/\r?\n/, 1)[0]) ? 'foi-lines-csv' : '360giving-csv';
  if (ext === '.json' || head.trimStart().startsWith('{')) return isFoiRegisterText(head) ? 'foi-register' : '360giving-json';
  if (isFoiRegisterText(head)) return 'foi-register';
  throw new UsageError(`${path}: cannot tell what this file is; expected .json (360Giving package or foi-register), .csv (360Giving flat, or foi-lines with a "Grant ID" column) or .yaml (foi-register)`);
}

function readHead(path: string, n: number): string {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(n);
    const got = readSync(fd, buf, 0, n, 0);
    return buf.subarray(0, got).toString('utf8');
  } finally {
    closeSync(fd);
  }
}

export async function importFiles(db: Db, paths: readonly string[], opts: ImportOptions = {}): Promise<ImportResult> {
  const maxErrors = opts.maxErrors ?? 50;
  for (const p of paths) {
    if (!existsSync(p) || !statSync(p).isFile()) throw new UsageError(`${p}: no such file`);
  }
  const totalBytes = paths.reduce((a, p) => a + statSync(p).size, 0);
  let bytesDone = 0;
  let rows = 0;
  const errors: Issue[] = [];
  const result: ImportResult = { files: [], inserted: 0, updated: 0, unchanged: 0, warnings: [], normalised: [] };
  const norm = new Map<string, { column: string; count: number; example: Normalisation }>();
  let capped = false;
  const addError = (i: Issue) => {
    if (errors.length < maxErrors) errors.push(i);
    else capped = true;
  };

  beginWrite(db, opts.onWait);
  let committed = false;
  try {
    const writer = new RegisterWriter(db);
    const count = (s: FileSummary, o: WriteOutcome) => {
      s[o]++;
      result[o]++;
    };
    for (const path of paths) {
      if (capped) break;
      const fileEnd = bytesDone + statSync(path).size;
      const file = basename(path);
      const format = detectFormat(path);
      const summary: FileSummary = { file, format, grants: 0, inserted: 0, updated: 0, unchanged: 0 };
      result.files.push(summary);
      const writeOne = (g: GrantInput, location: string) => {
        g.position = summary.grants++;
        rows++;
        if (errors.length) return; // keep validating, stop writing: it will all be rolled back
        const problems = writer.checkReferences(g);
        if (problems.length) {
          for (const m of problems) addError({ severity: 'error', file, location, message: `grant ${g.id}: ${m}` });
          return;
        }
        try {
          count(summary, writer.writeGrant(g));
        } catch (e) {
          addError({ severity: 'error', file, location, message: `grant ${g.id} could not be stored: ${(e as Error).message}` });
        }
      };
      if (format === 'foi-register') {
        const { data, issues } = parseFoiRegisterFile(path, file);
        for (const i of issues) (i.severity === 'error' ? addError(i) : result.warnings.push(i));
        if (!issues.some((i) => i.severity === 'error')) writeDefinitions(writer, data, file, addError);
        data.grants.forEach((g) => writeOne(g, `grant ${g.id}`));
      } else if (format === 'foi-lines-csv') {
        const { grants, issues } = await readFoiLinesCsv(path);
        for (const i of issues) addError(i);
        for (const { grant, location } of grants) writeOne(grant, location);
      } else {
        const { read360Batches } = await import('./giving360.js');
        const onRead = opts.onProgress && ((n: number) => opts.onProgress!((bytesDone += n), totalBytes, rows));
        // Batches, not single items: one await per few hundred records.
        outer: for await (const batch of read360Batches(path, { onRead })) {
          for (const item of batch) {
            if (item.kind === 'grant') {
              writeOne(item.grant, item.location);
            } else if (item.kind === 'issue') {
              if (item.issue.severity === 'error') addError(item.issue);
              else result.warnings.push(item.issue);
              if (capped) break outer;
            } else {
              const key = item.note.column;
              const entry = norm.get(key);
              if (entry) entry.count++;
              else norm.set(key, { column: key, count: 1, example: item.note });
            }
          }
        }
      }
      bytesDone = fileEnd;
      opts.onProgress?.(bytesDone, totalBytes, rows);
    }
    result.normalised = [...norm.values()];
    if (errors.length) {
      db.exec('ROLLBACK');
      committed = true;
      const head = `import failed: ${errors.length}${capped ? '+' : ''} error${errors.length === 1 ? '' : 's'}; nothing was written to the register`;
      const details = errors.map(formatIssue);
      if (capped) details.push(`(stopped after ${maxErrors} errors; fix these and run again to see the rest)`);
      throw new DataError(head, details);
    }
    if (opts.dryRun) db.exec('ROLLBACK');
    else db.exec('COMMIT');
    committed = true;
    return result;
  } finally {
    if (!committed && db.inTransaction) db.exec('ROLLBACK');
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
