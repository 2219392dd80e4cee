/**
 * /v1/ports and the node/portgroup port sub-collections, with the texts, status codes and
 * version gating of Ironic 21.4 (checked request by request against the reference service).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { startHarness, waitState, type Harness } from '../../../test/support/api-harness.ts';
import { API_SAMPLES_DIR } from '../../testing/shared-data.ts';

const SAMPLES = API_SAMPLES_DIR;
const sample = (f: string) => JSON.parse(readFileSync(`${SAMPLES}/${f}`, 'utf8'));
/** Fields of the samples that only exist after 21.4 (API ≥ 1.88). */
const MASTER_ONLY = ['name', 'description', 'vendor', 'category', 'node_ident'];

let h: Harness;
const A = '6d85703a-565d-469a-96ce-30b6de53079d';
let B: string;
const NONE = '11111111-2222-3333-4444-555555555555';

before(async () => {
  h = await startHarness();
  assert.equal((await h.req('POST', '/v1/nodes', { driver: 'fake-hardware', name: 'pa', uuid: A })).status, 201);
  B = (await h.req('POST', '/v1/nodes', { driver: 'fake-hardware', name: 'pb' })).body.uuid;
});
after(async () => { await h.close(); });

async function fails(method: string, url: string, body: unknown, status: number, text: string, version = '1.82') {
  const r = await h.req(method, url, body, { version });
  assert.equal(r.status, status, `${method} ${url}: ${r.text}`);
  assert.equal(h.fault(r.body), text, `${method} ${url}`);
}
async function create(body: Record<string, unknown>, version = '1.82'): Promise<any> {
  const r = await h.req('POST', '/v1/ports', body, { version });
  assert.equal(r.status, 201, r.text);
  return r.body;
}
const patch = (id: string, ops: unknown, version = '1.82') => h.req('PATCH', `/v1/ports/${id}`, ops, { version });
const sql = () => h.svc.db.kysely;

test('create from the API sample; the sample\'s post-21.4 fields are refused', async () => {
  const s = sample('port-create-request.json');
  await fails('POST', '/v1/ports', s, 400, "Schema error for port: 'node_uuid' is a required property");
  await fails('POST', '/v1/ports', { ...s, node_uuid: A }, 400,
    "Schema error for port: Additional properties are not allowed ('node_ident', 'name', 'description', 'vendor', 'category' were unexpected)");
  const body: Record<string, unknown> = { node_uuid: A };
  for (const [k, v] of Object.entries(s)) if (!MASTER_ONLY.includes(k) && k !== 'portgroup_uuid') body[k] = v;
  await fails('POST', '/v1/ports', body, 400, 'Smart NIC port must have port_id and hostname in local_link_connection');
  body.local_link_connection = { ...s.local_link_connection, hostname: 'host1' };
  const r = await h.req('POST', '/v1/ports', body);
  assert.equal(r.status, 201, r.text);
  assert.equal(r.headers.location, `http://localhost:80/v1/ports/${r.body.uuid}`);
  const expected = Object.keys(sample('port-create-response.json')).filter((k) => !MASTER_ONLY.includes(k)).sort();
  assert.deepEqual(Object.keys(r.body).sort(), expected);
  assert.equal(r.body.node_uuid, A);
  assert.equal(r.body.is_smartnic, true);
  assert.deepEqual(r.body.local_link_connection, body.local_link_connection);
  const up = await patch(r.body.uuid, sample('port-update-request.json'));
  assert.equal(up.status, 200, up.text);
  assert.equal(up.body.address, sample('port-update-response.json').address);
  assert.equal((await h.req('DELETE', `/v1/ports/${r.body.uuid}`)).status, 204);
});

