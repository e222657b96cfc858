/**
 * `foi answer` at a terminal with facts missing: inquirer prompts, a preview, then the write.
 * Driven through tmux, which gives the CLI a real terminal; each step waits for the screen text
 * (polling, with a generous limit) rather than for a fixed time.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN, ROOT, tempDir } from '../helpers/cli.js';
import { requireToolOrSkip } from '../helpers/tools.js';

const session = `foi-test-${process.pid}`;
const tmux = (...args: string[]) => spawnSync('tmux', args, { encoding: 'utf8', env: { ...process.env, TERM: process.env.TERM || 'xterm-256color' } });

async function waitFor(text: string, limitMs = 30_000): Promise<string> {
  const until = Date.now() + limitMs;
  let screen = '';
  while (Date.now() < until) {
    screen = tmux('capture-pane', '-t', session, '-p', '-S', '-200').stdout;
    if (screen.includes(text)) return screen;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for "${text}"; screen:\n${screen}`);
}

async function keys(...k: string[]): Promise<void> {
  for (const key of k) {
    tmux('send-keys', '-t', session, key);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('interactive foi answer', () => {
  afterAll(() => {
    tmux('kill-session', '-t', session);
  });

  it('asks for the missing facts, previews the letter, and writes it on confirmation', { skip: requireToolOrSkip('tmux', 'the interactive prompt test'), timeout: 120_000 }, async () => {
    const out = tempDir('foi-interactive-');
    const cmd = `cd ${ROOT} && ${process.execPath} ${BIN} answer --out ${out} --response-date 2023-08-23 --columns grant,amount; echo EXIT=$?; sleep 60`;
    expect(tmux('new-session', '-d', '-s', session, '-x', '200', '-y', '60', cmd).status).toBe(0);
    await waitFor('Reference');
    await keys('FOI 999', 'Enter');
    await waitFor('Date received');
    await keys('31/02/2023', 'Enter');
    await waitFor('is not a real date'); // validated on the spot, asked again
    await keys('C-u', '25/07/2023', 'Enter');
    await waitFor('Requester name');
    await keys('Enter');
    await waitFor('Financial years');
    // 2022-23 is the sixth year the embedded register holds.
    await keys('Down', 'Down', 'Down', 'Down', 'Down', 'Space', 'Enter');
    await waitFor('Theme');
    await keys('Down', 'Enter'); // Domestic abuse perpetrator programmes
    // What matched is shown before the officer says whether it is held.
    const matched = await waitFor('Outcome');
    expect(matched).toContain('These criteria match 14 money lines (£4,599,642) in the register:');
    expect(matched).toMatch(/2022-23 +Re-MOVE Abuse +£209,052/);
    await keys('Enter'); // held
    await waitFor('Template');
    await keys('Enter'); // chosen by outcome
    await waitFor("requester's words");
    await keys('Programmes in 2022-23 please', 'Enter');
    const preview = await waitFor('Write the letter');
    expect(preview).toContain('----- preview -----');
    expect(preview).toContain('£209,052 (Home Office Grant) £130,996 (LBBD Match Fund)');
    expect(existsSync(join(out, 'FOI-999.md'))).toBe(false); // nothing written before confirming
    await keys('Enter');
    await waitFor('EXIT=0');
    const md = readFileSync(join(out, 'FOI-999.md'), 'utf8');
    expect(md).toContain('> Programmes in 2022-23 please');
    expect(md).toContain('| Re-MOVE Abuse | £209,052 (Home Office Grant) £130,996 (LBBD Match Fund) |');
    expect(existsSync(join(out, 'FOI-999.docx'))).toBe(true);
  });
});
