import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { strFromU8, strToU8, unzipSync } from 'fflate';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import {
  TEXT_WIDTH,
  clearReferenceCache,
  computeColumnWidths,
  decodeEntities,
  markdownToDocx,
} from '../../src/render/markdown-to-docx.js';
import { zipDeterministic } from '../../src/render/deterministic-zip.js';
import { LETTER_MD, LETTER_OPTIONS, LETTER_TABLE, paragraphs, tables, unzipText, wText } from './fixture.js';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

const scratch: string[] = [];
function tempDir(prefix: string): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  scratch.push(d);
  return d;
}
afterAll(() => {
  for (const d of scratch) rmSync(d, { recursive: true, force: true });
});

async function render(md: string, opts = {}) {
  const bytes = await markdownToDocx(md, opts);
  return { bytes, files: unzipText(bytes) };
}

describe('letter fixture -> docx structure', async () => {
  const { bytes, files } = await render(LETTER_MD, LETTER_OPTIONS);
  const doc = files['word/document.xml']!;

  it('is a well-formed OOXML package', () => {
    expect(bytes[0]).toBe(0x50); // "PK"
    expect(bytes[1]).toBe(0x4b);
    for (const part of [
      '[Content_Types].xml',
      '_rels/.rels',
      'docProps/core.xml',
      'word/document.xml',
      'word/styles.xml',
      'word/numbering.xml',
      'word/_rels/document.xml.rels',
    ]) {
      expect(files[part], part).toBeTruthy();
    }
    // [Content_Types].xml is the first entry (its name sits right after the first local header).
    expect(strFromU8(bytes.subarray(30, 30 + '[Content_Types].xml'.length))).toBe('[Content_Types].xml');
  });

  it('uses A4 portrait pages', () => {
    expect(doc).toMatch(/<w:pgSz w:w="11906" w:h="16838"/);
  });

  it('has one table with a repeated bold header row, fixed layout and DXA widths', () => {
    const [table, ...rest] = tables(doc);
    expect(rest).toHaveLength(0);
    expect(table).toBeDefined();
    const t = table!;
    expect(t.xml).toContain('<w:tblLayout w:type="fixed"/>');
    expect(t.xml).toMatch(/<w:tblW w:type="dxa" w:w="\d+"\/>/);
    // Header row is marked to repeat on each page; no other row is.
    expect(t.rows[0]!.xml).toContain('<w:tblHeader/>');
    expect(t.rows.slice(1).some((r) => r.xml.includes('<w:tblHeader/>'))).toBe(false);
    expect(t.rows[0]!.cells.every((c) => c.xml.includes('w:val="TableHeading"'))).toBe(true);
    // Absolute grid widths within the text width, and every cell's own width equal to its column's (DXA).
    expect(t.grid).toHaveLength(5);
    expect(t.grid.reduce((a, b) => a + b, 0)).toBe(TEXT_WIDTH);
    for (const row of t.rows) {
      expect(row.cells).toHaveLength(5);
      row.cells.forEach((c, i) => expect(c.width).toEqual({ w: t.grid[i], type: 'dxa' }));
    }
    // Widths follow content: the long "Notes" column is wider than the Y/N column.
    expect(t.grid[4]!).toBeGreaterThan(t.grid[3]! * 1.5);
    // Borders and cell margins.
    expect(t.xml).toMatch(/<w:tblBorders>[\s\S]*<w:insideH w:val="single"/);
    expect(t.xml).toMatch(/<w:tblCellMar>[\s\S]*<w:left w:type="dxa" w:w="\d+"\/>/);
  });

  it('keeps the cell text, escapes shown literally', () => {
    const t = tables(doc)[0]!;
    expect(t.rows.map((r) => r.cells.map((c) => c.text))).toEqual(LETTER_TABLE);
  });

  it('right-aligns the ---: money column (header included) and centres :---:', () => {
    const t = tables(doc)[0]!;
    for (const row of t.rows) {
      expect(row.cells[2]!.jc, row.cells[2]!.text).toBe('right');
      expect(row.cells[3]!.jc).toBe('center');
      expect(row.cells[0]!.jc).toBe('left');
    }
    const money = t.rows.flatMap((r) => r.cells).filter((c) => /^£[\d,]+(\.\d\d)?$/.test(c.text));
    expect(money.map((c) => c.text)).toEqual(['£2,087,431.81', '£139,707', '£48,000.00', '£2,275,138.81']);
    expect(money.every((c) => c.jc === 'right')).toBe(true);
  });

  it('renders the totals row bold with a rule above', () => {
    const total = tables(doc)[0]!.rows.at(-1)!;
    expect(total.cells[0]!.text).toBe('Total');
    expect(total.cells[2]!.xml).toMatch(/<w:b\/>[\s\S]*£2,275,138.81/);
    expect(total.cells[0]!.xml).toMatch(/<w:tcBorders><w:top w:val="double"/);
  });

  it('has a footer with the reference and PAGE / NUMPAGES fields', () => {
    const footers = Object.keys(files).filter((n) => /^word\/footer\d+\.xml$/.test(n));
    expect(footers.length).toBeGreaterThan(0);
    for (const f of footers) {
      const xml = files[f]!;
      expect(wText(xml)).toBe('MOPAC FOI 556 — Page  of ');
      expect(xml).toMatch(/<w:fldChar w:fldCharType="begin"\/><\/w:r><w:r><w:instrText xml:space="preserve">PAGE<\/w:instrText>/);
      expect(xml).toContain('>NUMPAGES</w:instrText>');
    }
    expect(doc).toMatch(/<w:footerReference w:type="default"/);
  });

  it('puts the letterhead in the first-page header', () => {
    const headers = Object.keys(files).filter((n) => /^word\/header\d+\.xml$/.test(n));
    expect(headers.map((h) => wText(files[h]!))).toContain('MAYOR OF LONDON\nOFFICE FOR POLICING AND CRIME');
    expect(doc).toMatch(/<w:headerReference w:type="first"/);
    expect(doc).toContain('<w:titlePg/>');
  });

  it('maps headings, quote, lists, emphasis and links onto named styles', () => {
    const ps = paragraphs(doc);
    const styleOf = (text: string) => {
      const p = ps.find((x) => wText(x).startsWith(text));
      expect(p, text).toBeDefined();
      return /<w:pStyle w:val="([^"]+)"\/>/.exec(p!)?.[1] ?? 'Normal';
    };
    expect(styleOf('Freedom of Information request')).toBe('Heading1');
    expect(styleOf('Our response')).toBe('Heading2');
    expect(styleOf('Notes on the figures')).toBe('Heading3');
    expect(styleOf('Please provide a list')).toBe('Quote');
    expect(styleOf('Please also say')).toBe('Quote');
    expect(styleOf('Dear Ms Okafor')).toBe('Normal');
    // Entities are decoded once: "&amp;" in Markdown is "&" in the letter.
    const text = ps.map(wText).join('\n');
    expect(text).toContain('pounds sterling & exclude VAT');
    expect(text).not.toContain('&amp;');
    // Bold label and hard line break.
    const ref = ps.find((p) => wText(p).startsWith('Our reference:'))!;
    expect(ref).toMatch(/<w:b\/><w:bCs\/><\/w:rPr><w:t xml:space="preserve">Our reference:<\/w:t>/);
    expect(wText(ref)).toBe('Our reference: MOPAC FOI 556\nDate: 3 March 2025');
    // Italic inside the quote.
    expect(doc).toMatch(/<w:i\/><w:iCs\/><\/w:rPr><w:t xml:space="preserve">Violence Reduction Unit<\/w:t>/);
    // Lists: numbered items at level 0, bullets nested at level 1.
    const item = (t: string) => ps.find((p) => wText(p).startsWith(t))!;
    expect(item('Figures are taken')).toMatch(/<w:ilvl w:val="0"\/>/);
    expect(item('payments are rounded')).toMatch(/<w:ilvl w:val="1"\/>/);
    expect(files['word/numbering.xml']).toMatch(/<w:numFmt w:val="decimal"\/>/);
    expect(files['word/numbering.xml']).toMatch(/<w:numFmt w:val="bullet"\/>/);
    // Inline code uses the "Verbatim Char" character style.
    expect(doc).toMatch(/<w:rStyle w:val="VerbatimChar"\/><\/w:rPr><w:t xml:space="preserve">match funded</);
    // Link: label, then the visible URL in brackets, which is a real hyperlink.
    const url = 'https://www.london.gov.uk/mopac-decisions?year=2018&type=grant';
    expect(text).toContain(`See our decisions page (${url}).`);
    const link = /<w:hyperlink [^>]*r:id="([^"]+)"[^>]*>/.exec(doc);
    expect(link).not.toBeNull();
    const rels = files['word/_rels/document.xml.rels']!;
    expect(rels).toContain(`Id="${link![1]}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink" Target="${url.replace('&', '&amp;')}" TargetMode="External"`);
    // Horizontal rule: an empty paragraph with a bottom border.
    expect(doc).toMatch(/<w:p><w:pPr><w:pBdr><w:bottom w:val="single"/);
  });

  it('defines the named styles it uses', () => {
    const styles = files['word/styles.xml']!;
    for (const id of ['Normal', 'Heading1', 'Heading2', 'Heading3', 'Heading4', 'Quote', 'TableText', 'TableHeading', 'Footer', 'Letterhead', 'VerbatimChar']) {
      expect(styles, id).toMatch(new RegExp(`w:styleId="${id}"`));
    }
    // Each style id once.
    const ids = [...styles.matchAll(/w:styleId="([^"]+)"/g)].map((m) => m[1]);
    expect(new Set(ids).size).toBe(ids.length);
    const normal = /<w:style [^>]*w:styleId="Normal"[\s\S]*?<\/w:style>/.exec(styles)![0];
    expect(normal).toContain('w:ascii="Arial"');
    expect(normal).toContain('<w:sz w:val="22"/>');
  });

  it('stamps core.xml with the document date, title and creator, never the clock', () => {
    const core = files['docProps/core.xml']!;
    expect(core).toContain('<dcterms:created xsi:type="dcterms:W3CDTF">2025-03-03T00:00:00Z</dcterms:created>');
    expect(core).toContain('<dcterms:modified xsi:type="dcterms:W3CDTF">2025-03-03T00:00:00Z</dcterms:modified>');
    expect(core).toContain('<dc:title>Freedom of Information request MOPAC FOI 556</dc:title>');
    expect(core).toContain("<dc:creator>Mayor's Office for Policing And Crime</dc:creator>");
  });

  it('gives every zip entry the same DOS stamp (documentDate, 12:00)', () => {
    const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    let p = 0;
    let n = 0;
    while (dv.getUint32(p, true) === 0x04034b50) {
      expect(dv.getUint16(p + 10, true)).toBe(12 << 11);
      expect(dv.getUint16(p + 12, true)).toBe(((2025 - 1980) << 9) | (3 << 5) | 3);
      p += 30 + dv.getUint16(p + 26, true) + dv.getUint16(p + 28, true) + dv.getUint32(p + 18, true);
      n++;
    }
    expect(n).toBe(Object.keys(files).length);
  });
});

