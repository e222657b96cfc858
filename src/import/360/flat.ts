/**
 * The flat (spreadsheet) form of 360Giving: a header of column titles (`Recipient Org:Name`,
 * `Beneficiary Location:1:Name`) and rows of text cells, unflattened into the JSON shape of one
 * grant as the standard's flatten-tool does, then mapped and checked like a JSON record.
 *
 * Column titles come from the vendored schema's own `title`s (every field of the standard, not
 * a hand-kept list), matched trimmed and case-insensitively; a property's JSON name works too
 * (`recipientOrganization:0:id`). A group's item number is optional (`Recipient Org:Name` is item
 * 0). Cells of number fields become numbers when they are plain decimals (`1234.50`); anything
 * else stays text, for the mapper to read (`£1,234.50`) and the schema check to warn about. Cells
 * of lists of text (`Related Activity`) are split at `;`. Columns the standard does not define
 * are kept under their title, as a publisher's own keys in JSON are.
 *
 * THE SEAM for other readers (CSV today, XLSX next): hand `readFlat360` a FlatSource, the header
 * titles and batches of rows of text cells each with its 1-based row number (the header is
 * row 1), plus how to name a row in messages (`row 12`, `sheet "Grants", row 12`). Row numbers
 * rather than location strings, so that a duplicate id can name the row where it was first
 * used without keeping a million strings. Everything after the cells (unflattening, mapping,
 * schema check, duplicate ids) is shared.
 */
import { basename } from 'node:path';
import { todayInLondon } from '../../core/dates.js';
import type { ImportItem, Issue } from '../../register/types.js';
import { Ctx, type Obj } from './context.js';
import { restoreExported } from './foi-extension.js';
import { mapGrant, type MapOptions, type MapResult } from './map-grant.js';
import { RecordSink } from './record-sink.js';
import { checkSchema, loadGrantSchema } from './schema.js';

/** One data row of a flat file. */
export interface FlatRow {
  cells: string[];
  /** 1-based row number in the file (the header is row 1). */
  row: number;
}

/** What a flat reader (CSV, XLSX) hands over. */
export interface FlatSource {
  /** File name for messages. */
  file: string;
  header: string[];
  rows: AsyncIterable<FlatRow[]>;
  /** How to name a row in messages; default `row N`. */
  where?: (row: number) => string;
  /** Where the header is, for header problems; default `row 1`. */
  headerLocation?: string;
}

type LeafType = 'string' | 'number' | 'list';

interface SchemaNode {
  /** Children of an object (or of an array's item object), by normalised title and by normalised name. */
  children: Map<string, SchemaChild>;
}

interface SchemaChild {
  key: string;
  title: string;
  /** Array of objects: numbered items (`Recipient Org:1:Name`). */
  items: SchemaNode | null;
  /** A single object (`Recipient Ind:Name`). */
  object: SchemaNode | null;
  leaf: LeafType | null;
}

const norm = (t: string): string => t.trim().replace(/\s+/g, ' ').toLowerCase();

let root: SchemaNode | null = null;
let titleByPath: Map<string, string> | null = null;

/** The schema as a tree of titled fields, built once. */
function schemaTree(): SchemaNode {
  if (root) return root;
  const schema = loadGrantSchema();
  const defs = (schema.$defs ?? {}) as Record<string, any>;
  const resolve = (p: any): any => (p && typeof p.$ref === 'string' ? defs[p.$ref.split('/').pop()] : p);
  const types = (p: any): string[] => (Array.isArray(p?.type) ? p.type : p?.type ? [p.type] : []);
  const build = (props: Record<string, any>): SchemaNode => {
    const node: SchemaNode = { children: new Map() };
    for (const [key, raw] of Object.entries(props)) {
      const p = resolve(raw);
      const title: string = raw.title ?? p.title ?? key;
      const child: SchemaChild = { key, title, items: null, object: null, leaf: null };
      const t = types(p);
      if (t.includes('array')) {
        const it = resolve(p.items);
        if (it?.properties) child.items = build(it.properties);
        else child.leaf = 'list';
      } else if (t.includes('object') || p.properties) {
        child.object = build(p.properties ?? {});
      } else {
        child.leaf = t.includes('number') || t.includes('integer') ? 'number' : 'string';
      }
      node.children.set(norm(title), child);
      if (!node.children.has(norm(key))) node.children.set(norm(key), child);
    }
    return node;
  };
  root = build(schema.properties as Record<string, any>);
  return root;
}

