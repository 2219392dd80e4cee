/**
 * Bad input on purpose: every case must get a 4xx in Ironic's error format, never a 5xx,
 * and must leave nothing half-written.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startHarness, waitState, type Harness } from '../../test/support/api-harness.ts';

let h: Harness;
before(async () => { h = await startHarness(); });
after(async () => { await h.close(); });

function assertIronicError(r: { status: number; body: any }, status: number, re?: RegExp) {
  assert.equal(r.status, status, JSON.stringify(r.body));
  assert.equal(typeof r.body?.error_message, 'string');
  const inner = JSON.parse(r.body.error_message);
  if (status < 500) {
    if ('faultcode' in inner) { assert.equal(inner.faultcode, 'Client'); assert.equal(inner.debuginfo, null); }
  }
  if (re) assert.match(inner.faultstring ?? inner.description, re);
}

async function nodeCount(): Promise<number> {
  return (await h.req('GET', '/v1/nodes?limit=1000')).body.nodes.length;
}

test('malformed JSON bodies are 400, nothing created', async () => {
  const n0 = await nodeCount();
  for (const raw of ['{', '{"driver": "fake-hardware"', 'nul', '{"driver": fake}', '\u0000']) {
    assertIronicError(await h.req('POST', '/v1/nodes', undefined, { raw }), 400);
  }
  assert.equal(await nodeCount(), n0);
});

test('wrong types, unknown and read-only fields on create are 400', async () => {
  const n0 = await nodeCount();
  assertIronicError(await h.req('POST', '/v1/nodes', { driver: 42 }), 400, /Schema error for node: 42 is not of type 'string'/);
  assertIronicError(await h.req('POST', '/v1/nodes', {}), 400, /'driver' is a required property/);
  assertIronicError(await h.req('POST', '/v1/nodes', { driver: 'fake-hardware', foo: 1 }), 400, /Additional properties are not allowed \('foo' was unexpected\)/);
  assertIronicError(await h.req('POST', '/v1/nodes', { driver: 'fake-hardware', provision_state: 'active' }), 400, /provision_state/);
  assertIronicError(await h.req('POST', '/v1/nodes', { driver: 'fake-hardware', properties: [] }), 400, /is not of type 'object', 'null'/);
  assertIronicError(await h.req('POST', '/v1/nodes', [1, 2]), 400);
  assertIronicError(await h.req('POST', '/v1/nodes', { driver: 'fake-hardware', maintenance: 'sometimes' }), 400, /Unrecognized value 'sometimes'/);
  assert.equal(await nodeCount(), n0);
});

test('invalid UUIDs, names and drivers are 400; unknown nodes 404', async () => {
  assertIronicError(await h.req('POST', '/v1/nodes', { driver: 'fake-hardware', uuid: 'not-a-uuid' }), 400, /Expected UUID for uuid/);
  assertIronicError(await h.req('POST', '/v1/nodes', { driver: 'fake-hardware', name: 'has space' }), 400, /invalid name/);
  assertIronicError(await h.req('POST', '/v1/nodes', { driver: 'fake-hardware', name: 'detail' }), 400, /"detail" is reserved/);
  assertIronicError(await h.req('POST', '/v1/nodes', { driver: 'fake-hardware', name: '1be26c0b-03f2-4d2e-ae87-c02d7f33c123' }), 400);
  assertIronicError(await h.req('POST', '/v1/nodes', { driver: 'no-such-driver' }), 400, /no-such-driver/);
  assertIronicError(await h.req('POST', '/v1/nodes', { driver: 'fake-hardware', power_interface: 'nope' }), 400, /Could not find the following interface/);
  assertIronicError(await h.req('GET', '/v1/nodes/1be26c0b-03f2-4d2e-ae87-c02d7f33c123'), 404, /could not be found/);
  assertIronicError(await h.req('GET', '/v1/nodes/bad%20name'), 400, /Expected UUID or name for node: bad name/);
  assertIronicError(await h.req('GET', '/v1/nodes?marker=1be26c0b-03f2-4d2e-ae87-c02d7f33c123'), 404);
  assertIronicError(await h.req('GET', '/v1/nodes?marker=zzz'), 400);
  assertIronicError(await h.req('GET', '/v1/nodes?limit=-1'), 400, /Limit must be positive/);
  assertIronicError(await h.req('GET', '/v1/nodes?limit=abc'), 400);
  assertIronicError(await h.req('GET', '/v1/nodes?sort_dir=up'), 400, /Invalid sort direction/);
  assertIronicError(await h.req('GET', '/v1/nodes?sort_key=properties'), 400, /invalid field for sorting/);
  assertIronicError(await h.req('GET', '/v1/nodes?bogus=1'), 400, /Unexpected arguments: bogus/);
  assertIronicError(await h.req('GET', '/v1/nodes?provision_state=flying'), 400);
  assertIronicError(await h.req('GET', '/v1/nodes?fields=nope'), 400, /Field nope is not a valid field/);
});

test('duplicates are 409 and do not create a second node', async () => {
  const a = await h.req('POST', '/v1/nodes', { driver: 'fake-hardware', name: 'dup-1' });
  assert.equal(a.status, 201);
  const n0 = await nodeCount();
  assertIronicError(await h.req('POST', '/v1/nodes', { driver: 'fake-hardware', name: 'dup-1' }), 409, /already exists/);
  assertIronicError(await h.req('POST', '/v1/nodes', { driver: 'fake-hardware', uuid: a.body.uuid }), 409, /already exists/);
  assert.equal(await nodeCount(), n0);
});

test('fields newer than the requested version are 406; old versions hide them', async () => {
  assertIronicError(await h.req('POST', '/v1/nodes', { driver: 'fake-hardware', owner: 'x' }, { version: '1.49' }), 406);
  const r = await h.req('POST', '/v1/nodes', { driver: 'fake-hardware' }, { version: '1.10' });
  assert.equal(r.status, 201);
  assert.equal(r.body.provision_state, 'available'); // nodes start in available below 1.11
  const old = await h.req('GET', `/v1/nodes/${r.body.uuid}`, undefined, { version: '1.1' });
  assert.equal(old.body.provision_state, null); // and available is null below 1.2
  assert.equal('owner' in r.body, false);
  assert.equal('traits' in r.body, false);
});

test('version header problems are 406 with the supported range', async () => {
  const r = await h.req('GET', '/v1/nodes', undefined, { version: '1.999' });
  assertIronicError(r, 406, /supported version range is: \[1\.1, 1\.82\]/);
  assert.equal(r.headers['x-openstack-ironic-api-maximum-version'], '1.82');
  assertIronicError(await h.req('GET', '/v1/nodes', undefined, { version: 'banana' }), 406, /Invalid value for X-OpenStack-Ironic-API-Version header/);
  const ok = await h.req('GET', '/v1/nodes', undefined, { version: null });
  assert.equal(ok.status, 200);
  assert.equal(ok.headers['x-openstack-ironic-api-version'], '1.1');
});

test('bad PATCH documents are 400 and change nothing', async () => {
  const c = await h.req('POST', '/v1/nodes', { driver: 'fake-hardware', name: 'patchme', extra: { a: 1 } });
  const before = (await h.req('GET', '/v1/nodes/patchme')).body;
  const cases: [unknown, RegExp][] = [
    [{ op: 'replace' }, /not of type 'array'/],
    [[{ op: 'move', path: '/extra/a', from: '/extra/b' }], /Additional properties|not one of/],
    [[{ op: 'replace', path: '/uuid', value: 'x' }], /Cannot patch \/uuid/],
    [[{ op: 'replace', path: '/provision_state', value: 'active' }], /Cannot patch \/provision_state/],
    [[{ op: 'add', path: '/newroot', value: 1 }], /Cannot patch \/newroot/],
    [[{ op: 'replace', path: '/extra/a', value: 2 }, { op: 'remove', path: '/extra/missing' }], /Couldn't apply patch/],
    [[{ op: 'replace', path: 'extra', value: 2 }], /does not match/],
    [[{ op: 'replace', path: '/traits', value: [] }], /Cannot patch \/traits/],
    [[{ op: 'replace', path: '/name', value: 'bad name' }], /invalid name/],
    [[{ op: 'replace', path: '/driver_info', value: 'str' }], /not of type 'object'/],
  ];
  for (const [body, re] of cases) assertIronicError(await h.req('PATCH', `/v1/nodes/${c.body.uuid}`, body), 400, re);
  const afterNode = (await h.req('GET', '/v1/nodes/patchme')).body;
  assert.deepEqual(afterNode.extra, before.extra);
  assert.equal(afterNode.updated_at, before.updated_at);
});

test('invalid transitions and verbs are 400 (or 406 below the verb version)', async () => {
  const c = await h.req('POST', '/v1/nodes', { driver: 'fake-hardware', name: 'fsm-bad' });
  assert.equal(c.status, 201);
  assertIronicError(await h.req('PUT', '/v1/nodes/fsm-bad/states/provision', { target: 'active' }), 400, /can not be performed on node .* while it is in state "enroll"/);
  assertIronicError(await h.req('PUT', '/v1/nodes/fsm-bad/states/provision', { target: 'fly' }), 400);
  assertIronicError(await h.req('PUT', '/v1/nodes/fsm-bad/states/provision', {}), 400, /target/);
  assertIronicError(await h.req('PUT', `/v1/nodes/${c.body.uuid}/states/provision`, { target: 'manage' }, { version: '1.3' }), 406);
  assertIronicError(await h.req('PUT', '/v1/nodes/fsm-bad/states/provision', { target: 'manage', foo: 1 }), 400, /Unexpected arguments: foo/);
  assertIronicError(await h.req('PUT', '/v1/nodes/fsm-bad/states/power', { target: 'sideways' }), 400, /The requested action "sideways" can not be performed on node "fsm-bad"/);
  assertIronicError(await h.req('PUT', '/v1/nodes/fsm-bad/states/power', { target: 'soft power off' }, { version: '1.26' }), 406);
  assertIronicError(await h.req('PUT', '/v1/nodes/fsm-bad/states/power', { target: 'power on', timeout: 0 }), 400, /timeout/);
  const n = (await h.req('GET', '/v1/nodes/fsm-bad')).body;
  assert.equal(n.provision_state, 'enroll');
  assert.equal(n.target_provision_state, null);
});

test('two clients changing one node at once: one wins, the other gets 409, nothing half-written', async () => {
  const c = await h.req('POST', '/v1/nodes', { driver: 'fake-hardware', name: 'race' }, { version: '1.82' });
  // Hold the lock as another conductor would.
  const id = (await h.svc.db.kysely.selectFrom('nodes').select('id').where('uuid', '=', c.body.uuid).executeTakeFirstOrThrow()).id;
  await h.svc.db.kysely.updateTable('nodes').set({ reservation: 'other-host' }).where('id', '=', id).execute();
  const conductor = h.svc.conductor as unknown as { deps: { tasks: { acquire: unknown } } };
  void conductor;
  const r1 = await h.req('PATCH', '/v1/nodes/race', [{ op: 'add', path: '/extra/x', value: 1 }]);
  assertIronicError(r1, 409, /locked by host other-host/);
  const r2 = await h.req('PUT', '/v1/nodes/race/states/provision', { target: 'manage' });
  assertIronicError(r2, 409, /locked/);
  await h.svc.db.kysely.updateTable('nodes').set({ reservation: null }).where('id', '=', id).execute();
  // Now two real concurrent requests: both succeed or one gets 409, and the end state is consistent.
  const [a, b] = await Promise.all([
    h.req('PUT', '/v1/nodes/race/states/provision', { target: 'manage' }),
    h.req('PUT', '/v1/nodes/race/states/provision', { target: 'manage' }),
  ]);
  const statuses = [a.status, b.status].sort();
  assert.ok(statuses[0] === 202 && (statuses[1] === 400 || statuses[1] === 409 || statuses[1] === 202), JSON.stringify(statuses));
  const n = await waitState(h, 'race', 'manageable');
  assert.equal(n.reservation, null);
});

test('huge bodies get a 4xx, not a crash', async () => {
  const big = 'x'.repeat(130 * 1024 * 1024);
  const r = await h.req('POST', '/v1/nodes', undefined, { raw: `{"driver": "fake-hardware", "extra": {"a": "${big}"}}` });
  assert.ok(r.status >= 400 && r.status < 500, String(r.status));
  assert.equal(typeof r.body?.error_message, 'string');
});
