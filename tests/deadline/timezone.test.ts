import { afterEach, describe, expect, it } from 'vitest';
import { computeDeadline, explainDeadline, workingDaysBetween } from '../../src/deadline/working-days.js';

// Deadlines are calendar facts: the machine's time zone must not move them. Node applies a
// change to process.env.TZ at once; each case checks that it really took effect.
const CASES = ['2025-12-15', '2023-07-25', '2019-01-24', '2025-06-14', '2025-04-17', '2025-11-28', '2022-09-16', '2021-12-23'];
const DUE: Record<string, string> = {
  '2025-12-15': '2026-01-16',
  '2023-07-25': '2023-08-23',
  '2019-01-24': '2019-02-21',
  '2025-06-14': '2025-07-11',
  '2025-04-17': '2025-05-20',
  '2025-11-28': '2025-12-31',
  '2022-09-16': '2022-10-17',
  '2021-12-23': '2022-01-26',
};

function snapshot() {
  return CASES.map((d) => {
    const r = computeDeadline(d, { pauses: [{ from: '2025-12-22', to: '2025-12-23' }] });
    return { r, plain: computeDeadline(d), explain: explainDeadline(r), between: workingDaysBetween(d, '2026-01-16') };
  });
}

const original = process.env.TZ;
afterEach(() => {
  if (original === undefined) delete process.env.TZ;
  else process.env.TZ = original;
});

describe('time zone independence', () => {
  it('gives identical results under UTC, Pacific/Auckland and Pacific/Honolulu', () => {
    process.env.TZ = 'UTC';
    expect(new Date(2025, 11, 15).getTimezoneOffset()).toBe(0);
    const utc = snapshot();
    for (const s of utc) expect(s.plain.due).toBe(DUE[s.plain.received]);

    process.env.TZ = 'Pacific/Auckland';
    expect(new Date(2025, 11, 15).getTimezoneOffset()).toBe(-780); // NZDT, UTC+13
    expect(snapshot()).toEqual(utc);

    process.env.TZ = 'Pacific/Honolulu';
    expect(new Date(2025, 11, 15).getTimezoneOffset()).toBe(600); // UTC-10
    expect(snapshot()).toEqual(utc);
  });
});
