/**
 * The build precompiles the shipped templates (dist/templates-precompiled.json), so a letter
 * needs no Handlebars parse or compile. A --templates folder (here: a copy of the shipped set)
 * turns that off; the letters must be byte-identical either way.
 */
import { cpSync, existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, foi, tempDir } from '../helpers/cli.js';
import { precompileShippedTemplates } from '../../src/letters/templates.js';

describe('precompiled shipped templates', () => {
  it('the build wrote them, for the shipped set as it is now', () => {
    const file = join(ROOT, 'dist', 'templates-precompiled.json');
    expect(existsSync(file)).toBe(true);
    const built = JSON.parse(readFileSync(file, 'utf8'));
    const now = precompileShippedTemplates();
    expect(built.key).toBe(now.key);
    expect(Object.keys(built.templates).sort()).toEqual(Object.keys(now.templates).sort());
    expect(Object.keys(built.partials)).toContain('review-and-ico');
  });

  it('give the same letters as compiling the same templates at run time', () => {
    const copy = tempDir('foi-templates-copy-');
    cpSync(join(ROOT, 'templates'), copy, { recursive: true });
    for (const example of ['seed-003-foi-556.yaml', 'seed-000-stalking-grants.yaml', 'refusal-s12.yaml', 'exemption-s43.yaml']) {
      const a = tempDir('foi-pre-');
      const b = tempDir('foi-run-');
      const args = ['answer', join(ROOT, 'examples', example), '--response-date', '2024-01-15'];
      const pre = foi([...args, '--out', a]);
      const run = foi([...args, '--out', b, '--templates', copy]);
      expect(pre.code, pre.stderr).toBe(0);
      expect(run.code, run.stderr).toBe(0);
      const files = readdirSync(a).sort();
      expect(readdirSync(b).sort()).toEqual(files);
      for (const f of files) expect(readFileSync(join(b, f)).equals(readFileSync(join(a, f))), `${example}: ${f}`).toBe(true);
    }
  });
});