/** The standard's flat column title for a JSON path (`recipientOrganization[1].id` -> `Recipient Org:1:Identifier`). */
export function flatTitleFor(path: string): string {
  if (!titleByPath) titleByPath = new Map();
  const hit = titleByPath.get(path);
  if (hit !== undefined) return hit;
  const parts: string[] = [];
  let node: SchemaNode | null = schemaTree();
  for (const seg of path.match(/[^.[\]]+|\[\d+\]/g) ?? []) {
    if (seg.startsWith('[')) {
      const n = seg.slice(1, -1);
      if (n !== '0') parts.push(n);
      continue;
    }
    const child: SchemaChild | undefined = node?.children.get(norm(seg));
    if (!child) {
      parts.push(seg);
      node = null;
      continue;
    }
    parts.push(child.title);
    node = child.items ?? child.object;
  }
  const title = parts.join(':') || path;
  titleByPath.set(path, title);
  return title;
}

/** One column's place in the record: the container it goes in, its key there, and how to read the cell. */
interface Leaf {
  idx: number;
  path: (string | number)[];
  type: LeafType;
  /** Index into the header's containers (the object or list the value goes in). */
  container: number;
  key: string;
}

/** An object or list inside a record (`recipientOrganization`, `recipientOrganization[0]`); 0 is the record itself. */
interface Container {
  parent: number;
  key: string | number;
  list: boolean;
}

/** Resolves a header title to a place in the record, or null when the standard has no such field. */
function placeOf(title: string): { path: (string | number)[]; type: LeafType } | null {
  const parts = title.split(':').map(norm);
  const path: (string | number)[] = [];
  let node: SchemaNode = schemaTree();
  for (let i = 0; i < parts.length; i++) {
    const child = node.children.get(parts[i]);
    if (!child) return null;
    path.push(child.key);
    if (child.leaf) return i === parts.length - 1 ? { path, type: child.leaf } : null;
    if (child.items) {
      let index = 0;
      if (i + 1 < parts.length && /^\d+$/.test(parts[i + 1])) {
        index = Number(parts[++i]);
        if (index >= 1000) return null;
      }
      path.push(index);
      node = child.items;
    } else {
      node = child.object!;
    }
  }
  return null; // a group title alone (`Recipient Org`) names no field
}

const pathText = (path: (string | number)[]): string =>
  path.reduce<string>((acc, k) => (typeof k === 'number' ? `${acc}[${k}]` : acc ? `${acc}.${k}` : k), '');

/** A trimmed cell, or undefined when blank. */
function cellText(v: string | undefined): string | undefined {
  if (v === undefined || v === '') return undefined;
  const n = v.length;
  if (v.charCodeAt(0) > 32 && v.charCodeAt(n - 1) > 32) return v;
  const t = v.trim();
  return t === '' ? undefined : t;
}

/** A plain decimal of at most 15 digits (exact as a JSON number) becomes a number; anything else stays text. */
const PLAIN_NUMBER = /^-?\d+(?:\.\d+)?$/;
function numberCell(t: string): string | number {
  if (!PLAIN_NUMBER.test(t)) return t;
  let digits = 0;
  for (let i = 0; i < t.length; i++) if (t.charCodeAt(i) >= 48 && t.charCodeAt(i) <= 57) digits++;
  return digits <= 15 ? Number(t) : t;
}

const REQUIRED = ['id', 'title', 'currency', 'amountAwarded', 'awardDate', 'fundingOrganization[0].id', 'fundingOrganization[0].name'];

/**
 * A flat header, planned once: construct with the header row, then `record(cells)` unflattens a
 * row and `fromRow` maps one. `headerIssues` holds errors for missing required columns (and
 * `usable` is false when there are any).
 */
