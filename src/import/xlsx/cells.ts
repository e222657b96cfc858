/**
 * What a workbook cell holds, as the text a flat reader (360Giving flat, foi-lines) reads: Excel
 * stores dates as serial day numbers, numbers as binary doubles, and escapes control characters
 * in text as `_x000D_`. Pure functions: no workbook, no I/O.
 */

/** `A` for 1, `Z` for 26, `AA` for 27. */
export function columnLetter(n: number): string {
  let s = '';
  for (let x = n; x > 0; x = Math.floor((x - 1) / 26)) s = String.fromCharCode(65 + ((x - 1) % 26)) + s;
  return s;
}

/** The 1-based column of a cell reference (`D12` -> 4), or 0 when it has none. */
export function columnOfRef(ref: string): number {
  let n = 0;
  for (let i = 0; i < ref.length; i++) {
    const c = ref.charCodeAt(i);
    if (c >= 65 && c <= 90) n = n * 26 + (c - 64);
    else if (c >= 97 && c <= 122) n = n * 26 + (c - 96);
    else break;
  }
  return n;
}

/** The row of a cell reference (`D12` -> 12), or 0 when it has none. */
export function rowOfRef(ref: string): number {
  const m = /\d+$/.exec(ref);
  return m ? Number(m[0]) : 0;
}

/** A range `B1:C3` (or one cell `B1`) as 1-based bounds. */
export function parseRange(ref: string): { top: number; left: number; bottom: number; right: number } | null {
  const [a, b = a] = ref.split(':');
  const top = rowOfRef(a);
  const left = columnOfRef(a);
  const bottom = rowOfRef(b);
  const right = columnOfRef(b);
  if (!top || !left || !bottom || !right) return null;
  return { top: Math.min(top, bottom), left: Math.min(left, right), bottom: Math.max(top, bottom), right: Math.max(left, right) };
}

/**
 * A number as Excel shows it in a General cell: at most 15 significant digits, so the binary
 * noise of a computed value (`41133.770000000004`) is not read as a third decimal place.
 */
export function numberText(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (Number.isInteger(v) && Math.abs(v) < 1e15) return String(v);
  const s = String(Number(v.toPrecision(15)));
  if (!s.includes('e')) return s;
  // Plain decimal notation, never 1e-7: the flat readers read decimals.
  return Number(v.toPrecision(15)).toFixed(20).replace(/\.?0+$/, '');
}

const DAY_MS = 86_400_000;
/** 1899-12-30: serial 0 of the 1900 system once Excel's phantom 29 February 1900 is past. */
const EPOCH_1900 = Date.UTC(1899, 11, 30);
const EPOCH_1904 = Date.UTC(1904, 0, 1);
/** 9999-12-31 in the 1900 system: Excel's last date. */
const MAX_SERIAL = 2_958_465;

export type SerialDate = { ok: true; date: string } | { ok: false; reason: string };

/**
 * An Excel date serial as an ISO calendar date; the time of day (the fraction) is dropped.
 * The 1900 system counts 1 January 1900 as day 1 and, copying Lotus 1-2-3, has a 29 February
 * 1900 (day 60) that never was; the 1904 system (old Mac Excel, `date1904` in workbook.xml)
 * counts 1 January 1904 as day 0.
 */
export function serialToIsoDate(serial: number, date1904: boolean): SerialDate {
  if (!Number.isFinite(serial) || serial < 0 || serial >= MAX_SERIAL + 1) {
    return { ok: false, reason: `${numberText(serial)} is not an Excel date (dates are day numbers from 1 to ${MAX_SERIAL.toLocaleString('en-GB')})` };
  }
  const day = Math.floor(serial);
  let ms: number;
  if (date1904) ms = EPOCH_1904 + day * DAY_MS;
  else if (day === 0) return { ok: false, reason: 'Excel day 0 ("0 January 1900") is not a date' };
  else if (day === 60) return { ok: false, reason: 'Excel day 60 is 29 February 1900, a day that never was (a Lotus 1-2-3 bug Excel copies)' };
  else ms = EPOCH_1900 + (day < 60 ? day + 1 : day) * DAY_MS;
  return { ok: true, date: new Date(ms).toISOString().slice(0, 10) };
}

/** OOXML escapes characters XML cannot hold as `_xHHHH_` (a line break typed in Excel is `_x000D_`). */
export function decodeEscapes(s: string): string {
  if (!s.includes('_x')) return s;
  return s.replace(/_x([0-9A-Fa-f]{4})_/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
}

/** Is this number format a date or time format? (Literal text in quotes and [colour] codes do not count.) */
export function isDateFormat(fmt: string | undefined): boolean {
  if (!fmt) return false;
  const bare = fmt.replace(/\[[^\]]*\]/g, '').replace(/"[^"]*"/g, '').replace(/\\./g, '');
  return /[ymdhs]/i.test(bare) && !/^general$/i.test(bare.trim());
}

/** Built-in number formats 14-22 and 45-47 are dates and times even without a format code in styles.xml. */
export function isBuiltInDateFormat(id: number): boolean {
  return (id >= 14 && id <= 22) || (id >= 45 && id <= 47) || (id >= 27 && id <= 36) || (id >= 50 && id <= 58);
}
