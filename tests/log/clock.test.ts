/**
 * The request log's clock (src/log/clock.ts), rule by rule, against the s.10(6) calendar of
 * src/deadline/working-days.ts.
 */
import { describe, expect, it } from 'vitest';
import { computeClock, type ClockEvent, type ClockInput } from '../../src/log/clock.js';
import { explainClock } from '../../src/log/explain.js';
import { computeDeadline, workingDaysBetween } from '../../src/deadline/working-days.js';

function clock(received: string, events: ClockEvent[] = [], today = '2030-01-01', regime: ClockInput['regime'] = 'foi') {
  return computeClock({ received, regime, events, today });
}

const trace = (c: ReturnType<typeof clock>, kind: string) => c.trace.filter((t) => t.kind === kind).map((t) => t.date);

describe('the 20 working days (s.10(1), s.10(6))', () => {
  it('FOI 556, received Tuesday 25 July 2023, is due Wednesday 23 August 2023 and answered that day is in time', () => {
    const c = clock('2023-07-25', [{ kind: 'close', date: '2023-08-23', outcome: 'granted', exemptions: [] }]);
    expect(c.baseDue).toBe('2023-08-23');
    expect(c.due).toBe('2023-08-23');
    expect(c.state).toBe('closed');
    expect(c.closed).toEqual({ on: '2023-08-23', outcome: 'granted', exemptions: [], timeliness: 'in-time', workingDaysLate: 0 });
    // Scotland's summer bank holiday (Monday 7 August 2023) is not counted, though MOPAC is in London.
    expect(c.trace.find((t) => t.date === '2023-08-07')).toMatchObject({ kind: 'not-working', detail: 'bank holiday in Scotland: Summer bank holiday' });
    expect(c.trace.filter((t) => t.kind === 'counted')).toHaveLength(20);
  });

  it('agrees with foi deadline for the worked example (received 15 December 2025, due 16 January 2026)', () => {
    expect(clock('2025-12-15').due).toBe('2026-01-16');
    expect(computeDeadline('2025-12-15').due).toBe('2026-01-16');
  });

  it('a request received on a Saturday has the first working day after it as day 1', () => {
    const c = clock('2023-07-29');
    expect(c.trace[0]).toMatchObject({ date: '2023-07-29', kind: 'received', detail: 'day 0; not a working day: weekend' });
    expect(c.trace.find((t) => t.day === 1)?.date).toBe('2023-07-31');
  });

  it('one day late is late by one working day', () => {
    const c = clock('2023-07-25', [{ kind: 'close', date: '2023-08-24', outcome: 'partly', exemptions: ['40(2)'] }]);
    expect(c.closed).toMatchObject({ timeliness: 'late', workingDaysLate: 1 });
    expect(c.trace.find((t) => t.date === '2023-08-24')).toMatchObject({ kind: 'late', label: 'late', detail: 'working day 1 after the due date' });
  });

  it('open requests: working days left, due soon within 5, overdue (negative) after the due date', () => {
    expect(clock('2023-07-25', [], '2023-08-10')).toMatchObject({ state: 'open', daysLeft: 9, flag: null });
    expect(clock('2023-07-25', [], '2023-08-16')).toMatchObject({ daysLeft: 5, flag: 'due-soon' });
    expect(clock('2023-07-25', [], '2023-08-23')).toMatchObject({ daysLeft: 0, flag: 'due-soon' });
    expect(clock('2023-07-25', [], '2023-08-25')).toMatchObject({ daysLeft: -2, flag: 'overdue' });
  });

  it('withdrawn and lapsed requests count in no timeliness figure', () => {
    const c = clock('2023-07-25', [{ kind: 'close', date: '2023-09-30', outcome: 'withdrawn', exemptions: [] }]);
    expect(c.closed?.timeliness).toBe('not-counted');
  });
});

