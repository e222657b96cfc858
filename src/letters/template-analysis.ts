/**
 * Static analysis of a letter template: the names it uses, resolved against the Shape of the data
 * it is given (through {{#each}}, {{#with}}, block params and partial contexts), unknown helpers,
 * helpers used wrongly, missing partials, and lists or objects output as text. Nothing is rendered.
 */
import { HELPER_NAMES, KNOWN_HELPERS } from './handlebars-helpers.js';

/** The shape of template data, for linting names. */
export type Shape =
  | { kind: 'string' }
  | { kind: 'number' }
  | { kind: 'boolean' }
  | { kind: 'any' }
  | { kind: 'nullable'; of: Shape }
  | { kind: 'array'; of: Shape }
  | { kind: 'object'; name?: string; fields: Record<string, Shape> };

/** A Shape that must match the TypeScript type T exactly (every key, nullability, lists). */
export type ShapeFor<T> = null extends T
  ? { kind: 'nullable'; of: ShapeFor<NonNullable<T>> }
  : T extends string
    ? { kind: 'string' }
    : T extends number
      ? { kind: 'number' }
      : T extends boolean
        ? { kind: 'boolean' }
        : T extends readonly (infer U)[]
          ? { kind: 'array'; of: ShapeFor<U> }
          : T extends object
            ? { kind: 'object'; name?: string; fields: { [K in keyof T]-?: ShapeFor<T[K]> } }
            : never;

export const S = {
  string: { kind: 'string' } as const,
  number: { kind: 'number' } as const,
  boolean: { kind: 'boolean' } as const,
  any: { kind: 'any' } as const,
};

export interface Issue {
  file: string;
  line: number | null;
  message: string;
}

/** What the analyser needs to know about the template set. */
export interface AnalysisHost {
  /** The partial's file and parsed AST (null when it failed to parse), or null when there is no such partial. */
  partial(name: string): { file: string; ast: hbs.AST.Program | null } | null;
  /** Partials a dynamic `{{> (…) }}` may name, and those that must exist for it. */
  dynamicPartials(): { candidates: string[]; required: string[] };
}

interface Scope {
  file: string;
  root: Shape;
  /** Context stack: last is the current context (`this`); `../` goes up one. */
  frames: Shape[];
  /** Lexical block params (`as |x i|`), innermost last; reset inside partials. */
  blockParams: Map<string, Shape>[];
  /** Inside an {{#each}}: @index, @first, @last, @key are available. */
  inEach: boolean;
  /** Partials being expanded (recursion guard). */
  partialStack: string[];
}

function unwrap(s: Shape): Shape {
  return s.kind === 'nullable' ? unwrap(s.of) : s;
}

function shapeName(s: Shape): string {
  const u = unwrap(s);
  switch (u.kind) {
    case 'object':
      return u.name ?? 'an object';
    case 'array':
      return 'a list';
    default:
      return u.kind === 'any' ? 'a value' : `a ${u.kind}`;
  }
}

/**
 * Walk a template with the shape of its data: report names not in the shape, unknown helpers,
 * missing partials, helpers used wrongly, and lists/objects output as text. Partials are
 * followed and checked with the context they are called with (errors are reported against the
 * partial's own file). Returns the issues and the files visited.
 */
