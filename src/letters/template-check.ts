/**
 * `foi templates check`: every template and partial of a set checked statically (syntax, helpers,
 * partials, names against LetterView) and every letter rendered against the sample letters.
 */
import { S, analyseTemplate, type AnalysisHost, type Issue } from './template-analysis.js';
import { allFiles, loadTemplateSet, type TemplateKind } from './template-set.js';
import { blockingIssues, formatIssue, issueFromError, normaliseMarkdown, prepare } from './templates.js';
import { sampleLetterView } from './sample-letters.js';

export interface TemplateCheck {
  /** The file as shown in messages. */
  file: string;
  name: string;
  kind: TemplateKind;
  origin: 'shipped' | 'override';
  ok: boolean;
  /** Every problem in this file, one per line (`file line N: …`), or null when ok. */
  message: string | null;
}

/**
 * Check every template and partial: syntax, unknown helpers, missing partials, names not in
 * LetterView (resolved through {{#each}}, {{#with}} and partial contexts), helpers misused,
 * the review/ICO partial present in every letter; then render each letter template against
 * built-in sample letters to catch runtime errors. One entry per file.
 */
export function checkTemplates(templatesDir?: string | null): TemplateCheck[] {
  const set = loadTemplateSet(templatesDir);
  const p = prepare(set, true);
  const byFile = new Map<string, Issue[]>();
  const add = (i: Issue) => {
    const list = byFile.get(i.file) ?? [];
    if (!list.some((x) => x.line === i.line && x.message === i.message)) list.push(i);
    byFile.set(i.file, list);
  };
  for (const list of p.fileIssues.values()) list.forEach(add);
  const visited = new Set<string>();
  for (const a of p.analysis.values()) {
    a.issues.forEach(add);
    a.files.forEach((f) => visited.add(f));
  }
  // Partials no letter uses: still check their helpers and syntax (their data is unknown).
  const host: AnalysisHost = {
    partial: (name) => {
      const f = set.partials.get(name);
      return f ? { file: f.file, ast: p.asts.get(f) ?? null } : null;
    },
    dynamicPartials: () => ({ candidates: [], required: [] }),
  };
  for (const f of set.partials.values()) {
    const ast = p.asts.get(f);
    if (!ast || visited.has(f.file)) continue;
    analyseTemplate(f.file, ast, S.any, host).issues.forEach(add);
  }
  // Render each letter template that passed the static checks against the sample letters.
  const samples = [sampleLetterView('full'), sampleLetterView('sparse'), sampleLetterView('eir')];
  for (const t of set.templates.values()) {
    if (blockingIssues(p, t.name).length) continue;
    for (const view of samples) {
      try {
        const out = normaliseMarkdown(p.render.get(t.name)!(view, { partials: p.partialFns }));
        if (/\[object Object\]|\bundefined\b/.test(out)) {
          add({ file: t.file, line: null, message: `renders "[object Object]" or "undefined" for the sample letter` });
        }
      } catch (e) {
        add(issueFromError(e, t.file));
      }
    }
  }
  return allFiles(set).map((f) => {
    const issues = byFile.get(f.file) ?? [];
    return {
      file: f.file,
      name: f.name,
      kind: f.kind,
      origin: f.origin,
      ok: issues.length === 0,
      message: issues.length ? issues.map(formatIssue).join('\n') : null,
    };
  });
}
