/**
 * State model and hooks: deterministic identity, hook isolation, lab lifecycle.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { deriveId, machineMac, machineUuid } from './factory.ts';
import { LabHooks, type LabEvent } from './hooks.ts';
import { startRedfishLab } from './lab.ts';
import { client, withLab } from './testkit.ts';

test('identity is deterministic per machine index; firstIndex shifts it; mockup ids are derived', async (t) => {
  assert.equal(machineMac(0, 0), '52:54:00:00:00:00');
  assert.equal(machineMac(258, 3), '52:54:00:01:02:03');
  assert.equal(machineUuid(255), '1ab0c0de-0000-4000-8000-0000000000ff');
  assert.deepEqual([0, 1, 2].map((i) => deriveId('1', i)), ['1', '2', '3']);
  assert.deepEqual([0, 1].map((i) => deriveId('Self', i)), ['Self', 'Self-1']);
  const a = await withLab(t, { machines: 2 });
  const b = await withLab(t, { machines: 2, firstIndex: 10 });
  assert.deepEqual(a.machines.map((m) => m.uuid), [machineUuid(0), machineUuid(1)]);
  assert.deepEqual(b.machines.map((m) => m.nics[0]!.mac), [machineMac(10, 0), machineMac(11, 0)]);
  assert.equal(b.machine(b.machines[1]!.id), b.machines[1]);
  assert.throws(() => b.machine('nope'), /no machine/);
  assert.equal(a.machines[0]!.name, 'lab-0');
  assert.equal(a.machines[0]!.nics.length, 2);
});

test('generic shape option sizes NICs, drives, CPUs and memory', async (t) => {
  const lab = await withLab(t, { machines: 1, shape: { nics: 4, drives: 2, driveSizeGiB: 100, cpus: 1, coresPerCpu: 4, memoryGiB: 16 } });
  const m = lab.machines[0]!;
  const rf = client(lab);
  const sys = (await rf.get(`/redfish/v1/Systems/${m.id}`)).body;
  assert.equal(sys.ProcessorSummary.Count, 1);
  assert.equal(sys.ProcessorSummary.CoreCount, 4);
  assert.equal(sys.MemorySummary.TotalSystemMemoryGiB, 16);
  assert.equal((await rf.get(`/redfish/v1/Systems/${m.id}/EthernetInterfaces`)).body['Members@odata.count'], 4);
  assert.deepEqual(m.hardware, { cpuCount: 1, cpuModel: 'Ingot Virtual CPU', coreCount: 4, threadCount: 8, memoryGiB: 16 });
  assert.equal(m.storage[0]!.drives.length, 2);
  assert.equal(m.storage[0]!.drives[0]!.capacityBytes, 100 * 1024 ** 3);
});

test('hooks: a throwing or rejecting listener is logged and does not break the BMC; unsubscribe works', async (t) => {
  const warnings: unknown[] = [];
  const logger = { warn: (o: unknown) => warnings.push(o) };
  const hooks = new LabHooks(logger);
  const seen: string[] = [];
  hooks.onEvent(() => { throw new Error('boom'); });
  hooks.onEvent(async () => { throw new Error('async boom'); });
  const off = hooks.onPowerChange((id, state) => seen.push(`${id}:${state}`));
  hooks.emit({ type: 'power', machineId: 'm', state: 'On', resetType: 'On' });
  off();
  hooks.emit({ type: 'power', machineId: 'm', state: 'Off', resetType: 'ForceOff' });
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(seen, ['m:On']);
  assert.equal(warnings.length, 4);

  const lab = await withLab(t, { machines: 1 });
  lab.hooks.onBootFrom(() => { throw new Error('observer bug'); });
  const events: LabEvent[] = [];
  lab.hooks.onEvent((e) => events.push(e));
  const m = lab.machines[0]!;
  const res = await client(lab).post(`/redfish/v1/Systems/${m.id}/Actions/ComputerSystem.Reset`, { body: { ResetType: 'On' } });
  assert.equal(res.status, 204);
  assert.equal(m.power, 'On');
  assert.deepEqual(events.map((e) => e.type), ['power', 'boot']);
});

test('lab lifecycle: await using disposes; invalid machine counts are refused', async () => {
  let url = '';
  {
    await using lab = await startRedfishLab({ machines: 1 });
    url = lab.url;
    assert.equal((await fetch(`${url}/redfish/v1`)).status, 200);
  }
  await assert.rejects(fetch(`${url}/redfish/v1`));
  await assert.rejects(startRedfishLab({ machines: 0 }), /positive integer/);
});
