/**
 * One table of a letter from the money lines a question matched: its rows, the amount cells,
 * the totals and the notes under it. The rules that keep a table true to the register:
 * - a line over several financial years is shown with its period ("£490,000 for 2023 to 2025,
 *   not split by year") and never added into one year's total; the notes say what was left out;
 * - "up to" amounts are ceilings: shown as such and never added to money awarded;
 * - a co-funded table totals each kind of funding (Home Office grant, match funding) apart,
 *   unless the request asks for a grand total; amounts in different currencies are never added;
 * - a superseded budget is shown beside its revision only when asked for, and never counted;
 * - a register footnote to a figure is numbered in the cell and printed under the table;
 *   internal notes never reach a letter.
 */
import { formatFinancialYear } from '../core/financial-year.js';
import { formatMoney } from '../core/money.js';
import type { GrantRow } from '../register/query.js';
import { money as moneyCell, sheetCellText, text, withPrefix, withSuffix, type CellPart, type MoneyCell, type SheetCell, type TextCell } from '../output/table-cells.js';
import type { ColumnSpec } from './request.js';
import { distinct, type RegisterLookups } from './register-lookups.js';
import type { BodyView, TableColumnView, TableView } from './view-model.js';

/** Numbers the footnotes of one question, in order of first use. */
export class FootnoteNumbers {
  private readonly numbers = new Map<string, number>();
  number(text: string): number {
    let n = this.numbers.get(text);
    if (n === undefined) this.numbers.set(text, (n = this.numbers.size + 1));
    return n;
  }
}

export interface TableOptions {
  /** The year of a per-year table, or null for one table over the whole question. */
  year: number | null;
  /** Every year the question asks about (empty: no year criteria). */
  years: readonly number[];
  grandTotal: boolean;
  /** Give a total row (tables of several rows only). */
  total: boolean;
  themeName: string | null;
  body: BodyView;
  footnotes: FootnoteNumbers;
  record: (cell: { grantId: string; recipientId: string | null; lines: number[]; column: string; value: string }) => void;
}

const BUDGET_BASES = new Set(['budget', 'original', 'revised']);

/**
 * One table row per grant and recipient (in the order the query returns): co-funding lines of
 * one grant share a row; an award split between recipients, or a decision's allocations to many
 * boroughs, gives a row per recipient. An original and a revised budget, a line over several
 * years and an "up to" line each get a row of their own, so no cell adds unlike amounts.
 */
function rowKey(r: GrantRow, year: number | null, byLine: boolean): string {
  if (!byLine) return [r.id, r.recipientId ?? ''].join('\u0000');
  const own = r.basis === 'original' || r.basis === 'revised' || r.basis === 'maximum' || r.multiYear;
  return [r.id, r.recipientId ?? '', year === null ? r.financialYear ?? r.period ?? '' : '', own ? String(r.seq) : ''].join('\u0000');
}

/** Columns whose value depends on the money line, not only on the grant. */
function showsLines(specs: ColumnSpec[]): boolean {
  return specs.some((s) => ['amount', 'basis', 'period', 'financial-year', 'funder', 'source'].includes(s.column) || s.column.startsWith('figure:'));
}

