import { describe, expect, it } from 'vitest';
import { derivedAward } from '../../src/export/register-record.js';
import { beforeExport, schemaErrors, validForm } from '../../src/export/valid-form.js';
import { flattenRecords } from '../../src/export/flatten.js';
import { grantFrom360Json } from '../../src/import/giving360.js';
import type { FoiExtension } from '../../src/export/extension.js';

const base = {
  id: '360G-U-1', title: 'A grant', description: 'About it', currency: 'GBP', amountAwarded: 1000, awardDate: '2019-01-24',
  recipientOrganization: [{ id: 'GB-CHC-1', name: 'Charity' }], fundingOrganization: [{ id: 'GB-CHC-2', name: 'Funder' }],
};

describe('validForm: a schema-valid form, with what changed kept as published', () => {
  it('leaves a valid record untouched', () => {
    expect(validForm(base, base)).toEqual({ ok: true, record: base });
  });

  it('takes foi\'s reading where it has one, leaves out what it cannot repair without guessing, and empties a missing description', () => {
    const { description: _, ...noDescription } = base;
    const published = { ...noDescription, fromOpenCall: 'Y', url: 'www.example.org', dateModified: '2019-06-01', recipientOrganization: [{ id: 'GB-CHC-1', name: 'Charity', url: 'charity.org.uk' }] };
    const normalised = { ...published, fromOpenCall: 'Yes' };
    const v = validForm(published, normalised);
    expect(v.ok).toBe(true);
    if (!v.ok) return;
    const rec = v.record as Record<string, any>;
    expect(schemaErrors(rec)).toBe(null);
    expect(Object.keys(rec).slice(0, 3)).toEqual(['id', 'title', 'description']);
    expect(rec.description).toBe('');
    expect(rec.fromOpenCall).toBe('Yes');
    expect(rec.url).toBeUndefined();
    expect(rec.dateModified).toBeUndefined();
    expect(rec.recipientOrganization).toEqual([{ id: 'GB-CHC-1', name: 'Charity' }]);
    expect(rec.foi.asPublished).toEqual({
      fromOpenCall: 'Y', url: 'www.example.org', dateModified: '2019-06-01',
      recipientOrganization: [{ id: 'GB-CHC-1', name: 'Charity', url: 'charity.org.uk' }], $absent: ['description'],
    });
    // And back: exactly as published.
    expect(beforeExport(rec, rec.foi as FoiExtension)).toEqual(published);
  });

  it('removes invalid list items later ones first (item 10 before item 9)', () => {
    const locs = Array.from({ length: 12 }, (_, i) => ({ name: `Place ${i}`, countryCode: i === 9 || i === 10 ? 'ZZZ' : 'GB' }));
    const v = validForm({ ...base, beneficiaryLocation: locs }, base);
    expect(v.ok).toBe(true);
    if (v.ok) expect((v.record.beneficiaryLocation as { name: string; countryCode?: string }[]).map((l) => l.countryCode ?? '-')).toEqual(['GB', 'GB', 'GB', 'GB', 'GB', 'GB', 'GB', 'GB', 'GB', '-', '-', 'GB']);
  });
});

describe('derivedAward: an amount awarded from the money lines, never adding unlike money', () => {
  const g = { funding_org_id: 'F', currency: 'GBP' };
  const line = (seq: number, basis: string, pence: number | null, extra: Record<string, unknown> = {}) =>
    ({ seq, basis, amount_pence: pence, funder_org_id: 'F', superseded: 0, supersedes_seq: null, ...extra });

  it('budgets as first set: the original, not its revision', () => {
    const got = derivedAward(g, [line(1, 'budget', 100), line(2, 'original', 200, { superseded: 1 }), line(3, 'revised', 250, { supersedes_seq: 2 })]);
    expect(got).toMatchObject({ pence: 300 });
    expect((got as { how: string }).how).toContain('money lines 1 and 2');
  });

  it("the funder's grant lines, not another funder's match funding", () => {
    expect(derivedAward(g, [line(1, 'grant', 500), line(2, 'match', 400, { funder_org_id: 'B' })])).toMatchObject({ pence: 500 });
  });

  it('refuses maxima only, lines of different kinds, and lines without an amount', () => {
    expect(derivedAward(g, [line(1, 'maximum', 500)])).toContain('"up to" amounts');
    expect(derivedAward(g, [line(1, 'award', 500), line(2, 'budget', 100)])).toContain('different kinds (award, budget)');
    expect(derivedAward(g, [line(1, 'budget', 500), line(2, 'budget', null)])).toContain('money line 2 has no stated amount');
    expect(derivedAward(g, [])).toContain('no money lines');
  });
});

describe('flattenRecords: the standard column titles, lists numbered', () => {
  it('titles, order, lists of text and a publisher\'s own fields', () => {
    const t = flattenRecords([
      { ...base, relatedActivity: ['A', 'B'], 'Grant number': 7, recipientOrganization: [{ id: 'GB-CHC-1', name: 'One' }, { id: 'GB-CHC-3', name: 'Two' }], foi: { format: 'foi-360/1' } },
      { ...base, id: '360G-U-2', beneficiaryLocation: [{ name: 'Leeds', geoCode: 'E08000035' }] },
    ]);
    expect(t.columns.map((c) => c.title)).toEqual([
      'Identifier', 'Title', 'Description', 'Currency', 'Amount Awarded', 'Award Date', 'Recipient Org:Identifier', 'Recipient Org:Name',
      'Recipient Org:1:Identifier', 'Recipient Org:1:Name', 'Beneficiary Location:Name', 'Beneficiary Location:Geographic Code',
      'Funding Org:Identifier', 'Funding Org:Name', 'Related Activity', 'Grant number', 'foi',
    ]);
    expect(t.columns.find((c) => c.title === 'Amount Awarded')!.kind).toBe('amount');
    expect(t.rows[0]).toContain('A;B');
    expect(t.rows[0]).toContain('7');
    expect(t.rows[0][t.rows[0].length - 1]).toBe('{"format":"foi-360/1"}');
    expect(t.rows[1][t.columns.findIndex((c) => c.title === 'Recipient Org:1:Name')]).toBe('');
  });
});

describe('the foi extension read back', () => {
  it('an extension that is not what the export writes is an error located in it', () => {
    const rec = { ...base, foi: { format: 'foi-360/1', moneyLines: [{ line: 1, basis: 'gift', amountStatus: 'value', amount: '£5' }], derived: { title: 'made up' } } };
    const r = grantFrom360Json(rec, { file: 'x.json', index: 0, today: '2025-01-01' });
    expect(r.grant).toBe(null);
    expect(r.issues.filter((i) => i.severity === 'error').map((i) => [i.column, i.message])).toEqual([
      ['foi.moneyLines[0].basis', expect.stringContaining('expected one of award, budget')],
      ['foi.moneyLines[0].amount', 'expected an amount as a number (1234.5), got text "£5"'],
      ['foi.moneyLines[0].amount', 'a line whose amountStatus is "value" needs an amount'],
      ['foi.derived.title', expect.stringContaining('"title" is not a field the export fills in')],
    ]);
  });

  it('a record with another publisher\'s "foi" key is not read as the extension', () => {
    const r = grantFrom360Json({ ...base, foi: 'freedom of information' }, { file: 'x.json', index: 0, today: '2025-01-01' });
    expect(r.grant?.allocations).toEqual([]);
    expect(r.grant?.extra).toEqual({ foi: 'freedom of information' });
  });
});
