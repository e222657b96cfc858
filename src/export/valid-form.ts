/**
 * A record in a form the 360Giving schema accepts, with what had to change kept in
 * `foi.asPublished` (so importing the export gives the record back exactly as first published).
 *
 * Most records pass as they are and are exported untouched. For one that does not, in turn:
 * 1. a field foi reads in a normalised form takes that form (`fromOpenCall` "Y" -> "Yes",
 *    `currency` "gbp" -> "GBP", a UK date -> 2019-01-24, `£1,234.50` -> 1234.5);
 * 2. a value that is still invalid and that the schema does not require is left out of the
 *    standard fields (a web address without https://, a dateModified with no time): guessing
 *    `http://` or a time would be inventing;
 * 3. a missing description becomes an empty one.
 * The published value of every field so changed is in `foi.asPublished`.
 */
import type { ErrorObject } from 'ajv';
import { rebuildRecord, sameJson } from '../register/published-record.js';
import { grantValidator } from '../import/360/schema.js';
import { FOI_FORMAT, FOI_KEY, type FoiExtension } from './extension.js';

type Obj = Record<string, unknown>;

const ABSENT = '$absent';

const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

/** Schema errors of a record, or null when it is valid. */
export function schemaErrors(rec: Obj): ErrorObject[] | null {
  const validate = grantValidator();
  return validate(rec) ? null : [...(validate.errors ?? [])];
}

function segments(pointer: string): string[] {
  return pointer === '' ? [] : pointer.slice(1).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** Removes the value at a JSON pointer (an object key, or a list item); false when there is nothing there. */
function removeAt(rec: Obj, pointer: string): boolean {
  const segs = segments(pointer);
  if (!segs.length) return false;
  let parent: any = rec;
  for (let i = 0; i < segs.length - 1; i++) {
    parent = parent?.[segs[i]];
    if (parent === null || typeof parent !== 'object') return false;
  }
  const last = segs[segs.length - 1];
  if (Array.isArray(parent)) {
    const k = Number(last);
    if (!(k >= 0 && k < parent.length)) return false;
    parent.splice(k, 1);
    return true;
  }
  if (!(last in parent)) return false;
  delete parent[last];
  return true;
}

/** Later and deeper paths first (list items by number: item 10 after item 9). */
function laterFirst(a: string, b: string): number {
  const x = segments(a);
  const y = segments(b);
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    if (x[i] === y[i]) continue;
    const m = Number(x[i]);
    const n = Number(y[i]);
    if (Number.isInteger(m) && Number.isInteger(n)) return n - m;
    return x[i] < y[i] ? 1 : -1;
  }
  return y.length - x.length;
}

/** Top-level keys the schema requires (whichever recipient the record has). */
function requiredKeys(rec: Obj): Set<string> {
  const base = ['id', 'title', 'description', 'currency', 'amountAwarded', 'awardDate', 'fundingOrganization'];
  base.push(rec.recipientIndividual !== undefined && rec.recipientOrganization === undefined ? 'recipientIndividual' : 'recipientOrganization');
  return new Set(base);
}

export type ValidForm = { ok: true; record: Obj } | { ok: false; path: string; message: string };

/**
 * `original` (a record as published, or as the register gives it) in a schema-valid form.
 * `normalised`: foi's reading of the fields it holds in columns (columnsRecord), used first.
 */
export function validForm(original: Obj, normalised: Obj): ValidForm {
  if (!schemaErrors(original)) return { ok: true, record: original };
  const { [FOI_KEY]: ext, ...body } = original;
  let rec = clone(body) as Obj;
  if (typeof rec.description !== 'string') {
    // An empty description, where the standard puts it (after the title).
    const { id, title, description: _, ...rest } = rec;
    rec = { id, title, description: '', ...rest };
  }
  let errors = schemaErrors(rec);
  for (let pass = 0; errors && pass < 3; pass++) {
    const required = requiredKeys(rec);
    // Deepest first, and later list items first, so a removal does not move what is still to do.
    const paths = [...new Set(errors.map((e) => e.instancePath).filter((p) => p !== ''))].sort(laterFirst);
    for (const path of paths) {
      const top = segments(path)[0];
      if (pass === 0 && top in normalised && !sameJson(normalised[top], rec[top])) {
        rec[top] = clone(normalised[top]);
        continue;
      }
      if (segments(path).length === 1 && required.has(top)) continue;
      removeAt(rec, path);
    }
    errors = schemaErrors(rec);
  }
  if (errors) {
    const e = errors.find((x) => x.keyword !== 'anyOf' && x.keyword !== 'oneOf') ?? errors[0];
    return { ok: false, path: e.instancePath || '/', message: `${e.message ?? 'invalid'}${e.params && 'missingProperty' in e.params ? ` (${String(e.params.missingProperty)})` : ''}` };
  }
  // What changed, as published: the keys whose value differs, and the keys the original did not have.
  const asPublished: Obj = {};
  const absent: string[] = [];
  for (const k of Object.keys(body)) if (!sameJson(body[k], rec[k])) asPublished[k] = body[k];
  for (const k of Object.keys(rec)) if (!(k in body)) absent.push(k);
  if (absent.length) asPublished[ABSENT] = absent;
  const prior = ext && typeof ext === 'object' && !Array.isArray(ext) ? (ext as FoiExtension) : null;
  const foi: FoiExtension = { ...(prior ?? { format: FOI_FORMAT }), format: FOI_FORMAT, asPublished };
  return { ok: true, record: { ...rec, [FOI_KEY]: foi } };
}

/**
 * The record as it was before the export changed it (the inverse of validForm): the standard
 * fields with `foi.asPublished` put back, and the rest of the extension kept.
 */
export function beforeExport(rec: Obj, ext: FoiExtension): Obj {
  const { [FOI_KEY]: _, ...body } = rec;
  const { asPublished, ...rest } = ext;
  const out = asPublished ? rebuildRecord(body, asPublished, null) : body;
  // The extension's other contents (a register grant's money lines) stay with the record.
  if (Object.keys(rest).some((k) => k !== 'format')) out[FOI_KEY] = rest;
  return out;
}
