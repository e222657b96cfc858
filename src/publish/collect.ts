/**
 * Read a letters folder (what `foi batch` / `foi answer` write) into the public view of each
 * response marked for publication. Only this module reads the answer records; everything that
 * reaches the site comes from `PublicResponse`, whose texts are already redacted (privacy.ts).
 *
 * Publication: the record's own `publish` (a request log may set it) or else the request file's
 * `publish: true`. Unmarked = not published. Outcome: the record's `outcome` text (a request log
 * may set it) or else derived from the questions' outcomes, as the letter's opening does.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { DataError } from '../core/errors.js';
import { formatLongDate } from '../core/dates.js';
import { markdownEscape } from '../core/markdown-escape.js';
import { ANSWER_FORMAT } from '../letters/answer.js';
import { letterBody, personalData, redactMarkdown, redactText, type Requester } from './privacy.js';

export interface Label {
  key: string;
  label: string;
}

export interface SourceFile {
  /** Name in the site's files/ folder (the letters folder's name). */
  name: string;
  path: string;
  kind: 'csv' | 'xlsx';
  label: string;
}

export interface PublicResponse {
  /** File base name, as `foi batch` names the letter (`FOI-556`): the page is responses/<base>.html. */
  base: string;
  /** The answer record, relative to the letters folder (for messages). */
  source: string;
  reference: string;
  /** The law it was answered under (the request's `regime`). */
  regime: 'foi' | 'eir';
  title: string;
  responseDate: string;
  received: string;
  year: string;
  outcome: Label;
  themes: Label[];
  financialYears: string[];
  /** The requester's words, one per question, redacted. */
  questions: string[];
  /** The published part of the letter (after the greeting, before the sign-off), redacted. */
  bodyMarkdown: string;
  /** The letter's top line (`## MAYOR OF LONDON …`) for the published DOCX, or null. */
  letterheadMarkdown: string | null;
  /** Tables as the letters folder has them (CSV) and the workbook (XLSX) when there is one. */
  files: SourceFile[];
  /** What identifies the requester, for the final scan. */
  personal: ReturnType<typeof personalData>;
}

export interface Collected {
  responses: PublicResponse[];
  /** Answer records found in all. */
  records: number;
  /** References of records not marked for publication. */
  unpublished: string[];
}

const ANSWER_SUFFIX = '.answer.json';

export function findAnswerRecords(dir: string, skip: string | null): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      if (name.startsWith('.') || name === 'node_modules') continue;
      const p = join(d, name);
      if (skip && resolve(p) === skip) continue;
      const st = statSync(p);
      if (st.isDirectory()) walk(p);
      else if (name.endsWith(ANSWER_SUFFIX)) out.push(p);
    }
  };
  walk(dir);
  return out;
}

interface RecordShape {
  reference: string;
  request: {
    requester?: Requester;
    received: string;
    responseDate: string;
    publish?: boolean;
    /** 'eir' when answered under the EIR (foi writes it only then). */
    regime?: unknown;
    questions: { wording: string; outcome: string; criteria: { fy?: string[]; themes?: string[] } | null }[];
  };
  criteria?: { number: number; lines?: unknown[] }[];
  publish?: unknown;
  outcome?: unknown;
  title?: unknown;
}

function readRecord(path: string, shown: string): RecordShape {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    const msg = (e as NodeJS.ErrnoException).code ? (e as Error).message : `not valid JSON (${(e as Error).message})`;
    throw new DataError(`${shown}: cannot read this answer record: ${msg}`);
  }
  const bad = (what: string): never => {
    throw new DataError(`${shown}: not a foi answer record (${what}); answer records are written by foi answer and foi batch`);
  };
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return bad('expected a JSON object');
  const r = data as Record<string, unknown>;
  if (r.format !== ANSWER_FORMAT) bad(`format is ${JSON.stringify(r.format)}, expected "${ANSWER_FORMAT}"`);
  const req = r.request as Record<string, unknown> | undefined;
  if (typeof r.reference !== 'string' || !r.reference.trim()) bad('no reference');
  if (!req || typeof req !== 'object') return bad('no request');
  if (typeof req.received !== 'string' || typeof req.responseDate !== 'string') bad('the request has no received or response date');
  if (!Array.isArray(req.questions) || !req.questions.length) bad('the request has no questions');
  if (req.publish !== undefined && typeof req.publish !== 'boolean') bad('request.publish is not true or false');
  if (r.publish !== undefined && typeof r.publish !== 'boolean') bad('publish is not true or false');
  return data as RecordShape;
}

