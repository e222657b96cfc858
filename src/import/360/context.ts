/**
 * What mapping one 360Giving record collects: its issues (errors, schema warnings, quality
 * notices) and normalisation notes, located by file, record and column.
 */
import type { Issue, Normalisation } from '../../register/types.js';

export type Obj = Record<string, unknown>;

export function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'an object';
  if (typeof v === 'string') return `text ${JSON.stringify(v.length > 40 ? v.slice(0, 40) + '…' : v)}`;
  return `${typeof v} ${String(v)}`;
}

/** The offending value as text for an Issue, cut at 200 characters. */
export function valueText(v: unknown): string | null {
  if (v === undefined || v === null) return null;
  const s = typeof v === 'string' ? v : JSON.stringify(v);
  return s.length > 200 ? s.slice(0, 200) + '…' : s;
}

export class Ctx {
  /** Allocated on first use: most grants have none. */
  issues: Issue[] | null = null;
  notes: Normalisation[] | null = null;
  /** The JSON path of each issue and note, in step with the lists above (schema.ts matches them to schema errors). */
  issuePaths: string[] | null = null;
  notePaths: string[] | null = null;
  errors = 0;
  constructor(
    readonly file: string,
    readonly location: string,
    /** JSON path -> the column name to report (the path itself for JSON; the header title for CSV). */
    readonly col: (path: string) => string | null,
    /** Flat (CSV) records: amounts may be text as a spreadsheet shows them (`£1,234.50`). */
    readonly flat: boolean,
    readonly today: string,
  ) {}

  error(path: string, message: string, value?: unknown): void {
    this.errors++;
    (this.issuePaths ??= []).push(path);
    (this.issues ??= []).push({ severity: 'error', file: this.file, location: this.location, column: this.col(path), value: valueText(value), message });
  }

  warn(path: string, message: string, value?: unknown, kind: 'schema' | 'quality' = 'quality'): void {
    (this.issuePaths ??= []).push(path);
    (this.issues ??= []).push({ severity: 'warning', kind, file: this.file, location: this.location, column: this.col(path), value: valueText(value), message });
  }

  note(path: string, from: string, to: string): void {
    (this.notePaths ??= []).push(path);
    (this.notes ??= []).push({ file: this.file, location: this.location, column: this.col(path) ?? path, from, to });
  }
}

export const jsonCol = (path: string): string | null => path || null;
