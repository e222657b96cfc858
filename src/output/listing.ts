/**
 * Every listing command prints through here: --format table|csv|json|md.
 */
import { UsageError } from '../core/errors.js';
import { dropControls, terminalText } from '../core/control-chars.js';
import { markdownCell } from '../core/markdown-escape.js';
import { displayWidth, padToWidth, truncateToWidth } from './display-width.js';
import type { PlainCell } from './table-cells.js';

export type Format = 'table' | 'csv' | 'json' | 'md';
export const FORMATS: readonly Format[] = ['table', 'csv', 'json', 'md'];

export function parseFormat(value: string | undefined): Format {
  const f = (value ?? 'table').toLowerCase();
  if (!(FORMATS as readonly string[]).includes(f)) throw new UsageError(`--format "${value}": expected one of ${FORMATS.join(', ')}`);
  return f as Format;
}

export interface Column<R> {
  header: string;
  align?: 'left' | 'right';
  value: (row: R) => string;
  /** The value typed for a workbook (money in pence); default: `value` as text. */
  cell?: (row: R) => PlainCell;
}

export interface Listing<R> {
  columns: Column<R>[];
  rows: R[];
  /** A totals row (one cell per column) for table and md output. */
  footer?: string[] | null;
  /** Lines printed under a table (not in csv/json). */
  notes?: string[];
  /** What --format json prints. */
  json: unknown;
  /** Table output only: restyle a row's finished line (e.g. colour an overdue request). */
  decorate?: ((row: R, line: string) => string) | null;
}

export function renderListing<R>(l: Listing<R>, format: Format): string {
  switch (format) {
    case 'json':
      return JSON.stringify(l.json, null, 2) + '\n';
    case 'csv': {
      const out: string[] = [];
      writeCsv(l.columns, l.rows, (chunk) => out.push(chunk));
      return out.join('');
    }
    case 'md':
      return markdownTable(l) + (l.notes?.length ? '\n' + l.notes.join('\n') + '\n' : '');
    case 'table':
      return textTable(l) + (l.notes?.length ? l.notes.join('\n') + '\n' : '');
  }
}

/** Characters of CSV gathered before each write: few writes, and never the whole listing in memory. */
const CSV_CHUNK = 1 << 16;

/**
 * A CSV listing (header, then a line per row, CRLF after each) handed to `write` in chunks as the
 * rows come: a listing of a million-row register streams from the query to stdout.
 */
export function writeCsv<R>(columns: readonly Column<R>[], rows: Iterable<R>, write: (chunk: string) => void): number {
  let chunk = columns.map((c) => csvCell(c.header)).join(',') + '\r\n';
  let n = 0;
  for (const r of rows) {
    let line = '';
    for (let i = 0; i < columns.length; i++) line += (i ? ',' : '') + csvCell(columns[i].value(r));
    chunk += line + '\r\n';
    n++;
    if (chunk.length >= CSV_CHUNK) {
      write(chunk);
      chunk = '';
    }
  }
  write(chunk);
  return n;
}

/** A cell with nothing to drop, quote or guard (no control, bidi control, quote or comma; no formula start). */
// eslint-disable-next-line no-control-regex
const PLAIN_CELL = /^(?![=+\-@])[^\u0000-\u001f",\u007f-\u009f\u202a-\u202e\u2066-\u2069]*$/;

/**
 * One CSV cell. Control and bidirectional override characters are dropped as letters drop them
 * (src/core/control-chars.ts): tabs and line breaks are kept (a line break as a line feed, inside
 * quotes). Then spreadsheet formula injection (OWASP "CSV injection"): a cell that a spreadsheet
 * would run, one starting with = + - @ tab or a line break (`-2+3+cmd|' /C calc'!A0` too), is
 * prefixed with ' so it is text. Only a plain number, such as -12.50, is left as it is.
 */
export function csvCell(value: string): string {
  if (PLAIN_CELL.test(value)) return value; // most cells: one test, then nothing to do
  const v = dropControls(value);
  const safe = /^[=+\-@\t\r\n]/.test(v) && !/^-?\d+(\.\d+)?$/.test(v) ? `'${v}` : v;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}


function markdownTable<R>(l: Listing<R>): string {
  const head = `| ${l.columns.map((c) => markdownCell(c.header)).join(' | ')} |`;
  const rule = `| ${l.columns.map((c) => (c.align === 'right' ? '---:' : '---')).join(' | ')} |`;
  const body = l.rows.map((r) => `| ${l.columns.map((c) => markdownCell(c.value(r))).join(' | ')} |`);
  const foot = l.footer ? [`| ${l.footer.map((c) => (c ? `**${markdownCell(c)}**` : '')).join(' | ')} |`] : [];
  return [head, rule, ...body, ...foot].join('\n') + '\n';
}

function textTable<R>(l: Listing<R>): string {
  const cells = l.rows.map((r) => l.columns.map((c) => terminalText(c.value(r))));
  const all = [l.columns.map((c) => c.header), ...cells, ...(l.footer ? [l.footer] : [])];
  // Columns by display width (a CJK character or an emoji takes two). Long text is cut at 60
  // columns except in the last column, which may run on.
  const last = l.columns.length - 1;
  const widths = l.columns.map((_, i) => {
    const w = Math.max(...all.map((row) => displayWidth(row[i] ?? '')));
    return i === last && l.columns[i].align !== 'right' ? w : Math.min(60, w);
  });
  const fmt = (row: string[]) =>
    row.map((v, i) => {
      const cell = truncateToWidth(v, widths[i]);
      if (i === last && l.columns[i].align !== 'right') return cell;
      return padToWidth(cell, widths[i], l.columns[i].align === 'right' ? 'right' : 'left');
    }).join('  ').trimEnd();
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  const lines = [fmt(l.columns.map((c) => c.header)), rule, ...cells.map((c, i) => (l.decorate ? l.decorate(l.rows[i], fmt(c)) : fmt(c)))];
  if (l.footer) lines.push(rule, fmt(l.footer));
  return lines.join('\n') + '\n';
}
