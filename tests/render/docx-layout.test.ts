/**
 * DOCX layout and links (issue 7, items 9 and 14): money columns wide enough for a co-funded
 * amount on one line, the closing kept with what precedes it, one set of widths for tables of the
 * same columns, and hyperlinks only for real Markdown link tokens.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { markdownToDocx } from '../../src/render/markdown-to-docx.js';
import { markdownEscape } from '../../src/core/markdown-escape.js';
import { textWidthTwips } from '../../src/render/docx/text.js';
import { CELL_MARGIN_X, TABLE_FONT_SIZE } from '../../src/render/docx/model.js';
import { ROOT, foi, tempDir } from '../helpers/cli.js';
import { paragraphs, tables, unzipText, wText } from './fixture.js';

const docx = async (md: string) => unzipText(await markdownToDocx(md, { footerText: 'MOPAC FOI 1' }));
const hyperlinkRels = (files: Record<string, string>) => [...files['word/_rels/document.xml.rels']!.matchAll(/Type="[^"]*\/hyperlink" Target="([^"]*)"/g)].map((m) => m[1]);

describe('links: only real Markdown link tokens become hyperlinks', () => {
  // What the letter templates produce for untrusted data: escaped so GFM sees no autolink.
  const escaped = [
    ['https\\://example.org/grants\\_2020/list\\*new\\*', 'https://example.org/grants_2020/list*new*'],
    ['www\\.example.com', 'www.example.com'],
    ['a\\@b.com', 'a@b.com'],
    ['Smith &amp; Jones', 'Smith & Jones'],
  ];

  it('escaped URLs, www. and e-mail addresses are literal text: no hyperlink, no backslash', async () => {
    const md = `Dear Applicant,\n\n${escaped.map(([e]) => `Grant title: ${e}`).join('\n\n')}\n\n| Provider | Amount |\n| --- | ---: |\n| ${escaped[0]![0]} | £1 |\n`;
    const files = await docx(md);
    expect(hyperlinkRels(files)).toEqual([]);
    const doc = files['word/document.xml']!;
    expect(doc).not.toContain('<w:hyperlink');
    const text = paragraphs(doc).map(wText).join('\n');
    for (const [, shown] of escaped) expect(text).toContain(`Grant title: ${shown}`);
    expect(text).not.toContain('\\');
    expect(tables(doc)[0]!.rows[1]!.cells[0]!.text).toBe('https://example.org/grants_2020/list*new*');
  });

  it('data escaped by the letters\' own escaper (markdownEscape) reaches the DOCX as literal text', async () => {
    const raw = ['https://example.org/grants_2020/list*new*', 'www.example.com', 'a@b.com', 'Smith &amp; Jones'];
    const files = await docx(raw.map((r) => `Provider: ${markdownEscape(r)}`).join('\n\n') + '\n');
    expect(hyperlinkRels(files)).toEqual([]);
    expect(paragraphs(files['word/document.xml']!).map(wText)).toEqual(raw.map((r) => `Provider: ${r}`));
  });

  it('the body\'s configured links (Markdown links and <autolinks>) are hyperlinks, in document order', async () => {
    const files = await docx('See [our website](https://www.london.gov.uk/mopac) or <https://ico.org.uk>.\n\nWrite to <mailto:foi@example.org>.\n');
    expect(hyperlinkRels(files)).toEqual(['https://www.london.gov.uk/mopac', 'https://ico.org.uk', 'mailto:foi@example.org']);
    const doc = files['word/document.xml']!;
    expect(doc.match(/<w:hyperlink /g)).toHaveLength(3);
    expect(paragraphs(doc).map(wText)).toContain('See our website (https://www.london.gov.uk/mopac) or https://ico.org.uk.');
  });
});

describe('layout', () => {
  const pad = 2 * CELL_MARGIN_X + 40;
  const CO_FUNDED = '| Programme | Description | 2022-23 award |\n| --- | --- | ---: |\n' +
    `| Re-MOVE Abuse | ${'An intervention and accommodation-based approach to stopping domestic abuse '.repeat(3)}| £209,052 (Home Office Grant) £130,996 (LBBD Match Fund) |\n` +
    '| **Total** |  | **£4,599,642** |\n';

  it('a money column fits "£209,052 (Home Office Grant)" on one line, so a co-funded cell takes two lines at most', async () => {
    const t = tables((await docx(CO_FUNDED))['word/document.xml']!)[0]!;
    const money = t.grid[2]!;
    expect(money).toBeGreaterThanOrEqual(textWidthTwips('£209,052 (Home Office Grant)', TABLE_FONT_SIZE, false) + pad);
    expect(money).toBeGreaterThanOrEqual(textWidthTwips('£130,996 (LBBD Match Fund)', TABLE_FONT_SIZE, false) + pad);
    // ... and not the whole cell on one line: the description keeps most of the width.
    expect(money).toBeLessThan(textWidthTwips('£209,052 (Home Office Grant) £130,996 (LBBD Match Fund)', TABLE_FONT_SIZE, false) + pad);
    expect(t.grid[1]!).toBeGreaterThan(money);
  });

  it('tables with the same columns in one letter get the same widths', async () => {
    const table = (rows: string[]) => `| Recipient | Amount |\n| --- | ---: |\n${rows.map((r) => `| ${r} | £1,000 |`).join('\n')}\n`;
    const md = `## 2017-18\n\n${table(['A'])}\n## 2018-19\n\n${table(['A much longer recipient name that needs room, Ltd'])}\n## Other\n\n| Recipient | Amount | Note |\n| --- | ---: | --- |\n| B | £2 | x |\n`;
    const ts = tables((await docx(md))['word/document.xml']!);
    expect(ts).toHaveLength(3);
    expect(ts[0]!.grid).toEqual(ts[1]!.grid);
    expect(ts[2]!.grid).toHaveLength(3);
  });

  it('the closing keeps with the paragraph before it and the signatory keeps its lines', async () => {
    const doc = (await docx('Dear X,\n\nBody text.\n\nIf you are unhappy, write to us.\n\nYours sincerely,\n\nInformation Access Officer\\\nMOPAC\n'))['word/document.xml']!;
    const ps = paragraphs(doc);
    const at = (start: string) => ps.find((p) => wText(p).startsWith(start))!;
    expect(at('If you are unhappy')).toContain('<w:keepNext/>');
    expect(at('Yours sincerely')).toMatch(/<w:keepNext\/><w:keepLines\/>/);
    expect(at('Information Access Officer')).toContain('<w:keepLines/>');
    expect(at('Information Access Officer')).not.toContain('<w:keepNext/>');
    expect(at('Body text')).not.toContain('<w:keepNext/>');
  });

  it('a short table stays on one page with the line that introduces it; a long one may break between rows', async () => {
    const rows = (n: number) => Array.from({ length: n }, (_, i) => `| Grant ${i} | £${i},000 |`).join('\n');
    const doc = (await docx(`Please see the table below.\n\n| Grant | Amount |\n| --- | ---: |\n${rows(3)}\n\nAnd a long one:\n\n| Grant | Amount |\n| --- | ---: |\n${rows(20)}\n`))['word/document.xml']!;
    const [short, long] = tables(doc);
    const keeps = (t: typeof short) => t!.rows.map((r) => r.cells.every((c) => c.xml.includes('<w:keepNext/>')));
    expect(keeps(short)).toEqual([true, true, true, false]);
    expect(keeps(long).every((k) => !k)).toBe(true);
    const ps = paragraphs(doc);
    expect(ps.find((p) => wText(p) === 'Please see the table below.')).toContain('<w:keepNext/>');
    expect(ps.find((p) => wText(p) === 'And a long one:')).toContain('<w:keepNext/>');
    // Long tables repeat their header row on each page.
    expect(long!.rows[0]!.xml).toContain('<w:tblHeader/>');
  });

  it('foi answer (seed 003): money column wide enough, closing kept together', () => {
    const out = tempDir('foi-docx-layout-');
    const r = foi(['answer', join(ROOT, 'examples', 'seed-003-foi-556.yaml'), '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    const files = unzipText(new Uint8Array(readFileSync(join(out, 'FOI-556.docx'))));
    const doc = files['word/document.xml']!;
    const first = tables(doc)[0]!;
    expect(first.rows[0]!.cells.at(-1)!.text).toBe('2022-23 award');
    expect(first.grid.at(-1)!).toBeGreaterThanOrEqual(textWidthTwips('£682,909 (Home Office Grant)', TABLE_FONT_SIZE, false) + pad);
    const ps = paragraphs(doc);
    expect(ps.find((p) => wText(p).startsWith('Yours sincerely'))).toContain('<w:keepNext/>');
    expect(hyperlinkRels(files).every((t) => /^https:\/\/(www\.london\.gov\.uk|ico\.org\.uk)/.test(t!))).toBe(true);
  });
});
