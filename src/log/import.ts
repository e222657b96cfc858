/**
 * `foi log import FILE.csv`: an existing request log kept in a spreadsheet. Columns (header row,
 * any order, any case): Reference, Received (required), Requester, Status, Responded, Outcome,
 * Exemptions, and optionally Regime, Email, Address, Wording. All or nothing: every row is
 * checked first and every error reported with file, row, column, value and what was expected;
 * one error and nothing is written. Values are stored as written (nothing is neutralised on the
 * way in; CSV written by foi goes through csvCell).
 */
import { basename } from 'node:path';
import { existsSync, statSync } from 'node:fs';
import { parseDate, type IsoDate } from '../core/dates.js';
import { DataError, UsageError } from '../core/errors.js';
import { readCsvRecords } from '../import/csv.js';
import { formatIssue, type Issue } from '../register/types.js';
import { outcomeExemptionProblem, type NewRequestInput, type RequestLog } from './requests.js';
import { cleanReference, isEmail, OUTCOMES, parseOutcome, parseSection, referenceKey, type Outcome, type Regime } from './values.js';

const REQUIRED = ['reference', 'received'] as const;
const OPTIONAL = ['requester', 'status', 'responded', 'outcome', 'exemptions', 'regime', 'email', 'address', 'wording'] as const;
type Col = (typeof REQUIRED)[number] | (typeof OPTIONAL)[number];
const TITLES: Record<Col, string> = {
  reference: 'Reference', received: 'Received', requester: 'Requester', status: 'Status', responded: 'Responded', outcome: 'Outcome',
  exemptions: 'Exemptions', regime: 'Regime', email: 'Email', address: 'Address', wording: 'Wording',
};

const STATUS: Record<string, 'open' | 'closed' | 'withdrawn' | 'lapsed'> = {
  open: 'open', 'in progress': 'open', ongoing: 'open', pending: 'open',
  closed: 'closed', answered: 'closed', responded: 'closed', complete: 'closed', completed: 'closed', sent: 'closed', done: 'closed',
  withdrawn: 'withdrawn', lapsed: 'lapsed',
};

type Row = NewRequestInput & { row: number; close: { on: IsoDate; outcome: Outcome; exemptions: string[] } | null };

export interface LogImportResult {
  file: string;
  requests: number;
  closed: number;
}

