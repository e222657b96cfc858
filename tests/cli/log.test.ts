/**
 * `foi log …` and `foi stats` end to end through bin/foi, with "today" fixed by FOI_TODAY.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { foi, json, tempDir } from '../helpers/cli.js';

/** A fresh register file; `run` calls foi on it with today fixed. */
function register() {
  const dir = tempDir('foi-log-');
  const db = join(dir, 'log.sqlite');
  const init = foi(['init', '--db', db]);
  expect(init.code).toBe(0);
  const run = (args: string[], today = '2023-08-10', env: Record<string, string | undefined> = {}) =>
    foi(args, { env: { FOI_DB: db, FOI_TODAY: today, ...env } });
  return { dir, db, run };
}

type Shown = {
  reference: string;
  requester?: { name: string | null; email: string | null; address: string[] };
  wording?: string | null;
  personalDataRemovedAt: string | null;
  clock: { due: string | null; state: string; daysLeft: number | null; flag: string | null; closed: { on: string; outcome: string; timeliness: string; exemptions: string[] } | null; warnings: string[]; review: { due: string; requestedLate: boolean; closed: unknown } | null; extension: { permitted: boolean; until: string } | null; trace?: { date: string; kind: string; detail: string | null }[] };
  history: { id: number; kind: string; status: string; by: number | null; summary: string; command: string }[];
};
type Stats = { period: { from: string; to: string; asOf: string }; foi: Record<string, any>; eir: Record<string, any> };

