/**
 * The reference writer: the same document model written through the docx library (Paragraph,
 * TextRun, Table, ExternalHyperlink; Packer), as foi did before it wrote the XML itself. The
 * fast writer in src/render/docx/ must produce the same parts byte for byte.
 */
import {
  AlignmentType,
  BorderStyle,
  ExternalHyperlink,
  Packer,
  Paragraph,
  ShadingType,
  Table,
  TableCell,
  TableLayoutType,
  TableRow,
  TextRun,
  VerticalAlignTable,
  WidthType,
  type FileChild,
  type ParagraphChild,
} from 'docx';
import { ZipArchive } from '../../src/render/deterministic-zip.js';
import { docxDocument } from '../../src/render/docx/package-template.js';
import { footerLead, letterheadParagraph } from '../../src/render/docx/package.js';
import {
  CELL_MARGIN_X,
  CELL_MARGIN_Y,
  TEXT_WIDTH,
  type Block,
  type BorderLine,
  type DocumentModel,
  type Inline,
  type ParagraphNode,
  type RunNode,
  type TableNode,
} from '../../src/render/docx/model.js';

const ALIGN = { left: AlignmentType.LEFT, right: AlignmentType.RIGHT, center: AlignmentType.CENTER } as const;
const border = (b: BorderLine | undefined) =>
  b && { style: b.style === 'double' ? BorderStyle.DOUBLE : BorderStyle.SINGLE, size: b.size, color: b.color, ...(b.space !== undefined ? { space: b.space } : {}) };

function run(r: RunNode): TextRun {
  return new TextRun({
    ...(r.text !== null ? { text: r.text } : {}),
    break: r.break ? 1 : undefined,
    bold: r.bold ? true : undefined,
    italics: r.italics ? true : undefined,
    strike: r.strike ? true : undefined,
    style: r.style,
  });
}

function inline(c: Inline): ParagraphChild {
  return c.kind === 'run' ? run(c) : new ExternalHyperlink({ link: c.href, children: [run(c.run)] });
}

function paragraph(p: ParagraphNode): Paragraph {
  const o = p.props;
  return new Paragraph({
    style: o.style,
    keepNext: o.keepNext ? true : undefined,
    keepLines: o.keepLines ? true : undefined,
    numbering: o.numbering,
    border: o.border && { left: border(o.border.left), bottom: border(o.border.bottom) },
    spacing: o.spacing,
    indent: o.indent,
    alignment: o.align ? ALIGN[o.align] : undefined,
    children: p.children.map(inline),
  });
}

function table(t: TableNode): Table {
  const line = { style: BorderStyle.SINGLE, size: 4, color: '7F7F7F' };
  return new Table({
    rows: t.rows.map(
      (row) =>
        new TableRow({
          tableHeader: row.kind === 'header' ? true : undefined,
          cantSplit: true,
          children: row.cells.map(
            (c, i) =>
              new TableCell({
                width: { size: t.widths[i]!, type: WidthType.DXA },
                verticalAlign: c.kind === 'header' ? VerticalAlignTable.BOTTOM : VerticalAlignTable.TOP,
                ...(c.kind === 'header' ? { shading: { type: ShadingType.CLEAR, color: 'auto', fill: 'E7E6E6' } } : {}),
                ...(c.kind === 'total' ? { borders: { top: { style: BorderStyle.DOUBLE, size: 4, color: '000000' } } } : {}),
                children: [paragraph(c.paragraph)],
              }),
          ),
        }),
    ),
    width: { size: TEXT_WIDTH, type: WidthType.DXA },
    columnWidths: t.widths,
    layout: TableLayoutType.FIXED,
    borders: { top: line, bottom: line, left: line, right: line, insideHorizontal: line, insideVertical: line },
    margins: { top: CELL_MARGIN_Y, bottom: CELL_MARGIN_Y, left: CELL_MARGIN_X, right: CELL_MARGIN_X, marginUnitType: WidthType.DXA },
  });
}

const block = (b: Block): FileChild => (b.kind === 'p' ? paragraph(b) : table(b));

/**
 * docx names hyperlink relationships with random ids (nanoid). Rename every relationship whose id
 * is not docx's sequential `rIdN` to `rIdLinkN`, in the order the .rels file lists them.
 */
function normaliseRelationshipIds(zip: ZipArchive): void {
  for (const relsPath of zip.names()) {
    const m = /^(.+\/)_rels\/([^/]+)\.rels$/.exec(relsPath);
    if (!m || !zip.has(`${m[1]}${m[2]}`)) continue;
    const partPath = `${m[1]}${m[2]}`;
    let rels = zip.getText(relsPath);
    const renames = new Map<string, string>();
    for (const r of rels.matchAll(/\bId="([^"]+)"/g)) if (!/^rId\d+$/.test(r[1]!) && !renames.has(r[1]!)) renames.set(r[1]!, `rIdLink${renames.size + 1}`);
    if (renames.size === 0) continue;
    let xml = zip.getText(partPath);
    for (const [from, to] of renames) {
      rels = rels.split(`Id="${from}"`).join(`Id="${to}"`);
      xml = xml.split(`r:id="${from}"`).join(`r:id="${to}"`);
    }
    zip.set(relsPath, rels);
    zip.set(partPath, xml);
  }
}

/** Every part of the package the docx library makes for `model`, by name (core.xml left out: foi writes its own). */
export async function docxLibraryParts(model: DocumentModel, opts: { footerText?: string | null; letterhead?: string | null }): Promise<Record<string, string>> {
  const letterhead = opts.letterhead?.trim() ? paragraph(letterheadParagraph(opts.letterhead.trim())) : null;
  const doc = docxDocument({ children: model.blocks.map(block), lists: model.lists, footerLead: footerLead(opts.footerText), letterhead, reference: null });
  const packed = await Packer.toBuffer(doc);
  const zip = ZipArchive.read(new Uint8Array(packed.buffer, packed.byteOffset, packed.byteLength));
  normaliseRelationshipIds(zip);
  const out: Record<string, string> = {};
  for (const name of zip.names()) if (name !== 'docProps/core.xml') out[name] = zip.getText(name);
  return out;
}