export class Flat360Csv {
  readonly headerIssues: Issue[] = [];
  readonly usable: boolean;
  readonly file: string;
  private readonly today: string;
  private readonly leaves: Leaf[] = [];
  private readonly containers: Container[] = [{ parent: -1, key: '', list: false }];
  private readonly containerAt = new Map<string, number>([['', 0]]);
  private readonly extras: { idx: number; key: string }[] = [];
  private readonly width: number;
  private readonly headerLocation: string;
  private readonly titleOf = new Map<string, string>();
  readonly col = (path: string): string | null => (path ? this.titleOf.get(path) ?? flatTitleFor(path) : null);

  constructor(header: string[], opts: { file: string; headerLocation?: string } & MapOptions) {
    this.file = basename(opts.file);
    this.today = opts.today ?? todayInLondon();
    this.width = header.length;
    this.headerLocation = opts.headerLocation ?? 'row 1';
    const seen = new Map<string, string>();
    const extraKeys = new Set<string>();
    const headerError = (column: string | null, message: string) =>
      this.headerIssues.push({ severity: 'error', file: this.file, location: this.headerLocation, column, value: null, message });

    if (header.length === 1 && /[;\t|]/.test(header[0])) {
      const sep = header[0].includes(';') ? ['semicolons', ';'] : header[0].includes('\t') ? ['tabs', '\\t'] : ['bars', '|'];
      headerError(null, `the header is one column holding ${sep[0]} (${JSON.stringify(header[0].slice(0, 60))}): the file is separated by ${sep[0]}, not commas; save it as CSV with commas (in Excel: "CSV UTF-8 (Comma delimited)") and import that`);
      this.usable = false;
      return;
    }
    header.forEach((raw, idx) => {
      const title = raw.trim();
      const place = title ? placeOf(title) : null;
      if (place) {
        const path = pathText(place.path);
        const prev = seen.get(path);
        if (prev !== undefined) {
          headerError(title, `column "${title}" appears twice (as "${prev}" and "${title}"); keep one`);
          return;
        }
        seen.set(path, title);
        this.titleOf.set(path, title);
        this.leaves.push({ idx, path: place.path, type: place.type, container: this.containerOf(place.path.slice(0, -1)), key: place.path[place.path.length - 1] as string });
        return;
      }
      let key = title || `column ${idx + 1}`;
      if (extraKeys.has(key)) key = `${key} (column ${idx + 1})`;
      extraKeys.add(key);
      this.extras.push({ idx, key });
    });

    const need = (path: string) => {
      if (!seen.has(path)) headerError(flatTitleFor(path), `required column "${flatTitleFor(path)}" is missing from the header; the 360Giving flat format needs it`);
    };
    for (const p of REQUIRED) need(p);
    const ind = seen.has('recipientIndividual.id') || seen.has('recipientIndividual.name');
    if (ind && !seen.has('recipientOrganization[0].id') && !seen.has('recipientOrganization[0].name')) {
      need('recipientIndividual.id');
      need('recipientIndividual.name');
    } else {
      need('recipientOrganization[0].id');
      need('recipientOrganization[0].name');
    }
    this.usable = this.headerIssues.length === 0;
    if (!seen.has('description')) {
      this.headerIssues.push({
        severity: 'warning', kind: 'schema', file: this.file, location: this.headerLocation, column: 'Description', value: null,
        message: 'there is no "Description" column; the 360Giving standard requires a description for each grant',
      });
    }
  }

  /** The container for a path of keys and item numbers, planned once per header. */
  private containerOf(path: (string | number)[]): number {
    const text = pathText(path);
    let k = this.containerAt.get(text);
    if (k === undefined) {
      const parent = this.containerOf(path.slice(0, -1));
      k = this.containers.length;
      const key = path[path.length - 1];
      this.containers.push({ parent, key, list: false });
      // A numbered item (`[0]`) is an object in a list: its parent is a list.
      if (typeof key === 'number') this.containers[parent].list = true;
      this.containerAt.set(text, k);
    }
    return k;
  }

