/**
 * 360Giving records in the standard's flattened (spreadsheet) form: one row per grant, one column
 * per field, titled as the standard titles it (`Identifier`, `Amount Awarded`, `Recipient
 * Org:Name`, `Recipient Org:1:Name` for a second recipient, `Planned Dates:Start Date`), the same
 * titles `foi import` reads (src/import/360/flat.ts). Columns are in the schema's order, each
 * list's items together; only columns some grant fills are written.
 *
 * A list of text (`Related Activity`) is one cell, its items separated by `;`. A publisher's own
 * field keeps its name as its title; one that holds more than text (a number, an object) is
 * written as JSON text. The `foi` extension is one column, `foi`, holding its JSON text, which
 * `foi import` reads back.
 */
import { flatTitleFor } from '../import/360/flat.js';
import { loadGrantSchema } from '../import/360/schema.js';
import { FOI_KEY } from './extension.js';

type Obj = Record<string, unknown>;

export type FlatValue = string | number;

export interface FlatColumn {
  /** The JSON path (`recipientOrganization[1].id`). */
  path: string;
  title: string;
  /** An amount (in the grant's currency), a plain number, or text. */
  kind: 'amount' | 'number' | 'text';
}

export interface FlatTable {
  columns: FlatColumn[];
  /** One row per record, one cell per column ('' when the record does not fill it). */
  rows: FlatValue[][];
  /** Each row's currency (for amount cells). */
  currencies: string[];
}

const AMOUNTS = new Set(['amountAwarded', 'amountAppliedFor', 'amountDisbursed']);

interface Order {
  /** Position of each key in the schema, per object type. */
  keys: Map<string, number>;
  children: Map<string, Order>;
}

let schemaOrder: Order | null = null;

/** The schema's field order, as a tree (lists by their items' fields). */
function order(): Order {
  if (schemaOrder) return schemaOrder;
  const schema = loadGrantSchema();
  const defs = (schema.$defs ?? {}) as Record<string, any>;
  const resolve = (p: any): any => (p && typeof p.$ref === 'string' ? defs[p.$ref.split('/').pop()] : p);
  const build = (props: Record<string, any>): Order => {
    const o: Order = { keys: new Map(), children: new Map() };
    Object.keys(props).forEach((k, i) => {
      o.keys.set(k, i);
      const p = resolve(props[k]);
      const inner = p?.items ? resolve(p.items) : p;
      if (inner?.properties) o.children.set(k, build(inner.properties));
    });
    return o;
  };
  schemaOrder = build(schema.properties as Record<string, any>);
  return schemaOrder;
}

type SortKey = number[];

/** Flattens one record into path -> value, with each path's sort key. */
function walk(rec: Obj, out: Map<string, { value: FlatValue; key: SortKey }>, extraKeys: Map<string, number>): void {
  const visit = (v: unknown, path: string, key: SortKey, o: Order | null, standard: boolean) => {
    if (v === null || v === undefined || v === '') return;
    if (Array.isArray(v)) {
      if (standard && v.every((x) => typeof x !== 'object' || x === null)) {
        out.set(path, { value: v.filter((x) => x !== null && x !== '').map(String).join(';'), key });
        return;
      }
      if (standard && v.every((x) => x && typeof x === 'object' && !Array.isArray(x))) {
        v.forEach((item, i) => visitObject(item as Obj, `${path}[${i}]`, [...key, i], o));
        return;
      }
      out.set(path, { value: JSON.stringify(v), key });
      return;
    }
    if (typeof v === 'object') {
      if (standard && o) visitObject(v as Obj, path, key, o);
      else out.set(path, { value: JSON.stringify(v), key });
      return;
    }
    if (typeof v === 'number') out.set(path, { value: standard ? v : String(v), key });
    else out.set(path, { value: String(v), key });
  };
  const visitObject = (obj: Obj, path: string, key: SortKey, o: Order | null) => {
    for (const [k, v] of Object.entries(obj)) {
      const i = o?.keys.get(k);
      const standard = i !== undefined;
      let pos = i;
      if (pos === undefined) {
        // A publisher's own field: after the standard's, in the order first met.
        const name = `${path}.${k}`;
        if (!extraKeys.has(name)) extraKeys.set(name, extraKeys.size);
        pos = 1000 + extraKeys.get(name)!;
      }
      visit(v, path ? `${path}.${k}` : k, [...key, pos], standard ? o?.children.get(k) ?? null : null, standard);
    }
  };
  const { [FOI_KEY]: ext, ...body } = rec;
  visitObject(body, '', [], order());
  if (ext !== undefined) out.set(FOI_KEY, { value: typeof ext === 'string' ? ext : JSON.stringify(ext), key: [100_000] });
}

function compareKeys(a: SortKey, b: SortKey): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
}

/** The records as a flat table with the standard's column titles. */
export function flattenRecords(records: Obj[]): FlatTable {
  const extraKeys = new Map<string, number>();
  const flat = records.map((r) => {
    const m = new Map<string, { value: FlatValue; key: SortKey }>();
    walk(r, m, extraKeys);
    return m;
  });
  const keys = new Map<string, SortKey>();
  for (const m of flat) for (const [path, { key }] of m) if (!keys.has(path)) keys.set(path, key);
  const paths = [...keys.keys()].sort((a, b) => compareKeys(keys.get(a)!, keys.get(b)!) || (a < b ? -1 : a > b ? 1 : 0));
  const columns = paths.map((path): FlatColumn => {
    const leaf = path.split('.').pop()!.replace(/\[\d+\]$/, '');
    const numeric = flat.some((m) => typeof m.get(path)?.value === 'number');
    return { path, title: path === FOI_KEY ? FOI_KEY : flatTitleFor(path), kind: AMOUNTS.has(leaf) && !path.includes('.') ? 'amount' : numeric ? 'number' : 'text' };
  });
  const rows = flat.map((m) => paths.map((p) => m.get(p)?.value ?? ''));
  return { columns, rows, currencies: records.map((r) => (typeof r.currency === 'string' ? r.currency : 'GBP')) };
}
