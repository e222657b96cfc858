import stringWidth from 'string-width';
import { describe, expect, it } from 'vitest';
import { displayWidth, padToWidth, truncateToWidth } from '../../src/output/display-width.js';
import { renderListing } from '../../src/output/listing.js';

describe('displayWidth: terminal columns', () => {
  it('wide and fullwidth characters and emoji take two columns; combining marks and zero-width characters none', () => {
    expect(displayWidth('Plain £1,000 – “ok”…')).toBe(20);
    expect(displayWidth('東京')).toBe(4);
    expect(displayWidth('ＡＢ')).toBe(4); // fullwidth Latin
    expect(displayWidth('한국어')).toBe(6);
    expect(displayWidth('🎉')).toBe(2);
    expect(displayWidth('👩‍👩‍👧')).toBe(2); // one emoji of three joined
    expect(displayWidth('🇬🇧')).toBe(2);
    expect(displayWidth('Zoe\u0301')).toBe(3); // e + combining acute
    expect(displayWidth('a\u200bb\u200dc\ufeff')).toBe(3);
  });

  it('the fast path for plain text agrees with string-width for every character it takes', () => {
    const ranges: [number, number][] = [[0x20, 0x7e], [0xa0, 0xac], [0xae, 0xff], [0x2010, 0x2027], [0x20ac, 0x20ac], [0x2192, 0x2192]];
    for (const [from, to] of ranges) {
      for (let c = from; c <= to; c++) expect(displayWidth(String.fromCharCode(c)), `U+${c.toString(16)}`).toBe(stringWidth(String.fromCharCode(c)));
    }
  });

  it('truncates between grapheme clusters, by width, with an ellipsis', () => {
    expect(truncateToWidth('東京都の支援', 7)).toBe('東京都…');
    expect(displayWidth(truncateToWidth('東京都の支援', 7))).toBe(7);
    expect(truncateToWidth('東京都の支援', 6)).toBe('東京…'); // a wide character never half-shown
    expect(truncateToWidth('ab👩‍👩‍👧cd', 4)).toBe('ab…'); // never inside the joined emoji
    expect(truncateToWidth('ab👩‍👩‍👧cd', 5)).toBe('ab👩‍👩‍👧…');
    expect(truncateToWidth('Zoe\u0301 Trust', 4)).toBe('Zoe\u0301…'); // the accent stays with its e
    expect(truncateToWidth('fits', 4)).toBe('fits');
    expect(truncateToWidth('2023/letters/東京.yaml', 8, 'end')).toBe('…京.yaml');
  });

  it('pads by width', () => {
    expect(padToWidth('東京', 6)).toBe('東京  ');
    expect(padToWidth('£5', 5, 'right')).toBe('   £5');
  });
});

describe('terminal tables line up by display width', () => {
  it('columns after CJK, emoji and combining text start in the same column on every line', () => {
    const rows = [
      { name: '東京の被害者支援サービス', who: '日本語の団体', amount: '£1,500' },
      { name: 'Café support 🎉 for victims', who: 'Zoe\u0301 Trust', amount: '£250,000' },
      { name: 'Plain', who: 'Evil \u202egnissecorp\u202c Ltd', amount: '£75' },
    ];
    const out = renderListing({
      columns: [
        { header: 'Grant', value: (r) => r.name },
        { header: 'Recipient', value: (r) => r.who },
        { header: 'Amount', align: 'right', value: (r) => r.amount },
      ],
      rows,
      json: null,
    }, 'table');
    const lines = out.trimEnd().split('\n');
    expect(lines[2]).toBe('東京の被害者支援サービス     日本語の団体           £1,500');
    // Each line is as wide as the rule, and "Recipient" starts at the same column on every line.
    const startOf = (line: string, text: string) => displayWidth(line.slice(0, line.indexOf(text)));
    expect(lines.map((l) => displayWidth(l))).toEqual(lines.map(() => displayWidth(lines[1])));
    expect(startOf(lines[0], 'Recipient')).toBe(29);
    expect(startOf(lines[2], '日本語')).toBe(29);
    expect(startOf(lines[3], 'Zoe')).toBe(29);
    expect(startOf(lines[4], 'Evil')).toBe(29);
    expect(out).not.toMatch(/[\u202a-\u202e\u2066-\u2069]/);
  });

  it('cuts long text at 60 columns, counting wide characters as two', () => {
    const out = renderListing({
      columns: [{ header: 'Grant', value: (r: string) => r }, { header: 'End', value: () => 'x' }],
      rows: ['東'.repeat(40), 'a'.repeat(70)],
      json: null,
    }, 'table');
    const lines = out.trimEnd().split('\n');
    expect(lines[2]).toBe('東'.repeat(29) + '…   x');
    expect(lines[3]).toBe('a'.repeat(59) + '…  x');
  });
});
