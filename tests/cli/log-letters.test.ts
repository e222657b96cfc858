/**
 * The request log joined to letters: `foi answer` and `foi batch` take the facts a request leaves
 * out from the log, take the deadline from the log's clock (so a clarified, fee-paused or extended
 * request is not called late), and `foi answer` records the response in the log.
 */
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROOT, foi, json, tempDir } from '../helpers/cli.js';

const APOLOGY = 'I apologise for the delay in replying to you';

let template = '';
beforeAll(() => {
  // One register with the MOPAC sample data, copied for each test (init --sample takes a while).
  const dir = tempDir('foi-log-letters-');
  template = join(dir, 'template.sqlite');
  expect(foi(['init', '--db', template, '--sample']).code).toBe(0);
});

function register() {
  const dir = tempDir('foi-log-letters-');
  const db = join(dir, 'grants.sqlite');
  copyFileSync(template, db);
  const run = (args: string[], today: string, env: Record<string, string | undefined> = {}) =>
    foi(args, { env: { FOI_DB: db, FOI_TODAY: today, ...env }, cwd: dir });
  const file = (name: string, text: string) => {
    const p = join(dir, name);
    writeFileSync(p, text);
    return p;
  };
  const letter = (name: string) => readFileSync(join(dir, 'out', name), 'utf8');
  return { dir, db, run, file, letter };
}

type Shown = { clock: { closed: { on: string; outcome: string; timeliness: string; exemptions: string[] } | null }; history: { kind: string; status: string; summary: string; command: string }[] };

const STALKING = (ref: string, extra = '') => `reference: ${ref}
${extra}questions:
  - criteria: { fy: [2018-19], theme: stalking }
    columns: [grant, amount]
`;

