/**
 * Redfish RAID: planning (Ironic's disk matching) and create/delete against the lab, whose
 * volume creation answers 202 with a task monitor that finishes after a delay.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DriverError, InvalidError } from '../../core/errors.ts';
import type { Json } from '../../core/node.ts';
import { planRaid, type PhysicalDisk } from './raid-plan.ts';
import { RedfishRaid } from './raid.ts';
import { RedfishConnectionCache } from './connection.ts';
import { closeAfter, fakeBmc, sendJson } from './client/test-support.ts';
import { makeTestNode } from '../../testing/driver-conformance.ts';
import { FAST, LabNode, redfishTestLab } from '../../testing/redfish-harness.ts';

const GiB = 1024 ** 3;
const disk = (id: string, o: Partial<PhysicalDisk> = {}): PhysicalDisk => ({
  id, uri: `/d/${id}`, storageId: '1', capacityBytes: 480 * GiB, mediaType: 'SSD', protocol: 'SAS', inUse: false, ...o,
});
const errorOf = (f: () => unknown): string => { try { f(); return 'no error'; } catch (e) { return (e as Error).message; } };

test('planning follows Ironic: disk classes, minimum disks first, MAX sizes, spans', () => {
  const disks = [disk('A'), disk('B', { mediaType: 'HDD' }), disk('C'), disk('D', { mediaType: 'HDD' }), disk('E'), disk('F')];
  const p = planRaid('n', [{ raid_level: '1', size_gb: 100, is_root_volume: true }, { raid_level: '5', size_gb: 'MAX', physical_disks: ['C', 'E', 'F'] }], disks);
  assert.deepEqual(p.map((v) => [v.raidType, v.physicalDisks, v.controller, v.isRoot]), [
    ['RAID1', ['B', 'D'], '1', true], ['RAID5', ['C', 'E', 'F'], '1', false],
  ], 'the RAID1 avoids the SSDs given to the RAID5');
  assert.equal(p[0]!.sizeBytes, 100 * GiB);
  assert.equal(p[1]!.sizeBytes, 2 * 480 * GiB);
  const ssd = planRaid('n', [{ raid_level: '0', size_gb: 10, disk_type: 'ssd', number_of_physical_disks: 2 }], disks);
  assert.deepEqual(ssd[0]!.physicalDisks, ['A', 'C']);
  assert.deepEqual(planRaid('n', [{ raid_level: '1+0', size_gb: 100 }], [disk('A'), disk('B'), disk('C'), disk('D')])[0]!.physicalDisks, ['A', 'B', 'C', 'D']);
  assert.equal(errorOf(() => planRaid('n', [{ raid_level: 'JBOD', size_gb: 10 }], disks)),
    'RAID level JBOD is not supported by the driver. Supported RAID levels: 0, 1, 5, 6, 1+0, 5+0, 6+0');
  assert.equal(errorOf(() => planRaid('n', [{ raid_level: '5', size_gb: 10 }], [disk('A'), disk('B')])),
    'failed to find matching physical disks for all logical disks');
  assert.equal(errorOf(() => planRaid('n', [{ raid_level: '1', size_gb: 1000 }], disks)), 'failed to find matching physical disks for all logical disks');
  assert.throws(() => planRaid('n1', [{ raid_level: '1', size_gb: 'MAX' }], disks), (e: unknown) => e instanceof InvalidError
    && e.message === "create_configuration called with invalid target_raid_configuration for node n1. 'physical_disks' is missing from logical_disk while 'size_gb'='MAX' was requested: {'raid_level': '1', 'size_gb': 'MAX'}");
  assert.deepEqual(planRaid('n', [{ raid_level: '1', size_gb: 10 }], [disk('A', { inUse: true }), disk('B'), disk('C')])[0]!.physicalDisks, ['B', 'C'],
    'drives already in a volume are not picked');
});

test('create_configuration builds the volumes through the task monitor and records raid_config; delete removes them', async (t) => {
  const { lab, cache, node } = await redfishTestLab(t, { taskDelayMs: 80 });
  const raid = new RedfishRaid(cache);
  const target: Json = { logical_disks: [{ raid_level: '1', size_gb: 100, is_root_volume: true }, { raid_level: '0', size_gb: 50 }] };
  const n = node(0, { target_raid_config: target });
  await raid.validate(n.ctx());
  const t0 = Date.now();
  assert.equal(await raid.executeStep(n.ctx(), 'create_configuration', {}), 'done');
  assert.ok(Date.now() - t0 >= 150, 'waited for two tasks');
  const vols = lab.machines[0]!.storage[0]!.volumes;
  assert.deepEqual(vols.map((v) => [v.raidType, v.capacityBytes, v.driveIds]), [
    ['RAID0', 50 * GiB, ['Disk1']], ['RAID1', 100 * GiB, ['Disk0', 'Disk2']],
  ], 'Ironic\'s order: the last matched logical disk is created first');
  const rc = n.node.raid_config as { logical_disks: Json[]; last_updated: string };
  assert.deepEqual(rc.logical_disks, [
    { id: vols[0]!.id, name: vols[0]!.name, controller: '1', size_gb: 50, raid_level: '0' },
    { id: vols[1]!.id, name: vols[1]!.name, controller: '1', size_gb: 100, raid_level: '1' },
  ]);
  assert.match(rc.last_updated, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}$/);
  assert.equal(await raid.executeStep(n.ctx(), 'delete_configuration', {}), 'done');
  assert.deepEqual(lab.machines[0]!.storage[0]!.volumes, []);
  assert.deepEqual((n.node.raid_config as Json).logical_disks, []);
});

test('create_configuration options: only the root volume; delete_existing first; apply_configuration uses its argument', async (t) => {
  const { lab, cache, node } = await redfishTestLab(t, { shape: { drives: 6 } });
  const raid = new RedfishRaid(cache);
  const target: Json = { logical_disks: [{ raid_level: '1', size_gb: 10, is_root_volume: true }, { raid_level: '0', size_gb: 20 }] };
  const n = node(0, { target_raid_config: target });
  await raid.executeStep(n.ctx(), 'create_configuration', { create_nonroot_volumes: false });
  assert.deepEqual(lab.machines[0]!.storage[0]!.volumes.map((v) => v.raidType), ['RAID1']);
  await raid.executeStep(n.ctx(), 'create_configuration', { delete_existing: true });
  assert.deepEqual(lab.machines[0]!.storage[0]!.volumes.map((v) => v.raidType), ['RAID0', 'RAID1']);
  await raid.executeStep(n.ctx(), 'apply_configuration', { raid_config: { logical_disks: [{ raid_level: '5', size_gb: 100 }] } });
  assert.deepEqual(lab.machines[0]!.storage[0]!.volumes.map((v) => [v.raidType, v.driveIds.length]), [['RAID5', 3]], 'existing volumes deleted by default');
  await assert.rejects(raid.executeStep(n.ctx(), 'apply_configuration', { raid_config: { logical_disks: [] } }), InvalidError);
});

test('an abort while polling, a BMC failing while the task runs, and validation', async (t) => {
  const { lab, cache, node } = await redfishTestLab(t, { taskDelayMs: 3000 });
  const raid = new RedfishRaid(cache);
  const n = node(0, { target_raid_config: { logical_disks: [{ raid_level: '1', size_gb: 100 }] } });
  const ac = new AbortController();
  setTimeout(() => ac.abort(), 150);
  const t0 = Date.now();
  await assert.rejects(raid.executeStep(n.ctx({ signal: ac.signal }), 'create_configuration', {}),
    (e: unknown) => e instanceof DriverError && e.reason === 'aborted' && e.retryable);
  assert.ok(Date.now() - t0 < 1500, 'the 3 s task was not waited for');
  lab.faults.add({ kind: 'error', status: 500, methods: ['GET'], pathPrefix: '/redfish/v1/TaskService' });
  const other = node(1, { target_raid_config: { logical_disks: [{ raid_level: '1', size_gb: 100 }] } });
  await assert.rejects(raid.executeStep(other.ctx(), 'create_configuration', {}), (e: unknown) => {
    assert.ok(e instanceof DriverError && e.retryable);
    assert.match(e.message, /^Redfish RAID create_configuration failed for node .*: Redfish BMC at .*: GET \/redfish\/v1\/TaskService\/TaskMonitors\/\d+ failed with HTTP 500: .* — the BMC reported an internal problem; retry later$/);
    return true;
  });
  lab.faults.clear();
  await assert.rejects(raid.validateRaidConfig(n.ctx(), { logical_disks: [{ raid_level: '1', size_gb: 10, interface_type: 'scsi' }] }),
    (e: unknown) => e instanceof InvalidError && e.message === 'interface type `scsi` not supported by Redfish RAID');
  await assert.rejects(raid.validate(node(0, { target_raid_config: { logical_disks: [] } }).ctx()),
    (e: unknown) => e instanceof InvalidError && e.message === 'RAID config validation error: [] is too short');
  await assert.rejects(raid.executeStep(node(0).ctx(), 'create_configuration', {}),
    (e: unknown) => e instanceof InvalidError && /has no target RAID configuration\. Set one with "baremetal node set .* --target-raid-config <JSON>"/.test(e.message));
  assert.ok(lab.url);
});

test('Storage without a Volumes collection (plain NVMe) is skipped: volumes go to the RAID controller, or the error names it', async (t) => {
  const S = '/redfish/v1/Systems/1/Storage';
  const drive = (st: string, id: string) => ({ '@odata.id': `${S}/${st}/Drives/${id}`, Id: id, CapacityBytes: 480 * GiB, MediaType: 'SSD', Protocol: 'NVMe' });
  let withRaid = true;
  const posted: { url: string; body: unknown }[] = [];
  const docs = (): Record<string, unknown> => ({
    [S]: { Members: [{ '@odata.id': `${S}/NVMe` }, ...(withRaid ? [{ '@odata.id': `${S}/RAID` }] : [])] },
    [`${S}/NVMe`]: { '@odata.id': `${S}/NVMe`, Id: 'NVMe', Drives: [{ '@odata.id': `${S}/NVMe/Drives/N0` }, { '@odata.id': `${S}/NVMe/Drives/N1` }] },
    [`${S}/NVMe/Drives/N0`]: drive('NVMe', 'N0'), [`${S}/NVMe/Drives/N1`]: drive('NVMe', 'N1'),
    [`${S}/RAID`]: { '@odata.id': `${S}/RAID`, Id: 'RAID', Drives: [{ '@odata.id': `${S}/RAID/Drives/D0` }, { '@odata.id': `${S}/RAID/Drives/D1` }], Volumes: { '@odata.id': `${S}/RAID/Volumes` } },
    [`${S}/RAID/Drives/D0`]: drive('RAID', 'D0'), [`${S}/RAID/Drives/D1`]: drive('RAID', 'D1'),
    [`${S}/RAID/Volumes`]: { Members: [] },
  });
  const bmc = closeAfter(t, await fakeBmc({
    routes: (req, res) => {
      const path = req.url.split('?')[0]!;
      if (req.method === 'POST' && path === `${S}/RAID/Volumes`) {
        posted.push({ url: path, body: req.body });
        sendJson(res, 201, { '@odata.id': `${S}/RAID/Volumes/1` }, { location: `${S}/RAID/Volumes/1` });
        return true;
      }
      const doc = docs()[path];
      if (req.method === 'GET' && doc) { sendJson(res, 200, doc); return true; }
      return false;
    },
  }));
  bmc.system.Storage = { '@odata.id': S };
  const cache = new RedfishConnectionCache(FAST);
  t.after(() => cache.close());
  const node = new LabNode(makeTestNode({
    driver: 'redfish', raid_interface: 'redfish',
    driver_info: { redfish_address: bmc.url, redfish_system_id: '/redfish/v1/Systems/1', redfish_username: 'admin', redfish_password: 'secret' },
  }));
  const config = { logical_disks: [{ raid_level: '1', size_gb: 100, is_root_volume: true }] };
  await new RedfishRaid(cache).createConfiguration(node.ctx(), config, {}, false);
  assert.deepEqual(posted.map((p) => (p.body as { Links: { Drives: { '@odata.id': string }[] } }).Links.Drives.map((d) => d['@odata.id'])),
    [[`${S}/RAID/Drives/D0`, `${S}/RAID/Drives/D1`]], 'the NVMe drives are not used');
  withRaid = false;
  await assert.rejects(new RedfishRaid(cache).createConfiguration(node.ctx(), config, {}, false), (e: unknown) => e instanceof DriverError
    && /no physical drives on RAID-capable Storage \(Storage resources: none; NVMe skipped: no Volumes collection\)/.test(e.message));
});
