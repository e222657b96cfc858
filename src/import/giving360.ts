/**
 * 360Giving grants (package JSON or flat CSV) -> typed GrantInput records, issues and
 * normalisation notes. Validation follows the 360Giving Data Standard schema 1.4.3:
 *
 * ERRORS (the grant is not yielded): what the schema requires and is missing (id, title,
 * currency, amountAwarded, awardDate, fundingOrganization id and name, recipientOrganization
 * id and name unless there is a recipientIndividual with id and name); wrong JSON types;
 * unparseable or impossible amounts and dates; negative amounts; an amount written in a
 * different currency from the grant's; a currency that is not an ISO 4217 code; duplicate
 * grant ids within one file; malformed files.
 *
 * WARNINGS (quality, the grant is still yielded): no description (the schema requires one,
 * but real published files omit it); an organisation id whose prefix is not a recognised
 * org-id list; a zero amount; an award date after `today`; a planned end before its start;
 * a file that mixes currencies.
 *
 * Accepted and noted (Normalisation): `£1,234.50` / `1,234.5` amounts in CSV, JSON numbers
 * with binary floating-point noise (`41133.770000000004` -> 4113377 pence), UK dates
 * (`24/01/2019`), date-times (calendar date in Europe/London), `Y`/`N`/`yes`/`no`/true/false
 * for fromOpenCall, lower-case currency and country codes.
 *
 * Storage: allocations, themes, flags, figures, variations and partners stay empty (the
 * writer derives the award line). `extra` keeps, unchanged, every top-level key that is not
 * mapped to a GrantInput field: keys the standard does not define (`Website`, `Grant number`)
 * and standard keys GrantInput has no column for (`amountAppliedFor`, `url`,
 * `recipientIndividual`, ...); when plannedDates or grantProgramme hold more than one entry,
 * the whole list is kept there too. In CSV, every non-blank cell of a column not mapped to a
 * GrantInput field is kept in `extra`, unchanged, under its (trimmed) header title.
 */
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import { parseDate, todayInLondon, type DateParse } from '../core/dates.js';
import { parseMoney } from '../core/money.js';
import {
  emptyGrant,
  type ClassificationInput,
  type GrantInput,
  type ImportItem,
  type Issue,
  type LocationInput,
  type Normalisation,
  type OrgInput,
} from '../register/types.js';
import { CsvSyntaxError, DEFAULT_CHUNK, readCsvBatches } from './csv.js';
import { JsonArrayScanner, JsonStreamError } from './json-stream.js';

export interface MapResult {
  grant: GrantInput | null;
  issues: Issue[];
  notes: Normalisation[];
}

export interface MapOptions {
  /** ISO date used for "award date in the future" (default: today in London). */
  today?: string;
}

const EXPECT_DATE = 'expected a date like 2019-01-24 or 24/01/2019';
const EXPECT_AMOUNT = 'expected an amount like 1234.50';

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

/** ISO 4217 codes from the 360Giving schema's currency codelist (1.4.3). */
const CURRENCIES = new Set(
  ('ADP AED AFA AFN ALK ALL AMD ANG AOA AOK AON AOR ARA ARP ARS ARY ATS AUD AWG AYM AZM AZN BAD BAM BBD ' +
    'BDT BEC BEF BEL BGJ BGK BGL BGN BHD BIF BMD BND BOB BOP BOV BRB BRC BRE BRL BRN BRR BSD BTN BUK BWP ' +
    'BYB BYN BYR BZD CAD CDF CHC CHE CHF CHW CLF CLP CNY COP COU CRC CSD CSJ CSK CUC CUP CVE CYP CZK DDM ' +
    'DEM DJF DKK DOP DZD ECS ECV EEK EGP ERN ESA ESB ESP ETB EUR FIM FJD FKP FRF GBP GEK GEL GHC GHP GHS ' +
    'GIP GMD GNE GNF GNS GQE GRD GTQ GWE GWP GYD HKD HNL HRD HRK HTG HUF IDR IEP ILP ILR ILS INR IQD IRR ' +
    'ISJ ISK ITL JMD JOD JPY KES KGS KHR KMF KPW KRW KWD KYD KZT LAJ LAK LBP LKR LRD LSL LSM LTL LTT LUC ' +
    'LUF LUL LVL LVR LYD MAD MDL MGA MGF MKD MLF MMK MNT MOP MRO MRU MTL MTP MUR MVQ MVR MWK MXN MXP MXV ' +
    'MYR MZE MZM MZN NAD NGN NIC NIO NLG NOK NPR NZD OMR PAB PEH PEI PEN PES PGK PHP PKR PLN PLZ PTE PYG ' +
    'QAR RHD ROK ROL RON RSD RUB RUR RWF SAR SBD SCR SDD SDG SDP SEK SGD SHP SIT SKK SLL SOS SRD SRG SSP ' +
    'STD STN SUR SVC SYP SZL THB TJR TJS TMM TMT TND TOP TPE TRL TRY TTD TWD TZS UAH UAK UGS UGW UGX USD ' +
    'USN USS UYI UYN UYP UYU UZS VEB VEF VES VNC VND VUV WST XAF XAG XAU XBA XBB XBC XBD XCD XDR XEU XFO ' +
    'XFU XOF XPD XPF XPT XRE XSU XTS XUA XXX YDD YER YUD YUM YUN ZAL ZAR ZMK ZMW ZRN ZRZ ZWC ZWD ZWL ZWN ZWR').split(' '),
);
/** Symbols parseMoney strips, by currency; an amount may carry its own currency's symbol. */
const CURRENCY_MARKS: Record<string, RegExp> = { USD: /\$|USD/gi, EUR: /€|EUR/gi };

/** Top-level keys mapped to GrantInput fields; everything else goes to `extra` unchanged. */
const MAPPED_KEYS = new Set([
  'id', 'title', 'description', 'currency', 'amountAwarded', 'awardDate', 'plannedDates',
  'recipientOrganization', 'fundingOrganization', 'grantProgramme', 'beneficiaryLocation',
  'classifications', 'fromOpenCall', 'dateModified', 'dataSource',
]);

// ---------------------------------------------------------------------------------------------
// Flat (CSV) column titles. Only fields that map to GrantInput are listed: other columns,
// standard or not, are kept in `extra` under their header title.

interface GroupDef {
  title: string;
  key: string;
  /** recipientIndividual is one object, not a list. */
  single?: boolean;
  fields: [title: string, prop: string][];
}

