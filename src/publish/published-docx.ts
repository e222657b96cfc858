/**
 * The published DOCX of each response, built from the redacted letter. Building a DOCX is the
 * slow part of `foi publish` (docx + deflate, ~50 ms a letter), so a letter whose inputs are
 * unchanged is not built again: the manifest records, per DOCX, a digest of everything it is built
 * from (the Markdown, the options, the reference .docx, the renderer's own code and the docx
 * version) and a digest of the bytes written; when both still match, the file on disk is reused.
 * Same inputs, same bytes either way, so the site stays deterministic.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BUILD_ID } from '../core/build-id.js';
import type { DocxOptions } from '../render/markdown-to-docx.js';
import type { BuiltRecord } from './site-writer.js';

export const sha256 = (data: string | Uint8Array) => createHash('sha256').update(data).digest('hex');

/** What the renderer is: its source and the docx library's version. Null when it cannot be read (then nothing is reused). */
function rendererFingerprint(): string | null {
  const parts: string[] = [];
  if (BUILD_ID) parts.push(BUILD_ID); // bundled: the build's hash of the sources
  else {
    const dir = fileURLToPath(new URL('../render/', import.meta.url));
    if (!existsSync(dir)) return null;
    for (const f of readdirSync(dir, { recursive: true }).map(String).filter((n) => /\.(ts|js)$/.test(n)).sort()) parts.push(f, readFileSync(join(dir, f), 'utf8'));
  }
  try {
    const require = createRequire(import.meta.url);
    const docxMain = require.resolve('docx');
    let dir = docxMain;
    for (let i = 0; i < 4 && !existsSync(join(dir, 'package.json')); i++) dir = join(dir, '..');
    parts.push(String((JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version?: string }).version));
  } catch {
    return null;
  }
  return sha256(parts.join('\u0000'));
}

export class PublishedDocx {
  private readonly renderer: string | null;

  constructor(
    private readonly siteDir: string,
    private readonly previous: Record<string, BuiltRecord>,
    referenceDocx: string | null,
  ) {
    const fp = rendererFingerprint();
    this.renderer = fp === null ? null : sha256(`${fp}\u0000${referenceDocx ? sha256(readFileSync(referenceDocx)) : ''}`);
  }

  async build(path: string, markdown: string, options: DocxOptions): Promise<{ data: Uint8Array; inputKey: string | undefined }> {
    const inputKey = this.renderer === null ? undefined : sha256(JSON.stringify([this.renderer, markdown, options]));
    const before = this.previous[path];
    const target = join(this.siteDir, ...path.split('/'));
    if (inputKey && before?.input === inputKey && existsSync(target)) {
      const data = new Uint8Array(readFileSync(target));
      if (sha256(data) === before.output) return { data, inputKey };
    }
    const { markdownToDocx } = await import('../render/markdown-to-docx.js');
    return { data: await markdownToDocx(markdown, options), inputKey };
  }
}
