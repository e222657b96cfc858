/**
 * Letter Markdown -> .docx that opens cleanly in Word and LibreOffice, byte-for-byte reproducible.
 *
 * Markdown is lexed with marked (GFM) and each token is mapped onto docx objects that use *named*
 * styles (Normal, Heading1-4, Quote, TableText, TableHeading, Letterhead, Footer, CodeBlock), so
 * house style can be changed in Word via a reference .docx rather than here.
 *
 * Determinism: docx stamps the clock into docProps/core.xml and into every zip entry, and gives
 * hyperlink relationships random ids. We override core.xml with fixed dates, renumber hyperlink
 * relationship ids in document order, and re-zip with a fixed entry order and a fixed DOS stamp
 * (see deterministic-zip.ts). Nothing here reads the clock or the time zone.
 */
import { readFileSync, statSync } from 'node:fs';
import { resolve as resolvePath } from 'node:path';
import {
  AlignmentType,
  BorderStyle,
  Document,
  ExternalHyperlink,
  Footer,
  Header,
  HeadingLevel,
  LevelFormat,
  Packer,
  PageNumber,
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
  type IParagraphOptions,
  type IParagraphStyleOptions,
  type ICharacterStyleOptions,
  type IStylesOptions,
  type ILevelsOptions,
  type ParagraphChild,
} from 'docx';
import { Lexer, getDefaults, type MarkedToken, type Token, type Tokens } from 'marked';
import { ZipArchive, type ZipStamp } from './deterministic-zip.js';

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

// ---------------------------------------------------------------------------------------------
// Page geometry (twips / DXA: 1/20 pt; 1440 = 1 inch = 2.54 cm)

/** A4 portrait. */
const PAGE_WIDTH = 11906;
const PAGE_HEIGHT = 16838;
const MARGIN_SIDE = 1304; // 2.3 cm
const MARGIN_TOP = 1304;
const MARGIN_BOTTOM = 1247; // 2.2 cm
/** Width available to body text and tables. */
export const TEXT_WIDTH = PAGE_WIDTH - 2 * MARGIN_SIDE; // 9298

const BODY_FONT = 'Arial';
const CODE_FONT = 'Courier New';
const CELL_MARGIN_X = 100;
const CELL_MARGIN_Y = 50;
const LIST_INDENT = 425; // 0.75 cm per level
const QUOTE_INDENT = 567; // 1 cm

// ---------------------------------------------------------------------------------------------
// Styles

