/**
 * The request log's operations in process (src/log/requests.ts over src/log/store.ts), the queue
 * and statistics built from them, the letter outcome mapping, and the values the log parses.
 */
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/open.js';
import { DataError, UsageError } from '../../src/core/errors.js';
import { RequestLog } from '../../src/log/requests.js';
import { buildQueue } from '../../src/log/queue.js';
import { computeStats } from '../../src/log/stats.js';
import { outcomeOfLetter } from '../../src/log/letters.js';
import { compareSections, parseOutcome, parseQuarter, parseSection, referenceKey, requireSections } from '../../src/log/values.js';

function log(today = '2023-08-10') {
  const db = openDatabase(':memory:', { create: true });
  let tick = 0;
  return new RequestLog(db, today, () => `2023-08-10T09:00:${String(tick++).padStart(2, '0')}.000Z`);
}

const request = (reference: string, received: string, extra: Partial<Parameters<RequestLog['add']>[0]> = {}) => ({
  reference, regime: 'foi' as const, received, requesterName: null, requesterEmail: null, requesterAddress: [], wording: null, ...extra,
});

describe('RequestLog', () => {
  it('adds a request with its receipt as the first event, and finds it by reference whatever the case and spacing', () => {
    const l = log();
    const e = l.add(request('FOI  556', '2023-07-25', { requesterName: 'Ms A Person' }), 'log add');
    expect(e.request).toMatchObject({ reference: 'FOI 556', received: '2023-07-25', requesterName: 'Ms A Person' });
    expect(e.history.map((h) => [h.event.kind, h.event.date, h.event.recordedAt, h.event.command])).toEqual([['logged', '2023-07-25', '2023-08-10T09:00:00.000Z', 'log add']]);
    expect(l.find('foi 556')?.request.reference).toBe('FOI 556');
    expect(l.find('FOI/556')).toBeNull();
    expect(e.clock).toMatchObject({ due: '2023-08-23', daysLeft: 9 });
  });

  it('refuses what does not fit the history, and writes nothing when it refuses', () => {
    const l = log();
    l.add(request('FOI 1', '2023-07-25'), 'log add');
    const refused = (f: () => unknown, message: string) => {
      expect(f).toThrow(DataError);
      expect(f).toThrow(message);
    };
    refused(() => l.record('FOI 1', { kind: 'paid', date: '2023-08-01' }, 'log paid'), 'FOI 1: no fees notice is outstanding; record it first: foi log fee "FOI 1" --notice DATE');
    refused(() => l.record('FOI 1', { kind: 'clarify', date: '2023-08-11' }, 'log clarify'), 'the date of the request for clarification (11 August 2023) is in the future; today is 10 August 2023');
    refused(() => l.record('FOI 1', { kind: 'close', date: '2023-08-01', outcome: 'withheld', exemptions: [] }, 'log close'), 'a request withheld in full must name the exemption(s) relied on');
    refused(() => l.record('FOI 1', { kind: 'close', date: '2023-08-01', outcome: 'granted', exemptions: ['40(2)'] }, 'log close'), 'a request granted in full cites no exemption');
    refused(() => l.record('FOI 1', { kind: 'review-close', date: '2023-08-01', outcome: 'upheld' }, 'log review-close'), 'no internal review is recorded');
    refused(() => l.record('FOI 9', { kind: 'clarify', date: '2023-08-01' }, 'log clarify'), 'no request FOI 9 in the log; add it with foi log add');
    l.record('FOI 1', { kind: 'fee', date: '2023-08-01', amountPence: 2500 }, 'log fee');
    refused(() => l.record('FOI 1', { kind: 'fee', date: '2023-08-02', amountPence: null }, 'log fee'), 'the fees notice given on 1 August 2023 is unpaid');
    expect(l.get('FOI 1').history.map((h) => h.event.kind)).toEqual(['logged', 'fee']);
  });

  it('a second close supersedes the first; voiding it brings the first back', () => {
    const l = log('2023-09-01');
    l.add(request('FOI 2', '2023-07-25'), 'log add');
    l.record('FOI 2', { kind: 'close', date: '2023-08-22', outcome: 'granted', exemptions: [] }, 'log close');
    const r = l.record('FOI 2', { kind: 'close', date: '2023-08-24', outcome: 'partly', exemptions: ['43(2)'] }, 'log close');
    expect(r.supersedes).toBe(2);
    expect(r.entry.clock.closed).toMatchObject({ on: '2023-08-24', outcome: 'partly', timeliness: 'late', workingDaysLate: 1 });
    expect(r.entry.history.map((h) => [h.event.id, h.status, h.by])).toEqual([[1, 'in force', null], [2, 'superseded', 3], [3, 'in force', null]]);
    const v = l.voidEvent('FOI 2', 3, 'wrong date', 'log void');
    expect(v.clock.closed).toMatchObject({ on: '2023-08-22', outcome: 'granted', timeliness: 'in-time' });
    expect(v.history.map((h) => h.status)).toEqual(['in force', 'in force', 'voided', 'in force']);
    expect(() => l.voidEvent('FOI 2', 1, null, 'log void')).toThrow('cannot be voided');
  });

  it('purges personal data only from requests closed before the date with nothing still open, in one transaction', () => {
    const l = log('2024-06-01');
    const who = { requesterName: 'N', requesterEmail: 'n@example.org', requesterAddress: ['1 Street'], wording: 'about me' };
    l.add(request('FOI 1', '2023-01-09', who), 'log add');
    l.add(request('FOI 2', '2023-01-09', who), 'log add');
    l.add(request('FOI 3', '2023-01-09', who), 'log add');
    l.record('FOI 1', { kind: 'close', date: '2023-02-01', outcome: 'granted', exemptions: [] }, 'log close');
    l.record('FOI 2', { kind: 'close', date: '2023-02-01', outcome: 'granted', exemptions: [] }, 'log close');
    l.record('FOI 2', { kind: 'ico', date: '2023-03-01', caseRef: null }, 'log ico');
    const r = l.purge('2024-01-01', { wording: false, dryRun: false }, 'log purge');
    expect(r).toEqual({ purged: [{ reference: 'FOI 1', fields: ['requester name', 'e-mail', 'postal address'] }], kept: [{ reference: 'FOI 2', reason: 'ICO complaint open' }] });
    expect(l.get('FOI 1').request).toMatchObject({ requesterName: null, requesterEmail: null, requesterAddress: [], wording: 'about me' });
    expect(l.get('FOI 1').request.purgedAt).not.toBeNull();
    expect(l.get('FOI 3').request.requesterName).toBe('N');
  });
});

