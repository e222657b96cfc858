/**
 * Compiling letter templates with located errors: parse, compile (lazily, on first render),
 * precompile at build time and load a precompiled spec, each turning whatever Handlebars or a
 * helper throws into a TemplateError naming the file, the line and the name.
 */
import type Handlebars from 'handlebars';
import { hb, runtimeHb } from './handlebars-env.js';
import { KNOWN_HELPERS } from './handlebars-helpers.js';
import { HelperError, TemplateError } from './template-errors.js';

export const COMPILE_OPTIONS: CompileOptions = Object.freeze({
  strict: true,
  knownHelpersOnly: true,
  knownHelpers: KNOWN_HELPERS,
  noEscape: false,
});

type AstNode = hbs.AST.Node & Record<string, unknown>;

/** Every node of a template AST, depth first, in source order. */
export function* walkAst(node: unknown): Generator<AstNode> {
  if (!node || typeof node !== 'object') return;
  if (Array.isArray(node)) {
    for (const n of node) yield* walkAst(n);
    return;
  }
  const n = node as AstNode;
  if (typeof n.type === 'string') yield n;
  for (const key of ['body', 'path', 'name', 'params', 'hash', 'pairs', 'value', 'program', 'inverse']) {
    const child = n[key];
    if (child && typeof child === 'object') yield* walkAst(child);
  }
}

/** The first line where `name` is used (as a path part, helper or partial name), or null. */
export function findNameLine(ast: hbs.AST.Program | null, name: string): number | null {
  if (!ast) return null;
  for (const n of walkAst(ast)) {
    if (n.type === 'PathExpression') {
      const p = n as unknown as hbs.AST.PathExpression;
      if (p.parts.includes(name) || p.original === name) return n.loc?.start?.line ?? null;
    } else if ((n.type === 'PartialStatement' || n.type === 'PartialBlockStatement') && n.loc) {
      const nm = (n as unknown as hbs.AST.PartialStatement).name as unknown as { original?: unknown };
      if (nm && String(nm.original) === name) return n.loc.start.line;
    }
  }
  return null;
}

function firstDynamicPartialLine(ast: hbs.AST.Program | null): number | null {
  if (!ast) return null;
  for (const n of walkAst(ast)) {
    if ((n.type === 'PartialStatement' || n.type === 'PartialBlockStatement') && (n as unknown as hbs.AST.PartialStatement).name.type === 'SubExpression') {
      return n.loc?.start?.line ?? null;
    }
  }
  return null;
}

/**
 * Turn whatever Handlebars (or a helper) threw while compiling or rendering `file` into a
 * TemplateError naming the file, the line and the name. Errors already located (thrown from a
 * partial rendered inside this file) pass through unchanged.
 */
