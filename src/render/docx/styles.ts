/**
 * House style as docx style options (Normal, Heading1-4, Quote, TableText, TableHeading, CodeBlock,
 * Letterhead, Footer, Verbatim Char) and how a reference .docx's own styles combine with it.
 * Only the package template (package-template.ts) and the tests turn these into XML.
 */
import {
  AlignmentType,
  BorderStyle,
  type IParagraphStyleOptions,
  type ICharacterStyleOptions,
  type IStylesOptions,
} from 'docx';
import { BODY_FONT, CODE_FONT, QUOTE_INDENT } from './model.js';

/** Paragraph styles we define. With a reference .docx, only those it lacks are added. */
export const PARAGRAPH_STYLES: readonly IParagraphStyleOptions[] = [
  {
    id: 'Normal',
    name: 'Normal',
    quickFormat: true,
    run: { font: BODY_FONT, size: 22 },
    paragraph: { spacing: { before: 0, after: 160, line: 264 } },
  },
  {
    id: 'Quote',
    name: 'Quote',
    basedOn: 'Normal',
    next: 'Normal',
    quickFormat: true,
    paragraph: {
      indent: { left: QUOTE_INDENT, right: QUOTE_INDENT },
      border: { left: { style: BorderStyle.SINGLE, size: 12, color: 'A6A6A6', space: 8 } },
      spacing: { after: 120 },
    },
    run: { color: '262626' },
  },
  {
    id: 'TableText',
    name: 'Table Text',
    basedOn: 'Normal',
    quickFormat: true,
    run: { size: 20 },
    paragraph: { spacing: { before: 0, after: 0, line: 240 } },
  },
  {
    id: 'TableHeading',
    name: 'Table Heading',
    basedOn: 'TableText',
    quickFormat: true,
    run: { bold: true },
    paragraph: { keepNext: true },
  },
  {
    id: 'CodeBlock',
    name: 'Code Block',
    basedOn: 'Normal',
    run: { font: CODE_FONT, size: 19 },
    paragraph: { spacing: { after: 120, line: 240 }, indent: { left: 284 } },
  },
  {
    id: 'Letterhead',
    name: 'Letterhead',
    basedOn: 'Normal',
    quickFormat: true,
    run: { bold: true, size: 24, color: '000000' },
    paragraph: {
      alignment: AlignmentType.RIGHT,
      spacing: { before: 0, after: 0, line: 240 },
      border: { bottom: { style: BorderStyle.SINGLE, size: 6, color: '000000', space: 4 } },
    },
  },
  {
    id: 'Footer',
    name: 'footer',
    basedOn: 'Normal',
    run: { size: 17, color: '595959' },
    paragraph: { alignment: AlignmentType.CENTER, spacing: { before: 0, after: 0, line: 240 } },
  },
];

/** Character styles. "Verbatim Char" is the name pandoc and others read as inline code. */
export const CHARACTER_STYLES: readonly ICharacterStyleOptions[] = [
  {
    id: 'VerbatimChar',
    name: 'Verbatim Char',
    run: { font: CODE_FONT, size: 20 },
  },
];

export type DefaultStylesOptions = NonNullable<IStylesOptions['default']>;
export type DefaultStyleKey = 'document' | 'heading1' | 'heading2' | 'heading3' | 'heading4' | 'listParagraph' | 'hyperlink';

/** The style id each default-style key defines in styles.xml (document = w:docDefaults). */
export const DEFAULT_STYLE_IDS: Readonly<Record<DefaultStyleKey, string | null>> = {
  document: null,
  heading1: 'Heading1',
  heading2: 'Heading2',
  heading3: 'Heading3',
  heading4: 'Heading4',
  listParagraph: 'ListParagraph',
  hyperlink: 'Hyperlink',
};

const HEADING_RUN = { font: BODY_FONT, color: '000000', bold: true } as const;

/** docx's built-in default styles (Heading1.. are Word's built-in styles), restyled for a UK letter. */
export const DEFAULT_STYLES: Required<Pick<DefaultStylesOptions, DefaultStyleKey>> = {
  document: {
    run: { font: BODY_FONT, size: 22, language: { value: 'en-GB' } },
    paragraph: { spacing: { after: 160, line: 264 } },
  },
  heading1: {
    run: { ...HEADING_RUN, size: 28 },
    paragraph: { spacing: { before: 240, after: 120 }, keepNext: true, keepLines: true },
  },
  heading2: {
    run: { ...HEADING_RUN, size: 24 },
    paragraph: { spacing: { before: 240, after: 120 }, keepNext: true, keepLines: true },
  },
  heading3: {
    run: { ...HEADING_RUN, size: 22 },
    paragraph: { spacing: { before: 200, after: 80 }, keepNext: true, keepLines: true },
  },
  heading4: {
    run: { ...HEADING_RUN, size: 22, italics: true },
    paragraph: { spacing: { before: 160, after: 80 }, keepNext: true, keepLines: true },
  },
  listParagraph: {
    paragraph: { spacing: { after: 80 } },
  },
  hyperlink: {
    run: { color: '0563C1', underline: {} },
  },
};

/** The styles options for docx: ours, or with a reference .docx, ours only where it has none. */
export function stylesFor(reference: { styleIds: ReadonlySet<string>; hasDocDefaults: boolean } | null) {
  if (!reference) return { default: DEFAULT_STYLES, paragraphStyles: PARAGRAPH_STYLES, characterStyles: CHARACTER_STYLES };
  // With a reference, our defaults only fill gaps: anything it defines wins.
  const defaults = Object.fromEntries(
    (Object.keys(DEFAULT_STYLES) as DefaultStyleKey[])
      .filter((k) => {
        const id = DEFAULT_STYLE_IDS[k];
        return id === null ? !reference.hasDocDefaults : !reference.styleIds.has(id);
      })
      .map((k) => [k, DEFAULT_STYLES[k]]),
  ) as DefaultStylesOptions;
  return {
    default: defaults,
    paragraphStyles: PARAGRAPH_STYLES.filter((s) => !reference.styleIds.has(s.id)),
    characterStyles: CHARACTER_STYLES.filter((s) => !reference.styleIds.has(s.id)),
  };
}
