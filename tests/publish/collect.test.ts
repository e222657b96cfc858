import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { collectResponses } from '../../src/publish/collect.js';
import { tempDir } from '../helpers/cli.js';

type Q = { wording: string; outcome: string; criteria?: { fy?: string[]; themes?: string[] } | null };

/** An answer record and its letter, as foi batch writes them (only the fields publish reads). */
function write(dir: string, base: string, rec: { reference?: string; questions: Q[]; lines?: number[]; publish?: boolean; top?: Record<string, unknown>; requester?: unknown }): void {
  mkdirSync(dir, { recursive: true });
  const record = {
    format: 'foi-answer/1', reference: rec.reference ?? base,
    request: {
      reference: rec.reference ?? base, requester: rec.requester ?? { name: null, address: [] }, received: '2024-01-02', responseDate: '2024-01-30', template: null,
      questions: rec.questions.map((q) => ({ criteria: null, ...q })), ...(rec.publish === undefined ? {} : { publish: rec.publish }),
    },
    criteria: (rec.lines ?? []).map((n, i) => ({ number: i + 1, lines: Array.from({ length: n }, () => ({})) })),
    ...rec.top,
  };
  writeFileSync(join(dir, `${base}.answer.json`), JSON.stringify(record));
  writeFileSync(join(dir, `${base}.md`), '## HEAD\n\nOur ref: X\n\n**Date:** 30 January 2024\n\nDear Requester,\n\nThank you.\n\nYours sincerely,\n\nOfficer\n');
}

const held = (themes: string[] = []): Q => ({ wording: 'Grants please', outcome: 'held', criteria: { fy: ['2023-24'], themes } });

describe('collecting the responses to publish', () => {
  it('publishes only what is marked; the record\'s own publish (a request log) wins over the request file', () => {
    const dir = tempDir();
    write(dir, 'A', { questions: [held()], lines: [1], publish: true });
    write(dir, 'B', { questions: [held()], lines: [1] });
    write(dir, 'C', { questions: [held()], lines: [1], publish: false });
    write(dir, 'D', { questions: [held()], lines: [1], publish: true, top: { publish: false } });
    write(join(dir, 'sub'), 'E', { questions: [held()], lines: [1], publish: false, top: { publish: true } });
    const c = collectResponses(dir);
    expect(c.responses.map((r) => r.reference)).toEqual(['A', 'E']);
    expect(c.unpublished).toEqual(['B', 'C', 'D']);
    expect(c.records).toBe(5);
  });

  it("derives the outcome as the letter's opening does, unless the record states one", () => {
    const dir = tempDir();
    const refused: Q = { wording: 'Everything', outcome: 'refused_cost' };
    const exempt: Q = { wording: 'Prices', outcome: 'exempt' };
    const notHeld: Q = { wording: 'Counts', outcome: 'not_held' };
    write(dir, 'ALL-HELD', { questions: [held(), held()], lines: [2, 1], publish: true });
    write(dir, 'NO-MATCH', { questions: [held()], lines: [0], publish: true });
    write(dir, 'PART', { questions: [held(), exempt], lines: [1], publish: true });
    write(dir, 'REFUSED', { questions: [refused], publish: true });
    write(dir, 'EXEMPT', { questions: [exempt], publish: true });
    write(dir, 'MIXED-NONE', { questions: [exempt, notHeld], publish: true });
    write(dir, 'LOGGED', { questions: [held()], lines: [1], publish: true, top: { outcome: 'Released after internal review' } });
    const outcomes = Object.fromEntries(collectResponses(dir).responses.map((r) => [r.reference, r.outcome]));
    expect(outcomes).toEqual({
      'ALL-HELD': { key: 'provided', label: 'Information provided' },
      'NO-MATCH': { key: 'not-held', label: 'Information not held' },
      PART: { key: 'partly-provided', label: 'Information provided in part' },
      REFUSED: { key: 'refused', label: 'Refused: cost limit (section 12)' },
      EXEMPT: { key: 'withheld', label: 'Information withheld (exempt)' },
      'MIXED-NONE': { key: 'not-provided', label: 'Information not provided' },
      LOGGED: { key: 'released-after-internal-review', label: 'Released after internal review' },
    });
  });

  it('themes, years, title from the first question, the letter body; the requester redacted from all of it', () => {
    const dir = tempDir();
    write(dir, 'FOI-1', {
      reference: 'FOI 1', publish: true, lines: [1, 1],
      requester: { name: 'Jo Bloggs', address: ['7 Acacia Avenue'] },
      questions: [
        { wording: 'I am Jo Bloggs of 7 Acacia Avenue. Please list the stalking grants.\nSecond line.', outcome: 'held', criteria: { fy: ['2018-19', '2017-18'], themes: ['stalking'] } },
        { wording: 'And perpetrator programmes', outcome: 'held', criteria: { fy: ['2017-18'], themes: ['domestic-abuse-perpetrators', 'stalking'] } },
      ],
      top: { title: 'A title chosen by the log' },
    });
    const [r] = collectResponses(dir).responses;
    expect(r).toMatchObject({
      base: 'FOI-1', reference: 'FOI 1', title: 'A title chosen by the log', year: '2024', responseDate: '2024-01-30',
      themes: [{ key: 'domestic-abuse-perpetrators', label: 'Domestic abuse perpetrators' }, { key: 'stalking', label: 'Stalking' }],
      financialYears: ['2017-18', '2018-19'],
      questions: ['I am [name removed] of [address removed]. Please list the stalking grants.\nSecond line.', 'And perpetrator programmes'],
      bodyMarkdown: 'Thank you.\n',
      letterheadMarkdown: '## HEAD',
    });
  });

  it('names the file of a record that is not an answer record', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'X.answer.json'), JSON.stringify({ format: 'foi-answer/1', reference: 'X', request: { received: '2024-01-01' } }));
    expect(() => collectResponses(dir)).toThrow(/X\.answer\.json: not a foi answer record \(the request has no received or response date\)/);
  });
});