test('bad input on create: 400 with Ironic\'s texts, duplicates 409', async () => {
  const p = await create({ node_uuid: A, address: '52:54:00:AA:BB:01' });
  assert.equal(p.address, '52:54:00:aa:bb:01', 'MACs are stored lower-case');
  await fails('POST', '/v1/ports', { node_uuid: A, address: '52:54:00:aa:bb:01' }, 409, 'A port with MAC address 52:54:00:aa:bb:01 already exists.');
  await fails('POST', '/v1/ports', { node_uuid: A, address: '52:54:00:aa:bb:02', uuid: p.uuid }, 409, `A port with UUID ${p.uuid} already exists.`);
  await fails('POST', '/v1/ports', { node_uuid: A, address: '52-54-00-aa-bb-02' }, 400, 'Expected valid MAC address for address: 52-54-00-aa-bb-02');
  await fails('POST', '/v1/ports', { node_uuid: 'pa', address: '52:54:00:aa:bb:02' }, 400, 'Expected UUID for node_uuid: pa');
  await fails('POST', '/v1/ports', { node_uuid: NONE, address: '52:54:00:aa:bb:02' }, 400, `Node ${NONE} could not be found.`);
  await fails('POST', '/v1/ports', { node_uuid: A.toUpperCase(), address: '52:54:00:aa:bb:02' }, 400, `Node ${A.toUpperCase()} could not be found.`);
  await fails('POST', '/v1/ports', undefined, 400, "Schema error for port: 'address' is a required property");
  await fails('POST', '/v1/ports', [], 400, "Schema error for port: [] is not of type 'object'");
  await fails('POST', '/v1/ports', { node_uuid: 5, address: 5, foo: 1 }, 400, "Schema error for port: Additional properties are not allowed ('foo' was unexpected)");
  await fails('POST', '/v1/ports', { node_uuid: A, address: 5 }, 400, "Schema error for port: 5 is not of type 'string'");
  await fails('POST', '/v1/ports', { node_uuid: A, address: '52:54:00:aa:bb:02', pxe_enabled: 'maybe' }, 400,
    "Invalid pxe_enabled: Unrecognized value 'maybe', acceptable values are: '0', '1', 'f', 'false', 'n', 'no', 'off', 'on', 't', 'true', 'y', 'yes'");
  await fails('POST', '/v1/ports', { node_uuid: A, address: '52:54:00:aa:bb:02', uuid: 'abc' }, 400, 'Expected UUID for uuid: abc');
  await fails('POST', '/v1/ports', { node_uuid: A, address: '52:54:00:aa:bb:02', physical_network: '' }, 400, 'A non-empty value is required when setting physical_network');
  await fails('POST', '/v1/ports', { node_uuid: A, address: '52:54:00:aa:bb:02', physical_network: 'x'.repeat(65) }, 400, `Schema error for port: '${'x'.repeat(65)}' is too long`);
  await fails('POST', '/v1/ports', { node_uuid: A, address: '52:54:00:aa:bb:02', portgroup_uuid: NONE }, 400, `Portgroup ${NONE} could not be found.`);
  await fails('POST', '/v1/ports', { node_uuid: A, address: '52:54:00:aa:bb:02', pxe_enabled: null }, 400, "Field `pxe_enabled' cannot be None");
  await fails('POST', '/v1/ports?foo=1', { node_uuid: A, address: '52:54:00:aa:bb:02' }, 400, 'Unexpected arguments: foo');
  await fails('POST', `/v1/ports/${p.uuid}`, {}, 400, `Schema error for port: '${p.uuid}' is not of type 'object'`);
  assert.equal((await h.req('GET', `/v1/ports?node=${A}`)).body.ports.length, 1, 'nothing half-written');
  assert.equal((await h.req('DELETE', `/v1/ports/${p.uuid}`)).status, 204);
});

