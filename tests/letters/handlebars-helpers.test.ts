import { describe, expect, it } from 'vitest';
import { compileTemplate } from '../../src/letters/template-compile.js';

describe('helpers', () => {
  const run = (src: string, data: object = {}) => compileTemplate(src, 'templates/t.hbs')(data);
  it('money and date', () => {
    expect(run('{{money a}} {{money b}} {{money c pence=true}}', { a: 13970700, b: 208743181, c: 45000 })).toBe('£139,707 £2,087,431.81 £450.00');
    expect(run('{{date d}}', { d: '2019-01-24' })).toBe('24 January 2019');
    expect(() => run('\n{{money a}}', { a: '£5' })).toThrow('templates/t.hbs line 2: money: expects whole pence (an integer), got string "£5"');
    expect(() => run('{{date d}}', { d: '2019-02-30' })).toThrow(/date: expects an ISO date/);
  });
  it('join, plural, numbered, quote, lines, link, eq', () => {
    expect(run('{{join l ", " last=" and "}}', { l: ['PCD 1653', 'CEOD_03', 'DMPCD 2015 96'] })).toBe('PCD 1653, CEOD\\_03 and DMPCD 2015 96');
    expect(run('{{plural n "grant"}}/{{plural m "grant"}}/{{plural l "entry" "entries"}}', { n: 1, m: 2, l: [1, 2] })).toBe('grant/grants/entries');
    expect(run('{{numbered l}}', { l: ['first', '*second*'] })).toBe('1. first\n2. \\*second\\*');
    expect(run('{{quote w}}', { w: 'Line one\n\tLine two\n\n\n# three' })).toBe('> Line one\\\n> Line two\n>\n> \\# three');
    expect(run('{{lines a b}}', { a: 'One', b: ['Two', null, 'Three'] })).toBe('One\\\nTwo\\\nThree');
    // Only the body's own addresses (its configured pages' site, its e-mail) and the ICO are links.
    const body = { nextStepsUrl: 'https://x.org/foi', decisionsUrl: null, email: 'foi@example.org', reviewContact: 'FOI team' };
    expect(run('{{link a}} {{link b}} {{link c}} {{link d}}', { body, a: 'https://x.org/a_b', b: 'foi@example.org', c: 'our *site*', d: 'https://ico.org.uk' })).toBe(
      '<https://x.org/a_b> <foi@example.org> our \\*site\\* <https://ico.org.uk>',
    );
    expect(run('{{link a}} {{link b}}', { body, a: 'https://evil.example/a_b', b: 'someone@evil.example' })).toBe(
      'https\\://evil.example/a\\_b someone\\@evil.example',
    );
    expect(run('{{#if (eq a "x")}}yes{{else}}no{{/if}}', { a: 'x' })).toBe('yes');
  });
  it('table helper output', () => {
    const t = {
      financialYear: null, caption: null,
      columns: [{ key: 'a', header: 'Name | alias', align: 'left' }, { key: 'b', header: 'Amount', align: 'right' }],
      rows: [['x\ny', '£1']],
      totalRow: ['Total', '£1'],
    };
    expect(run('{{table t}}', { t })).toBe('| Name \\| alias | Amount |\n| --- | ---: |\n| x y | £1 |\n| **Total** | **£1** |');
    expect(() => run('{{table t}}', { t: { ...t, rows: [['only one cell']] } })).toThrow(/row 1 of the table has 1 cells; the table has 2 columns/);
  });
});