export function toTemplateError(err: unknown, file: string, ast: hbs.AST.Program | null, source: string | null = null): TemplateError {
  if (err instanceof TemplateError) return err;
  if (err instanceof HelperError) {
    return new TemplateError(file, err.line ?? findNameLine(ast, err.helper), `${err.helper}: ${err.message}`, err.helper);
  }
  const e = err as { message?: unknown; lineNumber?: unknown };
  const raw = String(e?.message ?? err);
  // Handlebars.Exception appends " - line:column" when it knows the location.
  const msg = raw.replace(/ - \d+:\d+$/, '');
  let line = typeof e?.lineNumber === 'number' ? e.lineNumber : null;
  let m: RegExpExecArray | null;
  if ((m = /^"(.+)" not defined in /.exec(msg))) {
    return new TemplateError(file, line ?? findNameLine(ast, m[1]), `"${m[1]}" is not defined`, m[1]);
  }
  if ((m = /unknown helper (\S+)$/.exec(msg))) {
    return new TemplateError(file, line ?? findNameLine(ast, m[1]), `unknown helper "${m[1]}"`, m[1]);
  }
  if ((m = /^The partial (.+) could not be found$/.exec(msg))) {
    return new TemplateError(file, line ?? findNameLine(ast, m[1]) ?? firstDynamicPartialLine(ast), `partial "${m[1]}" not found`, m[1]);
  }
  if ((m = /^Parse error on line (\d+):\n([\s\S]*)$/.exec(msg))) {
    line = Number(m[1]);
    if (/got 'EOF'$/.test(m[2]) && source != null) {
      const open = unclosedBlock(source);
      if (open) return new TemplateError(file, open.line, `{{#${open.name}}} is never closed: {{/${open.name}}} is missing`, open.name);
    }
    const expecting = m[2].split('\n').pop() ?? '';
    const snippet = m[2].split('\n')[0] ?? '';
    return new TemplateError(file, line, `syntax error near "${snippet.slice(-30)}": ${expecting}`);
  }
  if ((m = /^Cannot read properties of (?:null|undefined) \(reading '(.+)'\)$/.exec(msg))) {
    // A path through a null value in a helper argument, e.g. {{#if exemption.reason}} with no exemption.
    return new TemplateError(file, line ?? findNameLine(ast, m[1]), `cannot look up "${m[1]}": the value before it is null`, m[1]);
  }
  return new TemplateError(file, line, line != null ? msg : `${msg}`);
}

/** The innermost block left open at the end of `source` (for "got EOF" parse errors), by a light scan. */
function unclosedBlock(source: string): { name: string; line: number } | null {
  const stack: { name: string; line: number }[] = [];
  const re = /\{\{!--[\s\S]*?--~?\}\}|\{\{![\s\S]*?\}\}|\{\{~?\s*([#/])\s*>?\s*([^\s}~)]+)/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(source))) {
    if (!m[1]) continue;
    const line = source.slice(0, m.index).split('\n').length;
    if (m[1] === '#') stack.push({ name: m[2].replace(/^\*/, ''), line });
    else if (stack.length && stack[stack.length - 1].name === m[2]) stack.pop();
  }
  return stack.pop() ?? null;
}

/** Parse a template, reporting syntax errors with the file and line. */
export function parseTemplate(source: string, file: string): hbs.AST.Program {
  try {
    return hb.parse(source);
  } catch (err) {
    throw toTemplateError(err, file, null, source);
  }
}

export type RenderFn = (context: unknown, options?: Handlebars.RuntimeOptions) => string;

/**
 * Compile one template or partial file. Compilation itself is lazy in Handlebars (on first
 * render); either way, errors surface as TemplateErrors naming `file`.
 * The returned function can be used directly as a partial.
 */
export function compileTemplate(source: string, file: string, ast: hbs.AST.Program | null = null): RenderFn {
  const parsed = ast ?? parseTemplate(source, file);
  const fn = hb.compile(source, { ...COMPILE_OPTIONS });
  return (context, options) => {
    try {
      return fn(context, options);
    } catch (err) {
      throw toTemplateError(err, file, parsed);
    }
  };
}

/** Compile eagerly (no render), to report compile-time errors such as unknown helpers; returns the spec (JavaScript source). */
export function precompileCheck(source: string, file: string): string {
  try {
    return hb.precompile(source, { ...COMPILE_OPTIONS }) as unknown as string;
  } catch (err) {
    throw toTemplateError(err, file, null, source);
  }
}

/**
 * A render function from a spec that `precompileCheck` made at build time: no parse or compile at
 * run time. The source is parsed only if an error needs a line number.
 */
export function templateFromSpec(spec: string, source: string, file: string): RenderFn {
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- our own build's output, as Handlebars itself does
  const fn = runtimeHb.template(new Function(`return (${spec});`)() as Parameters<typeof runtimeHb.template>[0]);
  return (context, options) => {
    try {
      return fn(context, options);
    } catch (err) {
      let ast: hbs.AST.Program | null = null;
      try {
        ast = hb.parse(source);
      } catch {
        // the error is reported without a line
      }
      throw toTemplateError(err, file, ast);
    }
  };
}
