/**
 * `foi import --report FILE.json`: every error, schema warning, quality notice and normalised
 * value of a run, in file order, with file, location, column, value and message. Streamed to a
 * temp file beside FILE as the import reads (a million-row file can have a million notes), then
 * renamed into place at the end, whether the import succeeded or failed: a reader never sees half
 * a report, and a failed import leaves the report that says why.
 */
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { Issue, Normalisation } from '../register/types.js';

export type ReportTier = 'error' | 'schema-warning' | 'quality-notice' | 'normalised';

export function tierOf(i: Issue): ReportTier {
  return i.severity === 'error' ? 'error' : i.kind === 'schema' ? 'schema-warning' : 'quality-notice';
}

export class ImportReport {
  private readonly tmp: string;
  private fd: number | null;
  private first = true;
  private buf = '';
  readonly counts: Record<ReportTier, number> = { error: 0, 'schema-warning': 0, 'quality-notice': 0, normalised: 0 };

  constructor(private readonly path: string) {
    const dir = dirname(path);
    mkdirSync(dir, { recursive: true });
    this.tmp = join(dir, `.${basename(path)}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`);
    this.fd = openSync(this.tmp, 'w');
    this.write('{\n  "format": "foi-import-report/1",\n  "items": [');
  }

  issue(i: Issue): void {
    const tier = tierOf(i);
    this.counts[tier]++;
    this.item({ tier, file: i.file, location: i.location, column: i.column ?? null, value: i.value ?? null, message: i.message });
  }

  note(n: Normalisation): void {
    this.counts.normalised++;
    this.item({ tier: 'normalised', file: n.file, location: n.location, column: n.column, value: n.from, message: `read as ${n.to}` });
  }

  /** Writes the summary and renames the report into place. */
  finish(summary: Record<string, unknown>): void {
    this.write(`${this.first ? '' : '\n  '}],\n  "counts": ${JSON.stringify(this.counts)},\n  "summary": ${JSON.stringify(summary, null, 2).replace(/\n/g, '\n  ')}\n}\n`);
    this.flush();
    const fd = this.fd!;
    this.fd = null;
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    try {
      renameSync(this.tmp, this.path);
    } catch (e) {
      rmSync(this.tmp, { force: true });
      throw e;
    }
  }

  /** Drops the temp file (the run ended before a report could be written). */
  abort(): void {
    if (this.fd === null) return;
    closeSync(this.fd);
    this.fd = null;
    rmSync(this.tmp, { force: true });
  }

  private item(o: Record<string, unknown>): void {
    this.write(`${this.first ? '\n    ' : ',\n    '}${JSON.stringify(o)}`);
    this.first = false;
  }

  private write(s: string): void {
    this.buf += s;
    if (this.buf.length > 1 << 16) this.flush();
  }

  private flush(): void {
    if (this.buf && this.fd !== null) writeSync(this.fd, this.buf);
    this.buf = '';
  }
}
