#!/usr/bin/env node
// Generates data/bank-holidays.json: UK bank holidays for England and Wales, Scotland and
// Northern Ireland, computed from the rules below plus the one-off days in ONE_OFFS / MOVED.
// Plain Node, no dependencies, no network. Dates are handled as UTC calendar dates only.
//
//   node scripts/generate-bank-holidays.mjs          write data/bank-holidays.json
//   node scripts/generate-bank-holidays.mjs --check  exit 1 if the file differs from the rules
//   node scripts/generate-bank-holidays.mjs --stdout print instead of writing
//
// To add a newly proclaimed one-off (or a moved holiday), add it to ONE_OFFS / MOVED, widen
// FIRST_YEAR / LAST_YEAR if needed, regenerate, and review the diff of the JSON.

import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const FIRST_YEAR = 2010;
export const LAST_YEAR = 2035;

const EW = 'england-and-wales';
const SC = 'scotland';
const NI = 'northern-ireland';
export const DIVISIONS = [EW, SC, NI];
const ALL = DIVISIONS;

// ---------------------------------------------------------------- date helpers (UTC only)

const iso = (y, m, d) => {
  const t = new Date(Date.UTC(y, m - 1, d));
  return `${t.getUTCFullYear()}-${String(t.getUTCMonth() + 1).padStart(2, '0')}-${String(t.getUTCDate()).padStart(2, '0')}`;
};
/** 0 = Sunday .. 6 = Saturday */
const dow = (y, m, d) => new Date(Date.UTC(y, m - 1, d)).getUTCDay();
const isWeekend = (y, m, d) => dow(y, m, d) === 0 || dow(y, m, d) === 6;

/** Day of month of the first Monday of month m. */
const firstMonday = (y, m) => 1 + ((8 - dow(y, m, 1)) % 7);
/** Day of month of the last Monday of month m. */
const lastMonday = (y, m) => {
  const last = new Date(Date.UTC(y, m, 0)).getUTCDate();
  return last - ((dow(y, m, last) + 6) % 7);
};
/** A fixed-date holiday that moves to the following Monday when it falls at a weekend. */
const nextMondayIfWeekend = (y, m, d) => {
  const w = dow(y, m, d);
  return w === 6 ? [d + 2, true] : w === 0 ? [d + 1, true] : [d, false];
};

/** Easter Sunday, anonymous Gregorian algorithm (Meeus/Jones/Butcher). Returns [month, day]. */
export function easterSunday(y) {
  const a = y % 19;
  const b = Math.floor(y / 100);
  const c = y % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return [month, day];
}

// ---------------------------------------------------------------- one-offs and moves

/** Holidays moved from their usual day by royal proclamation: key `year:rule`. */
const MOVED = {
  '2020:early-may': {
    date: '2020-05-08',
    title: 'Early May bank holiday (VE Day)',
    note: 'moved from Monday 4 May 2020 to Friday 8 May by royal proclamation for the 75th anniversary of VE Day',
  },
  '2012:spring': {
    date: '2012-06-04',
    title: 'Spring bank holiday',
    note: 'moved from Monday 28 May 2012 by royal proclamation for the Diamond Jubilee',
  },
  '2022:spring': {
    date: '2022-06-02',
    title: 'Spring bank holiday',
    note: 'moved from Monday 30 May 2022 to Thursday 2 June by royal proclamation for the Platinum Jubilee',
  },
};

/** Extra bank holidays appointed by royal proclamation. */
const ONE_OFFS = [
  { date: '2011-04-29', divisions: ALL, title: 'Royal wedding', note: 'wedding of Prince William and Catherine Middleton; royal proclamation' },
  { date: '2012-06-05', divisions: ALL, title: "Queen's Diamond Jubilee", note: 'extra bank holiday by royal proclamation' },
  { date: '2022-06-03', divisions: ALL, title: 'Platinum Jubilee bank holiday', note: 'extra bank holiday by royal proclamation' },
  { date: '2022-09-19', divisions: ALL, title: 'Bank holiday for the State Funeral of Queen Elizabeth II', note: 'extra bank holiday by royal proclamation' },
  { date: '2023-05-08', divisions: ALL, title: 'Bank holiday for the coronation of King Charles III', note: 'extra bank holiday by royal proclamation' },
  { date: '2026-06-15', divisions: [SC], title: 'World Cup bank holiday', note: "Scotland only; appointed by royal proclamation under s.1(3) of the 1971 Act (announced 4 February 2026): the Monday after Scotland's first FIFA World Cup match since 1998" },
];

