/**
 * Allocations API, in process: creation and async matching end to end (nodes made
 * available through the API with fake-hardware), backfill, PATCH, delete rules, the
 * node's /allocation sub-resource, bad input and version gating. Expected texts were
 * taken from Ironic 21.4 answers to the same requests.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { startHarness, waitState, type Harness } from '../../../test/support/api-harness.ts';
import { AllocationRepo } from '../../db/allocations.ts';
import { doAllocate } from '../../conductor/allocations.ts';
import { API_SAMPLES_DIR } from '../../testing/shared-data.ts';

const SAMPLES = API_SAMPLES_DIR;
const sample = (f: string) => JSON.parse(readFileSync(`${SAMPLES}/${f}`, 'utf8'));

let h: Harness;
before(async () => { h = await startHarness(); });
after(async () => { await h.close(); });

/** A fake-hardware node taken to `available` through the API, powered on. */
async function availableNode(name: string, rc: string, extra: Record<string, unknown> = {}): Promise<string> {
  const { owner, ...rest } = extra;
  const r = await h.req('POST', '/v1/nodes', { name, driver: 'fake-hardware', resource_class: rc, ...rest });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  // A noauth create refuses an owner (as Ironic 21.4 does); set it afterwards.
  if (owner !== undefined) assert.equal((await h.req('PATCH', `/v1/nodes/${name}`, [{ op: 'add', path: '/owner', value: owner }])).status, 200);
  assert.equal((await h.req('PUT', `/v1/nodes/${name}/states/provision`, { target: 'manage' })).status, 202);
  await waitState(h, name, 'manageable');
  assert.equal((await h.req('PUT', `/v1/nodes/${name}/states/provision`, { target: 'provide' })).status, 202);
  await waitState(h, name, 'available');
  assert.equal((await h.req('PUT', `/v1/nodes/${name}/states/power`, { target: 'power on' })).status, 202);
  await h.svc.conductor.idle();
  const n = await h.req('GET', `/v1/nodes/${name}`);
  assert.equal(n.body.power_state, 'power on');
  return r.body.uuid as string;
}

async function allocate(body: Record<string, unknown>, version = '1.82'): Promise<any> {
  const r = await h.req('POST', '/v1/allocations', body, { version });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  assert.equal(r.body.state, 'allocating');
  assert.match(String(r.headers.location), new RegExp(`/v1/allocations/${r.body.uuid}$`));
  await h.svc.conductor.idle();
  return (await h.req('GET', `/v1/allocations/${r.body.uuid}`)).body;
}

