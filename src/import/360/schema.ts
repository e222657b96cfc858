/**
 * The official 360Giving JSON schema (1.4.3, vendored in schemas/360giving/) checked with ajv,
 * in tiers like the 360Giving data quality tool:
 *
 * - ERRORS: what foi cannot read (map-grant.ts decides: it reports them with its own, more
 *   specific message, so a schema error at the same place adds nothing).
 * - SCHEMA WARNINGS: the value breaks the schema but foi read it (`fromOpenCall` "Y" read as Yes,
 *   `currency` "gbp", a UK date where the schema wants 2019-01-24, `£1,234.50` in a spreadsheet)
 *   or does not depend on it (a `url` that is not a URI, a `dateModified` without a time). The
 *   register keeps the value as published; the warning says what foi read it as.
 * - QUALITY NOTICES: map-grant.ts's warnings (zero amounts, future dates, org-id prefixes).
 *
 * The validator is compiled once per process (about 60 ms) and only by `foi import`; a valid
 * record costs a few microseconds.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { packageFile } from '../../core/package-file.js';
import { describe, type Ctx } from './context.js';

export const SCHEMA_DIR = 'schemas/360giving';

let compiled: ValidateFunction | null = null;
let grantSchema: Record<string, any> | null = null;

/** The grant schema (360-giving-schema.json) as vendored. */
export function loadGrantSchema(): Record<string, any> {
  return (grantSchema ??= JSON.parse(readFileSync(packageFile(`${SCHEMA_DIR}/360-giving-schema.json`, import.meta.url), 'utf8')));
}

/** The compiled validator for one grant, compiled on first use. */
export function grantValidator(): ValidateFunction {
  if (compiled) return compiled;
  // ajv is CommonJS; require keeps its default export simple under NodeNext.
  const require = createRequire(import.meta.url);
  const Ajv2020 = require('ajv/dist/2020').default as typeof import('ajv/dist/2020.js').default;
  const addFormats = require('ajv-formats').default as typeof import('ajv-formats').default;
  // validateSchema off: the schema names the draft as http://json-schema.org/draft/2020-12/schema
  // (ajv knows it as https://…); strict off: it uses annotation keywords of its own (codelist, rollUp).
  const ajv = new Ajv2020({ allErrors: true, strict: false, validateSchema: false });
  addFormats(ajv);
  // The same dates and web addresses recur through a file (a committee's award date, a funder's
  // site): their format checks (regular expressions and calendar checks, a few µs) are memoised.
  const { fullFormats } = require('ajv-formats/dist/formats') as typeof import('ajv-formats/dist/formats.js');
  const dateTime = fullFormats['date-time'] as { validate: (s: string) => boolean; compare: (a: string, b: string) => number | undefined };
  ajv.addFormat('date-time', { type: 'string', validate: memo(dateTime.validate), compare: dateTime.compare });
  ajv.addFormat('uri', { type: 'string', validate: memo(fullFormats.uri as (s: string) => boolean) });
  const validate = ajv.compile(loadGrantSchema());
  compiled = validate;
  return validate;
}

/** A string check, memoised (bounded: a file of all-different values cannot grow it forever). */
function memo(check: (s: string) => boolean): (s: string) => boolean {
  const seen = new Map<string, boolean>();
  return (s: string) => {
    let r = seen.get(s);
    if (r === undefined) {
      if (seen.size >= 20_000) seen.clear();
      r = check(s);
      // A copy as the key: the value may be a slice of a file chunk and would keep all of it alive.
      seen.set((' ' + s).slice(1), r);
    }
    return r;
  };
}

const pointerPaths = new Map<string, string>();

/** `/recipientOrganization/0/url` -> `recipientOrganization[0].url` (the mapper's paths); memoised, paths recur. */
function pathOfPointer(pointer: string): string {
  let p = pointerPaths.get(pointer);
  if (p === undefined) {
    if (pointerPaths.size >= 10_000) pointerPaths.clear();
    p = pointerToPath(pointer);
    pointerPaths.set(pointer, p);
  }
  return p;
}

function pointerToPath(pointer: string): string {
  if (pointer === '') return '';
  let out = '';
  for (const raw of pointer.slice(1).split('/')) {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (/^\d+$/.test(seg)) out += `[${seg}]`;
    else out += out ? `.${seg}` : seg;
  }
  return out;
}

function valueAt(record: unknown, pointer: string): unknown {
  let v: any = record;
  if (pointer === '') return v;
  for (const raw of pointer.slice(1).split('/')) {
    if (v === null || typeof v !== 'object') return undefined;
    v = v[raw.replace(/~1/g, '/').replace(/~0/g, '~')];
  }
  return v;
}

const TYPE_WORDS: Record<string, string> = { number: 'a number', string: 'text', array: 'a list', object: 'an object', null: 'null', integer: 'a whole number', boolean: 'true or false' };

function typeWords(t: unknown): string {
  const list = Array.isArray(t) ? t : [t];
  return list.map((x) => TYPE_WORDS[String(x)] ?? String(x)).join(' or ');
}

