/**
 * The register's own CSV for MOPAC-style records (foi-lines): one row per money line, grouped
 * into grants by "Grant ID". Officers keep these in a spreadsheet:
 *
 *   Grant ID, Title, Financial Year, Amount, Basis, Funder, Recipient, Stream, Source, Theme,
 *   Outcome, Flag:non-ex-intimate, Figure:referrals, …
 *
 * Grant-level columns (Title, Description, Services, Programme, Funder, Recipient, Source,
 * Award Date, Theme, Outcome, Flag:…) may be given on the first row of a grant and left blank on
 * the rest; if repeated they must agree. Figure:MEASURE cells hold a number, "not held: <words>",
 * "n/a: <reason>" or "unknown", and belong to the row's financial year. Organisations are
 * referred to by id and must already be in the register (or in a foi-register file imported in
 * the same run). Each grant is written whole, replacing the grant of the same id.
 */
import { basename } from 'node:path';
import { parseMoney } from '../core/money.js';
import { parseDate } from '../core/dates.js';
import { tryParseFinancialYear } from '../core/financial-year.js';
import { ALLOCATION_BASES, emptyGrant, type AllocationBasis, type FigureInput, type GrantInput, type Issue } from '../register/types.js';
import { readCsvRecords } from './csv.js';
import { PERIOD_EXPECTED, tryParsePeriod } from '../core/period.js';

const GRANT_COLUMNS = ['title', 'description', 'services', 'programme', 'funder', 'recipient', 'source', 'award date', 'theme', 'outcome'] as const;
const LINE_COLUMNS = ['grant id', 'financial year', 'period', 'amount', 'amount status', 'basis', 'stream', 'note', 'footnote', 'line funder', 'line recipient'] as const;