describe('inline and block mapping', () => {
  it('shows backslash escapes literally and decodes entities once', async () => {
    const { files } = await render(
      'A \\| B, \\*Trust\\*, \\_x\\_, 1\\. and \\\\ then &amp; &pound;5 &#163;6 &#x2014; &nbsp;x &bogus; & \\&amp; `&amp;`\n',
    );
    const text = paragraphs(files['word/document.xml']!).map(wText).join('');
    expect(text).toBe('A | B, *Trust*, _x_, 1. and \\ then & £5 £6 — \u00a0x &bogus; & &amp; &amp;');
  });

  it('keeps bold, italic, strike and code as run properties', async () => {
    const { files } = await render('**b** *i* ***bi*** ~~s~~ `c`\n');
    const doc = files['word/document.xml']!;
    expect(doc).toMatch(/<w:rPr><w:b\/><w:bCs\/><\/w:rPr><w:t xml:space="preserve">b</);
    expect(doc).toMatch(/<w:rPr><w:i\/><w:iCs\/><\/w:rPr><w:t xml:space="preserve">i</);
    expect(doc).toMatch(/<w:b\/><w:bCs\/><w:i\/><w:iCs\/><\/w:rPr><w:t xml:space="preserve">bi</);
    expect(doc).toMatch(/<w:strike\/><\/w:rPr><w:t xml:space="preserve">s</);
    expect(doc).toMatch(/<w:rStyle w:val="VerbatimChar"\/><\/w:rPr><w:t xml:space="preserve">c</);
  });

  it('maps h1-h4 to Heading1-4 (h5/h6 to Heading4) and soft breaks to spaces', async () => {
    const { files } = await render('# a\n## b\n### c\n#### d\n##### e\n\nline one\nline two\n');
    const doc = files['word/document.xml']!;
    const ps = paragraphs(doc);
    expect(ps.map((p) => /<w:pStyle w:val="([^"]+)"/.exec(p)?.[1] ?? null)).toEqual([
      'Heading1',
      'Heading2',
      'Heading3',
      'Heading4',
      'Heading4',
      null,
    ]);
    expect(wText(ps[5]!)).toBe('line one line two');
  });

  it('restarts numbering for each separate ordered list and honours the start number', async () => {
    const { files } = await render('1. a\n2. b\n\nText.\n\n1. c\n\n---\n\n4. d\n5. e\n');
    const doc = files['word/document.xml']!;
    const numIds = paragraphs(doc)
      .filter((p) => p.includes('<w:numPr>'))
      .map((p) => /<w:numId w:val="(\d+)"\/>/.exec(p)![1]);
    expect(numIds).toHaveLength(5);
    expect(numIds[0]).toBe(numIds[1]);
    expect(new Set(numIds).size).toBe(3);
    expect(files['word/numbering.xml']).toMatch(/<w:start w:val="4"\/>/);
  });

  it('renders links with the URL visible, and mailto without the scheme', async () => {
    const { files } = await render(
      'See [the ICO](https://ico.org.uk/) or <https://example.org/a>. Mail [us](mailto:foi@example.org), or see [section 2](#s2).\n',
    );
    const text = paragraphs(files['word/document.xml']!).map(wText).join('');
    expect(text).toBe(
      'See the ICO (https://ico.org.uk/) or https://example.org/a. Mail us (foi@example.org), or see section 2 (#s2).',
    );
    const rels = files['word/_rels/document.xml.rels']!;
    expect(rels).toContain('Target="https://ico.org.uk/"');
    expect(rels).toContain('Target="mailto:foi@example.org"');
    expect(rels).not.toContain('#s2');
    // Random relationship ids from docx are renamed in order.
    expect([...rels.matchAll(/Id="(rIdLink\d+)"/g)].map((m) => m[1])).toEqual(['rIdLink1', 'rIdLink2', 'rIdLink3']);
  });

  it('handles code blocks, html, images, task lists and empty input', async () => {
    const { files } = await render('```\nline 1\n  line <2>\n```\n\n<div>Block &amp; html</div>\n\n![Logo](x.png)\n\n- [x] done\n- [ ] todo\n');
    const doc = files['word/document.xml']!;
    const texts = paragraphs(doc).map(wText);
    expect(texts).toContain('line 1\n  line <2>');
    expect(texts).toContain('Block & html');
    expect(texts).toContain('[Logo]');
    expect(texts).toContain('\u2612 done');
    expect(texts).toContain('\u2610 todo');
    const empty = await render('');
    expect(empty.files['word/document.xml']).toContain('<w:body>');
  });

  it('keeps back-to-back tables apart (Word would merge them) and spaces the text after a table', async () => {
    const { files } = await render('| a | b |\n|---|--:|\n| 1 | 2 |\n\n| c |\n|---|\n| 3 |\n\nAfter.\n');
    const doc = files['word/document.xml']!;
    expect(tables(doc)).toHaveLength(2);
    expect(doc).toContain('</w:tbl><w:p/><w:tbl>');
    const after = paragraphs(doc).find((p) => wText(p) === 'After.')!;
    expect(after).toMatch(/<w:spacing w:before="200"\/>/);
  });

  it('omits the letterhead header when there is none and shows "Page N of M" alone', async () => {
    const { files } = await render('Hello\n', { letterhead: null, footerText: null });
    expect(Object.keys(files).some((n) => n.startsWith('word/header'))).toBe(false);
    const footer = Object.keys(files).find((n) => n.startsWith('word/footer'))!;
    expect(wText(files[footer]!)).toBe('Page  of ');
  });

  it('strips characters XML cannot carry', async () => {
    const { files } = await render('bad \u0001\u0008 chars\n');
    expect(paragraphs(files['word/document.xml']!).map(wText)).toEqual(['bad  chars']);
  });

  it('drops the control and bidirectional override characters no letter carries (src/core/control-chars.ts)', async () => {
    const { files } = await render('Evil \u202egnissecorp\u202c Ltd \u2067x\u2069 \u009b\u007f ok \u200f\n');
    expect(paragraphs(files['word/document.xml']!).map(wText)).toEqual(['Evil gnissecorp Ltd x  ok \u200f']);
  });
});

