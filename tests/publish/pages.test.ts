import { describe, expect, it } from 'vitest';
import type { PublicResponse } from '../../src/publish/collect.js';
import { filterGroups, renderListPage, renderResponsePage, renderSearchPage, type SiteModel } from '../../src/publish/pages.js';
import { atomFeed, jsonFeed } from '../../src/publish/feeds.js';
import { searchDoc, searchIndexScript } from '../../src/publish/search-index.js';
import { resolveSiteConfig, EMPTY_SITE_SECTION } from '../../src/publish/site-config.js';
import { loadBodyConfig } from '../../src/letters/body-config.js';

const body = loadBodyConfig(null);
const EVIL = '<script>alert(1)</script> https://evil.example/ www.x.com a@b.com =1+1 &amp;';
const EVIL_HTML = '&lt;script&gt;alert(1)&lt;/script&gt; https://evil.example/ www.x.com a@b.com =1+1 &amp;amp;';

function response(over: Partial<PublicResponse>): PublicResponse {
  return {
    base: 'FOI-1', source: 'FOI-1.answer.json', reference: 'FOI 1', regime: 'foi', title: 'A title', responseDate: '2023-08-23', received: '2023-07-25',
    year: '2023', outcome: { key: 'provided', label: 'Information provided' }, themes: [], financialYears: [], questions: ['Q'],
    bodyMarkdown: 'Thank you.\n', letterheadMarkdown: null, files: [], personal: [], ...over,
  };
}

const a = response({ base: 'FOI-556', reference: 'FOI 556', title: 'Perpetrator programmes', themes: [{ key: 'domestic-abuse-perpetrators', label: 'Domestic abuse perpetrators' }], outcome: { key: 'partly-provided', label: 'Information provided in part' } });
const b = response({ base: 'FOI-MASIP', reference: 'FOI MASIP', title: EVIL, responseDate: '2024-01-10', year: '2024', themes: [{ key: 'stalking', label: 'Stalking' }] });

function model(baseUrl: string | null = null): SiteModel {
  const site = resolveSiteConfig(body, EMPTY_SITE_SECTION, { baseUrl });
  return { site, body, logoHref: null, pages: [b, a].map((response) => ({ response, bodyHtml: '<p>Thank you.</p>\n', downloads: [{ href: `files/${response.base}.docx`, label: 'Response letter', format: 'Word document', bytes: 2048 }] })) };
}

describe('page builders', () => {
  it('index: skip link, landmarks, one h1, newest first, every value escaped', () => {
    const m = model();
    const out = renderListPage(m, filterGroups(m.pages.map((p) => p.response)), null);
    expect(out).toMatch(/^<!doctype html>\n<html lang="en-GB">/);
    expect(out).toContain('<a class="skip-link" href="#main">Skip to main content</a>');
    for (const tag of ['<header class="site-header">', '<nav class="site-nav" aria-label="Site">', '<main id="main" tabindex="-1">', '<footer class="site-footer">']) expect(out).toContain(tag);
    expect(out.match(/<h1>/g)).toHaveLength(1);
    expect(out.indexOf('responses/FOI-MASIP.html')).toBeLessThan(out.indexOf('responses/FOI-556.html'));
    expect(out).toContain(`<a href="responses/FOI-MASIP.html">${EVIL_HTML}</a>`);
    expect(out).not.toContain('<script');
    expect(out).not.toContain('href="https://evil.example/"');
    expect(out).toContain('<h2 id="results-heading">2 responses</h2>');
    expect(out).toContain('<a href="year-2024.html">2024 <span class="count">(1)</span></a>');
    expect(out).toContain('<a href="theme-stalking.html">Stalking <span class="count">(1)</span></a>');
    expect(out).not.toMatch(/(src|href)="(https?:)?\/\/(?!www\.london\.gov\.uk)/);
  });

  it('a filter page lists only its responses and marks the filter current', () => {
    const m = model();
    const out = renderListPage(m, filterGroups(m.pages.map((p) => p.response)), { kind: 'theme', key: 'stalking', label: 'Stalking' });
    expect(out).toContain('<h2 id="results-heading">1 response about stalking</h2>');
    expect(out).toContain('responses/FOI-MASIP.html');
    expect(out).not.toContain('responses/FOI-556.html');
    expect(out).toContain('<a href="theme-stalking.html" aria-current="page">');
    expect(out).toContain('<a href="index.html">Show all responses</a>');
  });

  it('a response page: breadcrumb, summary, downloads, escaped title', () => {
    const m = model();
    const out = renderResponsePage(m, m.pages[0]!);
    expect(out).toContain(`<h1>${EVIL_HTML}</h1>`);
    expect(out).toContain('<li aria-current="page">FOI MASIP</li>');
    expect(out).toContain('<a href="../files/FOI-MASIP.docx" download>Response letter</a> <span class="file-meta">(Word document, 2 KB)</span>');
    expect(out).toContain('<a href="../theme-stalking.html">Stalking</a>');
    expect(out).toContain('<link rel="stylesheet" href="../assets/site.css">');
  });

  it('the search page loads only the site\'s own scripts and says what to do without JavaScript', () => {
    const out = renderSearchPage(model());
    expect(out.match(/<script src="[^"]+"><\/script>/g)).toEqual([
      '<script src="assets/minisearch.js"></script>', '<script src="search-index.js"></script>', '<script src="assets/search.js"></script>',
    ]);
    expect(out).toContain('<noscript>');
    expect(out).toContain('role="status"');
  });
});