const ORG_FIELDS: [string, string][] = [
  ['Identifier', 'id'], ['Name', 'name'], ['Charity Number', 'charityNumber'], ['Company Number', 'companyNumber'],
  ['City', 'addressLocality'], ['Postal Code', 'postalCode'],
];

const TOP_COLUMNS: [title: string, key: string][] = [
  ['Identifier', 'id'], ['Title', 'title'], ['Description', 'description'], ['Currency', 'currency'],
  ['Amount Awarded', 'amountAwarded'], ['Award Date', 'awardDate'], ['From An Open Call?', 'fromOpenCall'],
  ['Last Modified', 'dateModified'], ['Data Source', 'dataSource'],
];

const GROUPS: GroupDef[] = [
  { title: 'Recipient Org', key: 'recipientOrganization', fields: ORG_FIELDS },
  { title: 'Funding Org', key: 'fundingOrganization', fields: ORG_FIELDS },
  { title: 'Recipient Ind', key: 'recipientIndividual', single: true, fields: [['Identifier', 'id'], ['Name', 'name']] },
  { title: 'Grant Programme', key: 'grantProgramme', fields: [['Code', 'code'], ['Title', 'title']] },
  {
    title: 'Planned Dates', key: 'plannedDates',
    fields: [['Start Date', 'startDate'], ['End Date', 'endDate'], ['Duration (months)', 'duration']],
  },
  {
    title: 'Beneficiary Location', key: 'beneficiaryLocation',
    fields: [['Name', 'name'], ['Country Code', 'countryCode'], ['Geographic Code', 'geoCode'], ['Geographic Code Type', 'geoCodeType']],
  },
  { title: 'Classifications', key: 'classifications', fields: [['Title', 'title'], ['Code', 'code'], ['Vocabulary', 'vocabulary']] },
];

const norm = (t: string): string => t.trim().replace(/\s+/g, ' ').toLowerCase();
const TOP_BY_TITLE = new Map(TOP_COLUMNS.map(([t, k]) => [norm(t), k]));
const TOP_TITLE_BY_KEY = new Map(TOP_COLUMNS.map(([t, k]) => [k, t]));
const GROUP_BY_TITLE = new Map(GROUPS.map((g) => [norm(g.title), g]));
const GROUP_BY_KEY = new Map(GROUPS.map((g) => [g.key, g]));

/** The standard's flat column title for a JSON path (`recipientOrganization[1].id` -> `Recipient Org:1:Identifier`). */
export function flatTitleFor(path: string): string {
  const top = TOP_TITLE_BY_KEY.get(path);
  if (top) return top;
  const m = /^([A-Za-z]+)(?:\[(\d+)\])?(?:\.([A-Za-z]+))?$/.exec(path);
  const g = m && GROUP_BY_KEY.get(m[1]);
  if (!m || !g) return path;
  const idx = m[2] && m[2] !== '0' ? `:${m[2]}` : '';
  if (!m[3]) return g.title;
  const f = g.fields.find(([, p]) => p === m[3]);
  return `${g.title}${idx}:${f ? f[0] : m[3]}`;
}

// ---------------------------------------------------------------------------------------------
// Mapping context: collects issues and notes for one grant.

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'an object';
  if (typeof v === 'string') return `text ${JSON.stringify(v.length > 40 ? v.slice(0, 40) + '…' : v)}`;
  return `${typeof v} ${String(v)}`;
}

/** The offending value as text for an Issue, cut at 200 characters. */
function valueText(v: unknown): string | null {
  if (v === undefined || v === null) return null;
  const s = typeof v === 'string' ? v : JSON.stringify(v);
  return s.length > 200 ? s.slice(0, 200) + '…' : s;
}

class Ctx {
  /** Allocated on first use: most grants have none. */
  issues: Issue[] | null = null;
  notes: Normalisation[] | null = null;
  errors = 0;
  constructor(
    readonly file: string,
    readonly location: string,
    /** JSON path -> the column name to report (the path itself for JSON; the header title for CSV). */
    readonly col: (path: string) => string | null,
    /** CSV: every value is text, so numbers are read from text. */
    readonly flat: boolean,
    readonly today: string,
  ) {}

  error(path: string, message: string, value?: unknown): void {
    this.errors++;
    (this.issues ??= []).push({ severity: 'error', file: this.file, location: this.location, column: this.col(path), value: valueText(value), message });
  }

  warn(path: string, message: string, value?: unknown): void {
    (this.issues ??= []).push({ severity: 'warning', file: this.file, location: this.location, column: this.col(path), value: valueText(value), message });
  }

  note(path: string, from: string, to: string): void {
    (this.notes ??= []).push({ file: this.file, location: this.location, column: this.col(path) ?? path, from, to });
  }
}

const jsonCol = (path: string): string | null => path || null;

// ---------------------------------------------------------------------------------------------
// Field readers. A field is named by `at` (the object's path, '' at the grant's top level) and
// `key`; the full path (`recipientOrganization[0].id`) is only built when there is something
// to report, which keeps the common case free of string building.

const pathOf = (at: string, key: string): string => (at ? `${at}.${key}` : key);

function absent(v: unknown): boolean {
  if (typeof v === 'string') return v === '' || (v.charCodeAt(0) <= 32 && v.trim() === '');
  return v === undefined || v === null;
}

/**
 * Optional text; wrong type is an error. Callers read the property themselves (`o.title`) so
 * each site's property access stays monomorphic; `at` and `key` only name it in messages.
 */
function text(cx: Ctx, v: unknown, at: string, key: string): string | null {
  if (typeof v === 'string') return absent(v) ? null : v;
  if (v === undefined || v === null) return null;
  cx.error(pathOf(at, key), `expected text, got ${describe(v)}`, v);
  return null;
}

