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

  it('a group puts all of its files in place, or none: a folder in the way leaves every old file and no temp file', async () => {
    const dir = tempDir('foi-atomic-');
    writeFileSync(join(dir, 'A.md'), 'old A\n');
    writeFileSync(join(dir, 'A.csv'), 'old csv\n');
    mkdirSync(join(dir, 'A.docx'));
    const w = new AtomicWriter();
    const a = w.group('FOI 1');
    await a.write(join(dir, 'A.md'), 'new A\n');
    await a.write(join(dir, 'A.docx'), 'docx');
    await a.write(join(dir, 'A.csv'), 'new csv\n');
    const failed = a.close();
    // Another group of the same writer is not affected.
    const b = w.group('FOI 2');
    await b.write(join(dir, 'sub', 'B.md'), 'B\n');
    const placed = b.close();
    await expect(failed).rejects.toThrow(`${join(dir, 'A.docx')}: a folder of that name is in the way; none of FOI 1's files were written`);
    await expect(placed).resolves.toBeUndefined();
    await w.finish();
    expect(readFileSync(join(dir, 'A.md'), 'utf8')).toBe('old A\n');
    expect(readFileSync(join(dir, 'A.csv'), 'utf8')).toBe('old csv\n');
    expect(readFileSync(join(dir, 'sub', 'B.md'), 'utf8')).toBe('B\n');
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('a group whose folder cannot be made (a file in the way) names that file, in words', async () => {
    const dir = tempDir('foi-atomic-');
    writeFileSync(join(dir, 'out'), 'a file, not a folder');
    const w = new AtomicWriter();
    const g = w.group();
    await g.write(join(dir, 'out', 'A.md'), 'x');
    await expect(g.close()).rejects.toThrow(`${join(dir, 'out')}: a file of that name is in the way (a folder is needed here); nothing was written`);
    await w.finish();
  });

  it('writeFileAtomic: one file, synced and in place on return', () => {
    const dir = tempDir('foi-atomic-');
    writeFileAtomic(join(dir, 'a', 'b.json'), '{}\n');
    expect(readFileSync(join(dir, 'a', 'b.json'), 'utf8')).toBe('{}\n');
  });
});