  /** One row in the 360Giving JSON shape (blank cells left out, lists without gaps). */
  record(cells: string[]): Obj {
    const rec: Obj = {};
    const made: any[] = [rec];
    let numbered = false;
    const leaves = this.leaves;
    for (let k = 0; k < leaves.length; k++) {
      const leaf = leaves[k];
      const t = cellText(cells[leaf.idx]);
      if (t === undefined) continue;
      const value = leaf.type === 'number' ? numberCell(t) : leaf.type === 'list' ? t.split(';').map((s) => s.trim()).filter(Boolean) : t;
      let at = made[leaf.container];
      if (at === undefined) {
        at = this.make(made, leaf.container);
        if (leaf.path.some((x) => typeof x === 'number' && x > 0)) numbered = true;
      }
      at[leaf.key] = value;
    }
    if (numbered) closeGaps(rec);
    const extras = this.extras;
    for (let k = 0; k < extras.length; k++) {
      const v = cells[extras[k].idx];
      if (v !== undefined && v.trim() !== '') rec[extras[k].key] = v;
    }
    return rec;
  }

  /** Creates container `k` (and any parent not yet made) in this row's record. */
  private make(made: any[], k: number): any {
    const c = this.containers[k];
    const parent = made[c.parent] ?? this.make(made, c.parent);
    const obj = c.list ? [] : {};
    parent[c.key] = obj;
    made[k] = obj;
    return obj;
  }

  /** Maps one data row. `row` is the 1-based record number (the header is row 1). */
  fromRow(fields: string[], row: number, file: string = this.file): MapResult {
    const { grant, cx } = this.map(fields, `row ${row}`, file);
    return { grant, issues: cx.issues ?? [], notes: cx.notes ?? [] };
  }

  /** @internal fromRow plus the grant id (even when the grant has errors), for duplicate checks. */
  map(fields: string[], location: string, file: string = this.file): { grant: ReturnType<typeof mapGrant>['grant']; id: string | null; cx: Ctx } {
    const cx = new Ctx(file, location, this.col, true, this.today);
    if (fields.length !== this.width) {
      let extraFilled = false;
      for (let k = this.width; k < fields.length; k++) if (fields[k].trim() !== '') extraFilled = true;
      if (fields.length < this.width || extraFilled) {
        cx.error('', `the row has ${fields.length} fields but the header has ${this.width} columns; check for an unquoted comma or a missing field`, null);
        return { grant: null, id: null, cx };
      }
    }
    const rec = restoreExported(this.record(fields)) as Obj;
    const { grant, id } = mapGrant(rec, cx, file === this.file ? file : basename(file));
    checkSchema(rec, cx);
    return { grant, id, cx };
  }
}

/** Removes the gaps a numbered column leaves (`Recipient Org:1:Name` with no item 0). */
function closeGaps(v: unknown): void {
  if (Array.isArray(v)) {
    for (let i = v.length - 1; i >= 0; i--) if (v[i] === undefined) v.splice(i, 1);
    for (const x of v) closeGaps(x);
  } else if (v && typeof v === 'object') {
    for (const k in v as Obj) closeGaps((v as Obj)[k]);
  }
}

/**
 * Reads a flat source: header problems first (and nothing else when the header is unusable),
 * then, in row order, each row's issues, notes and grant. A header with no rows is an error.
 */
export async function* readFlat360(src: FlatSource, opts: MapOptions = {}): AsyncGenerator<ImportItem[]> {
  const file = basename(src.file);
  const where = src.where ?? ((n: number) => `row ${n}`);
  const flat = new Flat360Csv(src.header, { file, today: opts.today, headerLocation: src.headerLocation });
  const head: ImportItem[] = flat.headerIssues.map((issue) => ({ kind: 'issue', issue }));
  if (!flat.usable) {
    yield head;
    return;
  }
  if (head.length) yield head;
  const sink = new RecordSink(where);
  let rows = 0;
  for await (const batch of src.rows) {
    const out: ImportItem[] = [];
    for (let k = 0; k < batch.length; k++) {
      const { cells, row } = batch[k];
      rows++;
      const { grant, id, cx } = flat.map(cells, where(row), file);
      sink.finish(out, grant, id, cx, row);
    }
    if (out.length) yield out;
  }
  if (rows === 0) {
    yield [{ kind: 'issue', issue: { severity: 'error', file, location: src.headerLocation ?? 'row 1', column: null, value: null, message: 'the file has a header row but no grants under it; there is nothing to import (check that the rows were saved, or that this is the right file)' } }];
  }
}