describe('decodeEntities', () => {
  it('decodes named, decimal and hex references and leaves unknown ones', () => {
    expect(decodeEntities('&amp;&lt;&gt;&quot;&apos;&pound;&euro;&eacute;&yuml;&#38;&#x26;&#0;&nope;')).toBe(
      '&<>"\'£€éÿ&&\uFFFD&nope;',
    );
    expect(decodeEntities('no entities')).toBe('no entities');
  });
});

describe('computeColumnWidths', () => {
  it('fills the width in proportion when everything fits on one line', () => {
    const w = computeColumnWidths(
      [
        { natural: 1000, minimum: 500 },
        { natural: 3000, minimum: 500 },
      ],
      8000,
    );
    expect(w).toEqual([2000, 6000]);
  });

  it('gives narrow columns their natural width and lets wide text wrap', () => {
    const cols = [
      { natural: 2600, minimum: 1200 }, // names
      { natural: 1100, minimum: 1100 }, // year
      { natural: 1700, minimum: 1700 }, // money
      { natural: 700, minimum: 400 }, // Y/N
      { natural: 6000, minimum: 1300 }, // notes
    ];
    const w = computeColumnWidths(cols, 9000);
    expect(w.reduce((a, b) => a + b, 0)).toBe(9000);
    expect(w.slice(0, 4)).toEqual([2600, 1100, 1700, 700]);
    expect(w[4]).toBe(9000 - 2600 - 1100 - 1700 - 700);
  });

  it('never goes below a column minimum while the minimums fit, and sums exactly', () => {
    const cols = Array.from({ length: 7 }, (_, i) => ({ natural: 4000 + i * 10, minimum: 1000 + i * 100 }));
    const w = computeColumnWidths(cols, 9298);
    expect(w.reduce((a, b) => a + b, 0)).toBe(9298);
    w.forEach((x, i) => expect(x).toBeGreaterThanOrEqual(cols[i]!.minimum));
    const squeezed = computeColumnWidths(cols, 5000);
    expect(squeezed.reduce((a, b) => a + b, 0)).toBe(5000);
  });

  it('when even the longest words do not fit, keeps narrow columns (amounts) whole and squeezes the wide ones', () => {
    const cols = [
      { natural: 3000, minimum: 2500 }, // a long web address in a grant name
      { natural: 9000, minimum: 6000 }, // a longer one in a description
      { natural: 1000, minimum: 1000 }, // money: "£1,000.50"
    ];
    // Each column whose one-line width is within an equal share (3,000) keeps it; the description takes the rest.
    expect(computeColumnWidths(cols, 9000)).toEqual([3000, 5000, 1000]);
    // Two wide columns squeezed in proportion to their longest words; the amount stays whole.
    const w = computeColumnWidths([cols[0]!, cols[1]!, cols[2]!, { natural: 900, minimum: 900 }], 9000);
    expect(w.reduce((a, b) => a + b, 0)).toBe(9000);
    expect(w.slice(2)).toEqual([1000, 900]);
    expect(w[0]! / w[1]!).toBeCloseTo(2500 / 6000, 2);
  });
});

