/**
 * The hand-written WordprocessingML writer against the docx library: the same document model,
 * written both ways, must give the same parts byte for byte, for the letter fixtures and for a
 * few hundred random Markdown documents (seeded, so a failure reproduces).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { markdownToDocx } from '../../src/render/markdown-to-docx.js';
import { markdownToModel } from '../../src/render/docx/from-markdown.js';
import { renderLetter } from '../../src/letters/templates.js';
import type { LetterView } from '../../src/letters/view-model.js';
import { docxLibraryParts } from './docx-oracle.js';
import { FIXTURE_DIR, LETTER_MD, LETTER_OPTIONS, unzipText } from './fixture.js';
import { prng } from '../helpers/prng.js';

const WORDS = [
  'grant', 'Home Office', '£209,052', '(Home Office Grant)', 'Smith &amp; Jones', 'O\'Brien', '"quoted"', '<b>tag</b>', 'a < b > c',
  'www.example.com', 'https://example.org/grants_2020/list\\*new\\*', 'a@b.com', '\\_escaped\\_', '2017-18', 'N/A', 'Y', 'Total',
  '&#8212;', '&hellip;', 'caf\u00e9', '\u2013', 'x\u0001y', 'tab\there', '=SUM(A1)', '\\[not a link\\](x)', '`code`', '100%',
];

function generate(seed: number): string {
  const r = prng(seed);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(r() * xs.length)]!;
  const int = (n: number) => Math.floor(r() * n);
  const phrase = (): string => {
    const parts: string[] = [];
    for (let i = 0, n = 1 + int(6); i < n; i++) {
      const w = pick(WORDS);
      const k = int(14);
      parts.push(
        k === 0 ? `**${w}**` : k === 1 ? `*${w}*` : k === 2 ? `~~${w}~~` : k === 3 ? `[${w}](https://example.org/p?a=1&b=${i})` :
        k === 4 ? `<https://ico.org.uk/${i}>` : k === 5 ? `[${w}](#anchor)` : k === 6 ? `${w}\\\n` : k === 7 ? `${w}<br>` :
        k === 8 ? `<mailto:foi@example.org>` : k === 9 ? `![img](x.png)` : w,
      );
    }
    return parts.join(' ');
  };
  const table = (): string => {
    const n = 1 + int(5);
    const aligns = Array.from({ length: n }, () => pick([' --- ', ' ---: ', ' :---: ', ' :--- ']));
    const row = (first?: string) => `| ${Array.from({ length: n }, (_, i) => (i === 0 && first ? first : int(4) === 0 ? '' : phrase().replace(/\|/g, '\\|').replace(/\n/g, ' '))).join(' | ')} |`;
    const lines = [row(), `|${aligns.join('|')}|`];
    for (let i = 0, m = int(5); i < m; i++) lines.push(row());
    if (int(2)) lines.push(row('**Total**'));
    return lines.join('\n');
  };
  const list = (depth: number): string => {
    const ordered = int(2) === 0;
    const start = ordered && int(3) === 0 ? 2 + int(5) : 1;
    const pad = '   '.repeat(depth);
    const items: string[] = [];
    for (let i = 0, n = 1 + int(4); i < n; i++) {
      const task = !ordered && int(5) === 0 ? `[${int(2) ? 'x' : ' '}] ` : '';
      items.push(`${pad}${ordered ? `${start + i}.` : '-'} ${task}${phrase()}`);
      if (depth < 2 && int(4) === 0) items.push(list(depth + 1));
    }
    return items.join(int(4) === 0 ? '\n\n' : '\n');
  };
  const blocks: string[] = [];
  for (let i = 0, n = 2 + int(12); i < n; i++) {
    const k = int(10);
    blocks.push(
      k === 0 ? `${'#'.repeat(1 + int(6))} ${phrase()}` : k === 1 ? `> ${phrase()}\n>\n> > ${phrase()}` : k === 2 ? list(0) :
      k === 3 ? table() : k === 4 ? '---' : k === 5 ? '```\nline one\n  line <two> & "three"\n```' : k === 6 ? '<!-- a comment -->' :
      k === 7 ? `Yours sincerely,\n\n${phrase()}\\\n${phrase()}` : phrase(),
    );
  }
  return blocks.join('\n\n') + '\n';
}

async function compare(md: string, opts: { footerText?: string | null; letterhead?: string | null }) {
  const ours = unzipText(await markdownToDocx(md, opts));
  const theirs = await docxLibraryParts(markdownToModel(md), opts);
  for (const name of Object.keys(theirs)) expect(ours[name], `${name} of:\n${md}`).toBe(theirs[name]);
  expect(Object.keys(ours).sort()).toEqual([...Object.keys(theirs), 'docProps/core.xml'].sort());
}

describe('the hand-written DOCX writer equals the docx library', () => {
  it('for the letter fixture, with and without a letterhead', async () => {
    await compare(LETTER_MD, LETTER_OPTIONS);
    await compare(LETTER_MD, { ...LETTER_OPTIONS, letterhead: null, footerText: null });
  });

  it('for the seed letters as the templates write them', async () => {
    for (const f of ['seed-000-stalking-grants.json', 'seed-003-perpetrator-programmes.json']) {
      const view = JSON.parse(readFileSync(join(FIXTURE_DIR, '..', 'letters', f), 'utf8')) as LetterView;
      await compare(renderLetter(view), { footerText: `MOPAC ${view.ref}` });
    }
  });

  it('for 300 random Markdown documents', async () => {
    for (let seed = 1; seed <= 300; seed++) await compare(generate(seed), { footerText: seed % 2 ? `FOI ${seed} & "x"` : null, letterhead: seed % 3 ? null : 'MAYOR OF LONDON\nOFFICE' });
  });
});
