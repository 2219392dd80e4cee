/**
 * The `log` extension: collect_system_logs answers `{"system_logs": <base64 of a
 * gzipped tar>}` as IPA does, with the machine's logs and the agent's own log lines.
 */
import { mkdtemp, rm, writeFile, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Extensions } from './executor.ts';
import type { AgentContext } from './context.ts';
import { run } from '../proc.ts';

export async function gzippedTar(files: Record<string, string>, tmpDir: string): Promise<Buffer> {
  const dir = await mkdtemp(join(tmpDir, 'ingot-agent-logs-'));
  try {
    const names: string[] = [];
    for (const [name, content] of Object.entries(files)) {
      const safe = name.replace(/[^A-Za-z0-9._-]/g, '_');
      await writeFile(join(dir, safe), content);
      names.push(safe);
    }
    await run('tar', ['-czf', join(dir, 'logs.tar.gz'), '-C', dir, ...names]);
    return await readFile(join(dir, 'logs.tar.gz'));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export function logExtension(ctx: AgentContext, agentLog: () => string): Extensions[string] {
  return {
    collect_system_logs: {
      mode: 'sync',
      run: async () => {
        const files = { ...(await ctx.machine.systemLogs()), 'ingot-agent.log': agentLog() };
        return { system_logs: (await gzippedTar(files, ctx.tmpDir)).toString('base64') };
      },
    },
  };
}
