import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { overrideDir } from '../helpers/template-dir.js';
import { EXEMPTION_PARTIALS } from '../../src/letters/letter-shape.js';
import { checkTemplates } from '../../src/letters/template-check.js';

describe('checkTemplates', () => {
  it('passes on the shipped set, covering every template and partial', () => {
    const results = checkTemplates();
    const bad = results.filter((r) => !r.ok);
    expect(bad.map((r) => r.message)).toEqual([]);
    const files = results.map((r) => r.file);
    for (const f of [
      'templates/full-response.hbs',
      'templates/partly-held.hbs',
      'templates/not-held.hbs',
      'templates/refusal-s12.hbs',
      'templates/partials/letterhead.hbs',
      'templates/partials/opening.hbs',
      'templates/partials/late-apology.hbs',
      'templates/partials/question.hbs',
      'templates/partials/review-and-ico.hbs',
      'templates/partials/signoff.hbs',
      ...Object.values(EXEMPTION_PARTIALS).map((p) => `templates/partials/${p}.hbs`),
    ]) {
      expect(files).toContain(f);
    }
  });

  it('reports a broken override directory with files and lines', () => {
    const dir = overrideDir({
      'syntax.hbs': '{{> letterhead}}\n{{#each questions}}\n{{> review-and-ico}}\n',
      'helper.hbs': '{{> letterhead}}\n{{upper body.name}}\n{{> review-and-ico}}\n',
      'no-review.hbs': '{{> letterhead}}\nHello\n',
      'missing-partial.hbs': '{{> letterhead}}\n{{> nowhere}}\n{{> review-and-ico}}\n',
      'list-as-text.hbs': '{{> letterhead}}\n{{questions}}\n{{> review-and-ico}}\n',
      'partials/question.hbs': '## Question {{number}}\n\n{{#each tables}}\n{{table this}}\n{{caption.text}}\n{{/each}}\n{{numbr}}\n{{@root.body.nmae}}\n',
    });
    const results = checkTemplates(dir);
    const byFile = new Map(results.map((r) => [r.file, r]));
    const msg = (rel: string) => byFile.get(join(dir, rel))?.message ?? '';
    expect(byFile.get(join(dir, 'syntax.hbs'))?.ok).toBe(false);
    expect(msg('syntax.hbs')).toBe(`${join(dir, 'syntax.hbs')} line 2: {{#each}} is never closed: {{/each}} is missing`);
    expect(msg('helper.hbs')).toContain(`${join(dir, 'helper.hbs')} line 2: unknown helper "upper"`);
    expect(msg('no-review.hbs')).toContain('does not include {{> review-and-ico}}');
    expect(msg('missing-partial.hbs')).toContain(`${join(dir, 'missing-partial.hbs')} line 2: partial "nowhere" not found`);
    expect(msg('list-as-text.hbs')).toContain('line 2: "questions" is a list, not text');
    const q = msg('partials/question.hbs');
    expect(q).toContain(`${join(dir, 'partials/question.hbs')} line 7: "numbr" is not defined`);
    expect(q).toContain('line 5: "caption.text" is not defined');
    expect(q).toContain('line 8: "@root.body.nmae" is not defined');
    expect(byFile.get(join(dir, 'partials/question.hbs'))?.origin).toBe('override');
    // The shipped files that are fine stay fine.
    expect(byFile.get('templates/partials/signoff.hbs')?.ok).toBe(true);
  });

  it('accepts ordinary Handlebars idioms without false alarms', () => {
    const dir = overrideDir({
      'idioms.hbs': [
        '{{> letterhead}}',
        '{{#each questions as |q qi|}}',
        '{{qi}} {{q.number}} {{@index}} {{#if @first}}first{{/if}} {{../ref}} {{@root.body.shortName}} {{this.wording}}',
        '{{#each tables}}{{#each columns}}{{header}} {{../financialYear}} {{@../index}}{{/each}}{{#each rows}}{{#each this}}{{this}}{{/each}}{{/each}}{{/each}}',
        '{{#with exemption}}{{section}} {{#each publicInterestFor}}{{this}}{{/each}}{{/with}}',
        '{{#unless noMatch}}{{tables.length}}{{/unless}} {{lookup (lookup @root.questions 0) "number"}}',
        '{{/each}}',
        '{{#body}}{{name}}{{/body}} {{#questions}}{{number}}{{/questions}} {{#late}}late{{/late}}',
        '{{#if (eq outcome "held")}}held{{else if anyExemption}}exempt{{else}}other{{/if}}',
        '{{> question (lookup questions 0)}}',
        '{{> review-and-ico}}',
      ].join('\n'),
    });
    const r = checkTemplates(dir).find((x) => x.file === join(dir, 'idioms.hbs'))!;
    expect(r.message).toBeNull();
    expect(r.ok).toBe(true);
  });

  it('catches runtime errors by rendering the sample letters', () => {
    // Statically fine (date takes text) but the text is not a date: only a render shows it.
    const dir = overrideDir({ 'partials/signoff.hbs': 'Yours sincerely,\n\n{{date responseDateIso}} {{date body.shortName}}\n' });
    const r = checkTemplates(dir).find((x) => x.file === join(dir, 'partials/signoff.hbs'))!;
    expect(r.ok).toBe(false);
    expect(r.message).toBe(`${join(dir, 'partials/signoff.hbs')} line 3: date: expects an ISO date (YYYY-MM-DD), got string "MOPAC"`);
    // The static check catches a type mismatch it can see.
    const dir2 = overrideDir({ 'partials/signoff.hbs': 'Yours sincerely,\n\n{{money body.signatory.name}}\n' });
    const r2 = checkTemplates(dir2).find((x) => x.file === join(dir2, 'partials/signoff.hbs'))!;
    expect(r2.message).toContain('line 3: helper "money" expects an amount in pence, got a string');
  });
});
