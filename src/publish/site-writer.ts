/**
 * Write a built site into its folder incrementally, like `foi batch`: a file whose bytes are the
 * same is not touched, new and changed files are written atomically, and files this command wrote
 * last time that are no longer part of the site (a withdrawn response, a filter with nothing left
 * in it) are removed. What "this command wrote" is the manifest `.foi-site.json`, so files someone
 * else put in the folder are never removed; a non-empty folder without a manifest is refused.
 * `check` writes nothing and reports what would change.
 */
import { existsSync, readdirSync, readFileSync, rmdirSync, rmSync, statSync } from 'node:fs';
import { dirname, join, sep } from 'node:path';
import { writeFileAtomic, writeStatus } from '../core/atomic-write.js';
import { DataError, UsageError } from '../core/errors.js';
import { sha256 } from './published-docx.js';

export const MANIFEST = '.foi-site.json';
const MANIFEST_FORMAT = 'foi-site/1';

export interface SiteFile {
  path: string;
  data: string | Uint8Array;
  /** For a file that is slow to build (the DOCX): a digest of what it was built from (published-docx.ts). */
  inputKey?: string;
}

/** The manifest's record of a built file: digests of its inputs and of the bytes written. */
export interface BuiltRecord {
  input: string;
  output: string;
}

export interface Manifest {
  files: string[];
  built: Record<string, BuiltRecord>;
}

export type SiteFileStatus = 'created' | 'changed' | 'unchanged' | 'removed';

export interface SiteWriteResult {
  files: { path: string; status: SiteFileStatus }[];
  counts: Record<SiteFileStatus, number>;
}

export function readManifest(siteDir: string): Manifest | null {
  const p = join(siteDir, MANIFEST);
  if (!existsSync(p)) return null;
  try {
    const m = JSON.parse(readFileSync(p, 'utf8')) as { format?: string; files?: unknown; built?: unknown };
    if (m.format !== MANIFEST_FORMAT || !Array.isArray(m.files) || m.files.some((f) => typeof f !== 'string')) throw new Error('not a foi site manifest');
    const built = m.built && typeof m.built === 'object' && !Array.isArray(m.built) ? (m.built as Record<string, BuiltRecord>) : {};
    return { files: m.files as string[], built };
  } catch (e) {
    throw new DataError(`${p}: cannot read the site's manifest (${(e as Error).message}); remove the site folder and publish again`);
  }
}

/** Only paths inside the site: a hand-edited manifest must not make us delete ../anything. */
function safeRelative(p: string): boolean {
  return !!p && !p.startsWith('/') && !p.split(/[\\/]/).some((s) => s === '..' || s === '');
}

export function writeSite(siteDir: string, files: readonly SiteFile[], opts: { check?: boolean } = {}): SiteWriteResult {
  if (existsSync(siteDir) && !statSync(siteDir).isDirectory()) throw new UsageError(`${siteDir}: not a folder`);
  const previous = existsSync(siteDir) ? readManifest(siteDir) : null;
  if (previous === null && existsSync(siteDir) && readdirSync(siteDir).length) {
    throw new UsageError(`${siteDir}: this folder is not empty and was not written by foi publish; give an empty or new folder for the site`);
  }
  const planned = [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const built: Record<string, BuiltRecord> = {};
  for (const f of planned) if (f.inputKey) built[f.path] = { input: f.inputKey, output: sha256(f.data) };
  const manifest = JSON.stringify({ format: MANIFEST_FORMAT, files: planned.map((f) => f.path), built }, null, 2) + '\n';
  const all = [...planned, { path: MANIFEST, data: manifest }];
  const result: SiteWriteResult = { files: [], counts: { created: 0, changed: 0, unchanged: 0, removed: 0 } };
  const note = (path: string, status: SiteFileStatus) => {
    result.files.push({ path, status });
    result.counts[status]++;
  };
  const keep = new Set(all.map((f) => f.path));
  const removed = (previous?.files ?? []).filter((p) => safeRelative(p) && !keep.has(p)).sort();
  for (const f of all) {
    const target = join(siteDir, ...f.path.split('/'));
    const status = writeStatus(target, f.data);
    if (f.path !== MANIFEST || status !== 'unchanged') note(f.path, status);
    if (!opts.check && status !== 'unchanged') writeFileAtomic(target, f.data);
  }
  for (const p of removed) {
    const target = join(siteDir, ...p.split('/'));
    if (!existsSync(target)) continue;
    note(p, 'removed');
    if (!opts.check) {
      rmSync(target, { force: true });
      pruneEmptyDirs(siteDir, dirname(target));
    }
  }
  result.files.sort((a, b) => (a.path < b.path ? -1 : 1));
  return result;
}

function pruneEmptyDirs(root: string, dir: string): void {
  for (let d = dir; d.startsWith(root + sep) && !readdirSync(d).length; d = dirname(d)) rmdirSync(d);
}
