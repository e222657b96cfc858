/**
 * The disclosure log in a real browser: Debian's chromium driven by playwright-core (never a
 * browser download), the site served from 127.0.0.1. Screenshots of each page at 1280 and 375 px
 * go to test-output/site/ (git-ignored) for a person to look at.
 */
import { createServer, type Server } from 'node:http';
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { extname, join, normalize } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { ROOT, foi, tempDir } from '../helpers/cli.js';
import { batchExamples } from '../helpers/site.js';
import { requireToolOrSkip } from '../helpers/tools.js';

const CHROMIUM = '/usr/bin/chromium';
const skip = requireToolOrSkip([CHROMIUM], 'browser tests of the disclosure log (apt-get install chromium)');
const SHOTS = join(ROOT, 'test-output', 'site');
const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.css': 'text/css; charset=utf-8', '.js': 'text/javascript; charset=utf-8',
  '.json': 'application/feed+json', '.atom': 'application/atom+xml', '.csv': 'text/csv; charset=utf-8',
  '.docx': 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
};
const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'];

function serve(root: string): Promise<{ server: Server; base: string }> {
  const server = createServer((req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://localhost').pathname)).replace(/^(\.\.[/\\])+/, '');
    try {
      const body = readFileSync(join(root, path === '/' ? 'index.html' : path));
      res.writeHead(200, { 'content-type': TYPES[extname(path)] ?? 'application/octet-stream' });
      res.end(body);
    } catch {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not found');
    }
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => {
    const addr = server.address();
    resolve({ server, base: `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}/` });
  }));
}

