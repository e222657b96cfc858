/**
 * The public body's details (name, letterhead, review contact, cost limit…) that letters use.
 * MOPAC's are shipped in `templates/body.yaml`; a body can supply its own YAML file instead.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseDocument } from 'yaml';
import { DataError, UsageError } from '../core/errors.js';
import { formatMoney, parseMoney } from '../core/money.js';
import type { BodyView } from './view-model.js';
import { parseSiteSection, type SiteSection } from '../publish/site-config.js';

/** s.12: £25 an hour (Appropriate Limit and Fees Regulations 2004, reg. 4(4)). */
export const COST_LIMIT_HOURLY_PENCE = 2500;

let shippedDirCache: string | null = null;

/**
 * The shipped `templates/` directory: the nearest directory above this module that contains
 * `templates/full-response.hbs`. Works from `src/letters/` (tests, tsx) and `dist/src/letters/`.
 */
export function shippedTemplatesDir(): string {
  if (shippedDirCache) return shippedDirCache;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, 'templates');
    if (existsSync(join(candidate, 'full-response.hbs'))) {
      shippedDirCache = candidate;
      return candidate;
    }
    const up = dirname(dir);
    if (up === dir) throw new DataError(`cannot find the shipped templates directory (templates/full-response.hbs) above ${fileURLToPath(import.meta.url)}`);
    dir = up;
  }
}

/** Path of the shipped body file (MOPAC's details). */
export function shippedBodyConfigPath(): string {
  return join(shippedTemplatesDir(), 'body.yaml');
}

type Check = { file: string; problems: string[] };

function str(c: Check, obj: Record<string, unknown>, key: string, path: string, required: boolean): string | null {
  const v = obj[key];
  if (v === undefined || v === null) {
    if (required) c.problems.push(`${path}: missing (required)`);
    return null;
  }
  if (typeof v !== 'string' || v.trim() === '') {
    c.problems.push(`${path}: expected text, got ${JSON.stringify(v)}`);
    return null;
  }
  return v.trim();
}

function url(c: Check, obj: Record<string, unknown>, key: string, path: string, required: boolean): string | null {
  const v = str(c, obj, key, path, required);
  if (v !== null && !/^https?:\/\/[^\s<>]+$/i.test(v)) c.problems.push(`${path}: expected an http(s) address, got "${v}"`);
  return v;
}

function record(c: Check, v: unknown, path: string, known: string[]): Record<string, unknown> | null {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) {
    c.problems.push(`${path}: expected a mapping of ${known.join(', ')}, got ${Array.isArray(v) ? 'a list' : JSON.stringify(v)}`);
    return null;
  }
  const obj = v as Record<string, unknown>;
  for (const k of Object.keys(obj)) {
    if (!known.includes(k)) c.problems.push(`${path ? `${path}.` : ''}${k}: unknown key (known: ${known.join(', ')})`);
  }
  return obj;
}

const TOP_KEYS = [
  'name', 'shortName', 'letterhead', 'address', 'email', 'reviewContact', 'nextStepsUrl', 'decisionsUrl', 'signatory', 'costLimit',
  'salutation', 'placeholders', 'site',
];
/** Keys whose values a body file may mark as placeholders (not yet configured). */
const PLACEHOLDER_KEYS = ['name', 'shortName', 'letterhead', 'address', 'email', 'reviewContact', 'nextStepsUrl', 'decisionsUrl', 'signatory', 'costLimit', 'salutation'];

/**
 * Validate a parsed body file. Unknown keys and missing required keys are errors naming the
 * file and the key. `email`, `decisionsUrl` and `costLimit` are optional (costLimit defaults
 * to £450 / 18 hours, the limit for bodies outside central government).
 */
export function validateBodyConfig(data: unknown, file: string): BodyView {
  return validateBodyFile(data, file).body;
}

export interface BodyFile {
  body: BodyView;
  /** The file as the user named it (`templates/body.yaml` for the shipped one). */
  file: string;
  /** Keys the file marks as placeholders that still need configuring (`placeholders:`). */
  placeholders: string[];
  /** The disclosure log website's house style (`site:`, for `foi publish`). */
  site: SiteSection;
}