test('matching end to end: name first, traits, candidates, owner, failure texts', async () => {
  const n1 = await availableNode('am-1', 'CUSTOM_AM');
  const n2 = await availableNode('am-2', 'CUSTOM_AM');
  const n3 = await availableNode('am-3', 'CUSTOM_AM', { owner: 'proj-a' });
  assert.equal((await h.req('PUT', '/v1/nodes/am-2/traits', { traits: ['CUSTOM_GPU', 'HW_CPU_X86_AVX2'] })).status, 204);

  const a1 = await allocate({ resource_class: 'CUSTOM_AM', name: 'am-1' });
  assert.equal(a1.state, 'active');
  assert.equal(a1.node_uuid, n1, 'the node named like the allocation is tried first');
  const node1 = (await h.req('GET', '/v1/nodes/am-1')).body;
  assert.equal(node1.instance_uuid, a1.uuid);
  assert.equal(node1.allocation_uuid, a1.uuid);
  assert.deepEqual(node1.instance_info, { traits: [] });

  const a2 = await allocate({ ...sample('allocation-create-request-2.json'), resource_class: 'CUSTOM_AM', traits: ['CUSTOM_GPU'] });
  assert.equal(a2.node_uuid, n2);
  assert.deepEqual((await h.req('GET', '/v1/nodes/am-2')).body.instance_info, { traits: ['CUSTOM_GPU'] });

  const bad = await allocate({ resource_class: 'CUSTOM_AM', traits: ['CUSTOM_NOPE'] });
  assert.equal(bad.state, 'error');
  assert.equal(bad.node_uuid, null);
  assert.equal(bad.last_error, `Failed to process allocation ${bad.uuid}: no suitable nodes have the requested traits CUSTOM_NOPE.`);

  const wrongOwner = await allocate({ resource_class: 'CUSTOM_AM', owner: 'proj-b', candidate_nodes: ['am-3'] });
  assert.equal(wrongOwner.last_error, `Failed to process allocation ${wrongOwner.uuid}: none of the requested nodes are available and match the resource class CUSTOM_AM.`);
  assert.deepEqual(wrongOwner.candidate_nodes, [n3], 'names are resolved to UUIDs');

  const a3 = await allocate({ resource_class: 'CUSTOM_AM', owner: 'proj-a' });
  assert.equal(a3.node_uuid, n3);
  assert.equal(a3.owner, 'proj-a');

  const none = await allocate({ resource_class: 'CUSTOM_AM' });
  assert.equal(none.last_error, `Failed to process allocation ${none.uuid}: no available nodes match the resource class CUSTOM_AM.`);

  // Listing and filters.
  const l = await h.req('GET', '/v1/allocations?resource_class=CUSTOM_AM&state=active&fields=name,node_uuid');
  assert.equal(l.status, 200);
  assert.equal(l.body.allocations.length, 3);
  for (const x of l.body.allocations) assert.deepEqual(Object.keys(x).sort(), ['links', 'name', 'node_uuid']);
  const byNode = await h.req('GET', '/v1/allocations?node=am-2');
  assert.deepEqual(byNode.body.allocations.map((x: any) => x.uuid), [a2.uuid]);
  const page1 = await h.req('GET', '/v1/allocations?resource_class=CUSTOM_AM&limit=2&fields=uuid');
  assert.equal(page1.body.allocations.length, 2);
  assert.match(page1.body.next, /\/v1\/allocations\?sort_key=id&sort_dir=asc&fields=uuid&limit=2&marker=/);

  // The node's allocation sub-resource.
  const na = await h.req('GET', '/v1/nodes/am-2/allocation?fields=name');
  assert.deepEqual(Object.keys(na.body).sort(), ['links', 'name']);
  assert.equal((await h.req('DELETE', '/v1/nodes/am-2/allocation')).status, 204);
  const freed = (await h.req('GET', '/v1/nodes/am-2')).body;
  assert.equal(freed.instance_uuid, null);
  assert.equal(freed.allocation_uuid, null);
  const gone = await h.req('GET', '/v1/nodes/am-2/allocation');
  assert.equal(gone.status, 404);
  assert.equal(h.fault(gone.body), 'Allocation for node am-2 was not found');
});

test('a locked candidate is retried, then the allocation fails with Ironic\'s text', async () => {
  const uuid = await availableNode('lock-1', 'CUSTOM_LOCK');
  const repo = new AllocationRepo(h.svc.db.kysely);
  const a = await repo.create({ uuid: '11111111-2222-4333-8444-555555555555', name: null, owner: null, resource_class: 'CUSTOM_LOCK', traits: [], candidate_nodes: [], extra: {}, conductor_affinity: null });
  const node = await h.svc.conductor.deps.nodes.getByUuid(uuid);
  assert.ok(await h.svc.conductor.deps.nodes.reserve(node!.id, 'other-host'));
  await doAllocate(h.svc.conductor.deps, a.id, { attempts: 2, intervalMs: 5 });
  const failed = await repo.getById(a.id);
  assert.equal(failed?.state, 'error');
  assert.equal(failed?.last_error, `Failed to process allocation ${a.uuid}: could not reserve any of 1 suitable nodes.`);
  await h.svc.conductor.deps.nodes.release(node!.id, 'other-host');
});

