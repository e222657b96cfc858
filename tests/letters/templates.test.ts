import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Handlebars from 'handlebars';
import { marked, type Token, type Tokens } from 'marked';
import { describe, expect, it } from 'vitest';
import { overrideDir } from '../helpers/template-dir.js';
import { loadBodyConfig, validateBodyConfig } from '../../src/letters/body-config.js';
import { markdownEscape } from '../../src/core/markdown-escape.js';
import type { FoiError } from '../../src/core/errors.js';
import { hb } from '../../src/letters/handlebars-env.js';
import { EXEMPTION_PARTIALS } from '../../src/letters/letter-shape.js';
import { sampleLetterView } from '../../src/letters/sample-letters.js';
import { compileTemplate } from '../../src/letters/template-compile.js';
import { TemplateError } from '../../src/letters/template-errors.js';
import { listTemplateFiles, listTemplates } from '../../src/letters/template-set.js';
import { defaultTemplateFor, normaliseMarkdown, renderLetter } from '../../src/letters/templates.js';
import type { LetterView, QuestionView } from '../../src/letters/view-model.js';

const FIXTURES = join(__dirname, '..', 'fixtures', 'letters');
const fixture = (name: string): LetterView => JSON.parse(readFileSync(join(FIXTURES, name), 'utf8')) as LetterView;
const seed000 = () => fixture('seed-000-stalking-grants.json');
const seed003 = () => fixture('seed-003-perpetrator-programmes.json');

const NEXT_STEPS = 'https://www.london.gov.uk/what-we-do/mayors-office-policing-and-crime-mopac/governance-and-decision-making/freedom-information';

/** The text a reader sees: inline tokens flattened, escapes resolved, hard breaks as \n. */
function plain(tokens: Token[] | undefined): string {
  return (tokens ?? [])
    .map((t) => {
      if ('tokens' in t && Array.isArray(t.tokens) && t.tokens.length) return plain(t.tokens);
      if (t.type === 'br') return '\n';
      return 'text' in t ? String(t.text) : '';
    })
    .join('');
}

function tables(md: string): { header: string[]; align: (string | null)[]; rows: string[][] }[] {
  const out: { header: string[]; align: (string | null)[]; rows: string[][] }[] = [];
  const visit = (ts: Token[]) => {
    for (const t of ts) {
      if (t.type === 'table') {
        const tt = t as Tokens.Table;
        out.push({ header: tt.header.map((c) => plain(c.tokens)), align: tt.align, rows: tt.rows.map((r) => r.map((c) => plain(c.tokens))) });
      } else if ('tokens' in t && Array.isArray(t.tokens)) visit(t.tokens);
    }
  };
  visit(marked.lexer(md));
  return out;
}

function paragraphs(md: string): string[] {
  const out: string[] = [];
  const visit = (ts: Token[]) => {
    for (const t of ts) {
      if (t.type === 'paragraph' || t.type === 'heading') out.push(plain((t as Tokens.Paragraph).tokens));
      else if (t.type === 'list') (t as Tokens.List).items.forEach((i) => visit(i.tokens));
      else if (t.type === 'blockquote') visit((t as Tokens.Blockquote).tokens);
    }
  };
  visit(marked.lexer(md));
  return out;
}

function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected an error');
}

