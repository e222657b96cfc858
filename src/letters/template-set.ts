/**
 * A set of letter templates: the shipped `templates/` files plus an optional `--templates DIR`
 * that adds or overrides templates (`DIR/*.hbs`) and partials (`DIR/partials/*.hbs`) by file name.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../core/errors.js';
import { shippedTemplatesDir } from './body-config.js';

export type TemplateKind = 'template' | 'partial';

export interface TemplateFileInfo {
  /** Template or partial name: the file name without `.hbs`. */
  name: string;
  kind: TemplateKind;
  /** The file as shown in messages: `templates/partials/question.hbs` or `DIR/partials/x.hbs`. */
  file: string;
  /** Absolute path. */
  path: string;
  origin: 'shipped' | 'override';
  /** For an override: the shipped file it replaces, else null. */
  overrides: string | null;
}

export interface TemplateFile extends TemplateFileInfo {
  source: string;
}

export interface TemplateSet {
  overrideDir: string | null;
  templates: Map<string, TemplateFile>;
  partials: Map<string, TemplateFile>;
}

function hbsFiles(dir: string): string[] {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.hbs') && statSync(join(dir, f)).isFile())
    .sort();
}

function readInto(set: TemplateSet, dir: string, shown: (rel: string) => string, origin: 'shipped' | 'override'): void {
  for (const [kind, sub] of [['template', ''], ['partial', 'partials']] as const) {
    const d = sub ? join(dir, sub) : dir;
    const map = kind === 'template' ? set.templates : set.partials;
    for (const f of hbsFiles(d)) {
      const name = f.slice(0, -'.hbs'.length);
      const rel = sub ? `${sub}/${f}` : f;
      const prev = map.get(name);
      const source = readFileSync(join(d, f), 'utf8').replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
      map.set(name, { name, kind, file: shown(rel), path: join(d, f), origin, overrides: prev ? prev.file : null, source });
    }
  }
}

/** Letters then partials, each sorted by name. */
export function allFiles(set: TemplateSet): TemplateFile[] {
  const byName = (a: TemplateFile, b: TemplateFile) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
  return [...[...set.templates.values()].sort(byName), ...[...set.partials.values()].sort(byName)];
}

export function loadTemplateSet(templatesDir: string | null | undefined): TemplateSet {
  const set: TemplateSet = { overrideDir: templatesDir ?? null, templates: new Map(), partials: new Map() };
  readInto(set, shippedTemplatesDir(), (rel) => `templates/${rel}`, 'shipped');
  if (templatesDir != null) {
    if (!existsSync(templatesDir) || !statSync(templatesDir).isDirectory()) {
      throw new UsageError(`--templates ${templatesDir}: not a directory`);
    }
    readInto(set, templatesDir, (rel) => join(templatesDir, rel), 'override');
  }
  return set;
}

/** Names of the letter templates (shipped, plus any added by `templatesDir`), sorted. */
export function listTemplates(templatesDir?: string | null): string[] {
  return [...loadTemplateSet(templatesDir).templates.keys()].sort();
}

/** Every template and partial file in the set (shipped, plus overrides from `templatesDir`): letters first, sorted. */
export function listTemplateFiles(templatesDir?: string | null): TemplateFileInfo[] {
  return allFiles(loadTemplateSet(templatesDir)).map(({ source: _s, ...info }) => info);
}
