import { existsSync } from 'node:fs';
import type { Ctx } from '../context.js';
import { UsageError } from '../core/errors.js';

export async function run(ctx: Ctx, _args: unknown[], opts: { sample?: boolean }): Promise<number> {
  const path = ctx.registerPath();
  if (!path) throw new UsageError('say where to create the register: foi init --db PATH (or set FOI_DB)');
  const existed = existsSync(path);
  const db = await ctx.openRegister('write');
  let loaded = '';
  if (opts.sample) {
    const { loadDefaultRegister } = await import('../register/default-register.js');
    const r = await loadDefaultRegister(db);
    loaded = `; MOPAC sample data: ${r.inserted} grants added, ${r.updated} updated, ${r.unchanged} unchanged`;
  }
  const grants = db.prepare('SELECT count(*) FROM grants').pluck().get() as number;
  ctx.out(`${existed ? 'Register ready' : 'Created register'} ${path} (${grants.toLocaleString('en-GB')} grant${grants === 1 ? '' : 's'})${loaded}\n`);
  return 0;
}
