/**
 * /v1/portgroups (1.23), /v1/nodes/{ident}/portgroups (1.24), /v1/portgroups/{id}/ports
 * (1.24) and port membership rules, with Ironic 21.4's texts and version gating.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { startHarness, waitState, type Harness } from '../../../test/support/api-harness.ts';
import { API_SAMPLES_DIR } from '../../testing/shared-data.ts';

const SAMPLES = API_SAMPLES_DIR;
const sample = (f: string) => JSON.parse(readFileSync(`${SAMPLES}/${f}`, 'utf8'));

let h: Harness;
const A = '6d85703a-565d-469a-96ce-30b6de53079d';
let B: string;
const NONE = '11111111-2222-3333-4444-555555555555';

before(async () => {
  h = await startHarness();
  assert.equal((await h.req('POST', '/v1/nodes', { driver: 'fake-hardware', name: 'ga', uuid: A })).status, 201);
  B = (await h.req('POST', '/v1/nodes', { driver: 'fake-hardware', name: 'gb' })).body.uuid;
});
after(async () => { await h.close(); });

async function fails(method: string, url: string, body: unknown, status: number, text: string, version = '1.82') {
  const r = await h.req(method, url, body, { version });
  assert.equal(r.status, status, `${method} ${url}: ${r.text}`);
  assert.equal(h.fault(r.body), text, `${method} ${url}`);
}
async function createPg(body: Record<string, unknown>, version = '1.82'): Promise<any> {
  const r = await h.req('POST', '/v1/portgroups', body, { version });
  assert.equal(r.status, 201, r.text);
  return r.body;
}
const patch = (id: string, ops: unknown, version = '1.82') => h.req('PATCH', `/v1/portgroups/${id}`, ops, { version });

test('create from the API sample, show by UUID and name, update from the sample', async () => {
  const r = await h.req('POST', '/v1/portgroups', sample('portgroup-create-request.json'));
  assert.equal(r.status, 201, r.text);
  assert.equal(r.headers.location, `http://localhost:80/v1/portgroups/${r.body.uuid}`);
  const expected = Object.keys(sample('portgroup-create-response.json')).filter((k) => !['category', 'physical_network', 'dynamic_portgroup'].includes(k)).sort();
  assert.deepEqual(Object.keys(r.body).sort(), expected);
  assert.equal(r.body.mode, 'active-backup', 'the default mode is stored');
  assert.equal(r.body.standalone_ports_supported, true);
  assert.deepEqual(r.body.ports[0], { href: `http://localhost:80/v1/portgroups/${r.body.uuid}/ports`, rel: 'self' });
  assert.equal((await h.req('GET', '/v1/portgroups/test_portgroup')).body.uuid, r.body.uuid);
  assert.equal((await h.req('GET', `/v1/portgroups/${r.body.uuid}.json`)).body.name, 'test_portgroup');
  const up = await patch('test_portgroup', sample('portgroup-update-request.json'));
  assert.equal(up.status, 200, up.text);
  assert.equal(up.body.address, '22:22:22:22:22:22');
  assert.equal((await h.req('DELETE', '/v1/portgroups/test_portgroup')).status, 204);
});

test('bad input on create: 400/409 texts; below 1.23 the resource does not exist', async () => {
  const pg = await createPg({ node_uuid: A, address: '52:54:00:AA:CC:01', name: 'g1' });
  assert.equal(pg.address, '52:54:00:aa:cc:01');
  await fails('POST', '/v1/portgroups', { node_uuid: A, address: '52:54:00:aa:cc:01' }, 409, 'A portgroup with MAC address 52:54:00:aa:cc:01 already exists.');
  await fails('POST', '/v1/portgroups', { node_uuid: A, name: 'g1' }, 409, 'A portgroup with name g1 already exists.');
  await fails('POST', '/v1/portgroups', { node_uuid: A, uuid: pg.uuid }, 409, `A portgroup with UUID ${pg.uuid} already exists.`);
  await fails('POST', '/v1/portgroups', { node_uuid: A, name: 'bad name' }, 400, "Cannot create portgroup with invalid name 'bad name'");
  await fails('POST', '/v1/portgroups', {}, 400, "Schema error for portgroup: 'node_uuid' is a required property");
  await fails('POST', '/v1/portgroups', { node_uuid: A, foo: 1 }, 400, "Schema error for portgroup: Additional properties are not allowed ('foo' was unexpected)");
  await fails('POST', '/v1/portgroups', { node_uuid: A, name: 5 }, 400, "Schema error for portgroup: 5 is not of type 'string', 'null'");
  await fails('POST', '/v1/portgroups', { node_uuid: A, address: 'zz' }, 400, 'Expected valid MAC address for address: zz');
  await fails('POST', '/v1/portgroups', { node_uuid: A, standalone_ports_supported: 'x' }, 400,
    "Invalid standalone_ports_supported: Unrecognized value 'x', acceptable values are: '0', '1', 'f', 'false', 'n', 'no', 'off', 'on', 't', 'true', 'y', 'yes'");
  await fails('POST', '/v1/portgroups', { node_uuid: NONE }, 400, `Node ${NONE} could not be found.`);
  await fails('POST', '/v1/portgroups', { node_uuid: 'ga' }, 400, 'Expected UUID for node_uuid: ga');
  await fails('POST', '/v1/portgroups', { node_uuid: A, standalone_ports_supported: null }, 400, "Field `standalone_ports_supported' cannot be None");
  await fails('POST', '/v1/portgroups', { node_uuid: A }, 404, 'Resource could not be found.', '1.22');
  await fails('POST', '/v1/portgroups', { node_uuid: A, mode: '802.3ad' }, 406, 'Request not acceptable.', '1.25');
  assert.equal((await createPg({ node_uuid: A, mode: null, properties: {} }, '1.23')).mode, 'active-backup');
  await fails('GET', '/v1/portgroups', undefined, 404, 'Resource could not be found.', '1.22');
  for (const [m, u] of [['GET', '/v1/portgroups/g1'], ['PATCH', '/v1/portgroups/g1'], ['DELETE', '/v1/portgroups/g1'], ['GET', '/v1/portgroups/detail'], ['GET', `/v1/portgroups/${pg.uuid}/ports`]]) {
    const r = await h.req(m!, u!, m === 'PATCH' ? [] : undefined, { version: '1.22' });
    assert.equal(r.status, 404, `${m} ${u}`);
    assert.equal(JSON.parse(r.body.error_message).code, 404, 'routing-level (webob) body');
  }
  const uuidName = await createPg({ node_uuid: A, name: NONE });
  assert.equal(uuidName.name, NONE, 'a UUID-shaped name is a valid portgroup name');
});

test('lists: defaults, detail, fields (mode/properties need 1.26), paging, filters', async () => {
  const base = 'http://localhost:80/v1';
  const all = (await h.req('GET', `/v1/portgroups?node=${A}`)).body.portgroups;
  assert.deepEqual(Object.keys(all[0]).sort(), ['address', 'links', 'name', 'uuid']);
  const l = await h.req('GET', `/v1/portgroups?node=${A}&limit=1`);
  assert.equal(l.body.next, `${base}/portgroups?sort_key=id&sort_dir=asc&fields=uuid,address,name&limit=1&marker=${all[0].uuid}`);
  const d = await h.req('GET', `/v1/portgroups/detail?node=ga&limit=1&marker=${all[0].uuid}`);
  assert.equal(d.body.portgroups[0].uuid, all[1].uuid);
  assert.equal(d.body.next, `${base}/portgroups/detail?sort_key=id&sort_dir=asc&limit=1&marker=${all[1].uuid}`);
  assert.deepEqual(Object.keys((await h.req('GET', `/v1/portgroups?node=${A}&fields=mode,ports`)).body.portgroups[0]).sort(), ['links', 'mode', 'ports']);
  assert.equal((await h.req('GET', '/v1/portgroups?address=52:54:00:AA:CC:01')).body.portgroups.length, 1);
  assert.equal((await h.req('GET', `/v1/portgroups?address=52:54:00:AA:CC:01&node=${B}`)).body.portgroups.length, 0, 'node wins over address');
  await fails('GET', '/v1/portgroups?fields=mode', undefined, 406, 'Request not acceptable.', '1.25');
  await fails('GET', '/v1/portgroups?sort_key=mode', undefined, 406, 'Request not acceptable.', '1.25');
  await fails('GET', '/v1/portgroups?sort_key=properties', undefined, 400, 'The sort_key value properties is an invalid field for sorting');
  await fails('GET', '/v1/portgroups?sort_key=node_uuid', undefined, 400, 'The sort_key value "node_uuid" is an invalid field for sorting');
  await fails('GET', '/v1/portgroups?fields=foo', undefined, 400, 'Field(s) "foo" are not valid');
  await fails('GET', '/v1/portgroups?node=nonexist', undefined, 404, 'Node nonexist could not be found.');
  await fails('GET', '/v1/portgroups?shard=x', undefined, 400, 'Unexpected arguments: shard');
  await fails('GET', `/v1/portgroups?marker=${NONE}`, undefined, 404, `Portgroup ${NONE} could not be found.`);
  await fails('GET', '/v1/portgroups/detail?fields=uuid', undefined, 400, 'Unexpected arguments: fields');
  await fails('GET', '/v1/portgroups/g1?fields=uuid,mode', undefined, 406, 'Request not acceptable.', '1.25');
  await fails('GET', '/v1/portgroups/bad%20x', undefined, 400, 'Expected UUID or name for portgroup: bad x');
  await fails('GET', '/v1/portgroups/nonexist', undefined, 404, 'Portgroup nonexist could not be found.');
});

test('node sub-collection (1.24): read-only, 403 through it, UUID-only lookup as in 21.4', async () => {
  const l = await h.req('GET', `/v1/nodes/${A}/portgroups/detail?limit=1`);
  assert.equal(l.status, 200);
  assert.match(l.body.next, /^http:\/\/localhost:80\/v1\/portgroups\/detail\?/);
  const r = await h.req('GET', `/v1/nodes/${A}/portgroups`, undefined, { version: '1.23' });
  assert.equal(r.status, 404);
  await fails('GET', '/v1/nodes/ga/portgroups', undefined, 404, 'Portgroup None could not be found.');
  await fails('GET', `/v1/nodes/${A}/portgroups/g1`, undefined, 403, 'Operation not permitted.');
  await fails('GET', `/v1/nodes/${A}/portgroups/nonexist`, undefined, 404, 'Portgroup nonexist could not be found.');
  await fails('POST', `/v1/nodes/${A}/portgroups`, { node_uuid: A }, 403, 'Operation not permitted.');
  await fails('PATCH', `/v1/nodes/${A}/portgroups/g1`, [], 403, 'Operation not permitted.');
  await fails('DELETE', `/v1/nodes/${A}/portgroups/g1`, undefined, 403, 'Operation not permitted.');
});

test('ports in portgroups: same node, physical networks, standalone ports, sub-collection', async () => {
  const g2 = await createPg({ node_uuid: A, name: 'g2', standalone_ports_supported: false });
  const gb = await createPg({ node_uuid: B, name: 'gb1' });
  const port = async (body: Record<string, unknown>) => h.req('POST', '/v1/ports', { node_uuid: A, ...body });
  const p1 = (await port({ address: '52:54:00:aa:bb:01', portgroup_uuid: g2.uuid, physical_network: 'net1', pxe_enabled: false })).body;
  await fails('POST', '/v1/ports', { node_uuid: A, address: '52:54:00:aa:bb:02', portgroup_uuid: g2.uuid, pxe_enabled: false }, 409,
    `Port with physical network None cannot become a member of port group ${g2.uuid} which has ports in physical network net1.`);
  await fails('POST', '/v1/ports', { node_uuid: A, address: '52:54:00:aa:bb:02', portgroup_uuid: g2.uuid, physical_network: 'net1', pxe_enabled: true }, 409,
    `Port group ${g2.uuid} doesn't support standalone ports. This port cannot be created as a member of that portgroup as the port's 'pxe_enabled' field was set to True.`);
  await fails('POST', '/v1/ports', { node_uuid: A, address: '52:54:00:aa:bb:02', portgroup_uuid: gb.uuid }, 400, 'Port can not be added to a portgroup belonging to a different node.');
  const p2 = (await port({ address: '52:54:00:aa:bb:02' })).body;
  await fails('PATCH', `/v1/ports/${p2.uuid}`, [{ op: 'replace', path: '/portgroup_uuid', value: gb.uuid }], 400, 'Port can not be added to a portgroup belonging to a different node.');
  await fails('PATCH', `/v1/ports/${p2.uuid}`, [{ op: 'replace', path: '/portgroup_uuid', value: g2.uuid }], 409,
    `Port with physical network None cannot become a member of port group ${g2.uuid} which has ports in physical network net1.`);
  const joined = await h.req('PATCH', `/v1/ports/${p2.uuid}`, [{ op: 'replace', path: '/portgroup_uuid', value: g2.uuid }, { op: 'add', path: '/physical_network', value: 'net1' }]);
  assert.equal(joined.body.portgroup_uuid, g2.uuid, joined.text);
  const only = await h.req('PATCH', `/v1/ports/${p2.uuid}`, [{ op: 'add', path: '/extra/x', value: 1 }, { op: 'remove', path: '/portgroup_uuid' }]);
  assert.equal(only.body.portgroup_uuid, g2.uuid, '21.4 looks only at the first operation for a portgroup change');

  const sub = await h.req('GET', `/v1/portgroups/${g2.uuid}/ports?limit=1`);
  assert.deepEqual(sub.body.ports.map((p: any) => p.uuid), [p1.uuid]);
  assert.match(sub.body.next, /^http:\/\/localhost:80\/v1\/ports\?sort_key=id/);
  assert.equal((await h.req('GET', `/v1/portgroups/${g2.uuid}/ports/detail`)).body.ports.length, 2);
  assert.equal((await h.req('GET', '/v1/ports?portgroup=g2')).body.ports.length, 2, 'the filter takes names');
  await fails('GET', '/v1/portgroups/g2/ports', undefined, 404, 'Portgroup g2 could not be found.');
  await fails('GET', `/v1/portgroups/${g2.uuid}/ports?node=${A}`, undefined, 403, 'Operation not permitted.');
  await fails('GET', `/v1/portgroups/${g2.uuid}/ports/${p1.uuid}`, undefined, 403, 'Operation not permitted.');
  await fails('GET', `/v1/nodes/${A}/portgroups/${g2.uuid}/ports`, undefined, 403, 'Operation not permitted.');
  assert.equal((await h.req('GET', `/v1/portgroups/${g2.uuid}/ports`, undefined, { version: '1.23' })).status, 404);

  await fails('DELETE', `/v1/portgroups/${g2.uuid}`, undefined, 400, `Cannot complete the requested action because portgroup ${g2.uuid} contains ports.`);
  await fails('PATCH', '/v1/portgroups/g2', [{ op: 'replace', path: '/node_uuid', value: B }], 400,
    `Portgroup ${g2.uuid} can not be associated with node ${B} because there are ports associated with this portgroup.`);
  for (const p of [p1, p2]) assert.equal((await h.req('DELETE', `/v1/ports/${p.uuid}`)).status, 204);
  assert.equal((await h.req('DELETE', `/v1/portgroups/${g2.uuid}`)).status, 204);
});

test('PATCH: names, mode, allowed fields, moving to a node in a non-manageable state', async () => {
  const g = await createPg({ node_uuid: A, name: 'gp' });
  const ok = async (ops: unknown, version = '1.82') => { const r = await patch('gp', ops, version); assert.equal(r.status, 200, r.text); return r.body; };
  assert.equal((await ok([{ op: 'replace', path: '/name', value: 'gp2' }, { op: 'replace', path: '/name', value: 'gp' }])).name, 'gp');
  assert.equal((await ok([{ op: 'replace', path: '/mode', value: null }])).mode, null);
  assert.deepEqual((await ok([{ op: 'replace', path: '/properties', value: null }])).properties, {});
  assert.equal((await ok([{ op: 'replace', path: '/standalone_ports_supported', value: 'no' }])).standalone_ports_supported, false);
  assert.equal((await ok([{ op: 'add', path: '/extra/a', value: 1 }, { op: 'replace', path: '/mode', value: 'x' }], '1.25')).mode, 'x',
    'the 1.26 check looks only at the first operation, as 21.4');
  for (const [ops, status, text, v] of [
    [[{ op: 'replace', path: '/mode', value: 'x' }], 406, 'Request not acceptable.', '1.25'],
    [[{ op: 'replace', path: '/name', value: 'bad name' }], 400, "Portgroup gp: Cannot change name to invalid name 'bad name'", '1.82'],
    [[{ op: 'replace', path: '/name', value: 5 }], 400, "Portgroup gp: Cannot change name to invalid name '5'", '1.82'],
    [[{ op: 'remove', path: '/mode' }], 400, "'mode' is a mandatory attribute and can not be removed", '1.82'],
    [[{ op: 'replace', path: '/uuid', value: 'x' }], 400, 'Cannot patch /uuid. Only the following can be updated: address, extra, mode, name, node_uuid, properties, standalone_ports_supported', '1.82'],
    [[{ op: 'replace', path: '/address', value: 'zz' }], 400, 'Expected valid MAC address for address: zz', '1.82'],
    [[{ op: 'replace', path: '/node_uuid', value: 'gb' }], 400, 'Expected a UUID or int but received gb.', '1.82'],
    [[{ op: 'remove', path: '/node_uuid' }], 400, "Schema error for patch: 'node_uuid' is a required property", '1.82'],
    [[{ op: 'replace', path: '/standalone_ports_supported', value: null }], 400, "Field `standalone_ports_supported' cannot be None", '1.82'],
    [[{ op: 'replace', path: '/name', value: 'g1' }], 409, 'A portgroup with name g1 already exists.', '1.82'],
  ] as const) {
    const r = await patch('gp', ops, v);
    assert.equal(r.status, status, r.text);
    assert.equal(h.fault(r.body), text);
  }
  await fails('PATCH', '/v1/portgroups/nonexist', [], 404, 'Portgroup nonexist could not be found.');
  assert.equal((await h.req('PUT', '/v1/nodes/gb/states/provision', { target: 'manage' })).status, 202);
  await waitState(h, 'gb', 'manageable');
  assert.equal((await h.req('PUT', '/v1/nodes/gb/states/provision', { target: 'provide' })).status, 202);
  await waitState(h, 'gb', 'available');
  const r = await patch(g.uuid, [{ op: 'replace', path: '/node_uuid', value: B }]);
  assert.equal(r.status, 409);
  assert.equal(h.fault(r.body), `Portgroup ${g.uuid} can not be associated to node ${B} unless the node is in a enroll, inspecting, inspect wait, manageable state or in maintenance mode.`);
  await h.svc.db.kysely.updateTable('nodes').set({ maintenance: 1 }).where('uuid', '=', B).execute();
  assert.equal((await patch(g.uuid, [{ op: 'replace', path: '/node_uuid', value: B }])).body.node_uuid, B);
  const byId = (await h.svc.db.kysely.selectFrom('portgroups').select('id').where('uuid', '=', g.uuid).executeTakeFirstOrThrow()).id;
  assert.equal((await h.req('DELETE', `/v1/portgroups/${byId}`)).status, 204, 'PATCH/DELETE also take the database id');
});

test('flat network interface: standalone-ports rules of port_changed / portgroup_changed', async () => {
  const n = (await h.req('POST', '/v1/nodes', { driver: 'fake-hardware', name: 'gf' })).body.uuid;
  await h.svc.db.kysely.updateTable('nodes').set({ network_interface: 'flat' }).where('uuid', '=', n).execute();
  const g = await createPg({ node_uuid: n, name: 'gf1' });
  const shut = await createPg({ node_uuid: n, name: 'gf2', standalone_ports_supported: false });
  const p = (await h.req('POST', '/v1/ports', { node_uuid: n, address: '52:54:00:aa:bb:f1', portgroup_uuid: g.uuid })).body;
  await fails('PATCH', '/v1/portgroups/gf1', [{ op: 'replace', path: '/standalone_ports_supported', value: false }], 409,
    `standalone_ports_supported can not be set to False, because the port group ${g.uuid} contains port with 'pxe_enabled' is set to True`);
  await fails('PATCH', `/v1/ports/${p.uuid}`, [{ op: 'replace', path: '/portgroup_uuid', value: shut.uuid }], 409,
    `Port group ${shut.uuid} doesn't support standalone ports. This port ${p.uuid} cannot be  a member of that port group because of: 'pxe_enabled' was set to True`);
  const moved = await h.req('PATCH', `/v1/ports/${p.uuid}`, [{ op: 'replace', path: '/portgroup_uuid', value: shut.uuid }, { op: 'replace', path: '/pxe_enabled', value: false }]);
  assert.equal(moved.status, 200, moved.text);
  assert.equal((await patch('gf1', [{ op: 'replace', path: '/standalone_ports_supported', value: false }])).status, 200);
});