/** A CSV is foi-lines when its header has "Grant ID" (360Giving flat CSV uses "Identifier"). */
export function isFoiLinesHeader(headerLine: string): boolean {
  return headerLine.split(',').some((h) => h.replace(/^\uFEFF/, '').replace(/"/g, '').trim().toLowerCase() === 'grant id');
}

export interface FoiLinesResult {
  grants: { grant: GrantInput; location: string }[];
  issues: Issue[];
}

/** `onRead` sees every chunk of the file's bytes as read (the import hashes the file in the same pass). */
export async function readFoiLinesCsv(path: string, encoding?: string, onRead?: (chunk: Buffer) => void): Promise<FoiLinesResult> {
  return readFoiLines(basename(path), readCsvRecords(path, { encoding, onRead }));
}

/**
 * foi-lines records from any table reader (CSV, a workbook's sheet): the first record is the
 * header. `where(row)` names a row in messages (`row 12`, `sheet "Lines", row 12`).
 */
export async function readFoiLines(
  file: string,
  records: AsyncIterable<{ row: number; fields: string[] }>,
  where: (row: number) => string = (row) => `row ${row}`,
): Promise<FoiLinesResult> {
  const issues: Issue[] = [];
  const err = (row: number, column: string | null, value: string | null, message: string) =>
    issues.push({ severity: 'error', file, location: where(row), column, value, message });
  let header: string[] = [];
  let headerRow = 0;
  const grants = new Map<string, { grant: GrantInput; location: string; set: Map<string, string> }>();
  for await (const { row, fields } of records) {
    if (!headerRow) {
      headerRow = row;
      header = fields.map((h) => h.replace(/^\uFEFF/, '').trim());
      const known = (h: string) => {
        const k = h.toLowerCase();
        return (GRANT_COLUMNS as readonly string[]).includes(k) || (LINE_COLUMNS as readonly string[]).includes(k) || /^(flag|figure):.+/i.test(h);
      };
      header.forEach((h, i) => {
        if (!known(h)) err(headerRow, h, null, `unknown column (column ${i + 1}); expected Grant ID, Title, Financial Year, Amount, Basis, Funder, Recipient, Stream, Source, Theme, Outcome, Flag:NAME, Figure:MEASURE …`);
      });
      for (const required of ['Grant ID', 'Amount']) {
        if (!header.some((h) => h.toLowerCase() === required.toLowerCase())) err(headerRow, required, null, `the header has no "${required}" column`);
      }
      if (issues.length) return { grants: [], issues };
      continue;
    }
    if (fields.length === 1 && fields[0] === '') continue; // blank line
    if (fields.length !== header.length) {
      err(row, null, null, `has ${fields.length} fields but the header has ${header.length}`);
      continue;
    }
    const cell = (name: string): string => {
      const i = header.findIndex((h) => h.toLowerCase() === name);
      return i < 0 ? '' : fields[i].trim();
    };
    const id = cell('grant id');
    if (!id) {
      err(row, 'Grant ID', null, 'every row needs the grant it belongs to');
      continue;
    }
    let entry = grants.get(id);
    if (!entry) {
      entry = { grant: emptyGrant(id, ''), location: where(row), set: new Map() };
      grants.set(id, entry);
    }
    const g = entry.grant;
    // Grant-level values: first non-blank wins; a different later value is an error.
    for (const col of GRANT_COLUMNS) {
      const v = cell(col);
      if (!v) continue;
      const prev = entry.set.get(col);
      if (prev !== undefined && prev !== v) {
        err(row, title(col), v, `grant ${id} already has ${title(col)} "${prev}" (from an earlier row); grant-level columns must agree`);
        continue;
      }
      entry.set.set(col, v);
    }
    const fyText = cell('financial year');
    const fy = fyText ? tryParseFinancialYear(fyText) : null;
    if (fyText && !fy) err(row, 'Financial Year', fyText, 'not a UK financial year; write it as 2017-18');
    const periodText = cell('period');
    const period = periodText ? tryParsePeriod(periodText) : null;
    if (periodText && !period) err(row, 'Period', periodText, PERIOD_EXPECTED);
    if (fyText && periodText) err(row, 'Period', periodText, 'give Financial Year (one year) or Period (several, or part of one), not both');
    const basisText = (cell('basis') || (fy ? 'budget' : 'award')).toLowerCase();
    if (!ALLOCATION_BASES.includes(basisText as AllocationBasis)) err(row, 'Basis', basisText, `expected one of ${ALLOCATION_BASES.join(', ')}`);
    const statusText = (cell('amount status') || 'value').toLowerCase().replace(' ', '_');
    if (!['value', 'unknown', 'not_held'].includes(statusText)) err(row, 'Amount Status', statusText, 'expected value, unknown or not held');
    let amount: number | null = null;
    const amountText = cell('amount');
    if (statusText === 'value') {
      const m = parseMoney(amountText);
      if (!m.ok) err(row, 'Amount', amountText, `${m.reason}; expected an amount like £1,234.50 (or Amount Status: unknown / not held)`);
      else amount = m.pence;
    } else if (amountText) err(row, 'Amount', amountText, `an amount with Amount Status "${statusText}"; leave Amount blank`);
    g.allocations.push({
      financialYear: fy?.start ?? null, period, periodText: periodText || null,
      recipientOrgId: cell('line recipient') || null, funderOrgId: cell('line funder') || null,
      stream: cell('stream') || null, basis: basisText as AllocationBasis, amountPence: amount,
      amountStatus: statusText as 'value' | 'unknown' | 'not_held', note: cell('note') || null, footnote: cell('footnote') || null, sourceRef: null,
    });
    header.forEach((h, i) => {
      const v = fields[i].trim();
      if (!v) return;
      const flag = /^flag:(.+)$/i.exec(h);
      if (flag) {
        const value = ({ y: 'y', yes: 'y', n: 'n', no: 'n', unknown: 'unknown' } as const)[v.toLowerCase() as 'y'];
        if (!value) err(row, h, v, 'expected Y, N or unknown');
        else if (!g.flags.some((f) => f.name === flag[1].trim())) g.flags.push({ name: flag[1].trim(), value, evidence: null, sourceRef: null });
        return;
      }
      const fig = /^figure:(.+)$/i.exec(h);
      if (fig) {
        const f = figureCell(fig[1].trim(), fy?.start ?? null, v);
        if (typeof f === 'string') err(row, h, v, f);
        else g.figures.push(f);
      }
    });
  }
  // Grant-level values go onto each grant once all its rows are read.
  const out: { grant: GrantInput; location: string }[] = [];
  for (const { grant: g, location, set } of grants.values()) {
    g.title = set.get('title') ?? '';
    if (!g.title) issues.push({ severity: 'error', file, location, column: 'Title', value: null, message: `grant ${g.id} has no Title on any of its rows` });
    g.description = set.get('description') ?? null;
    g.services = set.get('services') ?? null;
    g.programmeTitle = set.get('programme') ?? null;
    g.sourceRef = set.get('source') ?? null;
    const funder = set.get('funder');
    const recipient = set.get('recipient');
    g.fundingOrg = funder ? { id: funder, name: '' } : null;
    g.recipientOrg = recipient ? { id: recipient, name: '' } : null;
    const award = set.get('award date');
    if (award) {
      const d = parseDate(award);
      if (d.ok) g.awardDate = d.date;
      else issues.push({ severity: 'error', file, location, column: 'Award Date', value: award, message: d.reason });
    }
    for (const a of g.allocations) {
      a.funderOrgId ??= g.fundingOrg?.id ?? null;
      a.recipientOrgId ??= g.recipientOrg?.id ?? null;
      a.sourceRef = g.sourceRef;
    }
    const theme = set.get('theme');
    if (theme) g.themes.push({ theme, outcome: set.get('outcome') ?? null, sourceRef: g.sourceRef });
    g.flags.forEach((f) => (f.sourceRef = g.sourceRef));
    g.figures.forEach((f) => (f.sourceRef = g.sourceRef));
    const seen = new Set<string>();
    for (const f of g.figures) {
      const k = `${f.measure}|${f.financialYear}`;
      if (seen.has(k)) issues.push({ severity: 'error', file, location, column: `Figure:${f.measure}`, value: null, message: `grant ${g.id} gives ${f.measure} for ${f.financialYear ?? 'no year'} on more than one row` });
      seen.add(k);
    }
    out.push({ grant: g, location });
  }
  return { grants: out, issues };
}

function figureCell(measure: string, fy: number | null, v: string): FigureInput | string {
  const base = { measure, financialYear: fy, sourceRef: null };
  if (/^\d[\d,]*$/.test(v)) return { ...base, status: 'value', valueNumber: Number(v.replace(/,/g, '')) };
  const notHeld = /^not held(?::\s*(.*))?$/i.exec(v);
  if (notHeld) return { ...base, status: 'not_held', wording: notHeld[1] || null };
  const na = /^n\/?a(?::|\s*-)\s*(.*)$/i.exec(v) ?? (/^n\/?a$/i.test(v) ? [v, ''] : null);
  if (na) return { ...base, status: 'not_applicable', wording: na[1] || null };
  if (/^unknown$/i.test(v)) return { ...base, status: 'unknown' };
  if (/^0\d|^-/.test(v)) return 'expected a whole number of 0 or more';
  return 'expected a whole number, "not held: <the body\'s words>", "n/a: <reason>" or "unknown"';
}

function title(col: string): string {
  return col.replace(/\b\w/g, (c) => c.toUpperCase());
}
