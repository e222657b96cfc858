/**
 * Letter Markdown -> .docx that opens cleanly in Word and LibreOffice, byte-for-byte reproducible.
 *
 * Markdown is lexed with marked (GFM) into a document model of paragraphs, runs and tables that use
 * *named* styles (Normal, Heading1-4, Quote, TableText, TableHeading, Letterhead, Footer,
 * CodeBlock), so house style can be changed in Word via a reference .docx rather than here.
 *
 *   docx/from-markdown.ts   Markdown tokens -> model (lists, tables, links, the closing)
 *   docx/columns.ts         table column widths from content
 *   docx/document-xml.ts    model -> WordprocessingML (hand-written, checked against docx)
 *   docx/package.ts         the package per letter, around the constant parts
 *   docx/package-template.ts the constant parts, made by the docx library (build time, or once
 *                           per process for a reference .docx)
 *
 * Determinism: core.xml carries fixed dates, hyperlink relationships are numbered in document
 * order, and the zip has a fixed entry order and a fixed DOS stamp (see deterministic-zip.ts).
 * Nothing here reads the clock or the time zone.
 */
import { fixedDate } from './docx/core-props.js';
import { markdownToModel } from './docx/from-markdown.js';
import { packDocx } from './docx/package.js';

export { TEXT_WIDTH } from './docx/model.js';
export { computeColumnWidths, type ColumnMeasure } from './docx/columns.js';
export { decodeEntities } from './docx/text.js';
export { clearReferenceCache } from './docx/reference.js';

export interface DocxOptions {
  /** Path to a reference .docx whose styles (word/styles.xml) are used, so house style is changed in Word, not code. */
  referenceDocx?: string | null;
  /** Footer text before the page number, e.g. "MOPAC FOI 556"; footer shows "<text> — Page N of M". */
  footerText?: string | null;
  /** Letterhead line shown in the page header (e.g. "MAYOR OF LONDON OFFICE FOR POLICING AND CRIME"), or null. */
  letterhead?: string | null;
  title?: string | null;
  creator?: string | null;
  /** ISO date stamped as created/modified in docProps/core.xml; default 2000-01-01. Never the clock. */
  documentDate?: string | null;
}

/** Render letter Markdown to .docx bytes. Same input and options always give the same bytes. */
export async function markdownToDocx(markdown: string, opts: DocxOptions = {}): Promise<Uint8Array> {
  const date = fixedDate(opts.documentDate);
  return packDocx(markdownToModel(markdown), {
    referenceDocx: opts.referenceDocx ?? null,
    footerText: opts.footerText ?? null,
    letterhead: opts.letterhead?.trim() || '',
    title: opts.title?.trim() || '',
    creator: opts.creator?.trim() || 'foi',
    date,
  });
}