// ---------------------------------------------------------------- rules

const SUB = ' (substitute day)';

function yearHolidays(y) {
  /** @type {{date: string, divisions: string[], title: string, note?: string}[]} */
  const out = [];
  const add = (divisions, m, d, title, note) => out.push({ date: iso(y, m, d), divisions, title, ...(note ? { note } : {}) });
  const addIso = (divisions, date, title, note) => out.push({ date, divisions, title, ...(note ? { note } : {}) });

  // New Year's Day. England and Wales, Northern Ireland: Monday substitute at a weekend.
  {
    const w = dow(y, 1, 1);
    if (w === 6) add([EW, NI], 1, 3, "New Year's Day" + SUB);
    else if (w === 0) add([EW, NI], 1, 2, "New Year's Day" + SUB);
    else add([EW, NI], 1, 1, "New Year's Day");
  }
  // Scotland: New Year's Day and 2 January, both kept as weekdays (GOV.UK labelling since 2022).
  {
    const w = dow(y, 1, 1);
    if (w === 5) { // Fri 1, Sat 2 -> Mon 4
      add([SC], 1, 1, "New Year's Day");
      add([SC], 1, 4, '2 January' + SUB);
    } else if (w === 6) { // Sat 1, Sun 2 -> Mon 3, Tue 4
      add([SC], 1, 3, "New Year's Day" + SUB);
      add([SC], 1, 4, '2 January' + SUB);
    } else if (w === 0) { // Sun 1, Mon 2 -> Mon 2, Tue 3
      add([SC], 1, 2, "New Year's Day" + SUB);
      add([SC], 1, 3, '2 January' + SUB);
    } else {
      add([SC], 1, 1, "New Year's Day");
      add([SC], 1, 2, '2 January');
    }
  }
  // St Patrick's Day (Northern Ireland).
  {
    const [d, sub] = nextMondayIfWeekend(y, 3, 17);
    add([NI], 3, d, "St Patrick's Day" + (sub ? SUB : ''));
  }
  // Good Friday (everywhere), Easter Monday (not Scotland).
  {
    const [m, d] = easterSunday(y);
    add(ALL, m, d - 2, 'Good Friday');
    add([EW, NI], m, d + 1, 'Easter Monday');
  }
  // Early May bank holiday: first Monday of May.
  {
    const moved = MOVED[`${y}:early-may`];
    if (moved) addIso(ALL, moved.date, moved.title, moved.note);
    else add(ALL, 5, firstMonday(y, 5), 'Early May bank holiday');
  }
  // Spring bank holiday: last Monday of May.
  {
    const moved = MOVED[`${y}:spring`];
    if (moved) addIso(ALL, moved.date, moved.title, moved.note);
    else add(ALL, 5, lastMonday(y, 5), 'Spring bank holiday');
  }
  // Battle of the Boyne (Northern Ireland), 12 July.
  {
    const [d, sub] = nextMondayIfWeekend(y, 7, 12);
    add([NI], 7, d, "Battle of the Boyne (Orangemen's Day)" + (sub ? SUB : ''));
  }
  // Summer bank holiday: first Monday of August in Scotland, last Monday elsewhere.
  add([SC], 8, firstMonday(y, 8), 'Summer bank holiday');
  add([EW, NI], 8, lastMonday(y, 8), 'Summer bank holiday');
  // St Andrew's Day (Scotland), 30 November; the following Monday when at a weekend.
  {
    const [d, sub] = nextMondayIfWeekend(y, 11, 30);
    add([SC], 11, d, "St Andrew's Day" + (sub ? SUB : ''));
  }
  // Christmas Day and Boxing Day, with substitutes.
  {
    const w = dow(y, 12, 25);
    if (w === 5) { // Fri 25, Sat 26 -> Mon 28
      add(ALL, 12, 25, 'Christmas Day');
      add(ALL, 12, 28, 'Boxing Day' + SUB);
    } else if (w === 6) { // Sat 25, Sun 26 -> Mon 27, Tue 28
      add(ALL, 12, 27, 'Christmas Day' + SUB);
      add(ALL, 12, 28, 'Boxing Day' + SUB);
    } else if (w === 0) { // Sun 25, Mon 26 -> Mon 26 Boxing Day, Tue 27
      add(ALL, 12, 26, 'Boxing Day');
      add(ALL, 12, 27, 'Christmas Day' + SUB);
    } else {
      add(ALL, 12, 25, 'Christmas Day');
      add(ALL, 12, 26, 'Boxing Day');
    }
  }
  for (const o of ONE_OFFS) if (o.date.startsWith(`${y}-`)) addIso(o.divisions, o.date, o.title, o.note);
  return out;
}

