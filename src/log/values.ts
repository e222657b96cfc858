/**
 * The request log's values, parsed once at the boundary: references, regimes, outcomes, the
 * sections and regulations cited, review outcomes and quarters. Pure; no database.
 */
import { parseDate, type IsoDate } from '../core/dates.js';
import { UsageError } from '../core/errors.js';

export type Regime = 'foi' | 'eir';

export const REGIME_NAMES: Readonly<Record<Regime, string>> = {
  foi: 'Freedom of Information Act 2000',
  eir: 'Environmental Information Regulations 2004',
};

/** How a request was closed. The codes are what `foi log close --outcome` takes. */
export type Outcome = 'granted' | 'partly' | 'withheld' | 'not-held' | 'cost' | 'vexatious' | 'withdrawn' | 'lapsed';

export const OUTCOME_LABELS: Readonly<Record<Outcome, string>> = {
  granted: 'granted in full',
  partly: 'partially withheld',
  withheld: 'withheld in full',
  'not-held': 'information not held',
  cost: 'refused: cost limit (s.12)',
  vexatious: 'refused: vexatious or repeated (s.14)',
  withdrawn: 'withdrawn',
  lapsed: 'lapsed',
};

export const OUTCOMES = Object.keys(OUTCOME_LABELS) as Outcome[];

/** Withdrawn or lapsed requests were never answered: they count in no timeliness figure. */
export function isAnswered(o: Outcome): boolean {
  return o !== 'withdrawn' && o !== 'lapsed';
}

/** Spreadsheet wordings (`foi log import`) for the outcome codes, lower-case. */
const OUTCOME_WORDS: Record<string, Outcome> = {
  'granted in full': 'granted', 'granted': 'granted', 'full': 'granted', 'released in full': 'granted', 'disclosed': 'granted',
  'partially withheld': 'partly', 'partly withheld': 'partly', 'partial': 'partly', 'partly': 'partly', 'part disclosed': 'partly',
  'withheld in full': 'withheld', 'withheld': 'withheld', 'refused': 'withheld', 'exempt': 'withheld',
  'information not held': 'not-held', 'not held': 'not-held', 'not-held': 'not-held', 'nil return': 'not-held',
  'cost': 'cost', 's.12': 'cost', 's12': 'cost', 'section 12': 'cost', 'refused s.12': 'cost', 'refused: cost limit (s.12)': 'cost', 'cost limit': 'cost',
  'vexatious': 'vexatious', 's.14': 'vexatious', 's14': 'vexatious', 'section 14': 'vexatious', 'refused s.14': 'vexatious', 'repeated': 'vexatious',
  'refused: vexatious or repeated (s.14)': 'vexatious',
  'withdrawn': 'withdrawn', 'lapsed': 'lapsed',
};

export function parseOutcome(value: string, lenient = false): Outcome | null {
  const v = value.trim().toLowerCase();
  if ((OUTCOMES as string[]).includes(v)) return v as Outcome;
  return lenient ? OUTCOME_WORDS[v.replace(/\s+/g, ' ')] ?? null : null;
}

export function requireOutcome(value: string): Outcome {
  const o = parseOutcome(value);
  if (!o) throw new UsageError(`--outcome "${value}": expected one of ${OUTCOMES.join(', ')}`);
  return o;
}

export type ReviewOutcome = 'upheld' | 'partly' | 'overturned';
export const REVIEW_OUTCOME_LABELS: Readonly<Record<ReviewOutcome, string>> = {
  upheld: 'original decision upheld',
  partly: 'original decision partly overturned',
  overturned: 'original decision overturned',
};

export type IcoOutcome = 'upheld' | 'partly' | 'not-upheld' | 'withdrawn';
export const ICO_OUTCOME_LABELS: Readonly<Record<IcoOutcome, string>> = {
  upheld: 'complaint upheld',
  partly: 'complaint partly upheld',
  'not-upheld': 'complaint not upheld',
  withdrawn: 'complaint withdrawn or resolved informally',
};

export function requireChoice<T extends string>(what: string, value: string, labels: Readonly<Record<T, string>>): T {
  const v = value.trim().toLowerCase();
  if (!Object.prototype.hasOwnProperty.call(labels, v)) throw new UsageError(`${what} "${value}": expected one of ${Object.keys(labels).join(', ')}`);
  return v as T;
}

export function requireRegime(value: string): Regime {
  const v = value.trim().toLowerCase();
  if (v === 'foi' || v === 'foia') return 'foi';
  if (v === 'eir') return 'eir';
  throw new UsageError(`--regime "${value}": expected foi or eir`);
}

