/**
 * The definitions a grant record brings with it (a `foi export` record's sources, themes, flags,
 * measures and organisations): each is written to the register only when the register does not
 * have it yet, so importing an export into an empty register can resolve every reference, and
 * importing it into the register it came from changes nothing the register already says.
 */
import type { Db } from '../db/open.js';
import type { RegisterWriter } from '../register/writer.js';
import type { GrantDefinitions } from '../register/types.js';

export class DefinitionWriter {
  private readonly s;
  private readonly done = new Set<string>();

  constructor(db: Db, private readonly writer: RegisterWriter) {
    this.s = {
      source: db.prepare('SELECT 1 FROM source WHERE ref = ?'),
      theme: db.prepare('SELECT 1 FROM theme WHERE name = ?'),
      flag: db.prepare('SELECT 1 FROM flag_def WHERE name = ?'),
      measure: db.prepare('SELECT 1 FROM measure WHERE name = ?'),
      org: db.prepare('SELECT 1 FROM organisation WHERE id = ?'),
    };
  }

  private missing(kind: keyof DefinitionWriter['s'], key: string): boolean {
    const k = `${kind}\u0000${key}`;
    if (this.done.has(k)) return false;
    this.done.add(k);
    return !this.s[kind].get(key);
  }

  write(d: GrantDefinitions): void {
    for (const s of d.sources) if (this.missing('source', s.ref)) this.writer.writeSource(s);
    for (const t of d.themes) if (this.missing('theme', t.name)) this.writer.writeTheme(t);
    for (const f of d.flags) if (this.missing('flag', f.name)) this.writer.writeFlag(f);
    for (const m of d.measures) if (this.missing('measure', m.name)) this.writer.writeMeasure(m);
    for (const o of d.organisations) if (this.missing('org', o.id)) this.writer.writeOrg(o);
  }
}
