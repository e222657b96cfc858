/**
 * `foi stats`: the body's FOI statistics for a period, in the categories of the Cabinet Office's
 * quarterly FOI statistics. Requests are counted by the date they were received; internal reviews
 * and ICO complaints by the date they arrived. Each request's clock is taken as at `asOf` (events
 * dated later are ignored), so a report can be re-run and give the same figures. FOI and EIR are
 * counted separately. Pure: takes log entries, returns figures.
 */
import type { IsoDate } from '../core/dates.js';
import type { LogEntry } from './requests.js';
import { compareSections, type Outcome, type Regime } from './values.js';

export interface RegimeStats {
  received: number;
  timeliness: {
    /** Answered (not withdrawn or lapsed) by asOf. */
    answered: number;
    inTime: number;
    withinExtension: number;
    late: number;
    /** (inTime + withinExtension) / answered, as a percentage to one decimal place; null when none answered. */
    percentTimely: number | null;
  };
  open: { total: number; onHold: number; overdue: number };
  outcomes: {
    grantedInFull: number;
    partiallyWithheld: number;
    withheldInFull: number;
    informationNotHeld: number;
    refusedCost: number;
    refusedVexatious: number;
    withdrawnOrLapsed: number;
  };
  /** Requests citing each section (FOI) or regulation (EIR), in the order of the Act. */
  exemptions: Record<string, number>;
  internalReviews: {
    received: number;
    requestedLate: number;
    decided: number;
    inTime: number;
    late: number;
    open: number;
    outcomes: { upheld: number; partlyOverturned: number; overturned: number };
  };
  icoComplaints: { received: number; decided: number };
}

export interface Stats {
  format: 'foi-stats/1';
  period: { from: IsoDate; to: IsoDate; asOf: IsoDate };
  foi: RegimeStats;
  eir: RegimeStats;
}

const OUTCOME_KEY: Record<Outcome, keyof RegimeStats['outcomes']> = {
  granted: 'grantedInFull', partly: 'partiallyWithheld', withheld: 'withheldInFull', 'not-held': 'informationNotHeld',
  cost: 'refusedCost', vexatious: 'refusedVexatious', withdrawn: 'withdrawnOrLapsed', lapsed: 'withdrawnOrLapsed',
};

function empty(): RegimeStats {
  return {
    received: 0,
    timeliness: { answered: 0, inTime: 0, withinExtension: 0, late: 0, percentTimely: null },
    open: { total: 0, onHold: 0, overdue: 0 },
    outcomes: { grantedInFull: 0, partiallyWithheld: 0, withheldInFull: 0, informationNotHeld: 0, refusedCost: 0, refusedVexatious: 0, withdrawnOrLapsed: 0 },
    exemptions: {},
    internalReviews: { received: 0, requestedLate: 0, decided: 0, inTime: 0, late: 0, open: 0, outcomes: { upheld: 0, partlyOverturned: 0, overturned: 0 } },
    icoComplaints: { received: 0, decided: 0 },
  };
}

