/**
 * `foi batch`: a disclosure log regenerated in one process, writing only what changed.
 */
import { createHash } from 'node:crypto';
import { cpSync, mkdirSync, rmSync, readFileSync, readdirSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROOT, foi, tempDir } from '../helpers/cli.js';

function listFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const n of readdirSync(d).sort()) {
      const p = join(d, n);
      if (statSync(p).isDirectory()) walk(p);
      else out.push(relative(dir, p));
    }
  };
  walk(dir);
  return out;
}

/** A disclosure log: three requests (one in a subfolder), each touching different grants. */
function makeLog(): string {
  const dir = tempDir('foi-log-');
  mkdirSync(join(dir, '2023'));
  cpSync(join(ROOT, 'examples', 'seed-003-foi-556.yaml'), join(dir, '2023', 'foi-556.yaml'));
  const stalking = readFileSync(join(ROOT, 'examples', 'seed-000-stalking-grants.yaml'), 'utf8').replace('received: 2019-01-24', 'received: 2019-01-24\nresponseDate: 2019-03-01');
  writeFileSync(join(dir, 'stalking.yaml'), stalking);
  writeFileSync(join(dir, 'boroughs.yaml'), [
    'reference: FOI 2015-1', 'received: 2015-10-01', 'responseDate: 2015-10-20', 'questions:',
    '  - wording: Restorative justice allocations to boroughs in 2015-16',
    '    criteria: { fy: [2015-16], theme: restorative-justice }',
    '    columns: [recipient, amount]', '',
  ].join('\n'));
  return dir;
}

function correctGreenwichReferrals(db: string, dir: string): void {
  const text = readFileSync(join(ROOT, 'data', 'mopac-register.yaml'), 'utf8');
  const file = join(dir, 'corrected.yaml');
  writeFileSync(file, text.replace('measure: referrals, value: 69 }', 'measure: referrals, value: 70 }'));
  const r = foi(['import', file, '--db', db]);
  expect(r.code, r.stderr).toBe(0);
}

