/**
 * ETag/If-Match on PATCH (with the 412 retry), 202 task monitors, collection paging and
 * expanded members, and registry lookup over served sushy samples.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  RedfishClient, RedfishError, RedfishProtocolError, RedfishTaskError, TaskMonitor, createVolume, getAttributeRegistry,
  getMembers, listMemberUris, parseBios, parseStorage, parseTask,
} from './index.ts';
import { SAMPLES_DIR, closeAfter, fakeBmc, loadJson, sendJson, startServer, type RecordedRequest } from './test-support.ts';
import type { ServerResponse } from 'node:http';

const fast = { retryDelayMs: 1, timeoutMs: 5000, retries: 0, taskPollMs: 5 };

/** Server answering from a path → JSON map (GET), with optional dynamic routes first. */
function mapServer(map: Record<string, unknown>, routes?: (req: RecordedRequest, res: ServerResponse) => boolean) {
  return startServer((req, res) => {
    if (routes?.(req, res)) return;
    const body = map[req.url];
    if (body === undefined) return sendJson(res, 404, { error: { code: 'Base.1.0.ResourceMissingAtURI', message: `no ${req.url}` } });
    sendJson(res, 200, body);
  });
}

describe('ETag and If-Match', () => {
  it('fetches the ETag and sends it as If-Match', async (t) => {
    const bmc = closeAfter(t, await fakeBmc());
    const client = closeAfter(t, new RedfishClient({ address: bmc.url, username: 'admin', password: 'secret', authType: 'basic', ...fast }));
    await client.patch('/redfish/v1/Systems/1', { Boot: { BootSourceOverrideTarget: 'Pxe' } });
    const patch = bmc.requests.find((r) => r.method === 'PATCH')!;
    assert.equal(patch.headers['if-match'], '"v1"');
    assert.deepEqual(patch.body, { Boot: { BootSourceOverrideTarget: 'Pxe' } });
    assert.equal(patch.headers['content-type'], 'application/json');
    assert.equal(patch.headers['odata-version'], '4.0');
    assert.equal(bmc.etag, '"v2"');
  });

  it('retries once with the fresh ETag after 412 (resource changed meanwhile)', async (t) => {
    const bmc = closeAfter(t, await fakeBmc());
    const client = closeAfter(t, new RedfishClient({ address: bmc.url, username: 'admin', password: 'secret', authType: 'basic', ...fast }));
    bmc.etag = '"v7"';
    await client.patch('/redfish/v1/Systems/1', { PowerState: 'On' }, { etag: '"v6"' });
    const patches = bmc.requests.filter((r) => r.method === 'PATCH');
    assert.deepEqual(patches.map((p) => p.headers['if-match']), ['"v6"', '"v7"']);
  });

  it('retries a rejected weak ETag in its strong form, and gives up after one retry', async (t) => {
    let accept = '"abc"';
    const server = closeAfter(t, await startServer((req, res) => {
      if (req.method === 'GET') return sendJson(res, 200, { '@odata.etag': 'W/"abc"' });
      if (req.headers['if-match'] === accept) { res.statusCode = 204; res.end(); return; }
      sendJson(res, 412, { error: { code: 'Base.1.0.PreconditionFailed', message: 'ETag mismatch' } });
    }));
    const client = closeAfter(t, new RedfishClient({ address: server.url, ...fast }));
    await client.patch('/redfish/v1/Systems/1', { A: 1 });
    assert.deepEqual(server.requests.filter((r) => r.method === 'PATCH').map((r) => r.headers['if-match']), ['W/"abc"', '"abc"']);
    accept = 'never';
    await assert.rejects(client.patch('/redfish/v1/Systems/1', { A: 1 }), (e: unknown) => e instanceof RedfishError && e.status === 412);
    assert.equal(server.requests.filter((r) => r.method === 'PATCH').length, 4);
  });

  it('etag: false sends no If-Match', async (t) => {
    const server = closeAfter(t, await startServer((_req, res) => { res.statusCode = 204; res.end(); }));
    const client = closeAfter(t, new RedfishClient({ address: server.url, ...fast }));
    await client.patch('/redfish/v1/Systems/1', { A: 1 }, { etag: false });
    assert.equal(server.requests.length, 1);
    assert.equal(server.requests[0]!.headers['if-match'], undefined);
  });
});

function task(state: string, extra: Record<string, unknown> = {}) {
  return { '@odata.type': '#Task.v1_4_3.Task', '@odata.id': '/redfish/v1/TaskService/Tasks/7', Id: '7', TaskState: state, ...extra };
}

