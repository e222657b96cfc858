/**
 * Rendering letters: a template set (template-set.ts) parsed, analysed against LetterView and
 * compiled once per content (or taken as the build precompiled it), then a LetterView rendered
 * to deterministic Markdown.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { analyseTemplate, type AnalysisHost, type Issue, type Shape } from './template-analysis.js';
import { compileTemplate, parseTemplate, precompileCheck, templateFromSpec, type RenderFn } from './template-compile.js';
import { TemplateError, UnknownTemplateError } from './template-errors.js';
import { EXEMPTION_PARTIALS, LETTER_SHAPE, REVIEW_PARTIAL } from './letter-shape.js';
import { allFiles, loadTemplateSet, type TemplateFile, type TemplateSet } from './template-set.js';
import type { LetterView } from './view-model.js';

// ---------------------------------------------------------------------------------------------
// Preparing (parse, analyse, compile), cached by the set's content.

export interface Prepared {
  set: TemplateSet;
  asts: Map<TemplateFile, hbs.AST.Program | null>;
  /** Syntax / compile-time problems per file. */
  fileIssues: Map<string, Issue[]>;
  /** Static problems found from each top-level template, and the files it uses. */
  analysis: Map<string, { issues: Issue[]; files: Set<string> }>;
  render: Map<string, RenderFn>;
  partialFns: Record<string, RenderFn>;
}

const cache = new Map<string, Prepared>();

function cacheKey(set: TemplateSet): string {
  const h = createHash('sha256');
  h.update(String(set.overrideDir));
  for (const f of allFiles(set)) h.update(`\0${f.kind}\0${f.file}\0${f.source}`);
  return h.digest('hex');
}

export function issueFromError(e: unknown, file: string): Issue {
  if (e instanceof TemplateError) return { file: e.file, line: e.line, message: e.detail };
  return { file, line: null, message: String((e as Error)?.message ?? e) };
}

/**
 * `thorough` (for `foi templates check`) also precompiles every file up front. Rendering skips
 * that: Handlebars compiles a template on its first render, and compile errors surface there,
 * named by file, so a letter pays only for the templates it uses.
 */