/** Required text: missing is an error with `missing` explaining the requirement. */
function requiredText(cx: Ctx, v: unknown, at: string, key: string, missing: string): string | null {
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
class LastDate {
  value = '';
  parse: DateParse = { ok: false, reason: '' };
}
const LAST_AWARD = new LastDate();
const LAST_START = new LastDate();
const LAST_END = new LastDate();
const LAST_MODIFIED = new LastDate();

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
function date(cx: Ctx, v: unknown, path: string, what: string, last: LastDate): string | null {
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
function penceFromNumber(cx: Ctx, n: number, path: string): number | null {
  const r = parseMoney(n);
  if (r.ok) return r.pence;
  if (Number.isFinite(n) && n >= 0) {
    const cents = Math.round(n * 100);
    if (Number.isSafeInteger(cents) && Math.abs(cents / 100 - n) <= 4 * Number.EPSILON * Math.abs(n)) {
      cx.note(path, String(n), `${cents} pence`);
      return cents;
    }
  }
  cx.error(path, `amount awarded: ${r.reason}; ${EXPECT_AMOUNT}`, n);
  return null;
}

function penceFromText(cx: Ctx, s: string, currency: string | null, path: string): number | null {
  let t = s;
  if (currency && currency !== 'GBP') {
    if (/£|GBP/i.test(t)) {
      cx.error(path, `amount awarded is written in pounds but the grant's currency is ${currency} (mixed currencies)`, s);
      return null;
    }
    const mark = CURRENCY_MARKS[currency];
    if (mark) t = t.replace(mark, '');
  }
  const r = parseMoney(t);
  if (!r.ok) {
    cx.error(path, `amount awarded: ${r.reason}; ${EXPECT_AMOUNT}`, s);
    return null;
  }
  if (r.normalised || t !== s) cx.note(path, s, `${r.pence} pence`);
  return r.pence;
}

const ORG_ID_PREFIX_SET = new Set(ORG_ID_PREFIXES);
/** The list prefix (with its hyphen, `GB-CHC-`) last recognised: most ids in a file share a few. */
let lastGoodPrefix = '\u0000';

function checkOrgId(cx: Ctx, id: string, at: string, role: string): void {
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
function list(cx: Ctx, v: unknown, key: string): unknown[] | undefined {
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v)) {
    cx.error(key, `expected a list, got ${describe(v)}`, v);
    return undefined;
  }
  return v;
}

const itemPath = (key: string, k: number): string => `${key}[${k}]`;

function orgs(cx: Ctx, items: unknown[], key: string, role: string, requirement: string): OrgInput[] {
  const out: OrgInput[] = [];
  for (let k = 0; k < items.length; k++) {
    const item = items[k];
    if (item === undefined && cx.flat) continue; // a numbered CSV column group left blank
    const at = k === 0 ? (key === 'recipientOrganization' ? 'recipientOrganization[0]' : 'fundingOrganization[0]') : itemPath(key, k);
    if (!isObj(item)) {
      cx.error(at, `${role} must be an object with id and name, got ${describe(item)}`, item);
      continue;
    }
    const id = requiredText(cx, item.id, at, 'id', `${role} has no identifier; ${requirement}`);
    const name = requiredText(cx, item.name, at, 'name', `${role} has no name; ${requirement}`);
    if (id) checkOrgId(cx, id, at, role);
    const org: OrgInput = {
      id: id ?? '',
      name: name ?? '',
      charityNumber: text(cx, item.charityNumber, at, 'charityNumber'),
      companyNumber: text(cx, item.companyNumber, at, 'companyNumber'),
      locality: text(cx, item.addressLocality, at, 'addressLocality'),
      postcode: text(cx, item.postalCode, at, 'postalCode'),
    };
    if (id && name) out.push(org);
  }
  return out;
}

/** Year or year-month, allowed by the standard for planned/actual dates. */
const PARTIAL_DATE = /^\d{4}(-(0[1-9]|1[0-2]))?$/;

function plannedDate(cx: Ctx, v: unknown, key: 'startDate' | 'endDate', what: string, partial: [string, string][]): string | null {
  if (typeof v === 'string' && v.length <= 9 && PARTIAL_DATE.test(v.trim())) {
    partial.push([key, v]);
    return null;
  }
  return key === 'startDate'
    ? date(cx, v, 'plannedDates[0].startDate', what, LAST_START)
    : date(cx, v, 'plannedDates[0].endDate', what, LAST_END);
}

function mapPlanned(cx: Ctx, g: GrantInput, planned: unknown[]): void {
  const pd = planned[0];
  const at = 'plannedDates[0]';
  if (pd === undefined && cx.flat) return; // only numbered columns beyond :0: were filled in
  if (!isObj(pd)) {
    cx.error(at, `expected an object with startDate, endDate and/or duration, got ${describe(pd)}`, pd);
    return;
  }
  const partial: [string, string][] = [];
  g.plannedStart = plannedDate(cx, pd.startDate, 'startDate', 'planned start date', partial);
  g.plannedEnd = plannedDate(cx, pd.endDate, 'endDate', 'planned end date', partial);
  if (partial.length) {
    // A year or year-month (allowed by the standard) is not a date: keep it as period text.
    g.plannedPeriodText = partial.map(([k, v]) => `${k === 'startDate' ? 'from' : 'to'} ${v.trim()}`).join(' ');
    for (const [k, v] of partial) cx.note(`${at}.${k}`, v, `planned period text "${g.plannedPeriodText}"`);
  }
  if (g.plannedStart && g.plannedEnd && g.plannedEnd < g.plannedStart) {
    cx.warn(`${at}.endDate`, `the planned end date ${g.plannedEnd} is before the planned start date ${g.plannedStart}`, pd.endDate);
  }
  const d = pd.duration;
  if (!absent(d)) {
    const n = typeof d === 'number' ? d : typeof d === 'string' && cx.flat && /^\d+(\.\d+)?$/.test(d) ? Number(d) : NaN;
    if (!Number.isFinite(n) || n < 0) {
      cx.error(`${at}.duration`, 'planned duration must be a number of months (0 or more), e.g. 36', d);
    } else {
      g.plannedDurationMonths = n;
    }
  }
}

function mapLocations(cx: Ctx, g: GrantInput, locs: unknown[]): void {
  for (let k = 0; k < locs.length; k++) {
    const l = locs[k];
    if (l === undefined && cx.flat) continue;
    const at = itemPath('beneficiaryLocation', k);
    if (!isObj(l)) {
      cx.error(at, `expected an object with name, countryCode, geoCode, geoCodeType; got ${describe(l)}`, l);
      continue;
    }
    const name = text(cx, l.name, at, 'name');
    let countryCode = text(cx, l.countryCode, at, 'countryCode');
    if (countryCode !== null) {
      const cc = countryCode === 'GB' ? countryCode : countryCode.trim().toUpperCase();
      if (!isCountryCode(cc)) {
        cx.error(`${at}.countryCode`, 'expected a two-letter ISO 3166 country code such as GB', countryCode);
        countryCode = null;
      } else {
        if (cc !== countryCode) cx.note(`${at}.countryCode`, countryCode, cc);
        countryCode = cc;
      }
    }
    const geoCode = text(cx, l.geoCode, at, 'geoCode');
    const geoCodeType = text(cx, l.geoCodeType, at, 'geoCodeType');
    // The standard does not require a name; label a nameless location by its code.
    const label = name ?? geoCode ?? countryCode;
    if (label === null) continue;
    const loc: LocationInput = { name: label, countryCode, geoCode, geoCodeType };
    g.beneficiaryLocations.push(loc);
  }
}

function mapClassifications(cx: Ctx, g: GrantInput, cls: unknown[]): void {
  for (let k = 0; k < cls.length; k++) {
    const c = cls[k];
    if (c === undefined && cx.flat) continue;
    const at = itemPath('classifications', k);
    if (!isObj(c)) {
      cx.error(at, `expected an object with vocabulary, code and/or title; got ${describe(c)}`, c);
      continue;
    }
    const ci: ClassificationInput = {
      vocabulary: text(cx, c.vocabulary, at, 'vocabulary'),
      code: text(cx, c.code, at, 'code'),
      title: text(cx, c.title, at, 'title'),
    };
    if (ci.vocabulary !== null || ci.code !== null || ci.title !== null) g.classifications.push(ci);
  }
}

function isCountryCode(s: string): boolean {
  if (s.length !== 2) return false;
  const a = s.charCodeAt(0);
  const b = s.charCodeAt(1);
  return a >= 65 && a <= 90 && b >= 65 && b <= 90;
}

const RULE_ORG_OR_IND = 'the 360Giving standard requires recipientOrganization with id and name (or a recipientIndividual)';
const RULE_ORG = 'the 360Giving standard requires id and name for each recipient organisation';
const RULE_FUNDER = "the 360Giving standard requires the funder's id and name";

// ---------------------------------------------------------------------------------------------
// The mapping.

function mapGrant(obj: unknown, cx: Ctx, sourceDocument: string): { grant: GrantInput | null; id: string | null } {
  if (!isObj(obj)) {
    cx.error('', `expected a grant object ({"id": ..., "title": ...}), got ${describe(obj)}`, obj);
    return { grant: null, id: null };
  }
  const o = obj;
  const id = requiredText(cx, o.id, '', 'id', 'the grant has no identifier; the 360Giving standard requires a unique id like 360G-<prefix>-<your reference>');
  const title = requiredText(cx, o.title, '', 'title', 'the grant has no title; the 360Giving standard requires one');
  const g = emptyGrant(id ?? '', title ?? '');
  g.sourceDocument = sourceDocument;

  g.description = text(cx, o.description, '', 'description');
  if (g.description === null && absent(o.description)) {
    cx.warn('description', 'the grant has no description; the 360Giving standard requires one (imported without it)');
  }

  // Currency.
  const cur = requiredText(cx, o.currency, '', 'currency', 'the grant has no currency; expected a three-letter ISO 4217 code such as GBP');
  let currency: string | null = null;
  if (cur !== null) {
    const c = cur === 'GBP' ? cur : cur.trim().toUpperCase();
    if (!CURRENCIES.has(c)) {
      cx.error('currency', 'not an ISO 4217 currency code; expected a three-letter code such as GBP', cur);
    } else {
      if (c !== cur) cx.note('currency', cur, c);
      currency = c;
      g.currency = c;
    }
  }

  // Amount awarded.
  const amt = o.amountAwarded;
  if (absent(amt)) {
    cx.error('amountAwarded', `the grant has no amount awarded; ${EXPECT_AMOUNT}`, amt);
  } else if (typeof amt === 'number') {
    g.amountAwardedPence = penceFromNumber(cx, amt, 'amountAwarded');
  } else if (typeof amt === 'string' && cx.flat) {
    g.amountAwardedPence = penceFromText(cx, amt, currency, 'amountAwarded');
  } else {
    cx.error('amountAwarded', `amount awarded must be a JSON number (no £ sign or commas), got ${describe(amt)}`, amt);
  }
  if (g.amountAwardedPence === 0) {
    cx.warn('amountAwarded', 'the amount awarded is zero; check whether the grant was withdrawn or the amount is missing', amt);
  }

  // Award date.
  if (absent(o.awardDate)) {
    cx.error('awardDate', `the grant has no award date; ${EXPECT_DATE}`, o.awardDate);
  } else {
    g.awardDate = date(cx, o.awardDate, 'awardDate', 'award date', LAST_AWARD);
    if (g.awardDate && g.awardDate > cx.today) {
      cx.warn('awardDate', `the award date ${g.awardDate} is in the future (today is ${cx.today})`, o.awardDate);
    }
  }

  // Planned dates: the first entry; a longer list is kept whole in extra.
  const planned = list(cx, o.plannedDates, 'plannedDates');
  if (planned && planned.length) {
    mapPlanned(cx, g, planned);
    if (planned.length > 1) g.extra.plannedDates = planned;
  }

  // Recipient: organisation(s), or an individual.
  const ind = o.recipientIndividual;
  const hasInd = ind !== undefined && ind !== null;
  let recipients = list(cx, o.recipientOrganization, 'recipientOrganization');
  if (recipients === undefined && !hasInd && o.recipientOrganization == null) recipients = [{}];
  if (recipients && recipients.length === 0) {
    cx.error('recipientOrganization', 'the recipientOrganization list is empty; it needs at least one organisation with id and name', recipients);
  }
  const recOrgs = recipients ? orgs(cx, recipients, 'recipientOrganization', 'recipient organisation', hasInd ? RULE_ORG : RULE_ORG_OR_IND) : [];
  g.recipientOrg = recOrgs.length ? recOrgs[0] : null;
  if (hasInd) {
    if (!isObj(ind)) {
      cx.error('recipientIndividual', `expected an object with id and name, got ${describe(ind)}`, ind);
    } else {
      requiredText(cx, ind.id, 'recipientIndividual', 'id', 'the recipient individual has no identifier; the 360Giving standard requires id and name');
      requiredText(cx, ind.name, 'recipientIndividual', 'name', 'the recipient individual has no name; the 360Giving standard requires id and name (a generic name such as "Individual Recipient" is fine)');
      if (cx.flat) g.extra.recipientIndividual = ind;
    }
  }

  // Funder.
  let funders = list(cx, o.fundingOrganization, 'fundingOrganization');
  if (funders === undefined && o.fundingOrganization == null) funders = [{}];
  if (funders && funders.length === 0) {
    cx.error('fundingOrganization', "the fundingOrganization list is empty; it needs the funder's id and name", funders);
  }
  const fundOrgs = funders ? orgs(cx, funders, 'fundingOrganization', 'funding organisation', RULE_FUNDER) : [];
  g.fundingOrg = fundOrgs.length ? fundOrgs[0] : null;
  if (recOrgs.length > 1 || fundOrgs.length > 1) g.otherOrgs = [...recOrgs.slice(1), ...fundOrgs.slice(1)];

  // Grant programme: the first entry; a longer list is kept whole in extra.
  const progs = list(cx, o.grantProgramme, 'grantProgramme');
  if (progs && progs.length) {
    let k = 0;
    while (k < progs.length - 1 && progs[k] === undefined) k++;
    const p = progs[k];
    if (!isObj(p)) {
      cx.error(itemPath('grantProgramme', k), `expected an object with code and/or title, got ${describe(p)}`, p);
    } else {
      const at = itemPath('grantProgramme', k);
      g.programmeCode = text(cx, p.code, at, 'code');
      g.programmeTitle = text(cx, p.title, at, 'title');
    }
    if (progs.length > 1) g.extra.grantProgramme = progs;
  }

  const locs = list(cx, o.beneficiaryLocation, 'beneficiaryLocation');
  if (locs) mapLocations(cx, g, locs);
  const cls = list(cx, o.classifications, 'classifications');
  if (cls) mapClassifications(cx, g, cls);

  // From an open call: the standard says "Yes"/"No"; Y/N, yes/no and booleans are read and noted.
  const foc = o.fromOpenCall;
  if (!absent(foc)) {
    if (foc === 'Yes') g.fromOpenCall = 'y';
    else if (foc === 'No') g.fromOpenCall = 'n';
    else {
      const t = typeof foc === 'string' ? foc.trim().toLowerCase() : typeof foc === 'boolean' ? String(foc) : '';
      const yn = t === 'y' || t === 'yes' || t === 'true' ? 'y' : t === 'n' || t === 'no' || t === 'false' ? 'n' : null;
      if (yn) {
        g.fromOpenCall = yn;
        cx.note('fromOpenCall', String(foc), yn === 'y' ? 'Yes' : 'No');
      } else {
        cx.error('fromOpenCall', 'expected Yes or No', foc);
      }
    }
  }

  g.dateModified = date(cx, o.dateModified, 'dateModified', 'last modified date', LAST_MODIFIED);
  g.dataSource = text(cx, o.dataSource, '', 'dataSource');

  // Everything else, unchanged (a CSV row carries only mapped keys; the caller adds its other columns).
  if (!cx.flat) {
    for (const k in o) {
      if (!MAPPED_KEYS.has(k)) g.extra[k] = o[k];
    }
  }

  return { grant: cx.errors ? null : g, id };
}

/**
 * Maps one 360Giving grant (an element of a package's `grants` array) to a GrantInput.
 * `grant` is null when there is any error. Locations are `grants[3]`; columns are JSON paths
 * such as `awardDate` or `recipientOrganization[0].id`.
 */
export function grantFrom360Json(obj: unknown, ctx: { file: string; index: number } & MapOptions): MapResult {
  const cx = new Ctx(ctx.file, `grants[${ctx.index}]`, jsonCol, false, ctx.today ?? todayInLondon());
  const { grant } = mapGrant(obj, cx, basename(ctx.file));
  return { grant, issues: cx.issues ?? [], notes: cx.notes ?? [] };
}

// ---------------------------------------------------------------------------------------------
// Flat CSV.

/** Column index of each field (-1 when the header lacks it), one fixed-shape object per group kind. */
type Cols = Record<string, number>;

interface FlatPlan {
  top: { id: number; title: number; description: number; currency: number; amountAwarded: number; awardDate: number; fromOpenCall: number; dateModified: number; dataSource: number };
  /** Per group key: one entry per item index present in the header (`Recipient Org:1:Name` is index 1). */
  groups: Map<string, { index: number; cols: Cols }[]>;
  extras: { idx: number; key: string }[];
}

/** A trimmed cell, or undefined when the column is absent or the cell blank. */
function cell(f: string[], i: number): string | undefined {
  if (i < 0) return undefined;
  const v = f[i];
  if (v === undefined || v === '') return undefined;
  const n = v.length;
  if (v.charCodeAt(0) > 32 && v.charCodeAt(n - 1) > 32) return v;
  const t = v.trim();
  return t === '' ? undefined : t;
}

function orgItem(f: string[], c: Cols): Obj | undefined {
  const id = cell(f, c.id), name = cell(f, c.name), charityNumber = cell(f, c.charityNumber);
  const companyNumber = cell(f, c.companyNumber), addressLocality = cell(f, c.addressLocality), postalCode = cell(f, c.postalCode);
  if (id === undefined && name === undefined && charityNumber === undefined && companyNumber === undefined && addressLocality === undefined && postalCode === undefined) return undefined;
  return { id, name, charityNumber, companyNumber, addressLocality, postalCode };
}

function personItem(f: string[], c: Cols): Obj | undefined {
  const id = cell(f, c.id), name = cell(f, c.name);
  return id === undefined && name === undefined ? undefined : { id, name };
}

function programmeItem(f: string[], c: Cols): Obj | undefined {
  const code = cell(f, c.code), title = cell(f, c.title);
  return code === undefined && title === undefined ? undefined : { code, title };
}

function plannedItem(f: string[], c: Cols): Obj | undefined {
  const startDate = cell(f, c.startDate), endDate = cell(f, c.endDate), duration = cell(f, c.duration);
  return startDate === undefined && endDate === undefined && duration === undefined ? undefined : { startDate, endDate, duration };
}

function locationItem(f: string[], c: Cols): Obj | undefined {
  const name = cell(f, c.name), countryCode = cell(f, c.countryCode), geoCode = cell(f, c.geoCode), geoCodeType = cell(f, c.geoCodeType);
  if (name === undefined && countryCode === undefined && geoCode === undefined && geoCodeType === undefined) return undefined;
  return { name, countryCode, geoCode, geoCodeType };
}

function classificationItem(f: string[], c: Cols): Obj | undefined {
  const title = cell(f, c.title), code = cell(f, c.code), vocabulary = cell(f, c.vocabulary);
  return title === undefined && code === undefined && vocabulary === undefined ? undefined : { title, code, vocabulary };
}

function groupList(f: string[], plans: { index: number; cols: Cols }[] | undefined, item: (f: string[], c: Cols) => Obj | undefined): Obj[] | undefined {
  if (plans === undefined) return undefined;
  let out: Obj[] | undefined;
  for (let k = 0; k < plans.length; k++) {
    const it = item(f, plans[k].cols);
    if (it !== undefined) (out ??= [])[plans[k].index] = it;
  }
  return out;
}

/**
 * The flat (CSV/spreadsheet) form of 360Giving. Construct with the header row: titles are
 * matched case-insensitively and trimmed, including numbered forms such as
 * `Beneficiary Location:1:Name`. Unknown columns are kept in `extra` under their title.
 * `headerIssues` holds errors for missing required columns; `usable` is false when there are any.
 */
export class Flat360Csv {
  readonly headerIssues: Issue[] = [];
  readonly usable: boolean;
  readonly file: string;
  private readonly today: string;
  private readonly plan: FlatPlan;
  private readonly groupPlans: Record<
    'recipientOrganization' | 'fundingOrganization' | 'recipientIndividual' | 'grantProgramme' | 'plannedDates' | 'beneficiaryLocation' | 'classifications',
    { index: number; cols: Cols }[] | undefined
  >;
  private readonly width: number;
  private readonly titleOf = new Map<string, string>();
  private readonly col = (path: string): string | null => (path ? this.titleOf.get(path) ?? flatTitleFor(path) : null);

  constructor(header: string[], opts: { file: string } & MapOptions) {
    this.file = basename(opts.file);
    this.today = opts.today ?? todayInLondon();
    this.width = header.length;
    const seen = new Map<string, string>();
    const extraKeys = new Set<string>();
    const headerError = (column: string, message: string) =>
      this.headerIssues.push({ severity: 'error', file: this.file, location: 'row 1', column, value: null, message });

    const plan: FlatPlan = {
      top: { id: -1, title: -1, description: -1, currency: -1, amountAwarded: -1, awardDate: -1, fromOpenCall: -1, dateModified: -1, dataSource: -1 },
      groups: new Map(),
      extras: [],
    };
    header.forEach((raw, idx) => {
      const title = raw.trim();
      const parts = title.split(':').map((p) => norm(p));
      let path: string | null = null;
      let place: (() => void) | null = null;
      if (parts.length === 1) {
        const key = TOP_BY_TITLE.get(parts[0]);
        if (key) {
          path = key;
          place = () => ((plan.top as Record<string, number>)[key] = idx);
        }
      } else if (parts.length === 2 || (parts.length === 3 && /^\d+$/.test(parts[1]))) {
        const g = GROUP_BY_TITLE.get(parts[0]);
        const fieldTitle = parts[parts.length - 1];
        const f = g?.fields.find(([t]) => norm(t) === fieldTitle);
        const index = parts.length === 3 ? Number(parts[1]) : 0;
        if (g && f && !(g.single && index > 0) && index < 1000) {
          path = g.single ? `${g.key}.${f[1]}` : `${g.key}[${index}].${f[1]}`;
          place = () => {
            let items = plan.groups.get(g.key);
            if (!items) plan.groups.set(g.key, (items = []));
            let it = items.find((x) => x.index === index);
            if (!it) {
              // Every field of the group present (-1 if absent), in one order: one object shape.
              it = { index, cols: Object.fromEntries(g.fields.map(([, prop]) => [prop, -1])) };
              items.push(it);
              items.sort((x, y) => x.index - y.index);
            }
            it.cols[f[1]] = idx;
          };
        }
      }
      if (path && place) {
        const prev = seen.get(path);
        if (prev !== undefined) {
          headerError(title, `column "${title}" appears twice (as "${prev}" and "${title}"); keep one`);
          return;
        }
        seen.set(path, title);
        this.titleOf.set(path, title);
        place();
        return;
      }
      let key = title || `column ${idx + 1}`;
      if (extraKeys.has(key)) key = `${key} (column ${idx + 1})`;
      extraKeys.add(key);
      plan.extras.push({ idx, key });
    });
    this.plan = plan;
    const gp = (k: string) => plan.groups.get(k);
    this.groupPlans = {
      recipientOrganization: gp('recipientOrganization'), fundingOrganization: gp('fundingOrganization'),
      recipientIndividual: gp('recipientIndividual'), grantProgramme: gp('grantProgramme'), plannedDates: gp('plannedDates'),
      beneficiaryLocation: gp('beneficiaryLocation'), classifications: gp('classifications'),
    };

    const need = (path: string) => {
      if (!seen.has(path)) headerError(flatTitleFor(path), `required column "${flatTitleFor(path)}" is missing from the header; the 360Giving flat format needs it`);
    };
    for (const p of ['id', 'title', 'currency', 'amountAwarded', 'awardDate', 'fundingOrganization[0].id', 'fundingOrganization[0].name']) need(p);
    const ind = seen.has('recipientIndividual.id') || seen.has('recipientIndividual.name');
    if (ind && !seen.has('recipientOrganization[0].id') && !seen.has('recipientOrganization[0].name')) {
      need('recipientIndividual.id');
      need('recipientIndividual.name');
    } else {
      need('recipientOrganization[0].id');
      need('recipientOrganization[0].name');
    }
    this.usable = this.headerIssues.length === 0;
    if (!seen.has('description')) {
      this.headerIssues.push({
        severity: 'warning', file: this.file, location: 'row 1', column: 'Description', value: null,
        message: 'there is no "Description" column; the 360Giving standard requires a description for each grant',
      });
    }
  }

  /** Maps one data row. `row` is the 1-based record number (the header is row 1). */
  fromRow(fields: string[], row: number, file: string = this.file): MapResult {
    const { grant, cx } = this.map(fields, row, file);
    return { grant, issues: cx.issues ?? [], notes: cx.notes ?? [] };
  }

  /** @internal fromRow plus the grant id (even when the grant has errors), for duplicate checks. */
  map(fields: string[], row: number, file: string = this.file): { grant: GrantInput | null; id: string | null; cx: Ctx } {
    const cx = new Ctx(file, `row ${row}`, this.col, true, this.today);
    if (fields.length !== this.width) {
      let extraFilled = false;
      for (let k = this.width; k < fields.length; k++) if (fields[k].trim() !== '') extraFilled = true;
      if (fields.length < this.width || extraFilled) {
        cx.error('', `the row has ${fields.length} fields but the header has ${this.width} columns; check for an unquoted comma or a missing field`, null);
        return { grant: null, id: null, cx };
      }
    }
    // One object shape per kind (every key present, undefined when blank) keeps the property
    // reads in mapGrant monomorphic: this runs a million times for a large file.
    const f = fields;
    const T = this.plan.top;
    const G = this.groupPlans;
    const o: Obj = {
      id: cell(f, T.id), title: cell(f, T.title), description: cell(f, T.description), currency: cell(f, T.currency),
      amountAwarded: cell(f, T.amountAwarded), awardDate: cell(f, T.awardDate), fromOpenCall: cell(f, T.fromOpenCall),
      dateModified: cell(f, T.dateModified), dataSource: cell(f, T.dataSource),
      recipientOrganization: groupList(f, G.recipientOrganization, orgItem),
      fundingOrganization: groupList(f, G.fundingOrganization, orgItem),
      recipientIndividual: groupList(f, G.recipientIndividual, personItem)?.[0],
      grantProgramme: groupList(f, G.grantProgramme, programmeItem),
      plannedDates: groupList(f, G.plannedDates, plannedItem),
      beneficiaryLocation: groupList(f, G.beneficiaryLocation, locationItem),
      classifications: groupList(f, G.classifications, classificationItem),
    };
    let extra: Obj | null = null;
    const extras = this.plan.extras;
    for (let k = 0; k < extras.length; k++) {
      const v = f[extras[k].idx];
      if (v !== undefined && v.trim() !== '') (extra ??= {})[extras[k].key] = v;
    }
    const { grant, id } = mapGrant(o, cx, file === this.file ? file : basename(file));
    if (grant && extra) Object.assign(grant.extra, extra);
    return { grant, id, cx };
  }
}

// ---------------------------------------------------------------------------------------------
// Files.

export interface Read360Options extends MapOptions {
  /** Bytes per read (default 256 KiB; tests force tiny chunks). */
  chunkSize?: number;
  /** Told the size of each chunk read from the file (progress by bytes). */
  onRead?: (bytes: number) => void;
}

/** `json` for `.json` or content starting with `{`; `csv` otherwise. */
export async function detect360Kind(path: string): Promise<'json' | 'csv'> {
  const ext = extname(path).toLowerCase();
  if (ext === '.json') return 'json';
  if (ext === '.csv') return 'csv';
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(512);
    const { bytesRead } = await fh.read(buf, 0, 512, 0);
    const head = buf.subarray(0, bytesRead).toString('utf8').replace(/^\uFEFF/, '').trimStart();
    return head.startsWith('{') ? 'json' : 'csv';
  } finally {
    await fh.close();
  }
}

