/**
 * Letter Markdown -> HTML for the disclosure log, by walking marked's tokens ourselves.
 *
 * marked's own renderer passes raw HTML through and turns any `www.`, `http…` or e-mail text into
 * a link; a grant called `<script>` or `https://evil.example/` must stay text. So: every text is
 * escaped, raw HTML tokens are shown as the text they are, images as their alt text, and a link is
 * only made when its address is one the body configured (next steps, decisions, website, ICO);
 * any other link token shows its text. Tables become real tables: a caption from the question
 * (and year) heading above, `<th scope="col">` headers, the first column as row headers, the
 * "Total" row in `<tfoot>`, right-aligned columns (money) marked `num`, inside a focusable
 * scrolling region so a wide table reflows at 320 px without the page scrolling sideways.
 */
import { Lexer, getDefaults, type Token, type Tokens } from 'marked';
import { escapeHtml } from './html.js';

export interface LetterHtmlOptions {
  /** Addresses that may become links (exact match). */
  allowedLinks: ReadonlySet<string>;
  /** The HTML level the letter's top heading level becomes (default 2: under the page's h1). */
  topHeading?: number;
}

export function lexMarkdown(md: string): Token[] {
  return new Lexer({ ...getDefaults(), gfm: true }).lex(md);
}

type Inline = Token[] | undefined;

/** Plain text of inline tokens (escapes resolved, markup dropped). */
export function inlineText(tokens: Inline): string {
  let out = '';
  for (const t of tokens ?? []) {
    const tok = t as Tokens.Generic;
    if (tok.type === 'br') out += '\n';
    else if (Array.isArray(tok.tokens) && tok.tokens.length) out += inlineText(tok.tokens as Token[]);
    else if (tok.type === 'image') out += (tok as Tokens.Image).text;
    else out += typeof tok.text === 'string' ? tok.text : tok.raw;
  }
  return out;
}

/** Plain text of a whole Markdown document: one line per block, table cells separated by " | ". */
export function markdownToText(md: string): string {
  const lines: string[] = [];
  const walk = (tokens: Token[]) => {
    for (const t of tokens) {
      switch (t.type) {
        case 'space':
        case 'hr':
        case 'def':
          break;
        case 'table': {
          const tt = t as Tokens.Table;
          for (const row of [tt.header, ...tt.rows]) lines.push(row.map((c) => inlineText(c.tokens)).join(' | '));
          break;
        }
        case 'list':
          for (const item of (t as Tokens.List).items) walk(item.tokens);
          break;
        case 'blockquote':
          walk((t as Tokens.Blockquote).tokens);
          break;
        case 'code':
        case 'html':
          lines.push((t as Tokens.Code).text);
          break;
        default: {
          const g = t as Tokens.Generic;
          lines.push(Array.isArray(g.tokens) ? inlineText(g.tokens as Token[]) : String(g.text ?? g.raw ?? ''));
        }
      }
    }
  };
  walk(lexMarkdown(md));
  return lines.map((l) => l.replace(/[ \t]+/g, ' ').trim()).filter(Boolean).join('\n');
}

class LetterRenderer {
  private section = '';
  private subsection = '';
  private captions = new Map<string, number>();
  private tableCount = 0;
  private shift = 0;
  private minDepth = 1;
  private pendingCaption: string | null = null;

  constructor(private readonly opts: LetterHtmlOptions) {}

  render(tokens: Token[]): string {
    const levels = collectHeadingLevels(tokens);
    const top = this.opts.topHeading ?? 2;
    this.minDepth = levels.length ? Math.min(...levels) : 1;
    this.shift = top - this.minDepth;
    return this.blocks(tokens);
  }

  private blocks(tokens: Token[]): string {
    let out = '';
    for (let i = 0; i < tokens.length; i++) {
      // The letters write a table's caption as a paragraph of emphasis just above it: `*PTF Home Office Funding*`.
      const next = tokens.slice(i + 1).find((t) => t.type !== 'space');
      const caption = next?.type === 'table' ? captionText(tokens[i]!) : null;
      if (caption !== null) {
        this.pendingCaption = caption;
        continue;
      }
      out += this.block(tokens[i]!);
    }
    return out;
  }

