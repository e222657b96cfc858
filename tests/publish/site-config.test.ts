import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { contrastRatio, parseSiteSection } from '../../src/publish/site-config.js';
import { loadBodyConfig, loadBodyFile, shippedBodyConfigPath } from '../../src/letters/body-config.js';

describe('site: section of the body file', () => {
  it('computes WCAG contrast', () => {
    expect(contrastRatio('#000000', '#ffffff')).toBeCloseTo(21, 5);
    expect(contrastRatio('#767676', '#ffffff')).toBeGreaterThan(4.5);
  });

  it('rejects colours that fail AA contrast with white, unknown keys and bad addresses, naming the key', () => {
    const problems: string[] = [];
    parseSiteSection({ colours: { brand: '#ffdd00', link: 'blue' }, website: 'javascript:alert(1)', logo: 'logo.gif', fonts: 'x' }, problems);
    expect(problems).toEqual([
      'site.fonts: unknown key (known: title, intro, website, baseUrl, logo, footer, colours)',
      'site.logo: expected an .svg or .png file, got "logo.gif"',
      'site.colours.brand: #ffdd00 has a contrast of 1.35:1 with white; WCAG AA needs at least 4.5:1',
      'site.colours.link: expected a colour like #1f2a5c, got "blue"',
      'site.website: expected an http(s) address, got "javascript:alert(1)"',
    ]);
  });

  it('the shipped MOPAC body file has a valid site section', () => {
    const { site } = loadBodyFile(null);
    expect(site.title).toBe('MOPAC disclosure log');
    expect(site.colours.brand).toBe('#1f2a5c');
    expect(site.website).toMatch(/^https:\/\//);
  });

  it('every command rejects a bad site key in a body file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'foi-site-config-'));
    const file = join(dir, 'body.yaml');
    writeFileSync(file, readFileSync(shippedBodyConfigPath(), 'utf8').replace('title: MOPAC disclosure log', 'title: MOPAC disclosure log\n  tracker: https://evil.example/t.js'));
    expect(() => loadBodyConfig(file)).toThrow(`${file}: site.tracker: unknown key`);
  });
});
