/**
 * Letter Markdown (marked's GFM tokens) -> the document model: named paragraph styles (Normal,
 * Heading1-4, Quote, TableText, TableHeading, CodeBlock), lists, tables with content-sized columns,
 * and hyperlinks only for real Markdown link tokens (escaped text stays text).
 */
import { Lexer, getDefaults, type MarkedToken, type Token, type Tokens } from 'marked';
import {
  LIST_INDENT,
  QUOTE_INDENT,
  TEXT_WIDTH,
  type Align,
  type Block,
  type CellKind,
  type DocumentModel,
  type Inline,
  type ListDefinition,
  type ParaProps,
  type ParagraphNode,
  type RunNode,
  type TableNode,
} from './model.js';
import { computeColumnWidths, measureTable, mergeMeasures, tableSignature } from './columns.js';
import { clean, decodeEntities, isExternalHref, isTotalRow, linkDisplay } from './text.js';

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

const LEXER_OPTIONS = () => ({ ...getDefaults(), gfm: true, breaks: false, pedantic: false });

/** "Yours sincerely," and the like: the closing, kept on a page with what precedes it. */
const CLOSING = /^(yours\s+(sincerely|faithfully|truly)|kind\s+regards|best\s+regards|with\s+best\s+wishes)\b/i;

export function lexMarkdown(markdown: string): Token[] {
  return Lexer.lex(markdown.replace(/\r\n?/g, '\n'), LEXER_OPTIONS());
}

/** Build the document model of letter Markdown. */
export function markdownToModel(markdown: string): DocumentModel {
  const tokens = lexMarkdown(markdown);
  const conv = new Converter(tableWidths(tokens));
  const blocks = conv.blocks(tokens);
  if (blocks.length === 0) blocks.push({ kind: 'p', props: {}, children: [] });
  keepClosingTogether(blocks);
  return { blocks, lists: [...conv.lists.values()] };
}

/** Every table in the token tree (tables can sit inside quotes and list items). */
function collectTables(tokens: readonly Token[], out: Tokens.Table[] = []): Tokens.Table[] {
  for (const tok of tokens) {
    const t = tok as MarkedToken;
    if (t.type === 'table') out.push(t);
    else if (t.type === 'list') for (const item of t.items) collectTables(item.tokens, out);
    else if ('tokens' in t && Array.isArray(t.tokens) && t.type === 'blockquote') collectTables(t.tokens, out);
  }
  return out;
}

/** Column widths per table signature: tables of the same columns in one letter line up. */
function tableWidths(tokens: readonly Token[]): Map<string, number[]> {
  const measures = new Map<string, ReturnType<typeof measureTable>>();
  for (const t of collectTables(tokens)) {
    const key = tableSignature(t);
    const m = measureTable(t);
    const seen = measures.get(key);
    measures.set(key, seen && seen.length === m.length ? mergeMeasures(seen, m) : m);
  }
  return new Map([...measures].map(([k, m]) => [k, computeColumnWidths(m, TEXT_WIDTH)]));
}

/**
 * The closing ("Yours sincerely," and the signatory lines after it) never starts a page alone:
 * the paragraph before it and the closing keep with the next, the signatory keeps its lines.
 */
function keepClosingTogether(blocks: Block[]): void {
  const at = blocks.findIndex((b) => b.kind === 'p' && CLOSING.test(runText(b)));
  if (at < 0) return;
  const before = blocks[at - 1];
  if (before?.kind === 'p') before.props.keepNext = true;
  for (let i = at; i < blocks.length; i++) {
    const b = blocks[i]!;
    if (b.kind !== 'p') break;
    if (i < blocks.length - 1) b.props.keepNext = true;
    b.props.keepLines = true;
  }
}

function runText(p: ParagraphNode): string {
  return p.children.map((c) => (c.kind === 'run' ? (c.text ?? '') : (c.run.text ?? ''))).join('').trim();
}

const HEADING_STYLES = ['Heading1', 'Heading2', 'Heading3', 'Heading4'] as const;