export function validateBodyFile(data: unknown, file: string): BodyFile {
  const c: Check = { file, problems: [] };
  const top = record(c, data, '', TOP_KEYS);
  if (!top) throw new DataError(`${file}: ${c.problems[0]}`, c.problems);

  const name = str(c, top, 'name', 'name', true);
  const shortName = str(c, top, 'shortName', 'shortName', true);
  const letterhead = str(c, top, 'letterhead', 'letterhead', true);
  if (letterhead && /\n/.test(letterhead)) c.problems.push('letterhead: must be one line');
  let address: string[] = [];
  if (top.address === undefined || top.address === null) c.problems.push('address: missing (required)');
  else if (!Array.isArray(top.address) || top.address.length === 0 || top.address.some((l) => typeof l !== 'string' || l.trim() === '')) {
    c.problems.push('address: expected a list of address lines');
  } else address = top.address.map((l: string) => l.trim());
  const email = str(c, top, 'email', 'email', false);
  if (email && !/^[^\s@]+@[^\s@]+\.[A-Za-z]{2,}$/.test(email)) c.problems.push(`email: "${email}" is not an email address`);
  const reviewContact = str(c, top, 'reviewContact', 'reviewContact', true);
  const nextStepsUrl = url(c, top, 'nextStepsUrl', 'nextStepsUrl', true);
  const decisionsUrl = url(c, top, 'decisionsUrl', 'decisionsUrl', false);
  // Used when a letter has no requester name.
  const salutation = str(c, top, 'salutation', 'salutation', false) ?? 'Dear Sir or Madam';
  if (/\n/.test(salutation)) c.problems.push('salutation: must be one line');
  let placeholders: string[] = [];
  if (top.placeholders !== undefined && top.placeholders !== null) {
    if (!Array.isArray(top.placeholders) || top.placeholders.some((k) => typeof k !== 'string')) c.problems.push('placeholders: expected a list of key names');
    else {
      placeholders = top.placeholders as string[];
      for (const k of placeholders) if (!PLACEHOLDER_KEYS.includes(k)) c.problems.push(`placeholders: "${k}" is not a key of the body file (known: ${PLACEHOLDER_KEYS.join(', ')})`);
    }
  }

  let signatory = { name: '', title: '' };
  if (top.signatory === undefined || top.signatory === null) c.problems.push('signatory: missing (required)');
  else {
    const s = record(c, top.signatory, 'signatory', ['name', 'title']);
    if (s) signatory = { name: str(c, s, 'name', 'signatory.name', true) ?? '', title: str(c, s, 'title', 'signatory.title', true) ?? '' };
  }

  let costLimit = { amount: formatMoney(45000), hours: 18 };
  if (top.costLimit !== undefined && top.costLimit !== null) {
    const cl = record(c, top.costLimit, 'costLimit', ['amount', 'hours']);
    if (cl) {
      const amount = parseMoney(cl.amount);
      const hours = cl.hours;
      if (cl.amount === undefined) c.problems.push('costLimit.amount: missing (required)');
      else if (!amount.ok) c.problems.push(`costLimit.amount: ${amount.reason}`);
      if (hours === undefined) c.problems.push('costLimit.hours: missing (required)');
      else if (typeof hours !== 'number' || !Number.isInteger(hours) || hours <= 0) c.problems.push(`costLimit.hours: expected a whole number of hours, got ${JSON.stringify(hours)}`);
      if (amount.ok && typeof hours === 'number' && Number.isInteger(hours) && hours > 0) {
        if (amount.pence !== hours * COST_LIMIT_HOURLY_PENCE) {
          c.problems.push(`costLimit: ${formatMoney(amount.pence)} is not ${hours} hours at £25 an hour (${formatMoney(hours * COST_LIMIT_HOURLY_PENCE)})`);
        }
        costLimit = { amount: formatMoney(amount.pence), hours };
      }
    }
  }

  // Checked here so every command rejects a bad site key, not only foi publish.
  const site = parseSiteSection(top.site, c.problems);

  if (c.problems.length) {
    throw new DataError(`${file}: ${c.problems[0]}${c.problems.length > 1 ? ` (and ${c.problems.length - 1} more)` : ''}`, c.problems.map((p) => `${file}: ${p}`));
  }
  const body: BodyView = {
    name: name!,
    shortName: shortName!,
    letterhead: letterhead!,
    address,
    email,
    reviewContact: reviewContact!,
    nextStepsUrl: nextStepsUrl!,
    decisionsUrl,
    signatory,
    costLimit,
    salutation,
  };
  return { body, file, placeholders, site };
}

/**
 * The body's details: the shipped MOPAC file when `path` is null/undefined, else the user's
 * YAML file (validated strictly: errors name the file and the key).
 */
export function loadBodyConfig(path?: string | null): BodyView {
  return loadBodyFile(path).body;
}

/** The body file with what it still marks as placeholders (for the warning letters give). */
export function loadBodyFile(path?: string | null): BodyFile {
  const file = path ?? shippedBodyConfigPath();
  const shown = path ?? 'templates/body.yaml';
  if (path != null) {
    if (!existsSync(path)) throw new UsageError(`${path}: no such body file`);
    if (!statSync(path).isFile()) throw new UsageError(`${path}: not a file`);
  }
  const text = readFileSync(resolve(file), 'utf8');
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length) {
    const e = doc.errors[0];
    const line = e.linePos?.[0]?.line;
    throw new DataError(`${shown}${line ? ` line ${line}` : ''}: ${e.message.split('\n')[0]}`);
  }
  return validateBodyFile(doc.toJS(), shown);
}

/**
 * The warning for a body file that still holds placeholder values, or null. `foi answer` and
 * `foi batch` print it; with --strict it is an error and nothing is written.
 */
export function placeholderWarning(f: BodyFile): string | null {
  if (!f.placeholders.length) return null;
  return `${f.file} still holds placeholder values for ${f.placeholders.join(', ')}: configure them there, or pass your own with --body FILE (--strict refuses to write letters until then)`;
}