export function slug(s: string): string {
  return s.toLowerCase().normalize('NFKD').replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '') || 'other';
}

function themeLabel(t: string): string {
  const words = t.replace(/[-_]+/g, ' ').trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

const OUTCOME_LABELS: Record<string, string> = {
  provided: 'Information provided',
  'partly-provided': 'Information provided in part',
  'not-held': 'Information not held',
  withheld: 'Information withheld (exempt)',
  'not-provided': 'Information not provided',
  refused: 'Refused: cost limit (section 12)',
};

/** The response's outcome as the letter's opening sees it: a held question that matched nothing is "not held". */
export function deriveOutcome(rec: RecordShape): Label {
  if (typeof rec.outcome === 'string' && rec.outcome.trim()) return { key: slug(rec.outcome), label: rec.outcome.trim() };
  const outcomes = rec.request.questions.map((q, i) => {
    const lines = rec.criteria?.find((c) => c.number === i + 1)?.lines;
    return (q.outcome === 'held' || q.outcome === 'partly_held') && Array.isArray(lines) && lines.length === 0 ? 'not_held' : q.outcome;
  });
  const all = (o: string) => outcomes.every((x) => x === o);
  const key = all('refused_cost') ? 'refused' : all('held') ? 'provided' : all('not_held') ? 'not-held' : all('exempt') ? 'withheld'
    : outcomes.some((o) => o === 'held' || o === 'partly_held') ? 'partly-provided' : 'not-provided';
  return { key, label: OUTCOME_LABELS[key]! };
}

/** "Title or first question": the record's title (a request log may set one) or the first line of the first question. */
function titleOf(rec: RecordShape): string {
  if (typeof rec.title === 'string' && rec.title.trim()) return rec.title.trim();
  const first = rec.request.questions[0]!.wording.trim().split(/\n/)[0]!.replace(/\s+/g, ' ');
  if (first.length <= 120) return first;
  const cut = first.slice(0, 120);
  return `${cut.slice(0, Math.max(cut.lastIndexOf(' '), 60)).replace(/[\s,;:.]+$/, '')}…`;
}

/** `.q1.csv`, `.q1-2017-18.csv`, `.q1-2.csv`, `.q1-2-2017-18.csv`, `.q1-2-2017-18-3.csv` (as answer.ts names them). */
const CSV_NAME = /^\.q(\d+)(?:-(\d{1,3}))?(?:-(\d{4}-\d{2}))?(?:-(\d+))?\.csv$/;

function tableFiles(names: readonly string[], dir: string, base: string): SourceFile[] {
  const out: SourceFile[] = [];
  for (const name of names) {
    if (!name.startsWith(`${base}.`)) continue;
    const rest = name.slice(base.length);
    const m = CSV_NAME.exec(rest);
    if (m) {
      const label = `Question ${m[1]} table${m[2] ? ` ${m[2]}` : ''}${m[3] ? `, ${m[3]}` : ''}${m[4] ? ` (${m[4]})` : ''}`;
      out.push({ name, path: join(dir, name), kind: 'csv', label });
    } else if (rest === '.xlsx') out.push({ name, path: join(dir, name), kind: 'xlsx', label: 'All tables' });
  }
  // Natural order: q2 before q10.
  return out.sort((a, b) => a.name.localeCompare(b.name, 'en', { numeric: true }));
}

export function collectResponses(lettersDir: string, opts: { skipDir?: string | null; salutation?: string | null } = {}): Collected {
  const root = resolve(lettersDir);
  const files = findAnswerRecords(root, opts.skipDir ? resolve(opts.skipDir) : null);
  if (!files.length) throw new DataError(`${lettersDir}: no answer records (*${ANSWER_SUFFIX}) in this folder; write the letters with foi batch or foi answer first`);
  const responses: PublicResponse[] = [];
  const unpublished: string[] = [];
  const byBase = new Map<string, string>();
  // Each folder is listed once, not once per response.
  const listings = new Map<string, string[]>();
  const listing = (dir: string) => listings.get(dir) ?? listings.set(dir, readdirSync(dir).sort()).get(dir)!;
  for (const path of files) {
    const shown = relative(process.cwd(), path).startsWith('..') ? path : relative(process.cwd(), path) || path;
    const rec = readRecord(path, shown);
    const publish = typeof rec.publish === 'boolean' ? rec.publish : rec.request.publish === true;
    if (!publish) {
      unpublished.push(rec.reference);
      continue;
    }
    const base = basename(path).slice(0, -ANSWER_SUFFIX.length);
    const other = byBase.get(base);
    if (other) throw new DataError(`${shown}: publishes as responses/${base}.html, which ${other} also does (two published responses named ${base})`);
    byBase.set(base, shown);
    const dir = dirname(path);
    const mdPath = join(dir, `${base}.md`);
    if (!existsSync(mdPath)) throw new DataError(`${shown}: its letter ${base}.md is not beside it; run foi batch again to write it`);
    let markdown: string;
    try {
      markdown = readFileSync(mdPath, 'utf8');
    } catch (e) {
      throw new DataError(`${relative(process.cwd(), mdPath) || mdPath}: cannot read the letter: ${(e as Error).message}`);
    }
    const personal = personalData({ name: rec.request.requester?.name ?? null, address: rec.request.requester?.address ?? [] });
    const firstLine = markdown.split('\n')[0] ?? '';
    const themes = new Map<string, Label>();
    const years = new Set<string>();
    for (const q of rec.request.questions) {
      for (const t of q.criteria?.themes ?? []) if (!themes.has(slug(t))) themes.set(slug(t), { key: slug(t), label: redactText(themeLabel(t), personal) });
      for (const y of q.criteria?.fy ?? []) years.add(y);
    }
    const reference = rec.reference.trim();
    responses.push({
      base,
      source: shown.split(sep).join('/'),
      reference,
      regime: rec.request.regime === 'eir' ? 'eir' : 'foi',
      title: redactText(titleOf(rec), personal),
      responseDate: rec.request.responseDate,
      received: rec.request.received,
      year: rec.request.responseDate.slice(0, 4),
      outcome: deriveOutcome(rec),
      themes: [...themes.values()].sort((a, b) => a.label.localeCompare(b.label)),
      financialYears: [...years].sort(),
      questions: rec.request.questions.map((q) => redactText(q.wording.trim(), personal)),
      bodyMarkdown: redactMarkdown(letterBody(markdown, opts.salutation ?? null), personal),
      letterheadMarkdown: /^#{1,6} \S/.test(firstLine) ? redactMarkdown(firstLine, personal) : null,
      files: tableFiles(listing(dir), dir, base),
      personal,
    });
  }
  // Newest first; the reference breaks ties so the order never depends on the file system.
  responses.sort((a, b) => (a.responseDate !== b.responseDate ? (a.responseDate < b.responseDate ? 1 : -1) : a.reference.localeCompare(b.reference, 'en', { numeric: true })));
  return { responses, records: files.length, unpublished: unpublished.sort() };
}

/** The published letter for the DOCX download: letterhead, reference and date, then the published body. */
export function publicLetterMarkdown(r: PublicResponse): string {
  return [r.letterheadMarkdown, `Our ref: ${markdownEscape(r.reference)}`, `**Date:** ${formatLongDate(r.responseDate)}`, r.bodyMarkdown.trimEnd()]
    .filter((x): x is string => !!x)
    .join('\n\n') + '\n';
}
