/**
 * `foi check`: reconcile every stated total against the rows it covers, every grant amount
 * against its allocation lines, and report 360Giving-style quality warnings.
 */
import type { Db } from '../db/open.js';
import { formatMoney } from '../core/money.js';
import type { AllocationBasis } from './types.js';

export interface CheckFinding {
  kind: 'total' | 'grant-amount' | 'quality';
  status: 'ok' | 'mismatch' | 'warning';
  subject: string;
  detail: string;
  statedPence: number | null;
  computedPence: number | null;
  sourceRef: string | null;
}

export interface CheckReport {
  findings: CheckFinding[];
  mismatches: number;
  warnings: number;
}

export function checkRegister(db: Db, today: string): CheckReport {
  const findings: CheckFinding[] = [];
  const totals = db.prepare('SELECT id, source_ref, label, amount_pence, tolerance_pence, stated_as, grant_ids, bases, stream FROM stated_total ORDER BY source_ref, id').all() as {
    id: string; source_ref: string | null; label: string; amount_pence: number; tolerance_pence: number; stated_as: string | null;
    grant_ids: string; bases: string | null; stream: string | null;
  }[];
  const grantExists = db.prepare('SELECT 1 FROM grants WHERE id = ?').pluck();
  const lines = db.prepare('SELECT basis, amount_pence, amount_status, superseded, stream FROM allocation WHERE grant_id = ?');
  for (const t of totals) {
    const ids = JSON.parse(t.grant_ids) as string[];
    const bases = t.bases ? (JSON.parse(t.bases) as AllocationBasis[]) : null;
    const missing = ids.filter((id) => !grantExists.get(id));
    let sum = 0;
    let unknown = 0;
    let n = 0;
    for (const id of ids) {
      for (const l of lines.all(id) as { basis: AllocationBasis; amount_pence: number | null; superseded: number; stream: string | null }[]) {
        if (bases ? !bases.includes(l.basis) : l.superseded) continue;
        if (t.stream && l.stream !== t.stream) continue;
        n++;
        if (l.amount_pence === null) unknown++;
        else sum += l.amount_pence;
      }
    }
    const stated = t.stated_as ?? formatMoney(t.amount_pence);
    const diff = sum - t.amount_pence;
    const ok = !missing.length && !unknown && Math.abs(diff) <= t.tolerance_pence;
    const why = missing.length
      ? `grants not in the register: ${missing.join(', ')}`
      : unknown
        ? `${unknown} of ${n} rows have no stated amount`
        : ok
          ? `${n} rows sum to ${formatMoney(sum)}${diff ? ` (stated to the nearest ${formatMoney(t.tolerance_pence * 2)})` : ''}`
          : `${n} rows sum to ${formatMoney(sum)}, ${formatMoney(Math.abs(diff))} ${diff > 0 ? 'more' : 'less'} than stated`;
    findings.push({ kind: 'total', status: ok ? 'ok' : 'mismatch', subject: `${t.source_ref ?? t.id}: ${t.label}`, detail: `stated ${stated}; ${why}`, statedPence: t.amount_pence, computedPence: sum, sourceRef: t.source_ref });
  }

  // A grant's amount against the lines that split it (allocations, or a single award line).
  const grantSums = db.prepare(`
    SELECT g.id, g.title, g.amount_awarded_pence AS amount, g.source_ref AS sourceRef,
           sum(a.amount_pence) AS sum, count(*) AS n, sum(a.amount_pence IS NULL) AS unknown
    FROM grants g JOIN allocation a ON a.grant_id = g.id AND a.basis IN ('award', 'allocation') AND a.superseded = 0
    WHERE g.amount_awarded_pence IS NOT NULL
    GROUP BY g.id HAVING n > 1 OR sum IS NOT g.amount_awarded_pence
    ORDER BY g.id`).all() as { id: string; title: string; amount: number; sourceRef: string | null; sum: number | null; n: number; unknown: number }[];
  for (const g of grantSums) {
    const ok = g.unknown === 0 && g.sum === g.amount;
    findings.push({
      kind: 'grant-amount', status: ok ? 'ok' : 'mismatch', subject: `${g.id}: ${g.title}`,
      detail: ok ? `${g.n} allocations sum to the award of ${formatMoney(g.amount)}` : `award ${formatMoney(g.amount)} but ${g.n} allocations sum to ${formatMoney(g.sum ?? 0)}${g.unknown ? ` (${g.unknown} without an amount)` : ''}`,
      statedPence: g.amount, computedPence: g.sum, sourceRef: g.sourceRef,
    });
  }

  const warn = (subject: string, detail: string, sourceRef: string | null = null) =>
    findings.push({ kind: 'quality', status: 'warning', subject, detail, statedPence: null, computedPence: null, sourceRef });
  for (const r of db.prepare(`SELECT id, title, source_ref FROM grants WHERE amount_awarded_pence = 0
      UNION SELECT DISTINCT g.id, g.title, g.source_ref FROM allocation a JOIN grants g ON g.id = a.grant_id WHERE a.amount_pence = 0 ORDER BY 1`).all() as { id: string; title: string; source_ref: string | null }[]) {
    warn(`${r.id}: ${r.title}`, 'zero amount', r.source_ref);
  }
  for (const r of db.prepare('SELECT id, title, award_date FROM grants WHERE award_date > ? ORDER BY id').all(today) as { id: string; title: string; award_date: string }[]) {
    warn(`${r.id}: ${r.title}`, `award date ${r.award_date} is in the future`);
  }
  for (const r of db.prepare('SELECT id, title, planned_start, planned_end FROM grants WHERE planned_end < planned_start ORDER BY id').all() as { id: string; title: string; planned_start: string; planned_end: string }[]) {
    warn(`${r.id}: ${r.title}`, `planned end ${r.planned_end} is before planned start ${r.planned_start}`);
  }
  for (const r of db.prepare(`SELECT lower(trim(id)) AS k, group_concat(id, ', ') AS ids, count(*) AS n FROM grants GROUP BY k HAVING n > 1 ORDER BY k`).all() as { ids: string }[]) {
    warn(r.ids, 'duplicate grant identifiers (they differ only in case or spaces)');
  }
  const mismatches = findings.filter((f) => f.status === 'mismatch').length;
  const warnings = findings.filter((f) => f.status === 'warning').length;
  return { findings, mismatches, warnings };
}
