/** Plain-text and Markdown tables with a fixed column order. */

export type Status = 'PASS' | 'MISS' | 'INFO' | 'SKIP';

export interface SummaryRow {
  step: string;
  measure: string;
  foi: string;
  baseline: string;
  ratio: string;
  target: string;
  status: Status;
}

export const SUMMARY_HEADERS = ['Step', 'Measure', 'foi', 'Baseline', 'Ratio', 'Target', 'Result'];

export function summaryCells(r: SummaryRow): string[] {
  return [r.step, r.measure, r.foi, r.baseline, r.ratio, r.target, r.status];
}

/** Columns padded to width; numbers-looking cells are not right-aligned on purpose (stable diffs). */
export function textTable(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => (c ?? '').padEnd(widths[i])).join('  ').trimEnd();
  return [line(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

const mdCell = (s: string) => (s ?? '').replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function mdTable(headers: string[], rows: string[][]): string {
  return [
    `| ${headers.map(mdCell).join(' | ')} |`,
    `|${headers.map(() => '---').join('|')}|`,
    ...rows.map((r) => `| ${r.map(mdCell).join(' | ')} |`),
  ].join('\n');
}

/** A command-line argument as typed in a shell (quoted when it needs to be). */
export const shellQuote = (a: string) => (/^[\w.,=:/-]+$/.test(a) ? a : `"${a.replace(/"/g, '\\"')}"`);
