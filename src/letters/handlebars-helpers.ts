/**
 * The letter helpers (money, date, table, join, eq, plural, quote, numbered, lines, link), the
 * names the compiler and the analyser know, and the Markdown table a `{{table}}` writes. Helpers
 * check their arguments and throw a HelperError (helper name, line) on bad data; their output is
 * Markdown, escaped here because a helper's SafeString bypasses `{{x}}` escaping.
 */
import HandlebarsRuntime from 'handlebars/runtime';
import type Handlebars from 'handlebars';
import { markdownCell, markdownEscape } from '../core/markdown-escape.js';
import { formatMoney } from '../core/money.js';
import { formatLongDate, isValidYmd } from '../core/dates.js';
import type { HB } from './handlebars-env.js';
import { HelperError } from './template-errors.js';

type Loc = { start?: { line?: number } } | undefined;
interface Opts {
  name: string;
  hash: Record<string, unknown>;
  loc?: Loc;
  fn?: unknown;
  data?: { root?: unknown };
}

/** Our helpers (all inline, none block). Built-ins kept: if, unless, each, with, lookup. */
export const HELPER_NAMES = ['money', 'date', 'table', 'join', 'eq', 'plural', 'quote', 'numbered', 'lines', 'link'] as const;
export type HelperName = (typeof HELPER_NAMES)[number];
export const BUILTIN_HELPERS = ['if', 'unless', 'each', 'with', 'lookup'] as const;

/** `knownHelpers` for the compiler. `log` is switched off (false) so it counts as unknown. */
export const KNOWN_HELPERS: Record<string, boolean> = Object.freeze({
  ...Object.fromEntries([...BUILTIN_HELPERS, ...HELPER_NAMES].map((n) => [n, true])),
  log: false,
});

function lineOf(o: Opts): number | null {
  return o?.loc?.start?.line ?? null;
}

function split(args: unknown[]): { params: unknown[]; o: Opts } {
  const o = args[args.length - 1] as Opts;
  return { params: args.slice(0, -1), o };
}

function fail(o: Opts, message: string): never {
  throw new HelperError(o.name, message, lineOf(o));
}

function describe(v: unknown): string {
  if (v === undefined) return 'nothing (undefined)';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'an object';
  return `${typeof v} ${JSON.stringify(v)}`;
}

function arity(o: Opts, params: unknown[], min: number, max = min): void {
  if (params.length < min || params.length > max) {
    const want = min === max ? `${min}` : `${min} to ${max}`;
    fail(o, `expects ${want} argument${max === 1 ? '' : 's'}, got ${params.length}`);
  }
}

function onlyHash(o: Opts, allowed: string[]): void {
  for (const k of Object.keys(o.hash ?? {})) {
    if (!allowed.includes(k)) fail(o, `unknown option ${k}=${allowed.length ? ` (known: ${allowed.join(', ')})` : ' (takes none)'}`);
  }
}

function list(o: Opts, v: unknown, what = 'a list'): unknown[] {
  if (v == null) return [];
  if (!Array.isArray(v)) fail(o, `expects ${what}, got ${describe(v)}`);
  return v;
}

const safe = (s: string) => new (HandlebarsRuntime as unknown as HB).SafeString(s);

const URL_RE = /^https?:\/\/[^\s<>]+$/i;

/** The Information Commissioner's site: every letter points to it (s.50). */
const ICO_ORIGIN = 'https://ico.org.uk';

/** Is this the body's own address (a configured page's site, its e-mail) or the ICO's? */
function isOwnLink(s: string, root: unknown): boolean {
  const body = (root as { body?: Record<string, unknown> } | undefined)?.body;
  if (!body) return false;
  if (EMAIL_RE.test(s)) return [body.email, body.reviewContact].some((e) => typeof e === 'string' && e.toLowerCase() === s.toLowerCase());
  const origin = originOf(s);
  if (!origin) return false;
  const own = [body.nextStepsUrl, body.decisionsUrl, body.website].filter((u): u is string => typeof u === 'string').map(originOf);
  return origin === ICO_ORIGIN || own.includes(origin);
}