test('local_link_connection: switch_id MAC or datapath id, smart NIC, unmanaged network (1.64)', async () => {
  const llc = (v: unknown) => ({ node_uuid: A, address: '52:54:00:aa:bb:10', local_link_connection: v });
  await fails('POST', '/v1/ports', llc({ switch_id: 'zz', port_id: 'x' }), 400, 'Expected a MAC address or OpenFlow datapath ID but received zz.');
  await fails('POST', '/v1/ports', llc({ switch_id: 'aa:bb:cc:dd:ee:ff' }), 400,
    "Schema error for local_link_connection: {'switch_id': 'aa:bb:cc:dd:ee:ff'} is not valid under any of the given schemas. Possible root cause: 'port_id' is a required property");
  await fails('POST', '/v1/ports', llc({ foo: 'bar' }), 400,
    "Schema error for local_link_connection: {'foo': 'bar'} is not valid under any of the given schemas. Possible root cause: Additional properties are not allowed ('foo' was unexpected)");
  await fails('POST', '/v1/ports', llc({ network_type: 'managed' }), 400, "Schema error for local_link_connection: 'managed' is not one of ['unmanaged']");
  await fails('POST', '/v1/ports', llc({ network_type: 'unmanaged' }), 406, 'Request not acceptable.', '1.63');
  await fails('POST', '/v1/ports', { ...llc({}), is_smartnic: true }, 400, 'Smart NIC port must have port_id and hostname in local_link_connection');
  const dp = await create(llc({ switch_id: '0A1B2C3D4E5F6071', port_id: 'Eth1', switch_info: 's' }));
  assert.equal(dp.local_link_connection.switch_id, '0a1b2c3d4e5f6071', 'normalised lower-case');
  const un = await create({ ...llc({ network_type: 'unmanaged' }), address: '52:54:00:aa:bb:11' }, '1.64');
  const nic = await create({ ...llc({ port_id: 'p', hostname: 'h' }), address: '52:54:00:aa:bb:12', is_smartnic: 'yes' });
  assert.equal(nic.is_smartnic, true);
  const r = await patch(dp.uuid, [{ op: 'replace', path: '/local_link_connection', value: { switch_id: '0A:1B:2C:3D:4E:5F', port_id: 'E' } }]);
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.body.local_link_connection, { switch_id: '0a:1b:2c:3d:4e:5f', port_id: 'E' });
  assert.equal((await patch(dp.uuid, [{ op: 'add', path: '/local_link_connection/network_type', value: 'unmanaged' }], '1.63')).status, 406);
  const bad = await patch(dp.uuid, [{ op: 'replace', path: '/local_link_connection', value: 'str' }]);
  assert.equal(h.fault(bad.body), "Schema error for patch: 'str' is not of type 'null', 'object'");
  for (const p of [dp, un, nic]) assert.equal((await h.req('DELETE', `/v1/ports/${p.uuid}`)).status, 204);
});

test('fields newer than the request are hidden, and 406 when asked for or sent', async () => {
  const p = await create({ node_uuid: A, address: '52:54:00:aa:bb:20', physical_network: 'net' });
  const keys = async (v: string) => Object.keys((await h.req('GET', `/v1/ports/${p.uuid}`, undefined, { version: v })).body).sort();
  assert.deepEqual(await keys('1.1'), ['address', 'created_at', 'extra', 'links', 'node_uuid', 'updated_at', 'uuid']);
  assert.ok((await keys('1.18')).includes('internal_info') && !(await keys('1.18')).includes('pxe_enabled'));
  assert.ok((await keys('1.19')).includes('local_link_connection') && !(await keys('1.19')).includes('portgroup_uuid'));
  assert.ok((await keys('1.24')).includes('portgroup_uuid') && !(await keys('1.24')).includes('physical_network'));
  assert.ok((await keys('1.34')).includes('physical_network') && !(await keys('1.34')).includes('is_smartnic'));
  assert.ok((await keys('1.53')).includes('is_smartnic'));
  await fails('GET', `/v1/ports/${p.uuid}?fields=uuid`, undefined, 406, 'Request not acceptable.', '1.7');
  await fails('GET', `/v1/ports/${p.uuid}?fields=uuid,pxe_enabled`, undefined, 406, 'Request not acceptable.', '1.18');
  await fails('GET', `/v1/ports/${p.uuid}?fields=foo,bar`, undefined, 400, 'Field(s) "foo, bar" are not valid');
  const hidden = await h.req('GET', `/v1/ports/${p.uuid}?fields=uuid,internal_info`, undefined, { version: '1.10' });
  assert.deepEqual(Object.keys(hidden.body).sort(), ['links', 'uuid'], 'valid but hidden below 1.18');
  for (const [v, body] of [['1.18', { pxe_enabled: true }], ['1.23', { portgroup_uuid: null }], ['1.33', { physical_network: 'x' }], ['1.52', { is_smartnic: false }]] as const) {
    await fails('POST', '/v1/ports', { node_uuid: A, address: '52:54:00:aa:bb:21', ...body }, 406, 'Request not acceptable.', v);
  }
  for (const [v, path] of [['1.18', '/pxe_enabled'], ['1.33', '/physical_network'], ['1.52', '/is_smartnic'], ['1.23', '/portgroup_uuid']] as const) {
    assert.equal((await patch(p.uuid, [{ op: 'remove', path }], v)).status, 406, `${path} at ${v}`);
  }
  assert.equal((await h.req('DELETE', `/v1/ports/${p.uuid}`)).status, 204);
});

