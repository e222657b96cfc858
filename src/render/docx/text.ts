/**
 * Text helpers for the DOCX writer: HTML character references, characters XML cannot carry, XML
 * escaping as the docx library writes it, the visible text of Markdown inline tokens, and Arial
 * advance widths for sizing table columns.
 */
import type { MarkedToken, Token, Tokens } from 'marked';
import { dropControls } from '../../core/control-chars.js';

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

/** Noncharacters XML 1.0 cannot carry (the C0 controls it cannot carry are among dropControls'). */
const XML_NONCHARACTERS = /[\uFFFE\uFFFF]/g;

/**
 * Text as the DOCX holds it: without the characters Word refuses (the file would not open) and
 * the control and bidirectional override characters no letter carries (src/core/control-chars.ts).
 */
export function clean(s: string): string {
  return dropControls(s).replace(XML_NONCHARACTERS, '');
}

export function xmlEscape(s: string): string {
  return clean(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** The visible text of inline tokens (used for table width estimates and link labels). */
export function plainText(tokens: readonly Token[] | undefined): string {
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

export function linkDisplay(t: Tokens.Link): { label: string; url: string; visible: string; same: boolean } {
  const label = plainText(t.tokens).trim();
  const url = t.href.replace(/^mailto:/i, '');
  const same = label === '' || label === url || label === t.href;
  return { label, url, visible: same ? url : `${label} (${url})`, same };
}

/** Absolute links become real hyperlinks; relative ones ("#x", "page.html") are shown as text only. */
export function isExternalHref(href: string): boolean {
  return /^(https?:|mailto:|ftp:|tel:)/i.test(href);
}

/** A row whose first cell reads "Total" / "Totals" / "Grand total" is a totals row: bold, double rule above. */
export function isTotalRow(row: readonly Tokens.TableCell[]): boolean {
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
export function textWidthTwips(s: string, sizeHalfPoints: number, bold: boolean): number {
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


const XML_ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '"': '&quot;', "'": '&apos;', '<': '&lt;', '>': '&gt;' };

/** Escape text or an attribute value as the docx library writes it (& " ' < > escaped, C0 controls dropped). */
export function xmlValue(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[&"'<>\x00-\x08\x0B\x0C\x0E-\x1F]/g, (c) => XML_ESCAPES[c] ?? '');
}
