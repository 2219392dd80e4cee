/**
 * A lab machine that never reports: it boots the inspection ISO and runs `ingot agent`,
 * but the callback it was given does not answer (INGOT_INSPECTOR_CALLBACK_URL names a
 * closed port). The agent retries, gives up and logs why (as IPA); the node ends in
 * `inspect failed` once inspect_wait_timeout has passed, with a last_error that starts
 * with Ironic's text and says what to check; the inspector status is an error too.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startRedfishLab } from '../../src/lab/redfish/index.ts';
import { startEnv, insp, ironic, until } from './support.ts';

async function closedPort(): Promise<number> {
  return new Promise((resolve) => { const s = createServer(); s.listen(0, '127.0.0.1', () => { const p = (s.address() as { port: number }).port; s.close(() => resolve(p)); }); });
}

test('a machine whose report never arrives ends in inspect failed with a last_error that says what to check', { timeout: 180_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ingot-silent-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'kernel'), 'stand-in kernel');
  writeFileSync(join(dir, 'ramdisk'), 'stand-in ramdisk');
  const callback = `http://127.0.0.1:${await closedPort()}/v1/continue`;
  const lab = await startRedfishLab({
    machines: 1, port: 0, host: '127.0.0.1', taskDelayMs: 10,
    agents: { dataDir: join(dir, 'lab'), diskSizeBytes: 64 * 1024 ** 2, stopTimeoutMs: 2000, agentEnv: { INGOT_AGENT_INSPECTION_RETRY_WAIT: '0.1' } },
  });
  t.after(() => lab.close());
  const env = await startEnv({ INGOT_INSPECTOR_CALLBACK_URL: callback }, { dataDir: dir, db: join(dir, 'ingot.db'), inspectWaitTimeout: 3 });
  t.after(() => env.close());
  const m = lab.machines[0]!;
  const c = await ironic(env.svc, 'POST', '/v1/nodes', {
    driver: 'redfish', name: 'silent', inspect_interface: 'inspector', boot_interface: 'redfish-virtual-media',
    driver_info: { redfish_address: lab.url, redfish_system_id: `/redfish/v1/Systems/${m.id}`, redfish_username: 'admin', redfish_password: 'password', deploy_kernel: join(dir, 'kernel'), deploy_ramdisk: join(dir, 'ramdisk') },
  });
  assert.equal(c.status, 201, JSON.stringify(c.body));
  const uuid = c.body.uuid as string;
  const node = async (): Promise<any> => (await ironic(env.svc, 'GET', `/v1/nodes/${uuid}`)).body;
  await ironic(env.svc, 'PUT', `/v1/nodes/${uuid}/states/provision`, { target: 'manage' });
  await until(async () => (await node()).provision_state === 'manageable', 'manageable', 60_000);
  assert.equal((await ironic(env.svc, 'PUT', `/v1/nodes/${uuid}/states/provision`, { target: 'inspect' })).status, 202);
  await until(async () => (await node()).provision_state === 'inspect wait', 'inspect wait', 60_000);

  // The machine booted the ISO and its agent tried the callback, then gave up.
  const log = lab.hosts!.paths(m.id).agentLog;
  await until(async () => { try { return /could not be posted to .* after 5 attempts/.test(readFileSync(log, 'utf8')); } catch { return false; } }, 'the agent giving up', 60_000);
  assert.equal(lab.hosts!.status(m.id).state, 'agent', 'the agent keeps running (no ipa-api-url), as IPA');

  // The timeout periodic (off in tests) fails the node once inspect_wait_timeout has passed.
  await until(async () => {
    await env.svc.conductor.runPeriodicsOnce();
    return (await node()).provision_state !== 'inspect wait';
  }, 'the inspect wait timeout', 60_000);
  const n = await node();
  assert.equal(n.provision_state, 'inspect failed');
  assert.match(n.last_error, /^timeout reached while inspecting the node \(no inspection report within 3 s\)\. Check that the machine booted the ramdisk and can reach the inspection callback http:\/\/127\.0\.0\.1:\d+\/v1\/continue; then inspect again\.$/);
  const st = (await insp(env.svc, 'GET', `/v1/introspection/${uuid}`)).body;
  assert.equal(st.finished, true);
  assert.equal(st.state, 'error');
  assert.equal(st.error, n.last_error);
  // No report ever arrived, yet the node has a port per NIC the BMC reports enabled: created
  // before the ramdisk booted, as Ironic 21.4's inspector interface does.
  const ports = (await ironic(env.svc, 'GET', `/v1/ports?node=${uuid}`)).body.ports as { address: string }[];
  assert.deepEqual(ports.map((p) => p.address).sort(), m.nics.map((x) => x.mac.toLowerCase()).sort());
});