test('lists: default fields, detail, fields, paging with next links, sorting, filters', async () => {
  const ps = [];
  for (const i of [1, 2, 3]) ps.push(await create({ node_uuid: A, address: `52:54:00:aa:bb:3${i}`, extra: { i } }));
  await create({ node_uuid: B, address: '52:54:00:aa:bb:39' });
  const base = 'http://localhost:80/v1';
  const l1 = await h.req('GET', `/v1/ports?node=${A}&limit=1`);
  assert.deepEqual(Object.keys(l1.body.ports[0]).sort(), ['address', 'links', 'uuid']);
  assert.equal(l1.body.next, `${base}/ports?sort_key=id&sort_dir=asc&fields=uuid,address&limit=1&marker=${ps[0].uuid}`);
  const l2 = await h.req('GET', `/v1/ports?node=${A}&limit=1&marker=${ps[0].uuid}&detail=false`);
  assert.equal(l2.body.ports[0].uuid, ps[1].uuid);
  assert.equal(l2.body.next, `${base}/ports?sort_key=id&sort_dir=asc&detail=False&fields=uuid,address&limit=1&marker=${ps[1].uuid}`);
  const det = await h.req('GET', `/v1/ports/detail?node=${A}&limit=2&sort_key=address&sort_dir=desc`);
  assert.deepEqual(det.body.ports.map((p: any) => p.uuid), [ps[2].uuid, ps[1].uuid]);
  assert.equal(det.body.next, `${base}/ports/detail?sort_key=address&sort_dir=desc&limit=2&marker=${ps[1].uuid}`);
  assert.equal((await h.req('GET', `/v1/ports?node=${A}&detail=true`)).body.ports[0].extra.i, 1);
  assert.deepEqual(Object.keys((await h.req('GET', `/v1/ports?node=${A}&fields=node_uuid`)).body.ports[0]).sort(), ['links', 'node_uuid']);
  assert.equal((await h.req('GET', `/v1/ports?node=${A}`)).body.next, undefined, 'no next when the page is not full');
  assert.deepEqual((await h.req('GET', '/v1/ports?address=52:54:00:AA:BB:39')).body.ports.map((p: any) => p.address), ['52:54:00:aa:bb:39']);
  assert.deepEqual((await h.req('GET', '/v1/ports?address=52:54:00:AA:BB:99')).body.ports, []);
  assert.equal((await h.req('GET', '/v1/ports?node=pb')).body.ports.length, 1);
  assert.equal((await h.req('GET', `/v1/ports?node_uuid=${B}&node=${A}`)).body.ports.length, 1, 'node_uuid wins over node');
  await fails('GET', '/v1/ports?node=pb', undefined, 406, 'Request not acceptable.', '1.4');
  await fails('GET', '/v1/ports?node=nonexist', undefined, 404, 'Node nonexist could not be found.');
  await fails('GET', '/v1/ports?node=bad%20name', undefined, 400, 'Expected UUID or name for node: bad name');
  await fails('GET', '/v1/ports?node_uuid=pb', undefined, 400, 'Expected UUID for node_uuid: pb');
  await fails('GET', '/v1/ports?address=zz', undefined, 400, 'Expected valid MAC address for address: zz');
  await fails('GET', '/v1/ports?limit=0', undefined, 400, 'Limit must be positive');
  await fails('GET', '/v1/ports?limit=abc', undefined, 400, 'Expected an integer for limit: abc');
  await fails('GET', '/v1/ports?sort_dir=up', undefined, 400, "Invalid sort direction: up. Acceptable values are 'asc' or 'desc'");
  await fails('GET', '/v1/ports?sort_key=extra', undefined, 400, 'The sort_key value extra is an invalid field for sorting');
  await fails('GET', '/v1/ports?sort_key=foo', undefined, 400, 'The sort_key value "foo" is an invalid field for sorting');
  await fails('GET', '/v1/ports?sort_key=address&sort_key=uuid', undefined, 400, "Expected string for sort_key: ['address', 'uuid']");
  await fails('GET', '/v1/ports?sort_key=is_smartnic', undefined, 406, 'Request not acceptable.', '1.52');
  await fails('GET', '/v1/ports?marker=abc', undefined, 400, 'Expected UUID for marker: abc');
  await fails('GET', `/v1/ports?marker=${NONE}`, undefined, 404, `Port ${NONE} could not be found.`);
  await fails('GET', '/v1/ports?fields=uuid&detail=true', undefined, 400, 'Can not specify ?detail=True and fields in the same request.');
  await fails('GET', '/v1/ports?detail=true', undefined, 400, 'Invalid query parameter ?detail=True received.', '1.42');
  await fails('GET', '/v1/ports?fields=uuid', undefined, 406, 'Request not acceptable.', '1.7');
  await fails('GET', '/v1/ports?foo=1', undefined, 400, 'Unexpected arguments: foo');
  await fails('GET', '/v1/ports/detail?fields=uuid', undefined, 400, 'Unexpected arguments: fields');
  await fails('GET', '/v1/ports?portgroup=foo', undefined, 406, 'Request not acceptable.', '1.23');
  await fails('GET', '/v1/ports?portgroup=foo', undefined, 404, 'Portgroup foo could not be found.', '1.24');
  await fails('GET', `/v1/ports?node=${A}&portgroup=foo`, undefined, 403, 'Operation not permitted.');
  await fails('GET', '/v1/ports?shard=x', undefined, 406, 'Request not acceptable. The minimal required API version should be 1.82', '1.81');
  await fails('GET', `/v1/ports?shard=x&node=${A}`, undefined, 403, 'Operation not permitted.');
  await sql().updateTable('nodes').set({ shard: 'sh1' }).where('uuid', '=', B).execute();
  assert.deepEqual((await h.req('GET', '/v1/ports?shard=sh1,other')).body.ports.map((p: any) => p.address), ['52:54:00:aa:bb:39']);
});

