/**
 * /v1/nodes/{ident}/traits (1.37) with Ironic 21.4's validation texts, the 50-traits
 * limit, Location on single adds, and the behaviour below 1.37.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startHarness, type Harness } from '../../../test/support/api-harness.ts';
import { traitError, validateTraitsBody } from './node-traits.ts';

const SAMPLES = fileURLToPath(new URL('../../../../shared/data/ironic-api-samples', import.meta.url));
const sample = (name: string) => JSON.parse(readFileSync(`${SAMPLES}/${name}`, 'utf8'));

let h: Harness;
let nodeId: number;
let uuid: string;
const T = '/v1/nodes/tr-a/traits';
const EXCLUSIVE = 'A single node trait may be added via PUT /v1/nodes/<node identifier>/traits/<trait> with no body, '
  + 'or all node traits may be replaced via PUT /v1/nodes/<node identifier>/traits with the list of traits specified in the request body.';

before(async () => {
  h = await startHarness();
  const r = await h.req('POST', '/v1/nodes', { driver: 'fake-hardware', name: 'tr-a' });
  uuid = r.body.uuid;
  nodeId = (await h.svc.db.kysely.selectFrom('nodes').select('id').where('uuid', '=', uuid).executeTakeFirstOrThrow()).id;
});
after(async () => { await h.close(); });

async function fails(method: string, url: string, body: unknown, status: number, text: string, opts: { version?: string; raw?: string } = {}) {
  const r = await h.req(method, url, body, opts);
  assert.equal(r.status, status, `${method} ${url}: ${r.text}`);
  assert.equal(h.fault(r.body), text);
}
const traits = async () => (await h.req('GET', T)).body.traits;

test('replace (sample body, duplicates collapse, sorted), add one with Location, remove', async () => {
  assert.deepEqual(await traits(), []);
  assert.equal((await h.req('PUT', T, sample('node-set-traits-request.json'))).status, 204);
  assert.deepEqual(await traits(), ['CUSTOM_TRAIT1', 'HW_CPU_X86_VMX']);
  assert.equal((await h.req('PUT', T, { traits: ['CUSTOM_B', 'CUSTOM_A', 'CUSTOM_A', 'HW_CPU_X86_AVX'] })).status, 204);
  assert.deepEqual(await traits(), ['CUSTOM_A', 'CUSTOM_B', 'HW_CPU_X86_AVX']);
  const r = await h.req('PUT', `${T}/CUSTOM_C`);
  assert.equal(r.status, 204);
  assert.equal(r.headers.location, 'http://localhost:80/v1/nodes/tr-a/traits/CUSTOM_C');
  assert.equal((await h.req('PUT', `${T}/CUSTOM_C`, {})).status, 204, 'idempotent, empty body allowed');
  assert.equal((await h.req('PUT', `${T}?trait=CUSTOM_Q`)).status, 204, 'trait as a query argument');
  assert.deepEqual(await traits(), ['CUSTOM_A', 'CUSTOM_B', 'CUSTOM_C', 'CUSTOM_Q', 'HW_CPU_X86_AVX']);
  assert.deepEqual((await h.req('GET', `/v1/nodes/${uuid}`)).body.traits, ['CUSTOM_A', 'CUSTOM_B', 'CUSTOM_C', 'CUSTOM_Q', 'HW_CPU_X86_AVX']);
  assert.equal((await h.req('DELETE', `${T}/CUSTOM_A`)).status, 204);
  await fails('DELETE', `${T}/CUSTOM_A`, undefined, 404, `Node ${uuid} doesn't have a trait 'CUSTOM_A'`);
  await fails('DELETE', `${T}/bad`, undefined, 404, `Node ${uuid} doesn't have a trait 'bad'`);
  assert.equal((await h.req('DELETE', T)).status, 204);
  assert.deepEqual(await traits(), []);
  assert.equal((await h.req('DELETE', T)).status, 204, 'removing all of none is fine');
});

test('validation texts (python-jsonschema, best match first)', async () => {
  const long = `CUSTOM_${'A'.repeat(250)}`;
  await fails('PUT', `${T}/foo`, undefined, 400, "Schema error for trait: 'foo' is not valid under any of the given schemas. Possible root cause: 'foo' does not match '^CUSTOM_[A-Z0-9_]+$'");
  await fails('PUT', `${T}/${long}`, undefined, 400, `Schema error for trait: '${long}' is too long`);
  await fails('PUT', T, { traits: ['foo'] }, 400, "Schema error for body: 'foo' is not valid under any of the given schemas. Possible root cause: 'foo' does not match '^CUSTOM_[A-Z0-9_]+$'");
  await fails('PUT', T, { traits: 'CUSTOM_A' }, 400, "Schema error for body: 'CUSTOM_A' is not of type 'array'");
  await fails('PUT', T, { traits: [1] }, 400, "Schema error for body: 1 is not of type 'string'");
  await fails('PUT', T, { traits: [''] }, 400, "Schema error for body: '' is too short");
  await fails('PUT', T, { traits: null }, 400, "Schema error for body: None is not of type 'array'");
  await fails('PUT', T, { traits: ['CUSTOM_OK', 'bad', 5] }, 400, "Schema error for body: 5 is not of type 'string'");
  await fails('PUT', T, { traits: ['bad', ''] }, 400, "Schema error for body: '' is too short");
  await fails('PUT', T, { traits: [], x: 1 }, 400, "Schema error for body: Additional properties are not allowed ('x' was unexpected)");
  await fails('PUT', T, [1], 400, "Schema error for body: [1] is not of type 'object'");
  await fails('PUT', `${T}/CUSTOM_C`, { a: 1 }, 400, "Schema error for body: Additional properties are not allowed ('a' was unexpected)");
  await fails('PUT', T, {}, 400, EXCLUSIVE);
  await fails('PUT', T, undefined, 400, EXCLUSIVE);
  await fails('PUT', T, undefined, 400, EXCLUSIVE, { raw: 'null' });
  await fails('PUT', `${T}/CUSTOM_D`, { traits: [] }, 400, EXCLUSIVE);
  await fails('PUT', `${T}/CUSTOM_A?x=1`, undefined, 400, 'Unexpected arguments: x');
  await fails('DELETE', `${T}?x=1`, undefined, 400, 'Unexpected arguments: x');
  await fails('DELETE', T, { traits: [] }, 400, 'Unexpected arguments: traits');
  // validation comes before the node lookup
  await fails('PUT', '/v1/nodes/nope/traits/bad', undefined, 400, "Schema error for trait: 'bad' is not valid under any of the given schemas. Possible root cause: 'bad' does not match '^CUSTOM_[A-Z0-9_]+$'");
  await fails('PUT', '/v1/nodes/nope/traits/CUSTOM_A', undefined, 404, 'Node nope could not be found.');
  await fails('GET', '/v1/nodes/nope/traits', undefined, 404, 'Node nope could not be found.');
  const bad = await h.req('GET', '/v1/nodes/bad%20name/traits');
  assert.equal(bad.status, 400);
  assert.equal(JSON.parse(bad.body.error_message).description, 'Expected UUID or name for node: bad name');
  for (const [m, u] of [['POST', T], ['PATCH', T], ['GET', `${T}/CUSTOM_A`]]) assert.equal((await h.req(m!, u!, { traits: [] })).status, 405, `${m} ${u}`);
});

test('at most 50 traits per node (message names the internal node id)', async () => {
  const many = (n: number) => Array.from({ length: n }, (_, i) => `CUSTOM_T${i}`);
  await fails('PUT', T, { traits: many(51) }, 400, `Could not modify traits for node ${nodeId} as it would exceed the maximum number of traits per node (51 vs. 50)`);
  assert.equal((await h.req('PUT', T, { traits: [...many(50), 'CUSTOM_T1'] })).status, 204, 'duplicates do not count');
  await fails('PUT', `${T}/CUSTOM_X`, undefined, 400, `Could not modify traits for node ${nodeId} as it would exceed the maximum number of traits per node (51 vs. 50)`);
  assert.equal((await h.req('PUT', `${T}/CUSTOM_T1`)).status, 204, 'adding a present trait does not count');
  assert.equal((await traits()).length, 50);
  assert.equal((await h.req('DELETE', T)).status, 204);
});

test('below 1.37: GET is ?fields=traits (406), PUT 405, DELETE 404', async () => {
  await fails('GET', T, undefined, 406, 'Request not acceptable.', { version: '1.36' });
  await fails('GET', T, undefined, 404, 'Node tr-a could not be found.', { version: '1.1' });
  await fails('GET', `/v1/nodes/${uuid}/traits`, undefined, 406, 'Request not acceptable.', { version: '1.1' });
  for (const u of [T, `${T}/CUSTOM_A`]) {
    const r = await h.req('PUT', u, { traits: [] }, { version: '1.36' });
    assert.equal(r.status, 405);
  }
  await fails('DELETE', T, undefined, 404, 'Resource could not be found.', { version: '1.36' });
  await fails('DELETE', `${T}/CUSTOM_A`, undefined, 404, 'Resource could not be found.', { version: '1.36' });
  await fails('DELETE', T, { traits: [] }, 400, 'Unexpected arguments: traits', { version: '1.36' });
  assert.equal((await h.req('GET', `/v1/nodes/${uuid}`)).status, 200, 'the node itself is not deleted');
});

test('a locked node: 409', async () => {
  await h.svc.db.kysely.updateTable('nodes').set({ reservation: 'other-host' }).where('id', '=', nodeId).execute();
  try {
    const r = await h.req('PUT', `${T}/CUSTOM_L`);
    assert.equal(r.status, 409);
    assert.match(h.fault(r.body), /is locked by host other-host/);
  } finally {
    await h.svc.db.kysely.updateTable('nodes').set({ reservation: null }).where('id', '=', nodeId).execute();
  }
});

test('traitError / validateTraitsBody', () => {
  assert.equal(traitError('CUSTOM_X'), null);
  assert.equal(traitError('HW_CPU_X86_AVX'), null);
  assert.equal(traitError('CUSTOM_x')?.strong, false);
  assert.equal(traitError(7)?.message, "7 is not of type 'string'");
  assert.doesNotThrow(() => validateTraitsBody({}));
  assert.doesNotThrow(() => validateTraitsBody(null));
  assert.throws(() => validateTraitsBody({ a: 1, b: 2 }), /\('a', 'b' were unexpected\)/);
});