describe('202 Accepted and task monitors', () => {
  it('polls the Location monitor until it stops answering 202', async (t) => {
    let polls = 0;
    const server = closeAfter(t, await startServer((req, res) => {
      if (req.method === 'POST') return sendJson(res, 202, task('New'), { location: '/taskmon/7' });
      polls++;
      if (polls < 3) return sendJson(res, 202, task('Running', { PercentComplete: polls * 30 }), { 'retry-after': '0' });
      sendJson(res, 200, task('Completed', { TaskStatus: 'OK', PercentComplete: 100 }));
    }));
    const client = closeAfter(t, new RedfishClient({ address: server.url, ...fast }));
    const res = await client.post('/redfish/v1/Systems/1/Actions/ComputerSystem.Reset', { ResetType: 'On' }, { wait: true });
    assert.equal(res.status, 200);
    assert.equal(parseTask(res.body).taskState, 'Completed');
    assert.equal(polls, 3);
    assert.ok(server.requests.slice(1).every((r) => r.method === 'GET' && r.url === '/taskmon/7'));
  });

  it('handles monitors that point at the Task itself (200 while Running)', async (t) => {
    const states = ['Running', 'Running', 'Completed'];
    const server = closeAfter(t, await startServer((req, res) => {
      if (req.method === 'POST') return sendJson(res, 202, {}, { location: '/redfish/v1/TaskService/Tasks/7' });
      sendJson(res, 200, task(states.shift() ?? 'Completed'));
    }));
    const client = closeAfter(t, new RedfishClient({ address: server.url, ...fast }));
    const accepted = await client.post('/redfish/v1/Systems/1/Storage/1/Volumes', {});
    assert.equal(accepted.status, 202);
    const mon = client.taskMonitor(accepted);
    assert.equal(mon.uri, '/redfish/v1/TaskService/Tasks/7');
    const done = await mon.wait({ pollMs: 5 });
    assert.equal(done.task?.taskState, 'Completed');
    assert.equal(server.requests.length, 4);
  });

  it('a task ending in Exception throws RedfishTaskError with its messages', async (t) => {
    const server = closeAfter(t, await startServer((req, res) => {
      if (req.method === 'POST') return sendJson(res, 202, undefined, { location: '/taskmon/9' });
      sendJson(res, 200, task('Exception', {
        TaskStatus: 'Critical',
        Messages: [{ MessageId: 'Base.1.0.PropertyValueNotInList', Message: 'The value %1 for %2 is not allowed.', MessageArgs: ['RAID7', 'RAIDType'], Severity: 'Critical' }],
      }));
    }));
    const client = closeAfter(t, new RedfishClient({ address: server.url, ...fast }));
    await assert.rejects(createVolume(client, '/redfish/v1/Systems/1/Storage/1/Volumes', { raidType: 'RAID7' }, { wait: true }), (e: unknown) => {
      assert.ok(e instanceof RedfishTaskError);
      assert.equal(e.taskState, 'Exception');
      assert.deepEqual(e.messages, ['The value RAID7 for RAIDType is not allowed.']);
      assert.match(e.message, /ended in state Exception with status Critical: The value RAID7 for RAIDType is not allowed\./);
      return true;
    });
  });

  it('gives up after the task timeout with a retryable RedfishTaskError', async (t) => {
    const server = closeAfter(t, await startServer((_req, res) => sendJson(res, 202, task('Running'))));
    const client = closeAfter(t, new RedfishClient({ address: server.url, ...fast }));
    const started = Date.now();
    await assert.rejects(new TaskMonitor(client, '/taskmon/1').wait({ timeoutMs: 150, pollMs: 20 }), (e: unknown) => {
      assert.ok(e instanceof RedfishTaskError);
      assert.equal(e.timedOut, true);
      assert.equal(e.retryable, true);
      assert.equal(e.taskState, 'Running');
      return true;
    });
    assert.ok(Date.now() - started < 2000);
  });

  it('createVolume without wait returns the monitor; 202 without Location is a protocol error', async (t) => {
    let withLocation = true;
    const server = closeAfter(t, await startServer((req, res) => {
      if (req.method === 'POST') return sendJson(res, 202, undefined, withLocation ? { location: '/taskmon/3' } : {});
      sendJson(res, 201, { Id: 'v1' }, { location: '/redfish/v1/Systems/1/Storage/1/Volumes/v1' });
    }));
    const client = closeAfter(t, new RedfishClient({ address: server.url, ...fast }));
    const op = await createVolume(client, '/redfish/v1/Systems/1/Storage/1/Volumes', { raidType: 'RAID1', applyTime: 'OnReset' });
    assert.equal(op.status, 202);
    assert.equal(op.task?.uri, '/taskmon/3');
    assert.deepEqual(server.requests[0]!.body, { RAIDType: 'RAID1', '@Redfish.OperationApplyTime': 'OnReset' });
    const r = await op.task!.poll();
    assert.equal(r.done, true);
    assert.equal(r.status, 201);
    withLocation = false;
    await assert.rejects(client.post('/redfish/v1/x', {}, { wait: true }), RedfishProtocolError);
  });
});