/** Tables of at most this many rows (header included) are kept on one page. */
const SHORT_TABLE_ROWS = 8;

class Converter {
  /** Numbering definitions by reference, in the order first needed. */
  readonly lists = new Map<string, ListDefinition>();
  private nextInstance = 1;
  /** Set after a table so the next paragraph is not glued to the table's bottom border. */
  private afterTable = false;

  constructor(private readonly widths: ReadonlyMap<string, number[]>) {
    this.lists.set('foi-bullets', { reference: 'foi-bullets', ordered: false, start: 1 });
  }

  private numberedReference(start: number): string {
    const reference = start === 1 ? 'foi-numbers' : `foi-numbers-from-${start}`;
    if (!this.lists.has(reference)) this.lists.set(reference, { reference, ordered: true, start });
    return reference;
  }

  private paragraph(props: ParaProps, children: Inline[]): ParagraphNode {
    if (this.afterTable) {
      this.afterTable = false;
      return { kind: 'p', props: { ...props, spacing: { before: 200, ...(props.spacing ?? {}) } }, children };
    }
    return { kind: 'p', props, children };
  }

  // ---- inline

  inline(tokens: readonly Token[] | undefined, fmt: Fmt = {}, out: Inline[] = []): Inline[] {
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
          out.push({ kind: 'run', text: null, break: true });
          break;
        case 'link':
          this.link(t, fmt, out);
          break;
        case 'image':
          this.text(`[${t.text || 'image'}]`, fmt, out);
          break;
        case 'html':
          if (/^<br\s*\/?>$/i.test(t.text.trim())) out.push({ kind: 'run', text: null, break: true });
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

  private run(text: string, fmt: Fmt, style?: string): RunNode {
    const r: RunNode = { kind: 'run', text: clean(text) };
    if (fmt.bold) r.bold = true;
    if (fmt.italics) r.italics = true;
    if (fmt.strike) r.strike = true;
    const s = style ?? (fmt.code ? 'VerbatimChar' : undefined);
    if (s) r.style = s;
    return r;
  }

  private text(text: string, fmt: Fmt, out: Inline[]): void {
    // Soft line breaks inside a Markdown paragraph are spaces.
    const s = text.replace(/\r?\n/g, ' ');
    if (s) out.push(this.run(s, fmt));
  }

  private hyperlink(shown: string, href: string, fmt: Fmt): Inline {
    return { kind: 'link', href, run: this.run(shown, fmt, 'Hyperlink') };
  }

  private link(t: Tokens.Link, fmt: Fmt, out: Inline[]): void {
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

  blocks(tokens: readonly Token[], ctx: BlockCtx = { quote: 0, indent: 0 }): Block[] {
    const out: Block[] = [];
    for (const tok of tokens) {
      const t = tok as MarkedToken;
      switch (t.type) {
        case 'space':
        case 'def':
          break;
        case 'heading': {
          const depth = Math.min(4, Math.max(1, t.depth));
          out.push(this.paragraph({ style: HEADING_STYLES[depth - 1] }, this.inline(t.tokens)));
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
        case 'table': {
          // Word joins tables with nothing between them into one table; keep them apart.
          const before = out.at(-1);
          if (before?.kind === 'table') out.push({ kind: 'p', props: {}, children: [] });
          // The line introducing a table (a caption, "see the tables below:") stays with it.
          else if (before?.kind === 'p') before.props.keepNext = true;
          out.push(this.table(t));
          this.afterTable = true;
          break;
        }
        case 'hr':
          out.push(
            this.paragraph(
              { spacing: { before: 120, after: 240 }, border: { bottom: { style: 'single', size: 6, color: '808080', space: 1 } } },
              [],
            ),
          );
          break;
        case 'code': {
          const children: Inline[] = t.text
            .split(/\r?\n/)
            .map((line, i): RunNode => ({ kind: 'run', text: clean(line), ...(i > 0 ? { break: true } : {}) }));
          out.push(this.paragraph({ style: 'CodeBlock' }, children));
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
          else if (typeof g.text === 'string' && g.text.trim()) out.push(this.bodyParagraph([this.run(decodeEntities(g.text), {})], ctx));
        }
      }
    }
    return out;
  }

  private bodyParagraph(children: Inline[], ctx: BlockCtx): ParagraphNode {
    if (ctx.quote > 0) {
      const extra = (ctx.quote - 1) * QUOTE_INDENT;
      return this.paragraph(
        { style: 'Quote', ...(ctx.indent || extra ? { indent: { left: ctx.indent + QUOTE_INDENT + extra, right: QUOTE_INDENT } } : {}) },
        children,
      );
    }
    return this.paragraph(ctx.indent ? { indent: { left: ctx.indent } } : {}, children);
  }

  private list(t: Tokens.List, level: number, ctx: BlockCtx): Block[] {
    const out: Block[] = [];
    const lvl = Math.min(level, 8);
    const reference = t.ordered ? this.numberedReference(typeof t.start === 'number' && t.start >= 0 ? t.start : 1) : 'foi-bullets';
    const instance = this.nextInstance++;
    const numbering = { reference, level: lvl, instance };
    const itemIndent = LIST_INDENT * (lvl + 1);
    t.items.forEach((item, index) => {
      const last = index === t.items.length - 1;
      let numbered = false;
      const prefix: Inline[] = item.task ? [this.run(item.checked ? '\u2612 ' : '\u2610 ', {})] : [];
      for (const child of item.tokens) {
        const c = child as MarkedToken;
        if (!numbered && (c.type === 'text' || c.type === 'paragraph')) {
          numbered = true;
          const runs = [...prefix, ...this.inline(c.tokens ?? [])];
          const spacing = t.loose || (last && level === 0) ? { after: 160 } : { after: 60 };
          out.push(this.paragraph({ ...(ctx.quote > 0 ? { style: 'Quote' } : {}), numbering, spacing }, runs));
          continue;
        }
        if (!numbered) {
          // An item that opens with something other than text (e.g. a nested list): an empty numbered line.
          numbered = true;
          out.push(this.paragraph({ numbering }, prefix));
        }
        if (c.type === 'list') out.push(...this.list(c, level + 1, ctx));
        else out.push(...this.blocks([child], { ...ctx, indent: itemIndent }));
      }
      if (!numbered) out.push(this.paragraph({ numbering }, prefix));
    });
    return out;
  }

  private table(t: Tokens.Table): TableNode {
    const ncols = Math.max(t.header.length, ...t.rows.map((r) => r.length));
    const widths = this.widths.get(tableSignature(t)) ?? computeColumnWidths(measureTable(t), TEXT_WIDTH);
    const align = (i: number): Align => {
      const a = t.align[i];
      return a === 'right' || a === 'center' ? a : 'left';
    };
    // A short table is kept on one page (each row keeps with the next); a long one may break
    // between rows, its header repeated.
    const keepTogether = t.rows.length + 1 <= SHORT_TABLE_ROWS;
    const cell = (c: Tokens.TableCell | undefined, i: number, kind: CellKind, last: boolean) => ({
      kind,
      paragraph: {
        kind: 'p' as const,
        props: { style: kind === 'header' ? 'TableHeading' : 'TableText', ...(keepTogether && !last ? { keepNext: true } : {}), align: align(i) },
        children: this.inline(c?.tokens ?? [], kind === 'total' ? { bold: true } : {}),
      },
    });
    const rows: TableNode['rows'] = [{ kind: 'header', cells: Array.from({ length: ncols }, (_, i) => cell(t.header[i], i, 'header', t.rows.length === 0)) }];
    t.rows.forEach((r, k) => {
      const kind: CellKind = isTotalRow(r) ? 'total' : 'body';
      rows.push({ kind, cells: Array.from({ length: ncols }, (_, i) => cell(r[i], i, kind, k === t.rows.length - 1)) });
    });
    return { kind: 'table', widths, rows };
  }
}

