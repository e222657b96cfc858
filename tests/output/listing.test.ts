import { describe, expect, it } from 'vitest';
import { csvCell } from '../../src/output/listing.js';
import { markdownEscape } from '../../src/core/markdown-escape.js';

describe('csvCell neutralises what a spreadsheet would run (OWASP CSV injection)', () => {
  it('prefixes formulas and leaves plain numbers alone', () => {
    expect(csvCell('=1+1')).toBe("'=1+1");
    expect(csvCell('+44 20 7946 0000')).toBe("'+44 20 7946 0000");
    expect(csvCell("-2+3+cmd|' /C calc'!A0")).toBe("'-2+3+cmd|' /C calc'!A0");
    expect(csvCell('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvCell('\t=1')).toBe("'\t=1");
    expect(csvCell('\r=1')).toBe(`"'\r=1"`);
    expect(csvCell('-12.50')).toBe('-12.50');
    expect(csvCell('-12')).toBe('-12');
    expect(csvCell('£1,000')).toBe('"£1,000"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
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
});
