/**
 * Prepared look-ups for the columns a letter can show: one table cell from a grant's money lines
 * and the register's details, flags, figures and outcomes. Amount cells are built in
 * letter-tables.ts; everything else is text from here.
 */
import type { Db } from '../db/open.js';
import { DataError } from '../core/errors.js';
import { formatNumber } from '../core/money.js';
import { BASIS_LABELS, type GrantRow } from '../register/query.js';
import { num, text, type SheetCell } from '../output/table-cells.js';
import type { BodyView } from './view-model.js';

interface Figure { status: string; n: number | null; t: string | null; wording: string | null }

interface GrantDetail {
  title: string;
  services: string | null;
  description: string | null;
  programme: string | null;
  recipient: string | null;
  sourceRef: string | null;
}

const NOT_STATED = 'Not stated';

/** The look-ups' statements, prepared once per register (a batch writes a letter every few ms). */
const prepared = new WeakMap<Db, ReturnType<typeof prepare>>();

function prepare(db: Db) {
  return {
    // The recipient's name as the grant's own record gives it (org_snapshot), else the organisation's.
    grant: db.prepare(`SELECT g.title, g.services, g.description, g.programme_title AS programme, coalesce(rs.name, o.name) AS recipient, g.source_ref AS sourceRef
      FROM grants g LEFT JOIN organisation o ON o.id = g.recipient_org_id
      LEFT JOIN org_snapshot rs ON rs.id = g.recipient_snapshot_id WHERE g.id = ?`),
    partners: db.prepare('SELECT o.name, p.role FROM grant_partner p JOIN organisation o ON o.id = p.org_id WHERE p.grant_id = ? ORDER BY p.seq'),
    locations: db.prepare('SELECT name FROM grant_location WHERE grant_id = ? ORDER BY seq').pluck(),
    outcome: db.prepare('SELECT outcome FROM grant_theme WHERE grant_id = ? AND theme = ?').pluck(),
    flag: db.prepare('SELECT value FROM grant_flag WHERE grant_id = ? AND flag = ?').pluck(),
    figure: db.prepare('SELECT status, value_number AS n, value_text AS t, wording FROM figure WHERE grant_id = ? AND measure = ? AND financial_year IN (?, -1) ORDER BY financial_year DESC LIMIT 1'),
    flagQuestion: db.prepare('SELECT question FROM flag_def WHERE name = ?').pluck(),
    measureLabel: db.prepare('SELECT label FROM measure WHERE name = ?').pluck(),
    themeLabel: db.prepare('SELECT label FROM theme WHERE name = ?').pluck(),
    sourceKind: db.prepare('SELECT kind FROM source WHERE ref = ?').pluck(),
    anyWithdrawn: db.prepare('SELECT 1 FROM grants WHERE withdrawn_at IS NOT NULL LIMIT 1').pluck(),
  };
}

export class RegisterLookups {
  private readonly s;
  private readonly details = new Map<string, GrantDetail>();
  constructor(db: Db) {
    let s = prepared.get(db);
    if (!s) prepared.set(db, (s = prepare(db)));
    this.s = s;
  }

  /** Does the register hold any withdrawn grant (so letters must check what they leave out)? */
  anyWithdrawn(): boolean {
    return this.s.anyWithdrawn.get() !== undefined;
  }

  /** The published decisions figures come from (an FOI response is not cited back to itself). */
  decisionRefs(refs: (string | null)[]): string[] {
    return [...new Set(refs.filter((r): r is string => !!r))].filter((r) => this.s.sourceKind.get(r) === 'decision').sort();
  }

  private detail(id: string): GrantDetail {
    let d = this.details.get(id);
    if (!d) {
      d = this.s.grant.get(id) as GrantDetail;
      this.details.set(id, d);
    }
    return d;
  }