describe('clarification (s.1(3)): a restart, not a pause', () => {
  const asked: ClockEvent = { kind: 'clarify', date: '2023-07-05' };

  it('stops the clock while the body waits: no due date, on hold since the day it asked', () => {
    const c = clock('2023-07-03', [asked], '2023-07-20');
    expect(c).toMatchObject({ state: 'awaiting-clarification', onHoldSince: '2023-07-05', due: null, daysLeft: null, flag: null });
    expect(c.pending.clarificationAskedOn).toBe('2023-07-05');
    expect(trace(c, 'awaiting-clarification')).toContain('2023-07-20');
  });

  it('received on 12 July 2023, a bank holiday in Northern Ireland only: that is day 0 and the 20 days run from 13 July', () => {
    const c = clock('2023-07-03', [asked, { kind: 'clarified', date: '2023-07-12' }], '2023-07-20');
    expect(c.start).toBe('2023-07-12');
    expect(c.restartedOn).toBe('2023-07-12');
    expect(c.due).toBe('2023-08-10');
    expect(c.due).toBe(computeDeadline('2023-07-12').due);
    const restart = c.trace.find((t) => t.kind === 'restart')!;
    expect(restart.date).toBe('2023-07-12');
    expect(restart.detail).toContain('not a working day: bank holiday in Northern Ireland: Battle of the Boyne');
    expect(c.trace.find((t) => t.day === 1 && t.date > '2023-07-12')?.date).toBe('2023-07-13');
    // The day counted before the clarification was asked (4 July) no longer counts.
    expect(c.trace.filter((t) => t.kind === 'counted' && t.date > '2023-07-12')).toHaveLength(20);
  });

  it('received on Monday 7 August 2023 (Scotland only): day 1 is Tuesday 8 August', () => {
    const c = clock('2023-07-25', [{ kind: 'clarify', date: '2023-07-27' }, { kind: 'clarified', date: '2023-08-07' }]);
    expect(c.trace.find((t) => t.kind === 'restart')?.detail).toContain('bank holiday in Scotland');
    expect(c.trace.find((t) => t.day === 1 && t.date > '2023-08-07')?.date).toBe('2023-08-08');
    expect(c.due).toBe(computeDeadline('2023-08-07').due);
    expect(c.due).toBe('2023-09-05'); // 28 August (England, Wales and NI) is not counted either
  });

  it('an answer given while the clock is stopped is in time', () => {
    const c = clock('2023-07-03', [asked, { kind: 'close', date: '2023-09-01', outcome: 'partly', exemptions: [] }]);
    expect(c.closed).toMatchObject({ timeliness: 'in-time', workingDaysLate: 0 });
    expect(c.due).toBeNull();
  });

  it('an answer after the original due date but within the restarted count is in time', () => {
    const c = clock('2023-07-03', [asked, { kind: 'clarified', date: '2023-07-12' }, { kind: 'close', date: '2023-08-09', outcome: 'granted', exemptions: [] }]);
    expect(computeDeadline('2023-07-03').due).toBe('2023-08-01'); // 12 July (NI) is not counted
    expect(c.closed?.timeliness).toBe('in-time');
  });
});

describe('fees (s.9, s.10(2)): the days from notice to payment, both included, are disregarded', () => {
  const fee: ClockEvent[] = [{ kind: 'fee', date: '2025-12-19' }, { kind: 'paid', date: '2026-01-05' }];

  it('a fee period spanning Christmas: eight working days disregarded, due 14 January 2026', () => {
    const c = clock('2025-12-01', fee, '2026-01-10');
    expect(trace(c, 'fee')).toEqual(['2025-12-19', '2025-12-22', '2025-12-23', '2025-12-24', '2025-12-29', '2025-12-30', '2025-12-31', '2026-01-05']);
    expect(c.feeDays).toBe(8);
    expect(c.due).toBe('2026-01-14');
    // The same as foi deadline's pause rule.
    expect(computeDeadline('2025-12-01', { pauses: [{ from: '2025-12-19', to: '2026-01-05' }] }).due).toBe('2026-01-14');
    // Christmas, Boxing Day, New Year's Day and Scotland's 2 January are not working days anyway.
    expect(c.trace.find((t) => t.date === '2025-12-25')).toMatchObject({ kind: 'not-working', detail: 'Christmas Day' });
    expect(c.trace.find((t) => t.date === '2026-01-02')?.detail).toBe('bank holiday in Scotland: 2 January');
    expect(c).toMatchObject({ state: 'open', daysLeft: 3 });
  });

  it('an unpaid fee holds the clock, with the lapse rule in the warning', () => {
    const c = clock('2025-12-01', [fee[0]], '2026-01-10');
    expect(c).toMatchObject({ state: 'awaiting-fee', onHoldSince: '2025-12-19', due: null });
    expect(c.warnings.join('\n')).toContain('three months (s.9(2))');
  });

  it('a fees notice given after the due date does not stop a clock that has run out', () => {
    const c = clock('2023-07-25', [{ kind: 'fee', date: '2023-08-30' }], '2023-09-05');
    expect(c).toMatchObject({ state: 'open', due: '2023-08-23', flag: 'overdue' });
    expect(c.warnings.join('\n')).toContain('given after the due date');
  });
});