test('node sub-collection: read-only, 403 for one/create/update/delete, 21.4 name quirk', async () => {
  const l = await h.req('GET', `/v1/nodes/${A}/ports?limit=1`);
  assert.equal(l.status, 200);
  assert.match(l.body.next, /^http:\/\/localhost:80\/v1\/ports\?sort_key=id/);
  assert.equal((await h.req('GET', `/v1/nodes/${A}/ports/detail?node=${B}`)).body.ports[0].node_uuid, A, 'parent wins');
  const one = l.body.ports[0].uuid;
  await fails('GET', '/v1/nodes/pa/ports', undefined, 404, 'Portgroup None could not be found.');
  await fails('GET', `/v1/nodes/${NONE}/ports`, undefined, 404, 'Portgroup None could not be found.');
  await fails('GET', '/v1/nodes/bad%20name/ports', undefined, 400, 'Expected UUID or name for node: bad name');
  await fails('GET', `/v1/nodes/${A}/ports?portgroup=x`, undefined, 403, 'Operation not permitted.');
  await fails('GET', `/v1/nodes/${A}/ports/${one}`, undefined, 403, 'Operation not permitted.');
  await fails('GET', `/v1/nodes/${A}/ports/abc`, undefined, 400, 'Expected UUID for port_uuid: abc');
  await fails('POST', `/v1/nodes/${A}/ports`, { node_uuid: A, address: '52:54:00:aa:bb:49' }, 403, 'Operation not permitted.');
  await fails('POST', `/v1/nodes/${A}/ports`, { node_uuid: A }, 400, "Schema error for port: 'address' is a required property");
  await fails('PATCH', `/v1/nodes/${A}/ports/${one}`, [], 403, 'Operation not permitted.');
  await fails('DELETE', `/v1/nodes/${A}/ports/${one}`, undefined, 403, 'Operation not permitted.');
  await fails('DELETE', `/v1/nodes/${A}/ports`, undefined, 400, 'Missing mandatory parameter: port_uuid');
  await fails('DELETE', '/v1/ports', undefined, 400, 'Missing mandatory parameter: port_uuid');
  assert.equal((await h.req('PUT', `/v1/nodes/${A}/ports`, {})).status, 405);
  assert.equal((await h.req('PUT', `/v1/ports/${one}`, {})).status, 405);
});

