import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/core/errors.js';
import {
  computeDeadline,
  explainDeadline,
  isWorkingDay,
  nonWorkingReason,
  workingDaysBetween,
} from '../../src/deadline/working-days.js';

const ALL = 'bank holiday in England and Wales, Scotland, Northern Ireland';

function reasons(received: string, opts?: Parameters<typeof computeDeadline>[1]): Record<string, string> {
  return Object.fromEntries(computeDeadline(received, opts).skipped.map((s) => [s.date, s.reason]));
}

describe('computeDeadline: worked examples (FOIA s.10)', () => {
  it('received Mon 15 Dec 2025 is due Fri 16 Jan 2026 (Scotland\'s 2 January moves it from the 15th)', () => {
    const r = computeDeadline('2025-12-15');
    expect(r.due).toBe('2026-01-16');
    expect(r.workingDays).toBe(20);
    expect(r.counted[0]).toEqual({ n: 1, date: '2025-12-16' });
    expect(r.counted[19]).toEqual({ n: 20, date: '2026-01-16' });
    expect(reasons('2025-12-15')).toEqual({
      '2025-12-20': 'Saturday',
      '2025-12-21': 'Sunday',
      '2025-12-25': 'Christmas Day',
      '2025-12-26': `${ALL}: Boxing Day`,
      '2025-12-27': 'Saturday',
      '2025-12-28': 'Sunday',
      '2026-01-01': `${ALL}: New Year's Day`,
      '2026-01-02': 'bank holiday in Scotland: 2 January',
      '2026-01-03': 'Saturday',
      '2026-01-04': 'Sunday',
      '2026-01-10': 'Saturday',
      '2026-01-11': 'Sunday',
    });
    // Counting England and Wales holidays only would have given the 15th.
    expect(workingDaysBetween('2025-12-15', '2026-01-15')).toBe(19);
  });

  it('received 25 July 2023 is due 23 August 2023 (Scotland\'s summer holiday, Mon 7 Aug)', () => {
    const r = computeDeadline('2023-07-25');
    expect(r.due).toBe('2023-08-23');
    expect(reasons('2023-07-25')['2023-08-07']).toBe('bank holiday in Scotland: Summer bank holiday');
  });

  it('received 24 January 2019 is due 21 February 2019 (weekends only)', () => {
    const r = computeDeadline('2019-01-24');
    expect(r.due).toBe('2019-02-21');
    expect(r.skipped.every((s) => s.reason === 'Saturday' || s.reason === 'Sunday')).toBe(true);
    expect(r.skipped).toHaveLength(8);
  });

  it('a request received on a Saturday or Sunday: day 1 is the next working day', () => {
    const sat = computeDeadline('2025-06-14');
    expect(sat.counted[0].date).toBe('2025-06-16');
    expect(sat.due).toBe('2025-07-11');
    expect(computeDeadline('2025-06-15').due).toBe('2025-07-11');
    expect(computeDeadline('2025-06-13').due).toBe('2025-07-11');
  });

  it('a request received on a bank holiday (Spring bank holiday, Mon 26 May 2025)', () => {
    const r = computeDeadline('2025-05-26');
    expect(r.counted[0].date).toBe('2025-05-27');
    expect(r.due).toBe('2025-06-23');
    expect(computeDeadline('2025-05-23').due).toBe('2025-06-23');
  });

  it('across Easter: Good Friday and Easter Monday (and early May)', () => {
    const r = computeDeadline('2025-04-17');
    expect(r.counted[0].date).toBe('2025-04-22');
    expect(r.due).toBe('2025-05-20');
    const why = reasons('2025-04-17');
    expect(why['2025-04-18']).toBe('Good Friday');
    expect(why['2025-04-21']).toBe('bank holiday in England and Wales, Northern Ireland: Easter Monday');
    expect(why['2025-05-05']).toBe(`${ALL}: Early May bank holiday`);
  });

  it('across 12 July (Northern Ireland) and then Scotland\'s first Monday in August', () => {
    const r = computeDeadline('2024-07-10');
    expect(r.due).toBe('2024-08-09');
    const why = reasons('2024-07-10');
    expect(why['2024-07-12']).toBe("bank holiday in Northern Ireland: Battle of the Boyne (Orangemen's Day)");
    expect(why['2024-08-05']).toBe('bank holiday in Scotland: Summer bank holiday');
  });

  it('12 July at a weekend: the Monday substitute stops the count', () => {
    expect(nonWorkingReason('2025-07-12')).toBe('Saturday');
    expect(nonWorkingReason('2025-07-14')).toBe(
      "bank holiday in Northern Ireland: Battle of the Boyne (Orangemen's Day) (substitute day)",
    );
    expect(isWorkingDay('2025-07-15')).toBe(true);
  });

  it('across 17 March (Northern Ireland) and Easter 2026', () => {
    const r = computeDeadline('2026-03-16');
    expect(r.counted[0].date).toBe('2026-03-18');
    expect(r.due).toBe('2026-04-16');
    const why = reasons('2026-03-16');
    expect(why['2026-03-17']).toBe("bank holiday in Northern Ireland: St Patrick's Day");
    expect(why['2026-04-03']).toBe('Good Friday');
    expect(why['2026-04-06']).toBe('bank holiday in England and Wales, Northern Ireland: Easter Monday');
    expect(nonWorkingReason('2024-03-18')).toBe("bank holiday in Northern Ireland: St Patrick's Day (substitute day)");
  });

  it('across 30 Nov 2025 (a Sunday): St Andrew\'s Day substitute, Mon 1 Dec, in Scotland', () => {
    const r = computeDeadline('2025-11-28');
    expect(r.counted[0].date).toBe('2025-12-02');
    expect(r.due).toBe('2025-12-31');
    const why = reasons('2025-11-28');
    expect(why['2025-11-30']).toBe('Sunday');
    expect(why['2025-12-01']).toBe("bank holiday in Scotland: St Andrew's Day (substitute day)");
  });

  it('across 19 September 2022 (State Funeral)', () => {
    const r = computeDeadline('2022-09-16');
    expect(r.counted[0].date).toBe('2022-09-20');
    expect(r.due).toBe('2022-10-17');
    expect(reasons('2022-09-16')['2022-09-19']).toBe(`${ALL}: Bank holiday for the State Funeral of Queen Elizabeth II`);
  });

  it('across 15 June 2026 (Scotland, World Cup) and the 12 July 2026 substitute (Mon 13 July)', () => {
    const r = computeDeadline('2026-06-12');
    expect(r.due).toBe('2026-07-14');
    const why = reasons('2026-06-12');
    expect(why['2026-06-15']).toBe('bank holiday in Scotland: World Cup bank holiday');
    expect(why['2026-07-13']).toBe("bank holiday in Northern Ireland: Battle of the Boyne (Orangemen's Day) (substitute day)");
  });

  it('across Christmas and New Year 2021-22 with substitute days', () => {
    const r = computeDeadline('2021-12-23');
    expect(r.due).toBe('2022-01-26');
    const why = reasons('2021-12-23');
    expect(why['2021-12-25']).toBe('Saturday');
    expect(why['2021-12-27']).toBe(`${ALL}: Christmas Day (substitute day)`);
    expect(why['2021-12-28']).toBe(`${ALL}: Boxing Day (substitute day)`);
    expect(why['2022-01-03']).toBe(`${ALL}: New Year's Day (substitute day)`);
    expect(why['2022-01-04']).toBe('bank holiday in Scotland: 2 January (substitute day)');
  });

  it('Christmas 2022 (a Sunday): Boxing Day Mon 26, Christmas substitute Tue 27', () => {
    expect(nonWorkingReason('2022-12-25')).toBe('Sunday');
    expect(nonWorkingReason('2022-12-26')).toBe(`${ALL}: Boxing Day`);
    expect(nonWorkingReason('2022-12-27')).toBe(`${ALL}: Christmas Day (substitute day)`);
  });

  it('counted days run 1..N, the last is the due date, and N working days separate receipt and due', () => {
    for (const received of ['2025-12-15', '2023-07-25', '2019-01-24', '2025-06-14', '2026-03-16', '2021-12-23']) {
      const r = computeDeadline(received);
      expect(r.counted.map((c) => c.n)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
      expect(r.counted[19].date).toBe(r.due);
      expect(workingDaysBetween(received, r.due)).toBe(20);
      expect(r.counted.every((c) => isWorkingDay(c.date))).toBe(true);
      expect(r.skipped.every((s) => !isWorkingDay(s.date))).toBe(true);
    }
  });
});

describe('computeDeadline options', () => {
  it('workingDays: 40 (a public interest extension of 20 more)', () => {
    expect(computeDeadline('2025-12-15', { workingDays: 40 }).due).toBe('2026-02-13');
  });

  it('a fees-notice pause: working days from notice to payment, both included, are not counted', () => {
    const r = computeDeadline('2025-12-15', { pauses: [{ from: '2025-12-22', to: '2025-12-24' }] });
    expect(r.due).toBe('2026-01-21');
    const why = Object.fromEntries(r.skipped.map((s) => [s.date, s.reason]));
    expect(why['2025-12-22']).toBe('fees notice: paused from 22 December 2025 to 24 December 2025');
    expect(why['2025-12-24']).toBe('fees notice: paused from 22 December 2025 to 24 December 2025');
    // A holiday inside the pause keeps its own reason.
    const r2 = computeDeadline('2025-12-15', { pauses: [{ from: '2025-12-24', to: '2026-01-05' }] });
    const why2 = Object.fromEntries(r2.skipped.map((s) => [s.date, s.reason]));
    expect(why2['2025-12-25']).toBe('Christmas Day');
    expect(why2['2025-12-29']).toMatch(/^fees notice/);
    // 24, 29, 30, 31 Dec and 5 Jan are the paused working days.
    expect(r2.due).toBe('2026-01-23');
  });

  it('rejects bad input', () => {
    expect(() => computeDeadline('15/12/2025')).toThrow(UsageError);
    expect(() => computeDeadline('2025-02-30')).toThrow(/not a date/);
    expect(() => computeDeadline('2025-12-15', { workingDays: 0 })).toThrow(/at least 1/);
    expect(() => computeDeadline('2025-12-15', { workingDays: 2.5 })).toThrow(/whole number/);
    expect(() => computeDeadline('2025-12-15', { pauses: [{ from: '2026-01-05', to: '2026-01-02' }] })).toThrow(/before it starts/);
  });

  it('outside the covered years is an error, not a guess', () => {
    expect(() => computeDeadline('2040-01-02')).toThrow('Bank holiday data covers 2010–2035; 2040-01-02 is outside it');
    expect(() => computeDeadline('2035-12-20')).toThrow('Bank holiday data covers 2010–2035; 2036-01-01 is outside it');
    expect(() => isWorkingDay('2009-12-31')).toThrow(/2009-12-31 is outside it/);
    expect(() => workingDaysBetween('2035-12-01', '2036-01-10')).toThrow(/outside/);
  });
});

describe('workingDaysBetween', () => {
  it('counts working days after `from` up to and including `to`', () => {
    expect(workingDaysBetween('2025-12-15', '2025-12-15')).toBe(0);
    expect(workingDaysBetween('2025-12-15', '2025-12-16')).toBe(1);
    expect(workingDaysBetween('2025-12-19', '2025-12-22')).toBe(1); // Fri -> Mon
    expect(workingDaysBetween('2025-12-24', '2025-12-29')).toBe(1); // over Christmas
    expect(workingDaysBetween('2025-12-15', '2026-01-16')).toBe(20);
  });

  it('is negative when `to` is before `from`', () => {
    expect(workingDaysBetween('2026-01-16', '2025-12-15')).toBe(-20);
  });
});

describe('explainDeadline', () => {
  it('lists day 0, each counted and skipped day in order, and the due date', () => {
    const r = computeDeadline('2025-12-15');
    const lines = explainDeadline(r);
    expect(lines[0]).toBe('received: Monday 15 December 2025 (day 0)');
    expect(lines[1]).toBe('day 1: Tuesday 16 December 2025');
    expect(lines).toContain('not counted: Saturday 20 December 2025 (weekend)');
    expect(lines).toContain('not counted: Thursday 25 December 2025 (Christmas Day)');
    expect(lines).toContain('not counted: Friday 2 January 2026 (bank holiday in Scotland: 2 January)');
    expect(lines).toContain('day 20: Friday 16 January 2026');
    expect(lines.at(-1)).toBe('due: Friday 16 January 2026, the 20th working day after receipt on 15 December 2025');
    expect(lines).toHaveLength(1 + r.counted.length + r.skipped.length + 1);
    const idx = (s: string) => lines.findIndex((l) => l.includes(s));
    expect(idx('Friday 2 January 2026')).toBeGreaterThan(idx('day 10:'));
    expect(idx('Friday 2 January 2026')).toBeLessThan(idx('day 11:'));
  });

  it('says when the day of receipt is not a working day', () => {
    expect(explainDeadline(computeDeadline('2025-06-14'))[0]).toBe(
      'received: Saturday 14 June 2025 (day 0; not a working day: weekend)',
    );
    expect(explainDeadline(computeDeadline('2025-05-26'))[0]).toBe(
      `received: Monday 26 May 2025 (day 0; not a working day: ${ALL}: Spring bank holiday)`,
    );
  });

  it('uses the right ordinal for other lengths', () => {
    expect(explainDeadline(computeDeadline('2025-12-15', { workingDays: 1 })).at(-1)).toMatch(/the 1st working day/);
    expect(explainDeadline(computeDeadline('2025-12-15', { workingDays: 22 })).at(-1)).toMatch(/the 22nd working day/);
    expect(explainDeadline(computeDeadline('2025-12-15', { workingDays: 11 })).at(-1)).toMatch(/the 11th working day/);
  });
});
