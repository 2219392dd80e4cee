/**
 * Fault probe (issue 7, item 4): several lab machines behind one Redfish service, so their
 * nodes share one BMC address, one account and one Redfish session in `ingot serve`.
 * While three nodes are cleaned (a BIOS step), provided and deployed (ramdisk deploy over
 * redfish-virtual-media),
 * the BMC keeps dropping the session of a fourth machine, whose node is used all the while.
 * That node's calls fail, saying the BMC dropped the session (not blaming the password);
 * no other node's operation fails. Then the fourth machine's session is dropped once during
 * its own deploy: it logs in again and reaches `active`.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { loadConfig } from '../../src/config/config.ts';
import { startService, type Service } from '../../src/bin/service.ts';
import { startRedfishLab, type RedfishLab } from '../../src/lab/redfish/index.ts';
import { ApiError, IngotClient } from '../../src/client/index.ts';

let lab: RedfishLab;
let svc: Service;
let api: IngotClient;
let dir: string;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ingot-rf-shared-'));
  lab = await startRedfishLab({ machines: 4, port: 0, host: '127.0.0.1', taskDelayMs: 50 });
  svc = await startService(loadConfig({}, { port: 0, host: '127.0.0.1', dataDir: dir, db: join(dir, 'ingot.db') }),
    { logger: pino({ level: 'silent' }), periodics: false });
  api = new IngotClient({ endpoint: svc.url });
});
after(async () => {
  await svc?.close();
  await lab?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function enroll(i: number): Promise<string> {
  const name = `shared-${i}`;
  await api.createNode({
    name, driver: 'redfish', boot_interface: 'redfish-virtual-media', deploy_interface: 'ramdisk', automated_clean: false,
    driver_info: {
      redfish_address: lab.url, redfish_system_id: `/redfish/v1/Systems/${lab.machines[i]!.id}`,
      redfish_username: 'admin', redfish_password: 'password', redfish_verify_ca: false,
    },
    instance_info: { boot_iso: `http://images.lab/shared-${i}.iso` },
    properties: { capabilities: 'boot_mode:uefi' },
  });
  await api.setProvisionState(name, 'manage');
  await api.waitForState(name, 'manageable', { intervalMs: 50 });
  return name;
}

/** Manual cleaning with a BIOS step (a reboot and a wait for the settings to apply), then deploy. */
async function cleanAndDeploy(name: string): Promise<any> {
  await api.setProvisionState(name, 'clean', {
    clean_steps: [{ interface: 'bios', step: 'apply_configuration', args: { settings: [{ name: 'ProcTurboMode', value: 'Disabled' }] } }],
  });
  await api.waitForState(name, 'manageable', { intervalMs: 50 });
  return provideAndDeploy(name);
}

async function provideAndDeploy(name: string): Promise<any> {
  await api.setProvisionState(name, 'provide');
  await api.waitForState(name, 'available', { intervalMs: 50 });
  await api.setProvisionState(name, 'active');
  return api.waitForState(name, 'active', { intervalMs: 50 });
}

test('a session dropped on one machine fails no other machine\'s deploy; that machine recovers by logging in again', { timeout: 180_000 }, async () => {
  const names = await Promise.all([0, 1, 2, 3].map(enroll));
  const [faulty, ...others] = names as [string, ...string[]];

  // Slow answers keep the other machines' requests in flight while machine 0 fails.
  lab.faults.add({ kind: 'latency', ms: 40, machines: [1, 2, 3] });
  const drop = lab.faults.add({ kind: 'dropSessions', machines: [0] })[0]!;
  let running = true;
  const deploys = Promise.allSettled(others.map((n, i) => (i === 0 ? cleanAndDeploy(n) : provideAndDeploy(n)))).finally(() => { running = false; });
  const failures: string[] = [];
  while (running) {
    try {
      await api.call('GET', `/v1/nodes/${faulty}/management/boot_device`);
      failures.push('(no failure)');
    } catch (e) {
      failures.push(e instanceof ApiError ? e.message : String(e));
    }
  }
  const results = await deploys;
  for (const [i, r] of results.entries()) {
    assert.equal(r.status, 'fulfilled', `${others[i]}: ${r.status === 'rejected' ? String((r.reason as Error).message) : ''}`);
  }
  for (const name of others) {
    const n = await api.getNode(name);
    assert.equal(n.provision_state, 'active');
    assert.equal(n.power_state, 'power on');
    assert.equal(n.last_error, null);
  }
  assert.equal(lab.machine(1).bios?.current.ProcTurboMode, 'Disabled', 'the cleaning step was applied');
  assert.ok(failures.length > 0);
  for (const f of failures) {
    assert.match(f, /the BMC dropped the session: GET \/redfish\/v1\/Systems\/\S+ was refused \(HTTP 401\) right after a successful re-login as "admin"/);
    assert.doesNotMatch(f, /password|credentials were rejected/i);
  }

  // One dropped session during the faulty machine's own deploy: a re-login, and it succeeds.
  lab.faults.remove(drop.id);
  const once = lab.faults.add({ kind: 'dropSessions', machines: [0], count: 1 })[0]!;
  const n0 = await provideAndDeploy(faulty);
  assert.equal(n0.last_error, null);
  assert.equal(lab.faults.list().find((r) => r.id === once.id)?.fired, 1, 'the session was dropped once');
  assert.equal(lab.machine(0).power, 'On');
});
