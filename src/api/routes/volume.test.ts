/**
 * /v1/volume (1.32): links documents, connectors and targets, the node sub-collections,
 * power-off rule for updates and deletes, and version gating, as in Ironic 21.4.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { startHarness, type Harness } from '../../../test/support/api-harness.ts';
import { API_SAMPLES_DIR } from '../../testing/shared-data.ts';

const SAMPLES = API_SAMPLES_DIR;
const sample = (f: string) => JSON.parse(readFileSync(`${SAMPLES}/${f}`, 'utf8'));
const A = '6d85703a-565d-469a-96ce-30b6de53079d';
const NONE = '11111111-2222-3333-4444-555555555555';
const V = '1.32';

let h: Harness;
let B: string;
before(async () => {
  h = await startHarness();
  assert.equal((await h.req('POST', '/v1/nodes', { driver: 'fake-hardware', name: 'va', uuid: A })).status, 201);
  B = (await h.req('POST', '/v1/nodes', { driver: 'fake-hardware', name: 'vb' })).body.uuid;
});
after(async () => { await h.close(); });

async function fails(method: string, url: string, body: unknown, status: number, text: string, version = V) {
  const r = await h.req(method, url, body, { version });
  assert.equal(r.status, status, `${method} ${url}: ${r.text}`);
  assert.equal(h.fault(r.body), text, `${method} ${url}`);
}
async function post(kind: 'connectors' | 'targets', body: unknown): Promise<any> {
  const r = await h.req('POST', `/v1/volume/${kind}`, body, { version: V });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.headers.location, `http://localhost:80/v1/volume/${kind}/${r.body.uuid}`);
  return r.body;
}
const power = async (node: string, target: string) => {
  assert.equal((await h.req('PUT', `/v1/nodes/${node}/states/power`, { target })).status, 202);
  await h.svc.conductor.idle();
};

test('links documents equal the samples (modulo host); gated by 1.32', async () => {
  const host = (o: unknown) => JSON.parse(JSON.stringify(o).replaceAll('http://127.0.0.1:6385', 'http://localhost:80'));
  assert.deepEqual((await h.req('GET', '/v1/volume', undefined, { version: V })).body, host(sample('volume-list-response.json')));
  assert.deepEqual((await h.req('GET', `/v1/nodes/${A}/volume`, undefined, { version: V })).body, host(sample('node-volume-list-response.json')));
  assert.match((await h.req('GET', '/v1/nodes/anything-at-all/volume', undefined, { version: V })).body.links[0].href, /nodes\/anything-at-all\/volume\/$/);
  await fails('GET', '/v1/volume', undefined, 404, 'Resource could not be found.', '1.31');
  await fails('GET', `/v1/nodes/${A}/volume`, undefined, 404, 'Resource could not be found.', '1.31');
  await fails('GET', '/v1/volume?x=1', undefined, 400, 'Unexpected arguments: x');
  await fails('GET', '/v1/nodes/bad%20x/volume', undefined, 400, 'Expected UUID or name for node: bad x');
  for (const u of ['/v1/volume/connectors', '/v1/volume/targets', `/v1/nodes/${A}/volume/connectors`, `/v1/volume/connectors/${NONE}`]) {
    const r = await h.req('GET', u, undefined, { version: '1.31' });
    assert.equal(r.status, 404, u);
    assert.equal(JSON.parse(r.body.error_message).code, 404, 'routing-level body');
  }
  assert.equal((await h.req('POST', '/v1/volume', {}, { version: V })).status, 405);
  assert.equal((await h.req('DELETE', '/v1/volume', undefined, { version: V })).status, 405);
});

test('connectors: create from the sample, conflicts, bad input', async () => {
  const s = { ...sample('volume-connector-create-request.json') };
  const c = await post('connectors', s);
  const expected = Object.keys(sample('volume-connector-create-response.json')).sort();
  assert.deepEqual(Object.keys(c).sort(), expected);
  assert.equal(c.node_uuid, A);
  await fails('POST', '/v1/volume/connectors', s, 409, `A volume connector with type iqn and connector ID ${s.connector_id} already exists.`);
  await fails('POST', '/v1/volume/connectors', { ...s, type: 'wwpn', uuid: c.uuid }, 409, `A volume connector with UUID ${c.uuid} already exists.`);
  await fails('POST', '/v1/volume/connectors', { node_uuid: A, type: 'iqn' }, 400, "Schema error for connector: 'connector_id' is a required property");
  await fails('POST', '/v1/volume/connectors', undefined, 400, "Schema error for connector: 'connector_id' is a required property");
  await fails('POST', '/v1/volume/connectors', { ...s, type: 5 }, 400, "Schema error for connector: 5 is not of type 'string'");
  await fails('POST', '/v1/volume/connectors', { ...s, node_uuid: 'va' }, 400, 'Expected UUID for node_uuid: va');
  await fails('POST', '/v1/volume/connectors', { ...s, uuid: 'bad' }, 400, 'Expected UUID for uuid: bad');
  await fails('POST', '/v1/volume/connectors', { ...s, node_uuid: NONE }, 400, `Invalid input for field/attribute node_uuid. Value: '${NONE}'. `);
  await fails('POST', `/v1/nodes/${A}/volume/connectors`, { ...s, connector_id: 'other' }, 403, 'Operation not permitted.');
  await fails('POST', '/v1/volume/connectors?x=1', { ...s, connector_id: 'other' }, 400, 'Unexpected arguments: x');
  assert.equal((await post('connectors', { node_uuid: A, type: 'foo', connector_id: s.connector_id, extra: null })).type, 'foo', 'any type string');
});

test('connector lists, show, nested paths', async () => {
  const all = (await h.req('GET', `/v1/nodes/${A}/volume/connectors`, undefined, { version: V })).body.connectors;
  assert.equal(all.length, 2);
  assert.deepEqual(Object.keys(all[0]).sort(), ['connector_id', 'links', 'node_uuid', 'type', 'uuid']);
  const l = await h.req('GET', `/v1/nodes/${A}/volume/connectors?limit=1&detail=false`, undefined, { version: V });
  assert.equal(l.body.next, `http://localhost:80/v1/volume/connectors?sort_key=id&sort_dir=asc&fields=uuid,node_uuid,type,connector_id&limit=1&marker=${all[0].uuid}`);
  const d = await h.req('GET', `/v1/volume/connectors?node=va&limit=1&detail=true&marker=${all[0].uuid}`, undefined, { version: V });
  assert.equal(d.body.connectors[0].uuid, all[1].uuid);
  assert.equal(d.body.next, `http://localhost:80/v1/volume/connectors?sort_key=id&sort_dir=asc&detail=True&limit=1&marker=${all[1].uuid}`);
  assert.equal((await h.req('GET', '/v1/volume/connectors?project=x', undefined, { version: V })).status, 200);
  const one = await h.req('GET', `/v1/volume/connectors/${all[0].uuid}?fields=uuid,type`, undefined, { version: V });
  assert.deepEqual(Object.keys(one.body).sort(), ['links', 'type', 'uuid']);
  await fails('GET', `/v1/volume/connectors/${all[0].uuid}?fields=uuid,foo`, undefined, 400, 'Field(s) "foo" are not valid');
  await fails('GET', '/v1/volume/connectors?fields=uuid&detail=true', undefined, 400, "Can't fetch a subset of fields with 'detail' set");
  await fails('GET', '/v1/volume/connectors?sort_key=extra', undefined, 400, 'The sort_key value extra is an invalid field for sorting');
  await fails('GET', '/v1/volume/connectors?sort_key=node_uuid', undefined, 400, 'The sort_key value "node_uuid" is an invalid field for sorting');
  await fails('GET', '/v1/volume/connectors?node=nonexist', undefined, 404, 'Node nonexist could not be found.');
  await fails('GET', '/v1/volume/connectors?node=bad%20x', undefined, 400, 'Expected UUID or name for node: bad x');
  await fails('GET', '/v1/nodes/va/volume/connectors', undefined, 404, 'Node va could not be found.');
  await fails('GET', `/v1/volume/connectors?marker=${NONE}`, undefined, 404, `Volume connector ${NONE} could not be found.`);
  await fails('GET', '/v1/volume/connectors/abc', undefined, 400, 'Expected UUID for connector_uuid: abc');
  await fails('GET', `/v1/volume/connectors/${NONE}`, undefined, 404, `Volume connector ${NONE} could not be found.`);
  await fails('GET', `/v1/nodes/${A}/volume/connectors/${all[0].uuid}`, undefined, 403, 'Operation not permitted.');
  await fails('GET', `/v1/nodes/${A}/volume/connectors/${NONE}`, undefined, 404, `Volume connector ${NONE} could not be found.`);
  await fails('PATCH', `/v1/nodes/${A}/volume/connectors/${all[0].uuid}`, [], 403, 'Operation not permitted.');
  await fails('DELETE', `/v1/nodes/${A}/volume/connectors/${all[0].uuid}`, undefined, 403, 'Operation not permitted.');
  await fails('DELETE', '/v1/volume/connectors', undefined, 400, 'Missing mandatory parameter: connector_uuid');
});

test('connector PATCH and DELETE need the (new) node powered off', async () => {
  const [c1, c2] = (await h.req('GET', `/v1/nodes/${A}/volume/connectors`, undefined, { version: V })).body.connectors;
  const u = `/v1/volume/connectors/${c1.uuid}`;
  await fails('PATCH', u, sample('volume-connector-update-request.json'), 400,
    `The requested action "volume connector update" can not be performed on node "${A}" while it is in state "None".`);
  await fails('DELETE', u, undefined, 400, `The requested action "volume connector deletion" can not be performed on node "${A}" while it is in state "None".`);
  await fails('PATCH', u, [{ op: 'replace', path: '/node_uuid', value: 'vb' }], 400, 'Expected a UUID for node_uuid, but received vb.');
  await fails('PATCH', u, [{ op: 'replace', path: '/node_uuid', value: NONE }], 400, `Node ${NONE} could not be found.`);
  await fails('PATCH', u, [{ op: 'remove', path: '/type' }], 400, "Schema error for patch: 'type' is a required property");
  await fails('PATCH', u, [{ op: 'replace', path: '/uuid', value: 'x' }], 400, 'Cannot patch /uuid. Only the following can be updated: connector_id, extra, node_uuid, type');
  await fails('PATCH', '/v1/volume/connectors/abc', [], 400, 'Expected UUID for connector_uuid: abc');
  await power('va', 'power off');
  const r = await h.req('PATCH', u, sample('volume-connector-update-request.json'), { version: V });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.connector_id, sample('volume-connector-update-request.json')[0].value);
  await fails('PATCH', `/v1/volume/connectors/${c2.uuid}`, [{ op: 'replace', path: '/type', value: 'iqn' }, { op: 'replace', path: '/connector_id', value: r.body.connector_id }], 409,
    `A volume connector with type iqn and connector ID ${r.body.connector_id} already exists.`);
  await fails('PATCH', u, [{ op: 'replace', path: '/node_uuid', value: B }], 400,
    `The requested action "volume connector update" can not be performed on node "${B}" while it is in state "None".`);
  assert.equal((await h.req('DELETE', u, undefined, { version: V })).status, 204);
  await fails('DELETE', u, undefined, 404, `Volume connector ${c1.uuid} could not be found.`);
  assert.equal((await h.req('DELETE', `/v1/volume/connectors/${c2.uuid}`, undefined, { version: V })).status, 204);
});

test('targets: sample create, boot index per node, masked properties, power rule', async () => {
  const t = await post('targets', { ...sample('volume-target-create-request.json'), properties: { auth_password: 'secret', x: 1, nested: { token: 't' } } });
  assert.deepEqual(Object.keys(t).sort(), Object.keys(sample('volume-target-create-response.json')).sort());
  assert.deepEqual(t.properties, { auth_password: '******', x: 1, nested: { token: '******' } });
  const s = sample('volume-target-create-request.json');
  await fails('POST', '/v1/volume/targets', s, 409, "A volume target with boot index '0' for the same node already exists.");
  await fails('POST', '/v1/volume/targets', { ...s, boot_index: '1' }, 400, "Schema error for target: '1' is not of type 'integer'");
  await fails('POST', '/v1/volume/targets', { ...s, boot_index: true }, 400, "Schema error for target: True is not of type 'integer'");
  await fails('POST', '/v1/volume/targets', {}, 400, "Schema error for target: 'boot_index' is a required property");
  const t2 = await post('targets', { ...s, boot_index: -1, node_uuid: B, properties: null });
  assert.deepEqual(t2.properties, {});
  const l = await h.req('GET', `/v1/nodes/${A}/volume/targets?fields=uuid,properties`, undefined, { version: V });
  assert.deepEqual(l.body.targets[0].properties.auth_password, '******');
  assert.deepEqual(Object.keys((await h.req('GET', '/v1/volume/targets', undefined, { version: V })).body.targets[0]).sort(),
    ['boot_index', 'links', 'node_uuid', 'uuid', 'volume_id', 'volume_type']);
  await fails('GET', '/v1/volume/targets?sort_key=properties', undefined, 400, 'The sort_key value properties is an invalid field for sorting');
  assert.deepEqual((await h.req('GET', '/v1/volume/targets?sort_key=boot_index', undefined, { version: V })).body.targets.map((x: any) => x.boot_index), [-1, 0]);
  await fails('GET', `/v1/nodes/${A}/volume/targets/${t.uuid}`, undefined, 403, 'Operation not permitted.');
  await fails('GET', '/v1/volume/targets/abc', undefined, 400, 'Expected UUID for target_uuid: abc');
  const u = `/v1/volume/targets/${t.uuid}`;
  await fails('PATCH', u, [{ op: 'replace', path: '/node_uuid', value: 5 }], 400, 'Expected a UUID for node_uuid, but received 5.');
  await fails('PATCH', u, [{ op: 'replace', path: '/boot_index', value: '2' }], 400, "Schema error for patch: '2' is not of type 'integer'");
  await fails('PATCH', u, [{ op: 'remove', path: '/volume_id' }], 400, "Schema error for patch: 'volume_id' is a required property");
  await power('va', 'power on');
  await fails('DELETE', u, undefined, 400, `The requested action "volume target deletion" can not be performed on node "${A}" while it is in state "power on".`);
  await power('va', 'power off');
  const r = await h.req('PATCH', u, sample('volume-target-update-request.json'), { version: V });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.volume_id, sample('volume-target-update-request.json')[0].value);
  assert.equal(r.body.properties.auth_password, '******');
  await post('targets', { ...s, boot_index: 5 });
  await fails('PATCH', u, [{ op: 'replace', path: '/boot_index', value: 5 }], 409, "A volume target with boot index '5' for the same node already exists.");
  assert.equal((await h.req('DELETE', u, undefined, { version: V })).status, 204);
  await fails('DELETE', u, undefined, 404, `Volume target ${t.uuid} could not be found.`);
});
