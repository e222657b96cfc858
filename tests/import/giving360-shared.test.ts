/**
 * The two larger real files live only in the shared data folder (not copied into the repo).
 * Each test skips, saying why, when its file is absent.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { read360File } from '../../src/import/giving360.js';
import type { GrantInput, Issue, Normalisation } from '../../src/register/types.js';

const SHARED = fileURLToPath(new URL('../../../shared/data/360giving/', import.meta.url));

async function collect(path: string) {
  const grants: GrantInput[] = [];
  const errors: Issue[] = [];
  const warnings: Issue[] = [];
  const notes: Normalisation[] = [];
  for await (const item of read360File(path, { today: '2025-06-30' })) {
    if (item.kind === 'grant') grants.push(item.grant);
    else if (item.kind === 'issue') (item.issue.severity === 'error' ? errors : warnings).push(item.issue);
    else notes.push(item.note);
  }
  const pence = grants.reduce((s, g) => s + (g.amountAwardedPence ?? 0), 0);
  return { grants, errors, warnings, notes, pence };
}

function shared(name: string): string | null {
  const p = SHARED + name;
  if (existsSync(p)) return p;
  console.warn(`skipping tests on ${name}: not found at ${p} (the shared data folder is not present)`);
  return null;
}

describe('A B Charitable Trust (real 360Giving JSON, CC BY 4.0)', () => {
  const path = shared('ab-charitable-trust.360g.json');

  it.skipIf(!path)('imports all 783 grants with no errors and the exact total; keeps non-standard keys in extra', async () => {
    const c = await collect(path!);
    expect(c.errors).toEqual([]);
    expect(c.warnings).toEqual([]);
    expect(c.grants).toHaveLength(783);
    expect(c.pence).toBe(1_278_562_500); // £12,785,625.00
    expect(c.grants.filter((g) => g.fromOpenCall === 'y')).toHaveLength(706);
    expect(c.grants.filter((g) => g.fromOpenCall === 'n')).toHaveLength(77);
    const first = c.grants[0];
    expect(first.id).toBe('360G-ABCT-0065I000005BoDGQA044222');
    expect(first.extra['Award Date - website format']).toBe('2021-01-26T00:00:00+00:00');
    expect(first.extra['Amount Awarded - website format']).toBe(30000);
    expect(first.extra.Website).toMatchObject({ 'Decision Notes': expect.stringContaining('Pre-Action Protocol') });
    expect(c.grants.filter((g) => 'Website' in g.extra)).toHaveLength(500);
    expect(c.notes.filter((n) => n.column === 'awardDate')).toHaveLength(783);
  });
});

describe('Lloyds Bank Foundation 2010-2015 (real 360Giving JSON, CC BY 4.0)', () => {
  const path = shared('lloyds-bank-foundation-2010-2015.360g.json');

  it.skipIf(!path)('imports all 4,116 grants with no errors and the exact total, pence amounts included', async () => {
    const c = await collect(path!);
    expect(c.errors).toEqual([]);
    expect(c.grants).toHaveLength(4116);
    expect(c.pence).toBe(11_579_563_569); // £115,795,635.69
    // 20 amounts have pence (e.g. 17759.96); none has more than two decimal places.
    expect(c.grants.filter((g) => g.amountAwardedPence! % 100 !== 0)).toHaveLength(20);
    expect(c.grants.find((g) => g.amountAwardedPence === 1_775_996)).toBeDefined();
    expect(c.notes.filter((n) => n.column === 'amountAwarded')).toEqual([]);
    // One grant of £0: a quality notice, not an error.
    expect(c.warnings.filter((w) => w.kind === 'quality').map((w) => [w.location, w.column])).toEqual([['grants[1606]', 'amountAwarded']]);
    // The 360Giving schema: five grants without a description, "Y"/"N" for fromOpenCall, web addresses
    // without https://. foi reads each and keeps it as published; each is a schema warning.
    const schema = c.warnings.filter((w) => w.kind === 'schema');
    expect(schema.filter((w) => w.column === 'description').map((w) => w.location)).toEqual(['grants[395]', 'grants[458]', 'grants[627]', 'grants[1616]', 'grants[3649]']);
    const foc = schema.filter((w) => w.column === 'fromOpenCall');
    expect(foc).toHaveLength(4116);
    expect(foc.filter((w) => w.value === 'Y' && w.message.endsWith('read as "Yes"'))).toHaveLength(4100);
    expect(foc.filter((w) => w.value === 'N' && w.message.endsWith('read as "No"'))).toHaveLength(16);
    const urls = schema.filter((w) => /^recipientOrganization\[0\]\.url$/.test(w.column ?? ''));
    expect(urls).toHaveLength(2002);
    expect(urls[0].message).toBe('360Giving schema: not a URI: a web address must be written in full, with its scheme (https://www.example.org/); kept as published');
    expect(schema).toHaveLength(5 + 4116 + 2002);
    expect(c.notes.filter((n) => n.column === 'fromOpenCall')).toEqual([]);
    expect(c.grants.every((g) => g.asPublished!.fromOpenCall === 'Y' || g.asPublished!.fromOpenCall === 'N')).toBe(true);
    expect(c.grants.filter((g) => g.fromOpenCall === 'n')).toHaveLength(16);
    expect(c.grants[0]).toMatchObject({
      id: '360G-LBFEW-114001', awardDate: '2015-06-10', plannedStart: '2015-07-01', plannedEnd: '2016-06-30', plannedDurationMonths: 12,
      recipientOrg: { id: 'GB-CHC-1136419', charityNumber: '1136419', postcode: 'LE1 1AA', locality: 'Leicester' },
    });
  });
});
