/**
 * One answer: request + register -> letter Markdown, DOCX, a CSV per table and the
 * `<ref>.answer.json` record that `foi verify` re-runs. Pure: returns bytes, writes nothing.
 */
import type { Db } from '../db/open.js';
import { DataError } from '../core/errors.js';
import { csvCell } from '../output/listing.js';
import { buildLetter, type Evidence } from './build-view.js';
import type { RequestSpec } from './request.js';
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
}

export interface AnswerFile {
  name: string;
  data: string | Uint8Array;
}

export interface AnswerOutputs {
  baseName: string;
  view: LetterView;
  evidence: Evidence;
  markdown: string;
  files: AnswerFile[];
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
}

/** `FOI 556` -> `FOI-556`: safe on every file system. */
export function fileBaseName(reference: string): string {
  const base = reference.trim().replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[-.]+|-+$/g, '');
  if (!base) throw new DataError(`reference "${reference}" has no letters or digits to name the files by`);
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

export async function produceAnswer(db: Db, req: RequestSpec, opts: AnswerOptions): Promise<AnswerOutputs> {
  const fixed: RequestSpec = { ...req, responseDate: req.responseDate ?? opts.today };
  const { view, evidence } = buildLetter(db, fixed, { body: opts.body, today: opts.today });
  const { renderLetter } = await import('./templates.js');
  const template = opts.template ?? fixed.template ?? null;
  const markdown = renderLetter(view, { template, templatesDir: opts.templatesDir ?? null });
  const baseName = fileBaseName(fixed.reference);
  const record: AnswerRecord = {
    format: ANSWER_FORMAT, reference: fixed.reference, request: fixed, template, due: view.dueIso,
    criteria: evidence.questions, cells: evidence.cells, fingerprint: evidence.fingerprint,
  };
  const files: AnswerFile[] = [{ name: `${baseName}.md`, data: markdown }];
  if (!opts.markdownOnly) {
    const { markdownToDocx } = await import('../render/markdown-to-docx.js');
    const docx = await markdownToDocx(markdown, letterDocxOptions(opts.body, fixed.reference, fixed.responseDate, opts.referenceDocx ?? null));
    files.push({ name: `${baseName}.docx`, data: docx });
  }
  view.questions.forEach((q) => {
    q.tables.forEach((t, i) => {
      const suffix = `q${q.number}${t.financialYear ? `-${t.financialYear}` : q.tables.length > 1 ? `-${i + 1}` : ''}`;
      const lines = [t.columns.map((c) => csvCell(c.header)).join(','), ...t.rows.map((r) => r.map(csvCell).join(','))];
      if (t.totalRow) lines.push(t.totalRow.map(csvCell).join(','));
      files.push({ name: `${baseName}.${suffix}.csv`, data: lines.join('\r\n') + '\r\n' });
    });
  });
  files.push({ name: `${baseName}.answer.json`, data: JSON.stringify(record, null, 2) + '\n' });
  return { baseName, view, evidence, markdown, files };
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
  const key = (c: Evidence['cells'][number]) => [c.question, c.table ?? '', c.grantId, c.recipientId ?? '', c.column].join('\u0000');
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