export function buildTable(data: RegisterLookups, specs: ColumnSpec[], rows: GrantRow[], o: TableOptions): TableView {
  const groups = new Map<string, GrantRow[]>();
  // A table of grant details only (no amounts, years or figures) has one row per grant and recipient.
  const byLine = showsLines(specs);
  for (const r of rows) {
    const key = rowKey(r, o.year, byLine);
    const list = groups.get(key);
    if (list) list.push(r);
    else groups.set(key, [r]);
  }
  const columns: TableColumnView[] = specs.map((s) => ({ key: s.column, header: s.header ?? data.defaultHeader(s.column, o.themeName), align: 'left' }));
  const usedNotes = new Set<number>();
  const footnoteTexts = new Map<number, string>();
  const tableRows: string[][] = [];
  // The same cells typed for the workbook: amounts are built typed and printed from that.
  const tableCells: SheetCell[][] = [];
  for (const lines of groups.values()) {
    const grantId = lines[0].id;
    const typed: SheetCell[] = [];
    tableRows.push(specs.map((s) => {
      let value: string;
      if (s.column === 'amount') {
        const cell = amountCell(lines, o.footnotes, (n, text) => { usedNotes.add(n); footnoteTexts.set(n, text); });
        typed.push(cell);
        value = sheetCellText(cell);
      } else {
        value = data.cell(s.column, grantId, lines, o.themeName, o.body, o.year);
        typed.push(data.sheetCell(s.column, grantId, lines, o.year, value));
      }
      o.record({ grantId, recipientId: lines[0].recipientId, lines: lines.map((l) => l.seq), column: s.column, value });
      return value;
    }));
    tableCells.push(typed);
  }
  columns.forEach((c, i) => {
    if (c.key === 'amount' || (c.key.startsWith('figure:') && tableRows.every((r) => /^[\d,]+$/.test(r[i])))) c.align = 'right';
  });

  const notes: string[] = [...usedNotes].sort((a, b) => a - b).map((n) => `Note ${n}: ${footnoteTexts.get(n)}`);
  let totalRow: string[] | null = null;
  let totalCells: SheetCell[] | null = null;
  const amountIdx = specs.findIndex((s) => s.column === 'amount');
  if (amountIdx >= 0) {
    const shown = rows;
    if (shown.some((r) => BUDGET_BASES.has(r.basis))) notes.push('These figures are budgets, not spend.');
    if (tableRows.length > 1 && o.total) {
      const t = tableTotal(shown, o);
      if (t.cell) {
        const cell = t.cell;
        totalCells = specs.map((_, i) => (i === amountIdx ? cell : text(i === 0 ? 'Total' : '')));
        if (amountIdx === 0) totalCells[0] = withPrefix(cell, 'Total ') ?? text(`Total ${sheetCellText(cell)}`);
        totalRow = totalCells.map((c) => sheetCellText(c));
      }
      notes.push(...t.notes);
    }
  }
  return {
    financialYear: o.year === null ? null : formatFinancialYear(o.year), caption: null, columns, rows: tableRows, totalRow, notes, emptyText: null,
    cells: tableCells, totalCells,
  };
}

function money(l: Pick<GrantRow, 'amountPence' | 'currency'>, pence = l.amountPence ?? 0): string {
  return formatMoney(pence, { currency: l.currency });
}

/** An amount as a typed cell in the line's currency, with the words the letter puts around it. */
function amount(currency: string, pence: number, words: { prefix?: string; suffix?: string } = {}): MoneyCell {
  return moneyCell(pence, { currency, ...words });
}

/** One line's amount: `£139,707`, `up to £240,000`, `£490,000 for 2023 to 2025, not split by year`. */
export function lineCell(l: GrantRow): MoneyCell | TextCell {
  if (l.amountPence === null) return text(l.amountStatus === 'not_held' ? 'not held' : 'amount not stated');
  if (l.basis === 'maximum') return amount(l.currency, l.amountPence, { prefix: 'up to ', suffix: l.multiYear ? ` for ${l.period}` : '' });
  if (l.multiYear) return amount(l.currency, l.amountPence, { suffix: ` for ${l.period}, not split by year` });
  return amount(l.currency, l.amountPence);
}

/** One line's amount in words. */
export function lineAmount(l: GrantRow): string {
  return sheetCellText(lineCell(l));
}

/**
 * A row's amount: one line as it is; lines from different funders each with its funder, as the
 * seed letters write co-funding (`£209,052 (Home Office Grant) £130,996 (LBBD Match Fund)`);
 * like lines from one funder as their sum. A footnote adds `(note N)` after its figure.
 */
function amountCell(lines: GrantRow[], footnotes: FootnoteNumbers, used: (n: number, text: string) => void): SheetCell {
  const mark = (l: GrantRow) => {
    if (!l.footnote) return '';
    const n = footnotes.number(l.footnote);
    used(n, l.footnote);
    return ` (note ${n})`;
  };
  if (lines.length === 1) return withSuffix(lineCell(lines[0]), mark(lines[0]));
  const funders = distinct(lines.map((l) => l.stream ?? l.funder));
  const part = (l: GrantRow, before: string, label: string | null): CellPart => ({ before, cell: lineCell(l), label, after: mark(l) });
  if (funders.length > 1) return { kind: 'split', parts: lines.map((l) => part(l, ' ', l.stream ?? l.funder ?? 'funder not stated')), suffix: '' };
  const alike = lines.every((l) => l.amountPence !== null && l.basis === lines[0].basis && l.currency === lines[0].currency && !l.footnote);
  if (!alike) return { kind: 'split', parts: lines.map((l) => part(l, '; ', null)), suffix: '' };
  return amount(lines[0].currency, lines.reduce((a, l) => a + (l.amountPence ?? 0), 0));
}