describe('collections', () => {
  it('follows Members@odata.nextLink pages and de-duplicates members by path', async (t) => {
    const server = closeAfter(t, await mapServer({
      '/redfish/v1/Systems/1/Memory': { Members: [{ '@odata.id': '/m/1' }, { '@odata.id': '/m/2' }], 'Members@odata.nextLink': '/redfish/v1/Systems/1/Memory?$skip=2' },
      '/redfish/v1/Systems/1/Memory?$skip=2': { Members: [{ '@odata.id': '/m/3' }, { '@odata.id': '/M/1/' }] },
      '/m/1': { Id: '1' }, '/m/2': { Id: '2' }, '/m/3': { Id: '3' },
    }));
    const client = closeAfter(t, new RedfishClient({ address: server.url, ...fast }));
    assert.deepEqual(await listMemberUris(client, '/redfish/v1/Systems/1/Memory'), ['/m/1', '/m/2', '/m/3']);
  });

  it('stops on a looping nextLink', async (t) => {
    const server = closeAfter(t, await mapServer({ '/c': { Members: [], 'Members@odata.nextLink': '/c' } }));
    const client = closeAfter(t, new RedfishClient({ address: server.url, ...fast }));
    await assert.rejects(listMemberUris(client, '/c'), /pages loop/);
  });

  it('skips members that 404 and uses expanded members without fetching them', { skip: !existsSync(SAMPLES_DIR) }, async (t) => {
    const expanded = loadJson(join(SAMPLES_DIR, 'storage_collection_expanded.json'));
    const server = closeAfter(t, await mapServer({
      '/redfish/v1/Systems/1/Storage': expanded,
      '/gone': { Members: [{ '@odata.id': '/exists' }, { '@odata.id': '/missing' }] },
      '/exists': { Id: 'exists' },
    }));
    const client = closeAfter(t, new RedfishClient({ address: server.url, ...fast }));
    const storages = (await getMembers(client, '/redfish/v1/Systems/1/Storage')).map((j) => parseStorage(j));
    assert.deepEqual(storages.map((s) => s.id), ['RAID-1', 'NVMe-1']);
    assert.deepEqual(storages[0]!.controllers[0]?.supportedRaidTypes, ['RAID0', 'RAID1', 'RAID5', 'RAID6', 'RAID10']);
    assert.equal(server.requests.length, 1, 'expanded members are not fetched again');
    assert.deepEqual((await getMembers(client, '/gone')).map((m) => m['Id']), ['exists']);
    await assert.rejects(getMembers(client, '/gone', { skipMissing: false }), (e: unknown) => e instanceof RedfishError && e.status === 404);
  });
});

describe('attribute registry lookup over served sushy samples', { skip: !existsSync(SAMPLES_DIR) }, () => {
  it('bios_zt → Registries → registry file (en-US) → registry', async (t) => {
    const s = (f: string) => loadJson(join(SAMPLES_DIR, f));
    const file = s('bios_attribute_registry_file_zthardware.json');
    const server = closeAfter(t, await mapServer({
      '/redfish/v1/': s('root.json'),
      '/redfish/v1/Registries': { Members: [{ '@odata.id': '/redfish/v1/Registries/Base.1.0.0' }, { '@odata.id': '/redfish/v1/Registries/BiosAttributeRegistryProt0.208.208.0' }] },
      '/redfish/v1/Registries/Base.1.0.0': { Id: 'Base.1.0.0', Registry: 'Base.1.0.0', Location: [] },
      '/redfish/v1/Registries/BiosAttributeRegistryProt0.208.208.0': file,
      '/redfish/v1/Registries/BiosAttributeRegistryProt0.208.208.0.json': s('bios_attribute_registry_zthardware.json'),
    }));
    const client = closeAfter(t, new RedfishClient({ address: server.url, ...fast }));
    const bios = parseBios(s('bios_zt.json'));
    const reg = await getAttributeRegistry(client, bios, 'en');
    assert.equal(reg?.id, 'BiosAttributeRegistryProt0.208.208.0');
    assert.equal(reg?.attributes.size, 2);
    assert.ok(!server.requests.some((r) => r.url === '/redfish/v1/Registries/Base.1.0.0'), 'the name-matching member is tried first');
    assert.equal(await getAttributeRegistry(client, parseBios({ AttributeRegistry: 'Nope.v1' })), undefined);
  });
});
