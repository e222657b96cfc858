/**
 * One letter's .docx package: the per-letter parts (document, numbering, relationships, footer,
 * header, core properties) written by document-xml.ts, beside the constant parts of the package
 * template, which are read (or made) and compressed once per process and then copied as they are.
 */
import { readFileSync } from 'node:fs';
import { ZipArchive } from '../deterministic-zip.js';
import { coreXml, type FixedDate } from './core-props.js';
import { WriteState, blocksXml, documentRelsXml, numberingXml, paragraphXml, type NumberingFrame } from './document-xml.js';
import type { DocumentModel, ParagraphNode } from './model.js';
import { loadReferenceStyles } from './reference.js';
import { clean, xmlValue } from './text.js';

/** Stands for the footer's text (e.g. "MOPAC FOI 556 — Page ") in the template footer. */
export const FOOTER_LEAD = 'FOI_FOOTER_LEAD_PLACEHOLDER';

export interface PackageTemplate {
  /** Constant entries, by part name (empty when `partsZip` holds them). */
  parts: Record<string, string>;
  /** The constant entries already compressed: a zip, base64 (the build writes templates so). */
  partsZip?: string;
  /** word/document.xml up to <w:body>. */
  documentStart: string;
  /** The section properties closing the body (page size, margins, header/footer references). */
  sectPr: string;
  /** word/_rels/document.xml.rels up to the hyperlinks, and how many relationships that is. */
  rels: { start: string; count: number };
  numbering: NumberingFrame;
  /** The whole footer part, with FOOTER_LEAD where its text goes; every footer part is this. */
  footer: string;
  footerParts: string[];
  /** The header part up to its paragraph (null without a letterhead). */
  headerStart: string | null;
  headerParts: string[];
}

/** The text before the page number in the footer. */
export function footerLead(text: string | null | undefined): string {
  return text && text.trim() ? `${clean(text.trim())} \u2014 Page ` : 'Page ';
}

/** The letterhead lines as the first-page header's paragraph. */
export function letterheadParagraph(text: string): ParagraphNode {
  const lines = text.split(/\r?\n/).map((l) => clean(l.trim())).filter(Boolean);
  return { kind: 'p', props: { style: 'Letterhead' }, children: lines.map((line, i) => ({ kind: 'run', text: line, ...(i > 0 ? { break: true } : {}) })) };
}

/** The template with its constant parts compressed into `partsZip`, as the build ships it. */
export function withPartsZipped(t: PackageTemplate): PackageTemplate {
  const zip = new ZipArchive();
  for (const [name, xml] of Object.entries(t.parts)) zip.set(name, xml);
  return { ...t, parts: {}, partsZip: Buffer.from(zip.toBytes()).toString('base64') };
}

interface Compiled {
  template: PackageTemplate;
  /** The constant parts, compressed once. */
  constant: ZipArchive;
}

const compiled = new Map<string, Promise<Compiled>>();

/** The shipped templates made at build time, beside the bundle; null when running from source. */
function shippedTemplates(): { plain: PackageTemplate; letterhead: PackageTemplate } | null {
  try {
    return JSON.parse(readFileSync(new URL('./docx-template.json', import.meta.url), 'utf8'));
  } catch {
    return null;
  }
}

async function makeTemplate(letterhead: boolean, referenceDocx: string | null): Promise<PackageTemplate> {
  if (!referenceDocx) {
    const shipped = shippedTemplates();
    if (shipped) return letterhead ? shipped.letterhead : shipped.plain;
  }
  // Only here does docx load: a reference .docx, or running from source (tests).
  const { buildPackageTemplate } = await import('./package-template.js');
  return buildPackageTemplate(letterhead, referenceDocx ? loadReferenceStyles(referenceDocx) : null);
}

function templateFor(letterhead: boolean, referenceDocx: string | null): Promise<Compiled> {
  // A reference .docx is keyed by its version too, so an edited file is read again.
  const refKey = referenceDocx ? loadReferenceStyles(referenceDocx).key : '';
  const key = `${letterhead ? 'L' : '-'}|${referenceDocx ?? ''}|${refKey}`;
  let hit = compiled.get(key);
  if (!hit) {
    hit = makeTemplate(letterhead, referenceDocx).then((template) => {
      if (template.partsZip) return { template, constant: ZipArchive.read(Buffer.from(template.partsZip, 'base64')) };
      const constant = new ZipArchive();
      for (const [name, xml] of Object.entries(template.parts)) constant.set(name, xml);
      return { template, constant };
    });
    hit.catch(() => compiled.delete(key));
    compiled.set(key, hit);
  }
  return hit;
}

export interface PackOptions {
  referenceDocx: string | null;
  footerText: string | null;
  letterhead: string;
  title: string;
  creator: string;
  date: FixedDate;
}

/** The .docx bytes of a document model. Same model and options, same bytes. */
export async function packDocx(model: DocumentModel, opts: PackOptions): Promise<Uint8Array> {
  const { template: t, constant } = await templateFor(opts.letterhead !== '', opts.referenceDocx);
  const st = new WriteState();
  const body = blocksXml(model.blocks, st);
  const zip = new ZipArchive();
  zip.copyFrom(constant);
  // The letter's own parts are stored, not deflated: a letter's .docx is ~50 KB instead of ~15 KB,
  // and no process spends its first tens of ms compressing (fflate is JavaScript; node:zlib's
  // output may differ between CPUs, which would break byte-identical letters across machines).
  const store = { store: true };
  zip.set('docProps/core.xml', coreXml({ title: opts.title, creator: opts.creator, iso: opts.date.iso }), store);
  zip.set('word/document.xml', `${t.documentStart}<w:body>${body}${t.sectPr}</w:body></w:document>`, store);
  zip.set('word/numbering.xml', numberingXml(t.numbering, model.lists, st), store);
  zip.set('word/_rels/document.xml.rels', documentRelsXml(t.rels, st.links), store);
  const footer = t.footer.replace(FOOTER_LEAD, xmlValue(footerLead(opts.footerText)));
  for (const name of t.footerParts) zip.set(name, footer, store);
  if (t.headerStart !== null) {
    const header = `${t.headerStart}${paragraphXml(letterheadParagraph(opts.letterhead), new WriteState())}</w:hdr>`;
    for (const name of t.headerParts) zip.set(name, header, store);
  }
  return zip.toBytes({
    stamp: opts.date.stamp,
    first: ['docProps/core.xml', 'docProps/app.xml', 'word/document.xml', 'word/_rels/document.xml.rels'],
  });
}
