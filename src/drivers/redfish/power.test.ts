/**
 * Redfish power against the lab: states, waiting, soft-action fallbacks when the BMC's
 * ResetType AllowableValues lack the graceful types, timeouts, NMI, restoring a one-time
 * boot device that stands in for a persistent one.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DriverError, InvalidError } from '../../core/errors.ts';
import { defaultMockupsDir } from '../../lab/redfish/index.ts';
import { isMockupDir } from '../../lab/redfish/tree.ts';
import { RedfishManagement } from './management.ts';
import { RedfishPower } from './power.ts';
import { redfishTestLab } from '../../testing/redfish-harness.ts';

const MOCKUP = join(defaultMockupsDir(), 'dmtf-public-rackmount1');
const noMockups = isMockupDir(MOCKUP) ? false : `mockups folder ${MOCKUP} is absent`;

/** A copy of the DMTF rackmount mockup whose system allows only `resetTypes`. */
function rackmountWith(t: { after(fn: () => unknown): void }, resetTypes: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'rf-mockup-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const copy = join(dir, 'rackmount');
  cpSync(MOCKUP, copy, { recursive: true });
  const file = join(copy, 'redfish/v1/Systems/437XR1138R2/index.json');
  const doc = JSON.parse(readFileSync(file, 'utf8'));
  doc.Actions['#ComputerSystem.Reset']['ResetType@Redfish.AllowableValues'] = resetTypes;
  writeFileSync(file, JSON.stringify(doc));
  return copy;
}

test('on, off, hard and soft reboot reach the state and use the ResetTypes Ironic uses', async (t) => {
  const { lab, cache, node } = await redfishTestLab(t);
  const power = new RedfishPower(cache);
  const n = node(0);
  const resets: string[] = [];
  lab.hooks.onPowerChange((_id, _state, type) => { resets.push(type); });
  assert.equal(await power.getPowerState(n.ctx()), 'power off');
  await power.setPowerState(n.ctx(), 'power on');
  assert.equal(lab.machines[0]!.power, 'On');
  await power.setPowerState(n.ctx(), 'power on');
  await power.reboot(n.ctx(), false);
  await power.reboot(n.ctx(), true);
  await power.setPowerState(n.ctx(), 'soft power off');
  assert.equal(await power.getPowerState(n.ctx()), 'power off');
  await power.setPowerState(n.ctx(), 'rebooting');
  await power.setPowerState(n.ctx(), 'power off');
  assert.deepEqual(resets, ['On', 'ForceOff', 'On', 'GracefulRestart', 'GracefulRestart', 'GracefulShutdown', 'On', 'ForceOff']);
  assert.equal(lab.machines[0]!.power, 'Off');
  assert.deepEqual(await power.getSupportedPowerStates(n.ctx()), ['power on', 'power off', 'rebooting', 'soft rebooting', 'soft power off']);
  await assert.rejects(power.setPowerState(n.ctx(), 'power sideways'), (e: unknown) =>
    e instanceof InvalidError && e.message === 'set_power_state called with an invalid power state: power sideways.');
});

test('soft power off without GracefulShutdown presses the power button; soft reboot without GracefulRestart is off + on', { skip: noMockups }, async (t) => {
  const { lab, cache, node } = await redfishTestLab(t, { profile: rackmountWith(t, ['On', 'ForceOff', 'PushPowerButton', 'ForceRestart']), machines: 1 });
  const power = new RedfishPower(cache);
  const n = node(0);
  const resets: string[] = [];
  lab.hooks.onPowerChange((_id, _state, type) => { resets.push(type); });
  assert.deepEqual(await power.getSupportedPowerStates(n.ctx()), ['power on', 'power off', 'rebooting', 'soft rebooting', 'soft power off']);
  await power.setPowerState(n.ctx(), 'power on');
  await power.setPowerState(n.ctx(), 'soft power off');
  assert.equal(lab.machines[0]!.power, 'Off');
  await power.setPowerState(n.ctx(), 'power on');
  await power.reboot(n.ctx(), true);
  assert.equal(lab.machines[0]!.power, 'On');
  assert.deepEqual(resets, ['On', 'PushPowerButton', 'On', 'PushPowerButton', 'On']);
});

