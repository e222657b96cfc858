import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MANIFEST, writeSite } from '../../src/publish/site-writer.js';
import { tempDir } from '../helpers/cli.js';

describe('the incremental site writer', () => {
  it('creates, leaves unchanged, changes and removes only its own files; prunes emptied folders', () => {
    const site = join(tempDir(), 'site');
    const first = writeSite(site, [{ path: 'index.html', data: 'one' }, { path: 'responses/a.html', data: 'A' }, { path: 'files/a.docx', data: new Uint8Array([1, 2]) }]);
    expect(first.counts).toEqual({ created: 4, changed: 0, unchanged: 0, removed: 0 });
    writeFileSync(join(site, 'responses', 'CNAME-like.txt'), 'not ours');
    const mtime = statSync(join(site, 'files', 'a.docx')).mtimeMs;

    const plan = [{ path: 'index.html', data: 'two' }, { path: 'files/a.docx', data: new Uint8Array([1, 2]) }];
    const check = writeSite(site, plan, { check: true });
    expect(check.files).toEqual([
      { path: '.foi-site.json', status: 'changed' }, { path: 'files/a.docx', status: 'unchanged' },
      { path: 'index.html', status: 'changed' }, { path: 'responses/a.html', status: 'removed' },
    ]);
    expect(readFileSync(join(site, 'index.html'), 'utf8')).toBe('one');
    expect(existsSync(join(site, 'responses', 'a.html'))).toBe(true);

    writeSite(site, plan);
    expect(readFileSync(join(site, 'index.html'), 'utf8')).toBe('two');
    expect(existsSync(join(site, 'responses', 'a.html'))).toBe(false);
    expect(readFileSync(join(site, 'responses', 'CNAME-like.txt'), 'utf8')).toBe('not ours');
    expect(statSync(join(site, 'files', 'a.docx')).mtimeMs).toBe(mtime);

    writeSite(site, [{ path: 'index.html', data: 'two' }]);
    expect(existsSync(join(site, 'files'))).toBe(false);
    expect(JSON.parse(readFileSync(join(site, MANIFEST), 'utf8'))).toEqual({ format: 'foi-site/1', files: ['index.html'], built: {} });
  });

  it('never removes a path outside the site, whatever the manifest says', () => {
    const root = tempDir();
    const site = join(root, 'site');
    mkdirSync(site);
    writeFileSync(join(root, 'precious.txt'), 'keep');
    writeFileSync(join(site, MANIFEST), JSON.stringify({ format: 'foi-site/1', files: ['../precious.txt', '/etc/hostname'] }));
    writeSite(site, [{ path: 'index.html', data: 'x' }]);
    expect(readFileSync(join(root, 'precious.txt'), 'utf8')).toBe('keep');
  });
});
