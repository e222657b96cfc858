import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { Flat360Csv, IdIndex, detect360Kind, grantFrom360Json, read360Batches, read360File, type Read360Options } from '../../src/import/giving360.js';
import { formatIssue, type GrantInput, type ImportItem, type Issue, type Normalisation } from '../../src/register/types.js';

const FIX = fileURLToPath(new URL('../fixtures/360giving/', import.meta.url));
const TODAY = '2025-06-30';
const dir = mkdtempSync(join(tmpdir(), 'foi-360-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Collected {
  items: ImportItem[];
  grants: GrantInput[];
  locations: string[];
  errors: Issue[];
  warnings: Issue[];
  notes: Normalisation[];
  pence: number;
}

async function collect(path: string, opts: Read360Options = {}): Promise<Collected> {
  const c: Collected = { items: [], grants: [], locations: [], errors: [], warnings: [], notes: [], pence: 0 };
  for await (const item of read360File(path, { today: TODAY, ...opts })) {
    c.items.push(item);
    if (item.kind === 'grant') {
      c.grants.push(item.grant);
      c.locations.push(item.location);
      c.pence += item.grant.amountAwardedPence ?? 0;
    } else if (item.kind === 'issue') {
      (item.issue.severity === 'error' ? c.errors : c.warnings).push(item.issue);
    } else {
      c.notes.push(item.note);
    }
  }
  return c;
}

const brief = (i: Issue) => ({ location: i.location, column: i.column, value: i.value, message: i.message });

describe('Andrew Lloyd Webber Foundation (real 360Giving JSON, CC BY 4.0)', () => {
  const path = join(FIX, 'andrew-lloyd-webber-foundation.360g.json');

  it('imports all 475 grants with no errors or warnings and the exact total', async () => {
    const c = await collect(path);
    expect(c.errors).toEqual([]);
    expect(c.warnings).toEqual([]);
    expect(c.grants).toHaveLength(475);
    expect(c.pence).toBe(2_175_779_327); // £21,757,793.27
    expect(new Set(c.grants.map((g) => g.id)).size).toBe(475);
    expect(c.locations[0]).toBe('grants[0]');
    expect(c.locations[474]).toBe('grants[474]');
  });

  it('maps the first grant field by field', async () => {
    const c = await collect(path);
    const g = c.grants[0];
    expect(g).toMatchObject({
      id: '360G-ALWF-1978',
      title: 'Grant to Royal Northern College of Music',
      description: 'Pathfinder Programme',
      currency: 'GBP',
      amountAwardedPence: 1_500_000,
      awardDate: '2020-11-03',
      plannedStart: null,
      plannedEnd: null,
      plannedDurationMonths: 36,
      programmeCode: null,
      programmeTitle: 'Music',
      fundingOrg: { id: 'GB-CHC-1015648', name: 'Andrew Lloyd Webber Foundation' },
      recipientOrg: { id: 'GB-EDU-133843', name: 'Royal Northern College of Music', locality: 'Manchester', postcode: 'M13 9RD', organisationType: 'School/Educational Establishment', published: null },
      beneficiaryLocations: [{ name: 'UK Wide', countryCode: 'GB', geoCode: 'K02000001', geoCodeType: null }],
      fromOpenCall: null,
      dateModified: '2021-02-15',
      dataSource: 'http://www.andrewlloydwebberfoundation.com/',
      sourceRef: null,
      sourceDocument: 'andrew-lloyd-webber-foundation.360g.json',
      amountAppliedForPence: 1_500_000,
      extra: {},
      // The record's own values where the columns hold a normalised form.
      asPublished: { awardDate: '2020-11-03T00:00:00+00:00', dateModified: '2021-02-15T00:00:00+00:00' },
      moreOrgs: { recipients: [], funders: [] },
    });
    for (const list of [g.allocations, g.themes, g.flags, g.figures, g.variations, g.partners]) expect(list).toEqual([]);
  });

  it('notes date-times and floating-point noise in amounts', async () => {
    const c = await collect(path);
    const byColumn = (col: string) => c.notes.filter((n) => n.column === col);
    expect(byColumn('awardDate')).toHaveLength(132);
    expect(byColumn('dateModified')).toHaveLength(351);
    expect(byColumn('awardDate')[0]).toEqual({
      file: 'andrew-lloyd-webber-foundation.360g.json', location: 'grants[0]', column: 'awardDate',
      from: '2020-11-03T00:00:00+00:00', to: '2020-11-03',
    });
    expect(byColumn('amountAwarded').map((n) => [n.from, n.to])).toEqual([
      ['41133.770000000004', '4113377 pence'],
      ['44337.130000000005', '4433713 pence'],
    ]);
    // The same noise in the amounts applied for of those two grants.
    expect(byColumn('amountAppliedFor').map((n) => [n.from, n.to])).toEqual([
      ['41133.770000000004', '4113377 pence'],
      ['44337.130000000005', '4433713 pence'],
    ]);
    const noisy = c.grants.filter((g) => g.amountAwardedPence === 4_113_377 || g.amountAwardedPence === 4_433_713);
    expect(noisy).toHaveLength(2);
    expect(noisy.map((g) => g.asPublished!.amountAwarded)).toEqual([41133.770000000004, 44337.130000000005]);
    expect(c.notes).toHaveLength(132 + 351 + 2 + 2);
  });

  it('gives identical results when read in 7-byte chunks', async () => {
    const a = await collect(path);
    const b = await collect(path, { chunkSize: 7 });
    expect(b.items).toEqual(a.items);
    for (const name of ['fixture-2-grants.json', 'hand-values.json', 'fixture-2-grants.csv', 'hand-values.csv']) {
      const whole = await collect(join(FIX, name));
      const tiny = await collect(join(FIX, name), { chunkSize: 7 });
      expect(tiny.items).toEqual(whole.items);
    }
  });

  it('read360Batches yields the same items in arrays', async () => {
    const a = await collect(path);
    const flat: ImportItem[] = [];
    for await (const batch of read360Batches(path, { today: TODAY, chunkSize: 4096 })) flat.push(...batch);
    expect(flat).toEqual(a.items);
  });
});

describe('fixture-2-grants.csv (360Giving CoVE fixture)', () => {
  const path = join(FIX, 'fixture-2-grants.csv');

  it('reports the row without a Recipient Org:Identifier as an error and imports the other row', async () => {
    const c = await collect(path);
    expect(c.errors.map(brief)).toEqual([
      {
        location: 'row 2',
        column: 'Recipient Org:Identifier',
        value: null,
        message: 'recipient organisation has no identifier; the 360Giving standard requires recipientOrganization with id and name (or a recipientIndividual)',
      },
    ]);
    expect(formatIssue(c.errors[0])).toBe(
      'fixture-2-grants.csv, row 2, column "Recipient Org:Identifier": recipient organisation has no identifier; the 360Giving standard requires recipientOrganization with id and name (or a recipientIndividual)',
    );
    expect(c.warnings.map((w) => [w.kind, w.location, w.column])).toEqual([
      ['schema', 'row 1', 'Description'],
      ['schema', 'row 2', 'Description'],
      ['schema', 'row 2', 'Award Date'],
      ['schema', 'row 2', 'Last modified'],
      ['schema', 'row 3', 'Description'],
      ['schema', 'row 3', 'Award Date'],
      ['schema', 'row 3', 'Last modified'],
    ]);
    // dd/mm/yyyy where the schema wants 2014-07-24: a schema warning that says what foi read.
    expect(c.warnings[5].message).toBe('360Giving schema: not a date (2019-01-24) or a date-time (2019-01-24T10:00:00Z); read as "2014-07-24"');
    expect(c.warnings[6].message).toBe('360Giving schema: not a date-time with a time zone (e.g. 2019-01-24T10:00:00Z); read as "2015-03-13"');
    expect(c.grants).toHaveLength(1);
    expect(c.locations).toEqual(['row 3']);
    const g = c.grants[0];
    expect(g).toMatchObject({
      id: '360G-fundingprovidersuk-000002/X/00/X',
      title: 'Title B',
      description: null,
      amountAwardedPence: 17_899_000,
      awardDate: '2014-07-24',
      plannedDurationMonths: 25,
      programmeCode: 'AAC',
      programmeTitle: 'Awards Funding Committee',
      recipientOrg: { id: 'GB-COH-RC000000', name: 'University of UK', companyNumber: 'RC000659', locality: 'Leicester' },
      fundingOrg: { id: 'GB-CHC-000000', name: 'Funding Providers UK' },
      dateModified: '2015-03-13',
      dataSource: 'http://www.fundingproviders.co.uk/grants/',
      sourceDocument: 'fixture-2-grants.csv',
    });
    expect(g.extra).toEqual({
      'Grant number': '000002/X/00/X',
      'Surname of applicant': 'Doe',
      'Full name of applicant': 'Prof John Doe',
      'Grant type': 'Large Awards',
      Department: 'Department of Studies',
    });
    // Kept as published beside the columns' dates.
    expect(g.asPublished).toEqual({ awardDate: '24/07/2014', dateModified: '13-03-2015' });
    expect(c.notes).toEqual([]);
  });
});

describe('fixture-2-grants.json (360Giving CoVE fixture)', () => {
  const path = join(FIX, 'fixture-2-grants.json');

  it('reports the missing recipient id and both duplicate ids, and warns about RUBBISH-COH-', async () => {
    const c = await collect(path);
    expect(c.errors.map(brief)).toEqual([
      {
        location: 'grants[0]',
        column: 'recipientOrganization[0].id',
        value: null,
        message: 'recipient organisation has no identifier; the 360Giving standard requires recipientOrganization with id and name (or a recipientIndividual)',
      },
      {
        location: 'grants[1]',
        column: 'id',
        value: '360G-fundingproviders-000001/X/00/X',
        message: 'duplicate grant id: the same id is already used at grants[0] in this file; each grant needs its own id',
      },
      {
        location: 'grants[3]',
        column: 'id',
        value: '360G-fundingproviders-000002/X/00/X',
        message: 'duplicate grant id: the same id is already used at grants[2] in this file; each grant needs its own id',
      },
    ]);
    const rubbish = c.warnings.filter((w) => w.column === 'recipientOrganization[0].id');
    expect(rubbish.map(brief)).toEqual([
      {
        location: 'grants[1]',
        column: 'recipientOrganization[0].id',
        value: 'RUBBISH-COH-RC000000',
        message:
          'recipient organisation identifier prefix "RUBBISH-COH" is not a recognised org-id list; expected an org-id like GB-CHC-1234567, GB-COH-01234567, GB-SC-SC012345, or 360G-<your prefix>-<id>',
      },
    ]);
    expect(c.warnings.filter((w) => w.column === 'description')).toHaveLength(4);
    expect(c.grants.map((g) => g.id)).toEqual(['360G-fundingproviders-000002/X/00/X']);
    expect(c.locations).toEqual(['grants[2]']);
    expect(c.grants[0].extra).toMatchObject({ 'Data source': 'http://www.fundingproviders.co.uk/grants/', Department: 'Department of Studies' });
    expect(c.warnings.filter((w) => w.column === 'awardDate').map((n) => [n.kind, n.value, n.message])).toEqual(Array(4).fill(
      ['schema', '24/07/2014', '360Giving schema: not a date (2019-01-24) or a date-time (2019-01-24T10:00:00Z); read as "2014-07-24"']));
    // grants[0] has "2015-03-14", a date where the schema wants a date-time: kept, and said.
    expect(c.warnings.find((w) => w.location === 'grants[0]' && w.column === 'dateModified')!.message).toBe(
      '360Giving schema: not a date-time with a time zone (e.g. 2019-01-24T10:00:00Z); kept as published');
  });
});

describe('hand-made flat CSV', () => {
  const path = join(FIX, 'hand-values.csv');

  it('reports each bad value with row, column, value and what was expected', async () => {
    const c = await collect(path);
    expect(c.errors.map(brief)).toEqual([
      {
        location: 'row 3', column: 'award date', value: '31/02/2019',
        message: 'award date: "31/02/2019" is not a real date (read as day/month/year); expected a date like 2019-01-24 or 24/01/2019',
      },
      { location: 'row 4', column: 'Amount Awarded', value: '-500', message: 'amount awarded: a negative amount; expected an amount like 1234.50' },
      {
        location: 'row 8', column: 'Identifier', value: '360G-HAND-001',
        message: 'duplicate grant id: the same id is already used at row 2 in this file; each grant needs its own id',
      },
      {
        location: 'row 11', column: 'Amount Awarded', value: '£100',
        message: "amount awarded is written in pounds but the grant's currency is USD (mixed currencies)",
      },
      {
        location: 'row 12', column: 'Funding Org:Identifier', value: null,
        message: "funding organisation has no identifier; the 360Giving standard requires the funder's id and name",
      },
      { location: 'row 13', column: 'From An Open Call?', value: 'maybe', message: 'expected Yes or No' },
    ]);
    expect(c.warnings.filter((w) => w.kind === 'quality').map(brief)).toEqual([
      {
        location: 'row 6', column: 'Amount Awarded', value: '0',
        message: 'the amount awarded is zero; check whether the grant was withdrawn or the amount is missing',
      },
      { location: 'row 6', column: 'award date', value: '2031-01-01', message: 'the award date 2031-01-01 is in the future (today is 2025-06-30)' },
      {
        location: 'row 6', column: 'Planned Dates:End Date', value: '2020-01-01',
        message: 'the planned end date 2020-01-01 is before the planned start date 2020-06-01',
      },
      {
        location: 'row 7', column: 'Recipient Org:Identifier', value: 'RUBBISH-COH-RC000000',
        message:
          'recipient organisation identifier prefix "RUBBISH-COH" is not a recognised org-id list; expected an org-id like GB-CHC-1234567, GB-COH-01234567, GB-SC-SC012345, or 360G-<your prefix>-<id>',
      },
      {
        location: 'row 10', column: 'Currency', value: 'USD',
        message: 'this file mixes currencies (GBP at row 2, USD here); amounts in different currencies must not be added together',
      },
    ]);
    expect(c.locations).toEqual(['row 2', 'row 5', 'row 6', 'row 7', 'row 9', 'row 10']);
  });

  it('reads £1,234.50, 1,234.5, $2,500.00, 24/01/2019 and Y/N with a schema warning each saying how; notes a late-night date-time', async () => {
    const c = await collect(path);
    // Values that break the 360Giving schema but foi can read: warnings that say what they were read as.
    expect(c.warnings.filter((w) => w.kind === 'schema').map((w) => [w.location, w.column, w.value, w.message])).toEqual([
      ['row 2', 'Amount Awarded', '£1,234.50', '360Giving schema: expected a number, got text "£1,234.50"; read as "123450 pence"'],
      ['row 2', 'award date', '24/01/2019', '360Giving schema: not a date (2019-01-24) or a date-time (2019-01-24T10:00:00Z); read as "2019-01-24"'],
      ['row 2', 'From An Open Call?', 'Y', '360Giving schema: expected "Yes" or "No"; read as "Yes"'],
      ['row 5', 'Amount Awarded', '1,234.5', '360Giving schema: expected a number, got text "1,234.5"; read as "123450 pence"'],
      ['row 5', 'From An Open Call?', 'N', '360Giving schema: expected "Yes" or "No"; read as "No"'],
      ['row 10', 'Amount Awarded', '$2,500.00', '360Giving schema: expected a number, got text "$2,500.00"; read as "250000 pence"'],
    ]);
    // Schema-valid values stored in a derived form: notes. 23:30 UTC on 31 March 2019 is 00:30 BST on 1 April in London.
    expect(c.notes.map((n) => [n.location, n.column, n.from, n.to])).toEqual([
      ['row 5', 'award date', '2019-03-31T23:30:00+00:00', '2019-04-01'],
    ]);
    const byId = new Map(c.grants.map((g) => [g.id, g]));
    expect(byId.get('360G-HAND-001')).toMatchObject({
      amountAwardedPence: 123_450, awardDate: '2019-01-24', fromOpenCall: 'y', plannedStart: '2019-02-01', plannedEnd: '2020-01-31',
      beneficiaryLocations: [{ name: 'Leeds' }, { name: 'Bradford' }],
      recipientOrg: { id: 'GB-CHC-1000001', name: 'Charity One' },
      extra: { 'Grant number': 'G/001' },
      // The cells as written, never rewritten.
      asPublished: { amountAwarded: '£1,234.50', awardDate: '24/01/2019', fromOpenCall: 'Y' },
    });
    expect(byId.get('360G-HAND-004')).toMatchObject({ amountAwardedPence: 123_450, awardDate: '2019-04-01', fromOpenCall: 'n' });
    expect(byId.get('360G-HAND-005')).toMatchObject({ amountAwardedPence: 0, awardDate: '2031-01-01' });
    expect(byId.get('360G-HAND-008')!.description).toBe('Line one, with a comma\nLine two with "quotes"');
    expect(byId.get('360G-HAND-009')).toMatchObject({ currency: 'USD', amountAwardedPence: 250_000, recipientOrg: { id: 'XI-GRID-grid.1234.5' } });
  });

  it('stops at an unterminated quote with an error naming the row, after yielding the rows before it', async () => {
    const c = await collect(join(FIX, 'hand-unterminated.csv'));
    expect(c.grants.map((g) => g.id)).toEqual(['360G-HAND-U1']);
    expect(c.errors.map(brief)).toEqual([
      {
        location: 'row 3', column: null, value: null,
        message: 'a quoted field (field 2) is never closed: the file ends inside quotes; check for a missing closing quote (")',
      },
    ]);
  });
});

describe('hand-made 360Giving JSON', () => {
  const path = join(FIX, 'hand-values.json');

  it('reads float noise, individuals, extra keys and period text; rejects bad amounts and types', async () => {
    const c = await collect(path);
    expect(c.errors.map(brief)).toEqual([
      {
        location: 'grants[1]', column: 'amountAwarded', value: '1234.567',
        message: 'amount awarded: "1234.567" has more than two decimal places; expected an amount like 1234.50',
      },
      {
        location: 'grants[2]', column: 'amountAwarded', value: '£1,234.50',
        message: 'amount awarded must be a JSON number (no £ sign or commas), got text "£1,234.50"',
      },
      { location: 'grants[4]', column: 'id', value: '5', message: 'expected text, got number 5' },
      {
        location: 'grants[4]', column: 'fundingOrganization[0].id', value: null,
        message: "funding organisation has no identifier; the 360Giving standard requires the funder's id and name",
      },
      {
        location: 'grants[4]', column: 'fundingOrganization[0].name', value: null,
        message: "funding organisation has no name; the 360Giving standard requires the funder's id and name",
      },
    ]);
    expect(c.warnings.map((w) => [w.location, w.column, w.value, w.message])).toEqual([
      ['grants[0]', 'currency', 'gbp', '360Giving schema: not an ISO 4217 currency code as the schema lists them (upper case, e.g. GBP); read as "GBP"'],
      ['grants[0]', 'beneficiaryLocation[0].countryCode', 'gb', '360Giving schema: not an ISO 3166-1 two-letter country code as the schema lists them (upper case, e.g. GB); read as "GB"'],
      ['grants[0]', 'fromOpenCall', 'true', '360Giving schema: expected text, got boolean true; read as "Yes"'],
      ['grants[4]', 'awardDate', '24/01/2019', '360Giving schema: not a date (2019-01-24) or a date-time (2019-01-24T10:00:00Z); read as "2019-01-24"'],
    ]);
    expect(c.grants.map((g) => g.id)).toEqual(['360G-HANDJ-001', '360G-HANDJ-004']);
    const [g1, g4] = c.grants;
    expect(g1).toMatchObject({
      currency: 'GBP',
      amountAwardedPence: 4_113_377,
      awardDate: '2019-04-01',
      plannedStart: null,
      plannedEnd: null,
      plannedPeriodText: 'from 2019-04 to 2020',
      plannedDurationMonths: 12,
      programmeCode: 'A',
      programmeTitle: 'Programme A',
      recipientOrg: { id: 'GB-CHC-1000001', name: 'Charity One é£' },
      otherOrgs: [{ id: 'GB-CHC-1000002', name: 'Partner Charity' }],
      moreOrgs: { recipients: [{ id: 'GB-CHC-1000002', name: 'Partner Charity' }], funders: [] },
      beneficiaryLocations: [{ name: 'Leeds', countryCode: 'GB', geoCode: 'E08000035', geoCodeType: 'LAD' }],
      classifications: [{ vocabulary: 'X', code: '1', title: 'Arts' }],
      fromOpenCall: 'y',
    });
    expect(g1.amountAppliedForPence).toBe(5_000_000);
    expect(g1.extra).toEqual({ 'Grant number': 'G/001' });
    // Where the columns hold a normalised form or only the first of a list: the record as published.
    expect(g1.asPublished).toMatchObject({
      currency: 'gbp',
      amountAwarded: 41133.770000000004,
      grantProgramme: [{ code: 'A', title: 'Programme A' }, { code: 'B', title: 'Programme B' }],
      fromOpenCall: true,
    });
    expect(g4).toMatchObject({ recipientOrg: null, extra: { recipientIndividual: { id: '360G-HANDJ-IND-1', name: 'Individual Recipient' } } });
    expect(c.notes.map((n) => [n.location, n.column, n.from, n.to])).toEqual([
      ['grants[0]', 'amountAwarded', '41133.770000000004', '4113377 pence'],
      ['grants[0]', 'awardDate', '2019-03-31T23:30:00+00:00', '2019-04-01'],
      ['grants[0]', 'plannedDates[0].startDate', '2019-04', 'planned period text "from 2019-04 to 2020"'],
      ['grants[0]', 'plannedDates[0].endDate', '2020', 'planned period text "from 2019-04 to 2020"'],
    ]);
  });

  it('turns a malformed package into one error issue after the grants before the problem', async () => {
    const p = join(dir, 'broken.json');
    writeFileSync(p, '{"grants": [{"id": "360G-B-1", "title": "t", "description": "d", "currency": "GBP", "amountAwarded": 1, "awardDate": "2019-01-01", "recipientOrganization": [{"id": "GB-CHC-1", "name": "r"}], "fundingOrganization": [{"id": "GB-CHC-2", "name": "f"}]}, {"id": ');
    const c = await collect(p);
    expect(c.grants.map((g) => g.id)).toEqual(['360G-B-1']);
    expect(c.errors.map(brief)).toEqual([
      { location: 'grants[1]', column: null, value: null, message: 'the JSON ends unexpectedly at byte 257 inside "grants" (while reading grants[1]); the file looks truncated' },
    ]);
  });

  it('reports a file that is not a 360Giving package', async () => {
    const p = join(dir, 'array.json');
    writeFileSync(p, '[{"id": "x"}]');
    const c = await collect(p);
    expect(c.errors.map(brief)).toEqual([
      {
        location: 'byte 0', column: null, value: null,
        message: 'the top level is not a JSON object (found \'[\' at byte 0); a 360Giving file is {"grants": [ ... ]}',
      },
    ]);
  });
});

describe('grantFrom360Json', () => {
  const good = {
    id: '360G-T-1', title: 'T', description: 'D', currency: 'GBP', amountAwarded: 1000, awardDate: '2024-05-01',
    recipientOrganization: [{ id: 'GB-CHC-1', name: 'R' }], fundingOrganization: [{ id: 'GB-LAE-ABC', name: 'F' }],
  };

  it('maps a grant and names the location grants[N]', () => {
    const r = grantFrom360Json(good, { file: '/some/where/x.json', index: 3, today: TODAY });
    expect(r.issues).toEqual([]);
    expect(r.notes).toEqual([]);
    expect(r.grant).toMatchObject({ id: '360G-T-1', amountAwardedPence: 100_000, sourceDocument: 'x.json', allocations: [] });
  });

  it('uses the injected today for the future-date warning', () => {
    const early = grantFrom360Json(good, { file: 'x.json', index: 3, today: '2024-04-30' });
    expect(early.grant).not.toBeNull();
    expect(early.issues.map(brief)).toEqual([
      { location: 'grants[3]', column: 'awardDate', value: '2024-05-01', message: 'the award date 2024-05-01 is in the future (today is 2024-04-30)' },
    ]);
    expect(grantFrom360Json(good, { file: 'x.json', index: 3, today: '2024-05-01' }).issues).toEqual([]);
  });

  it('rejects wrong types and missing required fields, with null grant', () => {
    const r = grantFrom360Json(
      { id: '360G-T-2', title: ['x'], currency: 'POUNDS', amountAwarded: -5, awardDate: 20190101, recipientOrganization: 'R', fundingOrganization: [] },
      { file: 'x.json', index: 0, today: TODAY },
    );
    expect(r.grant).toBeNull();
    expect(r.issues.filter((i) => i.severity === 'error').map((i) => [i.column, i.message])).toEqual([
      ['title', 'expected text, got a list'],
      ['currency', 'not an ISO 4217 currency code; expected a three-letter code such as GBP'],
      ['amountAwarded', 'amount awarded: a negative amount; expected an amount like 1234.50'],
      ['awardDate', 'award date: expected text holding a date, got number 20190101; expected a date like 2019-01-24 or 24/01/2019'],
      ['recipientOrganization', 'expected a list, got text "R"'],
      ['fundingOrganization', "the fundingOrganization list is empty; it needs the funder's id and name"],
    ]);
    expect(grantFrom360Json('nope', { file: 'x.json', index: 9 }).issues.map(brief)).toEqual([
      { location: 'grants[9]', column: null, value: 'nope', message: 'expected a grant object ({"id": ..., "title": ...}), got text "nope"' },
    ]);
  });
});

describe('Flat360Csv', () => {
  const header = ['identifier', ' TITLE ', 'Description', 'Currency', 'Amount Awarded', 'Award Date', 'Recipient Org:0:Identifier', 'Recipient Org:0:Name',
    'Funding Org:Identifier', 'Funding Org:Name', 'Beneficiary Location:0:Name', 'Beneficiary Location:1:Name', 'Beneficiary Location:1:Country Code',
    'Classifications:Title', 'Classifications:Code', 'Classifications:Vocabulary', 'Recipient Org:1:Identifier', 'Recipient Org:1:Name', 'Notes'];

  it('matches titles case-insensitively and trimmed, including numbered forms; keeps unknown columns in extra', () => {
    const flat = new Flat360Csv(header, { file: 'f.csv', today: TODAY });
    expect(flat.headerIssues).toEqual([]);
    expect(flat.usable).toBe(true);
    const r = flat.fromRow(
      ['360G-F-1', ' Title ', 'Desc', 'GBP', '10', '2019-01-24', 'GB-CHC-1', 'Rec', 'GB-CHC-2', 'Fun', 'Leeds', 'Wales', 'gb', 'Arts', 'A1', 'Vocab', 'GB-CHC-3', 'Partner', 'a note'],
      7,
    );
    expect(r.issues.map((i) => [i.column, i.message])).toEqual([
      ['Beneficiary Location:1:Country Code', '360Giving schema: not an ISO 3166-1 two-letter country code as the schema lists them (upper case, e.g. GB); read as "GB"'],
    ]);
    expect(r.grant).toMatchObject({
      id: '360G-F-1', title: 'Title', amountAwardedPence: 1000,
      recipientOrg: { id: 'GB-CHC-1', name: 'Rec' }, otherOrgs: [{ id: 'GB-CHC-3', name: 'Partner' }],
      beneficiaryLocations: [{ name: 'Leeds', countryCode: null }, { name: 'Wales', countryCode: 'GB' }],
      classifications: [{ title: 'Arts', code: 'A1', vocabulary: 'Vocab' }],
      extra: { Notes: 'a note' },
    });
    expect(r.notes).toEqual([]);
  });

  it('a row with the wrong number of fields is an error', () => {
    const flat = new Flat360Csv(header, { file: 'f.csv', today: TODAY });
    const r = flat.fromRow(['360G-F-1', 'T'], 4);
    expect(r.grant).toBeNull();
    expect(r.issues.map(brief)).toEqual([
      { location: 'row 4', column: null, value: null, message: 'the row has 2 fields but the header has 19 columns; check for an unquoted comma or a missing field' },
    ]);
  });

  it('a header without Identifier is an error naming the column, and the file yields nothing else', async () => {
    const flat = new Flat360Csv(['Title', 'Currency', 'Amount Awarded', 'Award Date', 'Recipient Org:Identifier', 'Recipient Org:Name', 'Funding Org:Identifier', 'Funding Org:Name', 'Description'], { file: 'f.csv' });
    expect(flat.usable).toBe(false);
    expect(flat.headerIssues.map(brief)).toEqual([
      { location: 'row 1', column: 'Identifier', value: null, message: 'required column "Identifier" is missing from the header; the 360Giving flat format needs it' },
    ]);
    const p = join(dir, 'noid.csv');
    writeFileSync(p, 'Title,Currency,Amount Awarded,Award Date,Recipient Org:Identifier,Recipient Org:Name,Funding Org:Identifier,Funding Org:Name,Description\nT,GBP,1,2019-01-01,GB-CHC-1,R,GB-CHC-2,F,D\n');
    const c = await collect(p);
    expect(c.items).toHaveLength(1);
    expect(c.errors[0].column).toBe('Identifier');
  });

  it('a duplicated column is a header error; Recipient Ind columns stand in for Recipient Org', () => {
    const dup = new Flat360Csv(['Identifier', 'identifier ', 'Title'], { file: 'f.csv' });
    expect(dup.headerIssues.filter((i) => i.severity === 'error').map((i) => i.message)).toContain('column "identifier" appears twice (as "Identifier" and "identifier"); keep one');
    const ind = new Flat360Csv(['Identifier', 'Title', 'Description', 'Currency', 'Amount Awarded', 'Award Date', 'Recipient Ind:Identifier', 'Recipient Ind:Name', 'Funding Org:Identifier', 'Funding Org:Name'], { file: 'f.csv', today: TODAY });
    expect(ind.headerIssues).toEqual([]);
    const r = ind.fromRow(['360G-I-1', 'T', 'D', 'GBP', '5', '2019-01-01', '360G-I-P1', 'Individual Recipient', 'GB-CHC-1', 'F'], 2);
    expect(r.issues).toEqual([]);
    expect(r.grant).toMatchObject({ recipientOrg: null, extra: { recipientIndividual: { id: '360G-I-P1', name: 'Individual Recipient' } } });
  });
});

describe('file detection and duplicate ids', () => {
  it('detects JSON by extension or by content starting with {', async () => {
    const p = join(dir, 'package.txt');
    copyFileSync(join(FIX, 'fixture-2-grants.json'), p);
    expect(await detect360Kind(p)).toBe('json');
    expect(await detect360Kind(join(FIX, 'fixture-2-grants.csv'))).toBe('csv');
    expect((await collect(p)).grants).toHaveLength(1);
  });

  it('IdIndex finds exact repeats only, among many ids', () => {
    const ix = new IdIndex();
    let repeats = 0;
    for (let i = 0; i < 100_000; i++) if (ix.add(`360G-X-${i}`, i + 2) !== -1) repeats++;
    expect(repeats).toBe(0);
    expect(ix.size).toBe(100_000);
    expect(ix.add('360G-X-0', 999)).toBe(2);
    expect(ix.add('360G-X-99999', 999)).toBe(100_001);
    expect(ix.add('360G-X-100000', 5)).toBe(-1);
    expect(ix.add('360G-Ü-é', 7)).toBe(-1);
    expect(ix.add('360G-Ü-é', 8)).toBe(7);
    expect(ix.add('', 9)).toBe(-1);
    expect(ix.add('', 10)).toBe(9);
    // An id beyond Latin-1 widens the pool: earlier ids are still found, and the new one.
    expect(ix.add('360G-€-1', 11)).toBe(-1);
    expect(ix.add('360G-€-1', 12)).toBe(11);
    expect(ix.add('360G-Ü-é', 13)).toBe(7);
    expect(ix.add('360G-X-54321', 14)).toBe(54323);
  });
});