/** The schema's rule, in words, for one ajv error. */
function explain(e: ErrorObject, path: string, value: unknown): string {
  const last = path.replace(/\[\d+\]$/, '').split('.').pop() ?? '';
  switch (e.keyword) {
    case 'type':
      return `expected ${typeWords(e.params.type)}, got ${describe(value)}`;
    case 'enum':
      if (last === 'currency') return 'not an ISO 4217 currency code as the schema lists them (upper case, e.g. GBP)';
      if (last === 'countryCode') return 'not an ISO 3166-1 two-letter country code as the schema lists them (upper case, e.g. GB)';
      if (last === 'fromOpenCall') return 'expected "Yes" or "No"';
      return `not one of the values the schema allows (${(e.params.allowedValues as unknown[]).slice(0, 6).map((v) => JSON.stringify(v)).join(', ')}…)`;
    case 'format':
      if (e.params.format === 'uri') return 'not a URI: a web address must be written in full, with its scheme (https://www.example.org/)';
      if (e.params.format === 'date-time') return 'not a date-time with a time zone (e.g. 2019-01-24T10:00:00Z)';
      return `not in ${e.params.format} format`;
    case 'oneOf':
      if (last === 'startDate' || last === 'endDate') return 'not a date (2019-01-24), date-time (2019-01-24T10:00:00Z), year (2019) or year-month (2019-04)';
      return 'not a date (2019-01-24) or a date-time (2019-01-24T10:00:00Z)';
    case 'required':
      return `${e.params.missingProperty} is required`;
    case 'minItems':
      return `needs at least ${e.params.limit} entr${e.params.limit === 1 ? 'y' : 'ies'}`;
    case 'minimum':
      return `must be ${e.params.limit} or more`;
    case 'uniqueItems':
      return 'has the same entry twice';
    default:
      return e.message ?? e.keyword;
  }
}

interface SchemaProblem {
  path: string;
  pointer: string;
  message: string;
  value: unknown;
}

/** ajv's errors for one record, one per place: oneOf branches folded into the oneOf, requirements named where they are missing. */
function problems(record: unknown, errors: ErrorObject[]): SchemaProblem[] {
  const out: SchemaProblem[] = [];
  const seen = new Set<string>();
  // A oneOf inside a field (dates): its branches' errors are the one problem "not a date or date-time".
  let oneOfAt: string[] | null = null;
  for (const e of errors) if (e.keyword === 'oneOf' && e.instancePath !== '') (oneOfAt ??= []).push(e.schemaPath + '/');
  let bothRecipients = false;
  // The grant-level oneOf (recipientOrganization or recipientIndividual, each with the same other
  // requirements): a key is missing when every branch misses it; the recipient when both do.
  const branchMissing: Set<string>[] = [new Set(), new Set()];
  for (const e of errors) {
    if (e.keyword !== 'required' || e.instancePath !== '') continue;
    const m = /^#\/oneOf\/(\d)\/required$/.exec(e.schemaPath);
    if (m) branchMissing[Number(m[1])]?.add(String(e.params.missingProperty));
  }
  for (const e of errors) {
    if (e.keyword === 'oneOf' && e.instancePath === '') {
      if (Array.isArray(e.params.passingSchemas)) bothRecipients = true;
      continue;
    }
    if (oneOfAt && e.keyword !== 'oneOf' && oneOfAt.some((s) => e.schemaPath.startsWith(s))) continue;
    let pointer = e.instancePath;
    if (e.keyword === 'required') {
      let missing = String(e.params.missingProperty);
      if (e.instancePath === '' && e.schemaPath.startsWith('#/oneOf/')) {
        if (missing === 'recipientOrganization' || missing === 'recipientIndividual') {
          if (!(branchMissing[0].has('recipientOrganization') && branchMissing[1].has('recipientIndividual'))) continue;
          missing = 'recipientOrganization';
          e.params.missingProperty = 'recipientOrganization (or recipientIndividual)';
        } else if (!(branchMissing[0].has(missing) && branchMissing[1].has(missing))) continue;
      }
      pointer = `${e.instancePath}/${missing}`;
    }
    const path = pathOfPointer(pointer);
    const value = e.keyword === 'required' ? undefined : valueAt(record, pointer);
    const message = explain(e, path, value);
    const key = `${path}\u0000${message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ path, pointer, message, value });
  }
  if (bothRecipients) out.push({ path: 'recipientIndividual', pointer: '/recipientIndividual', message: 'the grant has both recipientOrganization and recipientIndividual; the schema allows one or the other', value: valueAt(record, '/recipientIndividual') });
  return out;
}

/** True when `a` is `b` or inside it, or `b` inside `a` (`recipientOrganization[0]` and `recipientOrganization[0].id`). */
function related(a: string, b: string): boolean {
  if (a === b || a === '' || b === '') return true;
  const [short, long] = a.length < b.length ? [a, b] : [b, a];
  if (!long.startsWith(short)) return false;
  const c = long.charCodeAt(short.length);
  return c === 46 /* . */ || c === 91; /* [ */
}

/** At most this many schema warnings per record: a record of garbage says enough with a few. */
const MAX_PER_RECORD = 20;

/**
 * Checks one record against the schema and adds its schema warnings to `cx`: where the mapper
 * already reported an error or warning at the same place, that stands alone; where it noted a
 * normalisation, the note becomes the warning's "read as …".
 */
export function checkSchema(record: unknown, cx: Ctx): void {
  const validate = grantValidator();
  if (validate(record)) return;
  const found = problems(record, validate.errors ?? []);
  let added = 0;
  for (const p of found) {
    if (added >= MAX_PER_RECORD) break;
    const issuePaths = cx.issuePaths;
    if (issuePaths && issuePaths.some((q) => related(q, p.path))) continue;
    let readAs = '';
    const notePaths = cx.notePaths;
    if (notePaths && cx.notes) {
      const k = notePaths.indexOf(p.path);
      if (k !== -1) {
        readAs = `; read as ${JSON.stringify(cx.notes[k].to)}`;
        cx.notes.splice(k, 1);
        notePaths.splice(k, 1);
      }
    }
    cx.warn(p.path, `360Giving schema: ${p.message}${readAs || '; kept as published'}`, p.value, 'schema');
    added++;
  }
}