function originOf(u: string): string | null {
  try {
    return new URL(u).origin.toLowerCase();
  } catch {
    return null;
  }
}
const EMAIL_RE = /^[^\s@<>()[\]\\,;:"]+@[^\s@<>()[\]\\,;:"]+\.[A-Za-z]{2,}$/;

interface TableLike {
  columns: { header: unknown; align: unknown }[];
  rows: unknown[][];
  totalRow: unknown[] | null;
  financialYear?: unknown;
  caption?: unknown;
}

/** A GFM table from a TableView. Refuses empty tables: the letter must say nothing matched. */
export function markdownTable(t: unknown, where: (msg: string) => never): string {
  if (typeof t !== 'object' || t === null || Array.isArray(t)) where(`expects a table (TableView), got ${describe(t)}`);
  const tv = t as TableLike;
  const label = tv.financialYear ? ` for ${String(tv.financialYear)}` : tv.caption ? ` "${String(tv.caption)}"` : '';
  if (!Array.isArray(tv.columns) || tv.columns.length === 0) where(`the table${label} has no columns`);
  if (!Array.isArray(tv.rows) || tv.rows.length === 0) {
    where(`the table${label} has no rows; say that nothing matched (noMatch) instead of showing an empty table`);
  }
  const n = tv.columns.length;
  const row = (cells: unknown[], i: string, bold = false): string => {
    if (!Array.isArray(cells) || cells.length !== n) {
      where(`${i} of the table${label} has ${Array.isArray(cells) ? cells.length : describe(cells)} cells; the table has ${n} columns`);
    }
    const out = cells.map((c) => {
      const s = markdownCell(c);
      return bold && s !== '' ? `**${s}**` : s;
    });
    return `| ${out.join(' | ')} |`;
  };
  const lines = [
    row(tv.columns.map((c) => c.header), 'the header'),
    `| ${tv.columns.map((c) => (c.align === 'right' ? '---:' : '---')).join(' | ')} |`,
    ...tv.rows.map((r, i) => row(r, `row ${i + 1}`)),
  ];
  if (tv.totalRow != null) lines.push(row(tv.totalRow, 'the total row', true));
  return lines.join('\n');
}

