#!/usr/bin/env node
// Builds dist/ (run by `npm run build`, so by `npm ci`'s prepare and `npm test`'s pretest).
//
// Type-checking is tsc's job (`npm run typecheck`, run first by `npm run build`); this bundles with
// esbuild so a command loads a few files instead of resolving hundreds of modules:
//   dist/cli.js            the command line (commander and what --help needs)
//   dist/batch-worker.js   the `foi batch` worker thread (found beside the chunk that starts it)
//   dist/read-worker.js    the `foi import` reading thread (likewise)
//   dist/*-HASH.js         chunks: each lazily imported command and what it alone needs, and
//                          shared code; docx is in its own chunk, loaded only for a reference .docx
//   dist/docx-template.json the constant parts of the letter .docx, made here with the docx library
//   dist/templates-precompiled.json the shipped letter templates, analysed and precompiled
//   dist/bench/run.js      `npm run bench` (and bench/measure-import.js, measure-totals-matrix.js)
//   dist/.mopac-register-KEY.sqlite the embedded register, built once here
// better-sqlite3 stays in node_modules (a native addon). Source maps are written beside the
// chunks (node --enable-source-maps, and the bench's profile summaries, read them).
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const DIST = join(ROOT, 'dist');

/** A hash of every source file and the lock file: caches keyed by code use it (src/core/build-id.ts). */
function buildId() {
  const h = createHash('sha256');
  for (const f of readdirSync(join(ROOT, 'src'), { recursive: true }).map(String).sort()) {
    if (!f.endsWith('.ts')) continue;
    h.update(f).update('\0').update(readFileSync(join(ROOT, 'src', f))).update('\0');
  }
  h.update(readFileSync(join(ROOT, 'package-lock.json'))); // dependency versions (docx makes the DOCX template)
  return h.digest('hex').slice(0, 16);
}

/**
 * commander loads node:child_process at start-up for executable subcommands, which foi does not
 * have; loading it is a measurable part of `foi --help`. Give commander a stand-in that loads the
 * real module only if it is ever used.
 */
const lazyChildProcess = {
  name: 'lazy-child-process',
  setup(b) {
    b.onResolve({ filter: /^node:child_process$/ }, (args) => (/[\\/]commander[\\/]/.test(args.importer) ? { path: 'lazy-child-process', namespace: 'foi' } : undefined));
    b.onLoad({ filter: /.*/, namespace: 'foi' }, () => ({
      contents: "let real; module.exports = new Proxy({}, { get: (_, k) => (real ??= require('node:child_process'))[k] });",
      loader: 'js',
    }));
  },
};

/**
 * archiver-utils (under exceljs's zip writer) calls the deprecated `new Buffer(...)`. Node warns
 * about that only for code outside node_modules, which bundled code is, so a letter would print a
 * DeprecationWarning. Rewrite its calls to their exact replacements (the build fails on one it does
 * not know, rather than let the warning back in).
 */
