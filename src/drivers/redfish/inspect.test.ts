/**
 * Redfish out-of-band inspection against the lab. The expected properties are what the
 * reference Ironic 21.4 stored when inspecting the same lab machine (generic profile:
 * 2 CPUs × 8 cores × 2 threads, 64 GiB, 4 × 480 GiB drives, 2 NICs, UEFI).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DriverError } from '../../core/errors.ts';
import { localGb, RedfishInspect } from './inspect.ts';
import { redfishTestLab } from '../../testing/redfish-harness.ts';

const GiB = 1024 ** 3;

test('properties, MACs and inventory match what Ironic finds on the lab machine', async (t) => {
  const { lab, cache, node } = await redfishTestLab(t);
  const r = await new RedfishInspect(cache).inspect(node(1).ctx());
  assert.equal(r.outcome, 'done');
  assert.deepEqual(r.properties, { memory_mb: '65536', cpus: 32, cpu_arch: 'x86_64', local_gb: '479', capabilities: 'boot_mode:uefi' });
  assert.deepEqual(r.macs, lab.machines[1]!.nics.map((n) => ({ address: n.mac })));
  const inv = r.inventory as Record<string, any>;
  assert.deepEqual(inv.cpu, { count: 32, architecture: 'x86_64', model_name: 'Ingot Virtual CPU', frequency: 3000 });
  assert.deepEqual(inv.memory, { physical_mb: 65536 });
  assert.equal(inv.disks.length, 4);
  assert.equal(inv.disks[0].size, 480 * GiB);
  assert.deepEqual(inv.interfaces.map((i: { mac_address: string }) => i.mac_address), lab.machines[1]!.nics.map((n) => n.mac));
  assert.deepEqual(inv.boot, { current_boot_mode: 'uefi' });
});

test('capabilities: an existing boot_mode is kept; other capabilities are preserved', async (t) => {
  const { cache, node } = await redfishTestLab(t);
  const inspect = new RedfishInspect(cache);
  const keep = await inspect.inspect(node(0, { properties: { capabilities: 'boot_mode:bios,foo:bar' } }).ctx());
  assert.equal((keep.properties as Record<string, unknown>).capabilities, undefined);
  const add = await inspect.inspect(node(0, { properties: { capabilities: 'foo:bar' } }).ctx());
  assert.equal((add.properties as Record<string, unknown>).capabilities, 'foo:bar,boot_mode:uefi');
});

test('local_gb: smallest disk of at least 4 GiB per source, the smaller of both sources, minus 1 GiB', () => {
  assert.equal(localGb([], [], [480 * GiB, 960 * GiB]), 479);
  assert.equal(localGb([2 * GiB, 100 * GiB, 50 * GiB], [], []), 49);
  assert.equal(localGb([], [200 * GiB], [100 * GiB]), 199, 'volumes win over drives');
  assert.equal(localGb([300 * GiB], [], [100 * GiB]), 99);
  assert.equal(localGb([1 * GiB], [], []), 0);
  assert.equal(localGb([], [], []), 0);
});

test('a BMC without processors or memory summary fails with Ironic\'s text', async (t) => {
  const { lab, cache, node } = await redfishTestLab(t, { shape: { cpus: 0, memoryGiB: 0 } });
  const n = node(0);
  await assert.rejects(new RedfishInspect(cache).inspect(n.ctx()), (e: unknown) => {
    assert.ok(e instanceof DriverError);
    assert.match(e.message, new RegExp(`Failed to discover the following properties: memory_mb, cpus, cpu_arch on node ${n.node.uuid}$`));
    return true;
  });
  assert.ok(lab.url);
});
