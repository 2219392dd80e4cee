/**
 * The redfish implementations against the lab's vendor mockup profiles: HPE iLO 5
 * (Systems/1, lower-case links, media under Managers/N, registry-checked BIOS), DMTF
 * rackmount (media under the System, PATCH-only media, SimpleStorage only), DMTF tower
 * (several Storage resources with template volumes), AMI MegaRAC (ActionInfo reset types,
 * Bios/SD settings, Legacy boot, untyped CD).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { DriverError } from '../../core/errors.ts';
import { defaultMockupsDir } from '../../lab/redfish/index.ts';
import { isMockupDir } from '../../lab/redfish/tree.ts';
import { RedfishBios } from './bios.ts';
import { RedfishVirtualMediaBoot } from './boot.ts';
import { RedfishInspect } from './inspect.ts';
import { RedfishManagement } from './management.ts';
import { RedfishPower } from './power.ts';
import { RedfishRaid } from './raid.ts';
import { redfishTestLab, type RedfishTestLab } from '../../testing/redfish-harness.ts';

const skip = isMockupDir(join(defaultMockupsDir(), 'dmtf-public-tower')) ? false : `mockups folder ${defaultMockupsDir()} is absent`;

/** Power, boot device, inspection and virtual media on machine 1 (not the mockup's own ids). */
async function basics(l: RedfishTestLab, cdId: string, enabledNics?: number[]): Promise<void> {
  const { lab, cache, node } = l;
  const n = node(1);
  const m = lab.machines[1]!;
  const power = new RedfishPower(cache);
  await power.setPowerState(n.ctx(), 'power on');
  await power.reboot(n.ctx(), true);
  await power.setPowerState(n.ctx(), 'soft power off');
  assert.equal(m.power, 'Off');
  await new RedfishManagement(cache).setBootDevice(n.ctx(), 'cdrom', true);
  assert.deepEqual([m.boot.target, m.boot.enabled], ['Cd', 'Continuous']);
  const r = await new RedfishInspect(cache).inspect(n.ctx());
  const nics = enabledNics ? enabledNics.map((i) => m.nics[i]!) : m.nics;
  assert.deepEqual(r.macs, nics.map((x) => ({ address: x.mac })), 'the MACs of the NICs in the Enabled state');
  for (const k of ['memory_mb', 'cpus', 'cpu_arch', 'local_gb']) assert.ok(k in r.properties!, k);
  const boot = new RedfishVirtualMediaBoot(cache);
  await boot.prepareRamdisk(n.ctx(), 'deploy');
  assert.equal(m.virtualMedia.find((v) => v.id === cdId)!.image, 'http://images.test/deploy.iso');
  await power.setPowerState(n.ctx(), 'power on');
  assert.deepEqual([m.lastBoot?.device, m.lastBoot?.media], ['Cd', 'http://images.test/deploy.iso']);
  await boot.cleanUpRamdisk(n.ctx());
  assert.ok(m.virtualMedia.every((v) => !v.inserted && !v.image));
}

test('hpe-ilo5: power, boot, inspection (NICs 2 and 4 UnavailableOffline, no DMTF storage), virtual media, registry BIOS', { skip }, async (t) => {
  const l = await redfishTestLab(t, { profile: 'hpe-ilo5' });
  await basics(l, '2', [0, 2]);
  const n = l.node(1);
  const r = await new RedfishInspect(l.cache).inspect(n.ctx());
  assert.equal((r.properties as Record<string, unknown>).local_gb, '0');
  const bios = new RedfishBios(l.cache);
  const cached = await bios.cacheSettings(n.ctx());
  assert.equal(cached.find((s) => s.name === 'AcpiHpet')!.attribute_type, 'Enumeration');
  await bios.applyConfiguration(n.ctx(), [{ name: 'AcpiHpet', value: 'Disabled' }]);
  assert.equal(l.lab.machines[1]!.bios!.current.AcpiHpet, 'Disabled');
  assert.equal(l.lab.machines[0]!.bios!.current.AcpiHpet, 'Enabled', 'the other machine is untouched');
  await assert.rejects(new RedfishRaid(l.cache).createConfiguration(n.ctx(), { logical_disks: [{ raid_level: '1', size_gb: 10 }] }, {}, false),
    (e: unknown) => e instanceof DriverError && /shows no physical drives on RAID-capable Storage \(Storage resources: none\)/.test(e.message));
});

test('dmtf-rackmount: media under the System without actions (PATCH), SimpleStorage for local_gb', { skip }, async (t) => {
  const l = await redfishTestLab(t, { profile: 'dmtf-rackmount' });
  await basics(l, 'CD1');
  const r = await new RedfishInspect(l.cache).inspect(l.node(0).ctx());
  assert.ok(Number((r.properties as Record<string, string>).local_gb) > 0, 'from SimpleStorage devices');
});

test('dmtf-tower: RAID on the first drive class after deleting the template volumes', { skip }, async (t) => {
  const l = await redfishTestLab(t, { profile: 'dmtf-tower' });
  await basics(l, 'CD1');
  const n = l.node(1, { target_raid_config: { logical_disks: [{ raid_level: '1', size_gb: 100, is_root_volume: true }] } });
  const raid = new RedfishRaid(l.cache);
  await assert.rejects(raid.executeStep(n.ctx(), 'create_configuration', {}), /failed to find matching physical disks/, 'every drive is in a template volume');
  await raid.executeStep(n.ctx(), 'create_configuration', { delete_existing: true });
  const vols = l.lab.machines[1]!.storage.flatMap((s) => s.volumes.map((v) => [s.id, v.raidType, v.driveIds]));
  assert.deepEqual(vols, [['NVMeSWRAID', 'RAID1', ['M.2-1', 'M.2-2']], ['HAFiberChannel', 'None', []], ['HAFiberChannel', 'None', []]],
    'volumes without a RAIDType (the Fibre Channel LUNs) are left alone, as Ironic does');
  assert.deepEqual((n.node.raid_config as { logical_disks: unknown[] }).logical_disks.length, 1);
});

test('ami-megarac: ActionInfo reset types, Legacy boot mode, untyped CD, Bios/SD settings', { skip }, async (t) => {
  const l = await redfishTestLab(t, { profile: 'ami-megarac' });
  await basics(l, 'CD1');
  const n = l.node(1);
  const mgmt = new RedfishManagement(l.cache);
  assert.equal(await mgmt.getBootMode(l.node(0).ctx()), 'bios');
  await mgmt.setBootMode(n.ctx(), 'uefi');
  assert.equal(l.lab.machines[1]!.boot.mode, 'UEFI');
  assert.deepEqual(await new RedfishPower(l.cache).getSupportedPowerStates(n.ctx()),
    ['power on', 'power off', 'rebooting', 'soft rebooting', 'soft power off']);
  await new RedfishBios(l.cache).applyConfiguration(n.ctx(), [{ name: 'FBO001', value: 'LEGACY' }]);
  assert.equal(l.lab.machines[1]!.bios!.current.FBO001, 'LEGACY');
});