/**
 * The grant ids seen in one file, for duplicate checks: an open-addressing hash table over typed
 * arrays, with the ids' UTF-16 code units copied into one pool. A JS Map of a million strings
 * costs seconds in hashing, rehashing and garbage collection (and each id, a slice of a file
 * chunk, would keep that whole chunk alive); this costs about half a microsecond per id and
 * about 2 bytes per character plus 16 bytes per id, none of it on the JS heap.
 */
export class IdIndex {
  private slots = new Int32Array(1 << 12);
  private mask = (1 << 12) - 1;
  private count = 0;
  private h1 = new Int32Array(1 << 11);
  private first = new Int32Array(1 << 11);
  private off = new Int32Array(1 << 11);
  private len = new Int32Array(1 << 11);
  private pool = new Uint16Array(1 << 16);
  private used = 0;

  get size(): number {
    return this.count;
  }

  /** Records `id` first seen at `at` and returns -1, or returns where an identical id was first seen. */
  add(id: string, at: number): number {
    const n = id.length;
    const start = this.used;
    if (start + n > this.pool.length) {
      const grown = new Uint16Array(Math.max(this.pool.length * 2, start + n));
      grown.set(this.pool.subarray(0, start));
      this.pool = grown;
    }
    const pool = this.pool;
    // FNV-1a over the UTF-16 code units, computed while copying; equal hashes are confirmed
    // by comparing the copies, so a collision can never be reported as a duplicate.
    let a = 0x811c9dc5 | 0;
    for (let i = 0; i < n; i++) {
      const c = id.charCodeAt(i);
      pool[start + i] = c;
      a = Math.imul(a ^ c, 16777619);
    }
    a ^= a >>> 15; // spread the high bits into the slot index
    a = Math.imul(a, 0x2c1b3c6d);
    a ^= a >>> 12;
    let s = a & this.mask;
    for (;;) {
      const e = this.slots[s];
      if (e === 0) break;
      const k = e - 1;
      if (this.h1[k] === a && this.len[k] === n) {
        const o = this.off[k];
        let i = 0;
        while (i < n && pool[o + i] === pool[start + i]) i++;
        if (i === n) return this.first[k];
      }
      s = (s + 1) & this.mask;
    }
    const k = this.count++;
    if (k >= this.h1.length) this.growEntries();
    this.h1[k] = a;
    this.first[k] = at;
    this.off[k] = start;
    this.len[k] = n;
    this.used = start + n;
    this.slots[s] = k + 1;
    if (this.count * 2 > this.slots.length) this.rehash();
    return -1;
  }

