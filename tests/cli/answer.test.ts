/**
 * `foi answer` end to end: the seed letters figure for figure, the DOCX read back by pandoc and
 * LibreOffice, identical bytes on every run, answer records and `foi verify`, and clear errors.
 */
import { copyFileSync, readFileSync, writeFileSync, existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, beforeAll } from 'vitest';
import { FIXTURES, ROOT, foi, tempDir } from '../helpers/cli.js';
import { requireToolOrSkip, runTool } from '../helpers/tools.js';

const EX000 = join(ROOT, 'examples', 'seed-000-stalking-grants.yaml');
const EX003 = join(ROOT, 'examples', 'seed-003-foi-556.yaml');

function answer(request: string, extra: string[] = [], env: Record<string, string> = {}) {
  const out = tempDir('foi-answer-');
  const r = foi(['answer', request, '--out', out, '--no-input', ...extra], { env });
  return { ...r, out };
}

describe('seed 000: grants for victims of stalking, 2017-18 and 2018-19', () => {
  let md = '';
  let out = '';
  beforeAll(() => {
    const r = answer(EX000);
    // The shipped body still holds placeholders, and the example gives no response date.
    expect(r.stderr.trim().split('\n')).toEqual([
      'foi: warning: templates/body.yaml still holds placeholder values for address, email, reviewContact, signatory: configure them there, or pass your own with --body FILE (--strict refuses to write letters until then)',
      expect.stringMatching(/^foi: FOI MASIP is dated today, \d{1,2} \w+ \d{4} \(the request gives no responseDate\); a later run keeps this date$/),
    ]);
    expect(r.code).toBe(0);
    out = r.out;
    md = readFileSync(join(out, 'FOI-MASIP.md'), 'utf8');
  });

  it('gives the grant once, with its provider, outcome and Y, then the published four-figure budget table', () => {
    expect(md).toMatch(/\| Multi-Agency Stalking Interventions Programme \(MASIP\) \| Suzy Lamplugh Trust \(programme management and victim advocacy\);.*\| Improve the response to victims of stalking.*\| Y \|/);
    expect(md).toContain('| Name of grant | Service provider | Services provided | Stalking outcome | Provides services for non ex intimate victims of stalking |');
    // Seed 000's table: 2017-18 £139,707; 2018-19 £2,087,431.81; 2019-20 original £1,931,819; revised £2,089,877.62.
    expect(md).toContain([
      '*PTF Home Office Funding (via MOPAC)*',
      '',
      '| Financial year | Basis | Budget |',
      '| --- | --- | ---: |',
      '| 2017-18 | budget | £139,707 |',
      '| 2018-19 | budget | £2,087,431.81 |',
      '| 2019-20 | original budget (superseded) | £1,931,819 |',
      '| 2019-20 | revised budget | £2,089,877.62 (note 1) |',
      '',
      'Note 1: The 2019-20 revised budget includes the 3% efficiency requirement and the re-profile request from the 2018-19 underspend.',
      '',
      'These figures are budgets, not spend.',
    ].join('\n'));
    // The published table has no total: an original and its revision are never added.
    expect(md).not.toMatch(/\*\*Total\*\*/);
  });

  it('apologises for the delay: received 24 January 2019, due 21 February 2019', () => {
    expect(md).toContain('Freedom of Information request of 24 January 2019');
    expect(md).toContain('I apologise for the delay in replying to you');
    const rec = JSON.parse(readFileSync(join(out, 'FOI-MASIP.answer.json'), 'utf8'));
    expect(rec.due).toBe('2019-02-21');
  });

  it('quotes the requester, and ends with the internal review and ICO paragraphs', () => {
    expect(md).toContain('> Please provide details of grants awarded in the financial years 2017-2018 and 2018-2019');
    expect(md).toContain('internal review');
    expect(md).toContain('section 50 of the Freedom of Information Act 2000');
  });

  it('writes a CSV per table', () => {
    const csv = readFileSync(join(out, 'FOI-MASIP.q1-2.csv'), 'utf8');
    expect(csv.split('\r\n')).toEqual([
      'Financial year,Basis,Budget', '2017-18,budget,"£139,707"', '2018-19,budget,"£2,087,431.81"',
      '2019-20,original budget (superseded),"£1,931,819"', '2019-20,revised budget,"£2,089,877.62 (note 1)"', '',
    ]);
    expect(readFileSync(join(out, 'FOI-MASIP.q1-1.csv'), 'utf8')).toMatch(/^Name of grant,Service provider,/);
  });
});