/** `entries` must be taken as at `asOf` (RequestLog.entries(asOf)). */
export function computeStats(entries: LogEntry[], from: IsoDate, to: IsoDate, asOf: IsoDate): Stats {
  const by: Record<Regime, RegimeStats> = { foi: empty(), eir: empty() };
  const inPeriod = (d: IsoDate) => d >= from && d <= to;
  for (const { request, clock: c } of entries) {
    const s = by[request.regime];
    if (inPeriod(request.received)) {
      s.received++;
      if (c.closed) {
        s.outcomes[OUTCOME_KEY[c.closed.outcome]]++;
        if (c.closed.timeliness !== 'not-counted') s.timeliness.answered++;
        if (c.closed.timeliness === 'in-time') s.timeliness.inTime++;
        else if (c.closed.timeliness === 'in-extension') s.timeliness.withinExtension++;
        else if (c.closed.timeliness === 'late') s.timeliness.late++;
        for (const x of c.closed.exemptions) s.exemptions[x] = (s.exemptions[x] ?? 0) + 1;
      } else {
        s.open.total++;
        if (c.state !== 'open') s.open.onHold++;
        if (c.flag === 'overdue') s.open.overdue++;
      }
    }
    const r = c.review;
    if (r && inPeriod(r.received)) {
      const ir = s.internalReviews;
      ir.received++;
      if (r.requestedLate) ir.requestedLate++;
      if (r.closed) {
        ir.decided++;
        if (r.closed.inTime) ir.inTime++;
        else ir.late++;
        ir.outcomes[r.closed.outcome === 'upheld' ? 'upheld' : r.closed.outcome === 'partly' ? 'partlyOverturned' : 'overturned']++;
      } else ir.open++;
    }
    if (c.ico && inPeriod(c.ico.received)) {
      s.icoComplaints.received++;
      if (c.ico.closed) s.icoComplaints.decided++;
    }
  }
  for (const s of Object.values(by)) {
    const t = s.timeliness;
    t.percentTimely = t.answered ? Math.round(((t.inTime + t.withinExtension) * 1000) / t.answered) / 10 : null;
    s.exemptions = Object.fromEntries(Object.entries(s.exemptions).sort(([a], [b]) => compareSections(a, b)));
  }
  return { format: 'foi-stats/1', period: { from, to, asOf }, foi: by.foi, eir: by.eir };
}

/** The figures as labelled rows (table, md and csv output): [label, FOI, EIR]. */
export function statsRows(s: Stats): { label: string; foi: string; eir: string }[] {
  const rows: { label: string; foi: string; eir: string }[] = [];
  const add = (label: string, f: (r: RegimeStats) => number | null) => {
    const v = (r: RegimeStats) => {
      const n = f(r);
      return n === null ? '' : String(n);
    };
    rows.push({ label, foi: v(s.foi), eir: v(s.eir) });
  };
  add('Requests received', (r) => r.received);
  add('Answered within 20 working days', (r) => r.timeliness.inTime);
  add('Answered within a permitted extension', (r) => r.timeliness.withinExtension);
  add('Answered late', (r) => r.timeliness.late);
  add('Answered in time or in extension (%)', (r) => r.timeliness.percentTimely);
  add('Still open', (r) => r.open.total);
  add('  of which on hold (clarification or fee)', (r) => r.open.onHold);
  add('  of which overdue', (r) => r.open.overdue);
  add('Granted in full', (r) => r.outcomes.grantedInFull);
  add('Partially withheld', (r) => r.outcomes.partiallyWithheld);
  add('Withheld in full', (r) => r.outcomes.withheldInFull);
  add('Information not held', (r) => r.outcomes.informationNotHeld);
  add('Refused: cost limit (s.12)', (r) => r.outcomes.refusedCost);
  add('Refused: vexatious or repeated (s.14)', (r) => r.outcomes.refusedVexatious);
  add('Withdrawn or lapsed', (r) => r.outcomes.withdrawnOrLapsed);
  const sections = [...new Set([...Object.keys(s.foi.exemptions), ...Object.keys(s.eir.exemptions)])].sort(compareSections);
  for (const x of sections) {
    rows.push({ label: `Exemption or exception cited: ${x}`, foi: s.foi.exemptions[x] !== undefined ? String(s.foi.exemptions[x]) : '', eir: s.eir.exemptions[x] !== undefined ? String(s.eir.exemptions[x]) : '' });
  }
  add('Internal reviews received', (r) => r.internalReviews.received);
  add('  requested more than 40 working days after the response', (r) => r.internalReviews.requestedLate);
  add('  decided in time', (r) => r.internalReviews.inTime);
  add('  decided late', (r) => r.internalReviews.late);
  add('  still open', (r) => r.internalReviews.open);
  add('  original decision upheld', (r) => r.internalReviews.outcomes.upheld);
  add('  partly overturned', (r) => r.internalReviews.outcomes.partlyOverturned);
  add('  overturned', (r) => r.internalReviews.outcomes.overturned);
  add('Complaints to the ICO received', (r) => r.icoComplaints.received);
  add('  decided', (r) => r.icoComplaints.decided);
  return rows;
}
