import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { dayOfWeek } from '../../src/core/dates.js';
import {
  bankHolidayDataPath,
  coveredYears,
  DIVISIONS,
  holidaysIn,
  holidaysOn,
  type Division,
} from '../../src/deadline/bank-holidays.js';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const EW: Division = 'england-and-wales';
const SC: Division = 'scotland';
const NI: Division = 'northern-ireland';

function on(date: string): Record<string, string> {
  return Object.fromEntries(holidaysOn(date).map((h) => [h.division, h.title]));
}

/**
 * Dates (MM-DD) as published in GOV.UK's bank-holidays.json, transcribed from copies of that
 * feed kept in public repositories (2012-2016 feed of ~2015; 2012-2020 England and Wales;
 * 2019-2027 feed; 2025-2028 feed retrieved 2026). Independent of the generator's rules.
 */
const GOVUK: Record<Division, Record<number, string[]>> = {
  'england-and-wales': {
    2012: ['01-02', '04-06', '04-09', '05-07', '06-04', '06-05', '08-27', '12-25', '12-26'],
    2013: ['01-01', '03-29', '04-01', '05-06', '05-27', '08-26', '12-25', '12-26'],
    2014: ['01-01', '04-18', '04-21', '05-05', '05-26', '08-25', '12-25', '12-26'],
    2015: ['01-01', '04-03', '04-06', '05-04', '05-25', '08-31', '12-25', '12-28'],
    2016: ['01-01', '03-25', '03-28', '05-02', '05-30', '08-29', '12-26', '12-27'],
    2017: ['01-02', '04-14', '04-17', '05-01', '05-29', '08-28', '12-25', '12-26'],
    2018: ['01-01', '03-30', '04-02', '05-07', '05-28', '08-27', '12-25', '12-26'],
    2019: ['01-01', '04-19', '04-22', '05-06', '05-27', '08-26', '12-25', '12-26'],
    2020: ['01-01', '04-10', '04-13', '05-08', '05-25', '08-31', '12-25', '12-28'],
    2021: ['01-01', '04-02', '04-05', '05-03', '05-31', '08-30', '12-27', '12-28'],
    2022: ['01-03', '04-15', '04-18', '05-02', '06-02', '06-03', '08-29', '09-19', '12-26', '12-27'],
    2023: ['01-02', '04-07', '04-10', '05-01', '05-08', '05-29', '08-28', '12-25', '12-26'],
    2024: ['01-01', '03-29', '04-01', '05-06', '05-27', '08-26', '12-25', '12-26'],
    2025: ['01-01', '04-18', '04-21', '05-05', '05-26', '08-25', '12-25', '12-26'],
    2026: ['01-01', '04-03', '04-06', '05-04', '05-25', '08-31', '12-25', '12-28'],
    2027: ['01-01', '03-26', '03-29', '05-03', '05-31', '08-30', '12-27', '12-28'],
    2028: ['01-03', '04-14', '04-17', '05-01', '05-29', '08-28', '12-25', '12-26'],
  },
  scotland: {
    2012: ['01-02', '01-03', '04-06', '05-07', '06-04', '06-05', '08-06', '11-30', '12-25', '12-26'],
    2013: ['01-01', '01-02', '03-29', '05-06', '05-27', '08-05', '12-02', '12-25', '12-26'],
    2014: ['01-01', '01-02', '04-18', '05-05', '05-26', '08-04', '12-01', '12-25', '12-26'],
    2015: ['01-01', '01-02', '04-03', '05-04', '05-25', '08-03', '11-30', '12-25', '12-28'],
    2016: ['01-01', '01-04', '03-25', '05-02', '05-30', '08-01', '11-30', '12-26', '12-27'],
    2019: ['01-01', '01-02', '04-19', '05-06', '05-27', '08-05', '12-02', '12-25', '12-26'],
    2020: ['01-01', '01-02', '04-10', '05-08', '05-25', '08-03', '11-30', '12-25', '12-28'],
    2021: ['01-01', '01-04', '04-02', '05-03', '05-31', '08-02', '11-30', '12-27', '12-28'],
    2022: ['01-03', '01-04', '04-15', '05-02', '06-02', '06-03', '08-01', '09-19', '11-30', '12-26', '12-27'],
    2023: ['01-02', '01-03', '04-07', '05-01', '05-08', '05-29', '08-07', '11-30', '12-25', '12-26'],
    2024: ['01-01', '01-02', '03-29', '05-06', '05-27', '08-05', '12-02', '12-25', '12-26'],
    2025: ['01-01', '01-02', '04-18', '05-05', '05-26', '08-04', '12-01', '12-25', '12-26'],
    2026: ['01-01', '01-02', '04-03', '05-04', '05-25', '06-15', '08-03', '11-30', '12-25', '12-28'],
    2027: ['01-01', '01-04', '03-26', '05-03', '05-31', '08-02', '11-30', '12-27', '12-28'],
    2028: ['01-03', '01-04', '04-14', '05-01', '05-29', '08-07', '11-30', '12-25', '12-26'],
  },
  'northern-ireland': {
    2012: ['01-02', '03-19', '04-06', '04-09', '05-07', '06-04', '06-05', '07-12', '08-27', '12-25', '12-26'],
    2013: ['01-01', '03-18', '03-29', '04-01', '05-06', '05-27', '07-12', '08-26', '12-25', '12-26'],
    2014: ['01-01', '03-17', '04-18', '04-21', '05-05', '05-26', '07-14', '08-25', '12-25', '12-26'],
    2015: ['01-01', '03-17', '04-03', '04-06', '05-04', '05-25', '07-13', '08-31', '12-25', '12-28'],
    2019: ['01-01', '03-18', '04-19', '04-22', '05-06', '05-27', '07-12', '08-26', '12-25', '12-26'],
    2020: ['01-01', '03-17', '04-10', '04-13', '05-08', '05-25', '07-13', '08-31', '12-25', '12-28'],
    2021: ['01-01', '03-17', '04-02', '04-05', '05-03', '05-31', '07-12', '08-30', '12-27', '12-28'],
    2022: ['01-03', '03-17', '04-15', '04-18', '05-02', '06-02', '06-03', '07-12', '08-29', '09-19', '12-26', '12-27'],
    2023: ['01-02', '03-17', '04-07', '04-10', '05-01', '05-08', '05-29', '07-12', '08-28', '12-25', '12-26'],
    2024: ['01-01', '03-18', '03-29', '04-01', '05-06', '05-27', '07-12', '08-26', '12-25', '12-26'],
    2025: ['01-01', '03-17', '04-18', '04-21', '05-05', '05-26', '07-14', '08-25', '12-25', '12-26'],
    2026: ['01-01', '03-17', '04-03', '04-06', '05-04', '05-25', '07-13', '08-31', '12-25', '12-28'],
    2027: ['01-01', '03-17', '03-26', '03-29', '05-03', '05-31', '07-12', '08-30', '12-27', '12-28'],
    2028: ['01-03', '03-17', '04-14', '04-17', '05-01', '05-29', '07-12', '08-28', '12-25', '12-26'],
  },
};