/** Register the helpers on an instance (handlebars-env.ts does it for both of its instances). */
export function registerHelpers(hb: HB): void {
  const h: Record<HelperName, (...args: unknown[]) => unknown> = {
    /** `{{money pence}}` → `£2,087,431.81` / `£139,707`. null → ''. */
    money(...args) {
      const { params, o } = split(args);
      arity(o, params, 1);
      onlyHash(o, ['pence']);
      const v = params[0];
      if (v == null) return '';
      if (typeof v !== 'number' || !Number.isSafeInteger(v)) fail(o, `expects whole pence (an integer), got ${describe(v)}`);
      return formatMoney(v, { alwaysPence: o.hash?.pence === true });
    },
    /** `{{date iso}}` → `24 January 2019`. null → ''. */
    date(...args) {
      const { params, o } = split(args);
      arity(o, params, 1);
      onlyHash(o, []);
      const v = params[0];
      if (v == null) return '';
      const m = typeof v === 'string' ? /^(\d{4})-(\d{2})-(\d{2})$/.exec(v) : null;
      if (!m || !isValidYmd(+m[1], +m[2], +m[3])) fail(o, `expects an ISO date (YYYY-MM-DD), got ${describe(v)}`);
      return formatLongDate(v as string);
    },
    /** `{{table t}}` → a GFM table (escaped cells, alignment row, bold totals row). */
    table(...args) {
      const { params, o } = split(args);
      arity(o, params, 1);
      onlyHash(o, []);
      return safe(markdownTable(params[0], (msg) => fail(o, msg)));
    },
    /** `{{join list ", " last=" and "}}` → items escaped, joined by the (template's own) separator. */
    join(...args) {
      const { params, o } = split(args);
      arity(o, params, 1, 2);
      onlyHash(o, ['last']);
      const items = list(o, params[0]).map(markdownEscape);
      const sep = params.length > 1 ? String(params[1]) : ', ';
      const last = o.hash?.last != null ? String(o.hash.last) : sep;
      if (items.length <= 1) return safe(items.join(''));
      return safe(items.slice(0, -1).join(sep) + last + items[items.length - 1]);
    },
    /** `{{#if (eq outcome "held")}}` */
    eq(...args) {
      const { params, o } = split(args);
      arity(o, params, 2);
      onlyHash(o, []);
      return params[0] === params[1];
    },
    /** `{{plural n "grant"}}` → "grant" when n is 1, else "grants" (or the third argument). n may be a list. */
    plural(...args) {
      const { params, o } = split(args);
      arity(o, params, 2, 3);
      onlyHash(o, []);
      const [nv, one, many] = params;
      const n = Array.isArray(nv) ? nv.length : nv;
      if (typeof n !== 'number') fail(o, `expects a number or a list first, got ${describe(nv)}`);
      if (typeof one !== 'string') fail(o, `expects the singular word second, got ${describe(one)}`);
      return n === 1 ? one : many != null ? String(many) : `${one}s`;
    },
    /** `{{quote wording}}` → the requester's words as a blockquote, line breaks kept. */
    quote(...args) {
      const { params, o } = split(args);
      arity(o, params, 1);
      onlyHash(o, []);
      const v = params[0];
      if (v == null || String(v).trim() === '') return '';
      if (typeof v !== 'string') fail(o, `expects text, got ${describe(v)}`);
      const lines = v.replace(/\r\n?/g, '\n').replace(/\t+/g, ' ').split('\n').map((l) => markdownEscape(l.trim()));
      // Drop leading/trailing blank lines; runs of blank lines become one paragraph break.
      while (lines.length && lines[0] === '') lines.shift();
      while (lines.length && lines[lines.length - 1] === '') lines.pop();
      const out: string[] = [];
      for (let i = 0; i < lines.length; i++) {
        const l = lines[i];
        if (l === '') {
          if (out[out.length - 1] !== '>') out.push('>');
          continue;
        }
        const next = lines[i + 1];
        // A hard line break (trailing backslash) keeps the requester's line structure.
        out.push(`> ${l}${next !== undefined && next !== '' ? '\\' : ''}`);
      }
      return safe(out.join('\n'));
    },
    /** `{{numbered list}}` → `1. item` lines, items escaped; `start=` to begin elsewhere. */
    numbered(...args) {
      const { params, o } = split(args);
      arity(o, params, 1);
      onlyHash(o, ['start']);
      const start = o.hash?.start ?? 1;
      if (typeof start !== 'number' || !Number.isInteger(start) || start < 0) fail(o, `start= must be a whole number, got ${describe(start)}`);
      const items = list(o, params[0]);
      return safe(items.map((it, i) => `${start + i}. ${markdownCell(it)}`).join('\n'));
    },
    /** `{{lines a b list}}` → the values (strings, lists of strings; nulls skipped) on separate lines (hard breaks). */
    lines(...args) {
      const { params, o } = split(args);
      if (params.length === 0) fail(o, 'expects at least 1 argument');
      onlyHash(o, []);
      const out: string[] = [];
      for (const p of params) {
        if (p == null) continue;
        const items = Array.isArray(p) ? p : String(p).split(/\r?\n/);
        for (const it of items) {
          if (it == null) continue;
          if (typeof it === 'object') fail(o, `expects text or lists of text, got ${describe(it)}`);
          const s = markdownCell(it);
          if (s !== '') out.push(s);
        }
      }
      return safe(out.join('\\\n'));
    },
    /**
     * `{{link url}}` → `<https://…>` (or `<name@example.org>`) for the body's own addresses: its
     * configured web pages (and others on the same site), its e-mail, and the ICO. Any other
     * address, and anything else, is literal escaped text, never a link.
     */
    link(...args) {
      const { params, o } = split(args);
      arity(o, params, 1);
      onlyHash(o, []);
      const v = params[0];
      if (v == null) return '';
      const s = String(v).trim();
      if ((URL_RE.test(s) || EMAIL_RE.test(s)) && isOwnLink(s, o.data?.root)) return safe(`<${s}>`);
      return safe(markdownEscape(s));
    },
  };
  for (const [name, fn] of Object.entries(h)) hb.registerHelper(name, fn as Handlebars.HelperDelegate);
}
