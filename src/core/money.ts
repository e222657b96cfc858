/**
 * Money is integer pence everywhere in code and in the database. Parsing and formatting
 * live here and nowhere else.
 */

export type Pence = number;

const PLAIN = /^\d{1,15}(?:\.\d{1,2})?$/;

export type MoneyParse = { ok: true; pence: Pence; normalised: boolean } | { ok: false; reason: string };

/**
 * Parse an amount as officers type it: `1234.5`, `1,234.50`, `£1,234.50`, `GBP 1234`,
 * or a JSON number (360Giving `amountAwarded`). Rejects negative amounts, more than two
 * decimal places, mixed currencies and anything that is not a number.
 */
export function parseMoney(input: unknown, opts: { allowNegative?: boolean } = {}): MoneyParse {
  if (typeof input === 'number') {
    if (!Number.isFinite(input)) return { ok: false, reason: 'not a finite number' };
    if (input < 0 && !opts.allowNegative) return { ok: false, reason: 'a negative amount' };
    // Round via string to avoid 0.1+0.2 style binary drift: 1234.5 -> "1234.5".
    return parseDecimalString(String(input), false, opts);
  }
  if (typeof input !== 'string') return { ok: false, reason: `expected an amount, got ${describe(input)}` };
  // Fast path for the common case in bulk imports: plain digits with up to two decimals.
  if (PLAIN.test(input)) return parseDecimalString(input, false, opts);
  let s = input.trim();
  if (s === '') return { ok: false, reason: 'empty amount' };
  let normalised = false;
  const currencies = new Set<string>();
  s = s.replace(/£|GBP|\$|USD|€|EUR/gi, (m) => {
    currencies.add(currencyCode(m));
    normalised = true;
    return '';
  });
  if (currencies.size > 1) return { ok: false, reason: `mixed currencies (${[...currencies].join(', ')}) in one amount` };
  if (currencies.size === 1 && !currencies.has('GBP')) {
    return { ok: false, reason: `amount in ${[...currencies][0]}; only GBP amounts are held` };
  }
  s = s.trim();
  if (/^-/.test(s) || /^\(.*\)$/.test(s)) {
    if (!opts.allowNegative) return { ok: false, reason: 'a negative amount' };
  }
  if (s.includes(',')) {
    // Thousands separators must be in the right places: 1,234,567.89
    if (!/^-?\d{1,3}(,\d{3})+(\.\d+)?$/.test(s)) return { ok: false, reason: `misplaced thousands separator in "${input}"` };
    s = s.replace(/,/g, '');
    normalised = true;
  }
  return parseDecimalString(s, normalised, opts, String(input));
}

function parseDecimalString(s: string, normalised: boolean, opts: { allowNegative?: boolean }, original = s): MoneyParse {
  const m = /^(-?)(\d+)(?:\.(\d*))?$/.exec(s);
  if (!m) {
    // Exponent forms from JSON numbers, e.g. 1e21, are not sensible grant amounts.
    return { ok: false, reason: `"${original}" is not an amount` };
  }
  const [, sign, whole, frac = ''] = m;
  if (sign && !opts.allowNegative) return { ok: false, reason: 'a negative amount' };
  if (frac.length > 2) {
    // 1234.5000 is fine; 1234.567 is not a sum of money.
    if (/^\d{2}0+$/.test(frac)) {
      normalised = true;
    } else {
      return { ok: false, reason: `"${original}" has more than two decimal places` };
    }
  }
  if (frac.length === 1) normalised = true;
  const pence = Number(whole) * 100 + Number((frac + '00').slice(0, 2));
  if (!Number.isSafeInteger(pence)) return { ok: false, reason: `"${original}" is too large` };
  return { ok: true, pence: sign ? -pence : pence, normalised };
}

function currencyCode(sym: string): string {
  const u = sym.toUpperCase();
  if (u === '£' || u === 'GBP') return 'GBP';
  if (u === '$' || u === 'USD') return 'USD';
  return 'EUR';
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  return typeof v === 'object' ? 'an object' : `${typeof v} ${JSON.stringify(v)}`;
}

/** Throwing variant for trusted-ish input (embedded data, request files). */
export function penceFrom(input: unknown, what = 'amount'): Pence {
  const r = parseMoney(input);
  if (!r.ok) throw new Error(`${what}: ${r.reason}`);
  return r.pence;
}

/**
 * A whole number with thousands separators, `2087431` -> `2,087,431`, as en-GB's
 * Intl.NumberFormat writes it (tests compare the two); by hand because the first use of Intl
 * loads ICU data, a noticeable part of a one-letter `foi answer`.
 */
export function groupThousands(n: number): string {
  if (!Number.isSafeInteger(n)) return n.toLocaleString('en-GB', { maximumFractionDigits: 0 });
  const digits = String(Math.abs(n));
  let out = '';
  for (let i = 0; i < digits.length; i++) out += (i > 0 && (digits.length - i) % 3 === 0 ? ',' : '') + digits[i];
  return n < 0 ? `-${out}` : out;
}

/** A count or measure as en-GB writes it (`1,234`; fractions through Intl, as before). */
export function formatNumber(n: number): string {
  return Number.isSafeInteger(n) ? groupThousands(n) : n.toLocaleString('en-GB');
}

/** Symbols for the currencies a reader in the UK knows by symbol; others are shown by ISO code. */
const SYMBOLS: Record<string, string> = { GBP: '£', EUR: '€', USD: 'US$' };

/** `£`, `€`, `US$`, or the ISO code and a space (`CAD `). */
export function currencyPrefix(currency = 'GBP'): string {
  return SYMBOLS[currency] ?? `${currency} `;
}

/**
 * `£2,087,431.81`, and whole pounds without pence: `£139,707`, as in the seed letters. Another
 * currency gets its own symbol or code (`US$1,500`, `CAD 1,500`), never the pound sign.
 * Deterministic (no locale from the environment). Amounts are in the currency's minor unit.
 */
export function formatMoney(pence: Pence, opts: { alwaysPence?: boolean; currency?: string } = {}): string {
  const neg = pence < 0;
  const abs = Math.abs(pence);
  const pounds = Math.floor(abs / 100);
  const p = abs % 100;
  const body = groupThousands(pounds) + (p !== 0 || opts.alwaysPence ? '.' + String(p).padStart(2, '0') : '');
  return (neg ? '-' : '') + currencyPrefix(opts.currency) + body;
}

/** Plain decimal string for CSV/JSON consumers: `2087431.81`. */
export function penceToDecimal(pence: Pence): string {
  const neg = pence < 0;
  const abs = Math.abs(pence);
  return (neg ? '-' : '') + Math.floor(abs / 100) + '.' + String(abs % 100).padStart(2, '0');
}
