/**
 * A table's cells as a spreadsheet holds them: money as integer pence with its currency, counts as
 * numbers, everything else (names, "not held", "N/A", "Not stated", Y/N) as text.
 *
 * Letters build their amount and total cells as these typed cells and print them with
 * `sheetCellText`, so `TableView.rows` (the letter's words) and `TableView.cells` (the workbook's
 * values) cannot disagree, and no formatted amount is ever parsed back.
 */
import { formatMoney, formatNumber } from '../core/money.js';
import type { GrantRow } from '../register/query.js';

/** An amount of money. `prefix`/`suffix` are the words the letter prints around it ("up to "). */
export interface MoneyCell {
  kind: 'money';
  pence: number;
  /** ISO 4217: GBP, or the currency the register records for the line. */
  currency: string;
  prefix: string;
  suffix: string;
}

export interface TextCell {
  kind: 'text';
  text: string;
}

export interface NumberCell {
  kind: 'number';
  value: number;
}

/** One of several amounts in one cell: `£209,052 (Home Office Grant)`, `£139,707 (note 1)`. */
export interface CellPart {
  /** Printed between the previous part and this one (" ", "; "); not before the first. */
  before: string;
  cell: MoneyCell | TextCell;
  /** The funding stream (or kind of funding, in a total) printed in brackets after the amount. */
  label: string | null;
  /** Printed after the label: " (note 1)". */
  after: string;
}

/**
 * Several amounts in one letter cell: a co-funded grant (`£209,052 (Home Office Grant) £130,996
 * (LBBD Match Fund)`), unlike lines of one grant (`£10,000; not held`), a total per kind of funding
 * (`£2,541,937 (Home Office Grant) £2,057,705 (match funding)`). A workbook gives each part its
 * own row (src/output/xlsx-letter.ts).
 */
export interface SplitCell {
  kind: 'split';
  parts: CellPart[];
  /** Printed after the last part: " (excluding amounts not stated)". */
  suffix: string;
}

export type SheetCell = TextCell | NumberCell | MoneyCell | SplitCell;
/** A cell a worksheet holds directly (a split is first spread over rows). */
export type PlainCell = TextCell | NumberCell | MoneyCell;

export const text = (t: string): TextCell => ({ kind: 'text', text: t });
export const num = (value: number): NumberCell => ({ kind: 'number', value });
export function money(pence: number, opts: { currency?: string; prefix?: string; suffix?: string } = {}): MoneyCell {
  return { kind: 'money', pence, currency: opts.currency ?? 'GBP', prefix: opts.prefix ?? '', suffix: opts.suffix ?? '' };
}

/** The same cell with words added after it (a money cell keeps its number). */
export function withSuffix<C extends SheetCell>(c: C, words: string): C {
  if (!words) return c;
  switch (c.kind) {
    case 'text': return { ...c, text: c.text + words };
    case 'money': return { ...c, suffix: c.suffix + words };
    case 'split': return { ...c, suffix: c.suffix + words };
    default: return c;
  }
}

/** The same cell with words before it, or null when it cannot take them (a split). */
export function withPrefix(c: SheetCell, words: string): SheetCell | null {
  switch (c.kind) {
    case 'text': return { ...c, text: words + c.text };
    case 'money': return { ...c, prefix: words + c.prefix };
    default: return null;
  }
}

/** One part as the letter words it, without the separator before it. */
export function partText(p: CellPart, opts: { alwaysPence?: boolean } = {}): string {
  return sheetCellText(p.cell, opts) + (p.label !== null ? ` (${p.label})` : '') + p.after;
}

/**
 * The cell as the letter writes it (`£139,707`), or with `alwaysPence` as the workbook's number
 * formats show it (`£139,707.00`, for column widths).
 */
export function sheetCellText(c: SheetCell, opts: { alwaysPence?: boolean } = {}): string {
  switch (c.kind) {
    case 'text': return c.text;
    case 'number': return formatNumber(c.value);
    case 'money': return c.prefix + formatMoney(c.pence, { currency: c.currency, alwaysPence: !!opts.alwaysPence }) + c.suffix;
    case 'split': return c.parts.map((p, i) => (i ? p.before : '') + partText(p, opts)).join('') + c.suffix;
  }
}

/** Text cells for a table built without typed cells (a workbook then holds the letter's words). */
export function textCells(rows: readonly (readonly string[])[]): TextCell[][] {
  return rows.map((r) => r.map(text));
}

/** A `foi grants` row's amount: one money line, "up to" for a maximum, marked when not counted. */
export function listingAmountCell(r: Pick<GrantRow, 'amountPence' | 'amountStatus' | 'basis' | 'currency' | 'superseded' | 'countedAs'>): MoneyCell | TextCell {
  const suffix = r.superseded ? ' (superseded)' : r.countedAs === 'outside' ? ' (not in total)' : '';
  if (r.amountPence === null) return text((r.amountStatus === 'not_held' ? 'not held' : 'unknown') + suffix);
  return money(r.amountPence, { currency: r.currency, prefix: r.basis === 'maximum' ? 'up to ' : '', suffix });
}