describe('foi answer with a request in the log', () => {
  it('takes the date received, requester and wording from the log, and records the response and outcome', () => {
    const { run, file, letter } = register();
    run(['log', 'add', 'FOI 556', '--received', '2023-07-25', '--requester', 'Ms A Person', '--address', '1 High Street', '--address', 'London'], '2023-07-25');
    // The published FOI 556 request without its date received.
    const text = readFileSync(join(ROOT, 'examples', 'seed-003-foi-556.yaml'), 'utf8').replace(/^received: .*\n/m, '');
    expect(text).not.toContain('received:');
    const req = file('foi-556.yaml', text);
    const r = run(['answer', req, '--out', 'out', '--md-only', '--no-input'], '2023-08-23');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('  FOI 556: logged as answered on 23 August 2023 (#2), in time\n');
    const md = letter('FOI-556.md');
    expect(md).toContain('Ms A Person\\\n1 High Street\\\nLondon');
    expect(md).toContain('Dear Ms A Person,');
    expect(md).toContain('Thank you for your Freedom of Information request of 25 July 2023');
    expect(md).not.toContain(APOLOGY);
    const s = json<Shown>(run(['log', 'show', 'FOI 556', '--format', 'json'], '2023-08-23'));
    // Some questions answered, some not held: partially withheld, as the Cabinet Office counts it.
    expect(s.clock.closed).toEqual({ on: '2023-08-23', outcome: 'partly', exemptions: [], timeliness: 'in-time', workingDaysLate: 0 });
    expect(s.history[1]).toMatchObject({ kind: 'close', command: 'foi answer', summary: 'closed on 23 August 2023: partially withheld (letter FOI-556.md)' });
    // Writing the letter again records nothing new.
    const again = run(['answer', req, '--out', 'out', '--md-only', '--no-input'], '2023-08-24');
    expect(again.stdout).toContain('  FOI 556: the log already records the response of 23 August 2023\n');
    expect(json<Shown>(run(['log', 'show', 'FOI 556', '--format', 'json'], '2023-08-24')).history).toHaveLength(2);
    const stats = json<{ foi: { timeliness: { inTime: number } } }>(run(['stats', '--quarter', '2023-Q3', '--format', 'json'], '2023-10-01'));
    expect(stats.foi.timeliness.inTime).toBe(1);
  });

  it('lets the request file override the log, with a warning naming each field that differs', () => {
    const { run, file, letter } = register();
    run(['log', 'add', 'FOI 20', '--received', '2023-07-25', '--requester', 'Ms A Person', '--wording', 'Grants for stalking services'], '2023-07-25');
    const req = file('r.yaml', `reference: FOI 20
received: 2023-07-26
requester: Ms A N Other
responseDate: 2023-08-21
questions:
  - wording: All grants for stalking, 2018-19
    criteria: { fy: [2018-19], theme: stalking }
    columns: [grant, amount]
`);
    const r = run(['answer', req, '--out', 'out', '--md-only', '--no-input'], '2023-08-21');
    expect(r.code).toBe(0);
    const warnings = r.stderr.split('\n').filter((l) => l.includes('differs from the log'));
    expect(warnings).toEqual([
      "foi: warning: FOI 20: the request's date received (2023-07-26) differs from the log's (2023-07-25); the letter uses the request's",
      "foi: warning: FOI 20: the request's requester (Ms A N Other) differs from the log's (Ms A Person); the letter uses the request's",
      `foi: warning: FOI 20: the request's wording ("All grants for stalking, 2018-19") differs from the log's ("Grants for stalking services"); the letter uses the request's`,
    ]);
    // foi batch says the same, request by request.
    const b = run(['batch', join(req, '..'), '--out', 'batch-out'], '2023-08-21');
    expect(b.stderr.split('\n').filter((l) => l.includes('differs from the log'))).toEqual(warnings);
    const md = letter('FOI-20.md');
    expect(md).toContain('request of 26 July 2023');
    expect(md).toContain('Dear Ms A N Other,');
    expect(md).toContain('> All grants for stalking, 2018-19');
  });

  it('foi answer --ref takes the date received and wording from the log, and the log\'s spelling of the reference', () => {
    const { run, letter } = register();
    run(['log', 'add', 'FOI 21', '--received', '2023-08-01', '--wording', 'Please list the stalking grants of 2018-19.'], '2023-08-01');
    const r = run(['answer', '--ref', 'foi 21', '--fy', '2018-19', '--theme', 'stalking', '--out', 'out', '--md-only', '--no-input'], '2023-08-15');
    expect(r.code).toBe(0);
    const md = letter('FOI-21.md');
    expect(md).toContain('Our ref: FOI 21');
    expect(md).toContain('request of 1 August 2023');
    expect(md).toContain('> Please list the stalking grants of 2018-19.');
    expect(r.stdout).toContain('  FOI 21: logged as answered on 15 August 2023 (#2), in time\n');
    // Without the log, --received is needed.
    const none = foi(['answer', '--ref', 'FOI 22', '--fy', '2018-19', '--theme', 'stalking', '--out', 'out', '--no-input']);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('missing --received');
  });

  it('a clarified request answered after its original due date is not called late', () => {
    const { run, file, letter } = register();
    run(['log', 'add', 'FOI 600', '--received', '2023-07-03', '--wording', 'Stalking grants please'], '2023-07-03');
    run(['log', 'clarify', 'FOI 600', '--asked', '2023-07-05'], '2023-07-05');
    run(['log', 'clarified', 'FOI 600', '--on', '2023-07-12'], '2023-07-12');
    const req = file('r.yaml', STALKING('FOI 600', 'responseDate: 2023-08-09\n'));
    const r = run(['answer', req, '--out', 'out', '--md-only', '--no-input'], '2023-08-09');
    expect(r.stdout).toContain('FOI 600: held; due 10 August 2023;');
    expect(r.stdout).toContain('logged as answered on 9 August 2023 (#4), in time');
    expect(letter('FOI-600.md')).not.toContain(APOLOGY);
    // The same request with no log is late: due 1 August 2023.
    const plain = file('plain.yaml', STALKING('FOI 600', 'received: 2023-07-03\nresponseDate: 2023-08-09\n').replace('questions:\n  - ', 'questions:\n  - wording: Stalking grants please\n    '));
    const out = tempDir('foi-nolog-');
    const p = foi(['answer', plain, '--out', out, '--md-only', '--no-input']);
    expect(p.stdout).toContain('due 1 August 2023 (late: the letter apologises)');
    expect(readFileSync(join(out, 'FOI-600.md'), 'utf8')).toContain(APOLOGY);
  });

  it('a fee-paused request is not called late; a request on hold when answered gets a warning, not an apology', () => {
    const { run, file, letter } = register();
    run(['log', 'add', 'FOI 601', '--received', '2025-12-01', '--wording', 'Stalking grants please'], '2025-12-01');
    run(['log', 'fee', 'FOI 601', '--notice', '2025-12-19'], '2025-12-19');
    run(['log', 'paid', 'FOI 601', '--on', '2026-01-05'], '2026-01-05');
    const r = run(['answer', file('a.yaml', STALKING('FOI 601', 'responseDate: 2026-01-13\n')), '--out', 'out', '--md-only', '--no-input'], '2026-01-13');
    expect(r.stdout).toContain('FOI 601: held; due 14 January 2026;');
    expect(letter('FOI-601.md')).not.toContain(APOLOGY);

    run(['log', 'add', 'FOI 602', '--received', '2023-07-03', '--wording', 'Stalking grants please'], '2023-07-03');
    run(['log', 'clarify', 'FOI 602', '--asked', '2023-07-05'], '2023-07-05');
    const h = run(['answer', file('b.yaml', STALKING('FOI 602', 'responseDate: 2023-08-09\n')), '--out', 'out', '--md-only', '--no-input'], '2023-08-09');
    expect(h.code).toBe(0);
    expect(h.stderr).toContain('foi: warning: FOI 602: the log shows the request awaiting the clarification asked for on 5 July 2023 on 9 August 2023; if it has arrived, record it (foi log clarified / foi log paid) so the clock restarts');
    expect(letter('FOI-602.md')).not.toContain(APOLOGY);
  });

  it('a public interest extension: the letter says more time was needed, and is not late within it', () => {
    const { run, file, letter, dir } = register();
    run(['log', 'add', 'FOI 700', '--received', '2023-08-01', '--requester', 'Mr B', '--wording', 'Stalking grants please'], '2023-08-01');
    run(['log', 'extend', 'FOI 700', '--pit', '--until', '2023-09-28', '--exemption', '43(2)', '--notice', '2023-08-25'], '2023-08-25');
    const r = run(['answer', file('r.yaml', STALKING('FOI 700', 'responseDate: 2023-09-27\n')), '--out', 'out', '--md-only', '--no-input'], '2023-09-27');
    expect(r.stdout).toContain('FOI 700: held; due 28 September 2023;');
    expect(r.stdout).toContain('logged as answered on 27 September 2023 (#3), within the permitted extension');
    const md = letter('FOI-700.md');
    expect(md).toContain('Thank you for your Freedom of Information request of 1 August 2023 to the Mayor\'s Office for Policing And Crime (MOPAC).\n\n'
      + 'On 25 August 2023 we wrote to tell you that we needed more time to consider the public interest test for the exemption in section 43(2) of the Act, as section 10(3) allows, and that we would reply by 28 September 2023.\n\n'
      + 'I confirm that your request has been dealt with');
    expect(md).not.toContain(APOLOGY);
    // After the extended date the letter apologises, and still mentions the extension.
    const late = run(['answer', file('l.yaml', STALKING('FOI 700', 'responseDate: 2023-09-29\n')), '--out', 'late', '--md-only', '--no-input'], '2023-09-29');
    expect(late.stdout).toContain('(late: the letter apologises)');
    const lateMd = readFileSync(join(dir, 'late', 'FOI-700.md'), 'utf8');
    expect(lateMd).toContain(APOLOGY);
    expect(lateMd).toContain('On 25 August 2023 we wrote to tell you');
  });

  it('keeps an outcome the officer recorded, and does not record a letter dated after today', () => {
    const { run, file } = register();
    run(['log', 'add', 'FOI 30', '--received', '2023-08-01', '--wording', 'Stalking grants please'], '2023-08-01');
    run(['log', 'close', 'FOI 30', '--on', '2023-08-10', '--outcome', 'not-held'], '2023-08-10');
    const r = run(['answer', file('r.yaml', STALKING('FOI 30', 'responseDate: 2023-08-11\n')), '--out', 'out', '--md-only', '--no-input'], '2023-08-11');
    expect(r.stdout).toContain('  FOI 30: logged as answered on 11 August 2023 (#3, superseding #2), in time\n');
    const s = json<Shown>(run(['log', 'show', 'FOI 30', '--format', 'json'], '2023-08-11'));
    expect(s.clock.closed).toMatchObject({ on: '2023-08-11', outcome: 'not-held' });
    expect(s.history.map((h) => h.status)).toEqual(['in force', 'superseded', 'in force']);

    run(['log', 'add', 'FOI 31', '--received', '2023-08-01', '--wording', 'Stalking grants please'], '2023-08-01');
    const f = run(['answer', file('f.yaml', STALKING('FOI 31', 'responseDate: 2023-08-20\n')), '--out', 'out', '--md-only', '--no-input'], '2023-08-11');
    expect(f.code).toBe(0);
    expect(f.stderr).toContain('foi: warning: FOI 31: the letter is dated 20 August 2023, after today: not recorded in the log; record it with foi log close when it goes out');
    expect(json<Shown>(run(['log', 'show', 'FOI 31', '--format', 'json'], '2023-08-11')).clock.closed).toBeNull();
  });
});