describe('foi batch', () => {
  let log = '';
  let db = '';
  let out = '';
  let first: ReturnType<typeof foi>;
  beforeAll(() => {
    log = makeLog();
    const work = tempDir('foi-batch-');
    db = join(work, 'reg.sqlite');
    out = join(work, 'out');
    expect(foi(['init', '--db', db, '--sample']).code).toBe(0);
    first = foi(['batch', log, '--out', out, '--db', db]);
  });

  it('answers every request in the folder, recursively, as md, docx, csv, xlsx and answer.json', () => {
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain('3 requests: 3 created, 0 changed, 0 unchanged, 0 failed');
    expect(listFiles(out)).toEqual([
      '2023/FOI-556.answer.json', '2023/FOI-556.docx', '2023/FOI-556.md', '2023/FOI-556.q1.csv', '2023/FOI-556.q3.csv', '2023/FOI-556.xlsx',
      'FOI-2015-1.answer.json', 'FOI-2015-1.docx', 'FOI-2015-1.md', 'FOI-2015-1.q1.csv', 'FOI-2015-1.xlsx',
      'FOI-MASIP.answer.json', 'FOI-MASIP.docx', 'FOI-MASIP.md', 'FOI-MASIP.q1-1.csv', 'FOI-MASIP.q1-2.csv', 'FOI-MASIP.xlsx',
    ]);
    expect(readFileSync(join(out, 'FOI-2015-1.md'), 'utf8')).toContain('| **Total** | **£250,000** |');
  });

  it('a second run changes nothing and rewrites nothing', () => {
    const before = listFiles(out).map((f) => statSync(join(out, f)).mtimeMs);
    const r = foi(['batch', log, '--out', out, '--db', db]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('3 requests: 0 created, 0 changed, 3 unchanged, 0 failed');
    expect(listFiles(out).map((f) => statSync(join(out, f)).mtimeMs)).toEqual(before);
    const check = foi(['batch', log, '--out', out, '--db', db, '--check']);
    expect(check.code).toBe(0);
    // Nothing to list: the count alone, no empty table.
    expect(check.stdout).toBe('3 requests: 0 created, 0 changed, 3 unchanged, 0 failed (check only: nothing written)\n');
  });

  it('after a correction to one grant, changes exactly the outputs that used it, and verify agrees', () => {
    const work = tempDir('foi-batch-corr-');
    const db2 = join(work, 'reg.sqlite');
    const out2 = join(work, 'out');
    expect(foi(['init', '--db', db2, '--sample']).code).toBe(0);
    expect(foi(['batch', log, '--out', out2, '--db', db2]).code).toBe(0);
    const snapshot = new Map(listFiles(out2).map((f) => [f, readFileSync(join(out2, f))]));
    correctGreenwichReferrals(db2, work);

    const check = foi(['batch', log, '--out', out2, '--db', db2, '--check', '--format', 'json']);
    expect(check.code).toBe(1);
    expect(check.stderr).toContain('1 request would change');
    const planned = JSON.parse(check.stdout);
    expect(planned.counts).toEqual({ created: 0, changed: 1, unchanged: 2, failed: 0 });
    for (const [f, bytes] of snapshot) expect(readFileSync(join(out2, f)).equals(bytes), `--check wrote ${f}`).toBe(true);

    const r = foi(['batch', log, '--out', out2, '--db', db2, '--format', 'json']);
    expect(r.code).toBe(0);
    const result = JSON.parse(r.stdout);
    const changedFiles = result.items.flatMap((i: any) => i.outputs.filter((o: any) => o.status !== 'unchanged').map((o: any) => o.path)).sort();
    expect(changedFiles).toEqual(['2023/FOI-556.answer.json', '2023/FOI-556.docx', '2023/FOI-556.md', '2023/FOI-556.q3.csv', '2023/FOI-556.xlsx']);
    for (const [f, bytes] of snapshot) {
      expect(readFileSync(join(out2, f)).equals(bytes), f).toBe(!changedFiles.includes(f));
    }
    expect(readFileSync(join(out2, '2023', 'FOI-556.md'), 'utf8')).toContain('| DA Perpetrator Intervention Project | MARAC | 70 | 213 | 50 |');
    // The batch names the letter and the figure that changed.
    const item = result.items.find((i: any) => i.reference === 'FOI 556');
    expect(item.figureChanges).toEqual([{ question: 3, table: null, grantId: '360G-MOPAC-FOI556-GREENWICH', recipientId: null, column: 'figure:referrals', before: '69', after: '70' }]);
    // The regenerated record keeps the figures of the letter as it was first written.
    const rec = JSON.parse(readFileSync(join(out2, '2023', 'FOI-556.answer.json'), 'utf8'));
    const old = JSON.parse(snapshot.get('2023/FOI-556.answer.json')!.toString('utf8'));
    expect(rec.versions).toEqual([{ fingerprint: old.fingerprint, responseDate: '2023-08-23', due: '2023-08-23', cells: old.cells }]);
    expect(rec.fingerprint).not.toBe(old.fingerprint);
    // …and names the bytes of the files it belongs to.
    for (const [name, hash] of Object.entries(rec.files)) {
      expect(createHash('sha256').update(readFileSync(join(out2, '2023', name))).digest('hex'), name).toBe(hash);
    }
    const table = foi(['batch', log, '--out', out2, '--db', db2]);
    expect(table.stdout).not.toContain('→');

    // foi verify agrees: the old record of FOI 556 no longer matches; the others still do.
    const oldRecord = join(work, 'old-556.answer.json');
    writeFileSync(oldRecord, snapshot.get('2023/FOI-556.answer.json')!);
    expect(foi(['verify', oldRecord, '--db', db2]).code).toBe(1);
    expect(foi(['verify', join(out2, 'FOI-MASIP.answer.json'), '--db', db2]).code).toBe(0);
    expect(foi(['verify', join(out2, 'FOI-2015-1.answer.json'), '--db', db2]).code).toBe(0);
  });

  it('repairs a set of outputs a killed batch left mixed: files that do not match their record are rewritten', () => {
    const o = join(tempDir('foi-batch-repair-'), 'out');
    expect(foi(['batch', log, '--out', o, '--db', db]).code).toBe(0);
    const md = join(o, '2023', 'FOI-556.md');
    const good = readFileSync(md);
    writeFileSync(md, 'a letter from another run');
    rmSync(join(o, '2023', 'FOI-556.docx'));
    const rec = JSON.parse(readFileSync(join(o, '2023', 'FOI-556.answer.json'), 'utf8'));
    expect(createHash('sha256').update(readFileSync(md)).digest('hex')).not.toBe(rec.files['FOI-556.md']);
    const r = foi(['batch', log, '--out', o, '--db', db, '--format', 'json']);
    expect(r.code).toBe(0);
    const item = JSON.parse(r.stdout).items.find((i: any) => i.reference === 'FOI 556');
    expect(item.outputs.filter((x: any) => x.status !== 'unchanged')).toEqual([
      { path: '2023/FOI-556.md', status: 'changed' }, { path: '2023/FOI-556.docx', status: 'created' },
    ]);
    expect(readFileSync(md).equals(good)).toBe(true);
  });

  it('removes temp files a killed batch left behind, and leaves a live writer\'s alone', () => {
    const o = join(tempDir('foi-batch-tmp-'), 'out');
    mkdirSync(join(o, '2023'), { recursive: true });
    // pid 999999 is above Linux's pid_max default: no such process.
    const stale = join(o, '2023', '.FOI-556.md.999999.abc123.tmp');
    const live = join(o, '.FOI-MASIP.md.' + process.pid + '.abc123.tmp');
    writeFileSync(stale, 'half a letter');
    writeFileSync(live, 'being written');
    expect(foi(['batch', log, '--out', o, '--db', db]).code).toBe(0);
    expect(existsSync(stale)).toBe(false);
    expect(existsSync(live)).toBe(true);
  });

  it('reports a failing request with its file and reason; the others complete; no partial file', () => {
    const bad = makeLog();
    writeFileSync(join(bad, 'broken.yaml'), 'reference: BROKEN 1\nreceived: 2023-07-25\nquestions:\n  - wording: w\n    criteria: { theme: burglary }\n');
    const o = join(tempDir('foi-batch-bad-'), 'out');
    const r = foi(['batch', bad, '--out', o, '--db', db]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('4 requests: 3 created, 0 changed, 0 unchanged, 1 failed');
    expect(r.stdout).toMatch(/failed\s+broken\.yaml\s+BROKEN 1 question 1: unknown theme "burglary"/);
    expect(r.stderr).toContain('foi: 1 request failed: broken.yaml');
    expect(listFiles(o).filter((f) => f.startsWith('BROKEN'))).toEqual([]);
    expect(listFiles(o).filter((f) => f.includes('.tmp'))).toEqual([]);
    expect(existsSync(join(o, '2023', 'FOI-556.docx'))).toBe(true);
  });

  it('gives byte-identical output across runs and time zones', () => {
    const a = join(tempDir('foi-tz-a-'), 'out');
    const b = join(tempDir('foi-tz-b-'), 'out');
    expect(foi(['batch', log, '--out', a], { env: { TZ: 'UTC' } }).code).toBe(0);
    expect(foi(['batch', log, '--out', b], { env: { TZ: 'America/Los_Angeles', LANG: 'fr_FR.UTF-8' } }).code).toBe(0);
    const files = listFiles(a);
    expect(files).toEqual(listFiles(b));
    for (const f of files) expect(readFileSync(join(a, f)).equals(readFileSync(join(b, f))), f).toBe(true);
  });

  it('needs --out and a folder', () => {
    expect(foi(['batch', log]).code).toBe(2);
    const r = foi(['batch', join(log, 'nope'), '--out', tempDir()]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('no such folder of request files');
  });
});

describe('foi batch in parallel', () => {
  it('worker threads give the same files as one thread, and report a failing request the same way', () => {
    const log = makeLog();
    writeFileSync(join(log, 'broken.yaml'), 'reference: BROKEN 1\nreceived: 2023-07-25\nquestions:\n  - wording: w\n    criteria: { theme: burglary }\n');
    const one = join(tempDir('foi-j1-'), 'out');
    const two = join(tempDir('foi-j2-'), 'out');
    const a = foi(['batch', log, '--out', one, '--jobs', '1']);
    const b = foi(['batch', log, '--out', two, '--jobs', '2']);
    expect(a.code).toBe(1);
    expect(b.code).toBe(1);
    expect(b.stdout).toBe(a.stdout);
    expect(b.stdout).toContain('4 requests: 3 created, 0 changed, 0 unchanged, 1 failed');
    const files = listFiles(one);
    expect(files).toEqual(listFiles(two));
    for (const f of files) expect(readFileSync(join(one, f)).equals(readFileSync(join(two, f))), f).toBe(true);
  });

  it('rejects a bad --jobs', () => {
    const r = foi(['batch', makeLog(), '--out', tempDir(), '--jobs', '0']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--jobs "0": expected a whole number from 1 to 64');
  });
});
