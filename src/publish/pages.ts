/**
 * The site's HTML pages: the index (newest first) and one static page per filter (year, outcome,
 * theme) so filtering needs no JavaScript, one page per response, and the search page. Every value
 * goes through the `html` tag (escaped); the only markup from elsewhere is the letter body, which
 * markdown-html.ts builds with the same rule.
 */
import { formatLongDate } from '../core/dates.js';
import type { BodyView } from '../letters/view-model.js';
import type { Label, PublicResponse } from './collect.js';
import { html, trusted, type Html } from './html.js';
import type { SiteConfig } from './site-config.js';

export interface Download {
  /** Path inside the site (files/FOI-556.docx). */
  href: string;
  label: string;
  format: string;
  bytes: number;
}

export interface ResponsePage {
  response: PublicResponse;
  /** The published letter body as HTML (markdown-html.ts). */
  bodyHtml: string;
  downloads: Download[];
}

export interface SiteModel {
  site: SiteConfig;
  body: BodyView;
  /** Site path of the logo (assets/logo.svg) or null. */
  logoHref: string | null;
  pages: ResponsePage[];
}

export type FilterKind = 'year' | 'outcome' | 'theme';

export interface Filter {
  kind: FilterKind;
  key: string;
  label: string;
}

export const responseHref = (r: PublicResponse) => `responses/${r.base}.html`;
export const filterHref = (f: { kind: FilterKind; key: string }) => `${f.kind}-${f.key}.html`;

/** Content-Security-Policy: nothing but this site's own files, whatever a page holds. */
const CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'";

interface LayoutOptions {
  title: string;
  /** '' for pages at the top of the site, '../' for responses/. */
  root: string;
  current: 'index' | 'search' | null;
  main: Html;
  scripts?: string[];
}

function layout(m: SiteModel, o: LayoutOptions): string {
  const { site, body } = m;
  const r = o.root;
  const cur = (k: LayoutOptions['current']) => (o.current === k ? trusted(' aria-current="page"') : '');
  const page = html`<!doctype html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="${CSP}">
<meta name="referrer" content="no-referrer">
<title>${o.title === site.title ? site.title : `${o.title} - ${site.title}`}</title>
<link rel="stylesheet" href="${r}assets/site.css">
<link rel="alternate" type="application/atom+xml" title="${site.title} (Atom feed)" href="${r}feed.atom">
<link rel="alternate" type="application/feed+json" title="${site.title} (JSON feed)" href="${r}feed.json">
</head>
<body>
<a class="skip-link" href="#main">Skip to main content</a>
<header class="site-header">
<div class="wrap header-inner">
<a class="brand" href="${r}index.html">${m.logoHref ? html`<img class="logo" src="${r}${m.logoHref}" alt="${site.logoAlt}"> ` : ''}<span class="brand-name">${site.title}</span></a>
<nav class="site-nav" aria-label="Site">
<ul>
<li><a href="${r}index.html"${cur('index')}>All responses</a></li>
<li><a href="${r}search.html"${cur('search')}>Search</a></li>
${site.website ? html`<li><a href="${site.website}">${body.shortName} website</a></li>\n` : ''}</ul>
</nav>
</div>
</header>
<main id="main" tabindex="-1">
<div class="wrap">
${o.main}
</div>
</main>
<footer class="site-footer">
<div class="wrap">
<p>${site.footer}</p>
<ul class="footer-links">
<li><a href="${body.nextStepsUrl}">Freedom of Information at ${body.shortName}</a></li>
<li><a href="${r}feed.atom">Atom feed</a></li>
<li><a href="${r}feed.json">JSON feed</a></li>
</ul>
</div>
</footer>
${(o.scripts ?? []).map((s) => html`<script src="${r}${s}"></script>\n`)}</body>
</html>
`;
  return page.value;
}

function dateHtml(iso: string): Html {
  return html`<time datetime="${iso}">${formatLongDate(iso)}</time>`;
}

function searchForm(root: string, id: string): Html {
  return html`<form class="search-form" role="search" action="${root}search.html" method="get">
<label for="${id}">Search all responses</label>
<div class="search-row"><input id="${id}" name="q" type="search" autocomplete="off"><button type="submit">Search</button></div>
</form>`;
}

function responseItem(r: PublicResponse, root: string): Html {
  return html`<li class="response">
<h3><a href="${root}${responseHref(r)}">${r.title}</a></h3>
<dl class="meta">
<div><dt>Reference</dt><dd>${r.reference}</dd></div>
<div><dt>Date</dt><dd>${dateHtml(r.responseDate)}</dd></div>
<div><dt>Outcome</dt><dd>${r.outcome.label}</dd></div>
${r.themes.length ? html`<div><dt>Themes</dt><dd>${r.themes.map((t, i) => html`${i ? ', ' : ''}${t.label}`)}</dd></div>\n` : ''}</dl>
</li>
`;
}

export interface FilterGroups {
  year: (Label & { count: number })[];
  outcome: (Label & { count: number })[];
  theme: (Label & { count: number })[];
}

export function filterGroups(responses: readonly PublicResponse[]): FilterGroups {
  const count = (labels: Label[][]) => {
    const m = new Map<string, Label & { count: number }>();
    for (const ls of labels) for (const l of ls) m.set(l.key, { ...l, count: (m.get(l.key)?.count ?? 0) + 1 });
    return [...m.values()];
  };
  return {
    year: count(responses.map((r) => [{ key: r.year, label: r.year }])).sort((a, b) => b.key.localeCompare(a.key)),
    outcome: count(responses.map((r) => [r.outcome])).sort((a, b) => a.label.localeCompare(b.label)),
    theme: count(responses.map((r) => r.themes)).sort((a, b) => a.label.localeCompare(b.label)),
  };
}