  private block(t: Token): string {
    switch (t.type) {
      case 'space':
      case 'def':
        return '';
      case 'hr':
        return '<hr>\n';
      case 'heading': {
        const h = t as Tokens.Heading;
        const level = Math.min(6, Math.max(1, h.depth + this.shift));
        const text = inlineText(h.tokens);
        // Captions name the section a table is in: the letter's top heading ("Question 1") and the next ("2017-18").
        if (h.depth === this.minDepth) {
          this.section = text;
          this.subsection = '';
        } else if (h.depth === this.minDepth + 1) this.subsection = text;
        return `<h${level}>${this.inline(h.tokens)}</h${level}>\n`;
      }
      case 'paragraph':
        return `<p>${this.inline((t as Tokens.Paragraph).tokens)}</p>\n`;
      case 'text': {
        const tx = t as Tokens.Text;
        return tx.tokens ? this.inline(tx.tokens) : escapeHtml(tx.text);
      }
      case 'blockquote':
        return `<blockquote>\n${this.blocks((t as Tokens.Blockquote).tokens)}</blockquote>\n`;
      case 'list': {
        const l = t as Tokens.List;
        const tag = l.ordered ? 'ol' : 'ul';
        const start = l.ordered && typeof l.start === 'number' && l.start !== 1 ? ` start="${l.start}"` : '';
        const items = l.items.map((i) => `<li>${this.listItem(i, l.loose)}</li>\n`).join('');
        return `<${tag}${start}>\n${items}</${tag}>\n`;
      }
      case 'code':
        return `<pre><code>${escapeHtml((t as Tokens.Code).text)}</code></pre>\n`;
      case 'html':
        // Raw HTML in a letter is shown as the text it is, never as markup.
        return `<p>${escapeHtml((t as Tokens.HTML).text.trim())}</p>\n`;
      case 'table':
        return this.table(t as Tokens.Table);
      default: {
        const g = t as Tokens.Generic;
        return Array.isArray(g.tokens) ? `<p>${this.inline(g.tokens as Token[])}</p>\n` : `<p>${escapeHtml(String(g.raw ?? ''))}</p>\n`;
      }
    }
  }

  private listItem(item: Tokens.ListItem, loose: boolean): string {
    const inner = item.tokens.map((t) => (t.type === 'text' && loose ? `<p>${this.block(t)}</p>` : this.block(t))).join('');
    return (item.task ? escapeHtml(item.checked ? '[x] ' : '[ ] ') : '') + inner.replace(/\n$/, '');
  }

  inline(tokens: Inline): string {
    let out = '';
    for (const t of tokens ?? []) {
      switch (t.type) {
        case 'text': {
          const tx = t as Tokens.Text;
          out += tx.tokens ? this.inline(tx.tokens) : escapeHtml(tx.text);
          break;
        }
        case 'escape':
          out += escapeHtml((t as Tokens.Escape).text);
          break;
        case 'strong':
          out += `<strong>${this.inline((t as Tokens.Strong).tokens)}</strong>`;
          break;
        case 'em':
          out += `<em>${this.inline((t as Tokens.Em).tokens)}</em>`;
          break;
        case 'del':
          out += `<del>${this.inline((t as Tokens.Del).tokens)}</del>`;
          break;
        case 'codespan':
          out += `<code>${escapeHtml((t as Tokens.Codespan).text)}</code>`;
          break;
        case 'br':
          out += '<br>\n';
          break;
        case 'link': {
          const l = t as Tokens.Link;
          const inner = this.inline(l.tokens);
          out += this.opts.allowedLinks.has(l.href) ? `<a href="${escapeHtml(l.href)}">${inner}</a>` : inner;
          break;
        }
        case 'image':
          out += escapeHtml((t as Tokens.Image).text);
          break;
        case 'html':
          out += escapeHtml((t as Tokens.Tag).text);
          break;
        default: {
          const g = t as Tokens.Generic;
          out += Array.isArray(g.tokens) ? this.inline(g.tokens as Token[]) : escapeHtml(String(g.raw ?? ''));
        }
      }
    }
    return out;
  }

