/**
 * /v1/chassis and /v1/chassis/{uuid}/nodes with Ironic 21.4's texts, including its nested
 * `nodes` link list and the answers of node methods reached through a chassis.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { startHarness, type Harness } from '../../../test/support/api-harness.ts';
import { API_SAMPLES_DIR } from '../../testing/shared-data.ts';

const SAMPLES = API_SAMPLES_DIR;
const sample = (f: string) => JSON.parse(readFileSync(`${SAMPLES}/${f}`, 'utf8'));
const NONE = '11111111-2222-3333-4444-555555555555';

let h: Harness;
before(async () => { h = await startHarness(); });
after(async () => { await h.close(); });

async function fails(method: string, url: string, body: unknown, status: number, text: string, version = '1.82') {
  const r = await h.req(method, url, body, { version });
  assert.equal(r.status, status, `${method} ${url}: ${r.text}`);
  assert.equal(h.fault(r.body), text, `${method} ${url}`);
}
async function create(body: unknown, version = '1.1'): Promise<any> {
  const r = await h.req('POST', '/v1/chassis', body, { version });
  assert.equal(r.status, 201, r.text);
  return r.body;
}

test('create from the sample, show, update from the sample; nodes links are nested as in 21.4', async () => {
  const r = await h.req('POST', '/v1/chassis', sample('chassis-create-request.json'), { version: '1.1' });
  assert.equal(r.status, 201, r.text);
  const c = r.body;
  assert.equal(r.headers.location, `http://localhost:80/v1/chassis/${c.uuid}`);
  assert.deepEqual(Object.keys(c).sort(), Object.keys(sample('chassis-show-response.json')).sort());
  assert.deepEqual(c.nodes, [[
    { href: `http://localhost:80/v1/chassis/${c.uuid}/nodes`, rel: 'self' },
    { href: `http://localhost:80/chassis/${c.uuid}/nodes`, rel: 'bookmark' },
  ]]);
  assert.deepEqual((await h.req('GET', `/v1/chassis/${c.uuid}`, undefined, { version: '1.1' })).body, c);
  const up = await h.req('PATCH', `/v1/chassis/${c.uuid}`, sample('chassis-update-request.json'), { version: '1.1' });
  assert.equal(up.status, 200, up.text);
  assert.equal(up.body.description, 'Updated Chassis');
  assert.notEqual(up.body.updated_at, null);
  assert.equal((await create(undefined)).description, null, 'an empty body creates an empty chassis');
});

test('bad input on create and show', async () => {
  const c = await create({ description: 'c1', extra: { a: 1 } });
  await fails('POST', '/v1/chassis', { foo: 1 }, 400, "Schema error for chassis: Additional properties are not allowed ('foo' was unexpected)");
  await fails('POST', '/v1/chassis', { uuid: 'x' }, 400, 'Expected UUID for uuid: x');
  await fails('POST', '/v1/chassis', { uuid: c.uuid }, 409, `A chassis with UUID ${c.uuid} already exists.`);
  await fails('POST', '/v1/chassis', { description: 'x'.repeat(256) }, 400, `Schema error for chassis: '${'x'.repeat(256)}' is too long`);
  await fails('POST', '/v1/chassis', { description: 5 }, 400, "Schema error for chassis: 5 is not of type 'string', 'null'");
  await fails('POST', '/v1/chassis', [], 400, "Schema error for chassis: [] is not of type 'object'");
  await fails('POST', '/v1/chassis?x=1', {}, 400, 'Unexpected arguments: x');
  await fails('POST', `/v1/chassis/${c.uuid}`, {}, 400, `Schema error for chassis: '${c.uuid}' is not of type 'object'`);
  await fails('GET', '/v1/chassis/abc', undefined, 400, 'Expected UUID for chassis_uuid: abc');
  await fails('GET', `/v1/chassis/${NONE}`, undefined, 404, `Chassis ${NONE} could not be found.`);
  await fails('GET', `/v1/chassis/${c.uuid.toUpperCase()}`, undefined, 404, `Chassis ${c.uuid.toUpperCase()} could not be found.`);
  await fails('GET', `/v1/chassis/${c.uuid}?fields=description`, undefined, 406, 'Request not acceptable.', '1.7');
  await fails('GET', `/v1/chassis/${c.uuid}?fields=foo`, undefined, 400, 'Field(s) "foo" are not valid');
  assert.deepEqual(Object.keys((await h.req('GET', `/v1/chassis/${c.uuid}?fields=description,nodes`)).body).sort(), ['description', 'links', 'nodes']);
});

test('lists: default fields, detail, paging and sorting', async () => {
  const all = (await h.req('GET', '/v1/chassis?detail=true')).body.chassis;
  assert.ok(all.length >= 3);
  assert.deepEqual(Object.keys((await h.req('GET', '/v1/chassis', undefined, { version: '1.1' })).body.chassis[0]).sort(), ['description', 'links', 'uuid']);
  const l = await h.req('GET', '/v1/chassis?limit=1', undefined, { version: '1.1' });
  assert.equal(l.body.next, `http://localhost:80/v1/chassis?sort_key=id&sort_dir=asc&fields=uuid,description&limit=1&marker=${all[0].uuid}`);
  const d = await h.req('GET', `/v1/chassis/detail?limit=1&marker=${all[0].uuid}`, undefined, { version: '1.1' });
  assert.equal(d.body.chassis[0].uuid, all[1].uuid);
  assert.equal(d.body.next, `http://localhost:80/v1/chassis/detail?sort_key=id&sort_dir=asc&limit=1&marker=${all[1].uuid}`);
  const f = await h.req('GET', '/v1/chassis?limit=1&detail=false');
  assert.match(f.body.next, /sort_dir=asc&detail=False&fields=uuid,description&limit=1/);
  const sorted = (await h.req('GET', '/v1/chassis?sort_key=created_at&sort_dir=desc')).body.chassis;
  assert.equal(sorted.length, all.length);
  await fails('GET', '/v1/chassis?fields=uuid', undefined, 406, 'Request not acceptable.', '1.7');
  await fails('GET', '/v1/chassis?detail=true', undefined, 400, 'Invalid query parameter ?detail=True received.', '1.42');
  await fails('GET', '/v1/chassis?detail=true&fields=uuid', undefined, 400, 'Can not specify ?detail=True and fields in the same request.');
  await fails('GET', '/v1/chassis?sort_key=extra', undefined, 400, 'The sort_key value extra is an invalid field for sorting');
  await fails('GET', '/v1/chassis?sort_key=foo', undefined, 400, 'The sort_key value "foo" is an invalid field for sorting');
  await fails('GET', '/v1/chassis?marker=abc', undefined, 400, 'Expected UUID for marker: abc');
  await fails('GET', `/v1/chassis?marker=${NONE}`, undefined, 404, `Chassis ${NONE} could not be found.`);
  await fails('GET', '/v1/chassis?limit=0', undefined, 400, 'Limit must be positive');
  await fails('GET', '/v1/chassis/detail?fields=uuid', undefined, 400, 'Unexpected arguments: fields');
});

test('PATCH: description and extra; uuid is listed but cannot change', async () => {
  const c = await create({ description: 'p', extra: { a: 1 } });
  const ok = async (ops: unknown) => { const r = await h.req('PATCH', `/v1/chassis/${c.uuid}`, ops, { version: '1.1' }); assert.equal(r.status, 200, r.text); return r.body; };
  assert.deepEqual((await ok([{ op: 'add', path: '/extra/b', value: 2 }])).extra, { a: 1, b: 2 });
  assert.equal((await ok([{ op: 'remove', path: '/description' }])).description, null);
  assert.deepEqual((await ok([{ op: 'remove', path: '/extra' }])).extra, {});
  assert.equal((await ok([{ op: 'replace', path: '/uuid', value: c.uuid }])).uuid, c.uuid, 'the same value is not a change');
  const u = `/v1/chassis/${c.uuid}`;
  await fails('PATCH', u, [{ op: 'replace', path: '/uuid', value: NONE }], 400, 'Cannot overwrite UUID for an existing Chassis.');
  await fails('PATCH', u, [{ op: 'remove', path: '/uuid' }], 400, 'Cannot overwrite UUID for an existing Chassis.');
  await fails('PATCH', u, [{ op: 'replace', path: '/uuid', value: 'x' }], 400, 'Expected UUID for uuid: x');
  await fails('PATCH', u, [{ op: 'replace', path: '/foo', value: 1 }], 400, 'Cannot patch /foo. Only the following can be updated: uuid, extra, description');
  await fails('PATCH', u, [{ op: 'replace', path: '/extra', value: [] }], 400, "Schema error for patch: [] is not of type 'object', 'null'");
  await fails('PATCH', u, {}, 400, "Schema error for patch: {} is not of type 'array'");
  await fails('PATCH', '/v1/chassis/abc', [{ op: 'replace', path: '/description', value: 'x' }], 404, 'Chassis abc could not be found.');
  await fails('PATCH', '/v1/chassis/abc', [{ op: 'replace', path: '/foo', value: 'x' }], 400, 'Cannot patch /foo. Only the following can be updated: uuid, extra, description');
  await fails('PATCH', '/v1/chassis', [], 400, 'Missing mandatory parameter: chassis_uuid');
  assert.equal((await h.req('PUT', '/v1/chassis', [])).status, 405);
});

test('nodes of a chassis, nested node methods, delete refused while nodes remain', async () => {
  const c = await create({ description: 'with nodes' });
  const empty = await create({});
  const mk = async (name: string) => (await h.req('POST', '/v1/nodes', { driver: 'fake-hardware', name, chassis_uuid: c.uuid })).body.uuid;
  const a = await mk('cn-a');
  await mk('cn-b');
  await h.req('POST', '/v1/nodes', { driver: 'fake-hardware', name: 'cn-other' });
  const l = await h.req('GET', `/v1/chassis/${c.uuid}/nodes?limit=1`);
  assert.equal(l.status, 200, l.text);
  assert.equal(l.body.nodes[0].uuid, a);
  assert.match(l.body.next, new RegExp(`^http://localhost:80/v1/nodes\\?sort_key=id&sort_dir=asc&.*limit=1&marker=${a}$`));
  assert.equal((await h.req('GET', `/v1/chassis/${c.uuid}/nodes/detail`)).body.nodes.length, 2);
  assert.equal((await h.req('GET', `/v1/chassis/${c.uuid}/nodes/detail`)).body.nodes[0].chassis_uuid, c.uuid);
  assert.deepEqual((await h.req('GET', `/v1/chassis/${empty.uuid}/nodes`)).body.nodes, []);
  await fails('GET', '/v1/chassis/abc/nodes', undefined, 400, 'Expected UUID for chassis_uuid: abc');
  await fails('GET', `/v1/chassis/${NONE}/nodes`, undefined, 404, `Chassis ${NONE} could not be found.`);
  await fails('GET', `/v1/chassis/${c.uuid}/nodes?chassis_uuid=${c.uuid}`, undefined, 400, "NodesController.get_all() got multiple values for argument 'chassis_uuid'");
  await fails('GET', `/v1/chassis/${c.uuid}/nodes/${a}`, undefined, 403, 'Operation not permitted.');
  await fails('POST', `/v1/chassis/${c.uuid}/nodes`, { driver: 'fake-hardware' }, 400, `Schema error for node: '${c.uuid}' is not of type 'object'`);
  await fails('PATCH', `/v1/chassis/${c.uuid}/nodes/${a}`, [], 400,
    `Invalid reset_interfaces: Unrecognized value '${a}', acceptable values are: '0', '1', 'f', 'false', 'n', 'no', 'off', 'on', 't', 'true', 'y', 'yes'`);
  await fails('DELETE', `/v1/chassis/${c.uuid}/nodes/${a}`, undefined, 404, 'Resource could not be found.');
  await fails('DELETE', `/v1/chassis/${c.uuid}`, undefined, 400, `Cannot complete the requested action because chassis ${c.uuid} contains nodes.`);
  for (const n of ['cn-a', 'cn-b']) assert.equal((await h.req('DELETE', `/v1/nodes/${n}`)).status, 204);
  await fails('DELETE', `/v1/chassis/${c.uuid}?x=1`, undefined, 400, 'Unexpected arguments: x');
  assert.equal((await h.req('DELETE', `/v1/chassis/${c.uuid}`)).status, 204);
  await fails('DELETE', `/v1/chassis/${c.uuid}`, undefined, 404, `Chassis ${c.uuid} could not be found.`);
  await fails('DELETE', '/v1/chassis/abc', undefined, 400, 'Expected UUID for chassis_uuid: abc');
  await fails('DELETE', '/v1/chassis', undefined, 400, 'Missing mandatory parameter: chassis_uuid');
});