describe('public interest extension (s.10(3))', () => {
  const pit = (notice: string, until: string): ClockEvent => ({ kind: 'extend-pit', date: notice, until, exemption: '43(2)' });

  it('moves the due date to the date the officer set when the s.17 notice went out within the 20 days', () => {
    const c = clock('2023-08-01', [pit('2023-08-25', '2023-09-28')], '2023-09-01');
    expect(c.baseDue).toBe('2023-08-31');
    expect(c.due).toBe('2023-09-28');
    expect(c.extension).toMatchObject({ kind: 'pit', permitted: true, extraWorkingDays: workingDaysBetween('2023-08-31', '2023-09-28') });
    expect(c.extension!.extraWorkingDays).toBe(20);
    expect(c.warnings).toEqual([]);
    expect(c.trace.find((t) => t.date === '2023-09-28')).toMatchObject({ kind: 'extension', label: 'extension day 20' });
  });

  it('warns when the new date is more than 20 working days beyond the original due date', () => {
    const c = clock('2023-08-01', [pit('2023-08-25', '2023-10-27')], '2023-09-01');
    expect(c.due).toBe('2023-10-27');
    expect(c.warnings).toEqual(['the public interest extension is 41 working days beyond the 20th working day; the ICO expects no more than 20']);
  });

  it('a notice sent after the 20th working day is not a permitted extension: the request is late after the 20th day', () => {
    const c = clock('2023-08-01', [pit('2023-09-04', '2023-09-28'), { kind: 'close', date: '2023-09-20', outcome: 'partly', exemptions: ['43(2)'] }]);
    expect(c.extension).toMatchObject({ permitted: false });
    expect(c.due).toBe('2023-08-31');
    expect(c.closed).toMatchObject({ timeliness: 'late' });
    expect(c.warnings[0]).toContain('after the 20th working day (31 August 2023): the extension is not a permitted one');
  });

  it('answered inside the extension counts as within a permitted extension', () => {
    const c = clock('2023-08-01', [pit('2023-08-25', '2023-09-28'), { kind: 'close', date: '2023-09-27', outcome: 'partly', exemptions: ['43(2)'] }]);
    expect(c.closed?.timeliness).toBe('in-extension');
  });
});

describe('EIR (reg 5(2), reg 7(1))', () => {
  it('20 working days, extended to 40 for a complex and voluminous request when the applicant is told in time', () => {
    const plain = clock('2023-11-01', [], '2023-11-10', 'eir');
    expect(plain.due).toBe('2023-11-29');
    const c = clock('2023-11-01', [{ kind: 'extend-eir', date: '2023-11-20' }], '2023-12-20', 'eir');
    expect(c.baseDue).toBe('2023-11-29');
    expect(c.due).toBe('2024-01-03');
    expect(c.due).toBe(computeDeadline('2023-11-01', { workingDays: 40 }).due);
    expect(c.extension).toMatchObject({ kind: 'eir', permitted: true, until: '2024-01-03' });
    expect(c).toMatchObject({ state: 'open', flag: null });
    expect(c.trace.find((t) => t.day === 40)).toMatchObject({ date: '2024-01-03', kind: 'extension', detail: 'the 40th working day, reg 7(1)' });
  });

  it('told after the 20th working day: no extension', () => {
    const c = clock('2023-11-01', [{ kind: 'extend-eir', date: '2023-12-01' }], '2023-12-20', 'eir');
    expect(c.due).toBe('2023-11-29');
    expect(c.flag).toBe('overdue');
    expect(c.warnings[0]).toContain('reg 7(2) requires notice within the 20 working days');
  });

  it('a public interest extension event has no effect on an EIR request', () => {
    expect(clock('2023-11-01', [{ kind: 'extend-pit', date: '2023-11-20', until: '2023-12-20', exemption: '43(2)' }], '2023-11-21', 'eir').due).toBe('2023-11-29');
  });
});