export function analyseTemplate(file: string, ast: hbs.AST.Program, root: Shape, host: AnalysisHost): { issues: Issue[]; files: Set<string> } {
  const issues: Issue[] = [];
  const seen = new Set<string>();
  const files = new Set<string>([file]);
  const report = (sc: Scope, node: hbs.AST.Node | null | undefined, message: string) => {
    const line = node?.loc?.start?.line ?? null;
    const key = `${sc.file}\0${line}\0${message}`;
    if (seen.has(key)) return;
    seen.add(key);
    issues.push({ file: sc.file, line, message });
  };

  const known = new Set<string>(Object.entries(KNOWN_HELPERS).filter(([, v]) => v).map(([k]) => k));

  function resolveParts(sc: Scope, node: hbs.AST.Node, start: Shape, parts: string[], original: string): Shape {
    let cur = start;
    for (let i = 0; i < parts.length; i++) {
      const part = parts[i];
      const u = unwrap(cur);
      if (u.kind === 'any') return S.any;
      if (u.kind === 'object') {
        if (!Object.prototype.hasOwnProperty.call(u.fields, part)) {
          const where = i === 0 ? '' : ` (${shapeName(u)} has no "${part}"; it has ${Object.keys(u.fields).join(', ')})`;
          report(sc, node, `"${original}" is not defined${where}`);
          return S.any;
        }
        cur = u.fields[part];
      } else if (u.kind === 'array') {
        if (part === 'length') cur = S.number;
        else if (/^\d+$/.test(part)) cur = u.of;
        else {
          report(sc, node, `"${original}" is not defined ("${parts.slice(0, i).join('.')}" is a list)`);
          return S.any;
        }
      } else if (u.kind === 'string' && part === 'length') {
        cur = S.number;
      } else {
        report(sc, node, `"${original}" is not defined ("${parts.slice(0, i).join('.') || 'this'}" is ${shapeName(u)})`);
        return S.any;
      }
    }
    return cur;
  }

  function resolvePath(sc: Scope, p: hbs.AST.PathExpression): Shape {
    const parts = p.parts;
    if (p.data) {
      const head = parts[0];
      if (head === 'root') return resolveParts(sc, p, sc.root, parts.slice(1), p.original);
      if (['index', 'first', 'last', 'key'].includes(head)) {
        if (!sc.inEach) report(sc, p, `"${p.original}" is only defined inside {{#each}}`);
        if (parts.length > 1) report(sc, p, `"${p.original}" is not defined`);
        return head === 'index' ? S.number : head === 'key' ? S.any : S.boolean;
      }
      report(sc, p, `"${p.original}" is not defined (known: @root, @index, @first, @last, @key)`);
      return S.any;
    }
    const scoped = /^\.|this\b/.test(p.original);
    if (p.depth === 0 && !scoped && parts.length > 0) {
      for (let i = sc.blockParams.length - 1; i >= 0; i--) {
        const bp = sc.blockParams[i].get(parts[0]);
        if (bp) return resolveParts(sc, p, bp, parts.slice(1), p.original);
      }
    }
    const idx = sc.frames.length - 1 - p.depth;
    if (idx < 0) {
      report(sc, p, `"${p.original}" goes above the top of the data`);
      return S.any;
    }
    return resolveParts(sc, p, sc.frames[idx], parts, p.original);
  }

  function isSimpleName(p: hbs.AST.Node): p is hbs.AST.PathExpression {
    const q = p as hbs.AST.PathExpression;
    return p.type === 'PathExpression' && !q.data && q.depth === 0 && q.parts.length === 1 && !/^\.|this\b/.test(q.original);
  }

  function expr(sc: Scope, e: hbs.AST.Expression): Shape {
    switch (e.type) {
      case 'PathExpression':
        return resolvePath(sc, e as hbs.AST.PathExpression);
      case 'SubExpression': {
        const s = e as hbs.AST.SubExpression;
        return helperCall(sc, s, s.path, s.params, s.hash, false);
      }
      case 'StringLiteral':
        return S.string;
      case 'NumberLiteral':
        return S.number;
      case 'BooleanLiteral':
        return S.boolean;
      default:
        return S.any;
    }
  }

  function expectKind(sc: Scope, node: hbs.AST.Node, helper: string, got: Shape, kinds: Shape['kind'][], what: string): void {
    const u = unwrap(got);
    if (u.kind === 'any' || kinds.includes(u.kind)) return;
    report(sc, node, `helper "${helper}" expects ${what}, got ${shapeName(u)}`);
  }

  /** Check a helper call; returns the shape of its result. */
  function helperCall(
    sc: Scope,
    node: hbs.AST.Node,
    path: hbs.AST.PathExpression | hbs.AST.Expression,
    params: hbs.AST.Expression[],
    hash: hbs.AST.Hash | undefined,
    block: boolean,
    args: Shape[] = params.map((p) => expr(sc, p)),
  ): Shape {
    if (!isSimpleName(path)) {
      report(sc, node, `"${(path as hbs.AST.PathExpression).original ?? '?'}" cannot be called as a helper`);
      return S.any;
    }
    const name = path.parts[0];
    const pairs = hash?.pairs ?? [];
    for (const pair of pairs) expr(sc, pair.value);
    if (!known.has(name)) {
      report(sc, node, `unknown helper "${name}" (known: ${[...known].sort().join(', ')})`);
      return S.any;
    }
    const n = args.length;
    const want = (min: number, max = min) => {
      if (n < min || n > max) report(sc, node, `helper "${name}" expects ${min === max ? min : `${min} to ${max}`} argument${max === 1 ? '' : 's'}, got ${n}`);
    };
    const hashOnly = (allowed: string[]) => {
      for (const pair of pairs) if (!allowed.includes(pair.key)) report(sc, node, `helper "${name}" has no option ${pair.key}=`);
    };
    if (['if', 'unless', 'each', 'with'].includes(name) && !block) {
      report(sc, node, `"${name}" must be used as a block: {{#${name} …}}…{{/${name}}}`);
      return S.any;
    }
    if ((HELPER_NAMES as readonly string[]).includes(name) && block) {
      report(sc, node, `helper "${name}" is not a block helper; use {{${name} …}}`);
    }
    switch (name) {
      case 'money':
        want(1);
        hashOnly(['pence']);
        if (n) expectKind(sc, node, name, args[0], ['number'], 'an amount in pence');
        return S.string;
      case 'date':
        want(1);
        hashOnly([]);
        if (n) expectKind(sc, node, name, args[0], ['string'], 'an ISO date');
        return S.string;
      case 'table': {
        want(1);
        hashOnly([]);
        const u = n ? unwrap(args[0]) : S.any;
        if (u.kind !== 'any' && !(u.kind === 'object' && 'columns' in u.fields && 'rows' in u.fields)) {
          report(sc, node, `helper "table" expects a table (TableView), got ${shapeName(u)}`);
        }
        return S.string;
      }
      case 'join':
        want(1, 2);
        hashOnly(['last']);
        if (n) expectKind(sc, node, name, args[0], ['array'], 'a list');
        return S.string;
      case 'numbered':
        want(1);
        hashOnly(['start']);
        if (n) expectKind(sc, node, name, args[0], ['array'], 'a list');
        return S.string;
      case 'eq':
        want(2);
        hashOnly([]);
        return S.boolean;
      case 'plural':
        want(2, 3);
        hashOnly([]);
        if (n) expectKind(sc, node, name, args[0], ['number', 'array'], 'a number or a list');
        return S.string;
      case 'quote':
      case 'link':
        want(1);
        hashOnly([]);
        if (n) expectKind(sc, node, name, args[0], ['string'], 'text');
        return S.string;
      case 'lines':
        if (n === 0) report(sc, node, 'helper "lines" expects at least 1 argument');
        hashOnly([]);
        for (const a of args) expectKind(sc, node, name, a, ['string', 'array'], 'text or lists of text');
        return S.string;
      case 'lookup': {
        want(2);
        const target = n ? unwrap(args[0]) : S.any;
        const key = params[1];
        if (target.kind === 'object' && key?.type === 'StringLiteral') {
          const k = (key as hbs.AST.StringLiteral).value;
          if (!(k in target.fields)) {
            report(sc, node, `"${k}" is not defined (${shapeName(target)} has ${Object.keys(target.fields).join(', ')})`);
            return S.any;
          }
          return target.fields[k];
        }
        if (target.kind === 'array') return target.of;
        return S.any;
      }
      default:
        return S.any;
    }
  }

  function program(sc: Scope, p: hbs.AST.Program | undefined | null): void {
    if (!p) return;
    for (const st of p.body) statement(sc, st);
  }

  function withBlockParams(sc: Scope, p: hbs.AST.Program | undefined, shapes: Shape[]): Scope {
    const names = p?.blockParams ?? [];
    if (!names.length) return sc;
    const m = new Map<string, Shape>();
    names.forEach((nm, i) => m.set(nm, shapes[i] ?? S.any));
    return { ...sc, blockParams: [...sc.blockParams, m] };
  }

  function elementOf(sc: Scope, node: hbs.AST.Node, s: Shape, what: string): Shape {
    const u = unwrap(s);
    if (u.kind === 'array') return u.of;
    if (u.kind === 'object' || u.kind === 'any') return S.any;
    report(sc, node, `{{#each}} needs a list, but "${what}" is ${shapeName(u)}`);
    return S.any;
  }

  function block(sc: Scope, b: hbs.AST.BlockStatement): void {
    const path = b.path as hbs.AST.PathExpression;
    const name = isSimpleName(path) ? path.parts[0] : null;
    const isHelperish = name !== null && (known.has(name) || b.params.length > 0 || (b.hash?.pairs?.length ?? 0) > 0);
    if (isHelperish) {
      const args = b.params.map((p) => expr(sc, p));
      helperCall(sc, b, path, b.params, b.hash, true, args);
      const arg = args[0] ?? S.any;
      if (name === 'each') {
        const el = elementOf(sc, b, arg, b.params[0] ? String((b.params[0] as hbs.AST.PathExpression).original ?? '') : '');
        const inner = withBlockParams({ ...sc, frames: [...sc.frames, el], inEach: true }, b.program, [el, S.number]);
        program(inner, b.program);
        program(sc, b.inverse);
      } else if (name === 'with') {
        const v = unwrap(arg);
        const inner = withBlockParams({ ...sc, frames: [...sc.frames, v] }, b.program, [v]);
        program(inner, b.program);
        program(sc, b.inverse);
      } else {
        program(sc, b.program);
        program(sc, b.inverse);
      }
      return;
    }
    // A mustache-style section on a value: {{#tables}}…{{/tables}} (list → each, object → with, else → if).
    const v = resolvePath(sc, path);
    const u = unwrap(v);
    if (u.kind === 'array') program({ ...sc, frames: [...sc.frames, u.of], inEach: true }, b.program);
    else if (u.kind === 'object') program({ ...sc, frames: [...sc.frames, u] }, b.program);
    else program(sc, b.program);
    program(sc, b.inverse);
  }

  function partial(sc: Scope, st: hbs.AST.PartialStatement | hbs.AST.PartialBlockStatement): void {
    let ctx = sc.frames[sc.frames.length - 1];
    let frames = sc.frames;
    if (st.params.length > 1) report(sc, st, `a partial takes at most one context argument, got ${st.params.length}`);
    if (st.params.length >= 1) {
      ctx = expr(sc, st.params[0]);
      frames = [...sc.frames, ctx];
    }
    const pairs = st.hash?.pairs ?? [];
    if (pairs.length) {
      const base = unwrap(ctx);
      const extra = Object.fromEntries(pairs.map((pr) => [pr.key, expr(sc, pr.value)]));
      ctx = base.kind === 'object' ? { kind: 'object', name: base.name, fields: { ...base.fields, ...extra } } : S.any;
      frames = [...frames.slice(0, -1), ctx];
    }
    if (st.type === 'PartialBlockStatement') program(sc, (st as hbs.AST.PartialBlockStatement).program);

    let names: string[];
    const nameNode = st.name as hbs.AST.Expression;
    if (nameNode.type === 'SubExpression') {
      expr(sc, nameNode);
      const dyn = host.dynamicPartials();
      for (const r of dyn.required) {
        if (host.partial(r) === null) report(sc, st, `partial "${r}" not found (a dynamic partial here can name it)`);
      }
      names = dyn.candidates;
    } else {
      const nm = String((nameNode as unknown as { original: unknown }).original);
      if (nm === '@partial-block') return;
      names = [nm];
      if (host.partial(nm) === null) {
        report(sc, st, `partial "${nm}" not found`);
        return;
      }
    }
    for (const nm of names) {
      const p = host.partial(nm);
      if (p === null) continue;
      files.add(p.file);
      if (p.ast === null || sc.partialStack.includes(nm)) continue; // unparsable (reported elsewhere) or recursive
      program(
        { file: p.file, root: sc.root, frames, blockParams: [], inEach: sc.inEach, partialStack: [...sc.partialStack, nm] },
        p.ast,
      );
    }
  }

  function statement(sc: Scope, st: hbs.AST.Statement): void {
    switch (st.type) {
      case 'ContentStatement':
      case 'CommentStatement':
        return;
      case 'MustacheStatement': {
        const m = st as hbs.AST.MustacheStatement;
        if (m.path.type !== 'PathExpression') return; // {{"literal"}}
        const path = m.path as hbs.AST.PathExpression;
        const hasArgs = m.params.length > 0 || (m.hash?.pairs?.length ?? 0) > 0;
        if (hasArgs || (isSimpleName(path) && known.has(path.parts[0]))) {
          helperCall(sc, m, path, m.params, m.hash, false);
          return;
        }
        const v = unwrap(resolvePath(sc, path));
        if (v.kind === 'array' || v.kind === 'object') {
          report(sc, m, `"${path.original}" is ${shapeName(v)}, not text: use {{#each}}, {{join}} or a field of it`);
        }
        return;
      }
      case 'BlockStatement':
        return block(sc, st as hbs.AST.BlockStatement);
      case 'PartialStatement':
      case 'PartialBlockStatement':
        return partial(sc, st as hbs.AST.PartialStatement);
      case 'DecoratorBlock':
      case 'Decorator':
        report(sc, st, 'decorators are not supported in letter templates');
        return;
      default:
        return;
    }
  }

  program({ file, root, frames: [root], blockParams: [], inEach: false, partialStack: [] }, ast);
  return { issues, files };
}
