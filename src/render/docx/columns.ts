/**
 * Table column widths: measure each column's content in Arial, then share the text width so
 * narrow columns (dates, amounts, Y/N) are not wrapped while wide text columns share the rest.
 */
import type { Tokens } from 'marked';
import { CELL_MARGIN_X, TABLE_FONT_SIZE } from './model.js';
import { isTotalRow, plainText, textWidthTwips } from './text.js';

/** What a table column would like: its one-line width, and the least it can take (longest word). */
export interface ColumnMeasure {
  /** Width with every cell on one line, header included. */
  natural: number;
  /** Width with only the header's longest word on one line (headers may wrap). */
  naturalWrappedHeader?: number;
  /** Width of the longest unbreakable word in any cell. */
  minimum: number;
}

/**
 * Column widths (DXA) summing exactly to `total`.
 *
 * When every column fits on one line, the spare width is shared in proportion. Otherwise narrow
 * columns (dates, amounts, Y/N) get their natural width first, as long as it is no more than an equal
 * share of what is left, and the wide text columns share the rest in proportion to their natural
 * width, never below their longest word. Pure and deterministic.
 */
export function computeColumnWidths(columns: readonly ColumnMeasure[], total: number): number[] {
  const n = columns.length;
  if (n === 0) return [];
  const full = columns.map((c) => Math.max(1, c.natural));
  const sumFull = full.reduce((a, b) => a + b, 0);
  let raw: number[];
  if (sumFull <= total) {
    raw = full.map((w) => w + ((total - sumFull) * w) / sumFull);
  } else {
    const nat = columns.map((c, i) => Math.max(1, Math.min(full[i]!, c.naturalWrappedHeader ?? full[i]!)));
    const min = columns.map((c, i) => Math.max(1, Math.min(c.minimum, nat[i]!)));
    const sumMin = min.reduce((a, b) => a + b, 0);
    if (sumMin >= total) {
      // Not even the longest words fit (a web address in a description): keep the narrow columns
      // (amounts, years, Y/N) whole while each is within an equal share, and squeeze the wide ones,
      // so "£1,000.50" is never broken across lines because another column holds a long word.
      const whole = nat.map((w) => w <= total / n);
      const kept = nat.reduce((a, w, i) => a + (whole[i] ? w : 0), 0);
      const squeezed = min.reduce((a, w, i) => a + (whole[i] ? 0 : w), 0);
      raw = squeezed > 0 && kept < total
        ? min.map((w, i) => (whole[i] ? nat[i]! : (w * (total - kept)) / squeezed))
        : min.map((w) => (w * total) / sumMin);
    } else {
      raw = new Array<number>(n).fill(0);
      const fixed = new Set<number>();
      // Satisfy the narrowest columns first while each fits in a fair share of what remains.
      const byNatural = nat.map((_, i) => i).sort((a, b) => nat[a]! - nat[b]! || a - b);
      let left = total;
      for (const i of byNatural) {
        const share = left / (n - fixed.size);
        if (nat[i]! > share) break;
        raw[i] = nat[i]!;
        left -= nat[i]!;
        fixed.add(i);
      }
      // The rest share what is left by natural width, but never below their minimum.
      let free = nat.map((_, i) => i).filter((i) => !fixed.has(i));
      for (;;) {
        const sumNat = free.reduce((a, i) => a + nat[i]!, 0);
        const below = free.filter((i) => (left * nat[i]!) / sumNat < min[i]!);
        if (below.length === 0 || below.length === free.length) {
          for (const i of free) raw[i] = sumNat > 0 ? (left * nat[i]!) / sumNat : left / free.length;
          break;
        }
        for (const i of below) {
          raw[i] = min[i]!;
          left -= min[i]!;
        }
        free = free.filter((i) => !below.includes(i));
      }
    }
  }
  const widths = raw.map((w) => Math.max(0, Math.floor(w)));
  let rest = total - widths.reduce((a, b) => a + b, 0);
  // Hand the rounding remainder out one twip at a time, widest first, deterministically.
  const order = widths.map((_, i) => i).sort((a, b) => raw[b]! - raw[a]! || a - b);
  for (let k = 0; rest > 0; k = (k + 1) % n, rest--) widths[order[k]!]! += 1;
  return widths;
}


