/**
 * The site's static files: the style sheet (house colours from the body file, then
 * templates/site/site.css), the search script, MiniSearch vendored from its npm package (so no
 * page loads anything from elsewhere), and the body's logo.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, extname, join } from 'node:path';
import { DataError } from '../core/errors.js';
import { shippedTemplatesDir } from '../letters/body-config.js';
import type { SiteConfig } from './site-config.js';

export interface Asset {
  path: string;
  data: string | Uint8Array;
}

function siteTemplate(name: string): string {
  return readFileSync(join(shippedTemplatesDir(), 'site', name), 'utf8');
}

/** MiniSearch's browser (UMD) build, with its licence and without its source-map comment. */
export function vendoredMiniSearch(): string {
  const require = createRequire(import.meta.url);
  const pkgDir = join(dirname(require.resolve('minisearch')), '..', '..');
  const pkg = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')) as { version: string };
  const code = readFileSync(join(pkgDir, 'dist', 'umd', 'index.js'), 'utf8').replace(/\n\/\/# sourceMappingURL=.*\s*$/, '\n');
  const licence = readFileSync(join(pkgDir, 'LICENSE.txt'), 'utf8').trim();
  return `/*! MiniSearch ${pkg.version} (https://github.com/lucaong/minisearch)\n${licence}\n*/\n${code}`;
}

export function logoAsset(file: string): Asset {
  if (!existsSync(file)) throw new DataError(`${file}: the logo named in the body file (site.logo) does not exist`);
  return { path: `assets/logo${extname(file).toLowerCase()}`, data: new Uint8Array(readFileSync(file)) };
}

export function siteAssets(site: SiteConfig): Asset[] {
  const css = `:root { --brand: ${site.colours.brand}; --link: ${site.colours.link}; }\n${siteTemplate('site.css')}`;
  const out: Asset[] = [
    { path: 'assets/site.css', data: css },
    { path: 'assets/search.js', data: siteTemplate('search.js') },
    { path: 'assets/minisearch.js', data: vendoredMiniSearch() },
  ];
  if (site.logoFile) out.push(logoAsset(site.logoFile));
  return out;
}