export function generate() {
  const byDivision = Object.fromEntries(DIVISIONS.map((d) => [d, []]));
  for (let y = FIRST_YEAR; y <= LAST_YEAR; y++) {
    for (const h of yearHolidays(y)) {
      for (const div of h.divisions) {
        byDivision[div].push({ date: h.date, title: h.title, ...(h.note ? { note: h.note } : {}) });
      }
    }
  }
  for (const div of DIVISIONS) {
    const list = byDivision[div].sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
    for (let i = 0; i < list.length; i++) {
      const [yy, mm, dd] = list[i].date.split('-').map(Number);
      if (isWeekend(yy, mm, dd)) throw new Error(`${div} ${list[i].date} (${list[i].title}) falls at a weekend`);
      if (i > 0 && list[i - 1].date === list[i].date) {
        throw new Error(`${div} ${list[i].date}: two holidays on one day (${list[i - 1].title}; ${list[i].title})`);
      }
    }
  }
  return byDivision;
}

export function render(byDivision) {
  const header = {
    source:
      'Computed, not downloaded: the Banking and Financial Dealings Act 1971, Schedule 1 (with the St Andrew\'s Day ' +
      'Bank Holiday (Scotland) Act 2007); the days appointed each year by royal proclamation under s.1(3) of that Act ' +
      '(e.g. New Year\'s Day and early May in England, Wales and Northern Ireland, 12 July in Northern Ireland, ' +
      'Boxing Day and the spring holiday in Scotland; Easter Monday is not a Scottish bank holiday); substitute days ' +
      'as GOV.UK publishes them (a holiday at a weekend moves to the next weekday that is not already a holiday); and ' +
      'the one-off or moved days proclaimed for particular years (see their note fields). Good Friday and Christmas ' +
      'Day are listed everywhere although in England, Wales and Northern Ireland they are common-law holidays.',
    generated:
      'by scripts/generate-bank-holidays.mjs; do not edit by hand. Easter by the anonymous Gregorian algorithm. ' +
      'Dates checked against copies of GOV.UK bank-holidays.json published for 2012-2028 (England and Wales every ' +
      'year; Scotland and Northern Ireland 2012-2015 and 2019-2028): see tests/deadline. Where 1 January is a Sunday, ' +
      'the Scottish labels follow GOV.UK from 2023 (New Year\'s Day substitute on 2 January, 2 January substitute on ' +
      '3 January); GOV.UK labelled 2012 the other way round, on the same dates. One-off holidays proclaimed after ' +
      'this file was generated are not in it: add them to the script and regenerate.',
    firstYear: FIRST_YEAR,
    lastYear: LAST_YEAR,
  };
  const lines = ['{'];
  for (const [k, v] of Object.entries(header)) lines.push(`  ${JSON.stringify(k)}: ${JSON.stringify(v)},`);
  lines.push('  "divisions": {');
  DIVISIONS.forEach((div, di) => {
    lines.push(`    ${JSON.stringify(div)}: [`);
    const list = byDivision[div];
    list.forEach((h, i) => lines.push(`      ${JSON.stringify(h)}${i < list.length - 1 ? ',' : ''}`));
    lines.push(`    ]${di < DIVISIONS.length - 1 ? ',' : ''}`);
  });
  lines.push('  }', '}', '');
  return lines.join('\n');
}

const isMain = process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1];
if (isMain) {
  const target = join(dirname(fileURLToPath(import.meta.url)), '..', 'data', 'bank-holidays.json');
  const text = render(generate());
  const args = process.argv.slice(2);
  if (args.includes('--stdout')) {
    process.stdout.write(text);
  } else if (args.includes('--check')) {
    let current = '';
    try { current = readFileSync(target, 'utf8'); } catch { /* missing counts as different */ }
    if (current !== text) {
      process.stderr.write(`${target} is out of date; run node scripts/generate-bank-holidays.mjs\n`);
      process.exitCode = 1;
    } else {
      process.stdout.write(`${target} matches the rules\n`);
    }
  } else {
    writeFileSync(target, text);
    process.stdout.write(`wrote ${target}\n`);
  }
}
