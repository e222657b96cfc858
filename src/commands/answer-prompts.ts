/**
 * Interactive questions for `foi answer` when facts are missing and stdin is a terminal.
 * Loaded only then, so inquirer costs nothing elsewhere.
 */
import { checkbox, confirm, input, select } from '@inquirer/prompts';
import type { Db } from '../db/open.js';
import { parseDate } from '../core/dates.js';
import { formatFinancialYear } from '../core/financial-year.js';
import { emptyQuery, queryGrants, resolveThemes, yearsInRegister } from '../register/query.js';
import { parseFinancialYearList } from '../core/financial-year.js';
import { describeMatches } from '../letters/build-view.js';
import { lineAmount } from '../letters/letter-tables.js';
import { listTemplates } from '../letters/template-set.js';
import { parseRequestText, type RequestSpec } from '../letters/request.js';
import type { AnswerFlags } from './answer.js';

export async function promptForRequest(db: Db, f: AnswerFlags): Promise<RequestSpec> {
  const reference = f.ref ?? (await input({ message: 'Reference (e.g. FOI 556):', validate: (v) => (v.trim() ? true : 'A reference is needed') }));
  const received = f.received ?? (await input({
    message: 'Date received (e.g. 25/07/2023):',
    validate: (v) => { const d = parseDate(v); return d.ok ? true : d.reason; },
  }));
  const requester = f.requester ?? ((await input({ message: 'Requester name (optional):' })) || null);
  const years = yearsInRegister(db).map((y) => formatFinancialYear(y));
  const fy = f.fy.length ? f.fy : await checkbox({ message: 'Financial years:', choices: years.map((y) => ({ name: y, value: y })), required: true });
  const themes = db.prepare('SELECT name, label FROM theme ORDER BY label').all() as { name: string; label: string }[];
  const theme = f.theme.length ? f.theme : [await select({ message: 'Theme:', choices: [{ name: '(any)', value: '' }, ...themes.map((t) => ({ name: t.label, value: t.name }))] })].filter(Boolean);
  const flags = db.prepare('SELECT name, question FROM flag_def ORDER BY name').all() as { name: string; question: string }[];
  const columns = f.columns ? f.columns.split(',') : await checkbox({
    message: 'Columns:',
    choices: [
      { name: 'Name of grant', value: 'grant', checked: true }, { name: 'Amount', value: 'amount', checked: true },
      { name: 'Service provider', value: 'provider', checked: true }, { name: 'Services provided', value: 'services' },
      { name: 'Outcome for the theme', value: 'outcome' }, { name: 'Operating in', value: 'operating-in' },
      ...flags.map((x) => ({ name: `Y/N: ${x.question}`, value: `flag:${x.name}` })),
    ],
    required: true,
  });
  // Show what the register holds for these criteria before the officer says whether it is held.
  const matched = previewMatches(db, fy, theme);
  process.stderr.write(`\n${matched.summary}\n${matched.sample.map((l) => `  ${l}\n`).join('')}\n`);
  const outcome = f.outcome ?? (await select({ message: 'Outcome:', choices: ['held', 'partly held', 'not held'].map((o) => ({ name: o, value: o })) }));
  const despiteMatches = outcome !== 'held' && outcome !== 'partly held' && matched.count
    ? await input({
      message: `The register holds ${matched.count} matching money line${matched.count === 1 ? '' : 's'}. Why is this "${outcome}"? (kept in the answer record)`,
      validate: (v) => (v.trim() ? true : 'Say why, or go back and answer it as held'),
    })
    : null;
  const template = f.template ?? (await select({ message: 'Template:', choices: [{ name: '(chosen by outcome)', value: '' }, ...listTemplates(f.templates ?? null).map((t) => ({ name: t, value: t }))] }));
  const wording = f.wording ?? (await input({ message: "The requester's words (quoted in the letter):", validate: (v) => (v.trim() ? true : 'Please paste the request') }));
  const obj = {
    reference, requester, received, responseDate: f.responseDate ?? null, template: template || null,
    questions: [{ wording, outcome, criteria: { fy, theme }, columns, despiteMatches }],
  };
  return parseRequestText(JSON.stringify(obj), 'your answers');
}

/** What the criteria match, in words, with the first few lines. */
function previewMatches(db: Db, fy: string[], theme: string[]): { count: number; summary: string; sample: string[] } {
  const q = emptyQuery();
  q.years = parseFinancialYearList(fy);
  q.themes = resolveThemes(db, theme);
  const result = queryGrants(db, q);
  if (!result.count) return { count: 0, summary: 'The register holds no money lines matching these criteria.', sample: [] };
  const sample = result.rows.slice(0, 8).map((r) => `${r.financialYear ?? r.period ?? 'no year'}  ${r.title}  ${lineAmount(r)}`);
  if (result.count > 8) sample.push(`… and ${result.count - 8} more`);
  return { count: result.count, summary: `These criteria match ${describeMatches(result)} in the register:`, sample };
}

export async function confirmWrite(markdown: string): Promise<boolean> {
  process.stderr.write('\n----- preview -----\n' + markdown + '\n----- end of preview -----\n');
  return confirm({ message: 'Write the letter (Markdown and DOCX)?', default: true });
}
