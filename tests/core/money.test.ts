import { describe, expect, it } from 'vitest';
import { formatMoney, formatNumber, groupThousands, parseMoney, penceToDecimal } from '../../src/core/money.js';

describe('parseMoney', () => {
  it.each([
    ['£1,234.50', 123450, true],
    ['1,234.5', 123450, true],
    ['1234', 123400, false],
    ['2087431.81', 208743181, false],
    ['GBP 139707', 13970700, true],
    [' £4,158,957.81 ', 415895781, true],
    ['1234.5000', 123450, true],
  ])('%s -> %d pence', (input, pence, normalised) => {
    expect(parseMoney(input)).toEqual({ ok: true, pence, normalised });
  });

  it('takes JSON numbers without binary drift', () => {
    expect(parseMoney(0.1 + 0.2 === 0.3 ? 0 : 1234.56)).toMatchObject({ ok: true, pence: 123456 });
    expect(parseMoney(2087431.81)).toMatchObject({ ok: true, pence: 208743181 });
  });

  it.each([
    ['-5', 'a negative amount'],
    ['£5 and $3', 'mixed currencies'],
    ['$100', 'only GBP amounts are held'],
    ['12,34', 'misplaced thousands separator'],
    ['1.234', 'more than two decimal places'],
    ['ten pounds', 'is not an amount'],
    ['', 'empty amount'],
  ])('rejects %s', (input, reason) => {
    const r = parseMoney(input);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.reason).toContain(reason);
  });
});

describe('formatMoney', () => {
  it('shows pence only when there are any, as the seed letters do', () => {
    expect(formatMoney(13970700)).toBe('£139,707');
    expect(formatMoney(208743181)).toBe('£2,087,431.81');
    expect(formatMoney(5)).toBe('£0.05');
    expect(formatMoney(0)).toBe('£0');
    expect(formatMoney(-123450)).toBe('-£1,234.50');
    expect(formatMoney(100, { alwaysPence: true })).toBe('£1.00');
  });

  it('plain decimals for CSV', () => {
    expect(penceToDecimal(208743181)).toBe('2087431.81');
    expect(penceToDecimal(5)).toBe('0.05');
  });
});

describe('groupThousands (by hand) agrees with Intl en-GB', () => {
  it('for 0, powers of ten either side, and 20,000 random integers', () => {
    const intl = new Intl.NumberFormat('en-GB', { maximumFractionDigits: 0, useGrouping: true });
    const xs = [0, 1, -1, Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER];
    for (let p = 1; p < 1e15; p *= 10) xs.push(p - 1, p, p + 1, -p);
    let seed = 7;
    for (let i = 0; i < 20_000; i++) {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      xs.push(Math.floor((seed / 2147483648) * 10 ** (1 + (i % 15))) * (i % 3 === 0 ? -1 : 1) || 0); // no -0
    }
    for (const x of xs) expect(groupThousands(x), String(x)).toBe(intl.format(x));
    expect(formatNumber(1234.5)).toBe((1234.5).toLocaleString('en-GB'));
  });
});