  private growEntries(): void {
    const grow = (a: Int32Array) => {
      const b = new Int32Array(a.length * 2);
      b.set(a);
      return b;
    };
    this.h1 = grow(this.h1);
    this.first = grow(this.first);
    this.off = grow(this.off);
    this.len = grow(this.len);
  }

  private rehash(): void {
    const slots = new Int32Array(this.slots.length * 2);
    const mask = slots.length - 1;
    for (let k = 0; k < this.count; k++) {
      let s = this.h1[k] & mask;
      while (slots[s] !== 0) s = (s + 1) & mask;
      slots[s] = k + 1;
    }
    this.slots = slots;
    this.mask = mask;
  }
}

/**
 * Reads a 360Giving file (package JSON or flat CSV), yielding, in file order, each grant's
 * issues, normalisation notes and then the grant itself (only when it has no errors).
 * Malformed files end with an error issue. Duplicate grant ids within the file are errors on
 * the second occurrence, naming the first.
 */
export function read360File(path: string, opts: Read360Options = {}): AsyncGenerator<ImportItem> {
  return new Unbatch(read360Batches(path, opts));
}

/**
 * Items of an async source of arrays, one at a time. Hand-written rather than an async
 * generator: a million-grant file yields millions of items and an async generator's
 * per-item machinery costs about twice as much as a resolved promise.
 */
