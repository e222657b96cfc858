/**
 * The document model written as WordprocessingML: word/document.xml's body, numbering.xml and the
 * hyperlink relationships. Hand-written string building, about twenty times faster than the docx
 * library's generic object walk; tests/render/docx-writer.test.ts writes the same models through
 * the docx library and requires identical bytes, so the output is the library's, element for
 * element and attribute for attribute.
 */
import {
  CELL_MARGIN_X,
  CELL_MARGIN_Y,
  LIST_INDENT,
  NUMBER_FORMATS,
  TEXT_WIDTH,
  BODY_FONT,
  levelText,
  type Block,
  type BorderLine,
  type CellNode,
  type Inline,
  type ListDefinition,
  type ParagraphNode,
  type RunNode,
  type TableNode,
} from './model.js';
import { xmlValue } from './text.js';

/** Hyperlinks and list instances met while writing one document. */
export class WriteState {
  /** Hyperlink targets in document order; the n-th is relationship `rIdLink<n>`. */
  readonly links: string[] = [];
  /** `reference\u0000instance` -> concrete numId, in order of first use (numId 1 is docx's default list). */
  readonly nums = new Map<string, { numId: number; reference: string }>();

  numId(reference: string, instance: number): number {
    const key = `${reference}\u0000${instance}`;
    let n = this.nums.get(key);
    if (!n) {
      n = { numId: this.nums.size + 2, reference };
      this.nums.set(key, n);
    }
    return n.numId;
  }
}

const on = (name: string) => `<${name}/>`;

function borderXml(name: string, b: BorderLine): string {
  return `<${name} w:val="${b.style}" w:color="${b.color}" w:sz="${b.size}"${b.space !== undefined ? ` w:space="${b.space}"` : ''}/>`;
}

function paragraphProps(p: ParagraphNode, st: WriteState): string {
  const o = p.props;
  let x = '';
  // docx gives a numbered paragraph without a style the built-in "List Paragraph" style.
  if (o.numbering && !o.style) x += '<w:pStyle w:val="ListParagraph"/>';
  if (o.style) x += `<w:pStyle w:val="${xmlValue(o.style)}"/>`;
  if (o.keepNext) x += on('w:keepNext');
  if (o.keepLines) x += on('w:keepLines');
  if (o.numbering) x += `<w:numPr><w:ilvl w:val="${o.numbering.level}"/><w:numId w:val="${st.numId(o.numbering.reference, o.numbering.instance)}"/></w:numPr>`;
  if (o.border && (o.border.left || o.border.bottom)) {
    x += '<w:pBdr>';
    if (o.border.left) x += borderXml('w:left', o.border.left);
    if (o.border.bottom) x += borderXml('w:bottom', o.border.bottom);
    x += '</w:pBdr>';
  }
  const sp = o.spacing;
  if (sp) {
    x += '<w:spacing';
    if (sp.after !== undefined) x += ` w:after="${sp.after}"`;
    if (sp.before !== undefined) x += ` w:before="${sp.before}"`;
    if (sp.line !== undefined) x += ` w:line="${sp.line}"`;
    x += '/>';
  }
  const ind = o.indent;
  if (ind) {
    x += '<w:ind';
    if (ind.left !== undefined) x += ` w:left="${ind.left}"`;
    if (ind.right !== undefined) x += ` w:right="${ind.right}"`;
    x += '/>';
  }
  if (o.align) x += `<w:jc w:val="${o.align}"/>`;
  return x ? `<w:pPr>${x}</w:pPr>` : '';
}

export function runXml(r: RunNode): string {
  let props = '';
  if (r.style) props += `<w:rStyle w:val="${xmlValue(r.style)}"/>`;
  if (r.bold) props += '<w:b/><w:bCs/>';
  if (r.italics) props += '<w:i/><w:iCs/>';
  if (r.strike) props += '<w:strike/>';
  let x = '<w:r>';
  if (props) x += `<w:rPr>${props}</w:rPr>`;
  if (r.break) x += '<w:br/>';
  if (r.text !== null) x += `<w:t xml:space="preserve">${xmlValue(r.text)}</w:t>`;
  return x + '</w:r>';
}

function inlineXml(c: Inline, st: WriteState): string {
  if (c.kind === 'run') return runXml(c);
  st.links.push(c.href);
  return `<w:hyperlink w:history="1" r:id="rIdLink${st.links.length}">${runXml(c.run)}</w:hyperlink>`;
}

export function paragraphXml(p: ParagraphNode, st: WriteState): string {
  const body = paragraphProps(p, st) + p.children.map((c) => inlineXml(c, st)).join('');
  return body ? `<w:p>${body}</w:p>` : '<w:p/>';
}

const TABLE_BORDER = 'w:val="single" w:color="7F7F7F" w:sz="4"';
const TABLE_PROPS =
  `<w:tblBorders><w:top ${TABLE_BORDER}/><w:left ${TABLE_BORDER}/><w:bottom ${TABLE_BORDER}/><w:right ${TABLE_BORDER}/>` +
  `<w:insideH ${TABLE_BORDER}/><w:insideV ${TABLE_BORDER}/></w:tblBorders><w:tblLayout w:type="fixed"/>` +
  `<w:tblCellMar><w:top w:type="dxa" w:w="${CELL_MARGIN_Y}"/><w:left w:type="dxa" w:w="${CELL_MARGIN_X}"/>` +
  `<w:bottom w:type="dxa" w:w="${CELL_MARGIN_Y}"/><w:right w:type="dxa" w:w="${CELL_MARGIN_X}"/></w:tblCellMar>`;