test('backfill: active node only, mismatches are 400 and leave the allocation in error', async () => {
  const uuid = await availableNode('bf-1', 'CUSTOM_BF');
  const early = await h.req('POST', '/v1/allocations', { node: 'bf-1', name: 'bf-early' });
  assert.equal(early.status, 400);
  assert.match(h.fault(early.body), /^Failed to process allocation [0-9a-f-]+: Cannot backfill an allocation for node [0-9a-f-]+: Node must be in the "active" state, but the current state is "available"\.$/);
  assert.equal((await h.req('GET', '/v1/allocations/bf-early')).body.state, 'error');
  assert.equal((await h.req('POST', '/v1/allocations', { node: 'bf-1' }, { version: '1.57' })).status, 400);

  assert.equal((await h.req('PATCH', '/v1/nodes/bf-1', [{ op: 'add', path: '/instance_uuid', value: 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee' }])).status, 200);
  assert.equal((await h.req('PUT', '/v1/nodes/bf-1/states/provision', { target: 'active' })).status, 202);
  await waitState(h, 'bf-1', 'active');
  const mism = await h.req('POST', '/v1/allocations', { node: 'bf-1', resource_class: 'OTHER', traits: ['CUSTOM_X'], uuid: '99999999-0000-4000-8000-000000000001' });
  assert.equal(mism.status, 400);
  assert.ok(h.fault(mism.body).endsWith(`Resource class CUSTOM_BF does not match the requested resource class OTHER; List of traits [] does not match the requested traits ['CUSTOM_X'].`));
  const ok = await h.req('POST', '/v1/allocations', { node: uuid, name: 'bf-ok' });
  assert.equal(ok.status, 201);
  assert.equal(ok.body.uuid, 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee', 'the UUID defaults to the node instance_uuid');
  assert.equal(ok.body.state, 'active');
  assert.equal(ok.body.resource_class, 'CUSTOM_BF');
  assert.equal(ok.body.node_uuid, uuid);

  // Deleting the allocation of an active node is refused unless in maintenance.
  const del = await h.req('DELETE', '/v1/allocations/bf-ok');
  assert.equal(del.status, 409);
  assert.equal(h.fault(del.body), `Cannot remove allocation ${ok.body.uuid} for node ${uuid}, because the node is active (and maintenance mode is off)`);
  assert.equal((await h.req('PATCH', '/v1/nodes/bf-1', [{ op: 'replace', path: '/maintenance', value: true }])).status, 200);
  assert.equal((await h.req('DELETE', '/v1/allocations/bf-ok')).status, 204);
  assert.equal((await h.req('GET', '/v1/nodes/bf-1')).body.instance_uuid, null);
});

test('PATCH: name and extra only (1.57), names checked, duplicates 409', async () => {
  const a = (await h.req('POST', '/v1/allocations', { ...sample('allocation-create-request.json'), name: 'p-1' })).body;
  await h.req('POST', '/v1/allocations', { resource_class: 'x', name: 'p-2' });
  await h.svc.conductor.idle();
  const old = await h.req('PATCH', '/v1/allocations/p-1', [{ op: 'replace', path: '/name', value: 'x' }], { version: '1.56' });
  assert.equal(old.status, 405);
  assert.equal(h.fault(old.body), 'The API version does not allow updating allocations');
  const rc = await h.req('PATCH', '/v1/allocations/p-1', [{ op: 'replace', path: '/resource_class', value: 'x' }]);
  assert.equal(h.fault(rc.body), 'Cannot patch /resource_class. Only the following can be updated: name, extra');
  const badName = await h.req('PATCH', '/v1/allocations/p-1', [{ op: 'replace', path: '/name', value: 5 }]);
  assert.equal(h.fault(badName.body), "Cannot update allocation with invalid name '5'");
  const dup = await h.req('PATCH', '/v1/allocations/p-1', [{ op: 'replace', path: '/name', value: 'p-2' }]);
  assert.equal(dup.status, 409);
  assert.equal(h.fault(dup.body), 'An allocation with name p-2 already exists.');
  const ok = await h.req('PATCH', '/v1/allocations/p-1', [...sample('allocation-update-request.json'), { op: 'replace', path: '/name', value: a.uuid }]);
  assert.equal(ok.status, 200);
  assert.deepEqual(ok.body.extra, { foo: 'bar' });
  assert.equal(ok.body.name, a.uuid, 'a UUID-shaped allocation name is allowed');
  const rm = await h.req('PATCH', `/v1/allocations/${a.uuid}`, [{ op: 'remove', path: '/name' }, { op: 'remove', path: '/extra' }]);
  assert.equal(rm.body.name, null);
  assert.deepEqual(rm.body.extra, {});
});

test('bad input on create and list, with Ironic\'s messages', async () => {
  const cases: [unknown, number, string][] = [
    [{}, 400, 'The resource_class field is mandatory when not backfilling'],
    [null, 400, 'The resource_class field is mandatory when not backfilling'],
    [[], 400, "Schema error for allocation: [] is not of type 'object'"],
    [{ bogus: 1 }, 400, "Schema error for allocation: Additional properties are not allowed ('bogus' was unexpected)"],
    [{ resource_class: 5 }, 400, "Schema error for allocation: 5 is not of type 'string', 'null'"],
    [{ resource_class: 'x', traits: ['foo'] }, 400, "Schema error for allocation: 'foo' is not valid under any of the given schemas. Possible root cause: 'foo' does not match '^CUSTOM_[A-Z0-9_]+$'"],
    [{ resource_class: 'x', traits: [''] }, 400, "Schema error for allocation: '' is too short"],
    [{ resource_class: 'x', uuid: 'abc' }, 400, 'Expected UUID for uuid: abc'],
    [{ resource_class: 'x', name: 'bad name' }, 400, "Cannot create allocation with invalid name 'bad name'"],
    [{ resource_class: 'x', candidate_nodes: ['nope-node'] }, 400, 'Nodes cannot be found: nope-node'],
    [{ resource_class: 'x', candidate_nodes: ['bad name!'] }, 400, 'Nodes cannot be found: bad name!'],
    [{ node: 'nonexist' }, 400, 'Node nonexist could not be found.'],
    [{ resource_class: 'a'.repeat(81) }, 400, `Schema error for allocation: '${'a'.repeat(81)}' is too long`],
  ];
  for (const [body, status, msg] of cases) {
    const r = await h.req('POST', '/v1/allocations', body === null ? undefined : body, body === null ? { raw: 'null' } : {});
    assert.equal(r.status, status, JSON.stringify(body));
    assert.equal(h.fault(r.body), msg);
  }
  assert.equal((await h.req('POST', '/v1/allocations', { resource_class: 'x', owner: 'p' }, { version: '1.59' })).status, 406);
  await h.req('POST', '/v1/allocations', { resource_class: 'x', name: 'dup-1' });
  const dup = await h.req('POST', '/v1/allocations', { resource_class: 'x', name: 'dup-1' });
  assert.equal(dup.status, 409);
  assert.equal(h.fault(dup.body), 'An allocation with name dup-1 already exists.');
  await h.svc.conductor.idle();

  const list: [string, number, string][] = [
    ['/v1/allocations?marker=abc', 400, 'Expected UUID for marker: abc'],
    ['/v1/allocations?marker=cad0d25e-b0b8-4059-8037-99b66e609331', 404, 'Allocation cad0d25e-b0b8-4059-8037-99b66e609331 could not be found.'],
    ['/v1/allocations?sort_key=traits', 400, 'The sort_key value traits is an invalid field for sorting'],
    ['/v1/allocations?sort_key=bogus', 400, 'The sort_key value "bogus" is an invalid field for sorting'],
    ['/v1/allocations?limit=0', 400, 'Limit must be positive'],
    ['/v1/allocations?limit=abc', 400, 'Expected an integer for limit: abc'],
    ['/v1/allocations?detail=True', 400, 'Unexpected arguments: detail'],
    ['/v1/allocations?node=bad!name', 400, 'Expected UUID or name for node: bad!name'],
    ['/v1/allocations?fields=uuid,bogus', 400, 'Field(s) "bogus" are not valid'],
    ['/v1/allocations/bad!name', 400, 'Expected UUID or name for allocation_ident: bad!name'],
    ['/v1/allocations/detail', 404, 'Allocation detail could not be found.'],
    ['/v1/nodes/nonexist/allocation', 400, 'Node nonexist could not be found.'],
  ];
  for (const [url, status, msg] of list) {
    const r = await h.req('GET', url);
    assert.equal(r.status, status, url);
    assert.equal(h.fault(r.body), msg, url);
  }
  assert.equal((await h.req('GET', '/v1/allocations?owner=x', undefined, { version: '1.59' })).status, 406);
  assert.equal((await h.req('GET', '/v1/allocations/dup-1?fields=owner', undefined, { version: '1.59' })).status, 406);
  assert.equal((await h.req('GET', '/v1/allocations/dup-1', undefined, { version: '1.59' })).body.owner, undefined);
});

test('version gating: 404 for GET and 405 for other methods below 1.52', async () => {
  for (const [m, url, status] of [['GET', '/v1/allocations', 404], ['GET', '/v1/allocations/x', 404], ['POST', '/v1/allocations', 405],
    ['PATCH', '/v1/allocations/x', 405], ['DELETE', '/v1/allocations/x', 405], ['GET', '/v1/nodes/x/allocation', 404],
    ['DELETE', '/v1/nodes/x/allocation', 404]] as const) {
    const r = await h.req(m, url, m === 'GET' || m === 'DELETE' ? undefined : {}, { version: '1.51' });
    assert.equal(r.status, status, `${m} ${url}`);
    assert.equal(r.headers['x-openstack-ironic-api-version'], undefined, 'routing errors carry no version headers');
  }
  const r = await h.req('GET', '/v1/allocations', undefined, { version: '1.51' });
  assert.equal(JSON.parse(r.body.error_message).description, 'The API version does not allow allocations');
});
