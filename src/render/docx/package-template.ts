/**
 * The parts of a letter's .docx package that are the same for every letter (styles, settings,
 * font table, theme, content types, package relationships, footnotes and endnotes), and the fixed
 * frames of the parts that are not (document start tag and section properties, numbering.xml's
 * default list, the footer). They are made by the docx library from a one-paragraph document: at
 * build time for the shipped styles (dist/docx-template.json), once per process for a reference
 * .docx. This is the only module that loads docx at run time.
 */
import { Document, Footer, Header, LevelFormat, Packer, PageNumber, Paragraph, TextRun, AlignmentType, type FileChild, type ILevelsOptions } from 'docx';
import { ZipArchive } from '../deterministic-zip.js';
import { FOOTER_LEAD, withPartsZipped, type PackageTemplate } from './package.js';
import {
  BODY_FONT,
  FOOTER_DISTANCE,
  HEADER_DISTANCE,
  LIST_INDENT,
  MARGIN_BOTTOM,
  MARGIN_SIDE,
  MARGIN_TOP,
  NUMBER_FORMATS,
  PAGE_HEIGHT,
  PAGE_WIDTH,
  levelText,
  type ListDefinition,
} from './model.js';
import type { ReferenceStyles } from './reference.js';
import { stylesFor } from './styles.js';

const LEVEL_FORMATS = { decimal: LevelFormat.DECIMAL, lowerLetter: LevelFormat.LOWER_LETTER, lowerRoman: LevelFormat.LOWER_ROMAN } as const;

/** docx level options for one of our list definitions. */
export function listLevels(def: ListDefinition): ILevelsOptions[] {
  return Array.from({ length: 9 }, (_, level) => ({
    level,
    format: def.ordered ? LEVEL_FORMATS[NUMBER_FORMATS[level % 3]!] : LevelFormat.BULLET,
    text: levelText(def.ordered, level),
    start: def.ordered ? def.start : 1,
    alignment: AlignmentType.LEFT,
    style: {
      paragraph: { indent: { left: LIST_INDENT * (level + 1), hanging: LIST_INDENT } },
      ...(def.ordered ? {} : { run: { font: BODY_FONT } }),
    },
  }));
}

export function footerParagraph(lead: string): Paragraph {
  return new Paragraph({
    style: 'Footer',
    children: [new TextRun({ children: [lead, PageNumber.CURRENT, ' of ', PageNumber.TOTAL_PAGES] })],
  });
}

export interface DocxDocumentInput {
  children: FileChild[];
  lists: readonly ListDefinition[];
  footerLead: string;
  /** Letterhead paragraph for the first-page header, or null for none. */
  letterhead: Paragraph | null;
  reference: ReferenceStyles | null;
  title?: string;
  creator?: string;
}

/** A letter as a docx Document: A4, our margins, footer with page numbers, optional letterhead. */
export function docxDocument(input: DocxDocumentInput): Document {
  const footer = () => new Footer({ children: [footerParagraph(input.footerLead)] });
  const styles = stylesFor(input.reference);
  const creator = input.creator ?? 'foi';
  return new Document({
    title: input.title || undefined,
    creator,
    lastModifiedBy: creator,
    revision: 1,
    ...(input.reference ? { externalStyles: input.reference.xml, styles } : { styles }),
    numbering: { config: input.lists.map((d) => ({ reference: d.reference, levels: listLevels(d) })) },
    sections: [
      {
        properties: {
          titlePage: input.letterhead ? true : undefined,
          page: {
            size: { width: PAGE_WIDTH, height: PAGE_HEIGHT },
            margin: {
              top: MARGIN_TOP,
              bottom: MARGIN_BOTTOM,
              left: MARGIN_SIDE,
              right: MARGIN_SIDE,
              header: HEADER_DISTANCE,
              footer: FOOTER_DISTANCE,
              gutter: 0,
            },
          },
        },
        headers: input.letterhead ? { first: new Header({ children: [input.letterhead] }) } : undefined,
        footers: input.letterhead ? { default: footer(), first: footer() } : { default: footer() },
        children: input.children,
      },
    ],
  });
}

function slice(xml: string, re: RegExp, what: string): string {
  const m = re.exec(xml);
  if (!m) throw new Error(`docx package template: no ${what}`);
  return m[0];
}

/** Make the template for letters with or without a letterhead header, with or without a reference .docx. */
export async function buildPackageTemplate(letterhead: boolean, reference: ReferenceStyles | null): Promise<PackageTemplate> {
  const doc = docxDocument({
    children: [new Paragraph({ children: [new TextRun('x')] })],
    lists: [{ reference: 'foi-bullets', ordered: false, start: 1 }],
    footerLead: FOOTER_LEAD,
    letterhead: letterhead ? new Paragraph({ style: 'Letterhead', children: [new TextRun('x')] }) : null,
    reference,
  });
  const packed = await Packer.toBuffer(doc);
  const zip = ZipArchive.read(new Uint8Array(packed.buffer, packed.byteOffset, packed.byteLength));
  const text = (name: string) => zip.getText(name);
  const document = text('word/document.xml');
  const rels = text('word/_rels/document.xml.rels');
  const numbering = text('word/numbering.xml');
  const fontRel = /<Relationship Id="rId(\d+)" Type="[^"]*\/fontTable"/.exec(rels);
  if (!fontRel) throw new Error('docx package template: no font table relationship');
  const footerParts = zip.names().filter((n) => /^word\/footer\d+\.xml$/.test(n)).sort();
  const headerParts = zip.names().filter((n) => /^word\/header\d+\.xml$/.test(n)).sort();
  const header = headerParts.length ? text(headerParts[0]!) : null;
  const variable = new Set(['docProps/core.xml', 'word/document.xml', 'word/_rels/document.xml.rels', 'word/numbering.xml', ...footerParts, ...headerParts]);
  const parts: Record<string, string> = {};
  for (const name of zip.names().sort()) if (!variable.has(name)) parts[name] = text(name);
  return {
    parts,
    documentStart: document.slice(0, document.indexOf('<w:body>')),
    sectPr: slice(document, /<w:sectPr>.*<\/w:sectPr>/s, 'section properties'),
    rels: { start: rels.slice(0, fontRel.index), count: Number(fontRel[1]) - 1 },
    numbering: {
      start: numbering.slice(0, numbering.indexOf('<w:abstractNum ')),
      defaultAbstract: slice(numbering, /<w:abstractNum w:abstractNumId="1"[^>]*>.*?<\/w:abstractNum>/s, 'default list'),
      defaultNum: slice(numbering, /<w:num w:numId="1">.*?<\/w:num>/s, 'default list instance'),
    },
    footer: text(footerParts[0]!),
    footerParts,
    headerStart: header ? header.slice(0, header.indexOf('<w:p>')) : null,
    headerParts,
  };
}

/** Both shipped variants, for dist/docx-template.json (written by the build). */
export async function buildShippedTemplates(): Promise<{ plain: PackageTemplate; letterhead: PackageTemplate }> {
  return { plain: withPartsZipped(await buildPackageTemplate(false, null)), letterhead: withPartsZipped(await buildPackageTemplate(true, null)) };
}