export function prepare(set: TemplateSet, thorough = false): Prepared {
  const key = `${thorough ? 'thorough' : 'render'}:${cacheKey(set)}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const pre = thorough ? null : fromPrecompiled(set);
  if (pre) {
    cache.set(key, pre);
    return pre;
  }

  const asts = new Map<TemplateFile, hbs.AST.Program | null>();
  const fileIssues = new Map<string, Issue[]>();
  const add = (i: Issue) => {
    const list = fileIssues.get(i.file) ?? [];
    if (!list.some((x) => x.line === i.line && x.message === i.message)) list.push(i);
    fileIssues.set(i.file, list);
  };
  for (const f of [...set.templates.values(), ...set.partials.values()]) {
    try {
      asts.set(f, parseTemplate(f.source, f.file));
      if (thorough) precompileCheck(f.source, f.file);
    } catch (e) {
      if (!asts.has(f)) asts.set(f, null);
      add(issueFromError(e, f.file));
    }
  }

  const host: AnalysisHost = {
    partial(name) {
      const f = set.partials.get(name);
      return f ? { file: f.file, ast: asts.get(f) ?? null } : null;
    },
    dynamicPartials() {
      const required = Object.values(EXEMPTION_PARTIALS);
      const candidates = [...new Set([...required, ...[...set.partials.keys()].filter((n) => n.startsWith('exemption-'))])].sort();
      return { candidates, required };
    },
  };

  const analysis = new Map<string, { issues: Issue[]; files: Set<string> }>();
  const review = set.partials.get(REVIEW_PARTIAL);
  for (const t of set.templates.values()) {
    const ast = asts.get(t);
    if (!ast) {
      analysis.set(t.name, { issues: [], files: new Set([t.file]) });
      continue;
    }
    const r = analyseTemplate(t.file, ast, LETTER_SHAPE as unknown as Shape, host);
    if (set.partials.has(t.name)) {
      r.issues.push({ file: t.file, line: null, message: `"${t.name}" is a partial name: a partial override belongs in partials/${t.name}.hbs` });
    }
    if (!review || !r.files.has(review.file)) {
      r.issues.push({ file: t.file, line: null, message: `does not include {{> ${REVIEW_PARTIAL}}}: every letter must end with the internal review and ICO (s.50) paragraph` });
    }
    analysis.set(t.name, r);
  }

  const partialFns: Record<string, RenderFn> = {};
  for (const p of set.partials.values()) {
    const ast = asts.get(p);
    if (ast) partialFns[p.name] = compileTemplate(p.source, p.file, ast);
  }
  const render = new Map<string, RenderFn>();
  for (const t of set.templates.values()) {
    const ast = asts.get(t);
    if (ast) render.set(t.name, compileTemplate(t.source, t.file, ast));
  }

  const prepared: Prepared = { set, asts, fileIssues, analysis, render, partialFns };
  cache.set(key, prepared);
  return prepared;
}

/** The shipped set, analysed and precompiled by the build (dist/templates-precompiled.json). */
export interface PrecompiledTemplates {
  /** cacheKey of the set it was made from: used only while the files are exactly these. */
  key: string;
  fileIssues: [string, Issue[]][];
  analysis: [string, { issues: Issue[]; files: string[] }][];
  templates: Record<string, string>;
  partials: Record<string, string>;
}

/** For the build: analyse and precompile the shipped templates and partials. */
export function precompileShippedTemplates(): PrecompiledTemplates {
  const set = loadTemplateSet(null);
  const p = prepare(set);
  const specs = (files: Map<string, TemplateFile>) =>
    Object.fromEntries([...files.values()].filter((f) => p.asts.get(f)).map((f) => [f.name, precompileCheck(f.source, f.file)]));
  return {
    key: cacheKey(set),
    fileIssues: [...p.fileIssues],
    analysis: [...p.analysis].map(([name, a]) => [name, { issues: a.issues, files: [...a.files] }]),
    templates: specs(set.templates),
    partials: specs(set.partials),
  };
}

let shippedPrecompiled: PrecompiledTemplates | null | undefined;

/**
 * The shipped set without parsing, analysing or compiling anything, when the build precompiled
 * exactly these files (no --templates folder, no edited template); else null.
 */
function fromPrecompiled(set: TemplateSet): Prepared | null {
  if (set.overrideDir !== null) return null;
  if (shippedPrecompiled === undefined) {
    try {
      shippedPrecompiled = JSON.parse(readFileSync(new URL('./templates-precompiled.json', import.meta.url), 'utf8')) as PrecompiledTemplates;
    } catch {
      shippedPrecompiled = null; // running from source
    }
  }
  const pc = shippedPrecompiled;
  if (!pc || pc.key !== cacheKey(set)) return null;
  const fns = (specs: Record<string, string>, files: Map<string, TemplateFile>) =>
    new Map(Object.entries(specs).map(([name, spec]) => [name, templateFromSpec(spec, files.get(name)!.source, files.get(name)!.file)]));
  return {
    set,
    asts: new Map(),
    fileIssues: new Map(pc.fileIssues),
    analysis: new Map(pc.analysis.map(([name, a]) => [name, { issues: a.issues, files: new Set(a.files) }])),
    render: fns(pc.templates, set.templates),
    partialFns: Object.fromEntries(fns(pc.partials, set.partials)),
  };
}

/** All problems that stop `name` rendering: syntax errors in the files it uses, then static ones. */
export function blockingIssues(p: Prepared, name: string): Issue[] {
  const a = p.analysis.get(name);
  if (!a) return [];
  const out: Issue[] = [];
  for (const file of a.files) out.push(...(p.fileIssues.get(file) ?? []));
  out.push(...a.issues);
  return out;
}

export function formatIssue(i: Issue): string {
  return `${i.file}${i.line != null ? ` line ${i.line}` : ''}: ${i.message}`;
}

function nameSubject(message: string): string | null {
  return /^(?:unknown helper |partial )?"([^"]+)"/.exec(message)?.[1] ?? null;
}

// ---------------------------------------------------------------------------------------------
// Rendering

/** Deterministic Markdown: \n line ends, no trailing spaces, at most one blank line in a row, one final \n. */
export function normaliseMarkdown(text: string): string {
  return (
    text
      .replace(/\r\n?/g, '\n')
      .split('\n')
      .map((l) => l.replace(/[ \t]+$/, ''))
      .join('\n')
      .replace(/^\n+/, '')
      .replace(/\n{3,}/g, '\n\n')
      .replace(/\n*$/, '') + '\n'
  );
}

/** The template a letter uses unless one is named: by the overall outcome. */
export function defaultTemplateFor(view: Pick<LetterView, 'outcome' | 'questions'>): string {
  switch (view.outcome) {
    case 'held':
      return 'full-response';
    case 'partly_held':
      return 'partly-held';
    case 'not_held':
      return 'not-held';
    case 'refused':
      return view.questions.some((q) => q.outcome === 'refused_cost') ? 'refusal-s12' : 'partly-held';
  }
}

export interface RenderOptions {
  /** Template name (`full-response` or `full-response.hbs`); null/absent: chosen from view.outcome. */
  template?: string | null;
  /** A directory of templates and partials/ that add to or override the shipped ones. */
  templatesDir?: string | null;
}

/**
 * Render a response letter as Markdown. Throws a TemplateError (file, line, name) for any
 * template problem, and an UnknownTemplateError for an unknown template name.
 */
export function renderLetter(view: LetterView, opts: RenderOptions = {}): string {
  const set = loadTemplateSet(opts.templatesDir);
  const p = prepare(set);
  const name = (opts.template ?? defaultTemplateFor(view)).replace(/\.hbs$/, '');
  const t = set.templates.get(name);
  if (!t) throw new UnknownTemplateError(name, set.templates.keys());
  const issues = blockingIssues(p, name);
  if (issues.length) {
    const first = issues[0];
    throw new TemplateError(first.file, first.line, first.message, nameSubject(first.message), issues.map(formatIssue));
  }
  const fn = p.render.get(name)!;
  return normaliseMarkdown(fn(view, { partials: p.partialFns }));
}