describe('foi batch with requests in the log', () => {
  it('reads facts and deadlines from the log, and leaves the log as it was', () => {
    const { run, file, dir } = register();
    run(['log', 'add', 'FOI 600', '--received', '2023-07-03', '--requester', 'Ms C', '--wording', 'Stalking grants please'], '2023-07-03');
    run(['log', 'clarify', 'FOI 600', '--asked', '2023-07-05'], '2023-07-05');
    run(['log', 'clarified', 'FOI 600', '--on', '2023-07-12'], '2023-07-12');
    mkdirSync(join(dir, 'requests'));
    file('requests/foi-600.yaml', STALKING('FOI 600', 'responseDate: 2023-08-09\n'));
    const r = run(['batch', 'requests', '--out', 'letters', '--format', 'json'], '2023-08-09');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).counts).toEqual({ created: 1, changed: 0, unchanged: 0, failed: 0 });
    const md = readFileSync(join(dir, 'letters', 'FOI-600.md'), 'utf8');
    expect(md).toContain('request of 3 July 2023');
    expect(md).toContain('Dear Ms C,');
    expect(md).toContain('> Stalking grants please');
    expect(md).not.toContain(APOLOGY);
    expect(json<Shown>(run(['log', 'show', 'FOI 600', '--format', 'json'], '2023-08-09')).clock.closed).toBeNull();
    // The same batch in worker threads gives the same letter.
    const w = run(['batch', 'requests', '--out', 'letters', '--jobs', '2', '--format', 'json'], '2023-08-09');
    expect(JSON.parse(w.stdout).counts).toEqual({ created: 0, changed: 0, unchanged: 1, failed: 0 });
  });
});
