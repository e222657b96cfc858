import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AtomicWriter, writeFileAtomic } from '../../src/core/atomic-write.js';
import { tempDir } from '../helpers/cli.js';

describe('AtomicWriter', () => {
  it('writes many files (more than it holds open at once) with their exact bytes, and leaves no temp file', async () => {
    const dir = tempDir('foi-atomic-');
    const w = new AtomicWriter(8);
    for (let i = 0; i < 200; i++) await w.write(join(dir, `sub${i % 3}`, `f${i}.txt`), i % 2 ? `text ${i}\n` : new Uint8Array([i, 0, 255]));
    await w.finish();
    for (let i = 0; i < 200; i++) {
      const got = readFileSync(join(dir, `sub${i % 3}`, `f${i}.txt`));
      expect(got.equals(Buffer.from(i % 2 ? `text ${i}\n` : new Uint8Array([i, 0, 255])))).toBe(true);
    }
    const all = [0, 1, 2].flatMap((k) => readdirSync(join(dir, `sub${k}`)));
    expect(all.filter((f) => f.endsWith('.tmp'))).toEqual([]);
    expect(all).toHaveLength(200);
  });

  it('replaces an existing file whole, and reports a file it could not put in place without leaving its temp file', async () => {
    const dir = tempDir('foi-atomic-');
    writeFileSync(join(dir, 'letter.md'), 'old letter\n');
    mkdirSync(join(dir, 'blocked.md')); // a directory where a file should go: the rename fails
    const w = new AtomicWriter();
    await w.write(join(dir, 'letter.md'), 'new letter\n');
    await w.write(join(dir, 'blocked.md'), 'x');
    await expect(w.finish()).rejects.toThrow(/blocked\.md/);
    expect(readFileSync(join(dir, 'letter.md'), 'utf8')).toBe('new letter\n');
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('writeFileAtomic: one file, synced and in place on return', () => {
    const dir = tempDir('foi-atomic-');
    writeFileAtomic(join(dir, 'a', 'b.json'), '{}\n');
    expect(readFileSync(join(dir, 'a', 'b.json'), 'utf8')).toBe('{}\n');
  });
});
