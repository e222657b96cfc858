/**
 * Readers for the fields of a 360Giving record: text, dates, amounts, organisation ids and
 * lists. Each reports what it cannot read to the record's Ctx. A field is named by `at` (the
 * object's path, '' at the grant's top level) and `key`; the full path is only built when there
 * is something to report, which keeps the common case free of string building.
 */
import { parseDate, type DateParse } from '../../core/dates.js';
import { parseMoney } from '../../core/money.js';
import { describe, type Ctx } from './context.js';

export const EXPECT_DATE = 'expected a date like 2019-01-24 or 24/01/2019';
export const EXPECT_AMOUNT = 'expected an amount like 1234.50';

/**
 * org-id.guide list prefixes we recognise. Not exhaustive: an id outside these is a warning
 * (worth checking), never an error.
 */
const ORG_ID_PREFIXES = [
  'GB-CHC', 'GB-SC', 'GB-NIC', 'GB-COH', 'GB-LAE', 'GB-LAS', 'GB-LANI', 'GB-PLA', 'GB-GOR', 'GB-EDU',
  'GB-NHS', 'GB-UKPRN', 'GB-MPR', 'GB-REV', 'GB-UTB', 'GB-GOVUK', 'GB-HESA', 'GB-SHPE', 'GB-WALEDU',
  'GB-SCOTEDU', 'GB-NIEDU', 'GB-CASC', 'GB-RSL',
  'US-EIN', 'US-DOS', 'IE-CHY', 'IE-CRO', 'IE-CRA', 'NL-KVK', 'CA-CRA_ACR', 'ZA-NPO', 'AU-ABN', 'NZ-CC',
];
const ORG_ID_OPEN_PREFIXES = ['XI-', 'XM-', '360G-'];


/** Symbols parseMoney strips, by currency; an amount may carry its own currency's symbol. */
const CURRENCY_MARKS: Record<string, RegExp> = { USD: /\$|USD/gi, EUR: /€|EUR/gi };

export const pathOf = (at: string, key: string): string => (at ? `${at}.${key}` : key);
export const itemPath = (key: string, k: number): string => `${key}[${k}]`;

export function absent(v: unknown): boolean {
  if (typeof v === 'string') return v === '' || (v.charCodeAt(0) <= 32 && v.trim() === '');
  return v === undefined || v === null;
}

/**
 * Optional text; wrong type is an error. Callers read the property themselves (`o.title`) so
 * each site's property access stays monomorphic; `at` and `key` only name it in messages.
 */
export function text(cx: Ctx, v: unknown, at: string, key: string): string | null {
  if (typeof v === 'string') return absent(v) ? null : v;
  if (v === undefined || v === null) return null;
  cx.error(pathOf(at, key), `expected text, got ${describe(v)}`, v);
  return null;
}

/** Required text: missing is an error with `missing` explaining the requirement. */
export function requiredText(cx: Ctx, v: unknown, at: string, key: string, missing: string): string | null {
  if (absent(v)) {
    cx.error(pathOf(at, key), missing, v);
    return null;
  }
  return text(cx, v, at, key);
}

/**
 * parseDate, memoised: date-times go through Intl (about 15 µs each), even plain dates cost a
 * few allocations, and real files repeat the same few thousand dates. Bounded so a file of
 * all-different values cannot grow it forever.
 */
const dateMemo = new Map<string, DateParse>();

/** The last value seen in one date field: consecutive grants often share a date (Last Modified, a committee's award date). */
export class LastDate {
  value = '';
  parse: DateParse = { ok: false, reason: '' };
}
export const LAST_AWARD = new LastDate();
export const LAST_START = new LastDate();
export const LAST_END = new LastDate();
export const LAST_MODIFIED = new LastDate();

function parseDateMemo(v: string, last: LastDate): DateParse {
  if (v === last.value) return last.parse;
  let r = dateMemo.get(v);
  if (r === undefined) {
    if (dateMemo.size >= 50_000) dateMemo.clear();
    r = parseDate(v);
    // A copy as the key: the value is a slice of a file chunk and would keep all of it alive.
    dateMemo.set((' ' + v).slice(1), r);
  }
  last.value = v;
  last.parse = r;
  return r;
}

/**
 * A date field: ISO date or null. Unparseable or impossible dates are errors. `path` is a
 * constant at every call site (no string building per grant: date-times are noted every time).
 */
