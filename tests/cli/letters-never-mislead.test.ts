/**
 * Letters and listings that never mislead (issue "Letters that never mislead"), each point through
 * bin/foi: multi-year lines, "not held" over matching rows, empty years in a range, maxima,
 * budgets side by side, published order, officers' notes, co-funded totals, untrusted links,
 * spreadsheet formulas, placeholders, stable response dates and one file name per reference.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIXTURES, ROOT, foi, json, tempDir } from '../helpers/cli.js';
import { requireToolOrSkip, runTool } from '../helpers/tools.js';

const TODAY = { FOI_TODAY: '2026-01-05' };

function request(dir: string, name: string, yaml: string): string {
  const file = join(dir, name);
  writeFileSync(file, yaml);
  return file;
}

describe('1. a money line over several years is found in every year it covers', () => {
  it('foi grants --fy 2023-24 finds the 2023 to 2025 award, and leaves it out of the year total', () => {
    const r = json(foi(['grants', '--fy', '2023-24', '--recipient', 'Suzy Lamplugh', '--format', 'json']));
    expect(r.rows.map((x: { id: string; period: string; amountPence: number; multiYear: boolean; countedAs: string }) => [x.id, x.period, x.amountPence, x.multiYear, x.countedAs]))
      .toEqual([['360G-MOPAC-SLT-ADVOCACY-2023', '2023 to 2025', 49000000, true, 'outside']]);
    expect(r.totalPence).toBe(0);
    expect(r.notInTotal).toEqual([expect.objectContaining({ id: '360G-MOPAC-SLT-ADVOCACY-2023', amountPence: 49000000, period: '2023 to 2025' })]);
    const t = foi(['grants', '--fy', '2023-24', '--recipient', 'Suzy Lamplugh']);
    expect(t.stdout).toContain('2023 to 2025 (not split by year)');
    expect(t.stdout).toContain('Not in the total: £490,000 for 2023 to 2025 (360G-MOPAC-SLT-ADVOCACY-2023 line 1), which covers years not asked for and is not split by year.');
  });

  it('over every year it covers, the line counts once in the total', () => {
    const r = json(foi(['grants', '--fy', '2022-23..2025-26', '--recipient', 'Suzy Lamplugh', '--format', 'json']));
    const line = r.rows.find((x: { seq: number; id: string }) => x.id === '360G-MOPAC-SLT-ADVOCACY-2023' && x.seq === 1);
    expect(line.countedAs).toBe('total');
    expect(r.totalPence).toBe(49000000);
    expect(r.maximumPence).toBe(48000000);
  });

  it('a letter lists it in each year with its period, never in a year total', () => {
    const dir = tempDir('foi-multi-');
    const file = request(dir, 'r.yaml', [
      'reference: FOI 801', 'received: 2026-01-05', 'responseDate: 2026-01-20', 'questions:',
      '  - wording: Grants to the Suzy Lamplugh Trust for stalking advocacy from 2023-24 to 2025-26.',
      '    criteria: { fy: [2023-24..2025-26], recipient: Suzy Lamplugh }', '    columns: [grant, amount]', '',
    ].join('\n'));
    const r = foi(['answer', file, '--out', dir, '--md-only']);
    expect(r.code).toBe(0);
    const md = readFileSync(join(dir, 'FOI-801.md'), 'utf8');
    const y2324 = md.slice(md.indexOf('### 2023-24'), md.indexOf('### 2024-25'));
    const y2425 = md.slice(md.indexOf('### 2024-25'), md.indexOf('### 2025-26'));
    expect(y2324).toContain('| Stalking advocacy support (Suzy Lamplugh Trust), 2023 to 2025 | £490,000 for 2023 to 2025, not split by year |');
    expect(y2425).toContain('£490,000 for 2023 to 2025, not split by year');
    expect(y2425).toContain('| up to £240,000 |');
    // 2024-25 has two rows: the total row leaves both out, and says so.
    expect(y2425).not.toContain('**Total**');
    expect(y2425).toContain('The total does not include');
  });
});

describe('2. "not held" (or exempt, or refused on cost) over rows the register holds', () => {
  const yaml = (extra: string) => [
    'reference: FOI 802', 'received: 2025-11-03', 'responseDate: 2025-11-20', 'questions:',
    '  - wording: Restorative justice grants in 2015-16.', '    outcome: not held',
    '    criteria: { fy: [2015-16], theme: restorative-justice }', extra, '',
  ].join('\n');

  it('is refused, naming how many rows and how much matched; nothing is written', () => {
    const dir = tempDir('foi-nh-');
    const file = request(dir, 'r.yaml', yaml(''));
    const r = foi(['answer', file, '--out', dir]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('foi: FOI 802 question 1: the outcome is "not held", but its criteria match 9 money lines (£250,000) in the register; answer it as held, narrow the criteria, or give the reason in despiteMatches\n');
    expect(readdirSync(dir)).toEqual(['r.yaml']);
  });

  it('stands when the question says why, and the answer record keeps the reason', () => {
    const dir = tempDir('foi-nh-');
    const file = request(dir, 'r.yaml', yaml('    despiteMatches: The register holds the allocations, not the providers\' contracts asked for.'));
    const r = foi(['answer', file, '--out', dir, '--md-only']);
    expect(r.code).toBe(0);
    const rec = JSON.parse(readFileSync(join(dir, 'FOI-802.answer.json'), 'utf8'));
    expect(rec.criteria[0].despiteMatches).toBe('The register holds the allocations, not the providers\' contracts asked for.');
    expect(rec.criteria[0].lines).toHaveLength(9);
    expect(readFileSync(join(dir, 'FOI-802.md'), 'utf8')).toContain('MOPAC does not hold this information.');
  });
});

describe('3. a range with an empty year answers every year', () => {
  it('2020-21..2025-26: each year has its table or says in words that nothing matched', () => {
    const dir = tempDir('foi-range-');
    const file = request(dir, 'r.yaml', [
      'reference: FOI 803', 'received: 2026-01-05', 'responseDate: 2026-01-20', 'questions:',
      '  - wording: Stalking grants from 2020-21 to 2025-26.', '    criteria: { fy: [2020-21..2025-26], theme: stalking }',
      '    columns: [grant, amount]', '',
    ].join('\n'));
    const r = foi(['answer', file, '--out', dir]);
    expect(r.code).toBe(0);
    const md = readFileSync(join(dir, 'FOI-803.md'), 'utf8');
    for (const y of ['2020-21', '2021-22', '2022-23', '2023-24', '2024-25', '2025-26']) expect(md).toContain(`### ${y}`);
    expect(md).toContain('### 2021-22\n\nNo grants matched these criteria in 2021-22.');
    expect(md).toContain('| Stalking advocacy support (Suzy Lamplugh Trust), 2020-21 | £171,000 |');
    // No CSV for a year with nothing in it.
    expect(existsSync(join(dir, 'FOI-803.q1-2021-22.csv'))).toBe(false);
    expect(existsSync(join(dir, 'FOI-803.q1-2020-21.csv'))).toBe(true);
  });
});

describe('4. "up to" amounts are never totalled as money', () => {
  it('json keeps totalPence for stated amounts and maximumPence for maxima; the table footer says which is which', () => {
    const r = json(foi(['grants', '--fy', '2024-25..2025-26', '--funder', 'NHS England', '--format', 'json']));
    expect(r.rows.every((x: { basis: string }) => x.basis === 'maximum')).toBe(true);
    expect(r.totalPence).toBe(0);
    expect(r.maximumPence).toBe(48000000);
    const t = foi(['grants', '--fy', '2024-25..2025-26', '--funder', 'NHS England', '--format', 'md']);
    expect(t.stdout).toContain('Not in the total: up to £480,000 in "up to" amounts (maxima, not sums awarded).');
    expect(t.stdout).toContain('| up to £240,000 | up to |');
  });
});

describe('5 and 8. budgets side by side; co-funded totals per funder type', () => {
  it('grandTotal adds one total across funder types when the request asks for it', () => {
    const dir = tempDir('foi-grand-');
    const file = request(dir, 'r.yaml', [
      'reference: FOI 805', 'received: 2023-07-25', 'responseDate: 2023-08-23', 'questions:',
      '  - wording: Perpetrator programmes in 2022-23 and their total cost.', '    criteria: { fy: [2022-23], theme: domestic-abuse-perpetrators }',
      '    columns: [grant, amount]', '    grandTotal: true', '',
    ].join('\n'));
    expect(foi(['answer', file, '--out', dir, '--md-only']).code).toBe(0);
    expect(readFileSync(join(dir, 'FOI-805.md'), 'utf8')).toContain('**£2,541,937 (Home Office Grant) £2,057,705 (match funding); £4,599,642 in all**');
  });

  it('a basis column and the budgets note, with the original beside the revision', () => {
    const r = foi(['grants', '--fy', '2019-20', '--theme', 'stalking', '--include-superseded', '--format', 'md']);
    expect(r.stdout).toContain('| £1,931,819 (superseded) | original budget |');
    expect(r.stdout).toContain('| £2,089,877.62 | revised budget |');
    expect(r.stdout).toContain('Superseded budgets are listed for comparison but not counted.');
  });
});

describe('9. untrusted text never becomes a link', () => {
  const setup = () => {
    const dir = tempDir('foi-links-');
    const db = join(dir, 'r.sqlite');
    expect(foi(['init', '--db', db]).code).toBe(0);
    expect(foi(['import', '--db', db, join(FIXTURES, 'register-hostile.yaml')]).code).toBe(0);
    const file = request(dir, 'r.yaml', [
      'reference: FOI 809', 'requester:', '  name: "Ms A\\n\\nPerson https://evil.example/x"', 'received: 2021-01-04', 'responseDate: 2021-01-05', 'questions:',
      '  - wording: "Grants to www.evil.example please; write to me at me@evil.example"', '    criteria: { fy: [2020-21], theme: hostile }',
      '    columns: [grant, recipient, description, outcome, amount]', '',
    ].join('\n'));
    const r = foi(['answer', '--db', db, file, '--out', dir]);
    expect(r.stderr).not.toContain('Error');
    expect(r.code).toBe(0);
    return dir;
  };

  it('the Markdown has no links but the body\'s own, and prints URLs and &amp; exactly', { skip: requireToolOrSkip('pandoc', 'Markdown read-back') }, () => {
    const dir = setup();
    const md = readFileSync(join(dir, 'FOI-809.md'), 'utf8');
    expect(md).toContain('Dear Ms A Person https\\://evil.example/x,');
    const html = runTool('pandoc', ['-f', 'gfm', '-t', 'html', join(dir, 'FOI-809.md')]).stdout;
    const hrefs = [...html.matchAll(/href="([^"]+)"/g)].map((m) => m[1]);
    expect(hrefs.length).toBeGreaterThan(0);
    for (const h of hrefs) expect(h).toMatch(/^https:\/\/(www\.london\.gov\.uk|ico\.org\.uk)(\/|$)/);
    const text = runTool('pandoc', ['-f', 'gfm', '-t', 'plain', '--wrap=none', join(dir, 'FOI-809.md')]).stdout;
    expect(text).toContain('See https://example.org/grants_2020/list*new* and www.example.com or mail info@example.org');
    expect(text).toContain('<b>x</b>');
  });

  it('the DOCX links only to the body\'s own pages and the ICO', { skip: requireToolOrSkip('unzip', 'DOCX relationships') }, () => {
    const dir = setup();
    const rels = runTool('unzip', ['-p', join(dir, 'FOI-809.docx'), 'word/_rels/document.xml.rels']).stdout;
    const targets = [...rels.matchAll(/Type="[^"]*hyperlink" Target="([^"]+)"/g)].map((m) => m[1]);
    for (const t of targets) expect(t).toMatch(/^https:\/\/(www\.london\.gov\.uk|ico\.org\.uk)(\/|$)/);
    expect(rels).not.toContain('evil');
    expect(rels).not.toContain('example.org');
  });
});

describe('10. every CSV foi writes neutralises spreadsheet formulas', () => {
  it('grants --format csv and the letter tables', () => {
    const dir = tempDir('foi-csv-');
    const db = join(dir, 'r.sqlite');
    foi(['init', '--db', db]);
    expect(foi(['import', '--db', db, join(FIXTURES, 'register-hostile.yaml')]).code).toBe(0);
    const csv = foi(['grants', '--db', db, '--format', 'csv']).stdout;
    expect(csv).toContain(`,'-2+3+cmd|' /C calc'!A0,`);
    expect(csv).toContain(`,'=1+1,`);
    expect(csv).not.toMatch(/(^|,)[=+@-][^\d]/m);
    const file = request(dir, 'r.yaml', 'reference: FOI 810\nreceived: 2021-01-04\nresponseDate: 2021-01-05\nquestions:\n  - wording: w\n    criteria: { fy: [2020-21], theme: hostile, grants: [360G-T-1] }\n    columns: [recipient, description, outcome, amount]\n');
    expect(foi(['answer', '--db', db, file, '--out', dir, '--md-only']).code).toBe(0);
    const table = readFileSync(join(dir, 'FOI-810.q1.csv'), 'utf8').split('\r\n')[1];
    expect(table).toBe(`'=1+1,'-2+3+cmd|' /C calc'!A0,'@SUM(1+1),"£1,000"`);
  });
});

describe('11. placeholders in the body file', () => {
  const file = () => request(tempDir('foi-ph-'), 'r.yaml', 'reference: FOI 811\nreceived: 2023-07-25\nresponseDate: 2023-08-23\nquestions:\n  - wording: w\n    criteria: { fy: [2022-23], theme: domestic-abuse-perpetrators }\n');

  it('are named in a warning; --strict refuses and writes nothing', () => {
    const f = file();
    const dir = join(f, '..');
    const warned = foi(['answer', f, '--out', join(dir, 'out'), '--md-only']);
    expect(warned.code).toBe(0);
    expect(warned.stderr).toContain('templates/body.yaml still holds placeholder values for address, email, reviewContact, signatory');
    const strict = foi(['answer', f, '--out', join(dir, 'strict'), '--strict']);
    expect(strict.code).toBe(1);
    expect(strict.stderr.trim().split('\n')).toHaveLength(1);
    expect(existsSync(join(dir, 'strict'))).toBe(false);
    const batch = foi(['batch', dir, '--out', join(dir, 'b'), '--strict']);
    expect(batch.code).toBe(1);
    expect(existsSync(join(dir, 'b'))).toBe(false);
  });

  it('a configured body file gives no warning, and its salutation greets a requester without a name', () => {
    const f = file();
    const body = join(f, '..', 'body.yaml');
    writeFileSync(body, 'name: Example Body\nshortName: EB\nletterhead: EXAMPLE BODY\naddress: [1 Street, Town]\nreviewContact: foi@example.org\nnextStepsUrl: https://example.org/foi\nsignatory: { name: A Officer, title: FOI Officer }\nsalutation: Dear Applicant\n');
    const r = foi(['answer', f, '--out', join(f, '..', 'out'), '--body', body, '--md-only', '--strict']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(readFileSync(join(f, '..', 'out', 'FOI-811.md'), 'utf8')).toContain('\nDear Applicant,\n');
  });
});

describe('12. a regenerated letter keeps its date', () => {
  it('the first run dates it today and says so; later runs keep that date; batch --check stays green', () => {
    const dir = tempDir('foi-date-');
    const reqs = join(dir, 'requests');
    const out = join(dir, 'out');
    const file = join(ROOT, 'examples', 'seed-003-foi-556.yaml');
    const undated = readFileSync(file, 'utf8').replace(/^responseDate: .*\n/m, '');
    mkdirSync(reqs);
    writeFileSync(join(reqs, 'foi-556.yaml'), undated);
    const first = foi(['answer', join(reqs, 'foi-556.yaml'), '--out', out], { env: TODAY });
    expect(first.code).toBe(0);
    expect(first.stderr).toContain('foi: FOI 556 is dated today, 5 January 2026 (the request gives no responseDate); a later run keeps this date');
    const next = foi(['answer', join(reqs, 'foi-556.yaml'), '--out', out], { env: { FOI_TODAY: '2026-01-06' } });
    expect(next.code).toBe(0);
    expect(next.stderr).not.toContain('dated today');
    expect(readFileSync(join(out, 'FOI-556.md'), 'utf8')).toContain('**Date:** 5 January 2026');
    const check = foi(['batch', reqs, '--out', out, '--check'], { env: { FOI_TODAY: '2026-02-01' } });
    expect(check.stderr).not.toContain('would change');
    expect(check.code).toBe(0);
  });
});

describe('13. two references, one file name', () => {
  it('refuses to overwrite another reference\'s letter; a very long reference is a clear error', () => {
    const dir = tempDir('foi-owner-');
    const yaml = (ref: string) => `reference: "${ref}"\nreceived: 2023-07-25\nresponseDate: 2023-08-23\nquestions:\n  - wording: w\n    criteria: { fy: [2022-23], theme: domestic-abuse-perpetrators }\n`;
    expect(foi(['answer', request(dir, 'a.yaml', yaml('FOI 556')), '--out', join(dir, 'out'), '--md-only']).code).toBe(0);
    const before = readFileSync(join(dir, 'out', 'FOI-556.answer.json'), 'utf8');
    const r = foi(['answer', request(dir, 'b.yaml', yaml('FOI/556')), '--out', join(dir, 'out'), '--md-only']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/FOI-556\.answer\.json belongs to "FOI 556", not "FOI\/556": both references give the file name FOI-556/);
    expect(readFileSync(join(dir, 'out', 'FOI-556.answer.json'), 'utf8')).toBe(before);
    const long = foi(['answer', request(dir, 'c.yaml', yaml('FOI ' + 'x'.repeat(300))), '--out', join(dir, 'out'), '--md-only']);
    expect(long.code).toBe(1);
    expect(long.stderr).toMatch(/is 304 characters long; the letter's files are named after it, so use a reference of at most 120 characters/);
    expect(long.stderr).not.toContain('ENAMETOOLONG');
  });
});

describe('also', () => {
  it('--active-in lists grants by their planned dates ("running in"), beside --fy ("awarded in")', () => {
    const running = json(foi(['grants', '--active-in', '2019-20', '--format', 'json']));
    const ids = new Set(running.rows.map((r: { id: string }) => r.id));
    // MASIP ran 2017-18 to 2019-20; its 2017-18 budget line is listed too (the grant was running).
    expect(ids.has('360G-MOPAC-MASIP')).toBe(true);
    expect(running.rows.some((r: { id: string; financialYear: string }) => r.id === '360G-MOPAC-MASIP' && r.financialYear === '2017-18')).toBe(true);
    expect(ids.has('360G-MOPAC-CEOD-03-2019')).toBe(true);
    expect(ids.has('360G-MOPAC-DMPCD-2015-96-IVS')).toBe(false);
  });

  it('foi answer --help lists every outcome and the column names', () => {
    const r = foi(['answer', '--help']);
    expect(r.code).toBe(0);
    for (const o of ['held', 'partly held', 'not held', 'exempt', 'refused cost']) expect(r.stdout).toContain(`  ${o} `);
    for (const c of ['grant', 'amount', 'basis', 'period', 'provider', 'operating-in', 'flag:NAME', 'figure:MEASURE']) expect(r.stdout).toContain(c);
  });
});
