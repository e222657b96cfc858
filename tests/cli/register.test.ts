/**
 * The embedded MOPAC register through the CLI: every seed shape, figure for figure.
 */
import { describe, expect, it } from 'vitest';
import { foi, json } from '../helpers/cli.js';

type Row = { id: string; seq: number; title: string; recipient: string | null; funder: string | null; financialYear: string | null; amountPence: number | null; amountStatus: string; basis: string; stream: string | null; superseded: boolean; sourceRef: string | null };
type Listing = { count: number; totalPence: number; rows: Row[] };

describe('seed 000/001: MASIP, one grant with budgets in several years and a revised budget', () => {
  it('gives one row per financial year with the exact budgets', () => {
    const r = json<Listing>(foi(['grants', '--fy', '2017-18..2019-20', '--theme', 'stalking', '--recipient', 'MOPAC', '--include-superseded', '--format', 'json']));
    const masip = r.rows.filter((x) => x.id === '360G-MOPAC-MASIP');
    expect(masip.map((x) => [x.financialYear, x.basis, x.amountPence, x.superseded])).toEqual([
      ['2017-18', 'budget', 13970700, false],
      ['2018-19', 'budget', 208743181, false],
      ['2019-20', 'original', 193181900, true],
      ['2019-20', 'revised', 208987762, false],
    ]);
  });

  it('shows only the current (revised) 2019-20 budget by default', () => {
    const r = json<Listing>(foi(['grants', '--fy', '2019-20', '--theme', 'stalking', '--format', 'json']));
    const masip = r.rows.filter((x) => x.id === '360G-MOPAC-MASIP');
    expect(masip).toHaveLength(1);
    expect(masip[0].amountPence).toBe(208987762);
  });

  it('the first three budgets reconcile with the £4.159m award in CEOD 03-2019', () => {
    const r = json<{ findings: { subject: string; status: string; computedPence: number }[] }>(foi(['check', '--format', 'json']));
    const f = r.findings.find((x) => x.subject.includes('Police Transformation Fund award'))!;
    expect(f.status).toBe('ok');
    expect(f.computedPence).toBe(415895781);
  });

  it('answers the stalking request query for 2017-18 and 2018-19 with Y for non-ex-intimate', () => {
    const r = json<Listing>(foi(['grants', '--fy', '2017-18', '--fy', '2018-19', '--theme', 'stalking', '--flag', 'non-ex-intimate=y', '--format', 'json']));
    expect(r.rows.map((x) => [x.financialYear, x.title, x.amountPence])).toEqual([
      ['2017-18', 'Multi-Agency Stalking Interventions Programme (MASIP)', 13970700],
      ['2018-19', 'Multi-Agency Stalking Interventions Programme (MASIP)', 208743181],
    ]);
    expect(r.totalPence).toBe(13970700 + 208743181);
  });

  it('formats money at the edge: table output shows £2,087,431.81 and £139,707', () => {
    const r = foi(['grants', '--fy', '2017-18..2018-19', '--theme', 'stalking']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('£139,707');
    expect(r.stdout).toContain('£2,087,431.81');
    expect(r.stdout).toMatch(/Total\s+2 rows.*£2,227,138\.81/);
  });
});

describe('seed 001: one award split between recipients (CEOD 03-2019)', () => {
  it('has £13,000 to the Suzy Lamplugh Trust and £93,053 to the MPS, totalling £106,053 in 2019-20', () => {
    const r = json<Listing>(foi(['grants', '--fy', '2019-20', '--text', 'Threat Assessment Centre March', '--format', 'json']));
    const rows = r.rows.filter((x) => x.id === '360G-MOPAC-CEOD-03-2019');
    expect(rows.map((x) => [x.recipient, x.amountPence])).toEqual([
      ['Suzy Lamplugh Trust', 1300000],
      ['Metropolitan Police Service (MPS)', 9305300],
    ]);
    expect(rows.reduce((a, x) => a + x.amountPence!, 0)).toBe(10605300);
  });
});

describe('seed 003: co-funding, a Home Office grant plus a match fund (FOI 556)', () => {
  it('lists seven programmes, each with both funders', () => {
    const r = json<Listing>(foi(['grants', '--fy', '2022-23', '--theme', 'domestic-abuse-perpetrators', '--format', 'json']));
    expect(new Set(r.rows.map((x) => x.id)).size).toBe(7);
    expect(r.count).toBe(14);
    const remove = r.rows.filter((x) => x.title === 'Re-MOVE Abuse');
    expect(remove.map((x) => [x.basis, x.stream, x.funder, x.amountPence])).toEqual([
      ['grant', 'Home Office Grant', 'Home Office', 20905200],
      ['match', 'LBBD Match Fund', 'London Borough of Barking and Dagenham', 13099600],
    ]);
  });

  it('stores not-held figures as not held, never as 0 or blank', () => {
    const d = json<{ figures: { measure: string; status: string; value: unknown; wording: string | null }[] }>(foi(['show', '360G-MOPAC-FOI556-REMOVE', '--format', 'json']));
    const byMeasure = Object.fromEntries(d.figures.map((f) => [f.measure, f]));
    expect(byMeasure.referrals).toMatchObject({ status: 'value', value: 116 });
    expect(byMeasure.completions).toMatchObject({ status: 'value', value: 28 });
    expect(byMeasure.starts).toMatchObject({ status: 'not_held', value: null, wording: 'MOPAC does not hold this data' });
    const restart = json<{ figures: { measure: string; status: string; wording: string | null }[] }>(foi(['show', '360G-MOPAC-FOI556-RESTART', '--format', 'json']));
    expect(restart.figures.find((f) => f.measure === 'referrals')).toMatchObject({ status: 'not_applicable', wording: 'N/A - referrals are recorded as for families, not men' });
  });

  it('the embedded register names where a grant came from, not the time foi was built', () => {
    const table = foi(['show', '360G-MOPAC-FOI556-RESTART']).stdout;
    expect(table).toContain('from data/mopac-register.yaml, in the embedded sample register');
    expect(table).not.toMatch(/Added\s+on /);
  });
});

describe('seed 002: a grant and its variations (PCD 1653)', () => {
  it('keeps the 2020-21 grant of £171,000 and its uplift to £540,925', () => {
    const d = json<{ amountAwardedPence: number; variations: { when: string; newTotalPence: number | null; changePence: number | null }[] }>(foi(['show', '360G-MOPAC-SLT-ADVOCACY-2020', '--format', 'json']));
    expect(d.amountAwardedPence).toBe(17100000);
    expect(d.variations.map((v) => [v.when, v.changePence, v.newTotalPence])).toEqual([['2021', null, null], ['2022', null, 54092500]]);
  });

  it('has the 2023-25 grant of £490,000 and up to £240,000 a year in 2024-25 and 2025-26 from NHS England', () => {
    const r = json<Listing>(foi(['grants', '--recipient', 'Suzy Lamplugh', '--funder', 'NHS England', '--format', 'json']));
    expect(r.rows.map((x) => [x.financialYear, x.basis, x.amountPence])).toEqual([
      ['2024-25', 'maximum', 24000000],
      ['2025-26', 'maximum', 24000000],
    ]);
    const d = json<{ amountAwardedPence: number }>(foi(['show', '360G-MOPAC-SLT-ADVOCACY-2023', '--format', 'json']));
    expect(d.amountAwardedPence).toBe(49000000);
    const nhse = json<{ amountAwardedPence: number; funder: { name: string } }>(foi(['show', '360G-MOPAC-PCD-1653-NHSE', '--format', 'json']));
    expect(nhse).toMatchObject({ amountAwardedPence: 48000000, funder: { name: 'NHS England' } });
  });
});

describe('seed 004: allocations under named streams with stated totals (DMPCD 2015 96)', () => {
  it('has 16 Local IVS allocations of £987,813 and 9 Local RJ allocations of £250,000', () => {
    const ivs = json<Listing>(foi(['grants', '--fy', '2015-16', '--funder', 'Local IVS', '--format', 'json']));
    const rj = json<Listing>(foi(['grants', '--fy', '2015-16', '--funder', 'Local RJ', '--format', 'json']));
    expect([ivs.count, ivs.totalPence]).toEqual([16, 98781300]);
    expect([rj.count, rj.totalPence]).toEqual([9, 25000000]);
    const all = json<Listing>(foi(['grants', '--fy', '2015/16', '--format', 'json']));
    expect(all.totalPence).toBe(123781300);
  });

  it('one recipient is a group of boroughs (Tri-borough)', () => {
    const r = json<Listing>(foi(['grants', '--fy', '2015-16', '--recipient', 'Tri-borough', '--format', 'json']));
    expect(r.rows.map((x) => [x.stream, x.amountPence])).toEqual([['Local IVS', 16000000], ['Local RJ', 2750000]]);
    const d = json<{ allocations: { recipient: string }[] }>(foi(['show', '360G-MOPAC-DMPCD-2015-96-IVS', '--format', 'json']));
    expect(d.allocations).toHaveLength(16);
  });

  it('foi check reconciles every stated total and exits 0', () => {
    const r = foi(['check']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('stated £1,237,813; 25 rows sum to £1,237,813');
    expect(r.stdout).toContain('stated £987,813; 16 rows sum to £987,813');
    expect(r.stdout).toContain('stated £106,053; 2 rows sum to £106,053');
    expect(r.stdout).toMatch(/0 mismatched/);
  });
});

describe('query options and errors', () => {
  it('accepts every financial-year spelling', () => {
    for (const fy of ['2017-18', '2017/18', '2017-2018', '17/18', 'FY2017-18']) {
      const r = json<Listing>(foi(['grants', '--fy', fy, '--theme', 'stalking', '--format', 'json']));
      expect(r.rows[0]?.financialYear, fy).toBe('2017-18');
    }
  });

  it('an unknown theme is a failed lookup (exit 1), listing the known ones', () => {
    const r = foi(['grants', '--theme', 'burglary']);
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe('foi: unknown theme "burglary"; known: domestic-abuse-perpetrators, restorative-justice, stalking, victim-services');
    expect(r.stderr).not.toMatch(/at .*\.js/);
  });

  it('an unknown flag is a failed lookup (exit 1); a malformed flag or financial year is a usage error (exit 2)', () => {
    const f = foi(['grants', '--flag', 'wheelchair=y']);
    expect(f.code).toBe(1);
    expect(f.stderr).toContain('unknown flag "wheelchair"; known: non-ex-intimate');
    const m = foi(['grants', '--flag', 'non-ex-intimate=maybe']);
    expect([m.code, m.stderr]).toEqual([2, 'foi: --flag non-ex-intimate: "maybe" is not y, n or unknown\n']);
    const y = foi(['grants', '--fy', '2017-19']);
    expect(y.code).toBe(2);
    expect(y.stderr).toContain('"2017-19" is not a UK financial year');
  });

  it('filters by amount and prints csv with a header row', () => {
    const r = foi(['grants', '--fy', '2015-16', '--min', '£100,000', '--format', 'csv']);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split(/\r?\n/);
    expect(lines[0]).toBe('FY,Grant,Recipient,Funder,Amount,Currency,Amount status,In total,Basis,Source,ID');
    expect(lines.slice(1).map((l) => l.split(',')[4]).sort()).toEqual(['160000.00', '168835.00']);
  });

  it('md output is a GFM table with a right-aligned amount column and a totals row', () => {
    const r = foi(['grants', '--fy', '2019-20', '--theme', 'stalking', '--format', 'md']);
    expect(r.stdout).toContain('| --- | --- | --- | --- | ---: |');
    expect(r.stdout).toContain('| **Total** | **3 rows** |');
  });

  it('an unknown command or option is a usage error (exit 2)', () => {
    expect(foi(['grnats']).code).toBe(2);
    expect(foi(['grants', '--colour']).code).toBe(2);
  });

  it('says there were no matches rather than printing an empty table', () => {
    const r = foi(['grants', '--fy', '2015-16', '--theme', 'stalking']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('No grants matched.');
  });
});
