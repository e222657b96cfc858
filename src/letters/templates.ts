/**
 * Letter templates: the shipped `templates/` set plus an optional `--templates DIR` that adds or
 * overrides templates (`DIR/*.hbs`) and partials (`DIR/partials/*.hbs`) by file name.
 * Renders a LetterView to Markdown, and checks a template set (`foi templates check`).
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError, knownList } from '../core/errors.js';
import { loadBodyConfig, shippedTemplatesDir } from './body-config.js';
import {
  S,
  TemplateError,
  analyseTemplate,
  compileTemplate,
  parseTemplate,
  precompileCheck,
  templateFromSpec,
  type AnalysisHost,
  type Issue,
  type RenderFn,
  type Shape,
  type ShapeFor,
} from './handlebars-env.js';
import type { BodyView, ExemptionView, LetterView, QuestionView, TableView } from './view-model.js';

import { EXEMPTIONS } from './request.js';

export { shippedTemplatesDir } from './body-config.js';

/** Exemption section → the partial that words it (ExemptionView.partial); one table, in request.ts. */
export const EXEMPTION_PARTIALS: Readonly<Record<string, string>> = Object.freeze(
  Object.fromEntries(Object.entries(EXEMPTIONS).map(([section, e]) => [section, e.partial])),
);

/** The partial every top-level template must include (s.17(7): review and the right to complain). */
export const REVIEW_PARTIAL = 'review-and-ico';

// ---------------------------------------------------------------------------------------------
// The shape of LetterView, for checking the names templates use. Typed with ShapeFor<…> so that
// any change to view-model.ts that is not mirrored here fails to compile.

const str = S.string;
const num = S.number;
const bool = S.boolean;

const TABLE_SHAPE: ShapeFor<TableView> = {
  kind: 'object',
  name: 'TableView',
  fields: {
    financialYear: { kind: 'nullable', of: str },
    caption: { kind: 'nullable', of: str },
    columns: { kind: 'array', of: { kind: 'object', name: 'TableColumnView', fields: { key: str, header: str, align: str } } },
    rows: { kind: 'array', of: { kind: 'array', of: str } },
    totalRow: { kind: 'nullable', of: { kind: 'array', of: str } },
    notes: { kind: 'array', of: str },
    emptyText: { kind: 'nullable', of: str },
    // Typed cells for the workbook (src/output/table-cells.ts); templates print `rows`.
    cells: S.any as unknown as ShapeFor<TableView['cells']>,
    totalCells: S.any as unknown as ShapeFor<TableView['totalCells']>,
  },
};

const EXEMPTION_SHAPE: ShapeFor<ExemptionView> = {
  kind: 'object',
  name: 'ExemptionView',
  fields: {
    section: str,
    partial: str,
    reason: { kind: 'nullable', of: str },
    publishedAt: { kind: 'nullable', of: str },
    publicInterestFor: { kind: 'array', of: str },
    publicInterestAgainst: { kind: 'array', of: str },
  },
};

const QUESTION_SHAPE: ShapeFor<QuestionView> = {
  kind: 'object',
  name: 'QuestionView',
  fields: {
    number: num,
    wording: str,
    outcome: str,
    intro: { kind: 'nullable', of: str },
    tables: { kind: 'array', of: TABLE_SHAPE },
    noMatch: bool,
    notHeldText: { kind: 'nullable', of: str },
    advice: { kind: 'nullable', of: str },
    exemption: { kind: 'nullable', of: EXEMPTION_SHAPE },
    notes: { kind: 'array', of: str },
    sources: { kind: 'array', of: str },
  },
};

const BODY_SHAPE: ShapeFor<BodyView> = {
  kind: 'object',
  name: 'BodyView',
  fields: {
    name: str,
    shortName: str,
    letterhead: str,
    address: { kind: 'array', of: str },
    email: { kind: 'nullable', of: str },
    reviewContact: str,
    nextStepsUrl: str,
    decisionsUrl: { kind: 'nullable', of: str },
    signatory: { kind: 'object', fields: { name: str, title: str } },
    costLimit: { kind: 'object', fields: { amount: str, hours: num } },
    salutation: str,
  },
};