describe('determinism', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('gives identical bytes for identical input, including at a different clock time', async () => {
    const a = await markdownToDocx(LETTER_MD, LETTER_OPTIONS);
    const b = await markdownToDocx(LETTER_MD, LETTER_OPTIONS);
    expect(sha256(b)).toBe(sha256(a));
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2031-06-15T23:59:58Z'));
    const c = await markdownToDocx(LETTER_MD, LETTER_OPTIONS);
    vi.useRealTimers();
    expect(sha256(c)).toBe(sha256(a));
  });

  it('changes only with the inputs: documentDate moves core.xml dates', async () => {
    const a = unzipText(await markdownToDocx('x\n', {}));
    expect(a['docProps/core.xml']).toContain('>2000-01-01T00:00:00Z</dcterms:created>');
    const b = unzipText(await markdownToDocx('x\n', { documentDate: '2024-07-01T09:30:00+01:00' }));
    expect(b['docProps/core.xml']).toContain('>2024-07-01T08:30:00Z</dcterms:created>');
    await expect(markdownToDocx('x\n', { documentDate: '2024-07-01T09:30' })).rejects.toThrow(/documentDate/);
    await expect(markdownToDocx('x\n', { documentDate: '1 July 2024' })).rejects.toThrow(/documentDate/);
  });

  it('does not depend on TZ: child processes under UTC and Pacific/Auckland give the same bytes as this one', async () => {
    // Transpile the renderer (and the core modules it uses) to plain JS beside a node_modules link so a bare `node` can run it.
    const dir = tempDir('foi-render-tz-');
    for (const f of ['render', 'core'].flatMap((d) => readdirSync(join(REPO, 'src', d), { recursive: true }).map((n) => join(d, String(n)))).filter((n) => n.endsWith('.ts'))) {
      const src = readFileSync(join(REPO, 'src', f), 'utf8');
      const js = ts.transpileModule(src, {
        compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
      }).outputText;
      mkdirSync(dirname(join(dir, f)), { recursive: true });
      writeFileSync(join(dir, f.replace(/\.ts$/, '.js')), js);
    }
    writeFileSync(join(dir, 'package.json'), '{"type":"module"}');
    symlinkSync(join(REPO, 'node_modules'), join(dir, 'node_modules'), 'dir');
    writeFileSync(
      join(dir, 'probe.mjs'),
      `import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { markdownToDocx } from './render/markdown-to-docx.js';
const [md, opts] = JSON.parse(readFileSync(0, 'utf8'));
const bytes = await markdownToDocx(md, opts);
process.stdout.write(JSON.stringify({ offset: new Date(2025, 0, 1).getTimezoneOffset(), sha: createHash('sha256').update(bytes).digest('hex') }));
`,
    );
    const input = JSON.stringify([LETTER_MD, LETTER_OPTIONS]);
    const run = (tz: string) => {
      const r = spawnSync(process.execPath, ['probe.mjs'], {
        cwd: dir,
        input,
        encoding: 'utf8',
        env: { ...process.env, TZ: tz },
        timeout: 60_000,
      });
      expect(r.status, r.stderr).toBe(0);
      return JSON.parse(r.stdout) as { offset: number; sha: string };
    };
    const utc = run('UTC');
    const nz = run('Pacific/Auckland');
    expect(utc.offset).toBe(0);
    expect(nz.offset).not.toBe(0); // the time zone really differed
    expect(nz.sha).toBe(utc.sha);
    expect(sha256(await markdownToDocx(LETTER_MD, LETTER_OPTIONS))).toBe(utc.sha);
  });
});