class Unbatch<T> implements AsyncGenerator<T, undefined, unknown> {
  private buf: T[] = [];
  private pos = 0;
  private done = false;
  constructor(private readonly src: AsyncGenerator<T[]>) {}

  [Symbol.asyncIterator](): this {
    return this;
  }

  next(): Promise<IteratorResult<T, undefined>> {
    if (this.pos < this.buf.length) return Promise.resolve({ value: this.buf[this.pos++], done: false });
    if (this.done) return Promise.resolve({ value: undefined, done: true });
    return this.src.next().then((r) => {
      if (r.done) {
        this.done = true;
        this.buf = [];
        return { value: undefined, done: true };
      }
      this.buf = r.value;
      this.pos = 0;
      return this.next();
    });
  }

  async return(): Promise<IteratorResult<T, undefined>> {
    this.done = true;
    this.buf = [];
    await this.src.return(undefined);
    return { value: undefined, done: true };
  }

  async throw(e: unknown): Promise<IteratorResult<T, undefined>> {
    this.done = true;
    this.buf = [];
    await this.src.return(undefined);
    throw e;
  }
}

/**
 * The same items as read360File, in file order, in arrays of a few hundred. Prefer it for large
 * files: it saves an await per item (about 0.2 µs each, over two million items for a
 * million-row file with notes).
 */
