/**
 * Colour at a terminal: on when stdout is a terminal, off when NO_COLOR is set (no-color.org),
 * forced on by FORCE_COLOR (for tests and pagers that understand it). Listings also mark rows
 * with a symbol, so nothing depends on colour alone.
 */
export function colourEnabled(env: NodeJS.ProcessEnv = process.env, isTTY: boolean = !!process.stdout.isTTY): boolean {
  if (env.NO_COLOR) return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0' && env.FORCE_COLOR !== 'false') return true;
  return isTTY && env.TERM !== 'dumb';
}

export const RED = (s: string): string => `\x1b[31m${s}\x1b[39m`;
export const YELLOW = (s: string): string => `\x1b[33m${s}\x1b[39m`;
