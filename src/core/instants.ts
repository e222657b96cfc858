/**
 * Instants: the register's history is stamped in UTC (ISO 8601 with milliseconds); officers give
 * and read times in London. `--as-at 2023-08-23` means the end of that day in London.
 */
import { UsageError } from './errors.js';
import { parseDate, todayInLondon } from './dates.js';

let london: Intl.DateTimeFormat | null = null;

/** London wall-clock parts of an instant. */
function londonWall(t: number): { y: number; m: number; d: number; h: number; min: number; s: number } {
  london ??= new Intl.DateTimeFormat('en-GB', {
    timeZone: 'Europe/London', hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
  });
  const p = Object.fromEntries(london.formatToParts(new Date(t)).map((x) => [x.type, x.value]));
  return { y: +p.year, m: +p.month, d: +p.day, h: +p.hour, min: +p.minute, s: +p.second };
}

/** The last millisecond of a London calendar day, as a UTC ISO instant. */
export function endOfLondonDay(isoDate: string): string {
  const [y, m, d] = isoDate.split('-').map(Number);
  const naive = Date.UTC(y, m - 1, d, 23, 59, 59, 999);
  // London is UTC or UTC+1: take the offset at that moment and move back by it.
  const w = londonWall(naive);
  const offset = Date.UTC(w.y, w.m - 1, w.d, w.h, w.min, w.s, 999) - naive;
  return new Date(naive - offset).toISOString();
}

/**
 * `--as-at`: a date (`2023-08-23`, `23/08/2023`: the end of that day in London) or an instant
 * with its zone (`2026-11-25T15:04:05Z`, `…+01:00`). Returns a UTC ISO instant.
 */
export function parseAsAt(text: string, now = Date.now()): string {
  const t = text.trim();
  // The history is stamped by the real clock (not FOI_TODAY): a later date has no register yet,
  // and reading it as "now" would hide a mistyped year.
  const future = () => new UsageError(`--as-at "${text}" is in the future; the register's history runs to now (${formatLondonTime(new Date(now).toISOString())})`);
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:?\d{2})$/i.test(t)) {
    const ms = Date.parse(t);
    if (!Number.isNaN(ms)) {
      if (ms > now) throw future();
      return new Date(ms).toISOString();
    }
  }
  const d = parseDate(t);
  if (d.ok) {
    if (d.date > todayInLondon(new Date(now))) throw future();
    return endOfLondonDay(d.date);
  }
  throw new UsageError(`--as-at "${text}": expected a date (2023-08-23, meaning the end of that day in London) or a time with its zone (2026-11-25T15:04:05Z)`);
}

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

/** `25 November 2026 at 15:04` (London). */
export function formatLondonTime(iso: string): string {
  const w = londonWall(Date.parse(iso));
  return `${w.d} ${MONTHS[w.m - 1]} ${w.y} at ${String(w.h).padStart(2, '0')}:${String(w.min).padStart(2, '0')}`;
}
