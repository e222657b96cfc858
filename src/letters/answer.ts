/**
 * One answer: request + register -> letter Markdown, DOCX, a CSV per table, a workbook of the tables and the
 * `<ref>.answer.json` record that `foi verify` re-runs. Pure: returns bytes, writes nothing.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Db } from '../db/open.js';
import { DataError } from '../core/errors.js';
import { csvCell } from '../output/listing.js';
import { buildLetter, type BuildOptions, type Evidence } from './build-view.js';
import { requestFieldAt, type RequestSpec } from './request.js';
import { UnknownTemplateError } from './template-errors.js';
import type { BodyView, LetterView } from './view-model.js';
import type { DocxOptions } from '../render/markdown-to-docx.js';

export interface AnswerOptions {
  body: BodyView;
  today: string;
  templatesDir?: string | null;
  template?: string | null;
  referenceDocx?: string | null;
  /** Skip the DOCX (preview). */
  markdownOnly?: boolean;
  /**
   * The folder the answer's files go to. A record already there keeps the letter's first response
   * date (so regenerating a sent letter does not re-date it), and must be this reference's.
   */
  outDir?: string | null;
  /** The deadline from the request log (src/log/letters.ts applyLog). */
  deadline?: BuildOptions['deadline'];
  /** The request file the request came from, named in an error about its `template`. */
  requestFile?: string | null;
}

export interface AnswerFile {
  name: string;
  data: string | Uint8Array;
}

export interface AnswerOutputs {
  baseName: string;
  /** Where the response date came from: the request, the letter's earlier answer record, or today. */
  dated: 'request' | 'record' | 'today';
  view: LetterView;
  evidence: Evidence;
  markdown: string;
  files: AnswerFile[];
  /** Figures that differ from the letter's earlier answer record (empty for a new letter). */
  changes: FigureChange[];
}

export const ANSWER_FORMAT = 'foi-answer/1';

export interface AnswerRecord {
  format: typeof ANSWER_FORMAT;
  reference: string;
  /** The request exactly as parsed, with the response date fixed so a re-run gives the same letter. */
  request: RequestSpec;
  template: string | null;
  due: string;
  criteria: Evidence['questions'];
  cells: Evidence['cells'];
  fingerprint: string;
  /** sha256 of each file of this answer (the record is written last): a set from two runs is detectable. */
  files: Record<string, string>;
  /**
   * Earlier versions of this letter whose figures differ, oldest first: a letter that was sent is
   * never erased by regenerating it. Absent until the figures first change.
   */
  versions?: AnswerVersion[];
}

export interface AnswerVersion {
  fingerprint: string;
  responseDate: string | null;
  due: string;
  cells: Evidence['cells'];
}

function sha256(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Longest file base name: leaves room for `.q12-2017-18.csv` and temp-file prefixes under 255 bytes. */
export const MAX_BASE_NAME = 120;

/** `FOI 556` -> `FOI-556`: safe on every file system. */
export function fileBaseName(reference: string): string {
  const base = reference.trim().replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[-.]+|-+$/g, '');
  if (!base) throw new DataError(`reference "${reference}" has no letters or digits to name the files by`);
  if (base.length > MAX_BASE_NAME) {
    throw new DataError(`reference "${reference.slice(0, 40)}…" is ${reference.length} characters long; the letter's files are named after it, so use a reference of at most ${MAX_BASE_NAME} characters`);
  }
  return base;
}

/** How a letter's Markdown becomes its DOCX (also the published copy on the disclosure log). */
export function letterDocxOptions(body: BodyView, reference: string, responseDate: string | null, referenceDocx: string | null): DocxOptions {
  return {
    referenceDocx,
    footerText: `${body.shortName} ${reference}`,
    // The letterhead partial already heads the Markdown; a page header would repeat it.
    letterhead: null,
    title: `Freedom of Information request ${reference}`,
    creator: body.name,
    documentDate: responseDate,
  };
}

/**
 * The answer record already in `dir` for this base name, if any. One that belongs to another
 * reference (`FOI 556` and `FOI/556` both give `FOI-556`) is refused: writing would replace that
 * request's letter.
 */
export function previousRecord(dir: string, baseName: string, reference: string): AnswerRecord | null {
  const path = join(dir, `${baseName}.answer.json`);
  if (!existsSync(path)) return null;
  let record: AnswerRecord;
  try {
    record = JSON.parse(readFileSync(path, 'utf8')) as AnswerRecord;
  } catch (e) {
    throw new DataError(`${path}: cannot read the answer record already there (${(e as Error).message.replace(/\s+/g, ' ')}); move it away or repair it`);
  }
  if (record?.format !== ANSWER_FORMAT) throw new DataError(`${path} is not a foi answer record; it is in the way of ${reference}'s letter`);
  if (record.reference !== reference) {
    throw new DataError(`${path} belongs to "${record.reference}", not "${reference}": both references give the file name ${baseName}; write one of them to another folder (--out) or change its reference`);
  }
  return record;
}

