/**
 * A register that forgets nothing: change reports on import, `foi history`, "changed on" lines in
 * `foi show`, grants no longer in the source (and --prune), reading the register as at a time,
 * and answer records that keep the figures of a letter that was sent.
 */
import { copyFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROOT, foi, json, tempDir } from '../helpers/cli.js';

const LLOYDS = resolve(ROOT, '..', 'shared', 'data', '360giving', 'lloyds-bank-foundation-2010-2015.360g.json');
const skip = existsSync(LLOYDS) ? false : 'needs ../shared/data/360giving (the Lloyds Bank Foundation file)';

type Package = { grants: { id: string; amountAwarded: number }[] };

function withGrants(file: string, edit: (p: Package) => void): void {
  const p = JSON.parse(readFileSync(file, 'utf8')) as Package;
  edit(p);
  writeFileSync(file, JSON.stringify(p));
}

describe('history of a re-imported 360Giving file', { skip }, () => {
  const dir = tempDir('foi-history-');
  const db = join(dir, 'r.sqlite');
  const file = join(dir, 'lloyds.json');
  let first: ReturnType<typeof foi>;
  let changed: ReturnType<typeof foi>;

  beforeAll(() => {
    copyFileSync(LLOYDS, file);
    first = foi(['import', '--db', db, file]);
    withGrants(file, (p) => {
      p.grants.find((g) => g.id === '360G-LBFEW-109588')!.amountAwarded = 65000;
    });
    changed = foi(['import', '--db', db, file]);
  });

  it('reports exactly the grant that changed, with both amounts', () => {
    expect(first.code).toBe(0);
    expect(changed.code).toBe(0);
    expect(changed.stdout).toContain('lloyds.json (360giving-json): 4,116 grants; 0 added, 1 changed, 4,115 unchanged');
    const lines = changed.stdout.split('\n').filter((l) => l.startsWith('  360G-'));
    expect(lines).toEqual(['  360G-LBFEW-109588 amount £60,000 → £65,000']);
  });

  it('--format json lists every change with old and new values', () => {
    const again = join(dir, 'lloyds-again.json');
    copyFileSync(file, again);
    withGrants(again, (p) => {
      p.grants.find((g) => g.id === '360G-LBFEW-109588')!.amountAwarded = 65000;
    });
    const db2 = join(dir, 'r2.sqlite');
    foi(['import', '--db', db2, LLOYDS]);
    const r = json(foi(['import', '--db', db2, again, '--format', 'json']));
    expect(r.files[0].changes).toEqual([{ grantId: '360G-LBFEW-109588', action: 'changed', fields: [{ field: 'amount_awarded_pence', before: '6000000', after: '6500000' }] }]);
    expect(r.files[0].sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('foi history shows both amounts, when, and which file (by name and content hash)', () => {
    const h = json(foi(['history', '--db', db, '360G-LBFEW-109588', '--format', 'json']));
    expect(h.versions.map((v: { version: number; action: string }) => [v.version, v.action])).toEqual([[1, 'added'], [2, 'changed']]);
    expect(h.versions[1].fields).toEqual([{ field: 'amount_awarded_pence', before: '6000000', after: '6500000' }]);
    expect(h.versions[1].by).toEqual({ kind: 'import', file: 'lloyds.json', fileSha256: expect.stringMatching(/^[0-9a-f]{64}$/), command: null });
    expect(h.versions[0].by.fileSha256).not.toBe(h.versions[1].by.fileSha256);
    const table = foi(['history', '--db', db, '360G-LBFEW-109588']);
    expect(table.stdout).toMatch(/2 +\d{1,2} \w+ \d{4} at \d\d:\d\d +changed +import of lloyds\.json \(sha256 [0-9a-f]{12}…\) +amount £60,000 → £65,000/);
  });

  it('foi show has "changed on" lines', () => {
    const s = foi(['show', '--db', db, '360G-LBFEW-109588']);
    expect(s.stdout).toMatch(/Added +on \d{1,2} \w+ \d{4} at \d\d:\d\d by import of lloyds\.json/);
    expect(s.stdout).toMatch(/Changed +on \d{1,2} \w+ \d{4} at \d\d:\d\d by import of lloyds\.json \(sha256 [0-9a-f]{12}…\): amount £60,000 → £65,000/);
  });

  it('reads the register as at a time: the amount before the change', () => {
    const h = json(foi(['history', '--db', db, '360G-LBFEW-109588', '--format', 'json']));
    const before = new Date(Date.parse(h.versions[1].at) - 1).toISOString();
    const then = json(foi(['grants', '--db', db, '--recipient', 'GB-CHC-1146326', '--as-at', before, '--format', 'json']));
    const now = json(foi(['grants', '--db', db, '--recipient', 'GB-CHC-1146326', '--format', 'json']));
    const amount = (r: { rows: { id: string; amountPence: number }[] }) => r.rows.find((x) => x.id === '360G-LBFEW-109588')?.amountPence;
    expect(amount(then)).toBe(6000000);
    expect(amount(now)).toBe(6500000);
    expect(json(foi(['show', '--db', db, '360G-LBFEW-109588', '--as-at', before, '--format', 'json'])).amountAwardedPence).toBe(6000000);
    // Before anything was imported, the register was empty.
    expect(json(foi(['grants', '--db', db, '--as-at', '2000-01-01', '--format', 'json'])).count).toBe(0);
  });

  it('the same records under another file name are unchanged: the name is provenance', () => {
    const renamed = join(dir, 'lloyds-2016-copy.json');
    copyFileSync(file, renamed);
    const r = foi(['import', '--db', db, renamed]);
    expect(r.stdout).toContain('lloyds-2016-copy.json (360giving-json): 4,116 grants; nothing changed, 4,116 unchanged');
    expect(r.stdout).toContain('The register is unchanged.');
  });

  it('history is in the same transaction: a failed import adds no change set and no version', () => {
    const count = () => {
      const d = new Database(db, { readonly: true });
      try {
        return [d.prepare('SELECT count(*) FROM change_set').pluck().get(), d.prepare('SELECT count(*) FROM grant_version').pluck().get()];
      } finally {
        d.close();
      }
    };
    const before = count();
    const bad = join(dir, 'bad.json');
    withGrants(file, () => undefined);
    const text = readFileSync(file, 'utf8').replace('"amountAwarded": 65000', '"amountAwarded": "lots"').replace('"amountAwarded":65000', '"amountAwarded":"lots"');
    writeFileSync(bad, text);
    const r = foi(['import', '--db', db, bad]);
    expect(r.code).toBe(1);
    expect(count()).toEqual(before);
  });
});

describe('grants no longer in the source', () => {
  it('are listed; --prune marks them withdrawn, keeps their history; letters and listings leave them out; a re-import restores them', () => {
    const dir = tempDir('foi-prune-');
    const db = join(dir, 'r.sqlite');
    const full = join(dir, 'register.yaml');
    copyFileSync(join(ROOT, 'data', 'mopac-register.yaml'), full);
    expect(foi(['import', '--db', db, full]).code).toBe(0);
    // The same file without the Restart programme.
    const text = readFileSync(full, 'utf8');
    const start = text.indexOf('  - id: 360G-MOPAC-FOI556-RESTART');
    const end = text.indexOf('  - id: 360G-MOPAC-FOI556-CIFA');
    writeFileSync(full, text.slice(0, start) + text.slice(end));
    const listed = foi(['import', '--db', db, full]);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toContain("no longer in the source: 1 grant the register holds for this file's funders: 360G-MOPAC-FOI556-RESTART; foi import --prune marks them withdrawn");
    expect(json(foi(['grants', '--db', db, '--fy', '2022-23', '--format', 'json'])).rows.some((r: { id: string }) => r.id === '360G-MOPAC-FOI556-RESTART')).toBe(true);

    const pruned = foi(['import', '--db', db, full, '--prune']);
    expect(pruned.stdout).toContain('no longer in the source: 1 grant marked withdrawn (kept, with its history): 360G-MOPAC-FOI556-RESTART');
    const listing = json(foi(['grants', '--db', db, '--fy', '2022-23', '--theme', 'domestic-abuse-perpetrators', '--format', 'json']));
    expect(listing.rows.some((r: { id: string }) => r.id === '360G-MOPAC-FOI556-RESTART')).toBe(false);
    expect(listing.count).toBe(12);
    const withdrawn = json(foi(['grants', '--db', db, '--fy', '2022-23', '--theme', 'domestic-abuse-perpetrators', '--include-withdrawn', '--format', 'json']));
    expect(withdrawn.count).toBe(14);
    // The footer says the total counts them.
    const withdrawnTable = foi(['grants', '--db', db, '--fy', '2022-23', '--theme', 'domestic-abuse-perpetrators', '--include-withdrawn']).stdout;
    expect(withdrawnTable).toContain('Grants withdrawn from their source, if any, are listed and counted in the total (--include-withdrawn).');
    expect(foi(['grants', '--db', db, '--fy', '2022-23', '--theme', 'domestic-abuse-perpetrators']).stdout).not.toContain('withdrawn');
    const show = foi(['show', '--db', db, '360G-MOPAC-FOI556-RESTART']);
    expect(show.code).toBe(0);
    expect(show.stdout).toMatch(/Withdrawn +\d{1,2} \w+ \d{4} at \d\d:\d\d: no longer in its source/);

    // A letter leaves it out, and its answer record names it.
    const out = join(dir, 'out');
    const r = foi(['answer', '--db', db, join(ROOT, 'examples', 'seed-003-foi-556.yaml'), '--out', out, '--md-only']);
    expect(r.code).toBe(0);
    expect(readFileSync(join(out, 'FOI-556.md'), 'utf8')).not.toContain('Restart');
    const rec = JSON.parse(readFileSync(join(out, 'FOI-556.answer.json'), 'utf8'));
    expect(rec.criteria[0].withdrawn).toEqual(['360G-MOPAC-FOI556-RESTART']);

    // Back in the source: restored, as a new version.
    copyFileSync(join(ROOT, 'data', 'mopac-register.yaml'), full);
    const back = foi(['import', '--db', db, full]);
    expect(back.stdout).toContain('360G-MOPAC-FOI556-RESTART (back in the source)');
    const h = json(foi(['history', '--db', db, '360G-MOPAC-FOI556-RESTART', '--format', 'json']));
    expect(h.versions.map((v: { action: string }) => v.action)).toEqual(['added', 'withdrawn', 'restored']);
    // The withdrawal reads as a date, as letters write dates, not as a stored timestamp.
    const table = foi(['history', '--db', db, '360G-MOPAC-FOI556-RESTART']).stdout;
    const today = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', day: 'numeric', month: 'long', year: 'numeric' }).format(new Date());
    expect(table).toContain(`withdrawn (not withdrawn) → ${today}`);
    expect(table).not.toMatch(/\d{4}-\d\d-\d\dT\d\d:/);
  });
});

describe('a letter that was sent is never erased', () => {
  it('verify checks each version of a regenerated letter, against the register now or as at its date', () => {
    const dir = tempDir('foi-versions-');
    const db = join(dir, 'r.sqlite');
    expect(foi(['init', '--db', db, '--sample']).code).toBe(0);
    const out = join(dir, 'out');
    const req = join(ROOT, 'examples', 'seed-003-foi-556.yaml');
    expect(foi(['answer', '--db', db, req, '--out', out, '--md-only']).code).toBe(0);
    const sentAt = new Date().toISOString();
    const corrected = join(dir, 'corrected.yaml');
    writeFileSync(corrected, readFileSync(join(ROOT, 'data', 'mopac-register.yaml'), 'utf8').replace('measure: referrals, value: 69 }', 'measure: referrals, value: 70 }'));
    expect(foi(['import', '--db', db, corrected]).stdout).toContain('360G-MOPAC-FOI556-GREENWICH figure referrals 2022-23 value 69 → 70');
    expect(foi(['answer', '--db', db, req, '--out', out, '--md-only']).code).toBe(0);
    const record = join(out, 'FOI-556.answer.json');
    expect(JSON.parse(readFileSync(record, 'utf8')).versions).toHaveLength(1);
    // The current letter matches the register; the one sent first does not, but does as at when it was sent.
    expect(foi(['verify', '--db', db, record]).code).toBe(0);
    const v1 = foi(['verify', '--db', db, record, '--letter-version', '1']);
    expect(v1.code).toBe(1);
    expect(v1.stdout).toMatch(/360G-MOPAC-FOI556-GREENWICH +figure:referrals +69 +70/);
    const v1then = foi(['verify', '--db', db, record, '--letter-version', '1', '--as-at', sentAt]);
    expect(v1then.stdout).toContain('(version 1 of 2): unchanged');
    expect(v1then.code).toBe(0);
  });
});

describe('currencies', () => {
  it('amounts keep their currency: shown with its symbol, totalled apart, never as pounds', () => {
    const dir = tempDir('foi-currency-');
    const db = join(dir, 'r.sqlite');
    expect(foi(['init', '--db', db, '--sample']).code).toBe(0);
    expect(foi(['import', '--db', db, join(ROOT, 'tests', 'fixtures', '360giving', 'hand', 'usd.json')]).code).toBe(0);
    const r = json(foi(['grants', '--db', db, '--fy', '2019-20', '--format', 'json']));
    expect(r.totals).toEqual([
      { currency: 'GBP', totalPence: 219593062, maximumPence: 0, outsidePence: 0 },
      { currency: 'USD', totalPence: 250050, maximumPence: 0, outsidePence: 0 },
    ]);
    expect(r.totalPence).toBe(219593062);
    const t = foi(['grants', '--db', db, '--fy', '2019-20']);
    expect(t.stdout).toContain('US$2,500.50');
    expect(t.stdout).toContain('Total in USD: US$2,500.50, the stated amounts counted.');
    expect(t.stdout).toContain('Amounts in different currencies are never added together.');
    expect(foi(['show', '--db', db, '360G-USD-1']).stdout).toMatch(/Amount awarded +US\$2,500\.50/);
    const req = join(dir, 'r.yaml');
    writeFileSync(req, 'reference: FOI 900\nreceived: 2020-01-06\nresponseDate: 2020-01-20\nquestions:\n  - wording: w\n    criteria: { fy: [2019-20] }\n    columns: [grant, amount]\n    grandTotal: true\n');
    expect(foi(['answer', '--db', db, req, '--out', dir, '--md-only']).code).toBe(0);
    const md = readFileSync(join(dir, 'FOI-900.md'), 'utf8');
    expect(md).toContain('| Grant 360G-USD-1 | US$2,500.50 |');
    expect(md).toContain('**£2,195,930.62; US$2,500.50**');
    expect(md).toContain('Amounts in different currencies are totalled separately.');
  });
});