export function matchesFilter(r: PublicResponse, f: Filter): boolean {
  return f.kind === 'year' ? r.year === f.key : f.kind === 'outcome' ? r.outcome.key === f.key : r.themes.some((t) => t.key === f.key);
}

const GROUP_NAMES: Record<FilterKind, string> = { year: 'Year', outcome: 'Outcome', theme: 'Theme' };

function filtersNav(groups: FilterGroups, active: Filter | null): Html {
  const group = (kind: FilterKind) => {
    const items = groups[kind];
    if (!items.length) return '';
    return html`<div class="filter-group">
<h3>${GROUP_NAMES[kind]}</h3>
<ul>
${items.map((i) => {
    const on = active?.kind === kind && active.key === i.key;
    return html`<li><a href="${filterHref({ kind, key: i.key })}"${on ? trusted(' aria-current="page"') : ''}>${i.label} <span class="count">(${i.count})</span></a></li>\n`;
  })}</ul>
</div>
`;
  };
  return html`<nav class="filters" aria-labelledby="filters-heading">
<h2 id="filters-heading">Filter responses</h2>
${group('year')}${group('outcome')}${group('theme')}${active ? html`<p class="show-all"><a href="index.html">Show all responses</a></p>\n` : ''}</nav>`;
}

/** The index (filter null) or one filter's page. */
export function renderListPage(m: SiteModel, groups: FilterGroups, filter: Filter | null): string {
  const shown = filter ? m.pages.filter((p) => matchesFilter(p.response, filter)) : m.pages;
  const n = shown.length;
  const what = `${n} ${n === 1 ? 'response' : 'responses'}`;
  const heading = !filter ? what
    : filter.kind === 'year' ? `${what} from ${filter.label}`
      : filter.kind === 'outcome' ? `${what}: ${filter.label}`
        : `${what} about ${filter.label.toLowerCase()}`;
  const title = filter ? `${GROUP_NAMES[filter.kind]}: ${filter.label}` : m.site.title;
  const main = html`<h1>${filter ? html`${m.site.title}: ${filter.label}` : m.site.title}</h1>
<p class="lead">${m.site.intro}</p>
${searchForm('', 'q-index')}
${filtersNav(groups, filter)}
<section class="results" aria-labelledby="results-heading">
<h2 id="results-heading">${heading}</h2>
${n ? html`<ol class="responses">\n${shown.map((p) => responseItem(p.response, ''))}</ol>` : html`<p>No responses have been published yet.</p>`}
</section>`;
  return layout(m, { title, root: '', current: filter ? null : 'index', main });
}

function formatBytes(n: number): string {
  return n < 1024 ? `${n} bytes` : `${Math.round(n / 1024)} KB`;
}

export function renderResponsePage(m: SiteModel, p: ResponsePage): string {
  const r = p.response;
  const root = '../';
  const main = html`<nav class="breadcrumbs" aria-label="Breadcrumb">
<ol>
<li><a href="${root}index.html">${m.site.title}</a></li>
<li aria-current="page">${r.reference}</li>
</ol>
</nav>
<h1>${r.title}</h1>
<dl class="summary">
<div><dt>Reference</dt><dd>${r.reference}</dd></div>
<div><dt>Date of response</dt><dd>${dateHtml(r.responseDate)}</dd></div>
<div><dt>Request received</dt><dd>${dateHtml(r.received)}</dd></div>
${r.regime === 'eir' ? html`<div><dt>Answered under</dt><dd>the Environmental Information Regulations 2004</dd></div>\n` : ''}<div><dt>Outcome</dt><dd><a href="${root}${filterHref({ kind: 'outcome', key: r.outcome.key })}">${r.outcome.label}</a></dd></div>
${r.themes.length ? html`<div><dt>Themes</dt><dd>${r.themes.map((t, i) => html`${i ? ', ' : ''}<a href="${root}${filterHref({ kind: 'theme', key: t.key })}">${t.label}</a>`)}</dd></div>\n` : ''}${r.financialYears.length ? html`<div><dt>Financial years</dt><dd>${r.financialYears.join(', ')}</dd></div>\n` : ''}</dl>
${p.downloads.length ? html`<h2>Downloads</h2>
<ul class="downloads">
${p.downloads.map((d) => html`<li><a href="${root}${d.href}" download>${d.label}</a> <span class="file-meta">(${d.format}, ${formatBytes(d.bytes)})</span></li>\n`)}</ul>
` : ''}<h2>Response</h2>
<div class="letter">
${trusted(p.bodyHtml)}</div>`;
  return layout(m, { title: `${r.reference}: ${r.title}`, root, current: null, main });
}

export function renderSearchPage(m: SiteModel): string {
  const main = html`<h1>Search responses</h1>
${searchForm('', 'q')}
<noscript><p class="notice">Search needs JavaScript, which is turned off in this browser. You can still browse <a href="index.html">every response</a> by year, outcome or theme.</p></noscript>
<div id="search-status" class="search-status" role="status" aria-live="polite"></div>
<div id="search-results"></div>`;
  return layout(m, { title: 'Search', root: '', current: 'search', main, scripts: ['assets/minisearch.js', 'search-index.js', 'assets/search.js'] });
}