describe('seed 003: FOI 556, seven co-funded perpetrator programmes', () => {
  let md = '';
  let out = '';
  beforeAll(() => {
    const r = answer(EX003);
    expect(r.code).toBe(0);
    out = r.out;
    md = readFileSync(join(out, 'FOI-556.md'), 'utf8');
  });

  it('shows both funding amounts for each of the seven programmes', () => {
    const cells = [
      ['Re-MOVE Abuse', '£209,052 (Home Office Grant) £130,996 (LBBD Match Fund)'],
      ['DA Perpetrator Intervention Project', '£107,689 (Home Office Grant) £688,838 (RBG Match Fund)'],
      ['Spotlight', '£322,782 (Home Office Grant) £303,282 (LBR Match Fund)'],
      ['Drive South BCU', '£337,367 (Home Office Grant) £337,367 (MOPAC Match Fund)'],
      ['Restart', '£682,909 (Home Office Grant) £241,085 (MOPAC Match Fund)'],
      ['Culturally Integrated Family Approach (CIFA)', '£305,832 (Home Office Grant) £90,000 (LBB Match Fund)'],
      ['Safe & Together', '£576,306 (Home Office Grant) £266,137 (LBWF Match Fund)'],
    ];
    const re = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    for (const [name, amount] of cells) expect(md).toMatch(new RegExp(`\\| ${re(name)} \\|[^\\n]*\\| ${re(amount)} \\|`));
    // In the published order, not alphabetical.
    const order = cells.map(([name]) => md.indexOf(`| ${name} |`));
    expect(order).toEqual([...order].sort((a, b) => a - b));
    // One total per kind of funding, never one sum of unlike money.
    expect(md).toContain('| **Total** |  |  | **£2,541,937 (Home Office Grant) £2,057,705 (match funding)** |');
    expect(md).not.toContain('£4,599,642');
  });

  it('keeps officers\' notes out of the letter', () => {
    expect(md).not.toContain('asterisk');
  });

  it('gives referrals, starts and completions with "does not hold" where the seed says so', () => {
    expect(md).toContain('| Re-MOVE Abuse | Self-referrals and professionals | 116 | MOPAC does not hold this data | 28 |');
    expect(md).toContain('| DA Perpetrator Intervention Project | MARAC | 69 | 213 | 50 |');
    expect(md).toContain('| Restart | Children Social Care | N/A - referrals are recorded as for families, not men | MOPAC does not hold this data | N/A - referrals are recorded as for families, not men |');
    expect(md).toContain('| Safe & Together | Children Social Care, various partners | 89 | MOPAC does not hold this data | MOPAC does not hold this data – programme ceased, and work is being embedded in local areas |');
  });

  it('answers the self-referral questions as not held, in words', () => {
    const q2 = md.slice(md.indexOf('Q2. The total number'), md.indexOf('Q5. The total number'));
    expect(q2).toContain('MOPAC does not hold this information.');
    expect(q2).not.toContain('|');
  });

  it('is dated 23 August 2023, the 20th working day counted UK-wide, so no apology', () => {
    expect(md).toContain('23 August 2023');
    expect(md).not.toContain('apologise');
  });

  it('reads back through pandoc with the same table cells', { skip: requireToolOrSkip('pandoc', 'pandoc read-back of FOI 556') }, () => {
    const gfm = runTool('pandoc', ['-f', 'docx', '-t', 'gfm', '--wrap=none', join(out, 'FOI-556.docx')]).stdout;
    expect(gfm).toContain('£209,052 (Home Office Grant) £130,996 (LBBD Match Fund)');
    expect(gfm).toMatch(/Re-MOVE Abuse\s*\|\s*Self-referrals and professionals\s*\|\s*116\s*\|\s*MOPAC does not hold this data\s*\|\s*28/);
    expect(gfm).toContain('MOPAC does not hold this information.');
  });

  it('converts with LibreOffice, and pdftotext shows the figures', { skip: requireToolOrSkip(['soffice', 'pdftotext'], 'LibreOffice conversion of FOI 556'), timeout: 180_000 }, () => {
    const pdfDir = tempDir('foi-pdf-');
    runTool('soffice', [`-env:UserInstallation=file://${tempDir('foi-lo-')}`, '--headless', '--convert-to', 'pdf', '--outdir', pdfDir, join(out, 'FOI-556.docx')], { timeout: 150_000 });
    const text = runTool('pdftotext', ['-layout', join(pdfDir, 'FOI-556.pdf'), '-']).stdout;
    for (const figure of ['£209,052', '£130,996', '£688,838', '£682,909', '£266,137', '116', '213', '197']) expect(text).toContain(figure);
    expect(text).toContain('MOPAC does not hold this');
  });
});

