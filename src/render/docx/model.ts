/**
 * The letter as WordprocessingML needs it, between Markdown and XML: paragraphs with their
 * properties, runs, hyperlinks and tables. `from-markdown.ts` builds it; `document-xml.ts` writes
 * it as XML (fast, hand-written); the tests also write it through the docx library and compare, so
 * the fast writer stays byte-identical to the library's output.
 */

/** A4 portrait, in twips (DXA: 1/20 pt; 1440 = 1 inch = 2.54 cm). */
export const PAGE_WIDTH = 11906;
export const PAGE_HEIGHT = 16838;
export const MARGIN_SIDE = 1304; // 2.3 cm
export const MARGIN_TOP = 1304;
export const MARGIN_BOTTOM = 1247; // 2.2 cm
export const HEADER_DISTANCE = 624;
export const FOOTER_DISTANCE = 567;
/** Width available to body text and tables. */
export const TEXT_WIDTH = PAGE_WIDTH - 2 * MARGIN_SIDE; // 9298

export const BODY_FONT = 'Arial';
export const CODE_FONT = 'Courier New';
export const CELL_MARGIN_X = 100;
export const CELL_MARGIN_Y = 50;
export const LIST_INDENT = 425; // 0.75 cm per level
export const QUOTE_INDENT = 567; // 1 cm
/** Table cell text size in half-points (Table Text style: 10 pt). */
export const TABLE_FONT_SIZE = 20;

export type Align = 'left' | 'right' | 'center';

export interface BorderLine {
  style: 'single' | 'double';
  /** Eighths of a point. */
  size: number;
  color: string;
  space?: number;
}

export interface ParaProps {
  /** Paragraph style id (Heading1, Quote, TableText, ...); none = Normal. */
  style?: string;
  keepNext?: boolean;
  keepLines?: boolean;
  numbering?: { reference: string; level: number; instance: number };
  border?: { left?: BorderLine; bottom?: BorderLine };
  spacing?: { before?: number; after?: number; line?: number };
  indent?: { left?: number; right?: number };
  align?: Align;
}

export interface RunNode {
  kind: 'run';
  /** Text; null for a run holding only a line break. */
  text: string | null;
  /** A line break (<w:br/>) before the text. */
  break?: boolean;
  bold?: boolean;
  italics?: boolean;
  strike?: boolean;
  /** Character style id (VerbatimChar, Hyperlink). */
  style?: string;
}

export interface LinkNode {
  kind: 'link';
  href: string;
  run: RunNode;
}

export type Inline = RunNode | LinkNode;

export interface ParagraphNode {
  kind: 'p';
  props: ParaProps;
  children: Inline[];
}

export type CellKind = 'header' | 'body' | 'total';

export interface CellNode {
  kind: CellKind;
  paragraph: ParagraphNode;
}

export interface TableNode {
  kind: 'table';
  /** Column widths in DXA, summing to TEXT_WIDTH. */
  widths: number[];
  rows: { kind: CellKind; cells: CellNode[] }[];
}

export type Block = ParagraphNode | TableNode;

/** A numbering definition (one abstractNum): bullets, or numbers starting at `start`. */
export interface ListDefinition {
  reference: string;
  ordered: boolean;
  start: number;
}

export interface DocumentModel {
  blocks: Block[];
  /** Numbering definitions in the order they were first needed (bullets always first). */
  lists: ListDefinition[];
}

export const BULLET_GLYPHS = ['\u2022', '\u2013', '\u25E6'] as const;
export const NUMBER_FORMATS = ['decimal', 'lowerLetter', 'lowerRoman'] as const;

/** Level text of a list level, e.g. "%1." or "(%2)" for numbers, a bullet glyph for bullets. */
export function levelText(ordered: boolean, level: number): string {
  if (!ordered) return BULLET_GLYPHS[level % 3]!;
  return level % 3 === 0 ? `%${level + 1}.` : `(%${level + 1})`;
}
