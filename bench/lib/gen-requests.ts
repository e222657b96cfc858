/**
 * 1,000 request files for `foi batch`, varied from the two shipped examples against the embedded
 * MOPAC register: examples/seed-003-foi-556.yaml (even numbers) and seed-000-stalking-grants.yaml
 * (odd numbers). Each gets its own reference (FOI B0001…), requester and received date, and a
 * fixed response date, so the letters are the same on every run; seed-000 variants also rotate
 * their financial years. Rewritten only when the set is missing or different.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { EXAMPLES } from './paths.js';

type Obj = Record<string, unknown>;

const DAY = 86_400_000;
const minusDays = (iso: string, n: number) => new Date(Date.parse(`${iso}T00:00:00Z`) - n * DAY).toISOString().slice(0, 10);
const iso = (v: unknown) => (v instanceof Date ? v.toISOString().slice(0, 10) : String(v));

const SEED_000_YEARS = [['2017-18', '2018-19'], ['2018-19'], ['2017-18', '2018-19', '2019-20'], ['2017-18']];

export function requestFor(i: number): { name: string; text: string } {
  const n = i + 1;
  const ref = `B${String(n).padStart(4, '0')}`;
  const even = i % 2 === 0;
  const src = join(EXAMPLES, even ? 'seed-003-foi-556.yaml' : 'seed-000-stalking-grants.yaml');
  const doc = parse(readFileSync(src, 'utf8')) as Obj;
  doc.reference = `FOI ${ref}`;
  doc.requester = { name: `Applicant ${n}`, address: [`${n} Example Street`, 'London'] };
  doc.received = minusDays(iso(doc.received), i % 10);
  doc.responseDate = even ? '2023-08-23' : '2019-02-28';
  if (!even) {
    const q = (doc.questions as Obj[])[0];
    (q.criteria as Obj).fy = SEED_000_YEARS[(i >> 1) % SEED_000_YEARS.length];
  }
  const ordered: Obj = { reference: doc.reference, requester: doc.requester, received: doc.received, responseDate: doc.responseDate, questions: doc.questions };
  return { name: `request-${ref}.yaml`, text: `# bench request ${n}, from ${even ? 'seed-003' : 'seed-000'}\n${stringify(ordered, { lineWidth: 0 })}` };
}

/** Write `count` request files into `dir` (reusing them when they are already there and the same). */
export function makeRequests(dir: string, count: number): { dir: string; count: number; reused: boolean } {
  const wanted = Array.from({ length: count }, (_, i) => requestFor(i));
  const names = new Set(wanted.map((w) => w.name));
  if (existsSync(dir)) {
    const have = readdirSync(dir);
    const same = have.length === count && wanted.every((w) => have.includes(w.name) && readFileSync(join(dir, w.name), 'utf8') === w.text);
    if (same) return { dir, count, reused: true };
    for (const f of have) if (!names.has(f)) rmSync(join(dir, f), { recursive: true, force: true });
  }
  mkdirSync(dir, { recursive: true });
  for (const w of wanted) writeFileSync(join(dir, w.name), w.text);
  return { dir, count, reused: false };
}