const modernBuffer = {
  name: 'modern-buffer',
  setup(b) {
    b.onLoad({ filter: /[\\/]archiver-utils[\\/]index\.js$/ }, (args) => {
      let code = readFileSync(args.path, 'utf8');
      for (const [from, to] of [['new Buffer(size)', 'Buffer.alloc(size)'], ['new Buffer(0)', 'Buffer.alloc(0)'], ['new Buffer(source)', 'Buffer.from(source)']]) {
        code = code.split(from).join(to);
      }
      if (/\bnew Buffer\(/.test(code)) throw new Error(`${args.path}: a new Buffer(...) call this build does not know (update scripts/build.mjs)`);
      return { contents: code, loader: 'js' };
    });
  },
};

/**
 * string-width (display widths for terminal tables) makes an Intl.Segmenter and its emoji regular
 * expression when it is loaded: about 20 ms (Intl's ICU data, Unicode property tables), paid by
 * every command that prints a listing. Defer its module body to its first call: plain text never
 * calls it (src/output/display-width.ts measures that itself). The build fails if the module no
 * longer has the shape this expects, rather than quietly paying the cost again.
 */
const lazyStringWidth = {
  name: 'lazy-string-width',
  setup(b) {
    const file = join(ROOT, 'node_modules', 'string-width', 'index.js');
    b.onLoad({ filter: /[\\/]string-width[\\/]index\.js$/ }, (args) => {
      if (args.path !== file) return undefined; // an older copy nested under another package
      const code = readFileSync(file, 'utf8');
      const imports = code.match(/^import [^;]+;$/gm) ?? [];
      const head = 'export default function stringWidth(';
      const body = imports.reduce((c, i) => c.replace(i, ''), code);
      if (!imports.length || body.split(head).length !== 2 || /^\s*export /m.test(body.replace(head, ''))) {
        throw new Error(`${file}: not the shape scripts/build.mjs expects (imports, then one default export); update lazyStringWidth`);
      }
      return {
        contents: `${imports.join('\n')}\nlet made;\nexport default function stringWidth(input, options) { return (made ??= make())(input, options); }\n`
          + `function make() {\n${body.replace(head, 'function stringWidth(')}\nreturn stringWidth;\n}\n`,
        loader: 'js',
      };
    });
  },
};

const common = {
  plugins: [lazyChildProcess, modernBuffer, lazyStringWidth],
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  external: ['better-sqlite3'],
  sourcemap: 'linked',
  // Smaller files parse faster; names are kept, so stack traces and profiles still read.
  minifyWhitespace: true,
  minifySyntax: true,
  // CommonJS packages bundled into ESM (handlebars, yaml, commander) call require() for Node built-ins.
  banner: { js: "import { createRequire as __foiCreateRequire } from 'node:module'; const require = __foiCreateRequire(import.meta.url);" },
  define: { __FOI_BUILD_ID__: JSON.stringify(buildId()) },
  logLevel: 'warning',
  absWorkingDir: ROOT,
};

rmSync(DIST, { recursive: true, force: true });
await build({
  ...common,
  entryPoints: { cli: 'src/cli.ts', 'batch-worker': 'src/letters/batch-worker.ts', 'read-worker': 'src/import/read-worker.ts' },
  splitting: true,
  outdir: DIST,
  chunkNames: '[name]-[hash]',
});
await build({
  ...common,
  entryPoints: { run: 'bench/run.ts', 'measure-import': 'bench/measure-import.ts', 'measure-xlsx': 'bench/measure-xlsx.ts', 'measure-totals-matrix': 'bench/measure-totals-matrix.ts', 'profile-summary': 'bench/profile-summary.ts', 'rss-hook': 'bench/lib/rss-hook.ts', 'read-worker': 'src/import/read-worker.ts' },
  splitting: true,
  outdir: join(DIST, 'bench'),
  chunkNames: '[name]-[hash]',
});

// Made once here so that letters need neither the docx library nor the Handlebars compiler: the
// constant DOCX parts, and the shipped templates analysed and precompiled (used only while the
// template files are exactly these).
const genDir = join(DIST, '.build');
mkdirSync(genDir, { recursive: true });
await build({
  ...common,
  sourcemap: false,
  entryPoints: { 'docx-template': 'src/render/docx/package-template.ts', templates: 'src/letters/templates.ts' },
  outdir: genDir,
});
const { buildShippedTemplates } = await import(pathToFileURL(join(genDir, 'docx-template.js')).href);
writeFileSync(join(DIST, 'docx-template.json'), JSON.stringify(await buildShippedTemplates()));
const { precompileShippedTemplates } = await import(pathToFileURL(join(genDir, 'templates.js')).href);
writeFileSync(join(DIST, 'templates-precompiled.json'), JSON.stringify(precompileShippedTemplates()));
rmSync(genDir, { recursive: true, force: true });

// Build the embedded MOPAC register's cache now (dist/.mopac-register-KEY.sqlite, see
// src/register/default-register.ts), so that no command pays for it on first use.
const warm = spawnSync(process.execPath, [join(ROOT, 'bin', 'foi'), 'themes', '--format', 'json'], { encoding: 'utf8', env: { ...process.env, FOI_DB: '' } });
if (warm.status !== 0) throw new Error(`building the embedded register failed: ${warm.stderr}`);
