import { afterEach, describe, expect, it, vi } from 'vitest';
import { hasTool, isCI, requireToolOrSkip, runTool } from '../helpers/tools.js';

const MISSING = 'foi-no-such-tool-7f3a';

describe('tests/helpers/tools', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
    vi.restoreAllMocks();
  });

  it('finds tools on PATH', () => {
    expect(hasTool('node') || hasTool(process.execPath)).toBe(true);
    expect(hasTool(MISSING)).toBe(false);
  });

  it('skips with a printed reason locally', () => {
    vi.stubEnv('CI', '');
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    expect(isCI()).toBe(false);
    expect(requireToolOrSkip([MISSING], 'a probe')).toBe(true);
    expect(warn.mock.calls[0]![0]).toMatch(/skipping a probe: foi-no-such-tool-7f3a not found/);
  });

  it('never skips in CI', () => {
    vi.stubEnv('CI', 'true');
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    expect(isCI()).toBe(true);
    expect(requireToolOrSkip(MISSING)).toBe(false);
    expect(() => runTool(MISSING, [])).toThrow(/not installed/);
  });

  it('treats CI=false / 0 as not CI', () => {
    vi.stubEnv('CI', 'false');
    expect(isCI()).toBe(false);
    vi.stubEnv('CI', '0');
    expect(isCI()).toBe(false);
  });

  it('reports a failing command with its output', () => {
    expect(() => runTool(process.execPath, ['-e', 'console.error("boom"); process.exit(3)'])).toThrow(/exited 3[\s\S]*boom/);
    expect(runTool(process.execPath, ['-e', 'process.stdout.write("ok")']).stdout).toBe('ok');
  });
});
