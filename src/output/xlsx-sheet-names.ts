/**
 * Worksheet names Excel accepts: at most 31 characters, none of `[ ] : * ? / \`, not starting or
 * ending with an apostrophe, not "History" (Excel reserves it), and unique ignoring case (Excel
 * compares names case-insensitively). Excel refuses to open a workbook that breaks these.
 */

export const SHEET_NAME_MAX = 31;

const FORBIDDEN = /[[\]:*?/\\]/g;
const RESERVED = ['HISTORY'];

/** Cut to at most `max` UTF-16 units without splitting a surrogate pair. */
function cut(s: string, max: number): string {
  let out = '';
  for (const ch of s) {
    if (out.length + ch.length > max) break;
    out += ch;
  }
  return out;
}

/** Trim spaces and the apostrophes Excel refuses at either end. */
function trimEnds(s: string): string {
  return s.replace(/^['\s]+|['\s]+$/g, '');
}

/** One name made acceptable to Excel (not yet unique): forbidden characters become "-". */
export function safeSheetName(wanted: string): string {
  const cleaned = trimEnds(wanted.replace(FORBIDDEN, '-').replace(/[\u0000-\u001f\u007f\s]+/g, ' '));
  return trimEnds(cut(cleaned, SHEET_NAME_MAX)) || 'Sheet';
}

/** Safe, unique names for `wanted`, in order: a repeat gets " (2)", " (3)"… within 31 characters. */
export function sheetNames(wanted: readonly string[]): string[] {
  const taken = new Set(RESERVED);
  return wanted.map((w) => {
    const base = safeSheetName(w);
    let name = base;
    for (let k = 2; taken.has(name.toUpperCase()); k++) {
      const suffix = ` (${k})`;
      name = trimEnds(cut(base, SHEET_NAME_MAX - suffix.length)) + suffix;
    }
    taken.add(name.toUpperCase());
    return name;
  });
}