export async function importLogCsv(log: RequestLog, path: string, opts: { dryRun?: boolean; maxErrors?: number } = {}): Promise<LogImportResult> {
  if (!existsSync(path) || !statSync(path).isFile()) throw new UsageError(`${path}: no such file`);
  const file = basename(path);
  const maxErrors = opts.maxErrors ?? 50;
  const issues: Issue[] = [];
  const err = (row: number, column: Col | string | null, value: string | null, message: string) =>
    issues.push({ severity: 'error', file, location: `row ${row}`, column: column ? TITLES[column as Col] ?? column : null, value, message });
  const rows: Row[] = [];
  const seen = new Map<string, number>();
  let index: Partial<Record<Col, number>> = {};
  let width = 0;
  for await (const { row, fields } of readCsvRecords(path)) {
    if (row === 1) {
      width = fields.length;
      fields.forEach((h, i) => {
        const k = h.replace(/^\uFEFF/, '').trim().toLowerCase() as Col;
        if (!(k in TITLES)) err(1, h, null, `unknown column (column ${i + 1}); expected ${Object.values(TITLES).join(', ')}`);
        else if (index[k] !== undefined) err(1, h, null, `the column appears twice (columns ${index[k]! + 1} and ${i + 1})`);
        else index[k] = i;
      });
      for (const k of REQUIRED) if (index[k] === undefined) err(1, TITLES[k], null, `the header has no "${TITLES[k]}" column`);
      if (issues.length) break;
      continue;
    }
    if (fields.length !== width) {
      err(row, null, null, `has ${fields.length} fields but the header has ${width}`);
      continue;
    }
    const cell = (k: Col) => (index[k] === undefined ? '' : fields[index[k]!].trim());
    const date = (k: Col, required: boolean): IsoDate | null => {
      const v = cell(k);
      if (!v) {
        if (required) err(row, k, null, 'is empty; expected a date like 2023-07-25 or 25/07/2023');
        return null;
      }
      const d = parseDate(v);
      if (!d.ok) {
        err(row, k, v, `${d.reason}`);
        return null;
      }
      if (d.date > log.today) {
        err(row, k, v, `is in the future (today is ${log.today})`);
        return null;
      }
      return d.date;
    };
    const before = issues.length;
    let reference = '';
    const refText = cell('reference');
    if (!refText) err(row, 'reference', null, 'is empty; expected the request\'s reference, e.g. FOI 556');
    else {
      reference = cleanReference(refText);
      const key = referenceKey(reference);
      const first = seen.get(key);
      if (first !== undefined) err(row, 'reference', refText, `is also on row ${first}; each request goes on one row`);
      else seen.set(key, row);
      const existing = log.store.find(key);
      if (existing) err(row, 'reference', refText, `is already in the log (received ${existing.received}); correct it with foi log edit, or leave the row out`);
    }
    const received = date('received', true);
    const regimeText = cell('regime').toLowerCase();
    let regime: Regime = 'foi';
    if (regimeText === 'eir') regime = 'eir';
    else if (regimeText && regimeText !== 'foi' && regimeText !== 'foia') err(row, 'regime', cell('regime'), 'expected FOI or EIR');
    const statusText = cell('status');
    const status = statusText ? STATUS[statusText.toLowerCase()] : undefined;
    if (statusText && !status) err(row, 'status', statusText, `expected ${Object.keys(STATUS).join(', ')} (or empty: closed when Responded is given)`);
    const responded = date('responded', false);
    const isClosed = status ? status !== 'open' : responded !== null;
    if (status === 'open' && responded) err(row, 'responded', cell('responded'), 'is given but Status says open; a request with a response date is closed');
    if (responded && received && responded < received) err(row, 'responded', cell('responded'), `is before the date received (${received})`);
    const outcomeText = cell('outcome');
    let outcome: Outcome | null = null;
    if (outcomeText) {
      outcome = parseOutcome(outcomeText, true);
      if (!outcome) err(row, 'outcome', outcomeText, `expected one of ${OUTCOMES.join(', ')} or a Cabinet Office category (granted in full, partially withheld, withheld in full, information not held, s.12, s.14, withdrawn, lapsed)`);
    }
    if (status === 'withdrawn' || status === 'lapsed') {
      if (outcome && outcome !== status) err(row, 'outcome', outcomeText, `does not match Status "${statusText}"`);
      outcome = status;
    }
    if (isClosed && !outcome && !outcomeText) err(row, 'outcome', null, `is empty but the request is closed; expected one of ${OUTCOMES.join(', ')}`);
    if (!isClosed && outcomeText) err(row, 'outcome', outcomeText, 'is given but the request is open (no Responded date)');
    const exemptions: string[] = [];
    for (const part of cell('exemptions').split(/[;,]/).map((x) => x.trim()).filter(Boolean)) {
      const p = parseSection(part, regime);
      if (!p.ok) err(row, 'exemptions', part, p.reason);
      else if (!exemptions.includes(p.section)) exemptions.push(p.section);
    }
    if (outcome) {
      const problem = outcomeExemptionProblem(outcome, exemptions);
      if (problem) err(row, exemptions.length ? 'exemptions' : 'outcome', exemptions.length ? cell('exemptions') : outcomeText, problem);
    }
    if (isClosed && !responded) err(row, 'responded', null, `is empty but Status says ${statusText}; expected the date the request was answered or closed`);
    const email = cell('email');
    if (email && !isEmail(email)) err(row, 'email', email, 'is not an e-mail address');
    if (issues.length > before || !received) continue;
    rows.push({
      row, reference, regime, received, requesterName: cell('requester') || null, requesterEmail: email || null,
      requesterAddress: cell('address').split(/\r?\n|;/).map((l) => l.trim()).filter(Boolean), wording: cell('wording') || null,
      close: isClosed && outcome && responded ? { on: responded, outcome, exemptions } : null,
    });
  }
  if (issues.length) {
    const shown = issues.slice(0, maxErrors).map(formatIssue);
    if (issues.length > maxErrors) shown.push(`(and ${issues.length - maxErrors} more)`);
    throw new DataError(`log import failed: ${issues.length} error${issues.length === 1 ? '' : 's'}; nothing was written to the log`, shown);
  }
  if (!opts.dryRun) log.importRows(rows.map((r) => ({ ...r, file })), `log import ${file}`);
  return { file, requests: rows.length, closed: rows.filter((r) => r.close).length };
}
