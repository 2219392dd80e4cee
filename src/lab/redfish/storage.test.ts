/**
 * Storage and RAID over real HTTP: volume creation answers 202 with a task monitor and completes
 * after the task delay; volumes link drives both ways; delete; validation errors.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { planVolume, type StorageState } from './storage.ts';
import { client, messageIds, until, withLab } from './testkit.ts';

const GiB = 1024 ** 3;

test('volume creation: 202 + task monitor, Task resource 202 while running, then 201 and a linked volume', async (t) => {
  const lab = await withLab(t, { taskDelayMs: 150 });
  const m = lab.machines[1]!;
  const rf = client(lab);
  const storage = `/redfish/v1/Systems/${m.id}/Storage/1`;
  const st = await rf.get(storage);
  assert.deepEqual(st.body.StorageControllers[0].SupportedRAIDTypes, ['RAID0', 'RAID1', 'RAID5', 'RAID6', 'RAID10']);
  const drives: string[] = st.body.Drives.map((d: { '@odata.id': string }) => d['@odata.id']);
  assert.equal(drives.length, 4);
  const volumes = st.body.Volumes['@odata.id'];
  const coll = await rf.get(volumes);
  assert.equal(coll.body['Members@odata.count'], 0);
  assert.deepEqual(coll.body['@Redfish.OperationApplyTimeSupport'].SupportedValues, ['Immediate']);
  assert.equal(coll.headers.allow, 'GET, POST, HEAD');

  const created = await rf.post(volumes, { body: { Name: 'root', RAIDType: 'RAID1', CapacityBytes: 100 * GiB, Links: { Drives: [{ '@odata.id': drives[0] }, { '@odata.id': drives[1] }] } } });
  assert.equal(created.status, 202);
  const monitor = created.headers.location!;
  assert.match(monitor, /^\/redfish\/v1\/TaskService\/TaskMonitors\/\d+$/);
  assert.equal(created.body.TaskState, 'Running');
  assert.equal(created.body.TaskMonitor, monitor);
  const taskPath = created.body['@odata.id'];
  assert.equal((await rf.get(taskPath)).status, 202, 'the Task answers 202 while running (sushy polls its @odata.id)');
  assert.equal((await rf.get(monitor)).status, 202);
  assert.equal((await rf.get(volumes)).body['Members@odata.count'], 0, 'not created before the task completes');
  const tasks = await rf.get('/redfish/v1/TaskService/Tasks');
  assert.deepEqual(tasks.body.Members, [{ '@odata.id': taskPath }]);

  const done = await until(async () => { const r = await rf.get(monitor); return r.status === 201 ? r : null; });
  assert.match(done.headers.location!, new RegExp(`^/redfish/v1/Systems/${m.id}/Storage/1/Volumes/1$`));
  assert.equal(done.body.RAIDType, 'RAID1');
  assert.equal(done.body.VolumeType, 'Mirrored');
  assert.equal(done.body.CapacityBytes, 100 * GiB);
  assert.equal(done.body.Name, 'root');
  const task = await rf.get(taskPath);
  assert.equal(task.status, 200);
  assert.equal(task.body.TaskState, 'Completed');
  assert.equal(task.body.PercentComplete, 100);
  assert.match(task.body.Messages[0].MessageId, /\.Success$/);
  const vol = await rf.get(done.headers.location!);
  assert.deepEqual(vol.body.Links.Drives.map((d: { '@odata.id': string }) => d['@odata.id']), drives.slice(0, 2));
  assert.deepEqual((await rf.get(drives[0]!)).body.Links.Volumes, [{ '@odata.id': done.headers.location }]);
  assert.equal((await rf.get(volumes)).body['Members@odata.count'], 1);
  assert.equal(lab.machines[0]!.storage[0]!.volumes.length, 0, 'other machines keep their disks');

  const full = await rf.post(volumes, { body: { RAIDType: 'RAID0', Links: { Drives: [{ '@odata.id': drives[0] }, { '@odata.id': drives[1] }] } } });
  assert.equal(full.status, 202, 'no CapacityBytes: the largest volume that fits');
  const fullDone = await until(async () => { const r = await rf.get(full.headers.location!); return r.status === 201 ? r : null; });
  assert.equal(fullDone.body.CapacityBytes, 2 * (480 - 100) * GiB);

  assert.equal((await rf.delete(done.headers.location!)).status, 204);
  assert.equal((await rf.get(done.headers.location!)).status, 404);
  assert.deepEqual((await rf.get(drives[0]!)).body.Links.Volumes, [{ '@odata.id': fullDone.headers.location }]);
  assert.equal((await rf.delete(done.headers.location!)).status, 404);
});

test('volume creation rejects bad input with 400 and Base messages, synchronously', async (t) => {
  const lab = await withLab(t);
  const m = lab.machines[0]!;
  const other = lab.machines[1]!;
  const rf = client(lab);
  const volumes = `/redfish/v1/Systems/${m.id}/Storage/1/Volumes`;
  const d = (i: number, id = m.id) => ({ '@odata.id': `/redfish/v1/Systems/${id}/Storage/1/Drives/Disk${i}` });
  const post = (body: unknown) => rf.post(volumes, { body });
  assert.deepEqual(messageIds((await post({ RAIDType: 'RAID7', Links: { Drives: [d(0)] } })).body), ['PropertyValueNotInList']);
  assert.deepEqual(messageIds((await post({ RAIDType: 'RAID5', Links: { Drives: [d(0), d(1)] } })).body), ['PropertyValueOutOfRange']);
  assert.deepEqual(messageIds((await post({ RAIDType: 'RAID1', Links: { Drives: [d(0), d(1, other.id)] } })).body), ['PropertyValueNotInList']);
  assert.deepEqual(messageIds((await post({ RAIDType: 'RAID1' })).body), ['PropertyMissing']);
  assert.deepEqual(messageIds((await post({ Links: { Drives: [d(0)] } })).body), ['PropertyMissing']);
  assert.deepEqual(messageIds((await post({ RAIDType: 'RAID0', CapacityBytes: 10 * 1024 * GiB, Links: { Drives: [d(0)] } })).body), ['ResourceExhaustion']);
  assert.deepEqual(messageIds((await post({ RAIDType: 'RAID0', Colour: 'red', Links: { Drives: [d(0)] } })).body), ['PropertyUnknown']);
  assert.deepEqual(messageIds((await post({ RAIDType: 'RAID0', '@Redfish.OperationApplyTime': 'OnReset', Links: { Drives: [d(0)] } })).body), ['PropertyValueNotInList']);
  const legacy = await post({ VolumeType: 'Mirrored', Links: { Drives: [d(2), d(3)] } });
  assert.equal(legacy.status, 202, 'VolumeType alone is mapped to a RAID level');
  assert.equal((await rf.get('/redfish/v1/TaskService/TaskMonitors/999')).status, 404);
});

test('two tasks racing for the same space: the second fails at commit (TaskState Exception, monitor answers the error)', async (t) => {
  const lab = await withLab(t, { taskDelayMs: 100 });
  const m = lab.machines[0]!;
  const rf = client(lab);
  const volumes = `/redfish/v1/Systems/${m.id}/Storage/1/Volumes`;
  const body = { RAIDType: 'RAID0', Links: { Drives: [{ '@odata.id': `/redfish/v1/Systems/${m.id}/Storage/1/Drives/Disk3` }] } };
  const first = await rf.post(volumes, { body });
  const second = await rf.post(volumes, { body });
  assert.equal(first.status, 202);
  assert.equal(second.status, 202, 'both fit when validated');
  const ok = await until(async () => { const r = await rf.get(first.headers.location!); return r.status !== 202 ? r : null; });
  assert.equal(ok.status, 201);
  const failed = await until(async () => { const r = await rf.get(second.headers.location!); return r.status !== 202 ? r : null; });
  assert.equal(failed.status, 400);
  assert.deepEqual(messageIds(failed.body), ['ResourceExhaustion']);
  const task = await rf.get(second.body['@odata.id']);
  assert.equal(task.body.TaskState, 'Exception');
  assert.equal(task.body.TaskStatus, 'Critical');
  assert.equal(m.storage[0]!.volumes.length, 1);
});

test('planVolume: RAID arithmetic and space accounting across volumes', () => {
  const st: StorageState = {
    id: '1', raidTypes: ['RAID0', 'RAID1', 'RAID5', 'RAID10'], volumesSupported: true, nextVolumeId: 1, volumes: [],
    drives: [0, 1, 2, 3].map((i) => ({ id: `d${i}`, path: `/d${i}`, capacityBytes: 100 })),
  };
  assert.equal(planVolume(st, { raidType: 'RAID5', driveIds: ['d0', 'd1', 'd2'] }).capacityBytes, 200);
  assert.equal(planVolume(st, { raidType: 'RAID10', driveIds: ['d0', 'd1', 'd2', 'd3'] }).capacityBytes, 200);
  st.volumes.push({ ...planVolume(st, { raidType: 'RAID1', driveIds: ['d0', 'd1'], capacityBytes: 60 }), id: '1' });
  assert.equal(planVolume(st, { raidType: 'RAID0', driveIds: ['d0', 'd2'] }).capacityBytes, 80);
  assert.throws(() => planVolume(st, { raidType: 'RAID1', driveIds: ['d0', 'd1'], capacityBytes: 41 }), /ResourceExhaustion/);
  assert.throws(() => planVolume(st, { raidType: 'RAID10', driveIds: ['d0', 'd1', 'd2'] }), /PropertyValueOutOfRange/);
  assert.throws(() => planVolume(st, { raidType: 'RAID0', driveIds: ['d0', 'd0'] }), /PropertyValueNotInList/);
});
