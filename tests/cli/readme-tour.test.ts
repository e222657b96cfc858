/**
 * The README's commands run as written: the first lines (the newcomer's answer) and every command
 * of "A tour", in order, in one shell, from a folder laid out like a fresh clone with ../shared
 * beside it. `npx foi` runs the package's own bin, as it does in a clone; `npm ci` and `npm test`
 * are not re-run here.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, ROOT, tempDir } from '../helpers/cli.js';

/** The shell commands of the README's first code block and of the "A tour" section. */
export function readmeCommands(readme: string): string[] {
  const blocks = (text: string) => [...text.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]);
  const first = blocks(readme)[0];
  const tourStart = readme.indexOf('## A tour');
  const tourEnd = readme.indexOf('\n## ', tourStart + 1);
  const tour = blocks(readme.slice(tourStart, tourEnd)).join('');
  return (first + tour)
    .split('\n')
    .map((l) => l.replace(/\s+#\s.*$/, '').trim())
    .filter((l) => l && l !== 'npm test')
    .map((l) => l.replace(/^npm ci && /, ''));
}

describe('the README', () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const commands = readmeCommands(readme);

  it('starts with the two commands a newcomer runs', () => {
    const first = readme.split('\n').slice(0, 6).join('\n');
    expect(first).toMatch(/```sh\nnpm ci && npx foi answer examples\/seed-003-foi-556\.yaml --out letters\/\nnpm test\n```/);
  });

  it('tour: every command runs as written, in order, and exits 0', () => {
    expect(commands.length).toBeGreaterThan(10);
    const top = tempDir('foi-tour-');
    const clone = join(top, 'foi');
    mkdirSync(clone);
    for (const entry of ['examples', 'package.json']) symlinkSync(join(ROOT, entry), join(clone, entry));
    const shared = resolve(ROOT, '..', 'shared');
    if (existsSync(shared)) symlinkSync(shared, join(top, 'shared'));
    // `npx foi …` in a clone runs bin/foi; here a shim on PATH does the same without npm's start-up.
    const shims = join(top, 'bin');
    mkdirSync(shims);
    writeFileSync(join(shims, 'npx'), `#!/bin/sh\n[ "$1" = foi ] || { echo "npx $1: not in the tour" >&2; exit 127; }\nshift\nexec "${process.execPath}" "${BIN}" "$@"\n`);
    chmodSync(join(shims, 'npx'), 0o755);
    const script = commands.map((c) => `echo '$ ${c.replace(/'/g, "'\\''")}' >&2\n${c} > /dev/null || { echo "FAILED ($?): ${c.replace(/["$`\\]/g, '\\$&')}" >&2; exit 1; }`).join('\n');
    const env: NodeJS.ProcessEnv = { ...process.env, PATH: `${shims}:${process.env.PATH}`, FOI_TODAY: '2026-01-05' };
    delete env.FOI_DB;
    const r = spawnSync('bash', ['-c', `set -u\n${script}`], { cwd: clone, env, encoding: 'utf8' });
    expect(r.stderr).not.toContain('FAILED');
    expect(r.status).toBe(0);
    expect(existsSync(join(clone, 'letters', 'FOI-556.docx'))).toBe(true);
    expect(existsSync(join(clone, 'examples-out', 'FOI-MASIP.md'))).toBe(true);
    expect(existsSync(join(clone, 'site', 'responses', 'FOI-556.html'))).toBe(true);
  });
});
