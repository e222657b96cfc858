/**
 * The DOCX as other programs read it: pandoc (structure, table cells) and LibreOffice -> PDF ->
 * pdftotext (what a person sees: figures, right alignment, page numbers). Skipped with a printed
 * reason locally when a tool is missing; never skipped in CI (see tests/helpers/tools.ts).
 */
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { markdownToDocx } from '../../src/render/markdown-to-docx.js';
import { requireToolOrSkip, runTool } from '../helpers/tools.js';
import { LETTER_MD, LETTER_OPTIONS, LETTER_TABLE } from './fixture.js';

let dir = '';
let docx = '';

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'foi-render-tools-'));
  docx = join(dir, 'letter.docx');
  writeFileSync(docx, await markdownToDocx(LETTER_MD, LETTER_OPTIONS));
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Cells of the GFM pipe tables in `md`, unescaped, with emphasis markers removed. */
function gfmTables(md: string): string[][][] {
  const out: string[][][] = [];
  let current: string[][] | null = null;
  for (const line of md.split('\n')) {
    if (!line.trim().startsWith('|')) {
      current = null;
      continue;
    }
    if (/^\s*\|?\s*:?-{3,}/.test(line)) continue; // delimiter row
    if (!current) out.push((current = []));
    const inner = line.trim().replace(/^\|/, '').replace(/(?<!\\)\|$/, '');
    current.push(
      inner.split(/(?<!\\)\|/).map((c) =>
        c
          .trim()
          .replace(/^\*\*(.*)\*\*$/, '$1')
          .replace(/\\(.)/g, '$1'),
      ),
    );
  }
  return out;
}

describe('pandoc reads the DOCX back', () => {
  const skip = requireToolOrSkip('pandoc', 'pandoc read-back of the DOCX');

  it.skipIf(skip)('with the same table cells, headings, quote and lists', () => {
    const md = runTool('pandoc', ['-f', 'docx', '-t', 'gfm', '--wrap=none', docx]).stdout;
    const found = gfmTables(md);
    expect(found).toHaveLength(1);
    expect(found[0]).toEqual(LETTER_TABLE);
    expect(md).toContain('# Freedom of Information request MOPAC FOI 556');
    expect(md).toContain('## Our response');
    expect(md).toMatch(/^> Please provide a list of all grants paid by MOPAC to the \*Violence Reduction Unit\* partners/m);
    expect(md).toMatch(/^1\.\s+Figures are taken from our grants register\./m);
    expect(md).toMatch(/^\s+-\s+payments are rounded to the penny;/m);
    expect(md).toContain('https://www.london.gov.uk/mopac-decisions?year=2018&type=grant');
    expect(md).toContain('pounds sterling & exclude VAT');
    expect(md).not.toContain('&amp;');
  });
});

describe('LibreOffice renders the DOCX to PDF', () => {
  const skip = requireToolOrSkip(['soffice', 'pdftotext'], 'LibreOffice PDF conversion');
  let text = '';

  beforeAll(() => {
    if (skip) return;
    // A private profile so parallel runs don't fight over ~/.config/libreoffice.
    const profile = pathToFileURL(join(dir, 'lo-profile')).href;
    runTool(
      'soffice',
      [`-env:UserInstallation=${profile}`, '--headless', '--norestore', '--convert-to', 'pdf', '--outdir', dir, docx],
      { timeout: 120_000, env: { ...process.env, HOME: dir } },
    );
    expect(readdirSync(dir)).toContain('letter.pdf');
    text = runTool('pdftotext', ['-layout', join(dir, 'letter.pdf'), '-']).stdout;
  }, 150_000);

  it.skipIf(skip)('shows the figures, escaped characters and the letterhead', () => {
    for (const s of ['£2,087,431.81', '£139,707', '£48,000.00', '£2,275,138.81', '*Trust*', 'MAYOR OF LONDON']) {
      expect(text, s).toContain(s);
    }
    expect(text).toMatch(/A\s*\|\s*B/); // pdftotext may squeeze the spaces round a narrow "|"
    expect(text.replace(/\s+/g, ' ')).toContain('pounds sterling & exclude VAT');
  });

  it.skipIf(skip)('right-aligns the money column', () => {
    const ends = ['£2,087,431.81', '£139,707', '£48,000.00', '£2,275,138.81'].map((amount) => {
      const line = text.split('\n').find((l) => l.includes(amount))!;
      return line.indexOf(amount) + amount.length;
    });
    const spread = Math.max(...ends) - Math.min(...ends);
    expect(spread, `right edges at columns ${ends.join(', ')}`).toBeLessThanOrEqual(1);
  });

  it.skipIf(skip)('fills in the footer page fields', () => {
    expect(text).toMatch(/MOPAC FOI 556 — Page 1 of \d/);
  });
});