describe('deterministic output', () => {
  it('gives byte-identical Markdown, DOCX and answer records across runs and time zones', () => {
    const a = answer(EX003, [], { TZ: 'UTC' });
    const b = answer(EX003, [], { TZ: 'Pacific/Auckland' });
    expect(a.code).toBe(0);
    expect(b.code).toBe(0);
    const files = readdirSync(a.out).sort();
    expect(files).toEqual(readdirSync(b.out).sort());
    for (const f of files) expect(readFileSync(join(a.out, f)).equals(readFileSync(join(b.out, f))), f).toBe(true);
  });

  it('the DOCX of seed 000 reads back with its money figures', { skip: requireToolOrSkip('pandoc', 'pandoc read-back of seed 000') }, () => {
    const a = answer(EX000);
    const gfm = runTool('pandoc', ['-f', 'docx', '-t', 'gfm', '--wrap=none', join(a.out, 'FOI-MASIP.docx')]).stdout;
    expect(gfm).toContain('£139,707');
    expect(gfm).toContain('£2,087,431.81');
  });
});

describe('Markdown escaping of register values', () => {
  it('shows names with | and * literally, in tables and text', { skip: requireToolOrSkip('pandoc', 'escaping read-back') }, () => {
    const dir = tempDir('foi-esc-');
    const db = join(dir, 'reg.sqlite');
    expect(foi(['import', join(FIXTURES, 'register-escaping.yaml'), '--db', db]).code).toBe(0);
    const r = foi(['answer', join(FIXTURES, 'requests', 'escaping.yaml'), '--out', dir, '--db', db, '--no-input']);
    expect(r.stderr).toMatch(/^foi: warning: templates\/body.yaml still holds placeholder values[^\n]*\n$/);
    const md = readFileSync(join(dir, 'TEST-ESC-1.md'), 'utf8');
    expect(md).toContain('Pipes \\| and \\*stars\\*');
    expect(md).toContain('A \\| B');
    expect(md).toContain('\\*Trust\\*');
    expect(md).not.toMatch(/&amp;|&#x27;|&lt;/);
    const gfm = runTool('pandoc', ['-f', 'docx', '-t', 'plain', '--wrap=none', join(dir, 'TEST-ESC-1.docx')]).stdout;
    expect(gfm).toContain('A | B');
    expect(gfm).toContain('*Trust*');
    expect(gfm).toContain('Pipes | and *stars*');
    expect(gfm).toContain('Outcome with _underscores_ and <angle>');
    expect(gfm).toContain('£1,000.50');
  });
});

describe('answer records and foi verify', () => {
  it('verify passes on an unchanged register and reports the changed figure after a correction', () => {
    const dir = tempDir('foi-verify-');
    const db = join(dir, 'reg.sqlite');
    expect(foi(['init', '--db', db, '--sample']).code).toBe(0);
    const a = foi(['answer', EX003, '--out', dir, '--db', db, '--no-input']);
    expect(a.code).toBe(0);
    const record = join(dir, 'FOI-556.answer.json');
    const ok = foi(['verify', record, '--db', db]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('FOI 556: unchanged');

    // Correct one figure in a copy of the embedded register and re-import it.
    const corrected = join(dir, 'corrected.yaml');
    const text = readFileSync(join(ROOT, 'data', 'mopac-register.yaml'), 'utf8');
    expect(text).toContain('measure: referrals, value: 69 }');
    writeFileSync(corrected, text.replace('measure: referrals, value: 69 }', 'measure: referrals, value: 70 }'));
    const imp = foi(['import', corrected, '--db', db]);
    expect(imp.code).toBe(0);
    expect(imp.stdout).toContain('0 added, 1 changed');

    const changed = foi(['verify', record, '--db', db, '--format', 'json']);
    expect(changed.code).toBe(1);
    const report = JSON.parse(changed.stdout);
    expect(report.changes).toEqual([
      { question: 3, table: null, grantId: '360G-MOPAC-FOI556-GREENWICH', recipientId: null, column: 'figure:referrals', before: '69', after: '70' },
    ]);
  });
});

describe('request errors are one clear line and exit non-zero', () => {
  const cases: [string, string, RegExp][] = [
    ['unknown key', 'reference: X\nreceived: 2023-07-25\nquestions:\n  - wording: w\n    critera: { fy: [2022-23] }\n', /bad\.yaml line 5, questions\[0\]\.critera: unknown key "critera"/],
    ['no criteria', 'reference: X\nreceived: 2023-07-25\nquestions:\n  - wording: w\n    criteria: {}\n', /questions\[0\]\.criteria: the criteria are empty/],
    ['held with no criteria', 'reference: X\nreceived: 2023-07-25\nquestions:\n  - wording: w\n', /a held question needs criteria/],
    ['a year with no data', 'reference: X\nreceived: 2023-07-25\nquestions:\n  - wording: w\n    criteria: { fy: [2031-32] }\n', /X question 1: the register holds no grants at all in 2031-32 \(it holds 2015-16 to 2025-26\)/],
    ['not held over matching rows', 'reference: X\nreceived: 2025-11-03\nquestions:\n  - wording: w\n    outcome: not held\n    criteria: { fy: [2015-16], theme: restorative-justice }\n', /^foi: X question 1: the outcome is "not held", but its criteria match 9 money lines \(£250,000\) in the register; answer it as held, narrow the criteria, or give the reason in despiteMatches\n$/],
    ['exempt over matching rows', 'reference: X\nreceived: 2025-11-03\nquestions:\n  - wording: w\n    outcome: exempt\n    exemption: { section: 43(2), reason: r }\n    criteria: { fy: [2022-23], theme: domestic-abuse-perpetrators }\n', /the outcome is "exempt", but its criteria match 14 money lines \(£4,599,642\)/],
    ['unknown theme', 'reference: X\nreceived: 2023-07-25\nquestions:\n  - wording: w\n    criteria: { theme: burglary }\n', /X question 1: unknown theme "burglary"; known: domestic-abuse-perpetrators/],
    ['unknown section', 'reference: X\nreceived: 2023-07-25\nquestions:\n  - wording: w\n    outcome: exempt\n    exemption: { section: "99" }\n', /unknown exemption section "99"/],
    ['impossible date', 'reference: X\nreceived: 31/02/2023\nquestions:\n  - wording: w\n    outcome: not held\n', /received: "31\/02\/2023" is not a real date/],
  ];
  for (const [name, yaml, message] of cases) {
    it(name, () => {
      const dir = tempDir('foi-bad-');
      const file = join(dir, 'bad.yaml');
      writeFileSync(file, yaml);
      const r = foi(['answer', file, '--out', dir, '--no-input']);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(message);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(readdirSync(dir)).toEqual(['bad.yaml']);
    });
  }

  it('a request that matches nothing says so in words, never an empty table', () => {
    const dir = tempDir('foi-nomatch-');
    const file = join(dir, 'r.yaml');
    writeFileSync(file, 'reference: NM 1\nreceived: 2023-07-25\nresponseDate: 2023-08-01\nquestions:\n  - wording: Stalking grants in 2015-16\n    criteria: { fy: [2015-16], theme: stalking }\n');
    const r = foi(['answer', file, '--out', dir, '--no-input']);
    expect(r.code).toBe(0);
    const md = readFileSync(join(dir, 'NM-1.md'), 'utf8');
    expect(md).not.toContain('| ---');
    expect(md).toMatch(/no grants matched|does not hold/i);
  });

  it('without a request file or flags, and no terminal, it fails with a usage error instead of prompting', () => {
    const r = foi(['answer', '--out', tempDir()]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('missing --ref, --received, criteria');
  });

  it('answers from flags alone', () => {
    const dir = tempDir('foi-flags-');
    const r = foi(['answer', '--ref', 'FOI 9', '--received', '15/12/2025', '--response-date', '2026-01-10', '--fy', '2022-23', '--theme', 'domestic-abuse-perpetrators', '--columns', 'grant,amount', '--out', dir, '--no-input']);
    expect(r.code).toBe(0);
    const md = readFileSync(join(dir, 'FOI-9.md'), 'utf8');
    expect(md).toContain('£209,052 (Home Office Grant) £130,996 (LBBD Match Fund)');
    expect(JSON.parse(readFileSync(join(dir, 'FOI-9.answer.json'), 'utf8')).due).toBe('2026-01-16');
  });
});

describe('foi deadline', () => {
  it('worked example: received Monday 15 December 2025, due Friday 16 January 2026', () => {
    const r = foi(['deadline', '2025-12-15']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('Received Monday 15 December 2025: due Friday 16 January 2026 (2026-01-16)\n');
  });

  it('--explain names every skipped day and why', () => {
    const r = foi(['deadline', '25/07/2023', '--explain']);
    expect(r.stdout).toContain('not counted: Monday 7 August 2023 (bank holiday in Scotland: Summer bank holiday)');
    expect(r.stdout.trim().split('\n').pop()).toBe('due: Wednesday 23 August 2023, the 20th working day after receipt on 25 July 2023');
  });

  it('rejects an impossible date with exit 2', () => {
    const r = foi(['deadline', '31/02/2025']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('foi: date received: "31/02/2025" is not a real date (read as day/month/year)\n');
  });
});

describe('refusals, exemptions and templates', () => {
  it('a cost-limit refusal cites s.12 at £450 / 18 hours, gives s.16 advice and the review route', () => {
    const r = answer(join(ROOT, 'examples', 'refusal-s12.yaml'), ['--md-only']);
    expect(r.code).toBe(0);
    const md = readFileSync(join(r.out, 'FOI-700.md'), 'utf8');
    expect(md).toContain('For MOPAC the appropriate limit is £450');
    expect(md).toContain('18 hours');
    expect(md).toContain('refusal notice under section 17(5)');
    expect(md).toContain('You may wish to narrow your request to one financial year and one programme.');
    expect(md).toContain('section 50 of the Freedom of Information Act 2000');
    expect(md).toContain('I apologise for the delay'); // received 15 Dec 2025, due 16 Jan 2026, answered 20 Jan
  });

  it('a partly held answer shows the table and the s.43(2) public interest test', () => {
    const r = answer(join(ROOT, 'examples', 'exemption-s43.yaml'), ['--md-only']);
    expect(r.code).toBe(0);
    const md = readFileSync(join(r.out, 'FOI-701.md'), 'utf8');
    expect(md).toContain('| Royal Borough of Greenwich | £29,592 |');
    expect(md).toContain('| **Total** | **£250,000** |');
    expect(md).toContain('section 43(2) of the Freedom of Information Act 2000');
    expect(md).toContain('- Transparency in the use of public money');
    expect(md).not.toContain('apologise');
  });

  it('foi templates check passes on the shipped set and fails a broken override with file, line and name', () => {
    expect(foi(['templates', 'check']).code).toBe(0);
    const dir = tempDir('foi-tpl-');
    writeFileSync(join(dir, 'full-response.hbs'), 'Dear {{requester.name}},\n\n{{requestor}}\n\n{{> review-and-ico}}\n');
    const r = foi(['templates', 'check', '--templates', dir]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/full-response\.hbs line 3: "requestor" is not defined/);
    // Seed 000 is fully held, so it uses the broken full-response override: nothing is written.
    const a = foi(['answer', EX000, '--templates', dir, '--out', dir, '--no-input']);
    expect(a.code).toBe(1);
    expect(a.stderr).toMatch(/full-response\.hbs line 3: "requestor" is not defined/);
    expect(readdirSync(dir)).toEqual(['full-response.hbs']);
  });
});