test('PATCH: addresses, moving between nodes, node-state rules, inspecting', async () => {
  const p = await create({ node_uuid: A, address: '52:54:00:aa:bb:50' });
  const q = await create({ node_uuid: A, address: '52:54:00:aa:bb:51' });
  assert.equal(h.fault((await patch(p.uuid, [{ op: 'replace', path: '/address', value: '52:54:00:AA:BB:51' }])).body), 'A port with MAC address 52:54:00:aa:bb:51 already exists.');
  for (const [ops, status, text] of [
    [[{ op: 'replace', path: '/address', value: 'bad' }], 400, 'Expected valid MAC address for address: bad'],
    [[{ op: 'replace', path: '/uuid', value: NONE }], 400, 'Cannot patch /uuid. Only the following can be updated: address, extra, is_smartnic, local_link_connection, node_uuid, physical_network, portgroup_uuid, pxe_enabled'],
    [[{ op: 'remove', path: '/address' }], 400, "Schema error for patch: 'address' is a required property"],
    [[{ op: 'remove', path: '/node_uuid' }], 400, "Schema error for patch: 'node_uuid' is a required property"],
    [[{ op: 'replace', path: '/node_uuid', value: 'pb' }], 400, 'Expected a UUID or int but received pb.'],
    [[{ op: 'replace', path: '/node_uuid', value: NONE }], 400, `Node ${NONE} could not be found.`],
    [[{ op: 'replace', path: '/pxe_enabled', value: null }], 400, "Field `pxe_enabled' cannot be None"],
    [[{ op: 'replace', path: '/physical_network', value: '' }], 400, 'A non-empty value is required when setting physical_network'],
    [{}, 400, "Schema error for patch: {} is not of type 'array'"],
  ] as const) {
    const r = await patch(p.uuid, ops);
    assert.equal(r.status, status, r.text);
    assert.equal(h.fault(r.body), text);
  }
  await fails('PATCH', '/v1/ports/abc', [], 400, 'Expected UUID for port_uuid: abc');
  await fails('PATCH', `/v1/ports/${NONE}`, [], 404, `Port ${NONE} could not be found.`);
  const moved = await patch(p.uuid, [{ op: 'replace', path: '/node_uuid', value: B }, { op: 'add', path: '/extra/k', value: 'v' }]);
  assert.equal(moved.status, 200, moved.text);
  assert.equal(moved.body.node_uuid, B);
  assert.deepEqual(moved.body.extra, { k: 'v' });

  // B available: connectivity attributes are frozen, other fields not; maintenance lifts it.
  assert.equal((await h.req('PUT', '/v1/nodes/pb/states/provision', { target: 'manage' })).status, 202);
  await waitState(h, 'pb', 'manageable');
  assert.equal((await h.req('PUT', '/v1/nodes/pb/states/provision', { target: 'provide' })).status, 202);
  await waitState(h, 'pb', 'available');
  const frozen = await patch(p.uuid, [{ op: 'replace', path: '/pxe_enabled', value: false }]);
  assert.equal(frozen.status, 409);
  assert.equal(h.fault(frozen.body), `Port ${p.uuid} can not have any connectivity attributes (portgroup_id, physical_network, pxe_enabled, local_link_connection) updated unless node ${B} is in a enroll, inspecting, inspect wait, manageable state or in maintenance mode. The current state is available.`);
  assert.equal((await patch(p.uuid, [{ op: 'replace', path: '/address', value: '52:54:00:aa:bb:52' }])).status, 200);
  await sql().updateTable('nodes').set({ instance_uuid: NONE }).where('uuid', '=', B).execute();
  await fails('PATCH', `/v1/ports/${p.uuid}`, [{ op: 'replace', path: '/address', value: '52:54:00:aa:bb:53' }], 409,
    `Cannot update hardware address for port ${p.uuid} as node ${B} is active or has instance UUID assigned`);
  await sql().updateTable('nodes').set({ maintenance: 1 }).where('uuid', '=', B).execute();
  assert.equal((await patch(p.uuid, [{ op: 'replace', path: '/address', value: '52:54:00:aa:bb:53' }, { op: 'replace', path: '/pxe_enabled', value: 'off' }])).body.pxe_enabled, false);
  await sql().updateTable('nodes').set({ maintenance: 0, instance_uuid: null }).where('uuid', '=', B).execute();

  await sql().updateTable('nodes').set({ provision_state: 'inspecting' }).where('uuid', '=', A).execute();
  await fails('PATCH', `/v1/ports/${q.uuid}`, [{ op: 'add', path: '/extra/x', value: 1 }], 409, `Cannot update port "${q.uuid}" on "${A}" while it is in state "inspecting".`);
  assert.equal((await patch(q.uuid, [{ op: 'replace', path: '/pxe_enabled', value: false }], '1.38')).status, 200, 'below 1.39 only the conductor rules apply');
  await sql().updateTable('nodes').set({ provision_state: 'enroll' }).where('uuid', '=', A).execute();
  for (const x of [p, q]) await h.req('DELETE', `/v1/ports/${x.uuid}`);
});