describe('feeds and search index', () => {
  it('JSON feed and Atom: newest first, escaped, absolute links with a base URL, dates from the data only', () => {
    const m = model('https://foi.example.gov.uk/log');
    const items = m.pages.map((p) => ({ response: p.response, summary: `${p.response.outcome.label}. ${EVIL}` }));
    const feed = JSON.parse(jsonFeed(m.site, items));
    expect(feed.version).toBe('https://jsonfeed.org/version/1.1');
    expect(feed.items.map((i: { id: string }) => i.id)).toEqual(['https://foi.example.gov.uk/log/responses/FOI-MASIP.html', 'https://foi.example.gov.uk/log/responses/FOI-556.html']);
    expect(feed.items[0].title).toBe(`FOI MASIP: ${EVIL}`);
    expect(feed.items[0].date_published).toBe('2024-01-10T00:00:00Z');
    const atom = atomFeed(m.site, body.shortName, items);
    expect(atom).toContain('<updated>2024-01-10T00:00:00Z</updated>');
    expect(atom).toContain('<title>FOI MASIP: &lt;script&gt;alert(1)&lt;/script&gt; https://evil.example/ www.x.com a@b.com =1+1 &amp;amp;</title>');
    expect(atom).toContain('<id>https://foi.example.gov.uk/log/responses/FOI-556.html</id>');
    expect(atom).not.toContain('<script');
  });

  it('without a base URL, Atom ids are stable urn:foi names and links are relative', () => {
    const m = model(null);
    const atom = atomFeed(m.site, body.shortName, [{ response: a, summary: 's' }]);
    expect(atom).toContain('<id>urn:foi:MOPAC:FOI-556</id>');
    expect(atom).toContain('<link rel="alternate" type="text/html" href="responses/FOI-556.html"/>');
  });

  it('the search index script cannot close a script element and finds a response by its words', async () => {
    const js = searchIndexScript([searchDoc(b, 'stalking advocacy </script><script>alert(1)</script>'), searchDoc(a, 'perpetrator programmes')]);
    expect(js).not.toContain('</script>');
    const data = JSON.parse(js.replace(/^window\.FOI_SEARCH = /, '').replace(/;\n$/, ''));
    const { default: MiniSearch } = await import('minisearch');
    const ms = MiniSearch.loadJS(data.index, data.options);
    expect(ms.search('stalking').map((r) => r.id)).toEqual(['FOI-MASIP']);
    expect(ms.search('perpetrator').map((r) => r.reference)).toEqual(['FOI 556']);
  });
});
