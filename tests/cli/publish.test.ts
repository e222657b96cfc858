/**
 * `foi publish` end to end through bin/foi: what is published, incremental and deterministic
 * writes, --check, withdrawal, the requester's privacy, escaping, and one-line errors.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { strToU8, zipSync } from 'fflate';
import { ROOT, foi, tempDir } from '../helpers/cli.js';
import { batchExamples, batchHostile, readAsText, siteFiles } from '../helpers/site.js';

describe('foi publish: the examples', () => {
  let requests = '';
  let letters = '';
  let site = '';
  let first: ReturnType<typeof foi>;
  beforeAll(() => {
    ({ requests, letters } = batchExamples());
    site = join(tempDir('foi-site-'), 'site');
    first = foi(['publish', letters, '--site', site]);
  });

  it('publishes only the responses marked publish: true, newest first', () => {
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain('2 responses published (2 not marked publish: true)');
    const index = readFileSync(join(site, 'index.html'), 'utf8');
    expect(index).toContain('<a href="responses/FOI-556.html">');
    expect(index).toContain('<dd>FOI MASIP</dd>');
    expect(index).not.toContain('FOI 700');
    expect(index).not.toContain('FOI 701');
    // MASIP has no response date in its request, so it is dated the day batch ran: newer than 2023.
    expect(index.indexOf('FOI-MASIP.html')).toBeLessThan(index.indexOf('FOI-556.html'));
    expect(siteFiles(site)).toEqual(expect.arrayContaining([
      '.foi-site.json', 'assets/minisearch.js', 'assets/search.js', 'assets/site.css', 'feed.atom', 'feed.json',
      'files/FOI-556.docx', 'files/FOI-556.q1.csv', 'files/FOI-556.q3.csv', 'files/FOI-MASIP.docx', 'files/FOI-MASIP.q1-1.csv',
      'files/FOI-MASIP.q1-2.csv', 'index.html', 'outcome-partly-provided.html', 'outcome-provided.html', 'responses/FOI-556.html',
      'responses/FOI-MASIP.html', 'search-index.js', 'search.html', 'theme-domestic-abuse-perpetrators.html', 'theme-stalking.html', 'year-2023.html',
    ]));
    expect(siteFiles(site).filter((f) => /FOI-70[01]/.test(f))).toEqual([]);
    // The tables are copied as the letters folder has them.
    expect(readFileSync(join(site, 'files', 'FOI-556.q1.csv'))).toEqual(readFileSync(join(letters, 'FOI-556.q1.csv')));
  });

  it('a response page has the letter text and the seed 003 table as a real table', () => {
    const page = readFileSync(join(site, 'responses', 'FOI-556.html'), 'utf8');
    expect(page).toContain('<caption id="table-1">Question 1</caption>');
    expect(page).toContain('<th scope="row">Re-MOVE Abuse</th><td>Barking and Dagenham</td>');
    expect(page).toContain('<td class="num"><span class="line">£209,052 (Home Office Grant)</span> <span class="line">£130,996 (LBBD Match Fund)</span></td>');
    expect(page).toMatch(/<tfoot>\n<tr><th scope="row"><strong>Total<\/strong><\/th><td><\/td><td><\/td><td class="num"><span class="line">£2,541,937 \(Home Office Grant\)<\/span> <span class="line">£2,057,705 \(match funding\)<\/span><\/td><\/tr>/);
    // A caption the letter gives (emphasis above the table) is the table's caption.
    const masip = readFileSync(join(site, 'responses', 'FOI-MASIP.html'), 'utf8');
    expect(masip).toContain('<caption id="table-2">Question 1: PTF Home Office Funding (via MOPAC)</caption>');
    expect(masip).not.toContain('<em>PTF Home Office Funding (via MOPAC)</em>');
    expect(page).toContain('<p>MOPAC does not hold this information.</p>');
    expect(page).not.toContain('Dear ');
    expect(page).not.toContain('Yours sincerely');
  });

  it('the published DOCX is the letter without greeting or signature', () => {
    const docx = readAsText(join(site, 'files', 'FOI-556.docx'));
    expect(docx).toContain('Our ref: FOI 556');
    expect(docx).toContain('£209,052 (Home Office Grant)');
    expect(docx).not.toContain('Dear Requester');
    expect(docx).not.toContain('Yours sincerely');
  });

  it('feeds list the published responses', () => {
    const feed = JSON.parse(readFileSync(join(site, 'feed.json'), 'utf8'));
    expect(feed.items.map((i: { _foi: { reference: string } }) => i._foi.reference)).toEqual(['FOI MASIP', 'FOI 556']);
    expect(feed.items[1]).toMatchObject({ url: 'responses/FOI-556.html', date_published: '2023-08-23T00:00:00Z', tags: ['Domestic abuse perpetrators'] });
    const atom = readFileSync(join(site, 'feed.atom'), 'utf8');
    expect(atom.match(/<entry>/g)).toHaveLength(2);
    expect(atom).toContain('<id>urn:foi:MOPAC:FOI-556</id>');
  });

  it('a second run rewrites nothing; --check exits 0; the same letters give byte-identical sites', () => {
    const before = new Map(siteFiles(site).map((f) => [f, statSync(join(site, f)).mtimeMs]));
    const again = foi(['publish', letters, '--site', site]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/files: 0 created, 0 changed, \d+ unchanged, 0 removed\n$/);
    for (const [f, m] of before) expect(statSync(join(site, f)).mtimeMs, f).toBe(m);
    const check = foi(['publish', letters, '--site', site, '--check']);
    expect(check.code, check.stderr).toBe(0);
    const other = join(tempDir('foi-site-'), 'site');
    expect(foi(['publish', letters, '--site', other]).code).toBe(0);
    expect(siteFiles(other)).toEqual(siteFiles(site));
    for (const f of siteFiles(site)) expect(readFileSync(join(other, f)).equals(readFileSync(join(site, f))), f).toBe(true);

    // The DOCX is reused from the last run only while its bytes are what was written: a hand-edited one is rebuilt.
    writeFileSync(join(site, 'files', 'FOI-556.docx'), 'edited by hand');
    const edited = foi(['publish', letters, '--site', site, '--check']);
    expect(edited.code).toBe(1);
    expect(edited.stdout).toMatch(/^would be changed +files\/FOI-556\.docx$/m);
    expect(foi(['publish', letters, '--site', site]).code).toBe(0);
    expect(readFileSync(join(site, 'files', 'FOI-556.docx')).equals(readFileSync(join(other, 'files', 'FOI-556.docx')))).toBe(true);
  });

  it('absolute feed links with --base-url', () => {
    const other = join(tempDir('foi-site-'), 'site');
    expect(foi(['publish', letters, '--site', other, '--base-url', 'https://foi.example.gov.uk/log']).code).toBe(0);
    expect(JSON.parse(readFileSync(join(other, 'feed.json'), 'utf8')).items[1].url).toBe('https://foi.example.gov.uk/log/responses/FOI-556.html');
    expect(foi(['publish', letters, '--site', other, '--base-url', 'javascript:alert(1)']).code).toBe(2);
  });

  it('withdrawing a response: --check exits 1 and writes nothing; publishing removes it from pages, feeds and the index', () => {
    const file = join(requests, 'seed-000-stalking-grants.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace(/^publish: true.*$/m, 'publish: false'));
    const batch = foi(['batch', requests, '--out', letters]);
    expect(batch.code, batch.stderr).toBe(0);
    const check = foi(['publish', letters, '--site', site, '--check']);
    expect(check.code).toBe(1);
    expect(check.stdout).toMatch(/^would be removed +responses\/FOI-MASIP\.html$/m);
    expect(check.stdout).toMatch(/^would be removed +files\/FOI-MASIP\.docx$/m);
    expect(check.stdout).toMatch(/^would be changed +index\.html$/m);
    const json = JSON.parse(foi(['publish', letters, '--site', site, '--check', '--format', 'json']).stdout);
    expect(json.published.map((p: { reference: string }) => p.reference)).toEqual(['FOI 556']);
    expect(json.files).toContainEqual({ path: 'theme-stalking.html', status: 'removed' });
    expect(check.stderr).toMatch(/^foi: the site would change \(\d+ files\); run without --check to publish\n$/);
    expect(existsSync(join(site, 'responses', 'FOI-MASIP.html'))).toBe(true);

    const r = foi(['publish', letters, '--site', site]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('1 response published (3 not marked publish: true)');
    const files = siteFiles(site);
    expect(files.filter((f) => /MASIP|stalking|year-2026|outcome-provided/i.test(f))).toEqual([]);
    for (const f of files) {
      if (f.endsWith('.docx') || f.endsWith('.csv')) continue;
      expect(readFileSync(join(site, f), 'utf8'), f).not.toMatch(/MASIP|Stalking Interventions/);
    }
    expect(JSON.parse(readFileSync(join(site, '.foi-site.json'), 'utf8')).files).toEqual(files.filter((f) => f !== '.foi-site.json'));
    expect(foi(['publish', letters, '--site', site, '--check']).code).toBe(0);
  });
});

describe('foi publish: privacy and escaping', () => {
  let site = '';
  let letters = '';
  beforeAll(() => {
    ({ letters } = batchHostile());
    // The officer's own letter names the requester: that is what must not reach the site.
    expect(readFileSync(join(letters, 'FOI-900.md'), 'utf8')).toContain('Dear Xanthippe Quirkwood');
    site = join(tempDir('foi-site-'), 'site');
    const r = foi(['publish', letters, '--site', site]);
    expect(r.code, r.stderr).toBe(0);
  });

  it("the requester's name, e-mail and postal address appear in no file of the site (HTML, feeds, index, DOCX, CSV)", () => {
    const files = siteFiles(site);
    expect(files).toEqual(expect.arrayContaining(['responses/FOI-900.html', 'feed.json', 'feed.atom', 'search-index.js', 'files/FOI-900.docx', 'files/FOI-900.q1.csv']));
    for (const f of files) {
      const text = readAsText(join(site, f)).toLowerCase();
      for (const s of ['xanthippe', 'quirkwood', 'zedsville', 'zz9 9zz', 'quirk@evil', 'evil.example/me']) expect(text, `${f} contains ${s}`).not.toContain(s);
    }
  });

  it('grant texts from the register are text, never markup or links', () => {
    const page = readFileSync(join(site, 'responses', 'FOI-900.html'), 'utf8');
    expect(page).toContain('<th scope="row">&lt;script&gt;alert(1)&lt;/script&gt; Grant</th>');
    expect(page).toContain('<td>See https://evil.example/ or www.x.com or write to a@b.com =1+1 &amp;amp; more</td>');
    expect(page).toContain('<td>Evil &amp;amp; Sons &lt;b&gt;bold&lt;/b&gt;</td>');
    expect(page).toContain('<td>&lt;img src=x onerror=alert(2)&gt; outcome</td>');
    for (const f of siteFiles(site).filter((x) => x.endsWith('.html'))) {
      const html = readFileSync(join(site, f), 'utf8');
      expect(html, f).not.toMatch(/<(script|img|b)\b(?![^>]*src="(\.\.\/)?(assets\/(minisearch|search)\.js|search-index\.js)")/);
      const hrefs = [...html.matchAll(/href="([^"]+)"/g)].map((m) => m[1]!);
      expect(hrefs.filter((h) => /^(https?:|mailto:|\/\/)/.test(h) && !h.startsWith('https://www.london.gov.uk/') && h !== 'https://ico.org.uk'), f).toEqual([]);
    }
    const feed = JSON.parse(readFileSync(join(site, 'feed.json'), 'utf8'));
    expect(feed.items[0].title).toBe('FOI 900: Grants for hostile data in 2021-22, e.g. <script>x</script> and https://evil.example/q');
    expect(readFileSync(join(site, 'feed.atom'), 'utf8')).toContain('e.g. &lt;script&gt;x&lt;/script&gt; and https://evil.example/q</title>');
  });
});

describe('foi publish: workbooks, house style', () => {
  it('links an XLSX beside the letter; leaves out one that holds the requester\'s name, with a warning', () => {
    const { letters } = batchHostile();
    writeFileSync(join(letters, 'FOI-900.xlsx'), zipSync({ 'xl/sharedStrings.xml': strToU8('<sst><si><t>Grant</t></si></sst>') }));
    const site = join(tempDir('foi-site-'), 'site');
    const r = foi(['publish', letters, '--site', site]);
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(join(site, 'files', 'FOI-900.xlsx'))).toEqual(readFileSync(join(letters, 'FOI-900.xlsx')));
    expect(readFileSync(join(site, 'responses', 'FOI-900.html'), 'utf8')).toMatch(/<a href="\.\.\/files\/FOI-900\.xlsx" download>All tables<\/a> <span class="file-meta">\(Excel workbook, \d+ bytes\)<\/span>/);

    writeFileSync(join(letters, 'FOI-900.xlsx'), zipSync({ 'xl/sharedStrings.xml': strToU8('<sst><si><t>Requested by Xanthippe Quirkwood &lt;img src=x onerror=alert(3)&gt; https://evil.example/me</t></si></sst>') }));
    const again = foi(['publish', letters, '--site', site]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toBe("foi: warning: FOI-900.xlsx: not published: it contains the requester's name or address (FOI 900)\n");
    expect(again.stdout).toMatch(/^removed +files\/FOI-900\.xlsx$/m);
    expect(existsSync(join(site, 'files', 'FOI-900.xlsx'))).toBe(false);
    expect(readFileSync(join(site, 'responses', 'FOI-900.html'), 'utf8')).not.toContain('xlsx');
  });

  it("takes the logo, colours and footer from the body file's site: section", () => {
    const { letters } = batchHostile();
    const dir = tempDir('foi-body-');
    writeFileSync(join(dir, 'crest.svg'), '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>');
    const shipped = readFileSync(join(ROOT, 'templates', 'body.yaml'), 'utf8');
    const body = join(dir, 'body.yaml');
    writeFileSync(body, shipped.replace('  title: MOPAC disclosure log', '  title: Test log\n  logo: crest.svg\n  footer: "Footer <b>text</b>"').replace('brand: "#1f2a5c"', 'brand: "#005ea5"'));
    const site = join(tempDir('foi-site-'), 'site');
    const r = foi(['publish', letters, '--site', site, '--body', body]);
    expect(r.code, r.stderr).toBe(0);
    const index = readFileSync(join(site, 'index.html'), 'utf8');
    expect(index).toContain(`<img class="logo" src="assets/logo.svg" alt="Mayor&#39;s Office for Policing And Crime"> <span class="brand-name">Test log</span>`);
    expect(index).toContain('<p>Footer &lt;b&gt;text&lt;/b&gt;</p>');
    expect(readFileSync(join(site, 'assets', 'site.css'), 'utf8')).toMatch(/^:root \{ --brand: #005ea5; --link: #1d4f91; \}/);
    expect(readFileSync(join(site, 'assets', 'logo.svg'), 'utf8')).toContain('<svg');

    writeFileSync(body, shipped.replace('brand: "#1f2a5c"', 'brand: "#7fb2e5"'));
    const bad = foi(['publish', letters, '--site', site, '--body', body]);
    expect(bad.code).toBe(1);
    expect(bad.stderr.split('\n')[0]).toBe(`foi: ${body}: site.colours.brand: #7fb2e5 has a contrast of 2.23:1 with white; WCAG AA needs at least 4.5:1`);
  });
});

describe('foi publish: bad input', () => {
  it('a missing folder, a missing --site: one line, exit 2', () => {
    const r = foi(['publish', 'no-such-letters', '--site', join(tempDir(), 'site')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('foi: no-such-letters: no such folder of letters\n');
    const dir = tempDir();
    const s = foi(['publish', dir]);
    expect(s.code).toBe(2);
    expect(s.stderr).toBe('foi: say where the site goes: foi publish LETTERS_DIR --site OUT\n');
  });

  it('an unreadable answer record names the file; nothing is written', () => {
    const letters = tempDir();
    writeFileSync(join(letters, 'FOI-1.answer.json'), '{ "format": "foi-answer/1", ');
    const site = join(tempDir(), 'site');
    const r = foi(['publish', letters, '--site', site]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^foi: \S*FOI-1\.answer\.json: cannot read this answer record: not valid JSON \(.+\)\n$/);
    expect(existsSync(site)).toBe(false);
    writeFileSync(join(letters, 'FOI-1.answer.json'), '{"format": "something-else"}');
    expect(foi(['publish', letters, '--site', site]).stderr).toMatch(/FOI-1\.answer\.json: not a foi answer record \(format is "something-else", expected "foi-answer\/1"\)/);
  });

  it('a folder with no answer records, a published record without its letter', () => {
    const letters = tempDir();
    expect(foi(['publish', letters, '--site', join(tempDir(), 'site')]).stderr).toMatch(/no answer records \(\*\.answer\.json\) in this folder; write the letters with foi batch or foi answer first\n$/);
    const { letters: hostile } = batchHostile();
    rmSync(join(hostile, 'FOI-900.md'));
    const r = foi(['publish', hostile, '--site', join(tempDir(), 'site')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/FOI-900\.answer\.json: its letter FOI-900\.md is not beside it; run foi batch again to write it\n$/);
  });

  it('the site cannot be the letters folder; a site inside it is not read as letters', () => {
    const { letters } = batchHostile();
    expect(foi(['publish', letters, '--site', letters]).stderr).toBe(`foi: ${letters}: the site must go in its own folder, not the letters folder\n`);
    const inside = join(letters, 'site');
    expect(foi(['publish', letters, '--site', inside]).code).toBe(0);
    expect(foi(['publish', letters, '--site', inside, '--check']).code).toBe(0);
  });

  it('refuses a non-empty folder that publish did not write', () => {
    const { letters } = batchHostile();
    const site = tempDir();
    mkdirSync(join(site, 'mine'));
    writeFileSync(join(site, 'mine', 'notes.txt'), 'keep');
    const r = foi(['publish', letters, '--site', site]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('this folder is not empty and was not written by foi publish');
    expect(readFileSync(join(site, 'mine', 'notes.txt'), 'utf8')).toBe('keep');
  });
});
