/**
 * Acceptance through the real client: `openstack baremetal introspection start | status |
 * data save | rule import | rule list` (python3-ironic-inspector-client's OSC plugin)
 * against `ingot serve`'s inspector API, with the agent's report played from
 * ironic-inspector's sample (the agent's own report is wired by the agent branch).
 *
 * Needs the client's Python module `ironic_inspector_client` (Debian
 * python3-ironic-inspector-client, listed in scripts/lib/deps.sh). NOTE: the Debian
 * package in this machine's mirror is an empty stub (3 KB, no module); the test is
 * skipped, saying so, where the module is missing.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startEnv, insp, ironic, sampleReport, manageableNode, until, type Env } from './support.ts';

const run = promisify(execFile);
const OPENSTACK = '/usr/bin/openstack';
function hasClient(): boolean {
  try { execFileSync('/usr/bin/python3', ['-c', 'import ironic_inspector_client']); return true; } catch { return false; }
}
const skip = hasClient() ? false
  : 'the Python module ironic_inspector_client is missing (python3-ironic-inspector-client from scripts/lib/deps.sh; this mirror\'s package is an empty stub)';

let env: Env;
before(async () => { if (!skip) env = await startEnv(); });
after(async () => { if (!skip) await env.close(); });

async function os(...args: string[]): Promise<string> {
  const { stdout } = await run(OPENSTACK, ['--os-auth-type', 'none', '--inspector-url', env.svc.inspector.url, ...args], { timeout: 120_000 });
  return stdout.trim();
}

test('openstack baremetal introspection start, status, data save, rule import, rule list', { skip, timeout: 300_000 }, async () => {
  const rules = join(env.dir, 'rules.json');
  writeFileSync(rules, JSON.stringify([{ description: 'tag big', conditions: [{ op: 'ge', field: 'memory_mb', value: 1024 }], actions: [{ action: 'add-trait', name: 'CUSTOM_CLI' }] }]));
  await os('baremetal', 'introspection', 'rule', 'import', rules);
  const listed = JSON.parse(await os('baremetal', 'introspection', 'rule', 'list', '-f', 'json')) as { Description: string }[];
  assert.deepEqual(listed.map((r) => r.Description), ['tag big']);

  const report = sampleReport();
  const uuid = await manageableNode(env.svc, 'cli-0');
  await ironic(env.svc, 'POST', '/v1/ports', { node_uuid: uuid, address: report.boot_interface });
  await os('baremetal', 'introspection', 'start', uuid);
  await until(async () => (await ironic(env.svc, 'GET', `/v1/nodes/${uuid}`)).body.provision_state === 'inspect wait', 'inspect wait');
  const waiting = JSON.parse(await os('baremetal', 'introspection', 'status', uuid, '-f', 'json')) as Record<string, unknown>;
  assert.equal(waiting.finished, false);
  assert.equal((await insp(env.svc, 'POST', '/v1/continue', report)).status, 200);
  const done = JSON.parse(await os('baremetal', 'introspection', 'status', uuid, '-f', 'json')) as Record<string, unknown>;
  assert.equal(done.finished, true);
  assert.equal(done.error, null);
  const file = join(env.dir, 'data.json');
  await os('baremetal', 'introspection', 'data', 'save', uuid, '--file', file);
  const data = JSON.parse(readFileSync(file, 'utf8')) as Record<string, any>;
  assert.equal(data.cpus, 2);
  assert.equal(data.inventory.bmc_address, '192.167.2.134');
  assert.deepEqual((await ironic(env.svc, 'GET', `/v1/nodes/${uuid}`)).body.traits, ['CUSTOM_CLI']);
});
