/**
 * JSON Feed 1.1 (the index as data) and Atom 1.0 (for subscribers). Deterministic: the only dates
 * are the responses' own; the feed's `updated` is the newest response date. Links are absolute
 * when the site has a base URL (`--base-url` or `site.baseUrl`), else relative to the feed, and
 * Atom ids fall back to `urn:foi:` names that do not change when the site moves.
 */
import type { PublicResponse } from './collect.js';
import { escapeHtml } from './html.js';
import { responseHref } from './pages.js';
import type { SiteConfig } from './site-config.js';

export interface FeedItem {
  response: PublicResponse;
  /** A plain-text summary of the published response. */
  summary: string;
}

const EMPTY_DATE = '2000-01-01';
const stamp = (iso: string) => `${iso}T00:00:00Z`;

function link(site: SiteConfig, path: string): string {
  return site.baseUrl ? `${site.baseUrl}${path}` : path;
}

function atomId(site: SiteConfig, shortName: string, path: string, r: PublicResponse | null): string {
  if (site.baseUrl) return `${site.baseUrl}${path}`;
  const slug = (s: string) => encodeURIComponent(s.replace(/\s+/g, '-'));
  return r ? `urn:foi:${slug(shortName)}:${slug(r.reference)}` : `urn:foi:${slug(shortName)}:disclosure-log`;
}

export function jsonFeed(site: SiteConfig, items: readonly FeedItem[]): string {
  const feed = {
    version: 'https://jsonfeed.org/version/1.1',
    title: site.title,
    ...(site.baseUrl ? { home_page_url: `${site.baseUrl}index.html`, feed_url: `${site.baseUrl}feed.json` } : {}),
    description: site.intro,
    language: 'en-GB',
    items: items.map(({ response: r, summary }) => ({
      id: link(site, responseHref(r)),
      url: link(site, responseHref(r)),
      title: `${r.reference}: ${r.title}`,
      content_text: summary,
      date_published: stamp(r.responseDate),
      tags: r.themes.map((t) => t.label),
      _foi: {
        reference: r.reference,
        response_date: r.responseDate,
        received: r.received,
        outcome: r.outcome.label,
        themes: r.themes.map((t) => t.key),
        financial_years: r.financialYears,
      },
    })),
  };
  return JSON.stringify(feed, null, 2) + '\n';
}

const xml = (s: string) => escapeHtml(s).replace(/&#39;/g, '&apos;');

export function atomFeed(site: SiteConfig, shortName: string, items: readonly FeedItem[]): string {
  const updated = items.reduce((m, i) => (i.response.responseDate > m ? i.response.responseDate : m), EMPTY_DATE);
  const self = link(site, 'feed.atom');
  const lines = [
    '<?xml version="1.0" encoding="utf-8"?>',
    '<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en-GB">',
    `  <title>${xml(site.title)}</title>`,
    `  <subtitle>${xml(site.intro)}</subtitle>`,
    `  <id>${xml(atomId(site, shortName, 'index.html', null))}</id>`,
    `  <link rel="alternate" type="text/html" href="${xml(link(site, 'index.html'))}"/>`,
    `  <link rel="self" type="application/atom+xml" href="${xml(self)}"/>`,
    `  <updated>${stamp(updated)}</updated>`,
    `  <author><name>${xml(site.logoAlt)}</name></author>`,
  ];
  for (const { response: r, summary } of items) {
    lines.push(
      '  <entry>',
      `    <title>${xml(`${r.reference}: ${r.title}`)}</title>`,
      `    <id>${xml(atomId(site, shortName, responseHref(r), r))}</id>`,
      `    <link rel="alternate" type="text/html" href="${xml(link(site, responseHref(r)))}"/>`,
      `    <published>${stamp(r.responseDate)}</published>`,
      `    <updated>${stamp(r.responseDate)}</updated>`,
      ...r.themes.map((t) => `    <category term="${xml(t.key)}" label="${xml(t.label)}"/>`),
      `    <summary type="text">${xml(summary)}</summary>`,
      '  </entry>',
    );
  }
  lines.push('</feed>', '');
  return lines.join('\n');
}
