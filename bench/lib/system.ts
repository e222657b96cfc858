/** The machine and the versions of everything measured. */
import { cpus, totalmem, platform, release } from 'node:os';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { ROOT, SQLITE3 } from './paths.js';
import { versionOf, which } from './proc.js';
import { fmtBytes } from './stats.js';

export interface SystemInfo {
  cpu: string;
  cores: number;
  memory: string;
  os: string;
  node: string;
  sqlite3Cli: string | null;
  betterSqlite3: string;
  pandoc: string | null;
  foi: string;
}

export function systemInfo(): SystemInfo {
  const c = cpus();
  const require = createRequire(join(ROOT, 'package.json'));
  const bsPkg = JSON.parse(readFileSync(require.resolve('better-sqlite3/package.json'), 'utf8')) as { version: string };
  const Database = require('better-sqlite3') as new (p: string) => { prepare(s: string): { pluck(): { get(): unknown } }; close(): void };
  const mem = new Database(':memory:');
  const bsSqlite = String(mem.prepare('SELECT sqlite_version()').pluck().get());
  mem.close();
  const foiPkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
  const gitRev = versionOf('git', ['-C', ROOT, 'rev-parse', '--short', 'HEAD']);
  const dirty = versionOf('git', ['-C', ROOT, 'status', '--porcelain', 'src', 'bin', 'templates', 'data']);
  const pandoc = which('pandoc');
  const sqlite = versionOf(SQLITE3, ['--version']);
  return {
    cpu: c[0]?.model.trim() ?? 'unknown',
    cores: c.length,
    memory: fmtBytes(totalmem()),
    os: `${platform()} ${release()}`,
    node: process.version,
    sqlite3Cli: sqlite ? sqlite.split(' ')[0] : null,
    betterSqlite3: `${bsPkg.version} (SQLite ${bsSqlite})`,
    pandoc: pandoc ? versionOf(pandoc, ['--version'])?.replace(/^pandoc\s+/, '') ?? 'unknown' : null,
    foi: `${foiPkg.version}${gitRev ? ` (git ${gitRev}${dirty ? ', uncommitted changes' : ''})` : ''}`,
  };
}
