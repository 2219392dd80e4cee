/**
 * `ingot agent --lab-machine FILE` as the lab starts it: a separate process that reads
 * ipa-api-url from the machine's kernel command line, looks up, heartbeats, serves.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { request } from 'undici';
import { fakeIronic, makeMachine, until } from './test-support.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const MAC = '52:54:00:aa:bb:01';

test('ingot agent --lab-machine: lookup from the kernel command line, heartbeat, command API', async (t) => {
  const api = await fakeIronic({ nodeUuid: 'node-1', macs: [MAC] });
  const m = await makeMachine([1024 * 1024], { kernelCmdline: `console=ttyS0 ipa-api-url=${api.url} ipa-insecure=1` });
  await writeFile(m.file, JSON.stringify(m.desc));
  const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'src/bin/ingot.ts'), 'agent', '--lab-machine', m.file,
    '--host', '127.0.0.1', '--port', '0', '--advertise-host', '127.0.0.1'], { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => { stderr += d; });
  t.after(async () => {
    if (child.exitCode === null) { child.kill('SIGTERM'); await new Promise((r) => child.once('exit', r)); }
    await api.close();
    await m.close();
  });
  const hb = await until(`a heartbeat from the agent process (stderr: ${stderr})`, () => api.heartbeats()[0], 60_000);
  assert.match(hb.body.callback_url, /^http:\/\/127\.0\.0\.1:\d+$/);
  const status = await request(`${hb.body.callback_url}/v1/status`);
  assert.equal(((await status.body.json()) as { version: string }).version, '9.4.3');
  const cmd = await request(`${hb.body.callback_url}/v1/commands/?wait=true&agent_token=${api.token}`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'deploy.get_deploy_steps', params: { node: {}, ports: [] } }),
  });
  const body = (await cmd.body.json()) as { command_status: string; command_result: { deploy_steps: Record<string, unknown[]> } };
  assert.equal(body.command_status, 'SUCCEEDED');
  assert.deepEqual(Object.keys(body.command_result.deploy_steps), ['GenericHardwareManager']);
});
