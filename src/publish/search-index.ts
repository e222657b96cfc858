/**
 * The client-side search index, built at publish time with MiniSearch and shipped as a script
 * (`search-index.js` sets `window.FOI_SEARCH`), so search works from any static host or straight
 * from the disk, and no request leaves the site. assets/search.js loads it with the same options.
 */
import MiniSearch from 'minisearch';
import { formatLongDate } from '../core/dates.js';
import type { PublicResponse } from './collect.js';
import { responseHref } from './pages.js';

export interface SearchDoc {
  id: string;
  reference: string;
  title: string;
  themes: string;
  outcome: string;
  text: string;
  url: string;
  date: string;
}

/** Shared with the browser: only plain data (no functions), so the index loads with the same options. */
export const SEARCH_OPTIONS = {
  fields: ['reference', 'title', 'themes', 'outcome', 'text'],
  storeFields: ['reference', 'title', 'url', 'date', 'outcome'],
};

export function searchDoc(r: PublicResponse, text: string): SearchDoc {
  return {
    id: r.base,
    reference: r.reference,
    title: r.title,
    themes: r.themes.map((t) => t.label).join(', '),
    outcome: r.outcome.label,
    text,
    url: responseHref(r),
    date: formatLongDate(r.responseDate),
  };
}

/** The index script. `<` is written as \u003c so no text in it can ever close a script element. */
export function searchIndexScript(docs: readonly SearchDoc[]): string {
  const ms = new MiniSearch<SearchDoc>(SEARCH_OPTIONS);
  ms.addAll([...docs]);
  const payload = JSON.stringify({ options: SEARCH_OPTIONS, index: ms.toJSON() })
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
  return `window.FOI_SEARCH = ${payload};\n`;
}