describe('foi log add, show and the FOI 556 worked example', () => {
  it('FOI 556 received 25 July 2023 is due 23 August 2023 and, answered that day, counts as in time in foi stats', () => {
    const { run } = register();
    const add = run(['log', 'add', 'FOI 556', '--received', '25/07/2023', '--requester', 'Ms A Person', '--email', 'a.person@example.org', '--address', '1 High Street', '--address', 'London', '--wording', 'Q1. The name of the programme']);
    expect(add.stderr).toBe('');
    expect(add.stdout).toBe('FOI 556: logged, received 2023-07-25, due 2023-08-23; open: 9 working days left on 10 August 2023\n');
    const close = run(['log', 'close', 'FOI 556', '--on', '2023-08-23', '--outcome', 'granted'], '2023-08-23');
    expect(close.code).toBe(0);
    expect(close.stdout).toBe('FOI 556 #2: closed on 23 August 2023: granted in full\n  answered on 23 August 2023 (granted in full): in time\n');
    const s = json<Stats>(run(['stats', '--quarter', '2023-Q3', '--format', 'json'], '2023-10-05'));
    expect(s.period).toEqual({ from: '2023-07-01', to: '2023-09-30', asOf: '2023-10-05' });
    expect(s.foi.received).toBe(1);
    expect(s.foi.timeliness).toEqual({ answered: 1, inTime: 1, withinExtension: 0, late: 0, percentTimely: 100 });
    expect(s.foi.outcomes.grantedInFull).toBe(1);
    expect(s.eir.received).toBe(0);
    // The same figures by dates, and as text.
    const t = run(['stats', '--from', '2023-07-01', '--to', '2023-09-30'], '2023-10-05');
    expect(t.stdout).toMatch(/^Answered within 20 working days\s+1\s+0$/m);
    expect(t.stdout).toContain('Requests received 2023-07-01 to 2023-09-30; as at 2023-10-05.');
  });

  it('show gives the facts, the clock and the history; --explain every day', () => {
    const { run } = register();
    run(['log', 'add', 'FOI 556', '--received', '2023-07-25', '--requester', 'Ms A Person', '--email', 'a.person@example.org']);
    const r = run(['log', 'show', 'foi 556']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('FOI 556 (Freedom of Information Act 2000)\nreceived:   Tuesday 25 July 2023\nrequester:  Ms A Person <a.person@example.org>\n');
    expect(r.stdout).toContain('status:     open: 9 working days left on 10 August 2023\ndue:        Wednesday 23 August 2023\n');
    expect(r.stdout).toMatch(/#1 received 25 July 2023 \(Freedom of Information Act 2000\) \(recorded \d{4}-\d\d-\d\d \d\d:\d\d UTC by foi log add\)/);
    const red = run(['log', 'show', 'FOI 556', '--redact']).stdout;
    expect(red).toContain('requester:  (left out: --redact)\n');
    expect(red).not.toMatch(/Person|example\.org/);
    const e = run(['log', 'show', 'FOI 556', '--explain']);
    expect(e.stdout).toContain('  not counted: Monday 7 August 2023 (bank holiday in Scotland: Summer bank holiday)\n');
    expect(e.stdout).toContain('  -- today: Thursday 10 August 2023 --\n');
    expect(e.stdout).toContain('  day 20: Wednesday 23 August 2023 (the 20th working day, s.10(1))\n');
  });

  it('refuses a duplicate, an unknown reference, a future date and bad input with the right exit codes', () => {
    const { run, db } = register();
    expect(run(['log', 'add', 'FOI 1', '--received', '2023-08-01']).code).toBe(0);
    const dup = run(['log', 'add', 'foi  1', '--received', '2023-08-02']);
    expect([dup.code, dup.stderr]).toEqual([1, 'foi: FOI 1 is already in the log (received 1 August 2023); correct it with foi log edit "FOI 1"\n']);
    const unknown = run(['log', 'show', 'FOI 9']);
    expect([unknown.code, unknown.stderr]).toEqual([1, 'foi: no request FOI 9 in the log; add it with foi log add\n']);
    const future = run(['log', 'add', 'FOI 2', '--received', '2023-08-11']);
    expect([future.code, future.stderr]).toEqual([1, 'foi: the date received (11 August 2023) is in the future; today is 10 August 2023\n']);
    const bad = run(['log', 'clarify', 'FOI 1', '--asked', '31/02/2023']);
    expect([bad.code, bad.stderr]).toEqual([2, 'foi: --asked: "31/02/2023" is not a real date (read as day/month/year)\n']);
    const missing = run(['log', 'close', 'FOI 1', '--on', '2023-08-09']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("required option '--outcome <outcome>' not specified");
    const outcome = run(['log', 'close', 'FOI 1', '--on', '2023-08-09', '--outcome', 'maybe']);
    expect(outcome.code).toBe(2);
    expect(outcome.stderr).toContain("argument 'maybe' is invalid");
    const section = run(['log', 'close', 'FOI 1', '--on', '2023-08-09', '--outcome', 'partly', '--exemption', 's.99']);
    expect([section.code, section.stderr]).toEqual([2, 'foi: --exemption: "s.99" is not an exemption of the Freedom of Information Act; expected a section from 21 to 44, e.g. 40(2) or s.43(2)\n']);
    const early = run(['log', 'close', 'FOI 1', '--on', '2023-07-31', '--outcome', 'granted']);
    expect([early.code, early.stderr]).toEqual([1, 'foi: FOI 1: the response (31 July 2023) is before the request was received (1 August 2023)\n']);
    // None of the failures wrote anything: one event, the receipt.
    expect(json<Shown>(run(['log', 'show', 'FOI 1', '--format', 'json'])).history.map((h) => h.kind)).toEqual(['logged']);
    // A missing register is not created by a read or an event.
    const none = foi(['log', 'list'], { env: { FOI_DB: join(db, '..', 'nope.sqlite') } });
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('no register at');
  });

  it('needs a register file: the embedded register has no log', () => {
    const r = foi(['log', 'list']);
    expect([r.code, r.stderr]).toEqual([2, 'foi: the request log lives in a register file: give --db PATH or set FOI_DB (create one with "foi init --db PATH")\n']);
  });

  it('edit corrects the date received and the history says what changed (not the personal values)', () => {
    const { run } = register();
    run(['log', 'add', 'FOI 3', '--received', '2023-07-26', '--requester', 'Jo']);
    const r = run(['log', 'edit', 'FOI 3', '--received', '2023-07-25', '--requester', 'Jo Bloggs']);
    expect(r.stdout).toBe('FOI 3: corrected received, requester name; open: 9 working days left on 10 August 2023\n');
    const s = json<Shown>(run(['log', 'show', 'FOI 3', '--format', 'json']));
    expect(s.clock.due).toBe('2023-08-23');
    expect(s.requester?.name).toBe('Jo Bloggs');
    expect(s.history[1].summary).toBe('corrected: received 2023-07-26 -> 2023-07-25; requester name changed');
    expect(s.history[1].summary).not.toContain('Bloggs');
  });
});

describe('the clock through the CLI', () => {
  it('clarification received on 12 July 2023, a bank holiday in Northern Ireland only, restarts the 20 days', () => {
    const { run } = register();
    run(['log', 'add', 'FOI 600', '--received', '2023-07-03'], '2023-07-03');
    const asked = run(['log', 'clarify', 'FOI 600', '--asked', '2023-07-05'], '2023-07-05');
    expect(asked.stdout).toBe('FOI 600 #2: clarification asked for on 5 July 2023\n  on hold: awaiting clarification asked for on 5 July 2023 (today is 5 July 2023)\n');
    const list = run(['log', 'list', '--format', 'json'], '2023-07-11');
    expect(json<{ requests: { reference: string; due: string | null; status: string }[] }>(list).requests[0]).toMatchObject({ due: null, status: 'on hold: awaiting clarification' });
    const got = run(['log', 'clarified', 'FOI 600', '--on', '2023-07-12'], '2023-07-13');
    expect(got.stdout).toBe('FOI 600 #3: clarification received on 12 July 2023: the count restarts\n  open: 19 working days left on 13 July 2023; due 2023-08-10\n');
    const e = run(['log', 'show', 'FOI 600', '--explain'], '2023-07-13');
    expect(e.stdout).toContain('  clarification asked: Wednesday 5 July 2023 (s.1(3): the body need not comply until it arrives; the count stops)\n');
    expect(e.stdout).toContain('  not counted: Tuesday 11 July 2023 (awaiting clarification asked for on 5 July 2023)\n');
    expect(e.stdout).toContain('  clarification received: Wednesday 12 July 2023 (day 0 again: the 20 working days start afresh from the next working day, s.1(3); not a working day: bank holiday in Northern Ireland: Battle of the Boyne (Orangemen\'s Day))\n');
    expect(e.stdout).toContain('  day 1: Thursday 13 July 2023\n');
    expect(e.stdout).toContain('  20th working day: Thursday 10 August 2023, counted from the clarification received on 12 July 2023\n');
    // Out of order: a second clarification arriving with none asked for.
    const again = run(['log', 'clarified', 'FOI 600', '--on', '2023-07-13'], '2023-07-13');
    expect([again.code, again.stderr]).toEqual([1, 'foi: FOI 600: no clarification is outstanding; record the request for it first: foi log clarify "FOI 600" --asked DATE\n']);
  });

  it('a fee period spanning Christmas is disregarded, both ends included', () => {
    const { run } = register();
    run(['log', 'add', 'FOI 700', '--received', '2025-12-01'], '2025-12-01');
    const notice = run(['log', 'fee', 'FOI 700', '--notice', '2025-12-19', '--amount', '£25'], '2025-12-19');
    expect(notice.stdout).toBe('FOI 700 #2: fees notice given on 19 December 2025 (£25.00)\n  on hold: awaiting the fee (notice given 19 December 2025; today is 19 December 2025)\n');
    expect(notice.stderr).toContain('if it is not paid within three months (s.9(2)) the body need not comply');
    const unpaid = run(['log', 'paid', 'FOI 700', '--on', '2025-12-18'], '2026-01-05');
    expect(unpaid.stderr).toBe('foi: FOI 700: the fee (18 December 2025) cannot be received before the fees notice was given (19 December 2025)\n');
    const paid = run(['log', 'paid', 'FOI 700', '--on', '2026-01-05'], '2026-01-05');
    expect(paid.stdout).toBe('FOI 700 #3: fee received on 5 January 2026\n  open: 7 working days left on 5 January 2026; due 2026-01-14\n');
    const e = run(['log', 'show', 'FOI 700', '--explain'], '2026-01-05').stdout;
    for (const d of ['Friday 19 December 2025', 'Wednesday 24 December 2025', 'Wednesday 31 December 2025', 'Monday 5 January 2026']) {
      expect(e).toContain(`  disregarded: ${d} (fee period: notice given 19 December 2025, fee received 5 January 2026; s.10(2))\n`);
    }
    expect(e).toContain('  not counted: Friday 2 January 2026 (bank holiday in Scotland: 2 January)\n');
    expect(e).toContain('  20th working day: Wednesday 14 January 2026, counted from receipt on 1 December 2025, with 8 working days disregarded for the fee\n');
  });

  it('a public interest extension: permitted with a warning beyond 20 extra working days; corrected by re-running', () => {
    const { run } = register();
    run(['log', 'add', 'FOI 701', '--received', '2023-08-01'], '2023-08-01');
    const long = run(['log', 'extend', 'FOI 701', '--pit', '--until', '2023-10-27', '--exemption', 's.43(2)', '--notice', '2023-08-25'], '2023-08-25');
    expect(long.code).toBe(0);
    expect(long.stdout).toBe('FOI 701 #2: s.17 notice sent on 25 August 2023: public interest extension to 27 October 2023 (section 43(2))\n  open: 44 working days left on 25 August 2023; due 2023-10-27\n');
    expect(long.stderr).toBe('foi: warning: FOI 701: the public interest extension is 41 working days beyond the 20th working day; the ICO expects no more than 20\n');
    const fixed = run(['log', 'extend', 'FOI 701', '--pit', '--until', '2023-09-28', '--exemption', '43(2)', '--notice', '2023-08-25'], '2023-08-25');
    expect(fixed.stdout.split('\n')[0]).toBe('FOI 701 #3: s.17 notice sent on 25 August 2023: public interest extension to 28 September 2023 (section 43(2)) (supersedes #2)');
    expect(fixed.stderr).toBe('');
    run(['log', 'close', 'FOI 701', '--on', '2023-09-27', '--outcome', 'partly', '--exemption', '43(2)'], '2023-09-27');
    const s = json<Shown>(run(['log', 'show', 'FOI 701', '--format', 'json'], '2023-09-27'));
    expect(s.clock.closed).toMatchObject({ timeliness: 'in-extension', exemptions: ['43(2)'] });
    expect(s.history.map((h) => [h.id, h.status, h.by])).toEqual([[1, 'in force', null], [2, 'superseded', 3], [3, 'in force', null], [4, 'in force', null]]);
    expect(run(['log', 'show', 'FOI 701'], '2023-09-27').stdout).toContain('[superseded by #3]');
    const st = json<Stats>(run(['stats', '--quarter', '2023Q3', '--format', 'json'], '2023-10-02'));
    expect(st.foi.timeliness).toMatchObject({ answered: 1, inTime: 0, withinExtension: 1, late: 0 });
    expect(st.foi.exemptions).toEqual({ '43(2)': 1 });
    // An FOI request has no EIR extension, and the other way round.
    const wrong = run(['log', 'extend', 'FOI 701', '--eir-complex'], '2023-09-27');
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain('the request is closed');
  });

  it('an EIR request extended to 40 working days as complex and voluminous', () => {
    const { run } = register();
    run(['log', 'add', 'EIR 12', '--received', '2023-11-01', '--regime', 'eir'], '2023-11-01');
    const pit = run(['log', 'extend', 'EIR 12', '--pit', '--until', '2023-12-20', '--exemption', '43(2)'], '2023-11-20');
    expect([pit.code, pit.stderr]).toEqual([1, 'foi: EIR 12: this is an EIR request: the public interest extension is FOIA s.10(3); for EIR use foi log extend --eir-complex\n']);
    const ext = run(['log', 'extend', 'EIR 12', '--eir-complex'], '2023-11-20');
    expect(ext.stdout).toBe('EIR 12 #2: applicant told on 20 November 2023: complex and voluminous, 40 working days (reg 7(1))\n  open: 27 working days left on 20 November 2023; due 2024-01-03\n');
    const list = run(['log', 'list'], '2023-12-20');
    expect(list.stdout).toMatch(/EIR 12\s+2023-11-01\s+2024-01-03\s+6\s+open \(40 working days, reg 7\)/);
    run(['log', 'close', 'EIR 12', '--on', '2023-12-21', '--outcome', 'partly', '--exemption', 'reg 12(5)(e)'], '2023-12-21');
    const st = json<Stats>(run(['stats', '--quarter', '2023-Q4', '--format', 'json'], '2024-01-10'));
    expect(st.eir.received).toBe(1);
    expect(st.eir.timeliness).toMatchObject({ withinExtension: 1, inTime: 0 });
    expect(st.eir.exemptions).toEqual({ '12(5)(e)': 1 });
    expect(st.foi.received).toBe(0);
  });

  it('an internal review: due in 20 working days, late request flagged, decision and stats; an ICO complaint', () => {
    const { run } = register();
    run(['log', 'add', 'FOI 556', '--received', '2023-07-25'], '2023-07-25');
    run(['log', 'close', 'FOI 556', '--on', '2023-08-23', '--outcome', 'partly', '--exemption', '40(2)'], '2023-08-23');
    const review = run(['log', 'review', 'FOI 556', '--received', '2023-11-10'], '2023-11-10');
    // Due 11 December: St Andrew's Day (30 November, Scotland) is not counted.
    expect(review.stdout).toBe('FOI 556 #3: internal review asked for on 10 November 2023\n  internal review asked for on 10 November 2023 (56 working days after the response: late), due 11 December 2023 (20 working days); open, 20 working days left\n');
    expect(review.stderr).toBe('foi: warning: FOI 556: the internal review was asked for 56 working days after the response of 23 August 2023, more than 40: it is late, and the body may decline it\n');
    const queue = json<{ requests: { reference: string; due: string; status: string; state: string }[] }>(run(['log', 'list', '--open', '--format', 'json'], '2023-12-01'));
    expect(queue.requests).toEqual([expect.objectContaining({ reference: 'FOI 556', due: '2023-12-11', status: 'internal review', state: 'review' })]);
    const decided = run(['log', 'review-close', 'FOI 556', '--on', '2023-12-12', '--outcome', 'partly'], '2023-12-12');
    expect(decided.stdout).toContain('decided on 12 December 2023: original decision partly overturned, late');
    const ico = run(['log', 'ico', 'FOI 556', '--received', '2024-01-15', '--case', 'IC-123456-A1B2'], '2024-01-15');
    expect(ico.stdout.split('\n')[0]).toBe('FOI 556 #5: complaint to the ICO received on 15 January 2024 (case IC-123456-A1B2)');
    expect(run(['log', 'ico-close', 'FOI 556', '--on', '2024-03-01', '--outcome', 'not-upheld'], '2024-03-01').code).toBe(0);
    const q4 = json<Stats>(run(['stats', '--quarter', '2023-Q4', '--format', 'json'], '2024-03-01'));
    expect(q4.foi.received).toBe(0);
    expect(q4.foi.internalReviews).toEqual({ received: 1, requestedLate: 1, decided: 1, inTime: 0, late: 1, open: 0, outcomes: { upheld: 0, partlyOverturned: 1, overturned: 0 } });
    const q1 = json<Stats>(run(['stats', '--quarter', 'Q1 2024', '--format', 'json'], '2024-03-01'));
    expect(q1.foi.icoComplaints).toEqual({ received: 1, decided: 1 });
    const noReview = run(['log', 'review-close', 'FOI 556', '--on', '2024-03-01', '--outcome', 'sideways'], '2024-03-01');
    expect(noReview.code).toBe(2);
  });

  it('void takes a wrong event out of the clock and keeps it in the history', () => {
    const { run } = register();
    run(['log', 'add', 'FOI 5', '--received', '2023-07-25'], '2023-07-25');
    run(['log', 'close', 'FOI 5', '--on', '2023-08-01', '--outcome', 'not-held'], '2023-08-01');
    const closedFee = run(['log', 'fee', 'FOI 5', '--notice', '2023-08-02'], '2023-08-02');
    expect(closedFee.stderr).toBe('foi: FOI 5: the request is closed (answered on 1 August 2023 (information not held): in time); to reopen it, void the response: foi log void "FOI 5" --event 2\n');
    const v = run(['log', 'void', 'FOI 5', '--event', '2', '--reason', 'closed the wrong request'], '2023-08-02');
    expect(v.stdout).toBe('FOI 5: #2 voided; open: 14 working days left on 2 August 2023\n');
    const s = json<Shown>(run(['log', 'show', 'FOI 5', '--format', 'json'], '2023-08-02'));
    expect(s.history.map((h) => [h.kind, h.status])).toEqual([['logged', 'in force'], ['close', 'voided'], ['void', 'in force']]);
    expect(s.history[2].summary).toBe('voided #2: closed the wrong request');
    const twice = run(['log', 'void', 'FOI 5', '--event', '2'], '2023-08-02');
    expect([twice.code, twice.stderr]).toEqual([1, 'foi: #2 of FOI 5 is already voided (by #3)\n']);
    expect(run(['log', 'void', 'FOI 5', '--event', '1'], '2023-08-02').stderr).toContain('cannot be voided');
  });
});

describe('foi log list', () => {
  function queue() {
    const r = register();
    r.run(['log', 'add', 'FOI 10', '--received', '2023-07-03', '--requester', '=HYPERLINK("http://x.example")', '--email', 'x@example.org'], '2023-07-03');
    r.run(['log', 'add', 'FOI 11', '--received', '2023-07-25', '--requester', 'Ms Due Soon'], '2023-07-25');
    r.run(['log', 'add', 'FOI 12', '--received', '2023-08-09', '--requester', 'Mr Later'], '2023-08-09');
    r.run(['log', 'add', 'FOI 13', '--received', '2023-07-10'], '2023-07-10');
    r.run(['log', 'close', 'FOI 13', '--on', '2023-07-20', '--outcome', 'cost'], '2023-07-20');
    return r;
  }

  it('sorts by due date with working days left, marks overdue (!!) and due within 5 working days (!)', () => {
    const { run } = queue();
    const r = run(['log', 'list'], '2023-08-17');
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toMatch(/^\s+Reference\s+Received\s+Due\s+Days left\s+Status\s+Requester$/);
    expect(lines[2]).toMatch(/^!!\s+FOI 10\s+2023-07-03\s+2023-08-01\s+-11\s+overdue\s+=HYPERLINK/);
    expect(lines[3]).toMatch(/^\s+FOI 13\s+2023-07-10\s+2023-08-09\s+closed: refused: cost limit \(s\.12\)$/);
    expect(lines[4]).toMatch(/^!\s+FOI 11\s+2023-07-25\s+2023-08-23\s+4\s+open\s+Ms Due Soon$/);
    expect(lines[5]).toMatch(/^\s+FOI 12\s+2023-08-09\s+2023-09-07\s+14\s+open\s+Mr Later$/);
    expect(lines[6]).toBe('4 requests; !! overdue, ! due within 5 working days');
    expect(r.stdout).not.toContain('\x1b[');
  });

  it('colours overdue red and due soon yellow at a terminal (FORCE_COLOR), never with NO_COLOR', () => {
    const { run } = queue();
    const c = run(['log', 'list'], '2023-08-17', { FORCE_COLOR: '1' });
    expect(c.stdout).toMatch(/\x1b\[31m!!\s+FOI 10.*\x1b\[39m/);
    expect(c.stdout).toMatch(/\x1b\[33m!\s+FOI 11.*\x1b\[39m/);
    const n = run(['log', 'list'], '2023-08-17', { FORCE_COLOR: '1', NO_COLOR: '1' });
    expect(n.stdout).not.toContain('\x1b[');
    expect(n.stdout).toMatch(/^!!\s+FOI 10/m);
  });

  it('filters --open, --overdue and --due-before', () => {
    const { run } = queue();
    const refs = (args: string[]) => json<{ requests: { reference: string }[] }>(run(['log', 'list', ...args, '--format', 'json'], '2023-08-17')).requests.map((x) => x.reference);
    expect(refs([])).toEqual(['FOI 10', 'FOI 13', 'FOI 11', 'FOI 12']);
    expect(refs(['--open'])).toEqual(['FOI 10', 'FOI 11', 'FOI 12']);
    expect(refs(['--overdue'])).toEqual(['FOI 10']);
    expect(refs(['--due-before', '23/08/2023'])).toEqual(['FOI 10', 'FOI 11']);
    expect(run(['log', 'list', '--due-before', 'soon']).code).toBe(2);
  });

  it('csv neutralises formulas and --redact leaves out personal data in csv, json and md', () => {
    const { run } = queue();
    const csv = run(['log', 'list', '--format', 'csv'], '2023-08-17').stdout;
    expect(csv.split('\r\n')[0]).toBe('Reference,Regime,Received,Due,Working days left,Status,Flag,Responded,Requester,Email,Address');
    expect(csv).toContain('FOI 10,FOI,2023-07-03,2023-08-01,-11,overdue,overdue,,"\'=HYPERLINK(""http://x.example"")",x@example.org,\r\n');
    const red = run(['log', 'list', '--format', 'csv', '--redact'], '2023-08-17').stdout;
    expect(red.split('\r\n')[0]).toBe('Reference,Regime,Received,Due,Working days left,Status,Flag,Responded');
    expect(red).not.toMatch(/HYPERLINK|example\.org|Due Soon/);
    const j = run(['log', 'list', '--format', 'json', '--redact'], '2023-08-17').stdout;
    expect(j).not.toMatch(/HYPERLINK|example\.org|Due Soon|requester/);
    expect(JSON.parse(j).requests[0]).toEqual({
      reference: 'FOI 10', regime: 'foi', received: '2023-07-03', outcome: null, responded: null, due: '2023-08-01', workingDaysLeft: -11,
      status: 'overdue', state: 'open', flag: 'overdue',
    });
    const md = run(['log', 'list', '--format', 'md', '--redact'], '2023-08-17').stdout;
    expect(md).toContain('|  | Reference | Received | Due | Days left | Status |');
    expect(md).not.toContain('Requester');
  });
});

describe('foi log import', () => {
  it('imports a spreadsheet log all or nothing, with every error located', () => {
    const { run, dir } = register();
    const bad = join(dir, 'bad.csv');
    writeFileSync(bad, [
      'Reference,Received,Requester,Status,Responded,Outcome,Exemptions',
      'FOI 901,31/02/2023,A,closed,2023-03-01,granted,',
      'FOI 902,2023-02-01,B,open,2023-03-01,,',
      'FOI 902,2023-02-02,C,,,,',
      ',2023-02-01,D,closed,,nonsense,s.99',
      'FOI 905,2023-02-01,E,closed,2023-02-20,granted,40(2)',
      'FOI 906,2023-02-01,F,closed,2023-01-20,not held,',
      'FOI 907,2023-02-01,G,sent?,2023-02-20,withheld,',
      'FOI 908,2023-02-01',
    ].join('\n') + '\n');
    const r = run(['log', 'import', bad], '2023-06-01');
    expect(r.code).toBe(1);
    expect(r.stderr.split('\n')).toEqual([
      'foi: log import failed: 12 errors; nothing was written to the log',
      '  bad.csv, row 2, column "Received": "31/02/2023" is not a real date (read as day/month/year) (value: "31/02/2023")',
      '  bad.csv, row 3, column "Responded": is given but Status says open; a request with a response date is closed (value: "2023-03-01")',
      '  bad.csv, row 4, column "Reference": is also on row 3; each request goes on one row (value: "FOI 902")',
      "  bad.csv, row 5, column \"Reference\": is empty; expected the request's reference, e.g. FOI 556",
      '  bad.csv, row 5, column "Outcome": expected one of granted, partly, withheld, not-held, cost, vexatious, withdrawn, lapsed or a Cabinet Office category (granted in full, partially withheld, withheld in full, information not held, s.12, s.14, withdrawn, lapsed) (value: "nonsense")',
      '  bad.csv, row 5, column "Exemptions": "s.99" is not an exemption of the Freedom of Information Act; expected a section from 21 to 44, e.g. 40(2) or s.43(2) (value: "s.99")',
      '  bad.csv, row 5, column "Responded": is empty but Status says closed; expected the date the request was answered or closed',
      '  bad.csv, row 6, column "Exemptions": a request granted in full cites no exemption; exemptions go with outcomes partly and withheld (value: "40(2)")',
      '  bad.csv, row 7, column "Responded": is before the date received (2023-02-01) (value: "2023-01-20")',
      '  bad.csv, row 8, column "Status": expected open, in progress, ongoing, pending, closed, answered, responded, complete, completed, sent, done, withdrawn, lapsed (or empty: closed when Responded is given) (value: "sent?")',
      '  bad.csv, row 8, column "Outcome": a request withheld in full must name the exemption(s) relied on (value: "withheld")',
      '  bad.csv, row 9: has 2 fields but the header has 7',
      '',
    ]);
    expect(json<{ count: number }>(run(['log', 'list', '--format', 'json'], '2023-06-01')).count).toBe(0);

    const good = join(dir, 'log.csv');
    writeFileSync(good, [
      'Reference,Received,Requester,Status,Responded,Outcome,Exemptions,Regime',
      'FOI 801,03/04/2023,"=HYPERLINK(""http://evil.example"")",Closed,2023-04-28,Granted in full,,FOI',
      'FOI 802,2023-04-05,Jo Bloggs,open,,,,',
      'FOI 803,2023-04-06,Sam,,2023-05-11,partially withheld,"s.40(2); s.43(2)",',
      'FOI 804,2023-04-07,,withdrawn,2023-04-20,,,',
      'EIR 805,2023-04-11,,closed,2023-05-02,withheld,12(5)(e),EIR',
    ].join('\r\n') + '\r\n');
    const dry = run(['log', 'import', good, '--dry-run'], '2023-06-01');
    expect(dry.stdout).toBe('log.csv: 5 requests (4 closed, 1 open) checked; dry run: nothing written\n');
    expect(json<{ count: number }>(run(['log', 'list', '--format', 'json'], '2023-06-01')).count).toBe(0);
    const ok = run(['log', 'import', good], '2023-06-01');
    expect([ok.code, ok.stdout]).toEqual([0, 'log.csv: 5 requests (4 closed, 1 open) added to the log\n']);
    const s = json<Stats>(run(['stats', '--from', '2023-04-01', '--to', '2023-06-30', '--format', 'json'], '2023-06-01'));
    expect(s.foi.received).toBe(4);
    expect(s.foi.outcomes).toMatchObject({ grantedInFull: 1, partiallyWithheld: 1, withdrawnOrLapsed: 1 });
    expect(s.foi.timeliness).toMatchObject({ answered: 2, inTime: 1, late: 1 });
    expect(s.foi.open).toEqual({ total: 1, onHold: 0, overdue: 1 });
    expect(s.foi.exemptions).toEqual({ '40(2)': 1, '43(2)': 1 });
    expect(s.eir.outcomes.withheldInFull).toBe(1);
    const shown = json<Shown>(run(['log', 'show', 'FOI 801', '--format', 'json'], '2023-06-01'));
    expect(shown.requester?.name).toBe('=HYPERLINK("http://evil.example")');
    expect(shown.history.map((h) => h.command)).toEqual(['foi log import log.csv', 'foi log import log.csv']);
    // Importing the same file again is refused whole.
    const again = run(['log', 'import', good], '2023-06-01');
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('log.csv, row 2, column "Reference": is already in the log (received 2023-04-03)');
  });

  it('rejects a header it does not know', () => {
    const { run, dir } = register();
    const f = join(dir, 'x.csv');
    writeFileSync(f, 'Ref,Received\nFOI 1,2023-01-01\n');
    const r = run(['log', 'import', f]);
    expect(r.stderr).toBe([
      'foi: log import failed: 2 errors; nothing was written to the log',
      '  x.csv, row 1, column "Ref": unknown column (column 1); expected Reference, Received, Requester, Status, Responded, Outcome, Exemptions, Regime, Email, Address, Wording',
      '  x.csv, row 1, column "Reference": the header has no "Reference" column',
      '',
    ].join('\n'));
  });
});

describe('foi log purge', () => {
  it('removes names, e-mails and addresses from requests closed before a date; keeps dates, outcomes and stats', () => {
    const { run } = register();
    const add = (ref: string, received: string) =>
      run(['log', 'add', ref, '--received', received, '--requester', `Requester of ${ref}`, '--email', 'r@example.org', '--address', '1 High St', '--wording', 'Please tell me about grants'], received);
    add('FOI 1', '2023-01-09');
    add('FOI 2', '2023-01-10');
    add('FOI 3', '2023-01-11');
    add('FOI 4', '2023-06-01');
    run(['log', 'close', 'FOI 1', '--on', '2023-02-01', '--outcome', 'granted'], '2023-02-01');
    run(['log', 'close', 'FOI 2', '--on', '2023-02-02', '--outcome', 'not-held'], '2023-02-02');
    run(['log', 'close', 'FOI 3', '--on', '2023-02-03', '--outcome', 'partly', '--exemption', '40(2)'], '2023-02-03');
    run(['log', 'review', 'FOI 3', '--received', '2023-02-20'], '2023-02-20');
    const before = json<Stats>(run(['stats', '--quarter', '2023-Q1', '--format', 'json'], '2024-06-01'));
    const dry = run(['log', 'purge', '--closed-before', '2024-01-01', '--dry-run'], '2024-06-01');
    expect(dry.stdout).toBe([
      'FOI 1: would remove requester name, e-mail, postal address',
      'FOI 2: would remove requester name, e-mail, postal address',
      'FOI 3: kept (internal review open)',
      'personal data would be removed from 2 requests closed before 1 January 2024; 1 request kept (dry run: nothing written)',
      '',
    ].join('\n'));
    expect(json<Shown>(run(['log', 'show', 'FOI 1', '--format', 'json'], '2024-06-01')).requester?.name).toBe('Requester of FOI 1');
    const r = run(['log', 'purge', '--closed-before', '2024-01-01'], '2024-06-01');
    expect(r.stdout.split('\n').slice(-2)[0]).toBe('personal data removed from 2 requests closed before 1 January 2024; 1 request kept');
    const s = json<Shown>(run(['log', 'show', 'FOI 1', '--format', 'json'], '2024-06-01'));
    expect(s.requester).toEqual({ name: null, email: null, address: [] });
    expect(s.wording).toBe('Please tell me about grants');
    expect(s.personalDataRemovedAt).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(s.history.at(-1)?.summary).toBe('personal data removed: requester name, e-mail, postal address');
    expect(s.clock.closed).toMatchObject({ on: '2023-02-01', outcome: 'granted', timeliness: 'in-time' });
    expect(run(['log', 'show', 'FOI 1'], '2024-06-01').stdout).toMatch(/requester: {2}\(personal data removed \d{4}-\d\d-\d\d by foi log purge\)/);
    expect(json<Shown>(run(['log', 'show', 'FOI 3', '--format', 'json'], '2024-06-01')).requester?.name).toBe('Requester of FOI 3');
    expect(json<Shown>(run(['log', 'show', 'FOI 4', '--format', 'json'], '2024-06-01')).requester?.name).toBe('Requester of FOI 4');
    expect(json<Stats>(run(['stats', '--quarter', '2023-Q1', '--format', 'json'], '2024-06-01'))).toEqual(before);
    // --wording removes the request's words too; nothing is left to remove a second time.
    const w = run(['log', 'purge', '--closed-before', '2024-01-01', '--wording'], '2024-06-01');
    expect(w.stdout).toContain('FOI 1: removed wording\n');
    expect(json<Shown>(run(['log', 'show', 'FOI 1', '--format', 'json'], '2024-06-01')).wording).toBeNull();
    expect(run(['log', 'purge', '--closed-before', '2024-01-01', '--wording'], '2024-06-01').stdout).toContain('removed from 0 requests');
    const csv = run(['log', 'list', '--format', 'csv'], '2024-06-01').stdout;
    expect(csv).not.toContain('Requester of FOI 1');
    expect(csv).toContain('Requester of FOI 4');
  });
});

describe('FOI_TODAY', () => {
  it('is checked: a bad value is a usage error', () => {
    const { run } = register();
    const r = run(['log', 'list'], 'tomorrow');
    expect([r.code, r.stderr]).toEqual([2, 'foi: FOI_TODAY "tomorrow": "tomorrow" is not a date; expected YYYY-MM-DD or DD/MM/YYYY\n']);
  });
});

describe('the log in the register file', () => {
  it('lives beside the grants, and its history cannot be rewritten', async () => {
    const { run, db } = register();
    run(['log', 'add', 'FOI 1', '--received', '2023-08-01']);
    const Database = (await import('better-sqlite3')).default;
    const raw = new Database(db);
    try {
      expect(raw.prepare('SELECT kind, date FROM log_event').all()).toEqual([{ kind: 'logged', date: '2023-08-01' }]);
      expect(() => raw.prepare("UPDATE log_event SET date = '2023-07-01'").run()).toThrow(/append-only/);
      expect(() => raw.prepare('DELETE FROM log_event').run()).toThrow(/append-only/);
    } finally {
      raw.close();
    }
    expect(readFileSync(db).subarray(0, 15).toString()).toBe('SQLite format 3');
  });
});
