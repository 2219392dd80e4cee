/**
 * The lab with the real `ingot agent` (default agent command: this checkout's
 * bin/ingot.mjs): a machine booted from an agent ISO starts the agent, which finds the API
 * from the ISO's `ipa-api-url` and looks itself up by the lab machine's MACs; powering the
 * machine off ends the agent. The API here is a stand-in that records the lookup.
 *
 * Skipped, saying so, while this checkout's CLI has no `agent` command.
 * INGOT_AGENT_CLI=path/to/bin/ingot.mjs runs it against another checkout's agent.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startFileServer } from '../../src/conductor/file-server.ts';
import { prepareAgentIso } from '../../src/drivers/shared/agent-iso.ts';
import { startRedfishLab } from '../../src/lab/redfish/index.ts';

const CLI = process.env.INGOT_AGENT_CLI ?? join(resolve(dirname(fileURLToPath(import.meta.url)), '..', '..'), 'bin', 'ingot.mjs');
const help = spawnSync(process.execPath, [CLI, 'agent', '--help'], { encoding: 'utf8', timeout: 60_000 });
const skip = help.status === 0 && /--lab-machine/.test(help.stdout) ? false : `${CLI} has no \`agent --lab-machine\` command yet`;

const VERSION = { id: 'v1', links: [], status: 'CURRENT', min_version: '1.1', version: '1.82' };

test('a lab machine booted from the agent ISO runs ingot agent, which looks itself up by its MACs at the ISO\'s ipa-api-url', { skip, timeout: 120_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ingot-lab-agent-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'kernel'), 'stand-in kernel (not executed)');
  writeFileSync(join(dir, 'ramdisk'), 'stand-in ramdisk (not executed)');
  const lookups: URL[] = [];
  const api = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname === '/' || url.pathname === '/v1' || url.pathname === '/v1/') {
      res.writeHead(200, { 'content-type': 'application/json', 'x-openstack-ironic-api-min-version': '1.1', 'x-openstack-ironic-api-max-version': '1.82' });
      return res.end(JSON.stringify({ name: 'OpenStack Ironic API', default_version: VERSION, versions: [VERSION], id: 'v1' }));
    }
    if (url.pathname === '/v1/lookup') lookups.push(url);
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error_message: JSON.stringify({ faultcode: 'Client', faultstring: 'Node could not be found.', debuginfo: null }) }));
  });
  await new Promise<void>((ok) => api.listen(0, '127.0.0.1', ok));
  t.after(() => api.close());
  const apiUrl = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
  const files = await startFileServer({ root: join(dir, 'httpboot'), host: '127.0.0.1', port: 0 });
  t.after(() => files.close());
  const lab = await startRedfishLab({ machines: 1, agents: { dataDir: join(dir, 'lab'), diskSizeBytes: 64 * 1024 * 1024, agentCommand: [process.execPath, CLI] } });
  t.after(() => lab.close());

  const iso = await prepareAgentIso({ httpRoot: join(dir, 'httpboot'), httpUrl: () => files.url, apiUrl: () => apiUrl }, {
    node: { uuid: 'aaaaaaaa-0000-4000-8000-00000000000a', driver_info: { deploy_kernel: join(dir, 'kernel'), deploy_ramdisk: join(dir, 'ramdisk') }, instance_info: {}, properties: {} },
    mode: 'deploy', subdir: 'redfish', params: [['ipa-agent-token', 'pregenerated'], ['boot_method', 'vmedia']],
  });
  const m = lab.machines[0]!;
  m.insertMedia('CD1', { Image: iso.url });
  m.setBootOverride({ BootSourceOverrideTarget: 'Cd', BootSourceOverrideEnabled: 'Once' });
  m.reset('On');
  for (let i = 0; i < 600 && lookups.length === 0; i++) await new Promise((r) => setTimeout(r, 100));
  const status = lab.hosts!.status(m.id);
  assert.ok(lookups.length > 0, `the agent looked itself up (host: ${status.state} ${status.reason ?? ''}; log: ${status.log.join(' | ')})`);
  const addresses = (lookups[0]!.searchParams.get('addresses') ?? '').split(',').sort();
  assert.deepEqual(addresses, m.nics.map((n) => n.mac.toLowerCase()).sort());
  assert.equal(status.state, 'agent');

  m.reset('ForceOff');
  for (let i = 0; i < 300 && lab.hosts!.status(m.id).state !== 'off'; i++) await new Promise((r) => setTimeout(r, 100));
  const off = lab.hosts!.status(m.id);
  assert.equal(off.state, 'off');
  assert.ok(off.agent?.exit, 'the agent process ended');
});