interface Bucket { label: string | null; currency: string; pence: number; streams: Set<string> }

/**
 * The table's total and what it leaves out. Lines are counted once each; grant and match
 * funding are totalled apart (one total per funder type), as are currencies.
 */
function tableTotal(lines: GrantRow[], o: TableOptions): { cell: SheetCell | null; notes: string[] } {
  const notes: string[] = [];
  const buckets = new Map<string, Bucket>();
  const maxima = new Map<string, number>();
  const outside: GrantRow[] = [];
  let unstated = 0;
  let superseded = 0;
  const coFunded = lines.some((l) => l.basis === 'grant' || l.basis === 'match');
  for (const l of lines) {
    if (l.superseded) { superseded++; continue; }
    if (l.amountPence === null) { unstated++; continue; }
    // In one year's table a line over several years is never that year's money; over the whole
    // question it counts only when every year it covers was asked for.
    if (l.multiYear && (o.year !== null || l.countedAs === 'outside')) { outside.push(l); continue; }
    if (l.basis === 'maximum') { maxima.set(l.currency, (maxima.get(l.currency) ?? 0) + l.amountPence); continue; }
    const kind = coFunded && (l.basis === 'grant' || l.basis === 'match') ? l.basis : 'money';
    const key = `${l.currency}\u0000${kind}`;
    let b = buckets.get(key);
    if (!b) buckets.set(key, (b = { label: kind === 'money' ? null : kind, currency: l.currency, pence: 0, streams: new Set() }));
    b.pence += l.amountPence;
    if (l.stream) b.streams.add(l.stream);
  }
  // Pounds first, then other currencies by code; within one, kinds of funding in the order met.
  const list = [...buckets.values()].sort((a, b) => (a.currency === b.currency ? 0 : a.currency === 'GBP' ? -1 : b.currency === 'GBP' ? 1 : a.currency < b.currency ? -1 : 1));
  let cell: SheetCell | null = null;
  if (list.length) {
    const label = (b: Bucket) => {
      // Each currency is its own total (its symbol says which); kinds of funding are named within it.
      if (b.label === null) return list.some((x) => x !== b && x.currency === b.currency) ? 'other funding' : null;
      if (b.streams.size === 1) return [...b.streams][0];
      return b.label === 'grant' ? 'grants' : 'match funding';
    };
    const parts: CellPart[] = list.map((b, i) => ({ before: i && b.currency !== list[i - 1].currency ? '; ' : ' ', cell: amount(b.currency, b.pence), label: label(b), after: '' }));
    const currencies = new Set(list.map((b) => b.currency));
    if (o.grandTotal && list.length > 1 && currencies.size === 1) {
      parts.push({ before: '; ', cell: amount(list[0].currency, list.reduce((a, b) => a + b.pence, 0), { suffix: ' in all' }), label: null, after: '' });
    }
    const suffix = unstated ? ' (excluding amounts not stated)' : '';
    cell = parts.length === 1 && parts[0].label === null ? withSuffix(parts[0].cell, suffix) : { kind: 'split', parts, suffix };
    if (currencies.size > 1) notes.push('Amounts in different currencies are totalled separately.');
  }
  for (const l of outside) {
    notes.push(`The total does not include ${money(l)} for ${l.period}, which covers more than ${o.year !== null ? 'this financial year' : 'the years asked about'} and is not split by year.`);
  }
  if (maxima.size) {
    const m = [...maxima].map(([currency, pence]) => `up to ${money({ amountPence: pence, currency })}`).join(' and ');
    notes.push(`The total does not include amounts stated as "up to" (${m}): these are maximum amounts, not sums awarded.`);
  }
  if (superseded) notes.push(`Budgets that were later revised are shown for comparison and are not included in the total.`);
  return { cell, notes };
}