describe('the queue and the statistics', () => {
  it('sorts by the deadline that matters now, and counts in the Cabinet Office categories', () => {
    const l = log('2023-10-02');
    l.add(request('FOI 1', '2023-07-25'), 'log add');
    l.add(request('FOI 2', '2023-08-01'), 'log add');
    l.add(request('FOI 3', '2023-09-15'), 'log add');
    l.add({ ...request('EIR 4', '2023-09-01'), regime: 'eir' }, 'log add');
    l.record('FOI 1', { kind: 'close', date: '2023-08-23', outcome: 'granted', exemptions: [] }, 'log close');
    l.record('FOI 1', { kind: 'review', date: '2023-09-20', complex: false }, 'log review');
    l.record('FOI 2', { kind: 'clarify', date: '2023-08-03' }, 'log clarify');
    const q = buildQueue(l.entries());
    expect(q.map((r) => [r.reference, r.due, r.state])).toEqual([
      ['EIR 4', '2023-09-29', 'open'], ['FOI 3', '2023-10-13', 'open'], ['FOI 1', '2023-10-18', 'review'], ['FOI 2', null, 'awaiting-clarification'],
    ]);
    expect(buildQueue(l.entries(), { overdue: true }).map((r) => r.reference)).toEqual(['EIR 4']);
    const s = computeStats(l.entries('2023-10-02'), '2023-07-01', '2023-09-30', '2023-10-02');
    expect(s.foi).toMatchObject({
      received: 3,
      timeliness: { answered: 1, inTime: 1, withinExtension: 0, late: 0, percentTimely: 100 },
      open: { total: 2, onHold: 1, overdue: 0 },
      internalReviews: { received: 1, open: 1, requestedLate: 0 },
    });
    expect(s.eir).toMatchObject({ received: 1, open: { total: 1, onHold: 0, overdue: 1 } });
    // As at an earlier date, later events are left out: FOI 1 was still open on 20 August.
    const early = computeStats(l.entries('2023-08-20'), '2023-07-01', '2023-09-30', '2023-08-20');
    expect(early.foi).toMatchObject({ received: 3, timeliness: { answered: 0 }, open: { total: 3, onHold: 1 } });
  });
});