export async function produceAnswer(db: Db, req: RequestSpec, opts: AnswerOptions): Promise<AnswerOutputs> {
  const baseName = fileBaseName(req.reference);
  const previous = opts.outDir ? previousRecord(opts.outDir, baseName, req.reference) : null;
  // A regenerated letter keeps the date it was first written with, unless the request gives one.
  const dated: AnswerOutputs['dated'] = req.responseDate ? 'request' : previous?.request.responseDate ? 'record' : 'today';
  const fixed: RequestSpec = { ...req, responseDate: req.responseDate ?? previous?.request.responseDate ?? opts.today };
  const { view, evidence } = buildLetter(db, fixed, { body: opts.body, today: opts.today, deadline: opts.deadline });
  const { renderLetter } = await import('./templates.js');
  const template = opts.template ?? fixed.template ?? null;
  let markdown: string;
  try {
    markdown = renderLetter(view, { template, templatesDir: opts.templatesDir ?? null });
  } catch (e) {
    // Say where the name came from: the --template option or the request's `template:`.
    if (!(e instanceof UnknownTemplateError)) throw e;
    const where = opts.template ? '--template' : opts.requestFile ? requestFieldAt(opts.requestFile, ['template']) : 'template';
    throw new DataError(`${where}: ${e.message}`);
  }
  const files: AnswerFile[] = [{ name: `${baseName}.md`, data: markdown }];
  if (!opts.markdownOnly) {
    const { markdownToDocx } = await import('../render/markdown-to-docx.js');
    const docx = await markdownToDocx(markdown, letterDocxOptions(opts.body, fixed.reference, fixed.responseDate, opts.referenceDocx ?? null));
    files.push({ name: `${baseName}.docx`, data: docx });
  }
  const used = new Set<string>();
  view.questions.forEach((q) => {
    q.tables.forEach((t, i) => {
      if (!t.rows.length) return; // a year with nothing says so in the letter; there is no table to give
      let suffix = `q${q.number}${t.financialYear ? `-${t.financialYear}` : q.tables.length > 1 ? `-${i + 1}` : ''}`;
      for (let n = 2; used.has(suffix); n++) suffix = `q${q.number}-${i + 1}${t.financialYear ? `-${t.financialYear}` : ''}${n > 2 ? `-${n}` : ''}`;
      used.add(suffix);
      const lines = [t.columns.map((c) => csvCell(c.header)).join(','), ...t.rows.map((r) => r.map(csvCell).join(','))];
      if (t.totalRow) lines.push(t.totalRow.map(csvCell).join(','));
      files.push({ name: `${baseName}.${suffix}.csv`, data: lines.join('\r\n') + '\r\n' });
    });
  });
  if (!opts.markdownOnly) {
    // The tables as one workbook (none when the letter has no tables).
    const { letterWorkbook } = await import('../output/xlsx-letter.js');
    const book = letterWorkbook(view, new Map(evidence.questions.map((q) => [q.number, q.criteria?.years ?? []])));
    if (book) files.push({ name: `${baseName}.xlsx`, data: await (await import('../output/xlsx.js')).writeXlsx(book) });
  }
  const versions = previous?.versions ? [...previous.versions] : [];
  if (previous && previous.fingerprint !== evidence.fingerprint) {
    versions.push({ fingerprint: previous.fingerprint, responseDate: previous.request.responseDate, due: previous.due, cells: previous.cells });
  }
  const record: AnswerRecord = {
    format: ANSWER_FORMAT, reference: fixed.reference, request: fixed, template, due: view.dueIso,
    criteria: evidence.questions, cells: evidence.cells, fingerprint: evidence.fingerprint,
    files: Object.fromEntries(files.map((f) => [f.name, sha256(f.data)])),
    ...(versions.length ? { versions } : {}),
  };
  // The answer record goes last: a set of files whose record is missing or names other bytes was not finished.
  files.push({ name: `${baseName}.answer.json`, data: JSON.stringify(record, null, 2) + '\n' });
  const changes = previous ? diffEvidence(previous.cells, evidence.cells) : [];
  return { baseName, dated, view, evidence, markdown, files, changes };
}

export interface FigureChange {
  question: number;
  table: string | null;
  grantId: string;
  recipientId: string | null;
  column: string;
  before: string | null;
  after: string | null;
}

/** Compare the figures recorded in an answer with a fresh run: which changed, appeared or went. */
export function diffEvidence(before: Evidence['cells'], after: Evidence['cells']): FigureChange[] {
  // Records written before cells named their money lines are compared without them.
  const withLines = before.every((c) => Array.isArray(c.lines));
  const key = (c: Evidence['cells'][number]) =>
    [c.question, c.table ?? '', c.grantId, c.recipientId ?? '', withLines ? (c.lines ?? []).join(',') : '', c.column].join('\u0000');
  const a = new Map(before.map((c) => [key(c), c]));
  const b = new Map(after.map((c) => [key(c), c]));
  const changes: FigureChange[] = [];
  for (const [k, c] of a) {
    const n = b.get(k);
    if (!n) changes.push({ question: c.question, table: c.table, grantId: c.grantId, recipientId: c.recipientId, column: c.column, before: c.value, after: null });
    else if (n.value !== c.value) changes.push({ question: c.question, table: c.table, grantId: c.grantId, recipientId: c.recipientId, column: c.column, before: c.value, after: n.value });
  }
  for (const [k, n] of b) {
    if (!a.has(k)) changes.push({ question: n.question, table: n.table, grantId: n.grantId, recipientId: n.recipientId, column: n.column, before: null, after: n.value });
  }
  return changes;
}