export const LETTER_SHAPE: ShapeFor<LetterView> = {
  kind: 'object',
  name: 'LetterView',
  fields: {
    body: BODY_SHAPE,
    ref: str,
    requester: { kind: 'object', fields: { name: { kind: 'nullable', of: str }, address: { kind: 'array', of: str } } },
    received: str,
    receivedIso: str,
    responseDate: str,
    responseDateIso: str,
    due: str,
    dueIso: str,
    late: bool,
    extension: { kind: 'nullable', of: { kind: 'object', name: 'ExtensionView', fields: { kind: str, notice: str, until: str, section: { kind: 'nullable', of: str } } } },
    outcome: str,
    anyExemption: bool,
    questions: { kind: 'array', of: QUESTION_SHAPE },
  },
};

// ---------------------------------------------------------------------------------------------
// Loading

export type TemplateKind = 'template' | 'partial';

export interface TemplateFileInfo {
  /** Template or partial name: the file name without `.hbs`. */
  name: string;
  kind: TemplateKind;
  /** The file as shown in messages: `templates/partials/question.hbs` or `DIR/partials/x.hbs`. */
  file: string;
  /** Absolute path. */
  path: string;
  origin: 'shipped' | 'override';
  /** For an override: the shipped file it replaces, else null. */
  overrides: string | null;
}

interface TemplateFile extends TemplateFileInfo {
  source: string;
}

interface TemplateSet {
  overrideDir: string | null;
  templates: Map<string, TemplateFile>;
  partials: Map<string, TemplateFile>;
}

function hbsFiles(dir: string): string[] {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.hbs') && statSync(join(dir, f)).isFile())
    .sort();
}

function readInto(set: TemplateSet, dir: string, shown: (rel: string) => string, origin: 'shipped' | 'override'): void {
  for (const [kind, sub] of [['template', ''], ['partial', 'partials']] as const) {
    const d = sub ? join(dir, sub) : dir;
    const map = kind === 'template' ? set.templates : set.partials;
    for (const f of hbsFiles(d)) {
      const name = f.slice(0, -'.hbs'.length);
      const rel = sub ? `${sub}/${f}` : f;
      const prev = map.get(name);
      const source = readFileSync(join(d, f), 'utf8').replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
      map.set(name, { name, kind, file: shown(rel), path: join(d, f), origin, overrides: prev ? prev.file : null, source });
    }
  }
}

/** Letters then partials, each sorted by name. */
function allFiles(set: TemplateSet): TemplateFile[] {
  const byName = (a: TemplateFile, b: TemplateFile) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
  return [...[...set.templates.values()].sort(byName), ...[...set.partials.values()].sort(byName)];
}

function loadTemplateSet(templatesDir: string | null | undefined): TemplateSet {
  const set: TemplateSet = { overrideDir: templatesDir ?? null, templates: new Map(), partials: new Map() };
  readInto(set, shippedTemplatesDir(), (rel) => `templates/${rel}`, 'shipped');
  if (templatesDir != null) {
    if (!existsSync(templatesDir) || !statSync(templatesDir).isDirectory()) {
      throw new UsageError(`--templates ${templatesDir}: not a directory`);
    }
    readInto(set, templatesDir, (rel) => join(templatesDir, rel), 'override');
  }
  return set;
}

/** Names of the letter templates (shipped, plus any added by `templatesDir`), sorted. */
export function listTemplates(templatesDir?: string | null): string[] {
  return [...loadTemplateSet(templatesDir).templates.keys()].sort();
}

/** Every template and partial file in the set (shipped, plus overrides from `templatesDir`): letters first, sorted. */
export function listTemplateFiles(templatesDir?: string | null): TemplateFileInfo[] {
  return allFiles(loadTemplateSet(templatesDir)).map(({ source: _s, ...info }) => info);
}

// ---------------------------------------------------------------------------------------------
// Preparing (parse, analyse, compile), cached by the set's content.

