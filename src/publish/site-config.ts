/**
 * The `site:` section of the body file: house style for the disclosure log website (`foi publish`).
 * Every key is optional. Colours are checked against WCAG 2.2 AA here, so a body cannot configure
 * a header or link colour that fails contrast: the error names the key and the ratio.
 */
import type { BodyView } from '../letters/view-model.js';

export interface SiteSection {
  title: string | null;
  intro: string | null;
  /** The body's own home page (linked from every page). */
  website: string | null;
  /** Where the site is served, for absolute links in the feeds. */
  baseUrl: string | null;
  /** An SVG or PNG file, relative to the body file's folder. */
  logo: string | null;
  footer: string | null;
  colours: { brand: string | null; link: string | null };
}

export interface SiteConfig {
  title: string;
  intro: string;
  website: string | null;
  baseUrl: string | null;
  /** Absolute path of the logo file, or null (the site shows the body's name as a wordmark). */
  logoFile: string | null;
  logoAlt: string;
  footer: string;
  colours: { brand: string; link: string };
}

export const SITE_KEYS = ['title', 'intro', 'website', 'baseUrl', 'logo', 'footer', 'colours'];
const COLOUR_KEYS = ['brand', 'link'];
export const DEFAULT_COLOURS = { brand: '#1f2a5c', link: '#1d4f91' };
/** WCAG 2.2 AA contrast for normal text (1.4.3). */
export const AA_CONTRAST = 4.5;

export const EMPTY_SITE_SECTION: SiteSection = {
  title: null, intro: null, website: null, baseUrl: null, logo: null, footer: null, colours: { brand: null, link: null },
};

/**
 * Parse the `site:` value of a body file. Problems (unknown keys, a bad URL, a colour that fails
 * contrast) are pushed as `site.KEY: …` lines; the result holds what was valid.
 */
export function parseSiteSection(raw: unknown, problems: string[]): SiteSection {
  if (raw === undefined || raw === null) return EMPTY_SITE_SECTION;
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    problems.push(`site: expected a mapping of ${SITE_KEYS.join(', ')}`);
    return EMPTY_SITE_SECTION;
  }
  const o = raw as Record<string, unknown>;
  for (const k of Object.keys(o)) if (!SITE_KEYS.includes(k)) problems.push(`site.${k}: unknown key (known: ${SITE_KEYS.join(', ')})`);
  const text = (k: string, v: unknown = o[k], path = `site.${k}`): string | null => {
    if (v === undefined || v === null) return null;
    if (typeof v !== 'string' || !v.trim()) {
      problems.push(`${path}: expected text, got ${JSON.stringify(v)}`);
      return null;
    }
    return v.trim();
  };
  const url = (k: string): string | null => {
    const v = text(k);
    if (v !== null && !isHttpUrl(v)) {
      problems.push(`site.${k}: expected an http(s) address, got "${v}"`);
      return null;
    }
    return v;
  };
  const logo = text('logo');
  if (logo !== null && !/\.(svg|png)$/i.test(logo)) problems.push(`site.logo: expected an .svg or .png file, got "${logo}"`);
  const colours: SiteSection['colours'] = { brand: null, link: null };
  if (o.colours !== undefined && o.colours !== null) {
    if (typeof o.colours !== 'object' || Array.isArray(o.colours)) problems.push(`site.colours: expected a mapping of ${COLOUR_KEYS.join(', ')}`);
    else {
      const c = o.colours as Record<string, unknown>;
      for (const k of Object.keys(c)) if (!COLOUR_KEYS.includes(k)) problems.push(`site.colours.${k}: unknown key (known: ${COLOUR_KEYS.join(', ')})`);
      for (const k of COLOUR_KEYS as ('brand' | 'link')[]) {
        const v = text(k, c[k], `site.colours.${k}`);
        if (v === null) continue;
        if (!/^#[0-9a-f]{6}$/i.test(v)) {
          problems.push(`site.colours.${k}: expected a colour like #1f2a5c, got "${v}"`);
          continue;
        }
        const ratio = contrastRatio(v, '#ffffff');
        if (ratio < AA_CONTRAST) {
          problems.push(`site.colours.${k}: ${v} has a contrast of ${ratio.toFixed(2)}:1 with white; WCAG AA needs at least ${AA_CONTRAST}:1`);
          continue;
        }
        colours[k] = v.toLowerCase();
      }
    }
  }
  return {
    title: text('title'), intro: text('intro'), website: url('website'), baseUrl: url('baseUrl'),
    logo: logo !== null && /\.(svg|png)$/i.test(logo) ? logo : null, footer: text('footer'), colours,
  };
}

/** The site's settings: the body file's `site:` section with defaults from the body's details. */
export function resolveSiteConfig(body: BodyView, section: SiteSection, opts: { baseUrl?: string | null; logoFile?: string | null; eir?: boolean } = {}): SiteConfig {
  const base = opts.baseUrl ?? section.baseUrl;
  // A log that holds responses under the Environmental Information Regulations says so: not all of it is FOI.
  const laws = opts.eir ? 'the Freedom of Information Act 2000 and the Environmental Information Regulations 2004' : 'the Freedom of Information Act 2000';
  return {
    title: section.title ?? `${body.shortName} disclosure log`,
    intro: section.intro ?? `Responses to ${opts.eir ? 'requests for information under the Freedom of Information Act and the Environmental Information Regulations' : 'Freedom of Information requests'} made to the ${body.name} (${body.shortName}), newest first.`,
    website: section.website,
    baseUrl: base ? (base.endsWith('/') ? base : `${base}/`) : null,
    logoFile: opts.logoFile ?? null,
    logoAlt: body.name,
    footer: section.footer ?? `Published by the ${body.name} under ${laws}. The names and addresses of the people who made the requests are not published.`,
    colours: { brand: section.colours.brand ?? DEFAULT_COLOURS.brand, link: section.colours.link ?? section.colours.brand ?? DEFAULT_COLOURS.link },
  };
}

export function isHttpUrl(v: string): boolean {
  return /^https?:\/\/[^\s<>"']+$/i.test(v);
}

/** WCAG relative luminance of #rrggbb. */
export function luminance(hex: string): number {
  const ch = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255).map((c) => (c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4));
  return 0.2126 * ch[0] + 0.7152 * ch[1] + 0.0722 * ch[2];
}

export function contrastRatio(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}