export function date(cx: Ctx, v: unknown, path: string, what: string, last: LastDate): string | null {
  if (absent(v)) return null;
  if (typeof v !== 'string') {
    cx.error(path, `${what}: expected text holding a date, got ${describe(v)}; ${EXPECT_DATE}`, v);
    return null;
  }
  const r = parseDateMemo(v, last);
  if (!r.ok) {
    cx.error(path, `${what}: ${r.reason}; ${EXPECT_DATE}`, v);
    return null;
  }
  if (r.normalised) cx.note(path, v, r.date);
  return r.date;
}

/** Pence from a JSON number. Binary floating-point noise (41133.770000000004) is rounded to pence and noted. */
function penceFromNumber(cx: Ctx, n: number, path: string, what: string): number | null {
  const r = parseMoney(n);
  if (r.ok) return r.pence;
  if (Number.isFinite(n) && n >= 0) {
    const cents = Math.round(n * 100);
    if (Number.isSafeInteger(cents) && Math.abs(cents / 100 - n) <= 4 * Number.EPSILON * Math.abs(n)) {
      cx.note(path, String(n), `${cents} pence`);
      return cents;
    }
  }
  cx.error(path, `${what}: ${r.reason}; ${EXPECT_AMOUNT}`, n);
  return null;
}

function penceFromText(cx: Ctx, s: string, currency: string | null, path: string, what: string): number | null {
  let t = s;
  if (currency && currency !== 'GBP') {
    if (/£|GBP/i.test(t)) {
      cx.error(path, `${what} is written in pounds but the grant's currency is ${currency} (mixed currencies)`, s);
      return null;
    }
    const mark = CURRENCY_MARKS[currency];
    if (mark) t = t.replace(mark, '');
  }
  const r = parseMoney(t);
  if (!r.ok) {
    cx.error(path, `${what}: ${r.reason}; ${EXPECT_AMOUNT}`, s);
    return null;
  }
  if (r.normalised || t !== s) cx.note(path, s, `${r.pence} pence`);
  return r.pence;
}

/**
 * An amount field in pence: a JSON number, or in a flat (CSV) record text as a spreadsheet shows
 * it (`£1,234.50`); JSON text is an error. Absent: null, no issue.
 */
export function amount(cx: Ctx, v: unknown, path: string, what: string, currency: string | null): number | null {
  if (typeof v === 'number') return penceFromNumber(cx, v, path, what);
  if (absent(v)) return null;
  if (typeof v === 'string' && cx.flat) return penceFromText(cx, v, currency, path, what);
  cx.error(path, `${what} must be a JSON number (no £ sign or commas), got ${describe(v)}`, v);
  return null;
}

const ORG_ID_PREFIX_SET = new Set(ORG_ID_PREFIXES);
/** The list prefix (with its hyphen, `GB-CHC-`) last recognised: most ids in a file share a few. */
let lastGoodPrefix = '\u0000';

export function checkOrgId(cx: Ctx, id: string, at: string, role: string): void {
  if (id.length > lastGoodPrefix.length && id.startsWith(lastGoodPrefix)) return;
  const good = orgIdPrefix(id);
  if (good !== null) {
    lastGoodPrefix = good;
    return;
  }
  const h1 = id.indexOf('-');
  const h2 = h1 < 0 ? -1 : id.indexOf('-', h1 + 1);
  const prefix = h2 > 0 ? id.slice(0, h2) : id;
  cx.warn(
    pathOf(at, 'id'),
    `${role} identifier prefix "${prefix}" is not a recognised org-id list; expected an org-id like GB-CHC-1234567, GB-COH-01234567, GB-SC-SC012345, or 360G-<your prefix>-<id>`,
    id,
  );
}

/** The recognised list prefix of an org id, with its trailing hyphen (`GB-CHC-`), or null. */
function orgIdPrefix(id: string): string | null {
  for (const p of ORG_ID_OPEN_PREFIXES) if (id.length > p.length && id.startsWith(p)) return p;
  // CC-LIST-identifier: the list prefix is everything before the second hyphen.
  const h1 = id.indexOf('-');
  const h2 = h1 < 0 ? -1 : id.indexOf('-', h1 + 1);
  if (h2 > 0 && h2 < id.length - 1 && ORG_ID_PREFIX_SET.has(id.slice(0, h2))) return id.slice(0, h2 + 1);
  return null;
}

/** A list field: undefined when absent; an error (and undefined) when not a list. */
export function list(cx: Ctx, v: unknown, key: string): unknown[] | undefined {
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v)) {
    cx.error(key, `expected a list, got ${describe(v)}`, v);
    return undefined;
  }
  return v;
}
