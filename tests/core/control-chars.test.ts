import { describe, expect, it } from 'vitest';
import { dropControls, hasControls, terminalText } from '../../src/core/control-chars.js';

const BIDI = ['\u202a', '\u202b', '\u202c', '\u202d', '\u202e', '\u2066', '\u2067', '\u2068', '\u2069'];

describe('the characters no output carries (one definition)', () => {
  it('dropControls removes C0 but tab and line feed, DEL, C1 and the bidirectional embeddings, overrides and isolates', () => {
    for (let c = 0; c <= 0x9f; c++) {
      const ch = String.fromCharCode(c);
      const kept = c === 9 || c === 10 || (c >= 0x20 && c < 0x7f);
      expect(dropControls(`a${ch}b`), `U+${c.toString(16)}`).toBe(kept ? `a${ch}b` : c === 13 ? 'a\nb' : 'ab');
    }
    for (const ch of BIDI) expect(dropControls(`Trust ${ch}gnissecorp`)).toBe('Trust gnissecorp');
    // The marks only give neutral characters a direction: right-to-left names need them.
    expect(dropControls('\u200e\u200f\u061c\u200b\u200d')).toBe('\u200e\u200f\u061c\u200b\u200d');
    expect(dropControls('a\r\nb\rc\nd')).toBe('a\nb\nc\nd');
    expect(hasControls('plain £5 “quoted” 東京')).toBe(false);
    expect(hasControls('x\u202ey')).toBe(true);
  });

  it('terminalText shows controls as symbols, drops bidi controls, and keeps the text on one line', () => {
    expect(terminalText('\u001b[31mred\u0007')).toBe('\u241b[31mred\u2407');
    expect(terminalText('a\u007fb\u009bc')).toBe('a\u2421b\ufffdc');
    expect(terminalText('Evil \u202egnissecorp\u202c Ltd \u2067x\u2069')).toBe('Evil gnissecorp Ltd x');
    expect(terminalText('two\r\n  lines\tand a tab')).toBe('two lines and a tab');
    expect(terminalText('ٱلرَّحْمَٰن \u200f')).toBe('ٱلرَّحْمَٰن \u200f');
  });
});
