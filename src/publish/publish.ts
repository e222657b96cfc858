/**
 * `foi publish`: the disclosure log website from a letters folder. Builds every file in memory
 * (collect -> pages, feeds, search index, downloads, assets), checks the result for the requesters'
 * personal data, then hands it to the incremental writer. Same letters and body file, same bytes.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { DataError } from '../core/errors.js';
import type { BodyView } from '../letters/view-model.js';
import { letterDocxOptions } from '../letters/answer.js';
import { siteAssets } from './assets.js';
import { collectResponses, publicLetterMarkdown, type Collected, type PublicResponse } from './collect.js';
import { atomFeed, jsonFeed, type FeedItem } from './feeds.js';
import { letterToHtml, markdownToText } from './markdown-html.js';
import {
  filterGroups, filterHref, renderListPage, renderResponsePage, renderSearchPage, responseHref,
  type Download, type FilterKind, type ResponsePage, type SiteModel,
} from './pages.js';
import { findPersonalData } from './privacy.js';
import { searchDoc, searchIndexScript } from './search-index.js';
import { resolveSiteConfig, type SiteSection } from './site-config.js';
import { readManifest, writeSite, type SiteFile, type SiteWriteResult } from './site-writer.js';
import { PublishedDocx } from './published-docx.js';

/** The Information Commissioner's site, which every letter's review paragraph gives. */
export const ICO_URL = 'https://ico.org.uk';

export interface PublishOptions {
  lettersDir: string;
  siteDir: string;
  body: BodyView;
  site: SiteSection;
  /** Folder of the body file, for a relative `site.logo`. */
  bodyDir: string;
  baseUrl?: string | null;
  /** A .docx whose styles the published letters use (as `foi batch --reference-docx`). */
  referenceDocx?: string | null;
  check?: boolean;
}

export interface BuiltSite {
  files: SiteFile[];
  collected: Collected;
  /** Copied files left out because they hold a requester's personal data. */
  warnings: string[];
}

export interface PublishResult extends BuiltSite {
  write: SiteWriteResult;
}

function summaryOf(r: PublicResponse): string {
  const text = `${r.outcome.label}. ${r.questions.map((q) => q.replace(/\s+/g, ' ')).join(' ')}`;
  return text.length <= 400 ? text : `${text.slice(0, 400).replace(/\s+\S*$/, '')}…`;
}

export async function buildSite(opts: Omit<PublishOptions, 'check'>): Promise<BuiltSite> {
  const collected = collectResponses(opts.lettersDir, { skipDir: opts.siteDir, salutation: opts.body.salutation });
  const site = resolveSiteConfig(opts.body, opts.site, {
    baseUrl: opts.baseUrl ?? null,
    logoFile: opts.site.logo ? resolve(opts.bodyDir, opts.site.logo) : null,
    eir: collected.responses.some((r) => r.regime === 'eir'),
  });
  const allowedLinks = new Set(
    [opts.body.nextStepsUrl, opts.body.decisionsUrl, site.website, opts.body.email ? `mailto:${opts.body.email}` : null, ICO_URL]
      .filter((x): x is string => !!x),
  );
  const docxBuilder = new PublishedDocx(opts.siteDir, (existsSync(opts.siteDir) ? readManifest(opts.siteDir)?.built : null) ?? {}, opts.referenceDocx ?? null);
  const files: SiteFile[] = [];
  const warnings: string[] = [];
  const pages: ResponsePage[] = [];
  const texts = new Map<string, string>();

  for (const r of collected.responses) {
    // The DOCX is the published letter, built from the same redacted text as the page: never the
    // officer's copy, which carries the requester's name and address.
    const docxPath = `files/${r.base}.docx`;
    const docx = await docxBuilder.build(docxPath, publicLetterMarkdown(r), letterDocxOptions(opts.body, r.reference, r.responseDate, opts.referenceDocx ?? null));
    const downloads: Download[] = [{ href: docxPath, label: 'Response letter', format: 'Word document', bytes: docx.data.length }];
    files.push({ path: docxPath, data: docx.data, inputKey: docx.inputKey });
    for (const f of r.files) {
      const data = new Uint8Array(readFileSync(f.path));
      if (findPersonalData(f.name, data, r.personal).length) {
        warnings.push(`${f.name}: not published: it contains the requester's name or address (${r.reference})`);
        continue;
      }
      downloads.push({ href: `files/${f.name}`, label: f.label, format: f.kind === 'csv' ? 'CSV' : 'Excel workbook', bytes: data.length });
      files.push({ path: `files/${f.name}`, data });
    }
    pages.push({ response: r, bodyHtml: letterToHtml(r.bodyMarkdown, { allowedLinks, topHeading: 3 }), downloads });
    texts.set(r.base, markdownToText(r.bodyMarkdown));
  }

  const assets = siteAssets(site);
  const model: SiteModel = { site, body: opts.body, logoHref: assets.find((a) => a.path.startsWith('assets/logo'))?.path ?? null, pages };
  for (const p of pages) files.push({ path: responseHref(p.response), data: renderResponsePage(model, p) });
  const groups = filterGroups(collected.responses);
  files.push({ path: 'index.html', data: renderListPage(model, groups, null) });
  for (const kind of ['year', 'outcome', 'theme'] as FilterKind[]) {
    for (const g of groups[kind]) files.push({ path: filterHref({ kind, key: g.key }), data: renderListPage(model, groups, { kind, key: g.key, label: g.label }) });
  }
  files.push({ path: 'search.html', data: renderSearchPage(model) });
  const items: FeedItem[] = collected.responses.map((response) => ({ response, summary: summaryOf(response) }));
  files.push({ path: 'feed.json', data: jsonFeed(site, items) });
  files.push({ path: 'feed.atom', data: atomFeed(site, opts.body.shortName, items) });
  files.push({ path: 'search-index.js', data: searchIndexScript(collected.responses.map((r) => searchDoc(r, texts.get(r.base)!))) });
  files.push(...assets);

  // Belt and braces: each response's page and letter must not hold its requester's details.
  const byPath = new Map(files.map((f) => [f.path, f]));
  for (const r of collected.responses) {
    for (const path of [responseHref(r), `files/${r.base}.docx`]) {
      const f = byPath.get(path)!;
      const hits = findPersonalData(path, f.data, r.personal);
      if (hits.length) throw new DataError(`${r.source}: the published ${path} would contain the requester's details; nothing was published`);
    }
  }
  if (byPath.size !== files.length) {
    const seen = new Set<string>();
    const twice = files.find((f) => seen.has(f.path) || !seen.add(f.path))!;
    throw new DataError(`two published files would be ${twice.path}; check the references and the tables' file names`);
  }
  return { files, collected, warnings };
}

export async function publishSite(opts: PublishOptions): Promise<PublishResult> {
  const built = await buildSite(opts);
  const write = writeSite(opts.siteDir, built.files, { check: opts.check });
  return { ...built, write };
}
