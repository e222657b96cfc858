/**
 * The Handlebars instances for response letters: isolated instances whose `{{x}}` escaping is
 * Markdown escaping (not HTML), with the letter helpers (handlebars-helpers.ts) and no `log`.
 * Compiling, with errors that name the file, the line and the name, is in template-compile.ts.
 *
 * How the escaping override works (handlebars 4.7): compiled templates escape `{{x}}` through
 * `container.escapeExpression`, and the runtime fills that slot from the handlebars *module's*
 * `Utils.escapeExpression` each time `env.template(spec)` builds a template. `hb.Utils` on an
 * instance is that same shared module object, so assigning `hb.Utils.escapeExpression` would
 * change escaping for every Handlebars instance in the process. Instead this instance gets
 * (once, at module load) its own `template()` that wraps the compiled spec's `main` so the
 * container uses `markdownEscape`; everything compiled by this instance (templates and
 * partials alike) goes through `env.template`, and no other instance is touched.
 *
 * The escaping itself lives in src/core/markdown-escape.ts, shared with `--format md` listings.
 */
import { createRequire } from 'node:module';
import type Handlebars from 'handlebars';
import HandlebarsRuntime from 'handlebars/runtime';
import { markdownEscape } from '../core/markdown-escape.js';
import { registerHelpers } from './handlebars-helpers.js';

export type HB = typeof Handlebars;
type TemplateSpec = { main: (this: unknown, container: { escapeExpression: unknown }, ...rest: unknown[]) => string; [k: string]: unknown };

function createInstance(base: HB): HB {
  const hb = base.create();
  // Anything that reads the instance's escaper (helpers, plugins) sees the Markdown one; a fresh
  // object so the shared module Utils is not modified.
  const ownUtils = { ...(base as unknown as { Utils: Record<string, unknown> }).Utils, escapeExpression: markdownEscape };
  Object.defineProperty(hb, 'Utils', { value: Object.freeze(ownUtils), enumerable: true });
  Object.defineProperty(hb, 'escapeExpression', { value: markdownEscape, enumerable: true });
  const template = hb.template.bind(hb) as unknown as (spec: TemplateSpec) => Handlebars.TemplateDelegate;
  (hb as unknown as { template: (spec: TemplateSpec) => Handlebars.TemplateDelegate }).template = (spec: TemplateSpec) => {
    const main = spec.main;
    const wrapped = function (this: unknown, container: { escapeExpression: unknown }, ...rest: unknown[]): string {
      container.escapeExpression = markdownEscape;
      return main.call(this, container, ...rest);
    };
    return template({ ...spec, main: wrapped });
  };
  hb.unregisterHelper('log');
  registerHelpers(hb);
  return hb;
}

/**
 * Two isolated instances with the same escaping and helpers. The runtime one renders the
 * templates the build precompiled (dist/templates-precompiled.json), so a letter loads no
 * parser or compiler; the full one (parse, compile, precompile) is loaded on first use, for
 * templates that are not precompiled (a --templates folder, `foi templates check`, tests).
 */
export const runtimeHb: HB = createInstance(HandlebarsRuntime as unknown as HB);
let fullHb: HB | null = null;
function fullInstance(): HB {
  fullHb ??= createInstance(createRequire(import.meta.url)('handlebars') as HB);
  return fullHb;
}

/** The full instance (parser and compiler), loaded when first used. */
export const hb: HB = new Proxy({} as HB, {
  get(_, key) {
    const value = Reflect.get(fullInstance(), key) as unknown;
    return typeof value === 'function' ? value.bind(fullInstance()) : value;
  },
});

