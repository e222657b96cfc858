import { describe, expect, it } from 'vitest';
import { csvCell } from '../../src/output/listing.js';
import { markdownEscape } from '../../src/core/markdown-escape.js';
import { dropControls } from '../../src/core/control-chars.js';
import { prng } from '../helpers/prng.js';

describe('csvCell neutralises what a spreadsheet would run (OWASP CSV injection)', () => {
  it('prefixes formulas and leaves plain numbers alone', () => {
    expect(csvCell('=1+1')).toBe("'=1+1");
    expect(csvCell('+44 20 7946 0000')).toBe("'+44 20 7946 0000");
    expect(csvCell("-2+3+cmd|' /C calc'!A0")).toBe("'-2+3+cmd|' /C calc'!A0");
    expect(csvCell('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvCell('\t=1')).toBe("'\t=1");
    // A carriage return is a line break, kept as a line feed (src/core/control-chars.ts): still guarded.
    expect(csvCell('\r=1')).toBe(`"'\n=1"`);
    expect(csvCell('\n=1')).toBe(`"'\n=1"`);
    expect(csvCell('-12.50')).toBe('-12.50');
    expect(csvCell('-12')).toBe('-12');
    expect(csvCell('£1,000')).toBe('"£1,000"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
  });

  it('drops the control and bidirectional override characters letters drop, keeping tabs and line breaks', () => {
    expect(csvCell('Red\u001b[31m Trust\u0007\u009b')).toBe('Red[31m Trust');
    expect(csvCell('Evil \u202egnissecorp\u202c Ltd \u2066x\u2069')).toBe('Evil gnissecorp Ltd x');
    expect(csvCell('two\r\nlines\tand a tab')).toBe('"two\nlines\tand a tab"');
    // A control character cannot hide a formula from the guard: it is dropped first.
    expect(csvCell('\u0001=HYPERLINK("http://e.x")')).toBe(`"'=HYPERLINK(""http://e.x"")"`);
    expect(csvCell('\u202e=1+1')).toBe("'=1+1");
  });

  it('its fast path for plain cells gives what the full rule gives (10,000 random cells)', () => {
    const full = (value: string) => {
      const v = dropControls(value);
      const safe = /^[=+\-@\t\r\n]/.test(v) && !/^-?\d+(\.\d+)?$/.test(v) ? `'${v}` : v;
      return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
    };
    const alphabet = ['a', 'Z', '1', '.', ' ', '=', '+', '-', '@', '"', ',', "'", '\t', '\r', '\n', '\u0001', '\u001b', '\u007f', '\u0085', '\u009b', '\u00a0', '£', '東', '\u202a', '\u202e', '\u2066', '\u2069', '\u200f', '🎉'];
    const rnd = prng(7);
    for (let i = 0; i < 10_000; i++) {
      const cell = Array.from({ length: Math.floor(rnd() * 8) }, () => alphabet[Math.floor(rnd() * alphabet.length)]).join('');
      expect(csvCell(cell), JSON.stringify(cell)).toBe(full(cell));
    }
  });
});

describe('markdownEscape keeps data literal', () => {
  it('defuses autolinks and entities', () => {
    expect(markdownEscape('https://a.org/x_y')).toBe('https\\://a.org/x\\_y');
    expect(markdownEscape('HTTP://A.ORG')).toBe('HTTP\\://A.ORG');
    expect(markdownEscape('www.a.org')).toBe('www\\.a.org');
    expect(markdownEscape('mail a.b@c.org')).toBe('mail a.b\\@c.org');
    expect(markdownEscape('Smith &amp; Jones & Co')).toBe('Smith \\&amp; Jones & Co');
    expect(markdownEscape('&#169;')).toBe('&\\#169;'); // the escaped # already breaks the entity
  });

  it('drops control characters (as the DOCX does), keeping tabs and line breaks', () => {
    expect(markdownEscape('Red\u001b[31m Trust\u0007')).toBe('Red\\[31m Trust');
    expect(markdownEscape('a\u009bb\u007fc\td\r\ne')).toBe('a' + 'b' + 'c\td\ne');
    expect(markdownEscape('\u001b]8;;https://evil.example\u001b\\link')).not.toMatch(/[\u0000-\u001f]/);
  });

  it('drops bidirectional embeddings, overrides and isolates, keeping the marks', () => {
    expect(markdownEscape('Evil \u202egnissecorp\u202c Ltd')).toBe('Evil gnissecorp Ltd');
    expect(markdownEscape('\u202a\u202b\u202d\u2066\u2067\u2068\u2069x')).toBe('x');
    expect(markdownEscape('\u05e9\u05dc\u05d5\u05dd\u200f 5')).toBe('\u05e9\u05dc\u05d5\u05dd\u200f 5');
  });
});