  defaultHeader(column: string, themeName: string | null): string {
    if (column.startsWith('flag:')) {
      const q = this.s.flagQuestion.get(column.slice(5)) as string | undefined;
      if (!q) throw new DataError(`unknown flag "${column.slice(5)}" in columns`);
      return q;
    }
    if (column.startsWith('figure:')) {
      const l = this.s.measureLabel.get(column.slice(7)) as string | undefined;
      if (!l) throw new DataError(`unknown measure "${column.slice(7)}" in columns`);
      return l;
    }
    switch (column) {
      case 'grant': return 'Name of grant';
      case 'programme': return 'Programme';
      case 'amount': return 'Grant amount';
      case 'basis': return 'Basis';
      case 'period': return 'Period';
      case 'provider': return 'Service provider';
      case 'recipient': return 'Recipient';
      case 'funder': return 'Funder';
      case 'services': return 'Services provided';
      case 'description': return 'Description';
      case 'operating-in': return 'Operating in';
      case 'financial-year': return 'Financial year';
      case 'source': return 'Source';
      case 'outcome': {
        const label = themeName ? (this.s.themeLabel.get(themeName) as string | undefined) : undefined;
        return label ? `${label} outcome` : 'Outcome';
      }
      default: throw new DataError(`unknown column "${column}"`);
    }
  }

  private figure(column: string, grantId: string, lines: GrantRow[], tableYear: number | null): Figure | undefined {
    return this.s.figure.get(grantId, column.slice(7), tableYear ?? lines[0].fyStart ?? -1) as Figure | undefined;
  }

  /** `cell`'s value typed for the workbook: a count as a number; everything else its words. */
  sheetCell(column: string, grantId: string, lines: GrantRow[], tableYear: number | null, value: string): SheetCell {
    if (column.startsWith('figure:')) {
      const f = this.figure(column, grantId, lines, tableYear);
      if (f && f.n !== null && !['unknown', 'not_held', 'not_applicable'].includes(f.status)) return num(f.n);
    }
    return text(value);
  }

  /**
   * A non-amount cell for one table row (the money lines of one grant and recipient). `tableYear`
   * is the year of a per-year table, for figures of a line that covers several years.
   */
  cell(column: string, grantId: string, lines: GrantRow[], themeName: string | null, body: BodyView, tableYear: number | null): string {
    const d = this.detail(grantId);
    if (column.startsWith('flag:')) {
      const v = this.s.flag.get(grantId, column.slice(5)) as string | undefined;
      return v === 'y' ? 'Y' : v === 'n' ? 'N' : 'Not known';
    }
    if (column.startsWith('figure:')) {
      const f = this.figure(column, grantId, lines, tableYear);
      if (!f || f.status === 'unknown') return 'Not known';
      if (f.status === 'not_held') return f.wording ?? `${body.shortName} does not hold this data`;
      if (f.status === 'not_applicable') return f.wording ?? 'N/A';
      return f.n !== null ? formatNumber(f.n) : f.t ?? '';
    }
    switch (column) {
      case 'grant': return d.title;
      case 'programme': return d.programme ?? NOT_STATED;
      case 'basis': return basisCell(lines);
      case 'period': return distinct(lines.map((l) => l.period ?? l.financialYear)).join(', ') || NOT_STATED;
      case 'provider': {
        const recipients = distinct(lines.map((l) => l.recipient));
        const partners = this.s.partners.all(grantId) as { name: string; role: string | null }[];
        if (partners.length) return partners.map((p) => (p.role ? `${p.name} (${p.role})` : p.name)).join('; ');
        return recipients[0] ?? d.recipient ?? NOT_STATED;
      }
      case 'recipient': return distinct(lines.map((l) => l.recipient)).join('; ') || d.recipient || NOT_STATED;
      case 'funder': return distinct(lines.map((l) => l.funder)).join('; ') || NOT_STATED;
      case 'services': return d.services ?? d.description ?? NOT_STATED;
      case 'description': return d.description ?? NOT_STATED;
      case 'operating-in': return (this.s.locations.all(grantId) as string[]).join(', ') || NOT_STATED;
      case 'financial-year': return distinct(lines.map((l) => l.financialYear ?? l.period)).join(', ') || NOT_STATED;
      case 'source': return distinct(lines.map((l) => l.sourceRef)).join('; ') || d.sourceRef || NOT_STATED;
      case 'outcome': {
        if (!themeName) return NOT_STATED;
        return (this.s.outcome.get(grantId, themeName) as string | null | undefined) ?? NOT_STATED;
      }
      default: throw new DataError(`unknown column "${column}"`);
    }
  }
}

/** `budget`, `revised budget`, `grant and match funding`; a superseded line says so. */
function basisCell(lines: GrantRow[]): string {
  const labels = distinct(lines.map((l) => BASIS_LABELS[l.basis] + (l.superseded ? ' (superseded)' : '')));
  return labels.join(' and ');
}

export function distinct(values: (string | null)[]): string[] {
  return [...new Set(values.filter((v): v is string => !!v))];
}
