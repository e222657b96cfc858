/**
 * Requests for environmental information are answered under the Environmental Information
 * Regulations 2004, not the Act: the letter cites the EIR, its exceptions (reg 12, 13), the
 * reg 14 refusal notice and the reg 11 review, whether the regime comes from the request file
 * (`regime: eir`) or from the request log. A FOIA exemption in an EIR letter (or an EIR
 * exception in a FOIA letter) is refused, naming the provision to cite instead. FOIA letters are
 * unchanged.
 */
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, foi, tempDir } from '../helpers/cli.js';

function request(dir: string, name: string, lines: string[]): string {
  const file = join(dir, name);
  writeFileSync(file, lines.join('\n') + '\n');
  return file;
}

const PARTLY = [
  'received: 2025-11-03', 'responseDate: 2025-11-28', 'questions:',
  '  - wording: Please list the Local Restorative Justice allocations to boroughs in 2015-16.',
  '    criteria: { fy: [2015-16], theme: restorative-justice }',
  '    columns: [recipient, amount]',
  '  - wording: The carbon emissions of every funded service.',
  '    outcome: not held',
  '    advice: The providers may hold this information.',
];

describe('EIR letters', () => {
  it('regime: eir in the request file: the letter cites the EIR throughout, never the Act\'s sections', () => {
    const dir = tempDir('foi-eir-');
    const file = request(dir, 'r.yaml', ['reference: EIR 701', 'regime: eir', ...PARTLY,
      '  - wording: The providers\' tender prices.', '    outcome: exempt',
      '    exemption: { section: reg 12(5)(e), reason: The prices would reveal pricing strategies., publicInterestAgainst: [Harm to future tenders] }',
      '  - wording: The grant managers\' names.', '    outcome: exempt', '    exemption: regulation 13',
    ]);
    const r = foi(['answer', file, '--out', dir, '--md-only']);
    expect(r.stderr).not.toContain('Error');
    expect(r.code).toBe(0);
    const md = readFileSync(join(dir, 'EIR-701.md'), 'utf8');
    expect(md).toContain('Thank you for your request for environmental information of 3 November 2025');
    expect(md).toContain('dealt with under the Environmental Information Regulations 2004 (the EIR) and that MOPAC does hold some information');
    expect(md).toContain('Some of the information you asked for is not held, and some is excepted from disclosure');
    // Not held is reg 12(4)(a), with the reg 14 notice and reg 9 advice.
    expect(md).toContain('MOPAC does not hold this information. The exception in regulation 12(4)(a) of the EIR applies');
    expect(md).toContain('**Advice and assistance (regulation 9):** The providers may hold this information.');
    // The exceptions, their public interest test with the presumption in favour of disclosure.
    expect(md).toContain('**Regulation 12(5)(e): commercial confidentiality.**');
    expect(md).toContain('Regulation 12(5)(e) is subject to the public interest test (regulation 12(1)(b)), and regulation 12(2) requires us to apply a presumption in favour of disclosure.');
    expect(md).toContain('Factors in favour of maintaining the exception:');
    expect(md).toContain('- Harm to future tenders');
    expect(md).toContain('**Regulation 13: personal data.**');
    expect(md).toContain('This part of our response is a refusal notice under regulation 14 of the EIR.');
    // Review under reg 11; the ICO under s.50 as applied by reg 18.
    expect(md).toContain('(we must reconsider it under regulation 11 of the EIR)');
    expect(md).toContain('under section 50 of the Freedom of Information Act 2000, as applied to the EIR by regulation 18.');
    // Nothing of the Act's own machinery.
    expect(md).not.toMatch(/section 1\(1\)\(a\)|section 16\b|section 17|Freedom of Information request|qualified exemption/);
    // The answer record keeps the regime, so verify and batch re-runs write the same letter.
    const record = JSON.parse(readFileSync(join(dir, 'EIR-701.answer.json'), 'utf8'));
    expect(record.request.regime).toBe('eir');
    expect(foi(['verify', join(dir, 'EIR-701.answer.json')]).code).toBe(0);
  });

  it('the disclosure log says a response was answered under the EIR, and names both laws', () => {
    const dir = tempDir('foi-eir-site-');
    const letters = join(dir, 'letters');
    const eir = request(dir, 'e.yaml', ['reference: EIR 702', 'regime: eir', 'publish: true', ...PARTLY]);
    const foia = request(dir, 'f.yaml', ['reference: FOI 703', 'publish: true', ...PARTLY]);
    for (const f of [eir, foia]) expect(foi(['answer', f, '--out', letters, '--md-only']).code).toBe(0);
    const site = join(dir, 'site');
    const r = foi(['publish', letters, '--site', site]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const index = readFileSync(join(site, 'index.html'), 'utf8');
    expect(index).toContain('under the Freedom of Information Act and the Environmental Information Regulations');
    expect(index).toContain('under the Freedom of Information Act 2000 and the Environmental Information Regulations 2004.');
    expect(readFileSync(join(site, 'responses', 'EIR-702.html'), 'utf8')).toContain('<dt>Answered under</dt><dd>the Environmental Information Regulations 2004</dd>');
    expect(readFileSync(join(site, 'responses', 'FOI-703.html'), 'utf8')).not.toContain('Answered under');
  });

  it('a cost refusal under the EIR is manifestly unreasonable, reg 12(4)(b), with its public interest test', () => {
    const dir = tempDir('foi-eir-');
    const file = request(dir, 'r.yaml', [
      'reference: EIR 702', 'regime: EIR', 'received: 2025-12-15', 'responseDate: 2026-01-09', 'questions:',
      '  - wording: Every grant MOPAC has ever made, with every invoice.', '    outcome: refused cost',
      '    intro: Locating every invoice would take an estimated 60 hours.', '    advice: Ask about one financial year.',
    ]);
    const r = foi(['answer', file, '--out', dir, '--md-only']);
    expect(r.code).toBe(0);
    const md = readFileSync(join(dir, 'EIR-702.md'), 'utf8');
    expect(md).toContain('I am afraid that MOPAC is refusing it as manifestly unreasonable under regulation 12(4)(b) of the EIR');
    expect(md).toContain('## Regulation 12(4)(b): manifestly unreasonable requests');
    expect(md).toContain('For MOPAC that limit is £450, which at £25 an hour is 18 hours of work.');
    expect(md).toContain('Locating every invoice would take an estimated 60 hours.');
    expect(md).toContain('This letter is a refusal notice under regulation 14 of the EIR.');
    expect(md).toContain('## Advice and assistance (regulation 9)');
    expect(md).not.toMatch(/Section 12|section 17\(5\)|section 16/);
  });

  it('the request log\'s regime decides when the request file does not say', () => {
    const dir = tempDir('foi-eir-');
    const db = join(dir, 'reg.sqlite');
    expect(foi(['init', '--db', db]).code).toBe(0);
    expect(foi(['log', 'add', 'EIR 704', '--received', '2025-11-03', '--regime', 'eir', '--db', db]).code).toBe(0);
    const file = request(dir, 'r.yaml', ['reference: EIR 704', 'responseDate: 2025-11-28', 'questions:',
      '  - wording: The carbon emissions of every funded service.', '    outcome: not held',
      '  - wording: The grant managers\' names.', '    outcome: exempt', '    exemption: reg 13']);
    const r = foi(['answer', file, '--db', db, '--out', dir, '--md-only'], { env: { FOI_TODAY: '2026-01-05' } });
    expect(r.stderr).not.toContain('regime');
    expect(r.code).toBe(0);
    const md = readFileSync(join(dir, 'EIR-704.md'), 'utf8');
    expect(md).toContain('dealt with under the Environmental Information Regulations 2004 (the EIR)');
    expect(md).toContain('MOPAC does not hold this information. The exception in regulation 12(4)(a) of the EIR applies');
    // The log records the answer; an EIR exception reads as a regulation.
    const shown = foi(['log', 'show', 'EIR 704', '--db', db], { env: { FOI_TODAY: '2026-01-05' } });
    expect(shown.stdout).toContain('closed on 28 November 2025: withheld in full; exception reg 13 (letter EIR-704.md)');
  });

  it('the log names reg 6(1)(b) as already publicly available, not as an exception', () => {
    const dir = tempDir('foi-eir-');
    const db = join(dir, 'reg.sqlite');
    expect(foi(['init', '--db', db]).code).toBe(0);
    expect(foi(['log', 'add', 'EIR 711', '--received', '2025-11-03', '--regime', 'eir', '--db', db]).code).toBe(0);
    const file = request(dir, 'r.yaml', ['reference: EIR 711', 'responseDate: 2025-11-28', 'questions:',
      '  - wording: The decision approving the grants.', '    outcome: exempt', '    exemption: { section: reg 6(1)(b), publishedAt: "https://www.london.gov.uk/decisions/pcd-1653" }',
      '  - wording: The grant managers\' names.', '    outcome: exempt', '    exemption: reg 13']);
    expect(foi(['answer', file, '--db', db, '--out', dir, '--md-only'], { env: { FOI_TODAY: '2026-01-05' } }).code).toBe(0);
    const shown = foi(['log', 'show', 'EIR 711', '--db', db], { env: { FOI_TODAY: '2026-01-05' } });
    expect(shown.stdout).toMatch(/closed on 28 November 2025: [a-z ]+; exception reg 13; already publicly available \(reg 6\(1\)\(b\)\) \(letter EIR-711\.md\)/);
  });

  it('a request file that says otherwise than the log wins, with a warning', () => {
    const dir = tempDir('foi-eir-');
    const db = join(dir, 'reg.sqlite');
    expect(foi(['init', '--db', db]).code).toBe(0);
    expect(foi(['log', 'add', 'FOI 705', '--received', '2025-11-03', '--db', db]).code).toBe(0);
    const file = request(dir, 'r.yaml', ['reference: FOI 705', 'regime: eir', 'received: 2025-11-03', 'responseDate: 2025-11-28', 'questions:',
      '  - wording: The carbon emissions of every funded service.', '    outcome: not held']);
    const r = foi(['answer', file, '--db', db, '--out', dir, '--md-only'], { env: { FOI_TODAY: '2026-01-05' } });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain("foi: warning: FOI 705: the request's regime (EIR) differs from the log's (FOI); the letter uses the request's");
    expect(readFileSync(join(dir, 'FOI-705.md'), 'utf8')).toContain('Environmental Information Regulations 2004');
  });

  it('an EIR letter citing a FOIA exemption is refused, naming the EIR exception to cite; nothing is written', () => {
    const dir = tempDir('foi-eir-');
    const file = request(dir, 'r.yaml', ['reference: EIR 706', 'regime: eir', 'received: 2025-11-03', 'responseDate: 2025-11-28', 'questions:',
      '  - wording: The tender prices.', '    outcome: exempt', '    exemption: { section: 43(2), reason: Commercial. }']);
    const r = foi(['answer', file, '--out', dir]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe('foi: EIR 706 question 1: section 43(2) is a Freedom of Information Act exemption, but the request is answered under the Environmental Information Regulations 2004 (the request log or its regime: says eir); cite regulation 12(5)(e) (confidentiality of commercial information) instead');
    expect(existsSync(join(dir, 'EIR-706.md'))).toBe(false);
  });

  it('information already published is reg 6(1)(b) under the EIR (not an exception): the letter says where it is; s.21 is refused naming it', () => {
    const dir = tempDir('foi-eir-');
    const lines = ['received: 2025-11-03', 'responseDate: 2025-11-28', 'questions:',
      '  - wording: The decision approving the grants.', '    outcome: exempt'];
    const file = request(dir, 'r.yaml', ['reference: EIR 708', 'regime: eir', ...lines,
      '    exemption: { section: reg 6(1)(b), publishedAt: "https://www.london.gov.uk/decisions/pcd-1653" }']);
    const r = foi(['answer', file, '--out', dir, '--md-only']);
    expect(r.stderr).not.toContain('Error');
    expect(r.code).toBe(0);
    const md = readFileSync(join(dir, 'EIR-708.md'), 'utf8');
    expect(md).toContain('MOPAC does hold some information relating to your request. However, the information is already publicly available, for the reasons set out below.\n');
    expect(md).toContain('**Regulation 6(1)(b): information already publicly available.** This information is already publicly available and easily accessible to you. It is published at <https://www.london.gov.uk/decisions/pcd-1653>.');
    expect(md).toContain('as regulation 6(2) requires');
    expect(md).not.toMatch(/excepted|refusal notice|public interest/);
    // Where it is published is required, as for s.21.
    const bare = request(dir, 'b.yaml', ['reference: EIR 709', 'regime: eir', ...lines, '    exemption: reg 6(1)(b)']);
    const b = foi(['answer', bare, '--out', dir, '--md-only']);
    expect(b.code).toBe(1);
    expect(b.stderr).toContain('regulation 6(1)(b) must say where the information is published (publishedAt)');
    // Section 21 in an EIR letter names its counterpart.
    const s21 = request(dir, 's.yaml', ['reference: EIR 710', 'regime: eir', ...lines, '    exemption: { section: 21, publishedAt: "https://www.london.gov.uk/x" }']);
    const c = foi(['answer', s21, '--out', dir, '--md-only']);
    expect(c.code).toBe(1);
    expect(c.stderr).toContain('cite regulation 6(1)(b) (information already publicly available) instead');
  });

  it('reg 12(4)(c), (d) and (e): each its paragraph and public interest test; (c) needs the reg 9 advice, (d) who is completing it and when', () => {
    const dir = tempDir('foi-eir-');
    const head = ['reference: EIR 712', 'regime: eir', 'received: 2025-11-03', 'responseDate: 2025-11-28', 'questions:'];
    const file = request(dir, 'r.yaml', [...head,
      '  - wording: Everything about the environment.', '    outcome: exempt', '    advice: You may wish to name the programme and the years you are interested in.', '    exemption: reg 12(4)(c)',
      '  - wording: The draft evaluation.', '    outcome: exempt', '    exemption: { section: reg 12(4)(d), reason: The evaluation is being written by MOPAC and is expected to be finished in March 2026. }',
      '  - wording: Officers\' emails about the bids.', '    outcome: exempt', '    exemption: { section: regulation 12(4)(e), publicInterestAgainst: [Frank advice while the decision is live] }']);
    const r = foi(['answer', file, '--out', dir, '--md-only']);
    expect(r.stderr).not.toContain('Error');
    expect(r.code).toBe(0);
    const md = readFileSync(join(dir, 'EIR-712.md'), 'utf8');
    expect(md).toContain('**Advice and assistance (regulation 9):** You may wish to name the programme and the years you are interested in.\n\n**Regulation 12(4)(c): request too general.**');
    expect(md).toContain('we have given you advice and assistance under regulation 9 (above)');
    // Every question excepted: the opening says so of the whole request.
    expect(md).toContain('MOPAC does hold some information relating to your request. However, the information is excepted from disclosure, for the reasons set out below.\n');
    expect(md).toContain('**Regulation 12(4)(d): material still being completed.**');
    expect(md).toContain('The evaluation is being written by MOPAC and is expected to be finished in March 2026.');
    expect(md).toContain('**Regulation 12(4)(e): internal communications.** This information is excepted from disclosure under regulation 12(4)(e) of the Environmental Information Regulations 2004, because it consists of internal communications of MOPAC.');
    expect(md).toContain('- Frank advice while the decision is live');
    for (const reg of ['12(4)(c)', '12(4)(d)', '12(4)(e)']) expect(md).toContain(`Regulation ${reg} is subject to the public interest test (regulation 12(1)(b))`);
    // What the EIR require of each: refused, naming the key, when missing.
    const noAdvice = request(dir, 'c.yaml', [...head, '  - wording: Everything.', '    outcome: exempt', '    exemption: reg 12(4)(c)']);
    const c = foi(['answer', noAdvice, '--out', dir, '--md-only']);
    expect(c.code).not.toBe(0);
    expect(c.stderr).toContain('regulation 12(4)(c) needs the advice and assistance given under regulation 9 to make the request more specific (advice)');
    const noReason = request(dir, 'd.yaml', [...head, '  - wording: The draft.', '    outcome: exempt', '    exemption: reg 12(4)(d)']);
    const d = foi(['answer', noReason, '--out', dir, '--md-only']);
    expect(d.code).not.toBe(0);
    expect(d.stderr).toContain('regulation 12(4)(d) must say who is preparing the information and when it is expected to be finished (reason), as regulation 14(4) requires');
    // In a FOIA letter: refused, with no FOIA paragraph to name.
    const foia = request(dir, 'f.yaml', ['reference: FOI 713', 'received: 2025-11-03', 'responseDate: 2025-11-28', 'questions:', '  - wording: Emails.', '    outcome: exempt', '    exemption: reg 12(4)(e)']);
    const f = foi(['answer', foia, '--out', dir, '--md-only']);
    expect(f.code).toBe(1);
    expect(f.stderr).toContain('FOI 713 question 1: regulation 12(4)(e) is an EIR exception');
  });

  it('reg 12(5)(c), (d), (f) and (g): each its paragraph and the public interest test', () => {
    const dir = tempDir('foi-eir-');
    const regs = { '12(5)(c)': 'intellectual property rights', '12(5)(d)': 'confidentiality of proceedings', '12(5)(f)': 'interests of the person who provided the information', '12(5)(g)': 'protection of the environment' };
    const file = request(dir, 'r.yaml', ['reference: EIR 714', 'regime: eir', 'received: 2025-11-03', 'responseDate: 2025-11-28', 'questions:',
      ...Object.keys(regs).flatMap((reg) => [`  - wording: Part ${reg}.`, '    outcome: exempt', `    exemption: reg ${reg}`])]);
    const r = foi(['answer', file, '--out', dir, '--md-only']);
    expect(r.stderr).not.toContain('Error');
    expect(r.code).toBe(0);
    const md = readFileSync(join(dir, 'EIR-714.md'), 'utf8');
    for (const [reg, title] of Object.entries(regs)) {
      expect(md).toContain(`**Regulation ${reg}: ${title}.** This information is excepted from disclosure under regulation ${reg} of the Environmental Information Regulations 2004`);
      expect(md).toContain(`Regulation ${reg} is subject to the public interest test (regulation 12(1)(b))`);
    }
    expect(md.match(/This part of our response is a refusal notice under regulation 14 of the EIR\./g)).toHaveLength(4);
  });

  it('a FOIA letter whose every question is exempt says so of the whole request; one with some information given does not', () => {
    const dir = tempDir('foi-eir-');
    const head = ['received: 2025-11-03', 'responseDate: 2025-11-28', 'questions:', '  - wording: The tender prices.', '    outcome: exempt', '    exemption: { section: 43(2), reason: Commercial. }'];
    expect(foi(['answer', request(dir, 'a.yaml', ['reference: FOI 715', ...head]), '--out', dir, '--md-only']).code).toBe(0);
    expect(readFileSync(join(dir, 'FOI-715.md'), 'utf8')).toContain('MOPAC does hold some information relating to your request. However, the information is exempt from disclosure, for the reasons set out below.\n');
    expect(foi(['answer', request(dir, 'b.yaml', ['reference: FOI 716', ...head, '  - wording: The carbon emissions.', '    outcome: not held']), '--out', dir, '--md-only']).code).toBe(0);
    expect(readFileSync(join(dir, 'FOI-716.md'), 'utf8')).toContain('Some of the information you asked for is not held, and some is exempt from disclosure; the details are set out below:\n');
  });

  it('a FOIA letter citing an EIR exception is refused the same way', () => {
    const dir = tempDir('foi-eir-');
    const file = request(dir, 'r.yaml', ['reference: FOI 707', 'received: 2025-11-03', 'responseDate: 2025-11-28', 'questions:',
      '  - wording: Names of staff.', '    outcome: exempt', '    exemption: reg 13']);
    const r = foi(['answer', file, '--out', dir]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('FOI 707 question 1: regulation 13 is an EIR exception, but the request is answered under the Freedom of Information Act 2000 (give regime: eir for environmental information); cite section 40(2) (personal information) instead');
  });

  it('a bad regime is an error naming the file and key', () => {
    const dir = tempDir('foi-eir-');
    const file = request(dir, 'r.yaml', ['reference: FOI 708', 'regime: dpa', 'received: 2025-11-03', 'questions:', '  - wording: x', '    outcome: not held']);
    const r = foi(['answer', file, '--out', dir]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('regime');
    expect(r.stderr).toContain('expected foi or eir');
    expect(r.stderr).toContain('r.yaml');
  });

  it('FOIA letters are unchanged: the shipped seed example still cites the Act', () => {
    const dir = tempDir('foi-eir-');
    const r = foi(['answer', join(ROOT, 'examples', 'exemption-s43.yaml'), '--out', dir, '--md-only']);
    expect(r.code).toBe(0);
    const md = readFileSync(join(dir, 'FOI-701.md'), 'utf8');
    expect(md).toContain('Thank you for your Freedom of Information request of 3 November 2025');
    expect(md).toContain('dealt with under the Freedom of Information Act 2000');
    expect(md).toContain('Factors in favour of maintaining the exemption:');
    expect(md).not.toContain('EIR');
  });
});
