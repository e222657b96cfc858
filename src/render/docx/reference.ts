/**
 * A reference .docx whose word/styles.xml the letters use, so house style is changed in Word, not
 * code. Read once per file version (cached by absolute path, mtime and size).
 */
import { readFileSync, statSync } from 'node:fs';
import { resolve as resolvePath } from 'node:path';
import { ZipArchive } from '../deterministic-zip.js';

export interface ReferenceStyles {
  /** Absolute path, mtime and size: a new key when the file changes. */
  key: string;
  xml: string;
  styleIds: ReadonlySet<string>;
  hasDocDefaults: boolean;
}

const referenceCache = new Map<string, { key: string; value: ReferenceStyles }>();

export function loadReferenceStyles(path: string): ReferenceStyles {
  const abs = resolvePath(path);
  const st = statSync(abs);
  const key = `${st.mtimeMs}:${st.size}`;
  const hit = referenceCache.get(abs);
  if (hit && hit.key === key) return hit.value;
  const archive = ZipArchive.read(new Uint8Array(readFileSync(abs)));
  if (!archive.has('word/styles.xml')) throw new Error(`reference docx ${path} has no word/styles.xml`);
  const xml = archive.getText('word/styles.xml');
  const styleIds = new Set<string>();
  for (const m of xml.matchAll(/<w:style\b[^>]*?\bw:styleId="([^"]*)"/g)) styleIds.add(m[1]!);
  const value = { key: `${abs}:${key}`, xml, styleIds, hasDocDefaults: /<w:docDefaults\b/.test(xml) };
  referenceCache.set(abs, { key, value });
  return value;
}

/** Forget cached reference styles (tests). */
export function clearReferenceCache(): void {
  referenceCache.clear();
}
