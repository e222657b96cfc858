/**
 * The Handlebars environment for response letters: an isolated instance whose `{{x}}` escaping
 * is Markdown escaping (not HTML), strict compilation with a closed set of helpers, and errors
 * that name the template file, the line and the name at fault.
 *
 * How the escaping override works (handlebars 4.7): compiled templates escape `{{x}}` through
 * `container.escapeExpression`, and the runtime fills that slot from the handlebars *module's*
 * `Utils.escapeExpression` each time `env.template(spec)` builds a template. `hb.Utils` on an
 * instance is that same shared module object, so assigning `hb.Utils.escapeExpression` would
 * change escaping for every Handlebars instance in the process. Instead this instance gets
 * (once, at module load) its own `template()` that wraps the compiled spec's `main` so the
 * container uses `markdownEscape`; everything compiled by this instance (templates and
 * partials alike) goes through `env.template`, and no other instance is touched.
 */
import { createRequire } from 'node:module';
import type Handlebars from 'handlebars';
import HandlebarsRuntime from 'handlebars/runtime';
import { isSafeString, markdownCell, markdownEscape } from '../core/markdown-escape.js';
import { formatMoney } from '../core/money.js';
import { formatLongDate, isValidYmd } from '../core/dates.js';
import { DataError } from '../core/errors.js';

export { markdownCell, markdownEscape };

// ---------------------------------------------------------------------------------------------
// Errors

/** A template problem, located: `templates/full-response.hbs line 12: "requestor" is not defined`. */
export class TemplateError extends DataError {
  readonly file: string;
  readonly line: number | null;
  /** The variable, helper or partial name at fault, when there is one. */
  readonly subject: string | null;
  /** The message without the file and line. */
  readonly detail: string;
  constructor(file: string, line: number | null, detail: string, subject: string | null = null, details: string[] = []) {
    super(`${file}${line != null ? ` line ${line}` : ''}: ${detail}`, details);
    this.file = file;
    this.line = line;
    this.subject = subject;
    this.detail = detail;
  }
}

/** Thrown by helpers; carries the helper name and the call's line (from `options.loc`). */
export class HelperError extends Error {
  readonly helper: string;
  readonly line: number | null;
  constructor(helper: string, message: string, line: number | null) {
    super(message);
    this.name = 'HelperError';
    this.helper = helper;
    this.line = line;
  }
}

// ---------------------------------------------------------------------------------------------
// Markdown escaping

// The escaping itself lives in src/core/markdown-escape.ts, shared with `--format md` listings.
// ---------------------------------------------------------------------------------------------
// The instance

type HB = typeof Handlebars;
type TemplateSpec = { main: (this: unknown, container: { escapeExpression: unknown }, ...rest: unknown[]) => string; [k: string]: unknown };

function createInstance(base: HB): HB {
  const hb = base.create();
  // Anything that reads the instance's escaper (helpers, plugins) sees the Markdown one; a fresh
  // object so the shared module Utils is not modified.
  const ownUtils = { ...(base as unknown as { Utils: Record<string, unknown> }).Utils, escapeExpression: markdownEscape };
  Object.defineProperty(hb, 'Utils', { value: Object.freeze(ownUtils), enumerable: true });
  Object.defineProperty(hb, 'escapeExpression', { value: markdownEscape, enumerable: true });
  const template = hb.template.bind(hb) as unknown as (spec: TemplateSpec) => Handlebars.TemplateDelegate;
  (hb as unknown as { template: (spec: TemplateSpec) => Handlebars.TemplateDelegate }).template = (spec: TemplateSpec) => {
    const main = spec.main;
    const wrapped = function (this: unknown, container: { escapeExpression: unknown }, ...rest: unknown[]): string {
      container.escapeExpression = markdownEscape;
      return main.call(this, container, ...rest);
    };
    return template({ ...spec, main: wrapped });
  };
  hb.unregisterHelper('log');
  registerHelpers(hb);
  return hb;
}

// ---------------------------------------------------------------------------------------------
// Helpers

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

