/**
 * Personal data stays off the disclosure log (FOIA s.40, UK GDPR). Three layers:
 *
 * 1. Structure: the site is built from the answer record's structured data, and the letter text it
 *    shows starts after the greeting and stops before the sign-off, so the address block, the
 *    "Dear …" line and the signature never reach a page, a feed, the search index or the DOCX.
 * 2. Redaction: anything left that matches the requester's name or an identifying address line
 *    (in the text or in its Markdown-escaped form, case- and spacing-insensitive) is replaced.
 * 3. A final scan of every file of the site for the same strings (raw, HTML-, XML-, JSON- and
 *    Markdown-escaped): a copied file that holds them is left out; a generated one is a bug.
 *
 * An address line that is a single word (a town, a county) identifies no one and would blank out
 * place names in the tables, so it is removed with the address block but not redacted elsewhere.
 */
import { unzipSync, strFromU8 } from 'fflate';
import { markdownEscape } from '../core/markdown-escape.js';
import { escapeHtml } from './html.js';

export interface Requester {
  name: string | null;
  address: string[];
}

export const NAME_REMOVED = '[name removed]';
export const ADDRESS_REMOVED = '[address removed]';

interface Needle {
  text: string;
  replacement: string;
}

/** What identifies the requester: the name, each address line of two or more words or with a digit or "@", and e-mail addresses in them. */
export function personalData(r: Requester): Needle[] {
  const out: Needle[] = [];
  const add = (text: string, replacement: string) => {
    const t = text.trim().replace(/\s+/g, ' ');
    if (t.length >= 2 && !out.some((n) => n.text.toLowerCase() === t.toLowerCase())) out.push({ text: t, replacement });
  };
  if (r.name) add(r.name, NAME_REMOVED);
  for (const line of r.address) {
    const t = line.trim();
    if (/\d|@/.test(t) || /\S\s+\S/.test(t)) add(t, ADDRESS_REMOVED);
    for (const m of t.matchAll(/[^\s<>()[\],;:"']+@[^\s<>()[\],;:"']+/g)) add(m[0], ADDRESS_REMOVED);
  }
  // Longest first, so "1 High Street, London" goes before "1 High Street".
  return out.sort((a, b) => b.text.length - a.text.length || a.text.localeCompare(b.text));
}

function needleRegex(text: string): RegExp {
  const body = text.split(/\s+/).map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('\\s+');
  // Whole words only: "Ann" must not eat "Annual".
  return new RegExp(`(?<![\\p{L}\\p{N}])${body}(?![\\p{L}\\p{N}])`, 'giu');
}

/** Redact the requester's data from plain text. */
export function redactText(s: string, needles: readonly Needle[]): string {
  let out = s;
  for (const n of needles) out = out.replace(needleRegex(n.text), n.replacement);
  return out;
}

/** Redact the requester's data from letter Markdown (raw and Markdown-escaped forms). */
export function redactMarkdown(md: string, needles: readonly Needle[]): string {
  let out = md;
  for (const n of needles) {
    const replacement = markdownEscape(n.replacement);
    for (const form of new Set([markdownEscape(n.text), n.text])) out = out.replace(needleRegex(form), () => replacement);
  }
  return out;
}

const GREETING = /^\s*Dear\b.*,\s*$/;
const SIGN_OFF = /^\s*(Yours (sincerely|faithfully)|(With )?(kind|best) (regards|wishes)|Regards),?\s*$/i;

/**
 * The part of a letter that is published: after the greeting ("Dear …," or the body's own) and before the sign-off
 * ("Yours sincerely,"). A letter without a greeting starts after its "Date" line.
 */
export function letterBody(md: string, salutation: string | null = null): string {
  const lines = md.replace(/\r\n?/g, '\n').split('\n');
  // The body's own greeting for a letter without a name (`salutation:` in the body file), as the letterhead writes it.
  const own = salutation ? `${markdownEscape(salutation)},` : null;
  let start = lines.findIndex((l) => GREETING.test(l) || (own !== null && l.trim() === own));
  if (start < 0) start = lines.findIndex((l) => /^\s*(\*\*)?Date:?(\*\*)?:?\s/.test(l));
  let end = lines.length;
  for (let i = lines.length - 1; i > start; i--) {
    if (SIGN_OFF.test(lines[i]!)) {
      end = i;
      break;
    }
  }
  return lines.slice(start + 1, end).join('\n').replace(/^\s+|\s+$/g, '') + '\n';
}

/** A file's text as the scan sees it: DOCX and XLSX are unzipped and their XML parts joined. */
function scanText(name: string, data: string | Uint8Array): string {
  if (typeof data === 'string') return data;
  if (/\.(docx|xlsx)$/i.test(name)) {
    try {
      const parts = unzipSync(data, { filter: (f) => /\.(xml|rels)$/i.test(f.name) });
      return Object.keys(parts).sort().map((k) => strFromU8(parts[k]!)).join('\n');
    } catch {
      return strFromU8(data, true);
    }
  }
  return Buffer.from(data).toString('utf8');
}

function forms(text: string): string[] {
  const xml = escapeHtml(text).replace(/&#39;/g, '&apos;');
  return [...new Set([text, escapeHtml(text), xml, JSON.stringify(text).slice(1, -1), markdownEscape(text)])]
    .map((f) => f.toLowerCase());
}

/** Which of `needles` (raw, HTML, XML, JSON or Markdown escaped) the file contains. */
export function findPersonalData(name: string, data: string | Uint8Array, needles: readonly Needle[]): string[] {
  if (!needles.length) return [];
  const text = scanText(name, data).toLowerCase();
  return needles.filter((n) => forms(n.text).some((f) => needleRegex(f).test(text))).map((n) => n.text);
}