/** Paragraph styles we define. With a reference .docx, only those it lacks are added. */
const PARAGRAPH_STYLES: readonly IParagraphStyleOptions[] = [
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
const CHARACTER_STYLES: readonly ICharacterStyleOptions[] = [
  {
    id: 'VerbatimChar',
    name: 'Verbatim Char',
    run: { font: CODE_FONT, size: 20 },
  },
];

type DefaultStylesOptions = NonNullable<IStylesOptions['default']>;
type DefaultStyleKey = 'document' | 'heading1' | 'heading2' | 'heading3' | 'heading4' | 'listParagraph' | 'hyperlink';

/** The style id each default-style key defines in styles.xml (document = w:docDefaults). */
const DEFAULT_STYLE_IDS: Readonly<Record<DefaultStyleKey, string | null>> = {
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
const DEFAULT_STYLES: Required<Pick<DefaultStylesOptions, DefaultStyleKey>> = {
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

// ---------------------------------------------------------------------------------------------
// Reference .docx (cached by absolute path + mtime + size; the bench renders 1,000 letters)

interface ReferenceStyles {
  xml: string;
  styleIds: ReadonlySet<string>;
  hasDocDefaults: boolean;
}

const referenceCache = new Map<string, { key: string; value: ReferenceStyles }>();

function loadReferenceStyles(path: string): ReferenceStyles {
  const abs = resolvePath(path);
  const st = statSync(abs);
  const key = `${st.mtimeMs}:${st.size}`;
  const hit = referenceCache.get(abs);
  if (hit && hit.key === key) return hit.value;
  const archive = ZipArchive.read(new Uint8Array(readFileSync(abs)));
  if (!archive.has('word/styles.xml')) throw new Error(`reference docx ${path} has no word/styles.xml`);
  const xml = archive.getText('word/styles.xml');
  const styleIds = new Set<string>();
  for (const m of xml.matchAll(/<w:style\b[^>]*?\bw:styleId="([^"]*)"/g)) styleIds.add(m[1]!);
  const value = { xml, styleIds, hasDocDefaults: /<w:docDefaults\b/.test(xml) };
  referenceCache.set(abs, { key, value });
  return value;
}

/** Forget cached reference styles (tests). */
export function clearReferenceCache(): void {
  referenceCache.clear();
}

// ---------------------------------------------------------------------------------------------
// Text helpers

const LATIN1_NAMES =
  'nbsp iexcl cent pound curren yen brvbar sect uml copy ordf laquo not shy reg macr deg plusmn sup2 sup3 acute micro para middot cedil sup1 ordm raquo frac14 frac12 frac34 iquest Agrave Aacute Acirc Atilde Auml Aring AElig Ccedil Egrave Eacute Ecirc Euml Igrave Iacute Icirc Iuml ETH Ntilde Ograve Oacute Ocirc Otilde Ouml times Oslash Ugrave Uacute Ucirc Uuml Yacute THORN szlig agrave aacute acirc atilde auml aring aelig ccedil egrave eacute ecirc euml igrave iacute icirc iuml eth ntilde ograve oacute ocirc otilde ouml divide oslash ugrave uacute ucirc uuml yacute thorn yuml'.split(
    ' ',
  );

const NAMED_ENTITIES: Readonly<Record<string, string>> = (() => {
  const map: Record<string, string> = {
    amp: '&', lt: '<', gt: '>', quot: '"', apos: "'",
    ndash: '\u2013', mdash: '\u2014', lsquo: '\u2018', rsquo: '\u2019', sbquo: '\u201A',
    ldquo: '\u201C', rdquo: '\u201D', bdquo: '\u201E', hellip: '\u2026', bull: '\u2022',
    euro: '\u20AC', trade: '\u2122', dagger: '\u2020', Dagger: '\u2021', permil: '\u2030',
    prime: '\u2032', Prime: '\u2033', thinsp: '\u2009', ensp: '\u2002', emsp: '\u2003',
    zwnj: '\u200C', zwj: '\u200D', lrm: '\u200E', rlm: '\u200F', OElig: '\u0152', oelig: '\u0153',
    Scaron: '\u0160', scaron: '\u0161', Yuml: '\u0178', fnof: '\u0192', circ: '\u02C6', tilde: '\u02DC',
    larr: '\u2190', rarr: '\u2192', uarr: '\u2191', darr: '\u2193', harr: '\u2194', minus: '\u2212',
    le: '\u2264', ge: '\u2265', ne: '\u2260', asymp: '\u2248', infin: '\u221E', check: '\u2713',
  };
  LATIN1_NAMES.forEach((name, i) => {
    map[name] = String.fromCharCode(160 + i);
  });
  return map;
})();

/** Decode HTML character references (named, decimal, hex). Unknown names are left as written. */
export function decodeEntities(s: string): string {
  if (!s.includes('&')) return s;
  return s.replace(/&(#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});/g, (whole, body: string) => {
    if (body[0] === '#') {
      const code = body[1] === 'x' || body[1] === 'X' ? parseInt(body.slice(2), 16) : parseInt(body.slice(1), 10);
      if (!Number.isFinite(code) || code === 0 || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return '\uFFFD';
      return String.fromCodePoint(code);
    }
    return NAMED_ENTITIES[body] ?? whole;
  });
}

/** Characters XML 1.0 cannot carry at all; Word refuses the file if they appear. */
// eslint-disable-next-line no-control-regex
const XML_INVALID = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g;

function clean(s: string): string {
  return s.replace(XML_INVALID, '');
}

function xmlEscape(s: string): string {
  return clean(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** The visible text of inline tokens (used for table width estimates and link labels). */
function plainText(tokens: readonly Token[] | undefined): string {
  if (!tokens) return '';
  let out = '';
  for (const tok of tokens) {
    const t = tok as MarkedToken;
    switch (t.type) {
      case 'text':
        out += t.tokens ? plainText(t.tokens) : decodeEntities(t.text);
        break;
      case 'escape':
      case 'codespan':
        out += t.text;
        break;
      case 'br':
        out += ' ';
        break;
      case 'html':
        out += decodeEntities(t.text.replace(/<[^>]*>/g, ''));
        break;
      case 'link':
        out += linkDisplay(t).visible;
        break;
      case 'image':
        out += `[${t.text || 'image'}]`;
        break;
      default:
        if ('tokens' in t && Array.isArray(t.tokens)) out += plainText(t.tokens);
        else if ('text' in t && typeof t.text === 'string') out += decodeEntities(t.text);
    }
  }
  return out;
}

function linkDisplay(t: Tokens.Link): { label: string; url: string; visible: string; same: boolean } {
  const label = plainText(t.tokens).trim();
  const url = t.href.replace(/^mailto:/i, '');
  const same = label === '' || label === url || label === t.href;
  return { label, url, visible: same ? url : `${label} (${url})`, same };
}

/** Absolute links become real hyperlinks; relative ones ("#x", "page.html") are shown as text only. */
function isExternalHref(href: string): boolean {
  return /^(https?:|mailto:|ftp:|tel:)/i.test(href);
}

/** A row whose first cell reads "Total" / "Totals" / "Grand total" is a totals row: bold, double rule above. */
function isTotalRow(row: readonly Tokens.TableCell[]): boolean {
  return /^(grand\s+)?totals?\b/i.test(plainText(row[0]?.tokens).trim());
}

// Arial (= Helvetica metrics; Liberation Sans is metric-compatible) advance widths per 1000 em,
// for ASCII 32..126, used to size table columns from their content.
// prettier-ignore
const ARIAL_REGULAR = [
  278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278, // space ! " # $ % & ' ( ) * + , - . /
  556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556, // 0-9 : ; < = > ?
  1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778, // @ A-O
  667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556, // P-Z [ \ ] ^ _
  333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556, // ` a-o
  556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584, // p-z { | } ~
];
// prettier-ignore
const ARIAL_BOLD = [
  278, 333, 474, 556, 556, 889, 722, 238, 333, 333, 389, 584, 278, 333, 278, 278,
  556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 333, 333, 584, 584, 584, 611,
  975, 722, 722, 722, 722, 667, 611, 778, 722, 278, 556, 722, 611, 833, 722, 778,
  667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 333, 278, 333, 584, 556,
  333, 556, 611, 556, 611, 556, 333, 611, 611, 278, 278, 556, 278, 889, 611, 611,
  611, 611, 389, 556, 333, 611, 556, 778, 556, 556, 500, 389, 280, 389, 584,
];

/** Estimated width in twips of `s` in Arial at `sizeHalfPoints`, with 4% to spare. */
function textWidthTwips(s: string, sizeHalfPoints: number, bold: boolean): number {
  const table = bold ? ARIAL_BOLD : ARIAL_REGULAR;
  let units = 0;
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (c >= 32 && c <= 126) units += table[c - 32]!;
    else if (c === 0xa0) units += 278;
    else if (c >= 0x2000 && c <= 0x206f) units += 1000; // dashes, quotes, ellipsis: generous
    else units += bold ? 611 : 556; // £, €, accented letters and the rest
  }
  // em in twips = size in points * 20 = half-points * 10
  return Math.ceil((units / 1000) * sizeHalfPoints * 10 * 1.04);
}

/** What a table column would like: its one-line width, and the least it can take (longest word). */
export interface ColumnMeasure {
  /** Width with every cell on one line, header included. */
  natural: number;
  /** Width with only the header's longest word on one line (headers may wrap). */
  naturalWrappedHeader?: number;
  /** Width of the longest unbreakable word in any cell. */
  minimum: number;
}

/**
 * Column widths (DXA) summing exactly to `total`.
 *
 * When every column fits on one line, the spare width is shared in proportion. Otherwise narrow
 * columns (dates, amounts, Y/N) get their natural width first, as long as it is no more than an equal
 * share of what is left, and the wide text columns share the rest in proportion to their natural
 * width, never below their longest word. Pure and deterministic.
 */
export function computeColumnWidths(columns: readonly ColumnMeasure[], total: number): number[] {
  const n = columns.length;
  if (n === 0) return [];
  const full = columns.map((c) => Math.max(1, c.natural));
  const sumFull = full.reduce((a, b) => a + b, 0);
  let raw: number[];
  if (sumFull <= total) {
    raw = full.map((w) => w + ((total - sumFull) * w) / sumFull);
  } else {
    const nat = columns.map((c, i) => Math.max(1, Math.min(full[i]!, c.naturalWrappedHeader ?? full[i]!)));
    const min = columns.map((c, i) => Math.max(1, Math.min(c.minimum, nat[i]!)));
    const sumMin = min.reduce((a, b) => a + b, 0);
    if (sumMin >= total) {
      raw = min.map((w) => (w * total) / sumMin);
    } else {
      raw = new Array<number>(n).fill(0);
      const fixed = new Set<number>();
      // Satisfy the narrowest columns first while each fits in a fair share of what remains.
      const byNatural = nat.map((_, i) => i).sort((a, b) => nat[a]! - nat[b]! || a - b);
      let left = total;
      for (const i of byNatural) {
        const share = left / (n - fixed.size);
        if (nat[i]! > share) break;
        raw[i] = nat[i]!;
        left -= nat[i]!;
        fixed.add(i);
      }
      // The rest share what is left by natural width, but never below their minimum.
      let free = nat.map((_, i) => i).filter((i) => !fixed.has(i));
      for (;;) {
        const sumNat = free.reduce((a, i) => a + nat[i]!, 0);
        const below = free.filter((i) => (left * nat[i]!) / sumNat < min[i]!);
        if (below.length === 0 || below.length === free.length) {
          for (const i of free) raw[i] = sumNat > 0 ? (left * nat[i]!) / sumNat : left / free.length;
          break;
        }
        for (const i of below) {
          raw[i] = min[i]!;
          left -= min[i]!;
        }
        free = free.filter((i) => !below.includes(i));
      }
    }
  }
  const widths = raw.map((w) => Math.max(0, Math.floor(w)));
  let rest = total - widths.reduce((a, b) => a + b, 0);
  // Hand the rounding remainder out one twip at a time, widest first, deterministically.
  const order = widths.map((_, i) => i).sort((a, b) => raw[b]! - raw[a]! || a - b);
  for (let k = 0; rest > 0; k = (k + 1) % n, rest--) widths[order[k]!]! += 1;
  return widths;
}

// ---------------------------------------------------------------------------------------------
// Dates and core properties

interface FixedDate {
  iso: string; // YYYY-MM-DDTHH:MM:SSZ
  stamp: ZipStamp;
}

function fixedDate(input: string | null | undefined): FixedDate {
  const s = (input ?? '').trim() || '2000-01-01';
  let m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  let iso: string;
  if (m) {
    iso = `${s}T00:00:00Z`;
  } else if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/.test(s)) {
    // An explicit offset makes parsing independent of the process time zone.
    const t = Date.parse(s);
    if (Number.isNaN(t)) throw new RangeError(`documentDate is not a valid ISO date: ${s}`);
    iso = new Date(t).toISOString().replace(/\.\d{3}Z$/, 'Z');
    m = /^(\d{4})-(\d{2})-(\d{2})/.exec(iso);
  } else {
    throw new RangeError(`documentDate must be YYYY-MM-DD or an ISO date-time with a zone: ${s}`);
  }
  const year = Number(m![1]);
  const month = Number(m![2]);
  const day = Number(m![3]);
  if (month < 1 || month > 12 || day < 1 || day > 31) throw new RangeError(`documentDate out of range: ${s}`);
  return { iso, stamp: { year, month, day } };
}

function coreXml(opts: { title: string; creator: string; iso: string }): string {
  return (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' +
    '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" ' +
    'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" ' +
    'xmlns:dcmitype="http://purl.org/dc/dcmitype/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">' +
    (opts.title ? `<dc:title>${xmlEscape(opts.title)}</dc:title>` : '') +
    `<dc:creator>${xmlEscape(opts.creator)}</dc:creator>` +
    `<cp:lastModifiedBy>${xmlEscape(opts.creator)}</cp:lastModifiedBy>` +
    '<cp:revision>1</cp:revision>' +
    `<dcterms:created xsi:type="dcterms:W3CDTF">${opts.iso}</dcterms:created>` +
    `<dcterms:modified xsi:type="dcterms:W3CDTF">${opts.iso}</dcterms:modified>` +
    '</cp:coreProperties>'
  );
}

/**
 * docx names hyperlink relationships with random ids (nanoid). Rename every relationship whose id
 * is not docx's sequential `rIdN` to `rIdLinkN`, in the order the .rels file lists them (document
 * order), in both the .rels file and the part it belongs to.
 */
function normaliseRelationshipIds(zip: ZipArchive): void {
  for (const relsPath of zip.names()) {
    const m = /^(.+\/)_rels\/([^/]+)\.rels$/.exec(relsPath);
    if (!m) continue; // the package-level _rels/.rels has fixed ids
    const partPath = `${m[1]}${m[2]}`;
    if (!zip.has(partPath)) continue;
    let rels = zip.getText(relsPath);
    const renames = new Map<string, string>();
    for (const r of rels.matchAll(/\bId="([^"]+)"/g)) {
      const id = r[1]!;
      if (!/^rId\d+$/.test(id) && !renames.has(id)) renames.set(id, `rIdLink${renames.size + 1}`);
    }
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

// ---------------------------------------------------------------------------------------------
// Markdown -> docx

interface Fmt {
  bold?: boolean;
  italics?: boolean;
  strike?: boolean;
  code?: boolean;
}

interface BlockCtx {
  /** Blockquote nesting depth. */
  quote: number;
  /** Left indent (DXA) for continuation blocks inside list items. */
  indent: number;
}

interface NumberingLevelSet {
  reference: string;
  levels: ILevelsOptions[];
}

const BULLET_GLYPHS = ['\u2022', '\u2013', '\u25E6'];
const NUMBER_FORMATS = [LevelFormat.DECIMAL, LevelFormat.LOWER_LETTER, LevelFormat.LOWER_ROMAN];

function listLevels(ordered: boolean, start: number): ILevelsOptions[] {
  const levels: ILevelsOptions[] = [];
  for (let level = 0; level < 9; level++) {
    levels.push({
      level,
      format: ordered ? NUMBER_FORMATS[level % 3]! : LevelFormat.BULLET,
      text: ordered ? (level % 3 === 0 ? `%${level + 1}.` : `(%${level + 1})`) : BULLET_GLYPHS[level % 3]!,
      start: ordered ? start : 1,
      alignment: AlignmentType.LEFT,
      style: {
        paragraph: { indent: { left: LIST_INDENT * (level + 1), hanging: LIST_INDENT } },
        ...(ordered ? {} : { run: { font: BODY_FONT } }),
      },
    });
  }
  return levels;
}

class Converter {
  readonly numbering = new Map<string, NumberingLevelSet>();
  private nextInstance = 1;
  /** Set after a table so the next paragraph is not glued to the table's bottom border. */
  private afterTable = false;

  constructor() {
    this.numbering.set('foi-bullets', { reference: 'foi-bullets', levels: listLevels(false, 1) });
  }

  private numberedReference(start: number): string {
    const reference = start === 1 ? 'foi-numbers' : `foi-numbers-from-${start}`;
    if (!this.numbering.has(reference)) this.numbering.set(reference, { reference, levels: listLevels(true, start) });
    return reference;
  }

  private paragraph(opts: IParagraphOptions): Paragraph {
    if (this.afterTable) {
      this.afterTable = false;
      const spacing = { before: 200, ...(opts.spacing ?? {}) };
      return new Paragraph({ ...opts, spacing });
    }
    return new Paragraph(opts);
  }

  // ---- inline

  inline(tokens: readonly Token[] | undefined, fmt: Fmt = {}, out: ParagraphChild[] = []): ParagraphChild[] {
    if (!tokens) return out;
    for (const tok of tokens) {
      const t = tok as MarkedToken;
      switch (t.type) {
        case 'text':
          if (t.tokens && t.tokens.length) this.inline(t.tokens, fmt, out);
          else this.text(decodeEntities(t.text), fmt, out);
          break;
        case 'escape':
          this.text(t.text, fmt, out);
          break;
        case 'strong':
          this.inline(t.tokens, { ...fmt, bold: true }, out);
          break;
        case 'em':
          this.inline(t.tokens, { ...fmt, italics: true }, out);
          break;
        case 'del':
          this.inline(t.tokens, { ...fmt, strike: true }, out);
          break;
        case 'codespan':
          this.text(t.text, { ...fmt, code: true }, out);
          break;
        case 'br':
          out.push(new TextRun({ break: 1 }));
          break;
        case 'link':
          this.link(t, fmt, out);
          break;
        case 'image':
          this.text(`[${t.text || 'image'}]`, fmt, out);
          break;
        case 'html':
          if (/^<br\s*\/?>$/i.test(t.text.trim())) out.push(new TextRun({ break: 1 }));
          else if (!/^<!--/.test(t.text.trim())) this.text(decodeEntities(t.text.replace(/<[^>]*>/g, '')), fmt, out);
          break;
        default: {
          const g = tok as Tokens.Generic;
          if (Array.isArray(g.tokens)) this.inline(g.tokens, fmt, out);
          else if (typeof g.text === 'string') this.text(decodeEntities(g.text), fmt, out);
        }
      }
    }
    return out;
  }

  private run(text: string, fmt: Fmt, style?: string): TextRun {
    return new TextRun({
      text: clean(text),
      bold: fmt.bold ? true : undefined,
      italics: fmt.italics ? true : undefined,
      strike: fmt.strike ? true : undefined,
      style: style ?? (fmt.code ? 'VerbatimChar' : undefined),
    });
  }

  private text(text: string, fmt: Fmt, out: ParagraphChild[]): void {
    // Soft line breaks inside a Markdown paragraph are spaces.
    const s = text.replace(/\r?\n/g, ' ');
    if (s) out.push(this.run(s, fmt));
  }

  private hyperlink(shown: string, href: string, fmt: Fmt): ParagraphChild {
    return new ExternalHyperlink({ link: href, children: [this.run(shown, fmt, 'Hyperlink')] });
  }

  private link(t: Tokens.Link, fmt: Fmt, out: ParagraphChild[]): void {
    const { url, same } = linkDisplay(t);
    const external = isExternalHref(t.href);
    if (same) {
      out.push(external ? this.hyperlink(url, t.href, fmt) : this.run(url, fmt));
      return;
    }
    // Printed letters need the address itself: "label (https://...)", the address clickable.
    this.inline(t.tokens, fmt, out);
    out.push(this.run(' (', fmt));
    out.push(external ? this.hyperlink(url, t.href, fmt) : this.run(url, fmt));
    out.push(this.run(')', fmt));
  }

  // ---- blocks

  blocks(tokens: readonly Token[], ctx: BlockCtx = { quote: 0, indent: 0 }): FileChild[] {
    const out: FileChild[] = [];
    for (const tok of tokens) {
      const t = tok as MarkedToken;
      switch (t.type) {
        case 'space':
        case 'def':
          break;
        case 'heading': {
          const depth = Math.min(4, Math.max(1, t.depth));
          const heading = [HeadingLevel.HEADING_1, HeadingLevel.HEADING_2, HeadingLevel.HEADING_3, HeadingLevel.HEADING_4][
            depth - 1
          ]!;
          out.push(this.paragraph({ heading, children: this.inline(t.tokens) }));
          break;
        }
        case 'paragraph':
        case 'text':
          out.push(this.bodyParagraph(this.inline(t.tokens ?? [{ type: 'text', raw: t.text, text: t.text } as Token]), ctx));
          break;
        case 'blockquote':
          out.push(...this.blocks(t.tokens, { ...ctx, quote: ctx.quote + 1 }));
          break;
        case 'list':
          out.push(...this.list(t, 0, ctx));
          break;
        case 'table':
          // Word joins tables with nothing between them into one table; keep them apart.
          if (out.at(-1) instanceof Table) out.push(new Paragraph({ children: [] }));
          out.push(this.table(t));
          this.afterTable = true;
          break;
        case 'hr':
          out.push(
            this.paragraph({
              children: [],
              spacing: { before: 120, after: 240 },
              border: { bottom: { style: BorderStyle.SINGLE, size: 6, color: '808080', space: 1 } },
            }),
          );
          break;
        case 'code': {
          const children: ParagraphChild[] = [];
          t.text.split(/\r?\n/).forEach((line, i) => {
            children.push(new TextRun({ text: clean(line), break: i > 0 ? 1 : undefined }));
          });
          out.push(this.paragraph({ style: 'CodeBlock', children }));
          break;
        }
        case 'html': {
          const text = decodeEntities(t.text.replace(/<!--[\s\S]*?-->/g, '').replace(/<[^>]*>/g, '')).trim();
          if (text) out.push(this.bodyParagraph([this.run(text.replace(/\s*\n\s*/g, ' '), {})], ctx));
          break;
        }
        default: {
          const g = tok as Tokens.Generic;
          if (Array.isArray(g.tokens)) out.push(this.bodyParagraph(this.inline(g.tokens), ctx));
          else if (typeof g.text === 'string' && g.text.trim())
            out.push(this.bodyParagraph([this.run(decodeEntities(g.text), {})], ctx));
        }
      }
    }
    return out;
  }

  private bodyParagraph(children: ParagraphChild[], ctx: BlockCtx): Paragraph {
    if (ctx.quote > 0) {
      const extra = (ctx.quote - 1) * QUOTE_INDENT;
      return this.paragraph({
        style: 'Quote',
        children,
        ...(ctx.indent || extra ? { indent: { left: ctx.indent + QUOTE_INDENT + extra, right: QUOTE_INDENT } } : {}),
      });
    }
    return this.paragraph({ children, ...(ctx.indent ? { indent: { left: ctx.indent } } : {}) });
  }

  private list(t: Tokens.List, level: number, ctx: BlockCtx): FileChild[] {
    const out: FileChild[] = [];
    const lvl = Math.min(level, 8);
    const reference = t.ordered
      ? this.numberedReference(typeof t.start === 'number' && t.start >= 0 ? t.start : 1)
      : 'foi-bullets';
    const instance = this.nextInstance++;
    const itemIndent = LIST_INDENT * (lvl + 1);
    t.items.forEach((item, index) => {
      const last = index === t.items.length - 1;
      let numbered = false;
      const prefix: ParagraphChild[] = item.task ? [this.run(item.checked ? '\u2612 ' : '\u2610 ', {})] : [];
      for (const child of item.tokens) {
        const c = child as MarkedToken;
        if (!numbered && (c.type === 'text' || c.type === 'paragraph')) {
          numbered = true;
          const runs = [...prefix, ...this.inline(c.tokens ?? [])];
          const spacing = t.loose || (last && level === 0) ? { after: 160 } : { after: 60 };
          out.push(
            this.paragraph({
              children: runs,
              numbering: { reference, level: lvl, instance },
              spacing,
              ...(ctx.quote > 0 ? { style: 'Quote' } : {}),
            }),
          );
          continue;
        }
        if (!numbered) {
          // An item that opens with something other than text (e.g. a nested list): an empty numbered line.
          numbered = true;
          out.push(this.paragraph({ children: prefix, numbering: { reference, level: lvl, instance } }));
        }
        if (c.type === 'list') out.push(...this.list(c, level + 1, ctx));
        else out.push(...this.blocks([child], { ...ctx, indent: itemIndent }));
      }
      if (!numbered) out.push(this.paragraph({ children: prefix, numbering: { reference, level: lvl, instance } }));
    });
    return out;
  }

  private table(t: Tokens.Table): Table {
    const ncols = Math.max(t.header.length, ...t.rows.map((r) => r.length));
    const align = (i: number) => t.align[i] ?? null;
    const pad = 2 * CELL_MARGIN_X + 40;
    const measures: ColumnMeasure[] = Array.from({ length: ncols }, () => ({
      natural: 0,
      naturalWrappedHeader: 0,
      minimum: 0,
    }));
    const longestWord = (text: string, bold: boolean) =>
      text.split(/\s+/).reduce((a, w) => Math.max(a, textWidthTwips(w, 20, bold)), 0);
    t.header.forEach((cell, i) => {
      if (i >= ncols) return;
      const text = plainText(cell.tokens).trim();
      const m = measures[i]!;
      m.natural = textWidthTwips(text, 20, true) + pad;
      m.minimum = m.naturalWrappedHeader = longestWord(text, true) + pad;
    });
    for (const row of t.rows) {
      row.forEach((cell, i) => {
        if (i >= ncols) return;
        const text = plainText(cell.tokens).trim();
        const bold = isTotalRow(row);
        const m = measures[i]!;
        const w = textWidthTwips(text, 20, bold) + pad;
        m.natural = Math.max(m.natural, w);
        m.naturalWrappedHeader = Math.max(m.naturalWrappedHeader!, w);
        m.minimum = Math.max(m.minimum, longestWord(text, bold) + pad);
      });
    }
    const widths = computeColumnWidths(measures, TEXT_WIDTH);

    const border = { style: BorderStyle.SINGLE, size: 4, color: '7F7F7F' };
    const cellAlign = (i: number) => {
      const a = align(i);
      return a === 'right' ? AlignmentType.RIGHT : a === 'center' ? AlignmentType.CENTER : AlignmentType.LEFT;
    };
    const makeCell = (cell: Tokens.TableCell | undefined, i: number, kind: 'header' | 'body' | 'total') =>
      new TableCell({
        width: { size: widths[i]!, type: WidthType.DXA },
        verticalAlign: kind === 'header' ? VerticalAlignTable.BOTTOM : VerticalAlignTable.TOP,
        ...(kind === 'header' ? { shading: { type: ShadingType.CLEAR, color: 'auto', fill: 'E7E6E6' } } : {}),
        ...(kind === 'total'
          ? { borders: { top: { style: BorderStyle.DOUBLE, size: 4, color: '000000' } } }
          : {}),
        children: [
          new Paragraph({
            style: kind === 'header' ? 'TableHeading' : 'TableText',
            alignment: cellAlign(i),
            children: this.inline(cell?.tokens ?? [], kind === 'total' ? { bold: true } : {}),
          }),
        ],
      });

    const rows: TableRow[] = [
      new TableRow({
        tableHeader: true,
        cantSplit: true,
        children: Array.from({ length: ncols }, (_, i) => makeCell(t.header[i], i, 'header')),
      }),
    ];
    for (const r of t.rows) {
      const kind = isTotalRow(r) ? 'total' : 'body';
      rows.push(
        new TableRow({
          cantSplit: true,
          children: Array.from({ length: ncols }, (_, i) => makeCell(r[i], i, kind)),
        }),
      );
    }
    return new Table({
      rows,
      width: { size: TEXT_WIDTH, type: WidthType.DXA },
      columnWidths: widths,
      layout: TableLayoutType.FIXED,
      borders: {
        top: border,
        bottom: border,
        left: border,
        right: border,
        insideHorizontal: border,
        insideVertical: border,
      },
      margins: {
        top: CELL_MARGIN_Y,
        bottom: CELL_MARGIN_Y,
        left: CELL_MARGIN_X,
        right: CELL_MARGIN_X,
        marginUnitType: WidthType.DXA,
      },
    });
  }
}

// ---------------------------------------------------------------------------------------------
// Public API

const LEXER_OPTIONS = () => ({ ...getDefaults(), gfm: true, breaks: false, pedantic: false });

function footerParagraph(text: string | null | undefined): Paragraph {
  const lead = text && text.trim() ? `${clean(text.trim())} \u2014 Page ` : 'Page ';
  return new Paragraph({
    style: 'Footer',
    children: [new TextRun({ children: [lead, PageNumber.CURRENT, ' of ', PageNumber.TOTAL_PAGES] })],
  });
}

function letterheadParagraphs(text: string): Paragraph[] {
  const lines = text.split(/\r?\n/).map((l) => clean(l.trim())).filter(Boolean);
  return [
    new Paragraph({
      style: 'Letterhead',
      children: lines.map((line, i) => new TextRun({ text: line, break: i > 0 ? 1 : undefined })),
    }),
  ];
}

/** Render letter Markdown to .docx bytes. Same input and options always give the same bytes. */
export async function markdownToDocx(markdown: string, opts: DocxOptions = {}): Promise<Uint8Array> {
  const date = fixedDate(opts.documentDate);
  const tokens = Lexer.lex(markdown.replace(/\r\n?/g, '\n'), LEXER_OPTIONS());
  const conv = new Converter();
  const children = conv.blocks(tokens);
  if (children.length === 0) children.push(new Paragraph({ children: [] }));

  const reference = opts.referenceDocx ? loadReferenceStyles(opts.referenceDocx) : null;
  const paragraphStyles = reference
    ? PARAGRAPH_STYLES.filter((s) => !reference.styleIds.has(s.id))
    : PARAGRAPH_STYLES;
  // With a reference, our defaults only fill gaps: anything it defines wins.
  const defaultStyles: DefaultStylesOptions = reference
    ? (Object.fromEntries(
        (Object.keys(DEFAULT_STYLES) as DefaultStyleKey[])
          .filter((k) => {
            const id = DEFAULT_STYLE_IDS[k];
            return id === null ? !reference.hasDocDefaults : !reference.styleIds.has(id);
          })
          .map((k) => [k, DEFAULT_STYLES[k]]),
      ) as DefaultStylesOptions)
    : DEFAULT_STYLES;
  const characterStyles = reference
    ? CHARACTER_STYLES.filter((s) => !reference.styleIds.has(s.id))
    : CHARACTER_STYLES;

  const title = opts.title?.trim() || '';
  const creator = opts.creator?.trim() || 'foi';
  const footer = () => new Footer({ children: [footerParagraph(opts.footerText)] });
  const letterhead = opts.letterhead?.trim() || '';

  const doc = new Document({
    title: title || undefined,
    creator,
    lastModifiedBy: creator,
    revision: 1,
    ...(reference
      ? { externalStyles: reference.xml, styles: { default: defaultStyles, paragraphStyles, characterStyles } }
      : { styles: { default: DEFAULT_STYLES, paragraphStyles, characterStyles } }),
    numbering: {
      config: [...conv.numbering.values()].map((n) => ({ reference: n.reference, levels: n.levels })),
    },
    sections: [
      {
        properties: {
          titlePage: letterhead ? true : undefined,
          page: {
            size: { width: PAGE_WIDTH, height: PAGE_HEIGHT },
            margin: {
              top: MARGIN_TOP,
              bottom: MARGIN_BOTTOM,
              left: MARGIN_SIDE,
              right: MARGIN_SIDE,
              header: 624,
              footer: 567,
              gutter: 0,
            },
          },
        },
        headers: letterhead ? { first: new Header({ children: letterheadParagraphs(letterhead) }) } : undefined,
        footers: letterhead ? { default: footer(), first: footer() } : { default: footer() },
        children,
      },
    ],
  });

  const packed = await Packer.toBuffer(doc, false, [
    { path: 'docProps/core.xml', data: coreXml({ title, creator, iso: date.iso }) },
  ]);
  const zip = ZipArchive.read(new Uint8Array(packed.buffer, packed.byteOffset, packed.byteLength));
  normaliseRelationshipIds(zip);
  return zip.toBytes({
    stamp: date.stamp,
    first: ['docProps/core.xml', 'docProps/app.xml', 'word/document.xml', 'word/_rels/document.xml.rels'],
  });
}
