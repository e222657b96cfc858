/** Shared inputs for the renderer tests. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { unzipSync, strFromU8 } from 'fflate';
import type { DocxOptions } from '../../src/render/markdown-to-docx.js';

export const FIXTURE_DIR = fileURLToPath(new URL('../fixtures/render/', import.meta.url));

/** A letter with headings, a blockquote, lists, bold/italic, links, a rule and a money table. */
export const LETTER_MD = readFileSync(`${FIXTURE_DIR}letter.md`, 'utf8');

export const LETTER_OPTIONS: DocxOptions = {
  footerText: 'MOPAC FOI 556',
  letterhead: 'MAYOR OF LONDON\nOFFICE FOR POLICING AND CRIME',
  title: 'Freedom of Information request MOPAC FOI 556',
  creator: "Mayor's Office for Policing And Crime",
  documentDate: '2025-03-03',
};

/** The table in letter.md, as a reader should see it (header first). */
export const LETTER_TABLE: string[][] = [
  ['Recipient', 'Financial year', 'Amount', 'Match funded', 'Notes'],
  ['Safer London Foundation', '2017-18', '£2,087,431.81', 'Y', 'Youth outreach programme across 12 boroughs'],
  ['St Giles Trust', '2018-19', '£139,707', 'N', 'A | B'],
  ['Redthread Youth Ltd', '2018-19', '£48,000.00', 'Y', '*Trust*'],
  ['Total', '', '£2,275,138.81', '', ''],
];

/** Unzip with fflate (independent of our own zip reader) into name -> text. */
export function unzipText(bytes: Uint8Array): Record<string, string> {
  const files = unzipSync(bytes);
  return Object.fromEntries(Object.entries(files).map(([k, v]) => [k, strFromU8(v)]));
}

export function decodeXml(s: string): string {
  return s
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&#(\d+);/g, (_, d: string) => String.fromCodePoint(Number(d)))
    .replace(/&amp;/g, '&');
}

/** Visible text of a WordprocessingML fragment (w:t runs joined; w:br as newline). */
export function wText(xml: string): string {
  let out = '';
  for (const m of xml.matchAll(/<w:t(?:\s[^>]*)?>([^<]*)<\/w:t>|<w:br\/>/g)) out += m[1] === undefined ? '\n' : decodeXml(m[1]);
  return out;
}

/** Paragraph XML fragments, in order. */
export function paragraphs(xml: string): string[] {
  return [...xml.matchAll(/<w:p[ >][\s\S]*?<\/w:p>/g)].map((m) => m[0]);
}

export interface ParsedCell {
  xml: string;
  text: string;
  width: { w: number; type: string } | null;
  jc: string | null;
}

/** The tables of document.xml as rows of cells (no nested tables in letters). */
export function tables(xml: string): { xml: string; grid: number[]; rows: { xml: string; cells: ParsedCell[] }[] }[] {
  return [...xml.matchAll(/<w:tbl>[\s\S]*?<\/w:tbl>/g)].map((t) => {
    const txml = t[0];
    const grid = [...txml.matchAll(/<w:gridCol w:w="(\d+)"\/>/g)].map((m) => Number(m[1]));
    const rows = [...txml.matchAll(/<w:tr>[\s\S]*?<\/w:tr>/g)].map((r) => ({
      xml: r[0],
      cells: [...r[0].matchAll(/<w:tc>[\s\S]*?<\/w:tc>/g)].map((c) => {
        const cxml = c[0];
        const tcW = /<w:tcW w:type="([a-z]+)" w:w="(\d+)"\/>/.exec(cxml) ?? /<w:tcW w:w="(\d+)" w:type="([a-z]+)"\/>/.exec(cxml);
        let width: ParsedCell['width'] = null;
        if (tcW) width = /^\d+$/.test(tcW[1]!) ? { w: Number(tcW[1]), type: tcW[2]! } : { w: Number(tcW[2]), type: tcW[1]! };
        return { xml: cxml, text: wText(cxml), width, jc: /<w:jc w:val="([a-z]+)"\/>/.exec(cxml)?.[1] ?? null };
      }),
    }));
    return { xml: txml, grid, rows };
  });
}