function cellXml(c: CellNode, width: number, st: WriteState): string {
  let props = `<w:tcW w:type="dxa" w:w="${width}"/>`;
  if (c.kind === 'header') props += '<w:shd w:fill="E7E6E6" w:color="auto" w:val="clear"/>';
  if (c.kind === 'total') props += '<w:tcBorders><w:top w:val="double" w:color="000000" w:sz="4"/></w:tcBorders>';
  props += `<w:vAlign w:val="${c.kind === 'header' ? 'bottom' : 'top'}"/>`;
  return `<w:tc><w:tcPr>${props}</w:tcPr>${paragraphXml(c.paragraph, st)}</w:tc>`;
}

function tableXml(t: TableNode, st: WriteState): string {
  let x = `<w:tbl><w:tblPr><w:tblW w:type="dxa" w:w="${TEXT_WIDTH}"/>${TABLE_PROPS}</w:tblPr><w:tblGrid>`;
  for (const w of t.widths) x += `<w:gridCol w:w="${w}"/>`;
  x += '</w:tblGrid>';
  for (const row of t.rows) {
    x += `<w:tr><w:trPr><w:cantSplit/>${row.kind === 'header' ? '<w:tblHeader/>' : ''}</w:trPr>`;
    row.cells.forEach((c, i) => (x += cellXml(c, t.widths[i]!, st)));
    x += '</w:tr>';
  }
  return x + '</w:tbl>';
}

/** The body's blocks as XML (what goes between <w:body> and the section properties). */
export function blocksXml(blocks: readonly Block[], st: WriteState): string {
  let x = '';
  for (const b of blocks) x += b.kind === 'p' ? paragraphXml(b, st) : tableXml(b, st);
  return x;
}

/** One abstractNum for a list definition, as docx writes it for our level options. */
function abstractNumXml(def: ListDefinition, id: number): string {
  let x = `<w:abstractNum w:abstractNumId="${id}" w15:restartNumberingAfterBreak="0"><w:multiLevelType w:val="hybridMultilevel"/>`;
  for (let level = 0; level < 9; level++) {
    const start = def.ordered ? def.start : 1;
    const fmt = def.ordered ? NUMBER_FORMATS[level % 3]! : 'bullet';
    x += `<w:lvl w:ilvl="${level}" w:tentative="1"><w:start w:val="${start}"/><w:numFmt w:val="${fmt}"/>`;
    x += `<w:lvlText w:val="${xmlValue(levelText(def.ordered, level))}"/><w:lvlJc w:val="left"/>`;
    x += `<w:pPr><w:ind w:left="${LIST_INDENT * (level + 1)}" w:hanging="${LIST_INDENT}"/></w:pPr>`;
    if (!def.ordered) x += `<w:rPr><w:rFonts w:ascii="${BODY_FONT}" w:cs="${BODY_FONT}" w:eastAsia="${BODY_FONT}" w:hAnsi="${BODY_FONT}"/></w:rPr>`;
    x += '</w:lvl>';
  }
  return x + '</w:abstractNum>';
}

/** The parts of numbering.xml that docx writes the same for every document. */
export interface NumberingFrame {
  /** XML declaration and the <w:numbering ...> start tag. */
  start: string;
  /** docx's own default bullet list: abstractNum 1 ... */
  defaultAbstract: string;
  /** ... and num 1. */
  defaultNum: string;
}

/** numbering.xml: docx's default list, then ours (ids from 2 in definition order), then the instances used. */
export function numberingXml(frame: NumberingFrame, lists: readonly ListDefinition[], st: WriteState): string {
  const abstractIds = new Map(lists.map((d, i) => [d.reference, i + 2]));
  const byRef = new Map(lists.map((d) => [d.reference, d]));
  let x = frame.start + frame.defaultAbstract;
  lists.forEach((d, i) => (x += abstractNumXml(d, i + 2)));
  x += frame.defaultNum;
  for (const { numId, reference } of st.nums.values()) {
    const def = byRef.get(reference)!;
    const start = def.ordered ? def.start : 1;
    x += `<w:num w:numId="${numId}"><w:abstractNumId w:val="${abstractIds.get(reference)}"/>`;
    for (let level = 0; level < 9; level++) x += `<w:lvlOverride w:ilvl="${level}"><w:startOverride w:val="${start}"/></w:lvlOverride>`;
    x += '</w:num>';
  }
  return x + '</w:numbering>';
}

const HYPERLINK_TYPE = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink';
const FONT_TABLE_TYPE = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships/fontTable';

/**
 * word/_rels/document.xml.rels: the fixed relationships (rId1..rIdN), the hyperlinks in document
 * order (rIdLink1..), then the font table, numbered after all of them as docx numbers it.
 */
export function documentRelsXml(fixed: { start: string; count: number }, links: readonly string[]): string {
  let x = fixed.start;
  links.forEach((href, i) => (x += `<Relationship Id="rIdLink${i + 1}" Type="${HYPERLINK_TYPE}" Target="${xmlValue(href)}" TargetMode="External"/>`));
  return x + `<Relationship Id="rId${fixed.count + links.length + 1}" Type="${FONT_TABLE_TYPE}" Target="fontTable.xml"/></Relationships>`;
}
