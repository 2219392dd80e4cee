/**
 * Redfish out-of-band inspection against the lab. The expected properties are what the
 * reference Ironic 21.4 stored when inspecting the same lab machine (generic profile:
 * 2 CPUs × 8 cores × 2 threads, 64 GiB, 4 × 480 GiB drives, 2 NICs, UEFI).
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { DriverError } from '../../core/errors.ts';
import { localGb, logicalCpus, RedfishInspect } from './inspect.ts';
import { RedfishConnectionCache } from './connection.ts';
import type { Processor } from './client/index.ts';
import { closeAfter, fakeBmc, sendJson } from './client/test-support.ts';
import { makeTestNode } from '../../testing/driver-conformance.ts';
import { FAST, LabNode, redfishTestLab } from '../../testing/redfish-harness.ts';

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

/** A BMC serving `docs` (path → JSON) besides the fake's service root, sessions and Systems/1. */
async function inlineBmc(t: TestContext, system: Record<string, unknown>, docs: Record<string, unknown>) {
  const bmc = closeAfter(t, await fakeBmc({
    routes: (req, res) => {
      const path = req.url.split('?')[0]!;
      if (req.method === 'GET' && docs[path]) { sendJson(res, 200, docs[path]); return true; }
      return false;
    },
  }));
  Object.assign(bmc.system, system);
  const cache = new RedfishConnectionCache(FAST);
  t.after(() => cache.close());
  const node = new LabNode(makeTestNode({
    driver: 'redfish', inspect_interface: 'redfish',
    driver_info: { redfish_address: bmc.url, redfish_system_id: '/redfish/v1/Systems/1', redfish_username: 'admin', redfish_password: 'secret' },
  }));
  return { cache, node };
}

test('no MemorySummary and no TotalThreads (composed systems, CXL hosts): memory from the modules, cpus from the cores', async (t) => {
  const { cache, node } = await inlineBmc(t, {
    Processors: { '@odata.id': '/redfish/v1/Systems/1/Processors' }, Memory: { '@odata.id': '/redfish/v1/Systems/1/Memory' },
  }, {
    '/redfish/v1/Systems/1/Processors': { Members: [{ '@odata.id': '/redfish/v1/Systems/1/Processors/CPU0' }] },
    '/redfish/v1/Systems/1/Processors/CPU0': { '@odata.id': '/redfish/v1/Systems/1/Processors/CPU0', Id: 'CPU0', ProcessorType: 'CPU', ProcessorArchitecture: 'x86', TotalCores: 8 },
    '/redfish/v1/Systems/1/Memory': { Members: ['DIMM0', 'DIMM1', 'DIMM2'].map((d) => ({ '@odata.id': `/redfish/v1/ResourceBlocks/B1/Memory/${d}` })) },
    '/redfish/v1/ResourceBlocks/B1/Memory/DIMM0': { '@odata.id': '/redfish/v1/ResourceBlocks/B1/Memory/DIMM0', CapacityMiB: 16384, Status: { State: 'Enabled' } },
    '/redfish/v1/ResourceBlocks/B1/Memory/DIMM1': { '@odata.id': '/redfish/v1/ResourceBlocks/B1/Memory/DIMM1', CapacityMiB: 8192 },
    '/redfish/v1/ResourceBlocks/B1/Memory/DIMM2': { '@odata.id': '/redfish/v1/ResourceBlocks/B1/Memory/DIMM2', Status: { State: 'Absent' } },
  });
  const r = await new RedfishInspect(cache).inspect(node.ctx());
  assert.deepEqual(r.properties, { memory_mb: '24576', cpus: 8, cpu_arch: 'x86_64', local_gb: '0' });
});

test('logicalCpus: TotalThreads first, then LogicalProcessorCount, TotalCores, CoreCount; never the socket Count', () => {
  const p = (threads?: number, cores?: number) => ({ totalThreads: threads, totalCores: cores }) as Processor;
  assert.equal(logicalCpus({ ProcessorSummary: { LogicalProcessorCount: 99 } }, [p(16, 8), p(16, 8)]), 32);
  assert.equal(logicalCpus({ ProcessorSummary: { LogicalProcessorCount: 24, CoreCount: 12 } }, [p(undefined, 6)]), 24);
  assert.equal(logicalCpus({ ProcessorSummary: { CoreCount: 12 } }, [p(undefined, 6)]), 6);
  assert.equal(logicalCpus({ ProcessorSummary: { CoreCount: 12, Count: 2 } }, []), 12);
  assert.equal(logicalCpus({ ProcessorSummary: { Count: 3 } }, [p()]), 0);
});
