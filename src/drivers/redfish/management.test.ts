/**
 * Redfish management against the lab: the boot device mapping (both ways, once and
 * persistent), boot mode, secure boot, indicators, secure boot key steps, vendor.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DriverError, InvalidError } from '../../core/errors.ts';
import { RedfishManagement } from './management.ts';
import { RedfishPower } from './power.ts';
import { redfishTestLab } from '../../testing/redfish-harness.ts';

test('boot devices map pxe/disk/cdrom/bios to Pxe/Hdd/Cd/BiosSetup, once or persistent', async (t) => {
  const { lab, cache, node } = await redfishTestLab(t);
  const mgmt = new RedfishManagement(cache);
  const n = node(0);
  const m = lab.machines[0]!;
  assert.deepEqual(await mgmt.getSupportedBootDevices(n.ctx()), ['pxe', 'disk', 'cdrom', 'bios']);
  assert.deepEqual(await mgmt.getBootDevice(n.ctx()), { boot_device: null, persistent: null }, 'target None reads as unknown, like Ironic');
  const want = { pxe: 'Pxe', disk: 'Hdd', cdrom: 'Cd', bios: 'BiosSetup' } as const;
  for (const [device, target] of Object.entries(want)) {
    for (const persistent of [false, true]) {
      await mgmt.setBootDevice(n.ctx(), device, persistent);
      assert.deepEqual([m.boot.target, m.boot.enabled], [target, persistent ? 'Continuous' : 'Once'], `${device} ${persistent}`);
      assert.deepEqual(await mgmt.getBootDevice(n.ctx()), { boot_device: device, persistent });
    }
  }
  for (const bad of ['safe', 'floppy', 'nonsense']) {
    await assert.rejects(mgmt.setBootDevice(n.ctx(), bad, false), (e: unknown) => e instanceof InvalidError && e.message === `Invalid boot device ${bad} specified.`);
  }
  await mgmt.setBootDevice(n.ctx(), 'pxe', false);
  await new RedfishPower(cache).setPowerState(n.ctx(), 'power on');
  assert.equal(m.lastBoot?.device, 'Pxe');
  assert.deepEqual(await mgmt.getBootDevice(n.ctx()), { boot_device: null, persistent: null }, 'a one-time override is consumed by the boot');
  assert.equal(await mgmt.detectVendor(n.ctx()), 'Ingot');
});

test('boot mode uefi/bios is BootSourceOverrideMode UEFI/Legacy and is recorded on the node', async (t) => {
  const { lab, cache, node } = await redfishTestLab(t);
  const mgmt = new RedfishManagement(cache);
  const n = node(0);
  assert.equal(await mgmt.getBootMode(n.ctx()), 'uefi');
  await mgmt.setBootMode(n.ctx(), 'bios');
  assert.equal(lab.machines[0]!.boot.mode, 'Legacy');
  assert.equal(await mgmt.getBootMode(n.ctx()), 'bios');
  assert.equal(n.node.boot_mode, 'bios');
  await assert.rejects(mgmt.setSecureBoot(n.ctx(), true), (e: unknown) =>
    e instanceof DriverError && e.message.endsWith(`Configuring secure boot requires UEFI for node ${n.node.uuid}`));
  await mgmt.setBootMode(n.ctx(), 'uefi');
  assert.equal(await mgmt.getSecureBoot(n.ctx()), false);
  await mgmt.setSecureBoot(n.ctx(), true);
  assert.equal(lab.machines[0]!.secureBoot!.enabled, true);
  assert.equal(await mgmt.getSecureBoot(n.ctx()), true);
  assert.equal(n.node.secure_boot, true);
  await mgmt.executeStep(n.ctx(), 'clear_secure_boot_keys', {});
  assert.equal(lab.machines[0]!.secureBoot!.mode, 'SetupMode');
  await mgmt.executeStep(n.ctx(), 'reset_secure_boot_keys_to_default', {});
  assert.equal(lab.machines[0]!.secureBoot!.mode, 'UserMode');
  assert.deepEqual(mgmt.steps.map((s) => [s.step, s.cleanPriority, s.deployPriority]),
    [['clear_secure_boot_keys', 0, 0], ['reset_secure_boot_keys_to_default', 0, 0]]);
});

test('indicators: the system and chassis LEDs keyed by UUID; the system LED can be set', async (t) => {
  const { lab, cache, node } = await redfishTestLab(t);
  const mgmt = new RedfishManagement(cache);
  const n = node(1);
  const m = lab.machines[1]!;
  const all = await mgmt.getIndicators(n.ctx());
  assert.deepEqual(Object.keys(all).sort(), ['chassis', 'system']);
  assert.deepEqual(all.system, { [m.uuid]: { readonly: false, states: ['blinking', 'off', 'on'] } });
  assert.equal(await mgmt.getIndicatorState(n.ctx(), 'system', m.uuid), 'off');
  await mgmt.setIndicatorState(n.ctx(), 'system', m.uuid, 'blinking');
  assert.equal(m.extras.IndicatorLED, 'Blinking');
  assert.equal(await mgmt.getIndicatorState(n.ctx(), 'system', m.uuid), 'blinking');
  await assert.rejects(mgmt.getIndicatorState(n.ctx(), 'system', 'nope'), (e: unknown) =>
    e instanceof InvalidError && e.message === `Unknown indicator nope for component system of node ${n.node.uuid}`);
});