export async function* read360Batches(path: string, opts: Read360Options = {}): AsyncGenerator<ImportItem[]> {
  const file = basename(path);
  const today = opts.today ?? todayInLondon();
  const kind = await detect360Kind(path);
  const firstSeen = new IdIndex();
  let firstCurrency: { code: string; location: string } | null = null;
  let mixedWarned = false;

  const finish = (out: ImportItem[], grant: GrantInput | null, id: string | null, cx: Ctx, n: number, where: (n: number) => string): void => {
    if (id !== null) {
      const prev = firstSeen.add(id, n);
      if (prev !== -1) {
        cx.error('id', `duplicate grant id: the same id is already used at ${where(prev)} in this file; each grant needs its own id`, id);
        grant = null;
      }
    }
    if (grant) {
      if (!firstCurrency) firstCurrency = { code: grant.currency, location: cx.location };
      else if (grant.currency !== firstCurrency.code && !mixedWarned) {
        mixedWarned = true;
        cx.warn('currency', `this file mixes currencies (${firstCurrency.code} at ${firstCurrency.location}, ${grant.currency} here); amounts in different currencies must not be added together`, grant.currency);
      }
    }
    if (cx.issues) for (const issue of cx.issues) out.push({ kind: 'issue', issue });
    if (cx.notes) for (const note of cx.notes) out.push({ kind: 'normalised', note });
    if (grant) out.push({ kind: 'grant', grant, location: cx.location });
  };
  const fileIssue = (severity: Issue['severity'], location: string, message: string): ImportItem =>
    ({ kind: 'issue', issue: { severity, file, location, column: null, value: null, message } });

  if (kind === 'json') {
    const where = (n: number) => `grants[${n}]`;
    const scanner = new JsonArrayScanner(file, 'grants');
    const stream = createReadStream(path, { highWaterMark: opts.chunkSize ?? DEFAULT_CHUNK });
    let count = 0;
    try {
      for await (const chunk of stream as AsyncIterable<Buffer>) {
        opts.onRead?.(chunk.length);
        const done: { index: number; value: unknown }[] = [];
        let bad: JsonStreamError | null = null;
        try {
          scanner.push(chunk, done);
        } catch (e) {
          if (!(e instanceof JsonStreamError)) throw e;
          bad = e; // report the grants completed before it, then the problem
        }
        // Map and hand over a few hundred at a time (a megabyte holds about a thousand grants):
        // small batches die young, which keeps garbage collection cheap.
        let out: ImportItem[] = [];
        for (let k = 0; k < done.length; k++) {
          const { index, value } = done[k];
          count++;
          const cx = new Ctx(file, where(index), jsonCol, false, today);
          const { grant, id } = mapGrant(value, cx, file);
          finish(out, grant, id, cx, index, where);
          if (out.length >= 256) {
            yield out;
            out = [];
          }
        }
        if (bad) {
          out.push(jsonError(bad));
          yield out;
          return;
        }
        if (out.length) yield out;
      }
      scanner.end();
    } catch (e) {
      if (!(e instanceof JsonStreamError)) throw e;
      yield [jsonError(e)];
      return;
    } finally {
      stream.destroy();
    }
    if (count === 0) yield [fileIssue('warning', 'grants', 'the grants list is empty; there is nothing to import')];
    return;

    function jsonError(e: JsonStreamError): ImportItem {
      const location = e.index !== null ? `grants[${e.index}]` : e.offset !== null ? `byte ${e.offset}` : 'file';
      return fileIssue('error', location, e.problem);
    }
  }

  const where = (n: number) => `row ${n}`;
  let flat: Flat360Csv | null = null;
  try {
    for await (const batch of readCsvBatches(path, { chunkSize: opts.chunkSize, onRead: opts.onRead })) {
      const out: ImportItem[] = [];
      for (let k = 0; k < batch.length; k++) {
        const { row, fields } = batch[k];
        if (!flat) {
          flat = new Flat360Csv(fields, { file, today });
          for (const issue of flat.headerIssues) out.push({ kind: 'issue', issue });
          if (!flat.usable) {
            yield out;
            return;
          }
          continue;
        }
        const { grant, id, cx } = flat.map(fields, row, file);
        finish(out, grant, id, cx, row, where);
      }
      if (out.length) yield out;
    }
  } catch (e) {
    if (!(e instanceof CsvSyntaxError)) throw e;
    yield [fileIssue('error', `row ${e.row}`, e.problem)];
    return;
  }
  if (!flat) yield [fileIssue('error', 'row 1', 'the file is empty; expected a header row of 360Giving column titles')];
}
