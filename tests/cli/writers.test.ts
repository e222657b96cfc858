/**
 * Two writers and interrupted writers: a second import waits for the first and both succeed with
 * exact totals; an import killed with SIGKILL leaves the register as it was or fully imported.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { BIN, FIXTURES, ROOT, foi, tempDir } from '../helpers/cli.js';
import { makeBigCsv } from '../../bench/lib/gen-csv.js';
import { readCsvRecords } from '../../src/import/csv.js';
import { parseMoney } from '../../src/core/money.js';

const LLOYDS = resolve(ROOT, '..', 'shared', 'data', '360giving', 'lloyds-bank-foundation-2010-2015.360g.json');
const ALW = join(FIXTURES, '360giving', 'andrew-lloyd-webber-foundation.360g.json');
const skip = existsSync(LLOYDS) ? false : 'needs ../shared/data/360giving (the Lloyds Bank Foundation file)';

function start(args: string[]): { done: Promise<{ code: number | null; signal: string | null; stderr: string }>; pid: number; kill: () => void } {
  const env = { ...process.env };
  delete env.FOI_DB;
  const child = spawn(process.execPath, [BIN, ...args], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const done = new Promise<{ code: number | null; signal: string | null; stderr: string }>((res) => child.on('close', (code, signal) => res({ code, signal, stderr })));
  return { done, pid: child.pid!, kill: () => child.kill('SIGKILL') };
}

async function csvTotal(path: string): Promise<{ rows: number; pence: number }> {
  let header: string[] = [];
  let rows = 0;
  let pence = 0;
  for await (const { row, fields } of readCsvRecords(path)) {
    if (row === 1) { header = fields; continue; }
    const m = parseMoney(fields[header.indexOf('Amount Awarded')]);
    if (!m.ok) throw new Error(m.reason);
    rows++;
    pence += m.pence;
  }
  return { rows, pence };
}

function counts(db: string): { grants: number; pence: number; ok: string } {
  const d = new Database(db, { readonly: true });
  try {
    const r = d.prepare('SELECT count(*) AS grants, coalesce(sum(amount_awarded_pence), 0) AS pence FROM grants').get() as { grants: number; pence: number };
    return { ...r, ok: d.pragma('integrity_check', { simple: true }) as string };
  } finally {
    d.close();
  }
}

describe('two writers', () => {
  it('a 100,000-row import and a small one started a second later both succeed, totals exact', { skip, timeout: 300_000 }, async () => {
    const dir = tempDir('foi-writers-');
    const big = makeBigCsv(LLOYDS, join(dir, 'big.csv'), 100_000);
    const expected = await csvTotal(big.path);
    expect(expected.rows).toBe(100_000);
    const db = join(dir, 'r.sqlite');
    expect(foi(['init', '--db', db]).code).toBe(0);
    const first = start(['import', '--db', db, big.path]);
    await new Promise((r) => setTimeout(r, 1000));
    const second = start(['import', '--db', db, ALW]);
    const [a, b] = await Promise.all([first.done, second.done]);
    expect(a.stderr).not.toContain('locked');
    expect(b.stderr).not.toContain('locked');
    expect([a.code, b.code]).toEqual([0, 0]);
    expect(counts(db)).toEqual({ grants: 100_000 + 475, pence: expected.pence + 2175779327, ok: 'ok' });
  });
});

describe('interrupted imports', () => {
  it('kill -9 at any moment leaves the register as it was or fully imported', { skip, timeout: 300_000 }, async () => {
    const dir = tempDir('foi-kill-');
    const csv = makeBigCsv(LLOYDS, join(dir, 'rows.csv'), 20_000);
    const db = join(dir, 'r.sqlite');
    expect(foi(['init', '--db', db, '--sample']).code).toBe(0);
    const before = counts(db);
    const outcomes = new Set<string>();
    for (const delay of [150, 400, 700, 1000, 1500, 2500]) {
      const run = start(['import', '--db', db, csv.path]);
      await new Promise((r) => setTimeout(r, delay));
      run.kill();
      const r = await run.done;
      const now = counts(db);
      expect(now.ok).toBe('ok');
      if (now.grants === before.grants) {
        expect(now.pence).toBe(before.pence);
        outcomes.add(r.code === 0 ? 'finished-before-kill-no-change' : 'rolled back');
      } else {
        expect(now.grants).toBe(before.grants + 20_000);
        outcomes.add('complete');
        break;
      }
    }
    // At least one kill landed mid-import (and was rolled back).
    expect(outcomes.has('rolled back')).toBe(true);
    // A later import completes normally.
    expect(foi(['import', '--db', db, csv.path]).code).toBe(0);
    expect(counts(db).grants).toBe(before.grants + 20_000);
  });
});