describe('reference docx styles', () => {
  afterEach(() => clearReferenceCache());

  /** Make a reference .docx from our own output with Normal in `font` and no Quote style. */
  async function makeReference(path: string, font: string): Promise<void> {
    const files = unzipSync(await markdownToDocx('# Reference\n\nBody.\n'));
    let styles = strFromU8(files['word/styles.xml']!);
    styles = styles.replace(/(<w:style [^>]*w:styleId="Normal"[\s\S]*?<\/w:style>)/, (s) =>
      s.replace(/"Arial"/g, `"${font}"`),
    );
    styles = styles.replace(/<w:style [^>]*w:styleId="Quote"[\s\S]*?<\/w:style>/, '');
    expect(styles).toContain(`w:ascii="${font}"`);
    expect(styles).not.toContain('w:styleId="Quote"');
    files['word/styles.xml'] = strToU8(styles);
    writeFileSync(path, zipDeterministic(files));
  }

  const normalOf = (styles: string) => /<w:style [^>]*w:styleId="Normal"[\s\S]*?<\/w:style>/.exec(styles)![0];

  it("uses the reference's styles.xml and adds only the styles it lacks", async () => {
    const dir = tempDir('foi-render-ref-');
    const ref = join(dir, 'reference.docx');
    await makeReference(ref, 'Georgia');
    const out = unzipText(await markdownToDocx(LETTER_MD, { ...LETTER_OPTIONS, referenceDocx: ref }));
    const styles = out['word/styles.xml']!;
    expect(normalOf(styles)).toContain('w:ascii="Georgia"');
    expect(normalOf(styles)).not.toContain('Arial');
    // Quote was missing from the reference, so ours is added; the document still uses it.
    expect(styles).toContain('w:styleId="Quote"');
    expect(out['word/document.xml']).toContain('<w:pStyle w:val="Quote"/>');
    const ids = [...styles.matchAll(/w:styleId="([^"]+)"/g)].map((m) => m[1]);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('is deterministic with a reference and picks up a changed reference file', async () => {
    const dir = tempDir('foi-render-ref-');
    const ref = join(dir, 'reference.docx');
    await makeReference(ref, 'Georgia');
    const a = await markdownToDocx(LETTER_MD, { referenceDocx: ref });
    const b = await markdownToDocx(LETTER_MD, { referenceDocx: ref });
    expect(sha256(b)).toBe(sha256(a));
    await makeReference(ref, 'Verdana');
    utimesSync(ref, new Date('2030-01-01T00:00:00Z'), new Date('2030-01-01T00:00:00Z'));
    const c = unzipText(await markdownToDocx(LETTER_MD, { referenceDocx: ref }));
    expect(normalOf(c['word/styles.xml']!)).toContain('w:ascii="Verdana"');
  });

  it('fails clearly for a missing reference file', async () => {
    await expect(markdownToDocx('x', { referenceDocx: join(tmpdir(), 'no-such-reference.docx') })).rejects.toThrow(
      /no-such-reference/,
    );
  });
});

describe('throughput', () => {
  it('renders letters quickly enough for the 1,000-letter bench', async () => {
    const start = performance.now();
    for (let i = 0; i < 40; i++) await markdownToDocx(LETTER_MD, { ...LETTER_OPTIONS, footerText: `FOI ${i}` });
    const perLetter = (performance.now() - start) / 40;
    // Typically ~15-25 ms on a 2-core box; the bound only catches pathologies.
    expect(perLetter).toBeLessThan(250);
  });
});
