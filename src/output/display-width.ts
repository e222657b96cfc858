/**
 * How many terminal columns text takes, for column-aligned terminal output: East Asian wide and
 * fullwidth characters and emoji take 2, combining marks and zero-width characters 0 (the
 * string-width library, by grapheme cluster). Truncation cuts between grapheme clusters, by width.
 */
import stringWidth from 'string-width';

/**
 * Text every terminal shows one column per UTF-16 unit: printable ASCII, Latin-1 (but the soft
 * hyphen), dashes, quotes, bullets and the ellipsis (U+2010-U+2027), € and →. The common case
 * (names, amounts in £) needs no grapheme segmentation. Tests check it against string-width.
 */
const NARROW = /^[\u0020-\u007e\u00a0-\u00ac\u00ae-\u00ff\u2010-\u2027\u20ac\u2192]*$/;

export function displayWidth(s: string): number {
  return NARROW.test(s) ? s.length : stringWidth(s);
}

let segmenter: Intl.Segmenter | null = null;

/** The grapheme clusters of `s` (Intl is made only when text needs it: loading it costs start-up time). */
function graphemes(s: string): string[] {
  if (NARROW.test(s)) return s.split('');
  segmenter ??= new Intl.Segmenter();
  return Array.from(segmenter.segment(s), (x) => x.segment);
}

/**
 * `s` in at most `max` columns: as it is when it fits, otherwise cut between grapheme clusters
 * with `…` at the end (`keep: 'end'` keeps the end instead, with `…` at the start).
 */
export function truncateToWidth(s: string, max: number, keep: 'start' | 'end' = 'start'): string {
  if (displayWidth(s) <= max) return s;
  if (max <= 0) return '';
  const parts = graphemes(s);
  if (keep === 'end') parts.reverse();
  const kept: string[] = [];
  let width = 1; // the ellipsis
  for (const g of parts) {
    const w = displayWidth(g);
    if (width + w > max) break;
    kept.push(g);
    width += w;
  }
  return keep === 'end' ? '…' + kept.reverse().join('') : kept.join('') + '…';
}

/** `s` padded with spaces to `width` columns, on the right (`left`) or on the left (`right`). */
export function padToWidth(s: string, width: number, align: 'left' | 'right' = 'left'): string {
  const pad = ' '.repeat(Math.max(0, width - displayWidth(s)));
  return align === 'right' ? pad + s : s + pad;
}