/** Easter Sunday 2010-2035 (published tables), to check the algorithm's output. */
const EASTER_SUNDAY: Record<number, string> = {
  2010: '04-04', 2011: '04-24', 2012: '04-08', 2013: '03-31', 2014: '04-20', 2015: '04-05',
  2016: '03-27', 2017: '04-16', 2018: '04-01', 2019: '04-21', 2020: '04-12', 2021: '04-04',
  2022: '04-17', 2023: '04-09', 2024: '03-31', 2025: '04-20', 2026: '04-05', 2027: '03-28',
  2028: '04-16', 2029: '04-01', 2030: '04-21', 2031: '04-13', 2032: '03-28', 2033: '04-17',
  2034: '04-09', 2035: '03-25',
};

describe('data/bank-holidays.json', () => {
  it('is found from the module and covers 2010-2035', () => {
    expect(bankHolidayDataPath()).toBe(join(repo, 'data', 'bank-holidays.json'));
    expect(coveredYears()).toEqual({ first: 2010, last: 2035 });
  });

  it('says where it comes from', () => {
    const json = JSON.parse(readFileSync(join(repo, 'data', 'bank-holidays.json'), 'utf8'));
    expect(json.source).toMatch(/Banking and Financial Dealings Act 1971/);
    expect(json.source).toMatch(/royal proclamation/);
    expect(json.generated).toMatch(/scripts\/generate-bank-holidays\.mjs/);
  });

  it('is what the generator produces from its rules (node scripts/generate-bank-holidays.mjs --check)', () => {
    const out = execFileSync(process.execPath, [join(repo, 'scripts', 'generate-bank-holidays.mjs'), '--check'], {
      encoding: 'utf8',
    });
    expect(out).toMatch(/matches the rules/);
  });

  it('has one object per line, for review', () => {
    const text = readFileSync(join(repo, 'data', 'bank-holidays.json'), 'utf8');
    const lines = text.split('\n').filter((l) => l.includes('"date"'));
    expect(lines.length).toBeGreaterThan(700);
    for (const l of lines) expect(l.trim()).toMatch(/^\{"date":"\d{4}-\d{2}-\d{2}","title":"[^"]+"(,"note":"[^"]+")?\},?$/);
  });

  it('matches GOV.UK\'s published dates, division by division, for every year transcribed', () => {
    for (const division of DIVISIONS) {
      const mine = holidaysIn(division);
      for (const [year, dates] of Object.entries(GOVUK[division])) {
        const got = mine.filter((h) => h.date.startsWith(`${year}-`)).map((h) => h.date.slice(5));
        expect({ division, year, dates: got }).toEqual({ division, year, dates });
      }
    }
  });

  it('has Good Friday two days before the published Easter Sunday, every year', () => {
    const goodFridays = holidaysIn(EW).filter((h) => h.title === 'Good Friday').map((h) => h.date);
    expect(goodFridays).toHaveLength(26);
    for (const [year, md] of Object.entries(EASTER_SUNDAY)) {
      const sunday = new Date(`${year}-${md}T00:00:00Z`);
      const friday = new Date(sunday.getTime() - 2 * 86_400_000).toISOString().slice(0, 10);
      expect(goodFridays).toContain(friday);
      expect(on(friday)).toEqual({ [EW]: 'Good Friday', [SC]: 'Good Friday', [NI]: 'Good Friday' });
    }
  });

  it('has no holiday at a weekend, and the expected count each year', () => {
    for (const division of DIVISIONS) {
      for (const h of holidaysIn(division)) expect([0, 6]).not.toContain(dayOfWeek(h.date));
      for (let y = 2010; y <= 2035; y++) {
        const n = holidaysIn(division).filter((h) => h.date.startsWith(`${y}-`)).length;
        const base = { 'england-and-wales': 8, scotland: 9, 'northern-ireland': 10 }[division];
        const extra: Record<number, number> = { 2011: 1, 2012: 1, 2022: 2, 2023: 1 };
        const scottishExtra = division === SC && y === 2026 ? 1 : 0;
        expect({ division, y, n }).toEqual({ division, y, n: base + (extra[y] ?? 0) + scottishExtra });
      }
    }
  });

  it('has the known one-off and moved days in every division', () => {
    const everywhere = (date: string, title: string) =>
      expect(on(date)).toEqual({ [EW]: title, [SC]: title, [NI]: title });
    everywhere('2011-04-29', 'Royal wedding');
    everywhere('2012-06-04', 'Spring bank holiday');
    everywhere('2012-06-05', "Queen's Diamond Jubilee");
    everywhere('2020-05-08', 'Early May bank holiday (VE Day)');
    everywhere('2022-06-02', 'Spring bank holiday');
    everywhere('2022-06-03', 'Platinum Jubilee bank holiday');
    everywhere('2022-09-19', 'Bank holiday for the State Funeral of Queen Elizabeth II');
    everywhere('2023-05-08', 'Bank holiday for the coronation of King Charles III');
    everywhere('2023-05-01', 'Early May bank holiday'); // coronation year kept early May too
    // The usual days they replaced are ordinary days.
    for (const d of ['2012-05-28', '2020-05-04', '2022-05-30']) expect(holidaysOn(d)).toEqual([]);
    // Scotland only.
    expect(on('2026-06-15')).toEqual({ [SC]: 'World Cup bank holiday' });
  });

  it('has the substitute days around Christmas and New Year', () => {
    const everywhere = (date: string, title: string) =>
      expect(on(date)).toEqual({ [EW]: title, [SC]: title, [NI]: title });
    everywhere('2021-12-27', 'Christmas Day (substitute day)');
    everywhere('2021-12-28', 'Boxing Day (substitute day)');
    everywhere('2022-12-26', 'Boxing Day');
    everywhere('2022-12-27', 'Christmas Day (substitute day)');
    everywhere('2020-12-28', 'Boxing Day (substitute day)');
    expect(holidaysOn('2021-12-25')).toHaveLength(0); // a Saturday: the holiday is the 27th
    // 1 January 2022 was a Saturday: Mon 3 everywhere, Tue 4 in Scotland.
    everywhere('2022-01-03', "New Year's Day (substitute day)");
    expect(on('2022-01-04')).toEqual({ [SC]: '2 January (substitute day)' });
    // 1 January 2011 likewise.
    everywhere('2011-01-03', "New Year's Day (substitute day)");
    expect(on('2011-01-04')).toEqual({ [SC]: '2 January (substitute day)' });
    // 1 January 2027 is a Friday: 2 January (Saturday) moves to Mon 4 in Scotland only.
    expect(on('2027-01-01')).toEqual({ [EW]: "New Year's Day", [SC]: "New Year's Day", [NI]: "New Year's Day" });
    expect(on('2027-01-04')).toEqual({ [SC]: '2 January (substitute day)' });
    // 1 January 2023 was a Sunday.
    everywhere('2023-01-02', "New Year's Day (substitute day)");
    expect(on('2023-01-03')).toEqual({ [SC]: '2 January (substitute day)' });
  });

  it('has the regional days where they belong', () => {
    expect(on('2023-08-07')).toEqual({ [SC]: 'Summer bank holiday' });
    expect(on('2023-08-28')).toEqual({ [EW]: 'Summer bank holiday', [NI]: 'Summer bank holiday' });
    expect(on('2025-04-21')).toEqual({ [EW]: 'Easter Monday', [NI]: 'Easter Monday' });
    expect(on('2025-12-01')).toEqual({ [SC]: "St Andrew's Day (substitute day)" });
    expect(holidaysOn('2025-11-30')).toEqual([]);
    expect(on('2024-12-02')).toEqual({ [SC]: "St Andrew's Day (substitute day)" });
    expect(on('2023-11-30')).toEqual({ [SC]: "St Andrew's Day" });
    expect(on('2026-01-02')).toEqual({ [SC]: '2 January' });
    expect(on('2025-03-17')).toEqual({ [NI]: "St Patrick's Day" });
    expect(on('2024-03-18')).toEqual({ [NI]: "St Patrick's Day (substitute day)" });
    expect(on('2025-07-14')).toEqual({ [NI]: "Battle of the Boyne (Orangemen's Day) (substitute day)" });
    expect(on('2024-07-12')).toEqual({ [NI]: "Battle of the Boyne (Orangemen's Day)" });
  });

  it('refuses dates outside the covered years', () => {
    expect(() => holidaysOn('2040-01-02')).toThrow('Bank holiday data covers 2010–2035; 2040-01-02 is outside it');
    expect(() => holidaysOn('2009-12-31')).toThrow('Bank holiday data covers 2010–2035; 2009-12-31 is outside it');
    expect(holidaysOn('2010-01-01')).toHaveLength(3);
    expect(holidaysOn('2035-12-25')).toHaveLength(3);
  });

  it('returns copies, so callers cannot change the loaded data', () => {
    holidaysOn('2025-12-25')[0].title = 'changed';
    expect(holidaysOn('2025-12-25')[0].title).toBe('Christmas Day');
  });
});