test('DELETE: bound VIF refused unless in maintenance, locked node 409, unknown 404', async () => {
  const p = await create({ node_uuid: A, address: '52:54:00:aa:bb:60' });
  await sql().updateTable('ports').set({ internal_info: JSON.stringify({ tenant_vif_port_id: 'vif-1' }) }).where('uuid', '=', p.uuid).execute();
  await fails('DELETE', `/v1/ports/${p.uuid}`, undefined, 409, `Cannot delete the port ${p.uuid} as it is bound to VIF vif-1 for tenant use.`);
  await sql().updateTable('nodes').set({ reservation: 'other-host' }).where('uuid', '=', A).execute();
  await fails('DELETE', `/v1/ports/${p.uuid}`, undefined, 409, `Node ${A} is locked by host other-host, please retry after the current operation is completed.`);
  await sql().updateTable('nodes').set({ reservation: null, maintenance: 1 }).where('uuid', '=', A).execute();
  assert.equal((await h.req('DELETE', `/v1/ports/${p.uuid}?x=1`)).status, 400);
  assert.equal((await h.req('DELETE', `/v1/ports/${p.uuid}`)).status, 204);
  await sql().updateTable('nodes').set({ maintenance: 0 }).where('uuid', '=', A).execute();
  await fails('DELETE', `/v1/ports/${p.uuid}`, undefined, 404, `Port ${p.uuid} could not be found.`);
  await fails('DELETE', '/v1/ports/abc', undefined, 400, 'Expected UUID for port_uuid: abc');
  assert.equal((await h.req('GET', `/v1/nodes/${A}`)).body.reservation, null, 'the lock is released');
});
