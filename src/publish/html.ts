/**
 * HTML by construction: `html\`<p>${value}</p>\`` escapes every interpolated value unless it is
 * already `Html` (built by this tag or `trusted()`), so a register value or request text can only
 * ever be text on the site. Arrays are joined; null, undefined and false print nothing.
 */

export class Html {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

type Interp = Html | string | number | null | undefined | false | readonly Interp[];

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escape text for HTML element content and attribute values (always quoted). */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

function interp(v: Interp): string {
  if (v === null || v === undefined || v === false) return '';
  if (v instanceof Html) return v.value;
  if (Array.isArray(v)) return v.map(interp).join('');
  return escapeHtml(String(v));
}

export function html(strings: TemplateStringsArray, ...values: Interp[]): Html {
  let out = strings[0]!;
  values.forEach((v, i) => {
    out += interp(v) + strings[i + 1]!;
  });
  return new Html(out);
}

/** Markup this program wrote itself (never data). */
export function trusted(markup: string): Html {
  return new Html(markup);
}

export function joinHtml(parts: readonly Html[], sep = ''): Html {
  return new Html(parts.map((p) => p.value).join(sep));
}
