/** Everything the register holds about one grant, for `foi show`. */
import type { Db } from '../db/open.js';
import { DataError } from '../core/errors.js';
import { formatFinancialYear } from '../core/financial-year.js';
import { formatPeriod } from '../core/period.js';
import { publishedDetail, type PublishedDetail } from './published-record.js';

export interface GrantDetail {
  /** When it was marked withdrawn (no longer in its source), or null. */
  withdrawnAt: string | null;
  id: string;
  title: string;
  description: string | null;
  services: string | null;
  currency: string;
  amountAwardedPence: number | null;
  awardDate: string | null;
  plannedStart: string | null;
  plannedEnd: string | null;
  plannedPeriod: string | null;
  programme: string | null;
  funder: { id: string; name: string } | null;
  recipient: { id: string; name: string; members: string | null } | null;
  fromOpenCall: string | null;
  source: { ref: string; title: string | null; date: string | null; document: string | null } | null;
  allocations: {
    seq: number; financialYear: string | null; period: string | null; multiYear: boolean; recipient: string | null; funder: string | null;
    stream: string | null; basis: string; amountPence: number | null; amountStatus: string; superseded: boolean; supersedes: number | null;
    /** For officers only. */
    note: string | null;
    /** Printed in letters as a numbered note to the figure. */
    footnote: string | null;
    sourceRef: string | null;
  }[];
  variations: { seq: number; date: string | null; when: string | null; description: string; changePence: number | null; newTotalPence: number | null; sourceRef: string | null }[];
  partners: { name: string; role: string | null }[];
  locations: string[];
  themes: { theme: string; outcome: string | null }[];
  flags: { flag: string; question: string; value: string; evidence: string | null }[];
  figures: { measure: string; label: string; financialYear: string | null; status: string; value: number | string | null; wording: string | null }[];
  extra: Record<string, unknown> | null;
  /** Grants from a 360Giving file: the record as published, its own organisations, classifications, other amounts. */
  published: PublishedDetail | null;
}

/**
 * The error for an id the register does not hold (exit 1: the command was right, the lookup
 * failed), naming the register and up to five ids that contain it.
 */
export function noSuchGrant(db: Db, id: string, register: string): DataError {
  const like = db.prepare(`SELECT id FROM grants WHERE id LIKE ? ORDER BY id LIMIT 5`).pluck().all(`%${id}%`) as string[];
  return new DataError(`no grant with id "${id}" in ${register}${like.length ? `; did you mean ${like.join(', ')}?` : ''}`);
}

/** Everything the register holds about one grant; `register` names it in the error for an unknown id. */
export function grantDetail(db: Db, id: string, register = 'the register'): GrantDetail {
  const g = db.prepare(`SELECT g.*, coalesce(fs.name, fo.name) AS funder_name, coalesce(rs.name, ro.name) AS recipient_name, ro.members AS recipient_members,
      s.title AS source_title, s.date AS source_date, s.document AS source_document_path
    FROM grants g LEFT JOIN organisation fo ON fo.id = g.funding_org_id LEFT JOIN organisation ro ON ro.id = g.recipient_org_id
    LEFT JOIN org_snapshot fs ON fs.id = g.funder_snapshot_id LEFT JOIN org_snapshot rs ON rs.id = g.recipient_snapshot_id
    LEFT JOIN source s ON s.ref = g.source_ref WHERE g.id = ?`).get(id) as Record<string, any> | undefined;
  if (!g) throw noSuchGrant(db, id, register);
  const fy = (n: number | null) => (n === null || n === -1 ? null : formatFinancialYear(n));
  return {
    id: g.id, withdrawnAt: g.withdrawn_at ?? null, title: g.title, description: g.description, services: g.services, currency: g.currency,
    amountAwardedPence: g.amount_awarded_pence, awardDate: g.award_date, plannedStart: g.planned_start, plannedEnd: g.planned_end,
    plannedPeriod: g.planned_period_text, programme: g.programme_title,
    funder: g.funding_org_id ? { id: g.funding_org_id, name: g.funder_name } : null,
    recipient: g.recipient_org_id ? { id: g.recipient_org_id, name: g.recipient_name, members: g.recipient_members } : null,
    fromOpenCall: g.from_open_call,
    source: g.source_ref ? { ref: g.source_ref, title: g.source_title, date: g.source_date, document: g.source_document_path } : null,
    allocations: (db.prepare(`SELECT a.*, coalesce(rs.name, ro.name) AS rname, coalesce(fs.name, fo.name) AS fname FROM allocation a
        JOIN grants g ON g.id = a.grant_id
        LEFT JOIN organisation ro ON ro.id = a.recipient_org_id LEFT JOIN organisation fo ON fo.id = a.funder_org_id
        LEFT JOIN org_snapshot rs ON rs.id = g.recipient_snapshot_id AND rs.org_id = a.recipient_org_id
        LEFT JOIN org_snapshot fs ON fs.id = g.funder_snapshot_id AND fs.org_id = a.funder_org_id
        WHERE a.grant_id = ? ORDER BY a.seq`).all(id) as Record<string, any>[]).map((a) => ({
      seq: a.seq, financialYear: fy(a.financial_year),
      period: a.period_start ? formatPeriod({ start: a.period_start, end: a.period_end, precision: a.period_precision }) : a.period_text,
      multiYear: a.fy_from !== null && a.fy_from !== a.fy_to, recipient: a.rname, funder: a.fname, stream: a.stream,
      basis: a.basis, amountPence: a.amount_pence, amountStatus: a.amount_status, superseded: a.superseded === 1,
      supersedes: a.supersedes_seq, note: a.note, footnote: a.footnote, sourceRef: a.source_ref,
    })),
    variations: (db.prepare('SELECT * FROM variation WHERE grant_id = ? ORDER BY seq').all(id) as Record<string, any>[]).map((v) => ({
      seq: v.seq, date: v.date, when: v.when_text, description: v.description, changePence: v.change_pence, newTotalPence: v.new_total_pence, sourceRef: v.source_ref,
    })),
    partners: db.prepare('SELECT o.name, p.role FROM grant_partner p JOIN organisation o ON o.id = p.org_id WHERE p.grant_id = ? ORDER BY p.seq').all(id) as { name: string; role: string | null }[],
    locations: db.prepare('SELECT name FROM grant_location WHERE grant_id = ? ORDER BY seq').pluck().all(id) as string[],
    themes: db.prepare('SELECT theme, outcome FROM grant_theme WHERE grant_id = ? ORDER BY theme').all(id) as { theme: string; outcome: string | null }[],
    flags: db.prepare('SELECT f.flag, d.question, f.value, f.evidence FROM grant_flag f JOIN flag_def d ON d.name = f.flag WHERE f.grant_id = ? ORDER BY f.flag').all(id) as GrantDetail['flags'],
    figures: (db.prepare('SELECT f.*, m.label FROM figure f JOIN measure m ON m.name = f.measure WHERE f.grant_id = ? ORDER BY f.financial_year, f.measure').all(id) as Record<string, any>[]).map((f) => ({
      measure: f.measure, label: f.label, financialYear: fy(f.financial_year), status: f.status, value: f.value_number ?? f.value_text, wording: f.wording,
    })),
    extra: g.extra_json ? JSON.parse(g.extra_json) : null,
    published: publishedDetail(db, id),
  };
}