  private moneyCell(c: Tokens.TableCell): string {
    const text = inlineText(c.tokens).trim();
    if (!CO_FUNDED.test(text)) return this.inline(c.tokens);
    return text.split(/(?<=\)) (?=£)/).map((part) => `<span class="line">${escapeHtml(part)}</span>`).join(' ');
  }

  private table(t: Tokens.Table): string {
    this.tableCount++;
    const where = [this.section, this.subsection].filter(Boolean).join(', ');
    let caption = this.pendingCaption ? (where ? `${where}: ${this.pendingCaption}` : this.pendingCaption) : where || `Table ${this.tableCount}`;
    this.pendingCaption = null;
    const seen = (this.captions.get(caption) ?? 0) + 1;
    this.captions.set(caption, seen);
    if (seen > 1) caption += ` (table ${seen})`;
    const id = `table-${this.tableCount}`;
    const cls = (i: number) => (t.align[i] === 'right' ? ' class="num"' : t.align[i] === 'center' ? ' class="centre"' : '');
    const head = t.header.map((c, i) => `<th scope="col"${cls(i)}>${this.inline(c.tokens)}</th>`).join('');
    const cell = (c: Tokens.TableCell, i: number) => (t.align[i] === 'right' ? this.moneyCell(c) : this.inline(c.tokens));
    const row = (cells: Tokens.TableCell[]) =>
      `<tr>${cells.map((c, i) => (i === 0 ? `<th scope="row">${this.inline(c.tokens)}</th>` : `<td${cls(i)}>${cell(c, i)}</td>`)).join('')}</tr>\n`;
    const last = t.rows[t.rows.length - 1];
    const hasTotal = t.rows.length > 1 && last && /^totals?$/i.test(inlineText(last[0]?.tokens).trim());
    const body = hasTotal ? t.rows.slice(0, -1) : t.rows;
    return `<div class="table-wrap" role="region" aria-labelledby="${id}" tabindex="0">\n<table${t.header.length >= 6 ? ' class="wide wider"' : t.header.length >= 4 ? ' class="wide"' : ''}>\n<caption id="${id}">${escapeHtml(caption)}</caption>\n`
      + `<thead><tr>${head}</tr></thead>\n<tbody>\n${body.map(row).join('')}</tbody>\n`
      + (hasTotal ? `<tfoot>\n${row(last)}</tfoot>\n` : '')
      + '</table>\n</div>\n';
  }
}

/** A co-funded amount, `£209,052 (Home Office Grant) £130,996 (LBBD Match Fund)`: one funder per line. */
const CO_FUNDED = /^£[\d,.]+ \([^()]+\)(?: £[\d,.]+ \([^()]+\))+$/;

/** The text of a paragraph that is nothing but emphasis (a table's caption in the letters), else null. */
function captionText(t: Token): string | null {
  if (t.type !== 'paragraph') return null;
  const parts = (t as Tokens.Paragraph).tokens.filter((x) => !(x.type === 'text' && !(x as Tokens.Text).text.trim()));
  return parts.length === 1 && parts[0]!.type === 'em' ? inlineText((parts[0] as Tokens.Em).tokens).trim() : null;
}

function collectHeadingLevels(tokens: Token[]): number[] {
  const out: number[] = [];
  for (const t of tokens) {
    if (t.type === 'heading') out.push((t as Tokens.Heading).depth);
    else if (t.type === 'blockquote') out.push(...collectHeadingLevels((t as Tokens.Blockquote).tokens));
  }
  return out;
}

/** The letter's Markdown as safe HTML (see the module comment for the rules). */
export function letterToHtml(md: string, opts: LetterHtmlOptions): string {
  return new LetterRenderer(opts).render(lexMarkdown(md));
}