describe('seed 000 (stalking grants): full response', () => {
  const md = renderLetter(seed000());

  it('uses the house wording and apologises for the late reply', () => {
    const paras = paragraphs(md);
    expect(paras).toContain(
      "Thank you for your Freedom of Information request of 24 January 2019 to the Mayor's Office for Policing And Crime (MOPAC) and I apologise for the delay in replying to you.\n" +
        'I confirm that your request has been dealt with under the Freedom of Information Act 2000 and that MOPAC does hold some information relating to your request, as set out below:',
    );
    expect(md).toContain('## MAYOR OF LONDON OFFICE FOR POLICING AND CRIME\n');
    expect(md).toContain('Our ref: FOI 000\n');
    expect(md).toContain('**Date:** 8 March 2019\n');
    expect(md).toContain('Dear Sir or Madam,\n');
  });

  it('quotes the request as a blockquote, literally', () => {
    const quote = marked.lexer(md).find((t) => t.type === 'blockquote') as Tokens.Blockquote;
    expect(quote).toBeDefined();
    const text = paragraphs(quote.raw).join('\n\n');
    expect(text).toContain('Please provide details of grants awarded in the financial years 2017-2018 and 2018-2019');
    // The requester's "- ." bullets stay as written (escaped, not turned into a list).
    expect(text).toContain('- . Please provide details of the grant including the amount');
    expect(md).toContain('> \\- . For which at least one');
  });

  it('gives one table per financial year with a ### heading, right-aligned money and a bold total', () => {
    expect(md).toMatch(/^### 2017-18$/m);
    expect(md).toMatch(/^### 2018-19$/m);
    expect(md.indexOf('### 2017-18')).toBeLessThan(md.indexOf('### 2018-19'));
    const ts = tables(md);
    expect(ts).toHaveLength(2);
    expect(ts[0].header).toEqual([
      'Name of grant',
      'Grant amount',
      'Service provider',
      'Services provided',
      'Stalking outcome/output',
      'Provides services for non ex intimate victims of stalking',
    ]);
    expect(ts[0].align).toEqual([null, 'right', null, null, null, null]);
    expect(ts[0].rows[0]).toEqual([
      'Multi-Agency Stalking Interventions Programme (MASIP)',
      '£139,707',
      'Suzy Lamplugh Trust (SLT)',
      'Programme management and victim advocacy',
      'Improve the response to victims of stalking',
      'Y',
    ]);
    expect(ts[0].rows[1].slice(0, 2)).toEqual(['Total', '£139,707']);
    expect(ts[1].rows[0][1]).toBe('£2,087,431.81');
    expect(md).toContain('| **Total** | **£2,087,431.81** |');
    expect(md).toContain('| --- | ---: | --- | --- | --- | --- |');
  });

  it('ends with the next steps, internal review, the ICO and the sign-off', () => {
    expect(md).toContain(
      'If you are unhappy with the response to your Freedom of Information request, please see the MOPAC website on what the next steps are at:\n\n' +
        `<${NEXT_STEPS}>\n`,
    );
    expect(md).toContain('within 40 working days of the date of this letter');
    expect(md).toContain('complain to the Information Commissioner under section 50 of the Freedom of Information Act 2000');
    expect(md).toContain("Information Commissioner's Office\\\nWycliffe House\\\nWater Lane\\\nWilmslow\\\nCheshire SK9 5AF");
    expect(md).toContain('<https://ico.org.uk>');
    expect(md.trimEnd().endsWith("Yours sincerely,\n\nInformation Access Officer\\\nMayor's Office for Policing And Crime")).toBe(true);
  });
});

describe('seed 003 (perpetrator programmes): partly held', () => {
  const view = seed003();
  const md = renderLetter(view);

  it('is chosen by outcome and does not apologise when on time', () => {
    expect(defaultTemplateFor(view)).toBe('partly-held');
    expect(md).not.toContain('apologise');
    expect(md).toContain('MOPAC does hold some information relating to your request');
  });

  it('keeps co-funding cells and "does not hold this data" cells intact', () => {
    const [programmes, referrals] = tables(md);
    expect(programmes.rows).toHaveLength(7);
    expect(programmes.rows[0]).toEqual([
      'Re-MOVE Abuse',
      'Barking and Dagenham',
      'An intervention and accommodation-based approach to stopping domestic abuse',
      '£209,052 (Home Office Grant) £130,996 (LBBD Match Fund)',
    ]);
    // A literal asterisk in a cell is escaped in Markdown and literal once rendered.
    expect(programmes.rows[4][3]).toBe('£682,909*(Home Office Grant) £241,085 (MOPAC Match Fund)');
    expect(md).toContain('£682,909\\*(Home Office Grant)');
    expect(programmes.rows[6][0]).toBe('Safe & Together');
    expect(referrals.align).toEqual([null, null, 'right', 'right', 'right']);
    expect(referrals.rows[0]).toEqual(['Re-MOVE Abuse', 'Self-referrals and professionals', '116', 'MOPAC does not hold this data', '28']);
    expect(referrals.rows[4][2]).toBe('N/A - referrals are recorded as for families, not men');
    expect(referrals.rows.filter((r) => r.includes('MOPAC does not hold this data'))).toHaveLength(6);
  });

  it('says plainly what is not held, with no empty table', () => {
    expect(paragraphs(md)).toContain('MOPAC does not hold this information.');
    const q2 = md.slice(md.indexOf('## Question 2'), md.indexOf('## Question 3'));
    expect(q2).not.toContain('|');
  });

  it('never produces HTML entities', () => {
    expect(md).not.toMatch(/&(amp|lt|gt|quot|#x?[0-9a-f]+);/i);
    expect(md).toContain("Children's Social Services");
    expect(md).toContain('Safe & Together');
  });
});

describe('Markdown escaping', () => {
  const view = seed000();
  const q = view.questions[0];
  q.tables[0].rows = [
    ['Grant one', '£1', 'A | B', 'x', 'y', 'Y'],
    ['Grant two', '£2', '*Trust*', '_under_ [link](x) <b>bold</b> # `code` ~del~', '1. not a list', 'N'],
  ];
  q.intro = 'Funded by *Trust* and A | B & Co\'s <b>partners</b>\n- not a bullet\n# not a heading\n2019. not a list';
  const md = renderLetter(view);

  it('escapes provider names in table cells and reads them back literally', () => {
    expect(md).toContain('| A \\| B |');
    expect(md).toContain('| \\*Trust\\* |');
    const rows = tables(md)[0].rows;
    expect(rows[0][2]).toBe('A | B');
    expect(rows[1][2]).toBe('*Trust*');
    expect(rows[1][3]).toBe('_under_ [link](x) <b>bold</b> # `code` ~del~');
    expect(rows[1][4]).toBe('1. not a list');
    expect(rows[0]).toHaveLength(6);
    const edge = seed000();
    edge.questions[0].tables[0].rows = [['C:\\ | D', '£1', 'x\\', 'y', 'z', 'Y']];
    expect(tables(renderLetter(edge))[0].rows[0].slice(0, 3)).toEqual(['C:\\ | D', '£1', 'x\\']);
  });

  it('escapes text so emphasis, HTML, lists and headings stay literal', () => {
    const tokens = marked.lexer(md);
    const introIdx = tokens.findIndex((t) => t.type === 'paragraph' && plain((t as Tokens.Paragraph).tokens).startsWith('Funded by'));
    expect(introIdx).toBeGreaterThan(-1);
    expect(plain((tokens[introIdx] as Tokens.Paragraph).tokens)).toBe(
      "Funded by *Trust* and A | B & Co's <b>partners</b>\n- not a bullet\n# not a heading\n2019. not a list",
    );
    expect(md).toContain("Funded by \\*Trust\\* and A \\| B & Co's \\<b\\>partners\\</b\\>\n\\- not a bullet\n\\# not a heading\n2019\\. not a list");
  });

  it('markdownEscape: escapes the Markdown set, keeps & and \' and never emits entities', () => {
    expect(markdownEscape('A | B')).toBe('A \\| B');
    expect(markdownEscape('*Trust*')).toBe('\\*Trust\\*');
    expect(markdownEscape('a\\b `c` _d_ [e] <f> #g ~h~')).toBe('a\\\\b \\`c\\` \\_d\\_ \\[e\\] \\<f\\> \\#g \\~h\\~');
    expect(markdownEscape("Barnet, Enfield & Haringey's")).toBe("Barnet, Enfield & Haringey's");
    expect(markdownEscape('- item')).toBe('\\- item');
    expect(markdownEscape('+ item')).toBe('\\+ item');
    expect(markdownEscape('12. item')).toBe('12\\. item');
    expect(markdownEscape('3) item')).toBe('3\\) item');
    expect(markdownEscape('1.5 million')).toBe('1.5 million');
    expect(markdownEscape('-£5')).toBe('-£5');
    expect(markdownEscape('===')).toBe('\\===');
    expect(markdownEscape('    indented')).toBe('indented');
    expect(markdownEscape(null)).toBe('');
    expect(markdownEscape(new Handlebars.SafeString('**raw**'))).toBe('**raw**');
  });

  it('is installed on the letters instance only: {{x}} is Markdown-escaped, {{{x}}} raw, other instances untouched', () => {
    const data = { x: 'A | B & *T* <i>' };
    const opts = { strict: true, knownHelpersOnly: true };
    expect(hb.compile('{{x}}|{{{x}}}', opts)(data)).toBe('A \\| B & \\*T\\* \\<i\\>|A | B & *T* <i>');
    // Inside blocks and partials compiled by the instance, too.
    const partial = hb.compile('P:{{x}}', opts);
    expect(hb.compile('{{#each l}}[{{this}}]{{/each}} {{> p}}', opts)({ ...data, l: ['a_b'] }, { partials: { p: partial } })).toBe(
      '[a\\_b] P:A \\| B & \\*T\\* \\<i\\>',
    );
    expect(Handlebars.compile('{{x}}')(data)).toBe('A | B &amp; *T* &lt;i&gt;');
    expect(Handlebars.create().compile('{{x}}')(data)).toBe('A | B &amp; *T* &lt;i&gt;');
    expect(Handlebars.Utils.escapeExpression('&')).toBe('&amp;');
    expect(Handlebars.escapeExpression('&')).toBe('&amp;');
  });
});

describe('template errors name the file, the line and the name', () => {
  it('a missing variable in an override template', () => {
    const dir = overrideDir({ 'bad.hbs': '{{> letterhead}}\n\nHello\n{{requestor}}\n{{> review-and-ico}}\n' });
    const e = thrown(() => renderLetter(seed000(), { template: 'bad', templatesDir: dir }));
    expect(e).toBeInstanceOf(TemplateError);
    expect(e.message).toBe(`${join(dir, 'bad.hbs')} line 4: "requestor" is not defined`);
    expect((e as TemplateError).line).toBe(4);
    expect((e as TemplateError).subject).toBe('requestor');
  });

  it('a missing variable only used as a helper argument ({{#if}}), which Handlebars strict mode lets through', () => {
    const dir = overrideDir({ 'partials/signoff.hbs': 'Yours sincerely,\n\n{{#if body.signatory.nmae}}x{{/if}}\n' });
    const e = thrown(() => renderLetter(seed000(), { templatesDir: dir }));
    expect(e.message).toMatch(new RegExp(`^${escapeRe(join(dir, 'partials/signoff.hbs'))} line 3: "body.signatory.nmae" is not defined`));
  });

  it('the runtime strict-mode error (no static check) is located too', () => {
    const render = compileTemplate('line one\nline two {{requestor}}\n', 'templates/x.hbs');
    const e = thrown(() => render({ requester: {} }));
    expect(e.message).toBe('templates/x.hbs line 2: "requestor" is not defined');
  });

  it('an unknown helper', () => {
    const dir = overrideDir({ 'shouty.hbs': '{{> letterhead}}\n\n{{shout body.name}}\n\n{{> review-and-ico}}\n' });
    const e = thrown(() => renderLetter(seed000(), { template: 'shouty', templatesDir: dir }));
    expect(e.message).toMatch(new RegExp(`^${escapeRe(join(dir, 'shouty.hbs'))} line 3: unknown helper "shout"`));
    // And from the compiler itself (knownHelpersOnly), without the static check.
    const e2 = thrown(() => compileTemplate('a\n\n{{shout x}}', 'templates/y.hbs')({ x: 1 }));
    expect(e2.message).toBe('templates/y.hbs line 3: unknown helper "shout"');
  });

  it('a syntax error', () => {
    const dir = overrideDir({ 'partials/signoff.hbs': 'Yours sincerely,\n\n{{#if late}}\nx\n' });
    const e = thrown(() => renderLetter(seed000(), { templatesDir: dir }));
    expect(e.message).toBe(`${join(dir, 'partials/signoff.hbs')} line 3: {{#if}} is never closed: {{/if}} is missing`);
    const dir2 = overrideDir({ 'partials/signoff.hbs': 'Yours sincerely,\n\n{{body.name}\n' });
    expect(() => renderLetter(seed000(), { templatesDir: dir2 })).toThrow(`${join(dir2, 'partials/signoff.hbs')} line 3: syntax error`);
  });

  it('an exemption partial that does not exist (dynamic partial), at runtime', () => {
    const view = seed000();
    view.questions[0].exemption = {
      section: '22', partial: 'exemption-s22', reason: null, publishedAt: null, publicInterestFor: [], publicInterestAgainst: [],
    };
    const e = thrown(() => renderLetter(view));
    expect(e.message).toMatch(/^templates\/partials\/question\.hbs line \d+: partial "exemption-s22" not found$/);
  });

  it('a helper given bad data: never an empty table', () => {
    const view = seed000();
    view.questions[0].tables[1].rows = [];
    const e = thrown(() => renderLetter(view));
    expect(e.message).toMatch(/^templates\/partials\/question\.hbs line \d+: table: the table for 2018-19 has no rows/);
  });

  it('an unknown template name is an error (exit 1, a failed lookup) listing the known ones', () => {
    const e = thrown(() => renderLetter(seed000(), { template: 'nope' }));
    expect((e as FoiError).exitCode).toBe(1);
    expect(e.message).toContain('unknown template "nope"');
    expect(e.message).toContain('full-response');
  });
});

describe('overrides via templatesDir', () => {
  it('replaces a partial by file name and adds a template', () => {
    const dir = overrideDir({
      'partials/signoff.hbs': 'With best wishes,\n\n{{body.signatory.name}}\n',
      'short.hbs': '{{> letterhead}}\n\nShort reply about {{join (lookup questions.[0] "sources")}} {{plural questions "question"}}.\n\n{{> review-and-ico}}\n\n{{> signoff}}\n',
    });
    const md = renderLetter(seed000(), { templatesDir: dir });
    expect(md).toContain('With best wishes,\n\nInformation Access Officer\n');
    expect(md).not.toContain('Yours sincerely');
    expect(listTemplates(dir)).toEqual(['full-response', 'not-held', 'partly-held', 'refusal-s12', 'short']);
    const files = listTemplateFiles(dir);
    const signoff = files.find((f) => f.name === 'signoff')!;
    expect(signoff.origin).toBe('override');
    expect(signoff.overrides).toBe('templates/partials/signoff.hbs');
    const short = renderLetter(seed000(), { template: 'short.hbs', templatesDir: dir });
    expect(short).toContain('Short reply about  question.');
    expect(short).toContain('With best wishes,');
    // The shipped set is unaffected.
    expect(renderLetter(seed000())).toContain('Yours sincerely,');
  });

  it('rejects a templates directory that does not exist', () => {
    expect(() => renderLetter(seed000(), { templatesDir: join(tmpdir(), 'no-such-foi-templates') })).toThrow(/not a directory/);
  });
});

describe('every letter', () => {
  const views: [string, LetterView][] = [
    ['seed 000', seed000()],
    ['seed 003', seed003()],
    ['sample full', sampleLetterView('full')],
    ['sample sparse', sampleLetterView('sparse')],
  ];

  it('contains the review and ICO paragraphs, in every template', () => {
    for (const template of listTemplates()) {
      for (const [, view] of views) {
        const md = renderLetter(view, { template });
        expect(md).toContain(`<${NEXT_STEPS}>`);
        expect(md).toContain('ask for an internal review');
        expect(md).toContain('under section 50 of the Freedom of Information Act 2000');
        expect(md).toContain('Wycliffe House');
        expect(md.indexOf('section 50')).toBeGreaterThan(md.indexOf('## Question') >= 0 ? md.indexOf('## Question') : 0);
      }
    }
  });

  it('apologises for lateness only when late', () => {
    for (const template of listTemplates()) {
      const late = { ...seed003(), late: true };
      const onTime = { ...seed003(), late: false };
      expect(renderLetter(late, { template })).toContain('(MOPAC) and I apologise for the delay in replying to you.');
      expect(renderLetter(onTime, { template })).not.toContain('apologise');
    }
  });

  it('is deterministic, with \\n line ends, no runs of blank lines and one final newline', () => {
    for (const template of listTemplates()) {
      for (const [, view] of views) {
        const a = renderLetter(view, { template });
        const b = renderLetter(structuredClone(view), { template });
        expect(a).toBe(b);
        expect(a).not.toContain('\r');
        expect(a).not.toMatch(/\n\n\n/);
        expect(a).not.toMatch(/[ \t]\n/);
        expect(a.endsWith('\n') && !a.endsWith('\n\n')).toBe(true);
        expect(a).not.toMatch(/undefined|\[object Object\]/);
        // No indented lines (they would be code blocks in Markdown).
        expect(a).not.toMatch(/^ {4}/m);
      }
    }
  });
});

describe('templates by outcome', () => {
  it('not held: s.1(1)(a) wording with s.16 advice', () => {
    const view = seed003();
    view.outcome = 'not_held';
    view.questions = [{ ...view.questions[1], advice: 'The London Borough of Barking and Dagenham may hold this information.' }];
    const md = renderLetter(view);
    expect(md).toContain('MOPAC does not hold the information you asked for (section 1(1)(a) of the Act)');
    expect(paragraphs(md)).toContain('MOPAC does not hold this information.');
    expect(md).toContain('**Advice and assistance (section 16):** The London Borough of Barking and Dagenham may hold this information.');
    expect(tables(md)).toEqual([]);
  });

  it('no matching grants: a paragraph, never an empty table', () => {
    const view = seed000();
    view.questions[0] = { ...view.questions[0], tables: [], noMatch: true, intro: null, notes: [] };
    const md = renderLetter(view);
    expect(md).toContain('No grants matched the criteria in your request');
    expect(tables(md)).toEqual([]);
  });

  it('refusal under s.12: the cost limit, s.16 advice and the s.17(5) notice', () => {
    const view = seed000();
    view.outcome = 'refused';
    view.questions[0] = {
      ...view.questions[0],
      outcome: 'refused_cost',
      tables: [],
      intro: 'Answering would mean reading every grant agreement from both years, which we estimate at 40 hours.',
      advice: 'You could ask about grants for one financial year only.',
      notes: [],
    };
    expect(defaultTemplateFor(view)).toBe('refusal-s12');
    const md = renderLetter(view);
    expect(md).toContain('For MOPAC the appropriate limit is £450');
    expect(md).toContain('At £25 an hour, this is 18 hours of work');
    expect(md).toContain('refusal notice under section 17(5) of the Act');
    expect(md).toContain('## Advice and assistance (section 16)');
    expect(md).toContain('You could ask about grants for one financial year only.');
    expect(md).toContain('which we estimate at 40 hours.');
  });

  it('a partly held answer opens with what applies: not held, exempt, or both', () => {
    const view = seed003();
    expect(view.outcome).toBe('partly_held');
    expect(renderLetter(view)).toContain('does hold some information relating to your request. Some of the information you asked for is not held; the details are set out below:');
    view.anyExemption = true;
    expect(renderLetter(view)).toContain('Some of the information you asked for is not held, and some is exempt from disclosure; the details are set out below:');
  });

  it('exemptions: each partial chosen by exemption.partial, with the public interest test where qualified', () => {
    const base = seed000().questions[0];
    const exempt = (section: string, extra: Partial<QuestionView['exemption']> = {}): QuestionView => ({
      ...base,
      outcome: 'exempt',
      tables: [],
      notes: [],
      exemption: { section, partial: EXEMPTION_PARTIALS[section], reason: null, publishedAt: null, publicInterestFor: [], publicInterestAgainst: [], ...extra },
    });
    const view = seed000();
    view.outcome = 'partly_held';
    view.anyExemption = true;
    view.questions = [
      { ...exempt('21', { publishedAt: 'https://www.london.gov.uk/decisions/pcd_1653' }), number: 1 },
      { ...exempt('40(2)'), number: 2 },
      { ...exempt('43(2)', { publicInterestFor: ['Accountability for *public* money'], publicInterestAgainst: ['Harm to the providers'] }), number: 3 },
      { ...exempt('31'), number: 4 },
      { ...exempt('38'), number: 5 },
    ];
    const md = renderLetter(view);
    // The opening names only what applies: everything not given here is exempt, none is "not held".
    expect(md).toContain('Some of the information you asked for is exempt from disclosure; the details are set out below:');
    expect(md).not.toContain('is not held');
    expect(md).toContain('It is published at <https://www.london.gov.uk/decisions/pcd_1653>.');
    expect(md).toContain('section 40(2) of the Freedom of Information Act 2000');
    expect(md).toContain('section 43(2) of the Freedom of Information Act 2000');
    expect(md).toContain('Factors in favour of disclosure:\n\n- Accountability for \\*public\\* money\n');
    expect(md).toContain('Factors in favour of maintaining the exemption:\n\n- Harm to the providers\n');
    expect(md).toContain('section 31 of the Freedom of Information Act 2000');
    expect(md).toContain('section 38 of the Freedom of Information Act 2000');
    expect(md.match(/Section (43\(2\)|31|38) is a qualified exemption/g)).toHaveLength(3);
    expect(md.match(/refusal notice under section 17\(1\)/g)).toHaveLength(5);
  });
});

describe('body config', () => {
  it('ships MOPAC defaults', () => {
    const b = loadBodyConfig();
    expect(b.name).toBe("Mayor's Office for Policing And Crime");
    expect(b.shortName).toBe('MOPAC');
    expect(b.letterhead).toBe('MAYOR OF LONDON OFFICE FOR POLICING AND CRIME');
    expect(b.nextStepsUrl).toBe(NEXT_STEPS);
    expect(b.costLimit).toEqual({ amount: '£450', hours: 18 });
    expect(b.signatory.name).toBe('Information Access Officer');
  });

  it('rejects unknown and missing keys, naming the file and key', () => {
    const dir = overrideDir({
      'unknown.yaml': readFileSync(join(__dirname, '..', '..', 'templates', 'body.yaml'), 'utf8') + 'colour: blue\n',
      'missing.yaml': 'name: Example Body\nshortName: EB\nletterhead: EXAMPLE\naddress: [1 Street]\nnextStepsUrl: https://example.org/foi\nsignatory: {name: A, title: B}\n',
      'cost.yaml': 'name: Example Body\nshortName: EB\nletterhead: EXAMPLE\naddress: [1 Street]\nreviewContact: foi@example.org\nnextStepsUrl: https://example.org/foi\nsignatory: {name: A, title: B, grade: C}\ncostLimit: {amount: 600, hours: 18}\n',
    });
    expect(() => loadBodyConfig(join(dir, 'unknown.yaml'))).toThrow(`${join(dir, 'unknown.yaml')}: colour: unknown key`);
    expect(() => loadBodyConfig(join(dir, 'missing.yaml'))).toThrow(`${join(dir, 'missing.yaml')}: reviewContact: missing (required)`);
    const e = thrown(() => loadBodyConfig(join(dir, 'cost.yaml'))) as Error & { details: string[] };
    expect(e.details).toContain(`${join(dir, 'cost.yaml')}: signatory.grade: unknown key (known: name, title)`);
    expect(e.details).toContain(`${join(dir, 'cost.yaml')}: costLimit: £600 is not 18 hours at £25 an hour (£450)`);
    expect(validateBodyConfig({ ...loadBodyConfig(), costLimit: { amount: '£600', hours: 24 } }, 'x.yaml').costLimit).toEqual({ amount: '£600', hours: 24 });
  });
});

it('normaliseMarkdown', () => {
  expect(normaliseMarkdown('\r\n\na  \r\nb\n\n\n\nc\n\n')).toBe('a\nb\n\nc\n');
});

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