/**
 * The pieces of a cell that should not be broken across lines: its words; in a money column
 * (right-aligned), each amount with its label, e.g. "£209,052 (Home Office Grant)", so a co-funded
 * cell wraps between its amounts, never inside one.
 */
function unbreakable(text: string, money: boolean): string[] {
  return money ? text.split(/\s+(?=[£€$])/) : text.split(/\s+/);
}

/**
 * Widths of cell texts already measured (a batch measures the same grant names and amounts in
 * letter after letter): key = bold, money and the text.
 */
const longestCache = new Map<string, number>();

function longest(text: string, bold: boolean, money: boolean): number {
  const key = `${bold ? 'b' : '-'}${money ? 'm' : '-'}${text}`;
  let w = longestCache.get(key);
  if (w === undefined) {
    w = unbreakable(text, money).reduce((a, piece) => Math.max(a, textWidthTwips(piece, TABLE_FONT_SIZE, bold)), 0);
    if (longestCache.size >= 20_000) longestCache.clear();
    longestCache.set(key, w);
  }
  return w;
}

/** Measure a Markdown table's columns in Arial 10 pt (header and totals rows bold). */
export function measureTable(t: Tokens.Table): ColumnMeasure[] {
  const ncols = Math.max(t.header.length, ...t.rows.map((r) => r.length));
  const pad = 2 * CELL_MARGIN_X + 40;
  const measures: ColumnMeasure[] = Array.from({ length: ncols }, () => ({ natural: 0, naturalWrappedHeader: 0, minimum: 0 }));
  t.header.forEach((cell, i) => {
    if (i >= ncols) return;
    const text = plainText(cell.tokens).trim();
    const m = measures[i]!;
    m.natural = textWidthTwips(text, TABLE_FONT_SIZE, true) + pad;
    // Headers may wrap between words, even in a money column, but onto three lines at most: a
    // long header over a Y/N column would otherwise stand one word to a line.
    const header = textWidthTwips(text, TABLE_FONT_SIZE, true);
    m.minimum = m.naturalWrappedHeader = Math.max(longest(text, true, false), Math.ceil(header / 3)) + pad;
  });
  for (const row of t.rows) {
    const bold = isTotalRow(row);
    row.forEach((cell, i) => {
      if (i >= ncols) return;
      const text = plainText(cell.tokens).trim();
      const m = measures[i]!;
      const w = textWidthTwips(text, TABLE_FONT_SIZE, bold) + pad;
      m.natural = Math.max(m.natural, w);
      m.naturalWrappedHeader = Math.max(m.naturalWrappedHeader!, w);
      m.minimum = Math.max(m.minimum, longest(text, bold, t.align[i] === 'right') + pad);
    });
  }
  return measures;
}

/** Column by column, the larger of two measures (tables of the same columns share widths). */
export function mergeMeasures(a: readonly ColumnMeasure[], b: readonly ColumnMeasure[]): ColumnMeasure[] {
  return a.map((m, i) => ({
    natural: Math.max(m.natural, b[i]!.natural),
    naturalWrappedHeader: Math.max(m.naturalWrappedHeader ?? m.natural, b[i]!.naturalWrappedHeader ?? b[i]!.natural),
    minimum: Math.max(m.minimum, b[i]!.minimum),
  }));
}

/** Tables with the same header texts and alignments in one letter get one set of widths. */
export function tableSignature(t: Tokens.Table): string {
  return JSON.stringify([t.header.map((c) => plainText(c.tokens).trim()), t.align]);
}