interface Prepared {
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

function issueFromError(e: unknown, file: string): Issue {
  if (e instanceof TemplateError) return { file: e.file, line: e.line, message: e.detail };
  return { file, line: null, message: String((e as Error)?.message ?? e) };
}

/**
 * `thorough` (for `foi templates check`) also precompiles every file up front. Rendering skips
 * that: Handlebars compiles a template on its first render, and compile errors surface there,
 * named by file, so a letter pays only for the templates it uses.
 */
function prepare(set: TemplateSet, thorough = false): Prepared {
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
function blockingIssues(p: Prepared, name: string): Issue[] {
  const a = p.analysis.get(name);
  if (!a) return [];
  const out: Issue[] = [];
  for (const file of a.files) out.push(...(p.fileIssues.get(file) ?? []));
  out.push(...a.issues);
  return out;
}

function formatIssue(i: Issue): string {
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
 * template problem, and a UsageError for an unknown template name.
 */
export function renderLetter(view: LetterView, opts: RenderOptions = {}): string {
  const set = loadTemplateSet(opts.templatesDir);
  const p = prepare(set);
  const name = (opts.template ?? defaultTemplateFor(view)).replace(/\.hbs$/, '');
  const t = set.templates.get(name);
  if (!t) throw new UsageError(`unknown template "${name}" (${knownList(set.templates.keys())})`);
  const issues = blockingIssues(p, name);
  if (issues.length) {
    const first = issues[0];
    throw new TemplateError(first.file, first.line, first.message, nameSubject(first.message), issues.map(formatIssue));
  }
  const fn = p.render.get(name)!;
  return normaliseMarkdown(fn(view, { partials: p.partialFns }));
}

// ---------------------------------------------------------------------------------------------
// Checking

export interface TemplateCheck {
  /** The file as shown in messages. */
  file: string;
  name: string;
  kind: TemplateKind;
  origin: 'shipped' | 'override';
  ok: boolean;
  /** Every problem in this file, one per line (`file line N: …`), or null when ok. */
  message: string | null;
}

/**
 * Check every template and partial: syntax, unknown helpers, missing partials, names not in
 * LetterView (resolved through {{#each}}, {{#with}} and partial contexts), helpers misused,
 * the review/ICO partial present in every letter; then render each letter template against
 * built-in sample letters to catch runtime errors. One entry per file.
 */
export function checkTemplates(templatesDir?: string | null): TemplateCheck[] {
  const set = loadTemplateSet(templatesDir);
  const p = prepare(set, true);
  const byFile = new Map<string, Issue[]>();
  const add = (i: Issue) => {
    const list = byFile.get(i.file) ?? [];
    if (!list.some((x) => x.line === i.line && x.message === i.message)) list.push(i);
    byFile.set(i.file, list);
  };
  for (const list of p.fileIssues.values()) list.forEach(add);
  const visited = new Set<string>();
  for (const a of p.analysis.values()) {
    a.issues.forEach(add);
    a.files.forEach((f) => visited.add(f));
  }
  // Partials no letter uses: still check their helpers and syntax (their data is unknown).
  const host: AnalysisHost = {
    partial: (name) => {
      const f = set.partials.get(name);
      return f ? { file: f.file, ast: p.asts.get(f) ?? null } : null;
    },
    dynamicPartials: () => ({ candidates: [], required: [] }),
  };
  for (const f of set.partials.values()) {
    const ast = p.asts.get(f);
    if (!ast || visited.has(f.file)) continue;
    analyseTemplate(f.file, ast, S.any, host).issues.forEach(add);
  }
  // Render each letter template that passed the static checks against the sample letters.
  const samples = [sampleLetterView('full'), sampleLetterView('sparse')];
  for (const t of set.templates.values()) {
    if (blockingIssues(p, t.name).length) continue;
    for (const view of samples) {
      try {
        const out = normaliseMarkdown(p.render.get(t.name)!(view, { partials: p.partialFns }));
        if (/\[object Object\]|\bundefined\b/.test(out)) {
          add({ file: t.file, line: null, message: `renders "[object Object]" or "undefined" for the sample letter` });
        }
      } catch (e) {
        add(issueFromError(e, t.file));
      }
    }
  }
  return allFiles(set).map((f) => {
    const issues = byFile.get(f.file) ?? [];
    return {
      file: f.file,
      name: f.name,
      kind: f.kind,
      origin: f.origin,
      ok: issues.length === 0,
      message: issues.length ? issues.map(formatIssue).join('\n') : null,
    };
  });
}

// ---------------------------------------------------------------------------------------------
// Sample letters (for `templates check`): every branch of the shipped templates is exercised by
// one of the two variants. Figures are from MOPAC's published FOI responses.

function sampleQuestions(variant: 'full' | 'sparse'): QuestionView[] {
  const full = variant === 'full';
  const table = (fy: string | null, amount: string): TableView => ({
    financialYear: fy,
    caption: full ? 'PTF Home Office Funding (via MOPAC)' : null,
    columns: [
      { key: 'grant', header: 'Name of grant', align: 'left' },
      { key: 'amount', header: 'Grant amount', align: 'right' },
      { key: 'provider', header: 'Service provider', align: 'left' },
      { key: 'nonIntimate', header: 'Provides services for non ex-intimate victims of stalking', align: 'left' },
    ],
    rows: [['Multi-Agency Stalking Interventions Programme (MASIP)', amount, 'Suzy Lamplugh Trust | *SLT*', 'Y']],
    totalRow: full ? ['Total', amount, '', ''] : null,
    notes: full ? ['Note 1: The 2019-20 revised budget includes the 3% efficiency requirement.', 'These figures are budgets, not spend.'] : [],
    emptyText: null,
    // Sample letters make no workbook.
    cells: [],
    totalCells: null,
  });
  const empty = (fy: string): TableView => ({
    financialYear: fy, caption: null, columns: [{ key: 'grant', header: 'Name of grant', align: 'left' }], rows: [], totalRow: null, notes: [],
    emptyText: `No grants matched these criteria in ${fy}.`, cells: [], totalCells: null,
  });
  const exemption = (section: string, extra: Partial<ExemptionView> = {}): ExemptionView => ({
    section,
    partial: EXEMPTION_PARTIALS[section],
    reason: full ? 'Officer reasons for applying the exemption.' : null,
    publishedAt: null,
    publicInterestFor: full ? ['Transparency in the use of public money.'] : [],
    publicInterestAgainst: full ? ['Harm that disclosure would be likely to cause.'] : [],
    ...extra,
  });
  const base = (n: number, outcome: QuestionView['outcome']): QuestionView => ({
    number: n,
    wording: 'Please provide details of grants awarded in the financial years 2017-2018 and 2018-2019\n\n- . For which at least one of the outputs was to provide services to victims of stalking.',
    outcome,
    intro: full ? 'MOPAC awarded one grant to tackle stalking in these years.' : null,
    tables: [],
    noMatch: false,
    notHeldText: null,
    advice: null,
    exemption: null,
    notes: [],
    sources: [],
  });
  return [
    { ...base(1, 'held'), tables: [table(full ? '2017-18' : null, '£139,707'), table('2018-19', '£2,087,431.81'), ...(full ? [empty('2019-20')] : [])], notes: full ? ['* figures rolled over from the previous year'] : [], sources: full ? ['PCD 1653', 'CEOD 03-2019'] : ['PCD 1653'] },
    { ...base(2, 'held'), noMatch: true },
    { ...base(3, 'not_held'), notHeldText: 'MOPAC does not hold this information.', advice: full ? 'The Metropolitan Police Service may hold this information.' : null },
    { ...base(4, 'exempt'), exemption: exemption('21', { publishedAt: full ? 'https://www.london.gov.uk/example_decision' : null }) },
    { ...base(5, 'exempt'), exemption: exemption('40(2)') },
    { ...base(6, 'exempt'), exemption: exemption('43(2)') },
    { ...base(7, 'exempt'), exemption: exemption('31') },
    { ...base(8, 'exempt'), exemption: exemption('38') },
    { ...base(9, 'refused_cost'), advice: full ? 'You may wish to ask about a single financial year.' : null },
  ];
}

/**
 * A built-in LetterView for checking templates: 'full' has every optional value set, 'sparse'
 * has them null or empty. The body is the shipped MOPAC body (with a sample email in 'full').
 */
export function sampleLetterView(variant: 'full' | 'sparse' = 'full'): LetterView {
  const full = variant === 'full';
  const body = loadBodyConfig(null);
  return {
    body: {
      ...body,
      email: full ? 'foi@example.org' : null,
      decisionsUrl: full ? body.decisionsUrl ?? 'https://www.london.gov.uk/' : null,
      address: full ? body.address : [],
    },
    ref: 'FOI 0000',
    requester: { name: full ? 'A Requester' : null, address: full ? ['1 Example Street', 'London'] : [] },
    received: '24 January 2019',
    receivedIso: '2019-01-24',
    responseDate: full ? '1 March 2019' : '21 February 2019',
    responseDateIso: full ? '2019-03-01' : '2019-02-21',
    due: '21 February 2019',
    dueIso: '2019-02-21',
    late: full,
    extension: full ? { kind: 'pit', notice: '20 February 2019', until: '21 March 2019', section: '43(2)' } : null,
    outcome: full ? 'partly_held' : 'refused',
    anyExemption: true,
    questions: sampleQuestions(variant),
  };
}