/** `FOI 556` as the officer writes it: trimmed, inner spaces collapsed. */
export function cleanReference(value: string): string {
  const r = String(value ?? '').trim().replace(/\s+/g, ' ');
  if (!r) throw new UsageError('the reference is empty; give it as written on the request, e.g. "FOI 556"');
  return r;
}

/**
 * The key a reference is looked up by: `foi 556` finds `FOI 556`. Punctuation is kept, so
 * `FOI/556` and `FOI 556` stay different requests.
 */
export function referenceKey(value: string): string {
  return cleanReference(value).toUpperCase();
}

/**
 * A section of the Act or a regulation of the EIR as cited: `s.40(2)`, `section 43 (2)`,
 * `reg 12(4)(b)` -> `40(2)`, `43(2)`, `12(4)(b)`. FOI exemptions are Part II, sections 21 to 44;
 * EIR exceptions are regulations 12(4)(a)-(e), 12(5)(a)-(g) and 13 (personal data).
 */
export function parseSection(value: string, regime: Regime): { ok: true; section: string } | { ok: false; reason: string } {
  const t = value.trim().toLowerCase()
    .replace(/^(section|sec\.?|s\.?|regulation|reg\.?|r\.?)\s*/, '')
    .replace(/\s+/g, '');
  if (regime === 'foi') {
    const m = /^(\d+)((?:\(\d+[a-z]?\))*(?:\([a-z]+\))?)$/.exec(t);
    if (!m || +m[1] < 21 || +m[1] > 44) {
      return { ok: false, reason: `"${value}" is not an exemption of the Freedom of Information Act; expected a section from 21 to 44, e.g. 40(2) or s.43(2)` };
    }
    return { ok: true, section: t };
  }
  if (/^12\(4\)\([a-e]\)$|^12\(5\)\([a-g]\)$|^12\(3\)$|^13(\(\d\))?$/.test(t)) return { ok: true, section: t };
  return { ok: false, reason: `"${value}" is not an EIR exception; expected 12(4)(a)-(e), 12(5)(a)-(g) or 13, e.g. 12(5)(e)` };
}

export function requireSections(values: string[], regime: Regime): string[] {
  const out: string[] = [];
  for (const v of values.flatMap((x) => x.split(/[;,]/)).map((x) => x.trim()).filter(Boolean)) {
    const p = parseSection(v, regime);
    if (!p.ok) throw new UsageError(`--exemption: ${p.reason}`);
    if (!out.includes(p.section)) out.push(p.section);
  }
  return out;
}

/** Sorts sections in the order of the Act: 21, 31, 40(2), 43(2); 12(4)(b), 12(5)(e), 13. */
export function compareSections(a: string, b: string): number {
  const num = (s: string) => s.split(/[()]+/).filter(Boolean).map((p) => (/^\d+$/.test(p) ? p.padStart(4, '0') : p)).join('.');
  return num(a) < num(b) ? -1 : num(a) > num(b) ? 1 : 0;
}

/** An option's date: any form parseDate reads; a bad one is a usage error naming the option. */
export function optionDate(option: string, value: unknown): IsoDate {
  if (value === undefined || value === null || value === '') throw new UsageError(`${option} is required (a date like 2023-07-25 or 25/07/2023)`);
  const d = parseDate(value);
  if (!d.ok) throw new UsageError(`${option}: ${d.reason}`);
  return d.date;
}

/** `2026-Q3`, `2026Q3`, `Q3 2026`: calendar quarters, as the Cabinet Office publishes them. */
export function parseQuarter(value: string): { from: IsoDate; to: IsoDate } {
  const v = value.trim();
  let year: number;
  let q: number;
  const a = /^(\d{4})\s*-?\s*Q([1-4])$/i.exec(v);
  const b = /^Q([1-4])\s*-?\s*(\d{4})$/i.exec(v);
  if (a) [year, q] = [+a[1], +a[2]];
  else if (b) [year, q] = [+b[2], +b[1]];
  else throw new UsageError(`--quarter "${value}": expected a calendar quarter like 2026-Q3 (July to September 2026)`);
  const startMonth = (q - 1) * 3 + 1;
  const endMonth = startMonth + 2;
  const lastDay = new Date(Date.UTC(year, endMonth, 0)).getUTCDate();
  const p = (n: number) => String(n).padStart(2, '0');
  return { from: `${year}-${p(startMonth)}-01`, to: `${year}-${p(endMonth)}-${p(lastDay)}` };
}

/** A loose check that catches typing slips (no @, spaces) without rejecting real addresses. */
export function isEmail(value: string): boolean {
  return /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(value.trim());
}

export function requireEmail(value: string): string {
  const v = value.trim();
  if (!isEmail(v)) throw new UsageError(`--email "${value}": not an e-mail address`);
  return v;
}
