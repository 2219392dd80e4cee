/**
 * The `rescue` extension: finalize_rescue sets the `rescue` user's password (a crypt
 * hash when `hashed`, else hashed here with SHA-512 crypt through `openssl passwd -6`),
 * then the agent stops serving and heartbeating, as IPA does once rescued.
 */
import type { Extensions } from './executor.ts';
import type { AgentContext } from './context.ts';
import { run } from '../proc.ts';
import { invalidParams } from '../errors.ts';

export function rescueExtension(ctx: AgentContext): Extensions[string] {
  return {
    finalize_rescue: {
      mode: 'sync',
      validate: (p) => {
        if (typeof p.rescue_password !== 'string' || !p.rescue_password) throw invalidParams('rescue_password must be a non-empty string');
      },
      run: async (p) => {
        const password = p.rescue_password as string;
        const hash = p.hashed === true ? password : (await run('openssl', ['passwd', '-6', '-stdin'], { input: password })).stdout.trim();
        const where = await ctx.machine.setRescuePassword(hash);
        ctx.log(`Rescue password written to ${where}`);
        ctx.shutdown('rescued');
        return null;
      },
    },
  };
}