describe('outcomeOfLetter', () => {
  const q = (outcome: string, opts: { noMatch?: boolean; section?: string } = {}) =>
    ({ outcome, noMatch: !!opts.noMatch, exemption: opts.section ? { section: opts.section } : null }) as never;
  it('maps the questions to the log outcome the Cabinet Office counts', () => {
    expect(outcomeOfLetter({ questions: [q('held'), q('held')] })).toEqual({ outcome: 'granted', exemptions: [] });
    expect(outcomeOfLetter({ questions: [q('held'), q('not_held')] })).toEqual({ outcome: 'partly', exemptions: [] });
    expect(outcomeOfLetter({ questions: [q('held'), q('exempt', { section: '43(2)' })] })).toEqual({ outcome: 'partly', exemptions: ['43(2)'] });
    expect(outcomeOfLetter({ questions: [q('not_held'), q('held', { noMatch: true })] })).toEqual({ outcome: 'not-held', exemptions: [] });
    expect(outcomeOfLetter({ questions: [q('exempt', { section: '40(2)' }), q('not_held')] })).toEqual({ outcome: 'withheld', exemptions: ['40(2)'] });
    expect(outcomeOfLetter({ questions: [q('refused_cost')] })).toEqual({ outcome: 'cost', exemptions: [] });
  });
});

describe('values', () => {
  it('reads sections of the Act and regulations of the EIR as officers write them', () => {
    expect(requireSections(['s.40(2)', 'section 43 (2); S21', '40(2)'], 'foi')).toEqual(['40(2)', '43(2)', '21']);
    expect(parseSection('reg 12(5)(e)', 'eir')).toEqual({ ok: true, section: '12(5)(e)' });
    expect(parseSection('12(4)(f)', 'eir').ok).toBe(false);
    expect(parseSection('s.12', 'foi').ok).toBe(false);
    expect(() => requireSections(['45'], 'foi')).toThrow(UsageError);
    expect(['43(2)', '21', '40(2)', '31'].sort(compareSections)).toEqual(['21', '31', '40(2)', '43(2)']);
  });

  it('reads calendar quarters, outcomes and references', () => {
    expect(parseQuarter('2026-Q3')).toEqual({ from: '2026-07-01', to: '2026-09-30' });
    expect(parseQuarter('q1 2024')).toEqual({ from: '2024-01-01', to: '2024-03-31' });
    expect(parseQuarter('2023Q4')).toEqual({ from: '2023-10-01', to: '2023-12-31' });
    expect(() => parseQuarter('2026-Q5')).toThrow(UsageError);
    expect(parseOutcome('Partially withheld', true)).toBe('partly');
    expect(parseOutcome('Partially withheld')).toBeNull();
    expect(parseOutcome('s.12', true)).toBe('cost');
    expect(referenceKey('  foi   556 ')).toBe('FOI 556');
  });
});