describe('internal review', () => {
  const answered: ClockEvent = { kind: 'close', date: '2023-08-23', outcome: 'partly', exemptions: ['40(2)'] };

  it('is due 20 working days after it is received, 40 when complex', () => {
    const c = clock('2023-07-25', [answered, { kind: 'review', date: '2023-09-01', complex: false }], '2023-09-05');
    expect(c.review).toMatchObject({ received: '2023-09-01', workingDays: 20, due: computeDeadline('2023-09-01').due, afterResponse: 6, requestedLate: false, closed: null });
    expect(c.review!.due).toBe('2023-09-29');
    const complex = clock('2023-07-25', [answered, { kind: 'review', date: '2023-09-01', complex: true }], '2023-09-05');
    expect(complex.review).toMatchObject({ workingDays: 40, due: computeDeadline('2023-09-01', { workingDays: 40 }).due });
  });

  it('EIR reconsideration is due in 40 working days (reg 11(4))', () => {
    const c = clock('2023-07-25', [answered, { kind: 'review', date: '2023-09-01', complex: false }], '2023-09-05', 'eir');
    expect(c.review?.workingDays).toBe(40);
  });

  it('a review asked for more than 40 working days after the response is flagged as late', () => {
    const c = clock('2023-07-25', [answered, { kind: 'review', date: '2023-11-10', complex: false }, { kind: 'review-close', date: '2023-12-01', outcome: 'upheld' }], '2023-12-20');
    expect(c.review).toMatchObject({ afterResponse: 56, requestedLate: true, closed: { on: '2023-12-01', outcome: 'upheld', inTime: true } });
    expect(c.warnings).toContain('the internal review was asked for 56 working days after the response of 23 August 2023, more than 40: it is late, and the body may decline it');
  });

  it('an open review past its due date is overdue', () => {
    const c = clock('2023-07-25', [answered, { kind: 'review', date: '2023-09-01', complex: false }], '2023-10-03');
    expect(c.review).toMatchObject({ flag: 'overdue', daysLeft: -2 });
  });
});

describe('--explain', () => {
  it('sums up a long overdue tail after ten lines; without a trace the figures are the same', () => {
    const c = clock('2023-07-25', [], '2023-12-20');
    const late = c.trace.filter((t) => t.kind === 'late');
    expect(late).toHaveLength(11);
    expect(late[9]).toMatchObject({ label: 'overdue', detail: 'working day 10 after the due date' });
    const total = workingDaysBetween('2023-08-23', '2023-12-20');
    expect(late[10].detail).toBe(`and every working day after it to Wednesday 20 December 2023: working days 11 to ${total} after the due date`);
    expect(c.daysLeft).toBe(-total);
    const quiet = computeClock({ received: '2023-07-25', regime: 'foi', events: [], today: '2023-12-20', trace: false });
    expect(quiet.trace).toEqual([]);
    expect({ ...quiet, trace: null }).toEqual({ ...c, trace: null });
  });

  it('lists every day counted, skipped, disregarded or restarted, then the due date and the status', () => {
    const lines = explainClock(clock('2025-12-01', [{ kind: 'fee', date: '2025-12-19' }, { kind: 'paid', date: '2026-01-05' }], '2026-01-10'));
    expect(lines[0]).toBe('received: Monday 1 December 2025 (day 0; not a working day: bank holiday in Scotland: St Andrew\'s Day (substitute day))');
    expect(lines).toContain('fees notice given: Friday 19 December 2025 (working days from today until the fee is received are disregarded, s.10(2))');
    expect(lines).toContain('disregarded: Wednesday 24 December 2025 (fee period: notice given 19 December 2025, fee received 5 January 2026; s.10(2))');
    expect(lines).toContain('not counted: Thursday 25 December 2025 (Christmas Day)');
    expect(lines).toContain('-- today: Saturday 10 January 2026 --');
    expect(lines).toContain('day 20: Wednesday 14 January 2026 (the 20th working day, s.10(1))');
    expect(lines.slice(-3)).toEqual([
      '20th working day: Wednesday 14 January 2026, counted from receipt on 1 December 2025, with 8 working days disregarded for the fee',
      'due: Wednesday 14 January 2026',
      'open: 3 working days left on 10 January 2026',
    ]);
  });
});