test('a BMC with no graceful action at all: soft states are not offered and are refused clearly', { skip: noMockups }, async (t) => {
  const { cache, node } = await redfishTestLab(t, { profile: rackmountWith(t, ['On', 'ForceOff']), machines: 1 });
  const power = new RedfishPower(cache);
  const n = node(0);
  assert.deepEqual(await power.getSupportedPowerStates(n.ctx()), ['power on', 'power off', 'rebooting']);
  await power.setPowerState(n.ctx(), 'power on');
  await assert.rejects(power.setPowerState(n.ctx(), 'soft power off'), (e: unknown) =>
    e instanceof InvalidError && /cannot soft power off: it offers ResetType On, ForceOff\.$/.test(e.message));
  await power.reboot(n.ctx(), false);
});

test('a state that is never reached fails after the timeout, naming what the BMC reports', async (t) => {
  const { lab, cache, node } = await redfishTestLab(t);
  const power = new RedfishPower(cache);
  lab.hooks.onPowerChange((id, state) => { if (state === 'Off') lab.machine(id).power = 'On'; });
  const n = node(0);
  await power.setPowerState(n.ctx(), 'power on');
  const t0 = Date.now();
  await assert.rejects(power.setPowerState(n.ctx(), 'power off', 1), (e: unknown) => {
    assert.ok(e instanceof DriverError && e.retryable);
    assert.equal(e.message, `Node ${n.node.uuid} did not reach power state power off within 1 s; the BMC reports On (Redfish BMC at ${lab.url}).`);
    return true;
  });
  assert.ok(Date.now() - t0 < 3000);
});

test('an abort stops the wait at once', async (t) => {
  const { lab, cache, node } = await redfishTestLab(t, {}, { timings: { pollMs: 50, powerTimeoutS: 60 } });
  lab.hooks.onPowerChange((id, state) => { if (state === 'On') lab.machine(id).power = 'Off'; });
  const ac = new AbortController();
  setTimeout(() => ac.abort(), 200);
  const t0 = Date.now();
  await assert.rejects(new RedfishPower(cache).setPowerState(node(0).ctx({ signal: ac.signal }), 'power on'),
    (e: unknown) => e instanceof DriverError && e.reason === 'aborted' && e.retryable);
  assert.ok(Date.now() - t0 < 2000);
});

test('NMI is sent as ResetType Nmi; a persistent boot device the BMC refuses is restored before each power on', async (t) => {
  const { lab, cache, node } = await redfishTestLab(t);
  const power = new RedfishPower(cache);
  const mgmt = new RedfishManagement(cache);
  const n = node(0);
  const events: string[] = [];
  lab.hooks.onEvent((e) => { if (e.type === 'nmi' || e.type === 'boot') events.push(e.type === 'boot' ? `boot:${e.device}` : 'nmi'); });
  await power.setPowerState(n.ctx(), 'power on');
  await mgmt.injectNmi(n.ctx());
  lab.faults.add({ kind: 'error', status: 400, methods: ['PATCH'], pathPrefix: '/redfish/v1/Systems', count: 1 });
  await mgmt.setBootDevice(n.ctx(), 'pxe', true);
  assert.equal(n.node.driver_internal_info.redfish_boot_device, 'pxe', 'the one-time fallback is remembered');
  assert.equal(lab.machines[0]!.boot.enabled, 'Once');
  await power.reboot(n.ctx(), false);
  await power.reboot(n.ctx(), false);
  assert.deepEqual(events, ['boot:Hdd', 'nmi', 'boot:Pxe', 'boot:Pxe']);
  await mgmt.setBootDevice(n.ctx(), 'disk', false);
  assert.equal(n.node.driver_internal_info.redfish_boot_device, null, 'setting a boot device clears the marker');
});