export const COMPILE_OPTIONS: CompileOptions = Object.freeze({
  strict: true,
  knownHelpersOnly: true,
  knownHelpers: KNOWN_HELPERS,
  noEscape: false,
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

function registerHelpers(hb: HB): void {
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

/**
 * Two isolated instances with the same escaping and helpers. The runtime one renders the
 * templates the build precompiled (dist/templates-precompiled.json), so a letter loads no
 * parser or compiler; the full one (parse, compile, precompile) is loaded on first use, for
 * templates that are not precompiled (a --templates folder, `foi templates check`, tests).
 */
const runtimeHb: HB = createInstance(HandlebarsRuntime as unknown as HB);
let fullHb: HB | null = null;
function fullInstance(): HB {
  fullHb ??= createInstance(createRequire(import.meta.url)('handlebars') as HB);
  return fullHb;
}

/** The full instance (parser and compiler), loaded when first used. */
export const hb: HB = new Proxy({} as HB, {
  get(_, key) {
    const value = Reflect.get(fullInstance(), key) as unknown;
    return typeof value === 'function' ? value.bind(fullInstance()) : value;
  },
});

// ---------------------------------------------------------------------------------------------
// Compiling with located errors

type AstNode = hbs.AST.Node & Record<string, unknown>;

/** Every node of a template AST, depth first, in source order. */
export function* walkAst(node: unknown): Generator<AstNode> {
  if (!node || typeof node !== 'object') return;
  if (Array.isArray(node)) {
    for (const n of node) yield* walkAst(n);
    return;
  }
  const n = node as AstNode;
  if (typeof n.type === 'string') yield n;
  for (const key of ['body', 'path', 'name', 'params', 'hash', 'pairs', 'value', 'program', 'inverse']) {
    const child = n[key];
    if (child && typeof child === 'object') yield* walkAst(child);
  }
}

/** The first line where `name` is used (as a path part, helper or partial name), or null. */
export function findNameLine(ast: hbs.AST.Program | null, name: string): number | null {
  if (!ast) return null;
  for (const n of walkAst(ast)) {
    if (n.type === 'PathExpression') {
      const p = n as unknown as hbs.AST.PathExpression;
      if (p.parts.includes(name) || p.original === name) return n.loc?.start?.line ?? null;
    } else if ((n.type === 'PartialStatement' || n.type === 'PartialBlockStatement') && n.loc) {
      const nm = (n as unknown as hbs.AST.PartialStatement).name as unknown as { original?: unknown };
      if (nm && String(nm.original) === name) return n.loc.start.line;
    }
  }
  return null;
}

function firstDynamicPartialLine(ast: hbs.AST.Program | null): number | null {
  if (!ast) return null;
  for (const n of walkAst(ast)) {
    if ((n.type === 'PartialStatement' || n.type === 'PartialBlockStatement') && (n as unknown as hbs.AST.PartialStatement).name.type === 'SubExpression') {
      return n.loc?.start?.line ?? null;
    }
  }
  return null;
}

/**
 * Turn whatever Handlebars (or a helper) threw while compiling or rendering `file` into a
 * TemplateError naming the file, the line and the name. Errors already located (thrown from a
 * partial rendered inside this file) pass through unchanged.
 */
export function toTemplateError(err: unknown, file: string, ast: hbs.AST.Program | null, source: string | null = null): TemplateError {
  if (err instanceof TemplateError) return err;
  if (err instanceof HelperError) {
    return new TemplateError(file, err.line ?? findNameLine(ast, err.helper), `${err.helper}: ${err.message}`, err.helper);
  }
  const e = err as { message?: unknown; lineNumber?: unknown };
  const raw = String(e?.message ?? err);
  // Handlebars.Exception appends " - line:column" when it knows the location.
  const msg = raw.replace(/ - \d+:\d+$/, '');
  let line = typeof e?.lineNumber === 'number' ? e.lineNumber : null;
  let m: RegExpExecArray | null;
  if ((m = /^"(.+)" not defined in /.exec(msg))) {
    return new TemplateError(file, line ?? findNameLine(ast, m[1]), `"${m[1]}" is not defined`, m[1]);
  }
  if ((m = /unknown helper (\S+)$/.exec(msg))) {
    return new TemplateError(file, line ?? findNameLine(ast, m[1]), `unknown helper "${m[1]}"`, m[1]);
  }
  if ((m = /^The partial (.+) could not be found$/.exec(msg))) {
    return new TemplateError(file, line ?? findNameLine(ast, m[1]) ?? firstDynamicPartialLine(ast), `partial "${m[1]}" not found`, m[1]);
  }
  if ((m = /^Parse error on line (\d+):\n([\s\S]*)$/.exec(msg))) {
    line = Number(m[1]);
    if (/got 'EOF'$/.test(m[2]) && source != null) {
      const open = unclosedBlock(source);
      if (open) return new TemplateError(file, open.line, `{{#${open.name}}} is never closed: {{/${open.name}}} is missing`, open.name);
    }
    const expecting = m[2].split('\n').pop() ?? '';
    const snippet = m[2].split('\n')[0] ?? '';
    return new TemplateError(file, line, `syntax error near "${snippet.slice(-30)}": ${expecting}`);
  }
  if ((m = /^Cannot read properties of (?:null|undefined) \(reading '(.+)'\)$/.exec(msg))) {
    // A path through a null value in a helper argument, e.g. {{#if exemption.reason}} with no exemption.
    return new TemplateError(file, line ?? findNameLine(ast, m[1]), `cannot look up "${m[1]}": the value before it is null`, m[1]);
  }
  return new TemplateError(file, line, line != null ? msg : `${msg}`);
}

/** The innermost block left open at the end of `source` (for "got EOF" parse errors), by a light scan. */
function unclosedBlock(source: string): { name: string; line: number } | null {
  const stack: { name: string; line: number }[] = [];
  const re = /\{\{!--[\s\S]*?--~?\}\}|\{\{![\s\S]*?\}\}|\{\{~?\s*([#/])\s*>?\s*([^\s}~)]+)/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(source))) {
    if (!m[1]) continue;
    const line = source.slice(0, m.index).split('\n').length;
    if (m[1] === '#') stack.push({ name: m[2].replace(/^\*/, ''), line });
    else if (stack.length && stack[stack.length - 1].name === m[2]) stack.pop();
  }
  return stack.pop() ?? null;
}

/** Parse a template, reporting syntax errors with the file and line. */
export function parseTemplate(source: string, file: string): hbs.AST.Program {
  try {
    return hb.parse(source);
  } catch (err) {
    throw toTemplateError(err, file, null, source);
  }
}

export type RenderFn = (context: unknown, options?: Handlebars.RuntimeOptions) => string;

/**
 * Compile one template or partial file. Compilation itself is lazy in Handlebars (on first
 * render); either way, errors surface as TemplateErrors naming `file`.
 * The returned function can be used directly as a partial.
 */
export function compileTemplate(source: string, file: string, ast: hbs.AST.Program | null = null): RenderFn {
  const parsed = ast ?? parseTemplate(source, file);
  const fn = hb.compile(source, { ...COMPILE_OPTIONS });
  return (context, options) => {
    try {
      return fn(context, options);
    } catch (err) {
      throw toTemplateError(err, file, parsed);
    }
  };
}

/** Compile eagerly (no render), to report compile-time errors such as unknown helpers; returns the spec (JavaScript source). */
export function precompileCheck(source: string, file: string): string {
  try {
    return hb.precompile(source, { ...COMPILE_OPTIONS }) as unknown as string;
  } catch (err) {
    throw toTemplateError(err, file, null, source);
  }
}

/**
 * A render function from a spec that `precompileCheck` made at build time: no parse or compile at
 * run time. The source is parsed only if an error needs a line number.
 */
export function templateFromSpec(spec: string, source: string, file: string): RenderFn {
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- our own build's output, as Handlebars itself does
  const fn = runtimeHb.template(new Function(`return (${spec});`)() as Parameters<typeof runtimeHb.template>[0]);
  return (context, options) => {
    try {
      return fn(context, options);
    } catch (err) {
      let ast: hbs.AST.Program | null = null;
      try {
        ast = hb.parse(source);
      } catch {
        // the error is reported without a line
      }
      throw toTemplateError(err, file, ast);
    }
  };
}

// ---------------------------------------------------------------------------------------------
// Static analysis: names used by a template against the shape of the data it is given.

/** The shape of template data, for linting names. */
export type Shape =
  | { kind: 'string' }
  | { kind: 'number' }
  | { kind: 'boolean' }
  | { kind: 'any' }
  | { kind: 'nullable'; of: Shape }
  | { kind: 'array'; of: Shape }
  | { kind: 'object'; name?: string; fields: Record<string, Shape> };

/** A Shape that must match the TypeScript type T exactly (every key, nullability, lists). */
export type ShapeFor<T> = null extends T
  ? { kind: 'nullable'; of: ShapeFor<NonNullable<T>> }
  : T extends string
    ? { kind: 'string' }
    : T extends number
      ? { kind: 'number' }
      : T extends boolean
        ? { kind: 'boolean' }
        : T extends readonly (infer U)[]
          ? { kind: 'array'; of: ShapeFor<U> }
          : T extends object
            ? { kind: 'object'; name?: string; fields: { [K in keyof T]-?: ShapeFor<T[K]> } }
            : never;

export const S = {
  string: { kind: 'string' } as const,
  number: { kind: 'number' } as const,
  boolean: { kind: 'boolean' } as const,
  any: { kind: 'any' } as const,
};

export interface Issue {
  file: string;
  line: number | null;
  message: string;
}

/** What the analyser needs to know about the template set. */
export interface AnalysisHost {
  /** The partial's file and parsed AST (null when it failed to parse), or null when there is no such partial. */
  partial(name: string): { file: string; ast: hbs.AST.Program | null } | null;
  /** Partials a dynamic `{{> (…) }}` may name, and those that must exist for it. */
  dynamicPartials(): { candidates: string[]; required: string[] };
}

interface Scope {
  file: string;
  root: Shape;
  /** Context stack: last is the current context (`this`); `../` goes up one. */
  frames: Shape[];
  /** Lexical block params (`as |x i|`), innermost last; reset inside partials. */
  blockParams: Map<string, Shape>[];
  /** Inside an {{#each}}: @index, @first, @last, @key are available. */
  inEach: boolean;
  /** Partials being expanded (recursion guard). */
  partialStack: string[];
}

function unwrap(s: Shape): Shape {
  return s.kind === 'nullable' ? unwrap(s.of) : s;
}

function shapeName(s: Shape): string {
  const u = unwrap(s);
  switch (u.kind) {
    case 'object':
      return u.name ?? 'an object';
    case 'array':
      return 'a list';
    default:
      return u.kind === 'any' ? 'a value' : `a ${u.kind}`;
  }
}

/**
 * Walk a template with the shape of its data: report names not in the shape, unknown helpers,
 * missing partials, helpers used wrongly, and lists/objects output as text. Partials are
 * followed and checked with the context they are called with (errors are reported against the
 * partial's own file). Returns the issues and the files visited.
 */
export function analyseTemplate(file: string, ast: hbs.AST.Program, root: Shape, host: AnalysisHost): { issues: Issue[]; files: Set<string> } {
  const issues: Issue[] = [];
  const seen = new Set<string>();
  const files = new Set<string>([file]);
  const report = (sc: Scope, node: hbs.AST.Node | null | undefined, message: string) => {
    const line = node?.loc?.start?.line ?? null;
    const key = `${sc.file}\0${line}\0${message}`;
    if (seen.has(key)) return;
    seen.add(key);
    issues.push({ file: sc.file, line, message });
  };

  const known = new Set<string>(Object.entries(KNOWN_HELPERS).filter(([, v]) => v).map(([k]) => k));

  function resolveParts(sc: Scope, node: hbs.AST.Node, start: Shape, parts: string[], original: string): Shape {
    let cur = start;
    for (let i = 0; i < parts.length; i++) {
      const part = parts[i];
      const u = unwrap(cur);
      if (u.kind === 'any') return S.any;
      if (u.kind === 'object') {
        if (!Object.prototype.hasOwnProperty.call(u.fields, part)) {
          const where = i === 0 ? '' : ` (${shapeName(u)} has no "${part}"; it has ${Object.keys(u.fields).join(', ')})`;
          report(sc, node, `"${original}" is not defined${where}`);
          return S.any;
        }
        cur = u.fields[part];
      } else if (u.kind === 'array') {
        if (part === 'length') cur = S.number;
        else if (/^\d+$/.test(part)) cur = u.of;
        else {
          report(sc, node, `"${original}" is not defined ("${parts.slice(0, i).join('.')}" is a list)`);
          return S.any;
        }
      } else if (u.kind === 'string' && part === 'length') {
        cur = S.number;
      } else {
        report(sc, node, `"${original}" is not defined ("${parts.slice(0, i).join('.') || 'this'}" is ${shapeName(u)})`);
        return S.any;
      }
    }
    return cur;
  }

  function resolvePath(sc: Scope, p: hbs.AST.PathExpression): Shape {
    const parts = p.parts;
    if (p.data) {
      const head = parts[0];
      if (head === 'root') return resolveParts(sc, p, sc.root, parts.slice(1), p.original);
      if (['index', 'first', 'last', 'key'].includes(head)) {
        if (!sc.inEach) report(sc, p, `"${p.original}" is only defined inside {{#each}}`);
        if (parts.length > 1) report(sc, p, `"${p.original}" is not defined`);
        return head === 'index' ? S.number : head === 'key' ? S.any : S.boolean;
      }
      report(sc, p, `"${p.original}" is not defined (known: @root, @index, @first, @last, @key)`);
      return S.any;
    }
    const scoped = /^\.|this\b/.test(p.original);
    if (p.depth === 0 && !scoped && parts.length > 0) {
      for (let i = sc.blockParams.length - 1; i >= 0; i--) {
        const bp = sc.blockParams[i].get(parts[0]);
        if (bp) return resolveParts(sc, p, bp, parts.slice(1), p.original);
      }
    }
    const idx = sc.frames.length - 1 - p.depth;
    if (idx < 0) {
      report(sc, p, `"${p.original}" goes above the top of the data`);
      return S.any;
    }
    return resolveParts(sc, p, sc.frames[idx], parts, p.original);
  }

  function isSimpleName(p: hbs.AST.Node): p is hbs.AST.PathExpression {
    const q = p as hbs.AST.PathExpression;
    return p.type === 'PathExpression' && !q.data && q.depth === 0 && q.parts.length === 1 && !/^\.|this\b/.test(q.original);
  }

  function expr(sc: Scope, e: hbs.AST.Expression): Shape {
    switch (e.type) {
      case 'PathExpression':
        return resolvePath(sc, e as hbs.AST.PathExpression);
      case 'SubExpression': {
        const s = e as hbs.AST.SubExpression;
        return helperCall(sc, s, s.path, s.params, s.hash, false);
      }
      case 'StringLiteral':
        return S.string;
      case 'NumberLiteral':
        return S.number;
      case 'BooleanLiteral':
        return S.boolean;
      default:
        return S.any;
    }
  }

  function expectKind(sc: Scope, node: hbs.AST.Node, helper: string, got: Shape, kinds: Shape['kind'][], what: string): void {
    const u = unwrap(got);
    if (u.kind === 'any' || kinds.includes(u.kind)) return;
    report(sc, node, `helper "${helper}" expects ${what}, got ${shapeName(u)}`);
  }

  /** Check a helper call; returns the shape of its result. */
  function helperCall(
    sc: Scope,
    node: hbs.AST.Node,
    path: hbs.AST.PathExpression | hbs.AST.Expression,
    params: hbs.AST.Expression[],
    hash: hbs.AST.Hash | undefined,
    block: boolean,
    args: Shape[] = params.map((p) => expr(sc, p)),
  ): Shape {
    if (!isSimpleName(path)) {
      report(sc, node, `"${(path as hbs.AST.PathExpression).original ?? '?'}" cannot be called as a helper`);
      return S.any;
    }
    const name = path.parts[0];
    const pairs = hash?.pairs ?? [];
    for (const pair of pairs) expr(sc, pair.value);
    if (!known.has(name)) {
      report(sc, node, `unknown helper "${name}" (known: ${[...known].sort().join(', ')})`);
      return S.any;
    }
    const n = args.length;
    const want = (min: number, max = min) => {
      if (n < min || n > max) report(sc, node, `helper "${name}" expects ${min === max ? min : `${min} to ${max}`} argument${max === 1 ? '' : 's'}, got ${n}`);
    };
    const hashOnly = (allowed: string[]) => {
      for (const pair of pairs) if (!allowed.includes(pair.key)) report(sc, node, `helper "${name}" has no option ${pair.key}=`);
    };
    if (['if', 'unless', 'each', 'with'].includes(name) && !block) {
      report(sc, node, `"${name}" must be used as a block: {{#${name} …}}…{{/${name}}}`);
      return S.any;
    }
    if ((HELPER_NAMES as readonly string[]).includes(name) && block) {
      report(sc, node, `helper "${name}" is not a block helper; use {{${name} …}}`);
    }
    switch (name) {
      case 'money':
        want(1);
        hashOnly(['pence']);
        if (n) expectKind(sc, node, name, args[0], ['number'], 'an amount in pence');
        return S.string;
      case 'date':
        want(1);
        hashOnly([]);
        if (n) expectKind(sc, node, name, args[0], ['string'], 'an ISO date');
        return S.string;
      case 'table': {
        want(1);
        hashOnly([]);
        const u = n ? unwrap(args[0]) : S.any;
        if (u.kind !== 'any' && !(u.kind === 'object' && 'columns' in u.fields && 'rows' in u.fields)) {
          report(sc, node, `helper "table" expects a table (TableView), got ${shapeName(u)}`);
        }
        return S.string;
      }
      case 'join':
        want(1, 2);
        hashOnly(['last']);
        if (n) expectKind(sc, node, name, args[0], ['array'], 'a list');
        return S.string;
      case 'numbered':
        want(1);
        hashOnly(['start']);
        if (n) expectKind(sc, node, name, args[0], ['array'], 'a list');
        return S.string;
      case 'eq':
        want(2);
        hashOnly([]);
        return S.boolean;
      case 'plural':
        want(2, 3);
        hashOnly([]);
        if (n) expectKind(sc, node, name, args[0], ['number', 'array'], 'a number or a list');
        return S.string;
      case 'quote':
      case 'link':
        want(1);
        hashOnly([]);
        if (n) expectKind(sc, node, name, args[0], ['string'], 'text');
        return S.string;
      case 'lines':
        if (n === 0) report(sc, node, 'helper "lines" expects at least 1 argument');
        hashOnly([]);
        for (const a of args) expectKind(sc, node, name, a, ['string', 'array'], 'text or lists of text');
        return S.string;
      case 'lookup': {
        want(2);
        const target = n ? unwrap(args[0]) : S.any;
        const key = params[1];
        if (target.kind === 'object' && key?.type === 'StringLiteral') {
          const k = (key as hbs.AST.StringLiteral).value;
          if (!(k in target.fields)) {
            report(sc, node, `"${k}" is not defined (${shapeName(target)} has ${Object.keys(target.fields).join(', ')})`);
            return S.any;
          }
          return target.fields[k];
        }
        if (target.kind === 'array') return target.of;
        return S.any;
      }
      default:
        return S.any;
    }
  }

  function program(sc: Scope, p: hbs.AST.Program | undefined | null): void {
    if (!p) return;
    for (const st of p.body) statement(sc, st);
  }

  function withBlockParams(sc: Scope, p: hbs.AST.Program | undefined, shapes: Shape[]): Scope {
    const names = p?.blockParams ?? [];
    if (!names.length) return sc;
    const m = new Map<string, Shape>();
    names.forEach((nm, i) => m.set(nm, shapes[i] ?? S.any));
    return { ...sc, blockParams: [...sc.blockParams, m] };
  }

  function elementOf(sc: Scope, node: hbs.AST.Node, s: Shape, what: string): Shape {
    const u = unwrap(s);
    if (u.kind === 'array') return u.of;
    if (u.kind === 'object' || u.kind === 'any') return S.any;
    report(sc, node, `{{#each}} needs a list, but "${what}" is ${shapeName(u)}`);
    return S.any;
  }

  function block(sc: Scope, b: hbs.AST.BlockStatement): void {
    const path = b.path as hbs.AST.PathExpression;
    const name = isSimpleName(path) ? path.parts[0] : null;
    const isHelperish = name !== null && (known.has(name) || b.params.length > 0 || (b.hash?.pairs?.length ?? 0) > 0);
    if (isHelperish) {
      const args = b.params.map((p) => expr(sc, p));
      helperCall(sc, b, path, b.params, b.hash, true, args);
      const arg = args[0] ?? S.any;
      if (name === 'each') {
        const el = elementOf(sc, b, arg, b.params[0] ? String((b.params[0] as hbs.AST.PathExpression).original ?? '') : '');
        const inner = withBlockParams({ ...sc, frames: [...sc.frames, el], inEach: true }, b.program, [el, S.number]);
        program(inner, b.program);
        program(sc, b.inverse);
      } else if (name === 'with') {
        const v = unwrap(arg);
        const inner = withBlockParams({ ...sc, frames: [...sc.frames, v] }, b.program, [v]);
        program(inner, b.program);
        program(sc, b.inverse);
      } else {
        program(sc, b.program);
        program(sc, b.inverse);
      }
      return;
    }
    // A mustache-style section on a value: {{#tables}}…{{/tables}} (list → each, object → with, else → if).
    const v = resolvePath(sc, path);
    const u = unwrap(v);
    if (u.kind === 'array') program({ ...sc, frames: [...sc.frames, u.of], inEach: true }, b.program);
    else if (u.kind === 'object') program({ ...sc, frames: [...sc.frames, u] }, b.program);
    else program(sc, b.program);
    program(sc, b.inverse);
  }

  function partial(sc: Scope, st: hbs.AST.PartialStatement | hbs.AST.PartialBlockStatement): void {
    let ctx = sc.frames[sc.frames.length - 1];
    let frames = sc.frames;
    if (st.params.length > 1) report(sc, st, `a partial takes at most one context argument, got ${st.params.length}`);
    if (st.params.length >= 1) {
      ctx = expr(sc, st.params[0]);
      frames = [...sc.frames, ctx];
    }
    const pairs = st.hash?.pairs ?? [];
    if (pairs.length) {
      const base = unwrap(ctx);
      const extra = Object.fromEntries(pairs.map((pr) => [pr.key, expr(sc, pr.value)]));
      ctx = base.kind === 'object' ? { kind: 'object', name: base.name, fields: { ...base.fields, ...extra } } : S.any;
      frames = [...frames.slice(0, -1), ctx];
    }
    if (st.type === 'PartialBlockStatement') program(sc, (st as hbs.AST.PartialBlockStatement).program);

    let names: string[];
    const nameNode = st.name as hbs.AST.Expression;
    if (nameNode.type === 'SubExpression') {
      expr(sc, nameNode);
      const dyn = host.dynamicPartials();
      for (const r of dyn.required) {
        if (host.partial(r) === null) report(sc, st, `partial "${r}" not found (a dynamic partial here can name it)`);
      }
      names = dyn.candidates;
    } else {
      const nm = String((nameNode as unknown as { original: unknown }).original);
      if (nm === '@partial-block') return;
      names = [nm];
      if (host.partial(nm) === null) {
        report(sc, st, `partial "${nm}" not found`);
        return;
      }
    }
    for (const nm of names) {
      const p = host.partial(nm);
      if (p === null) continue;
      files.add(p.file);
      if (p.ast === null || sc.partialStack.includes(nm)) continue; // unparsable (reported elsewhere) or recursive
      program(
        { file: p.file, root: sc.root, frames, blockParams: [], inEach: sc.inEach, partialStack: [...sc.partialStack, nm] },
        p.ast,
      );
    }
  }

  function statement(sc: Scope, st: hbs.AST.Statement): void {
    switch (st.type) {
      case 'ContentStatement':
      case 'CommentStatement':
        return;
      case 'MustacheStatement': {
        const m = st as hbs.AST.MustacheStatement;
        if (m.path.type !== 'PathExpression') return; // {{"literal"}}
        const path = m.path as hbs.AST.PathExpression;
        const hasArgs = m.params.length > 0 || (m.hash?.pairs?.length ?? 0) > 0;
        if (hasArgs || (isSimpleName(path) && known.has(path.parts[0]))) {
          helperCall(sc, m, path, m.params, m.hash, false);
          return;
        }
        const v = unwrap(resolvePath(sc, path));
        if (v.kind === 'array' || v.kind === 'object') {
          report(sc, m, `"${path.original}" is ${shapeName(v)}, not text: use {{#each}}, {{join}} or a field of it`);
        }
        return;
      }
      case 'BlockStatement':
        return block(sc, st as hbs.AST.BlockStatement);
      case 'PartialStatement':
      case 'PartialBlockStatement':
        return partial(sc, st as hbs.AST.PartialStatement);
      case 'DecoratorBlock':
      case 'Decorator':
        report(sc, st, 'decorators are not supported in letter templates');
        return;
      default:
        return;
    }
  }

  program({ file, root, frames: [root], blockParams: [], inEach: false, partialStack: [] }, ast);
  return { issues, files };
}
