/**
 * Issue 7, item 6, through `ingot serve` and the lab: BMCs whose power changes take time
 * (reporting PoweringOn/PoweringOff meanwhile and refusing resets with 409, as iDRACs do).
 * The node's power_state becomes the target only once the BMC reports it; a reset refused
 * during a transition is retried; INGOT_POWER_STATE_CHANGE_TIMEOUT bounds the wait, and a
 * change that takes longer fails with a last_error naming what the BMC reports.
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
import { IngotClient } from '../../src/client/index.ts';

let lab: RedfishLab;
let svc: Service;
let api: IngotClient;
let dir: string;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ingot-rf-transition-'));
  lab = await startRedfishLab({
    machines: 2, port: 0, host: '127.0.0.1',
    faults: [{ kind: 'powerTransition', ms: 400, machines: [0] }, { kind: 'powerTransition', ms: 4000, machines: [1] }],
  });
  svc = await startService(loadConfig({ INGOT_POWER_STATE_CHANGE_TIMEOUT: '1.5' }, { port: 0, host: '127.0.0.1', dataDir: dir, db: join(dir, 'ingot.db') }),
    { logger: pino({ level: 'silent' }), periodics: false });
  api = new IngotClient({ endpoint: svc.url });
});
after(async () => {
  await svc?.close();
  await lab?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function enroll(i: number): Promise<string> {
  const name = `slow-${i}`;
  await api.createNode({
    name, driver: 'redfish', deploy_interface: 'ramdisk',
    driver_info: {
      redfish_address: lab.url, redfish_system_id: `/redfish/v1/Systems/${lab.machines[i]!.id}`,
      redfish_username: 'admin', redfish_password: 'password', redfish_verify_ca: false,
    },
  });
  await api.setProvisionState(name, 'manage');
  await api.waitForState(name, 'manageable', { intervalMs: 50 });
  return name;
}

const SETTLED: Record<string, string> = { 'power on': 'On', 'power off': 'Off' };

/**
 * Asks for a power change and watches the node until it ends: once the node's power_state
 * changes, the BMC must already report the new state settled (never PoweringOn/PoweringOff).
 */
async function powerAndWatch(name: string, i: number, target: string): Promise<any> {
  const before = (await api.getNode(name)).power_state;
  await api.setPowerState(name, target);
  for (;;) {
    const n = await api.getNode(name);
    const bmc = lab.machine(i).reportedPower;
    if (n.power_state !== before) assert.equal(bmc, SETTLED[n.power_state], `${name} recorded ${n.power_state} while the BMC reports ${bmc}`);
    if (n.target_power_state === null) return n;
    await new Promise((r) => setTimeout(r, 20));
  }
}

test('power on, reboot and power off wait for the BMC to settle; a reset refused during a transition is retried', { timeout: 60_000 }, async () => {
  const name = await enroll(0);
  const m = lab.machine(0);
  let n = await powerAndWatch(name, 0, 'power on');
  assert.equal(n.power_state, 'power on');
  assert.equal(m.reportedPower, 'On');
  assert.equal(n.last_error, null);
  n = await powerAndWatch(name, 0, 'rebooting');
  assert.equal(n.power_state, 'power on');
  assert.equal(n.last_error, null);
  // Someone powers the machine off and on at the BMC; Ingot's power off meets a 409 until it settles.
  m.reset('ForceOff');
  m.reset('On', 400);
  assert.equal(m.reportedPower, 'PoweringOn');
  n = await powerAndWatch(name, 0, 'power off');
  assert.equal(n.power_state, 'power off');
  assert.equal(m.reportedPower, 'Off');
  assert.equal(n.last_error, null);
});

test('a power change slower than INGOT_POWER_STATE_CHANGE_TIMEOUT fails, naming what the BMC reports; the target is not recorded', { timeout: 60_000 }, async () => {
  const name = await enroll(1);
  const before = (await api.getNode(name)).power_state;
  const n = await powerAndWatch(name, 1, 'power on');
  assert.equal(n.power_state, before, 'the target state is not recorded');
  assert.notEqual(n.power_state, 'power on');
  assert.match(n.last_error, new RegExp(`did not reach power state power on within 1\\.5 s; the BMC reports PoweringOn \\(Redfish BMC at ${lab.url.replace(/[.]/g, '\\.')}\\)\\.$`));
});