describe.skipIf(skip)('the disclosure log in chromium', () => {
  let site = '';
  let server: Server;
  let base = '';
  let browser: Browser;
  let axeSource = '';
  /** Every URL any page asked for: none may leave the site. */
  const requested: string[] = [];

  beforeAll(async () => {
    const { letters } = batchExamples();
    site = join(tempDir('foi-site-browser-'), 'site');
    const r = foi(['publish', letters, '--site', site]);
    expect(r.code, r.stderr).toBe(0);
    ({ server, base } = await serve(site));
    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
    axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
    mkdirSync(SHOTS, { recursive: true });
  });

  afterAll(async () => {
    await browser?.close();
    await new Promise((r) => server?.close(r));
  });

  async function open(path: string, width = 1280, opts: { js?: boolean } = {}): Promise<{ page: Page; context: BrowserContext }> {
    // bypassCSP lets the test inject axe-core; the site's own policy allows only its own files.
    const context = await browser.newContext({ viewport: { width, height: 900 }, bypassCSP: true, javaScriptEnabled: opts.js ?? true, acceptDownloads: true });
    const page = await context.newPage();
    page.on('request', (req) => requested.push(req.url()));
    const res = await page.goto(base + path);
    expect(res?.status()).toBe(200);
    return { page, context };
  }

  async function axeSeriousOrCritical(page: Page): Promise<string[]> {
    await page.addScriptTag({ content: axeSource });
    const violations = await page.evaluate(async (tags) => {
      const w = window as unknown as { axe: { run: (ctx: Document, o: unknown) => Promise<{ violations: { id: string; impact: string; help: string; nodes: { target: string[] }[] }[] }> } };
      const r = await w.axe.run(document, { runOnly: { type: 'tag', values: tags } });
      return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, targets: v.nodes.map((n) => n.target.join(' ')) }));
    }, AXE_TAGS);
    return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.impact} ${v.id}: ${v.help} (${v.targets.slice(0, 3).join(', ')})`);
  }

  /** axe at both widths, and a full-page screenshot of each. */
  async function checkAndShoot(path: string, name: string, prepare?: (page: Page) => Promise<void>): Promise<void> {
    for (const width of [1280, 375]) {
      const { page, context } = await open(path, width);
      await prepare?.(page);
      expect(await axeSeriousOrCritical(page), `${name} at ${width}px`).toEqual([]);
      await page.screenshot({ path: join(SHOTS, `${name}-${width}.png`), fullPage: true });
      await context.close();
    }
  }

  it('the index lists the two seed responses, newest first', async () => {
    const { page, context } = await open('index.html');
    const refs = await page.locator('ol.responses > li dl.meta div:first-child dd').allTextContents();
    expect(refs).toEqual(['FOI MASIP', 'FOI 556']);
    expect(await page.locator('h1').textContent()).toBe('MOPAC disclosure log');
    await context.close();
  });

  it('a search for "stalking" finds FOI MASIP and not FOI 556', async () => {
    const { page, context } = await open('search.html');
    await page.locator('#q').fill('stalking');
    await page.locator('#q').press('Enter');
    await expect.poll(() => page.locator('#search-status').textContent()).toBe('1 response matches \u201cstalking\u201d.');
    const refs = await page.locator('#search-results dl.meta div:first-child dd').allTextContents();
    expect(refs).toEqual(['FOI MASIP']);
    await page.locator('#search-results h3 a').click();
    await page.waitForURL(/responses\/FOI-MASIP\.html$/);
    // The index form leads to the same results.
    await page.goto(`${base}index.html`);
    await page.locator('#q-index').fill('perpetrator programmes');
    await page.locator('#q-index').press('Enter');
    await page.waitForURL(/search\.html\?q=perpetrator\+programmes$/);
    await expect.poll(() => page.locator('#search-results dl.meta div:first-child dd').allTextContents()).toEqual(['FOI 556']);
    await context.close();
  });

  it('a response page shows the seed 003 table with £209,052, money right-aligned, with headers', async () => {
    const { page, context } = await open('responses/FOI-556.html');
    const table = page.locator('table').first();
    expect(await table.locator('caption').textContent()).toBe('Question 1');
    const row = table.locator('tbody tr', { has: page.locator('th', { hasText: 'Re-MOVE Abuse' }) });
    expect(await row.locator('td.num').textContent()).toBe('£209,052 (Home Office Grant) £130,996 (LBBD Match Fund)');
    expect(await row.locator('td.num').evaluate((el) => getComputedStyle(el).textAlign)).toBe('right');
    expect(await table.locator('thead th[scope="col"]').allTextContents()).toEqual(['Programme', 'Operating in', 'Description', '2022-23 award']);
    expect(await table.locator('tfoot').textContent()).toContain('£2,541,937 (Home Office Grant) £2,057,705 (match funding)');
    await context.close();
  });

  it('the DOCX link downloads the published letter', async () => {
    const { page, context } = await open('responses/FOI-556.html');
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Response letter' }).click()]);
    expect(download.suggestedFilename()).toBe('FOI-556.docx');
    const bytes = readFileSync((await download.path())!);
    expect(bytes.subarray(0, 2).toString()).toBe('PK');
    expect(bytes.equals(readFileSync(join(site, 'files', 'FOI-556.docx')))).toBe(true);
    await context.close();
  });

  it('axe finds no serious or critical violations on the index, a response page and the search results; screenshots', async () => {
    await checkAndShoot('index.html', 'index');
    await checkAndShoot('responses/FOI-556.html', 'response-foi-556');
    await checkAndShoot('responses/FOI-MASIP.html', 'response-foi-masip');
    await checkAndShoot('search.html?q=stalking', 'search-stalking', async (page) => {
      await expect.poll(() => page.locator('#search-results li').count()).toBe(1);
    });
  });

  it('works without JavaScript: filters are pages; the search page says it needs JavaScript', async () => {
    const { page, context } = await open('index.html', 1280, { js: false });
    await page.getByRole('link', { name: 'Stalking (1)' }).click();
    await page.waitForURL(/theme-stalking\.html$/);
    expect(await page.locator('ol.responses > li').count()).toBe(1);
    expect(await page.locator('h2#results-heading').textContent()).toBe('1 response about stalking');
    await page.getByRole('link', { name: /Please provide details of grants/ }).click();
    expect(await page.locator('table caption').allTextContents()).toEqual(['Question 1', 'Question 1: PTF Home Office Funding (via MOPAC)']);
    await page.goto(`${base}search.html?q=stalking`);
    expect(await page.locator('noscript').count()).toBe(1);
    // (Playwright's text search skips <noscript>; the paragraph itself is shown.)
    expect(await page.locator('p.notice').isVisible()).toBe(true);
    expect(await page.locator('p.notice').textContent()).toMatch(/^Search needs JavaScript, which is turned off in this browser/);
    await context.close();
  });

  it('keyboard: the first Tab reaches a visible skip link, and focus is drawn', async () => {
    const { page, context } = await open('index.html');
    await page.keyboard.press('Tab');
    const focused = await page.evaluate(() => {
      const el = document.activeElement as HTMLElement;
      const s = getComputedStyle(el);
      const r = el.getBoundingClientRect();
      return { text: el.textContent, outline: s.outlineStyle, width: s.outlineWidth, top: r.top };
    });
    expect(focused).toMatchObject({ text: 'Skip to main content', outline: 'solid', width: '3px' });
    expect(focused.top).toBeGreaterThanOrEqual(0);
    await page.keyboard.press('Enter');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('main');
    await context.close();
  });

  it('reflows at 320 px: no sideways scrolling of the page; wide tables scroll in their own region', async () => {
    for (const path of ['index.html', 'responses/FOI-556.html', 'responses/FOI-MASIP.html', 'search.html?q=stalking']) {
      const { page, context } = await open(path, 320);
      expect(await page.evaluate(() => document.documentElement.scrollWidth), path).toBeLessThanOrEqual(320);
      await context.close();
    }
  });

  it('no page asked for anything outside the site', () => {
    expect(requested.length).toBeGreaterThan(20);
    expect(requested.filter((u) => !u.startsWith(base))).toEqual([]);
  });
});
