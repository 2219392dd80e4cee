/**
 * Conductors (1.49), shards (1.82) and events (1.54), in process, with the answers the
 * reference Ironic 21.4 gives to the same requests.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startHarness, type Harness } from '../../../test/support/api-harness.ts';
import { isAlive } from '../views/conductor.ts';

let h: Harness;
before(async () => { h = await startHarness({ conductorHostname: 'cond-1.example' }); });
after(async () => { await h.close(); });

test('conductor list, detail, show; alive from the heartbeat age', async () => {
  const l = await h.req('GET', '/v1/conductors');
  assert.equal(l.status, 200);
  assert.deepEqual(l.body.conductors.map((c: any) => Object.keys(c).sort()), [['alive', 'conductor_group', 'hostname', 'links']]);
  assert.equal(l.body.conductors[0].alive, true);
  const one = await h.req('GET', '/v1/conductors/cond-1.example');
  assert.deepEqual(one.body.drivers, ['fake-hardware', 'ipmi', 'manual-management', 'redfish']);
  assert.deepEqual(Object.keys(one.body).sort(), ['alive', 'conductor_group', 'created_at', 'drivers', 'hostname', 'links', 'updated_at']);
  const d = await h.req('GET', '/v1/conductors?detail=True&limit=1');
  assert.ok('drivers' in d.body.conductors[0]);
  assert.match(d.body.next, /\/v1\/conductors\?sort_key=id&sort_dir=asc&detail=True&limit=1&marker=cond-1\.example$/);
  const f = await h.req('GET', '/v1/conductors?limit=1&fields=hostname');
  assert.match(f.body.next, /fields=hostname&limit=1&marker=cond-1\.example$/);
  assert.deepEqual((await h.req('GET', '/v1/conductors?marker=cond-1.example')).body, { conductors: [] });
  const old = new Date(Date.now() - 120_000).toISOString();
  await h.svc.db.kysely.updateTable('conductors').set({ updated_at: old }).where('hostname', '=', 'cond-1.example').execute();
  assert.equal((await h.req('GET', '/v1/conductors/cond-1.example')).body.alive, false);
  assert.equal(isAlive(new Date().toISOString(), 60), true);
  assert.equal(isAlive(null, 60), false);
});

test('conductor bad input and gating', async () => {
  const cases: [string, string, number, string][] = [
    ['/v1/conductors', '1.48', 404, 'Resource could not be found.'],
    ['/v1/conductors/cond-1.example', '1.48', 404, 'Resource could not be found.'],
    ['/v1/conductors/nope', '1.82', 404, 'Conductor nope could not be found.'],
    ['/v1/conductors/bad!', '1.82', 400, 'Expected name for hostname: bad!'],
    ['/v1/conductors?marker=bad!', '1.82', 400, 'Expected name for marker: bad!'],
    ['/v1/conductors?marker=nope', '1.82', 404, 'Conductor nope could not be found.'],
    ['/v1/conductors?sort_key=alive', '1.82', 400, 'The sort_key value alive is an invalid field for sorting'],
    ['/v1/conductors?sort_key=bogus', '1.82', 400, 'The sort_key value "bogus" is an invalid field for sorting'],
    ['/v1/conductors?fields=hostname,bogus', '1.82', 400, 'Field(s) "bogus" are not valid'],
    ['/v1/conductors?fields=drivers&detail=True', '1.82', 400, 'Can not specify ?detail=True and fields in the same request.'],
    ['/v1/conductors?limit=x', '1.82', 400, 'Expected an integer for limit: x'],
    ['/v1/conductors?foo=1', '1.82', 400, 'Unexpected arguments: foo'],
  ];
  for (const [url, version, status, msg] of cases) {
    const r = await h.req('GET', url, undefined, { version });
    assert.equal(r.status, status, url);
    assert.equal(h.fault(r.body), msg, url);
  }
  assert.equal((await h.req('DELETE', '/v1/conductors/cond-1.example')).status, 405);
});

test('shards: counts per shard, "None" for unsharded, largest first', async () => {
  for (const [name, shard] of [['s1', 'blue'], ['s2', 'blue'], ['s3', null], ['s4', 'red'], ['s5', 'blue']] as const) {
    assert.equal((await h.req('POST', '/v1/nodes', { name, driver: 'fake-hardware', ...(shard ? { shard } : {}) })).status, 201);
  }
  const r = await h.req('GET', '/v1/shards');
  assert.deepEqual(r.body, { shards: [{ name: 'blue', count: 3 }, { name: 'None', count: 1 }, { name: 'red', count: 1 }] });
  assert.equal((await h.req('GET', '/v1/shards', undefined, { version: '1.81' })).status, 404);
  assert.equal((await h.req('POST', '/v1/shards', {}, { version: '1.81' })).status, 405);
  const one = await h.req('GET', '/v1/shards/blue');
  assert.equal(one.status, 404);
  assert.equal(h.fault(one.body), 'The resource could not be found.');
  assert.equal(h.fault((await h.req('GET', '/v1/shards?limit=1')).body), 'Unexpected arguments: limit');
});

test('events: validation messages, 204, version check after validation', async () => {
  const ev = { event: 'network.bind_port', port_id: '11111111-2222-3333-4444-555555555555', mac_address: '52:54:00:12:34:56', status: 'ACTIVE' };
  assert.equal((await h.req('POST', '/v1/events', { events: [ev] })).status, 204);
  assert.equal((await h.req('POST', '/v1/events', { events: [{ ...ev, device_id: null, 'binding:vnic_type': 'baremetal' }] })).status, 204);
  const cases: [unknown, string][] = [
    [{}, "Schema error for evts: 'events' is a required property"],
    [{ events: [] }, 'Schema error for evts: [] is too short'],
    [{ events: [{ event: 'foo' }] }, "Schema error for evts: 'foo' is not one of ['network.bind_port', 'network.unbind_port', 'network.delete_port']"],
    [{ events: [{ ...ev, extra: 1 }] }, "Schema error for evts: Additional properties are not allowed ('extra' was unexpected)"],
    [{ events: [{ ...ev, port_id: 'x' }] }, 'Expected UUID for port_id: x'],
    [{ events: [{ ...ev, mac_address: 'zz' }] }, 'Expected valid MAC address for mac_address: zz'],
    [{ events: [{ ...ev, device_id: 'x' }] }, 'Expected UUID for device_id: x'],
    [{ events: [{ ...ev, 'binding:host_id': 'x' }] }, 'Expected UUID for binding:host_id: x'],
    [{ events: [{ event: 'network.bind_port' }] }, "Schema error for evts: 'port_id' is a required property"],
    [{ events: [ev], x: 1 }, "Schema error for evts: Additional properties are not allowed ('x' was unexpected)"],
  ];
  for (const [body, msg] of cases) {
    const r = await h.req('POST', '/v1/events', body);
    assert.equal(r.status, 400, JSON.stringify(body));
    assert.equal(h.fault(r.body), msg);
  }
  const nul = await h.req('POST', '/v1/events', undefined, { raw: 'null' });
  assert.equal(nul.status, 400, '21.4 answers 500 for a null body');
  const old = await h.req('POST', '/v1/events', { events: [ev] }, { version: '1.53' });
  assert.equal(old.status, 404);
  assert.equal(h.fault(old.body), 'Resource could not be found.');
  assert.equal((await h.req('POST', '/v1/events', {}, { version: '1.53' })).status, 400);
  assert.equal((await h.req('GET', '/v1/events')).status, 405);
});
