/**
 * Escaping text for Markdown, so that register values (a provider called `A | B` or `*Trust*`)
 * read literally once rendered. Used by the letter templates and by `--format md` listings.
 */
import { dropControls } from './control-chars.js';

/** Characters that can start Markdown inline syntax anywhere in a line (GFM incl. tables, strikethrough). */
const INLINE_SPECIAL = /[\\`*_[\]<>|#~]/g;

export function isSafeString(v: unknown): v is { toHTML(): string } {
  return typeof v === 'object' && v !== null && typeof (v as { toHTML?: unknown }).toHTML === 'function';
}

/**
 * GFM turns bare `http://`, `https://`, `ftp://`, `www.` and e-mail addresses into links, and
 * `&amp;` into `&`. A backslash before the `:`, the `.`, the `@` or the `&` (all legal Markdown
 * escapes, which render as the character itself) keeps such text literal: a URL in a grant's
 * title prints exactly as written and is never a link.
 */
function defuse(s: string): string {
  return s
    .replace(/\b(https?|ftp|mailto|xmpp)(:)/gi, '$1\\$2')
    .replace(/\b(www)(\.)/gi, '$1\\$2')
    .replace(/([A-Za-z0-9._+-])@(?=[A-Za-z0-9_-])/g, '$1\\@')
    .replace(/&(?=#?[A-Za-z0-9]+;)/g, '\\&');
}

function escapeLine(line: string): string {
  // Leading whitespace means nothing in a letter, and four spaces would start a code block.
  let s = defuse(line.replace(/^[ \t]+/, '').replace(INLINE_SPECIAL, '\\$&'));
  // Block markers that only matter at the start of a line: list items (`- `, `+ `, `1. `, `1) `),
  // setext underlines and thematic breaks (`===`, `---`, `+++`).
  s = s.replace(/^([-+=])(?=[ \t]|$|\1)/, '\\$1');
  s = s.replace(/^(\d{1,9})([.)])(?=[ \t]|$)/, '$1\\$2');
  return s;
}

/**
 * Escape a value for Markdown text so it reads literally once rendered: backslash-escapes
 * `` \ ` * _ [ ] < > | # ~ `` anywhere, `-`/`+`/`=`/`1.` list and heading markers at the
 * start of a line, and what GFM would autolink or decode (URLs, `www.`, e-mail addresses,
 * `&amp;`). Never produces HTML entities: `&` and `'` stay as they are.
 * `null`/`undefined` become ''; a SafeString passes through unescaped (as in Handlebars).
 */
export function markdownEscape(value: unknown): string {
  if (value == null) return '';
  if (isSafeString(value)) return value.toHTML();
  // Control characters and bidirectional overrides are dropped (src/core/control-chars.ts): a
  // letter carries no terminal escapes, data cannot reorder its text, and the Markdown and the
  // Word letter say the same thing.
  const s = dropControls(String(value));
  return s.split('\n').map(escapeLine).join('\n');
}

/** Escape a value for one GFM table cell: Markdown escapes (including `|`), on one line. */
export function markdownCell(value: unknown): string {
  if (value == null) return '';
  const s = String(isSafeString(value) ? value.toHTML() : value).replace(/\s*[\r\n]+\s*/g, ' ').trim();
  return markdownEscape(s);
}

