/**
 * The characters data never carries into what foi writes: one definition for the letters
 * (Markdown, DOCX, workbook), every CSV and the terminal.
 *
 * - C0 controls except tab and line feed (escape sequences, bell, backspace, carriage return),
 *   DEL, and the C1 controls U+0080-U+009F (U+009B starts a control sequence in many terminals).
 * - Bidirectional embeddings and overrides, U+202A-U+202E (LRE, RLE, PDF, LRO, RLO), and
 *   isolates, U+2066-U+2069 (LRI, RLI, FSI, PDI). They reorder the text after them: a provider
 *   named with a right-to-left override would show `£5,000` as `000,5£` or turn a sentence of the
 *   letter around ("Trojan Source", CVE-2021-42574). The marks U+200E and U+200F (LRM, RLM) only
 *   give neutral characters beside them a direction, reorder nothing, and are kept: right-to-left
 *   names need them.
 *
 * Letters and CSVs drop these characters (a carriage return becomes a line feed first); the
 * terminal shows C0 controls and DEL as visible symbols, C1 controls as U+FFFD and drops the
 * bidirectional controls (`terminalText`). `--format json` and the register keep data as it came.
 */

// eslint-disable-next-line no-control-regex
const CONTROLS = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]/;
const CONTROLS_ALL = new RegExp(CONTROLS.source, 'g');

/** True when `s` holds a character `dropControls` removes (a carriage return included). */
export function hasControls(s: string): boolean {
  return CONTROLS.test(s);
}

/**
 * `s` without the characters above. Line breaks are kept, as line feeds (`\r\n` and a lone `\r`
 * become `\n`); tabs are kept.
 */
export function dropControls(s: string): string {
  return CONTROLS.test(s) ? s.replace(/\r\n?/g, '\n').replace(CONTROLS_ALL, '') : s;
}

/** How the terminal shows each character above: never as itself. */
function shownInTerminal(c: string): string {
  const code = c.charCodeAt(0);
  if (code < 0x20) return String.fromCharCode(0x2400 + code); // ␛ ␇ ␈ …: Unicode's control pictures
  if (code === 0x7f) return '\u2421'; // ␡
  if (code <= 0x9f) return '\ufffd';
  return ''; // a bidirectional control: nothing to see, and it must not reorder the line
}

/**
 * Text on one terminal line: line breaks and tabs become spaces; the characters above are shown
 * as visible symbols or dropped, so data can never recolour the screen, move the cursor, make a
 * link (OSC 8) or reverse the columns of a table.
 */
export function terminalText(s: string): string {
  const flat = s.replace(/\s*[\r\n]+\s*|\t/g, ' ');
  return CONTROLS.test(flat) ? flat.replace(CONTROLS_ALL, shownInTerminal) : flat;
}
