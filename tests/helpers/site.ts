/** Building a disclosure log site for tests: letters from request files, then `foi publish`. */
import { cpSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { unzipSync, strFromU8 } from 'fflate';
import { expect } from 'vitest';
import { FIXTURES, ROOT, foi, tempDir } from './cli.js';

/** Every file under dir, relative, sorted, with / separators. */
export function siteFiles(dir: string): string[] {
  return (readdirSync(dir, { recursive: true }) as string[])
    .filter((p) => statSync(join(dir, p)).isFile())
    .map((p) => p.split('\\').join('/'))
    .sort();
}

/** A file's text; DOCX and XLSX unzipped (every XML part), so a search sees what a reader sees. */
export function readAsText(path: string): string {
  const data = readFileSync(path);
  if (/\.(docx|xlsx)$/.test(path)) {
    const parts = unzipSync(new Uint8Array(data));
    return Object.keys(parts).sort().map((k) => strFromU8(parts[k]!)).join('\n');
  }
  return data.toString('utf8');
}

/** The README tour: every example request answered into a letters folder. */
export function batchExamples(): { requests: string; letters: string } {
  const work = tempDir('foi-publish-');
  const requests = join(work, 'requests');
  mkdirSync(requests);
  cpSync(join(ROOT, 'examples'), requests, { recursive: true });
  const letters = join(work, 'letters');
  const r = foi(['batch', requests, '--out', letters]);
  expect(r.code, r.stderr).toBe(0);
  return { requests, letters };
}

/** Letters for the hostile fixtures: grant texts that try to be markup, a requester who must not appear. */
export function batchHostile(): { letters: string; db: string } {
  const work = tempDir('foi-publish-hostile-');
  const db = join(work, 'reg.sqlite');
  expect(foi(['init', '--db', db]).code).toBe(0);
  const imp = foi(['import', join(FIXTURES, 'publish', 'hostile-register.yaml'), '--db', db]);
  expect(imp.code, imp.stderr).toBe(0);
  const requests = join(work, 'requests');
  mkdirSync(requests);
  cpSync(join(FIXTURES, 'publish', 'hostile-request.yaml'), join(requests, 'hostile-request.yaml'));
  const letters = join(work, 'letters');
  const r = foi(['batch', requests, '--out', letters, '--db', db]);
  expect(r.code, r.stderr).toBe(0);
  return { letters, db };
}
