/**
 * maintenance, validate (both forms), vendor_passthru and vifs, against Ironic 21.4's
 * statuses and texts for fake-hardware / manual-management nodes.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startHarness, type Harness } from '../../../test/support/api-harness.ts';
import { loadConfig } from '../../config/config.ts';

const SAMPLES = fileURLToPath(new URL('../../../../shared/data/ironic-api-samples', import.meta.url));
const sample = (name: string) => JSON.parse(readFileSync(`${SAMPLES}/${name}`, 'utf8'));

let h: Harness;
let uuid: string;
const A = '/v1/nodes/ms-a';
const NOT_SUPPORTED = (kind: string) => ({ result: false, reason: `Driver fake-hardware does not support ${kind} (disabled or not implemented).` });

before(async () => {
  h = await startHarness();
  uuid = (await h.req('POST', '/v1/nodes', { driver: 'fake-hardware', name: 'ms-a' })).body.uuid;
  await h.req('POST', '/v1/nodes', {
    driver: 'fake-hardware', name: 'ms-nb', bios_interface: 'no-bios', raid_interface: 'no-raid', rescue_interface: 'no-rescue',
    inspect_interface: 'no-inspect', vendor_interface: 'no-vendor',
  });
});
after(async () => { await h.close(); });

async function fails(method: string, url: string, body: unknown, status: number, text: string, version?: string) {
  const r = await h.req(method, url, body, version ? { version } : {});
  assert.equal(r.status, status, `${method} ${url}: ${r.text}`);
  assert.equal(h.fault(r.body), text);
}
const routing = (r: { body: any }) => JSON.parse(r.body.error_message) as { code: number; description: string };
const fields = async (f: string) => (await h.req('GET', `${A}?fields=${f}`)).body;

test('maintenance: set with a reason (sample), from the query, cleared by DELETE', async () => {
  const r = await h.req('PUT', `${A}/maintenance`, sample('node-maintenance-request.json'));
  assert.equal(r.status, 202);
  assert.equal(r.text, '');
  assert.equal((await fields('maintenance,maintenance_reason')).maintenance_reason, 'Replacing the hard drive');
  assert.equal((await h.req('PUT', `${A}/maintenance?reason=q`)).status, 202);
  assert.equal((await fields('maintenance_reason')).maintenance_reason, 'q');
  assert.equal((await h.req('PUT', `${A}/maintenance`, [1])).status, 202, 'a non-object body adds no arguments');
  assert.deepEqual([(await fields('maintenance,maintenance_reason')).maintenance, (await fields('maintenance_reason')).maintenance_reason], [true, null]);
  await h.svc.db.kysely.updateTable('nodes').set({ fault: 'power failure' }).where('uuid', '=', uuid).execute();
  assert.equal((await h.req('DELETE', `${A}/maintenance`)).status, 202);
  const f = await fields('maintenance,maintenance_reason,fault');
  assert.deepEqual([f.maintenance, f.maintenance_reason, f.fault], [false, null, null]);
});

test('maintenance: bad input', async () => {
  await fails('PUT', `${A}/maintenance`, { reason: 5 }, 400, 'Expected string for reason: 5');
  await fails('PUT', `${A}/maintenance`, { reason: 'x', foo: 1 }, 400, 'Unexpected arguments: foo');
  await fails('PUT', `${A}/maintenance?reason=q`, { reason: 'b' }, 400, "Expected string for reason: ['q', 'b']");
  await fails('DELETE', `${A}/maintenance?x=1`, undefined, 400, 'Unexpected arguments: x');
  await fails('DELETE', `${A}/maintenance`, { reason: 'x' }, 400, 'Unexpected arguments: reason');
  await fails('PUT', '/v1/nodes/nope/maintenance', undefined, 404, 'Node nope could not be found.');
  await fails('PUT', '/v1/nodes/bad%20name/maintenance', undefined, 400, 'Expected UUID or name for node_ident: bad name');
  await fails('PUT', `${A}/maintenance`, undefined, 404, 'Node ms-a could not be found.', '1.1');
  for (const m of ['GET', 'POST', 'PATCH']) assert.equal((await h.req(m, `${A}/maintenance`)).status, 405, m);
  const r = await h.req('GET', '/v1/nodes/bad%20name/maintenance');
  assert.deepEqual([r.status, routing(r).description], [400, 'Expected UUID or name for node: bad name']);
});

test('maintenance takes the node lock (409 while held)', async () => {
  await h.svc.db.kysely.updateTable('nodes').set({ reservation: 'other-host' }).where('uuid', '=', uuid).execute();
  try {
    const r = await h.req('PUT', `${A}/maintenance`);
    assert.equal(r.status, 409);
  } finally {
    await h.svc.db.kysely.updateTable('nodes').set({ reservation: null }).where('uuid', '=', uuid).execute();
  }
});

test('validate: Ironic 21.4 keys in order, no-op interfaces with their reasons', async () => {
  const r = await h.req('GET', `${A}/validate`);
  assert.equal(r.status, 200);
  assert.deepEqual(Object.keys(r.body), ['boot', 'deploy', 'management', 'network', 'power', 'bios', 'console', 'inspect', 'raid', 'rescue', 'storage']);
  const ok = { result: true };
  assert.deepEqual(r.body, {
    boot: ok, deploy: ok, management: ok, network: ok, power: ok, bios: ok, console: NOT_SUPPORTED('console'),
    inspect: ok, raid: ok, rescue: ok, storage: ok,
  });
  const nb = (await h.req('GET', '/v1/nodes/ms-nb/validate')).body;
  for (const k of ['bios', 'console', 'inspect', 'raid', 'rescue']) assert.deepEqual(nb[k], NOT_SUPPORTED(k), k);
  assert.deepEqual(nb.storage, ok);
  // the legacy form, node_uuid winning over node
  assert.deepEqual((await h.req('GET', '/v1/nodes/validate?node=ms-a')).body, r.body);
  assert.deepEqual((await h.req('GET', `/v1/nodes/validate?node_uuid=${uuid}`, undefined, { version: '1.1' })).body, r.body);
  assert.deepEqual((await h.req('GET', `/v1/nodes/validate?node=ms-nb&node_uuid=${uuid}`)).body, r.body);
  assert.deepEqual((await h.req('GET', `/v1/nodes/ms-nb/validate?node_uuid=${uuid}`)).body, r.body);
});

test('validate: deploy also checks instance_info.traits against the node traits', async () => {
  const set = (ii: unknown) => h.req('PATCH', A, [{ op: 'add', path: '/instance_info', value: ii }]);
  const deploy = async () => (await h.req('GET', `${A}/validate`)).body.deploy;
  await h.req('PUT', `${A}/traits`, { traits: ['CUSTOM_A'] });
  await set({ traits: ['CUSTOM_A', 'CUSTOM_X'] });
  assert.deepEqual(await deploy(), { result: false, reason: `Cannot specify instance traits that are not also set on the node. Node ${uuid} is missing traits CUSTOM_X` });
  await set({ traits: 'CUSTOM_A' });
  assert.deepEqual(await deploy(), { result: false, reason: `Error parsing traits from Node ${uuid} instance_info field. A list of strings is expected.` });
  await set({ traits: ['CUSTOM_A'] });
  assert.deepEqual(await deploy(), { result: true });
  await set({});
  await h.req('DELETE', `${A}/traits`);
});

test('validate: bad input and version', async () => {
  await fails('GET', '/v1/nodes/validate?node=ms-a', undefined, 406, 'Request not acceptable.', '1.1');
  await fails('GET', `${A}/validate`, undefined, 406, 'Request not acceptable.', '1.1');
  await fails('GET', '/v1/nodes/validate?node_uuid=ms-a', undefined, 400, 'Expected UUID for node_uuid: ms-a');
  await fails('GET', '/v1/nodes/validate', undefined, 400, 'Expected a logical name or UUID but received None.');
  await fails('GET', '/v1/nodes/validate', undefined, 404, 'Node None could not be found.', '1.1');
  await fails('GET', '/v1/nodes/validate?node=ms-a&foo=1', undefined, 400, 'Unexpected arguments: foo');
  await fails('GET', `${A}/validate?foo=1`, undefined, 400, 'Unexpected arguments: foo');
  await fails('GET', '/v1/nodes/validate?node=nope', undefined, 404, 'Node nope could not be found.');
  await fails('GET', '/v1/nodes/validate?node=bad%20name', undefined, 400, 'Expected UUID or name for node: bad name');
  await fails('GET', '/v1/nodes/nope/validate', undefined, 404, 'Node nope could not be found.');
  const r = await h.req('GET', '/v1/nodes/bad%20name/validate');
  assert.deepEqual([r.status, routing(r).description], [400, 'Expected UUID or name for node: bad name']);
  assert.equal((await h.req('PUT', `${A}/validate`)).status, 405);
});

test('vendor passthru: methods, sync 200 with the return value, async 202', async () => {
  const m = (await h.req('GET', `${A}/vendor_passthru/methods`)).body;
  assert.deepEqual(Object.keys(m).sort(), ['fourth_method_shared_lock', 'second_method', 'third_method_sync']);
  assert.deepEqual(m.third_method_sync, { http_methods: ['POST'], async: false, attach: false, description: 'Test if the value of bar is meow', require_exclusive_lock: true });
  assert.deepEqual((await h.req('GET', '/v1/nodes/ms-nb/vendor_passthru/methods')).body, {});
  let r = await h.req('POST', `${A}/vendor_passthru?method=third_method_sync`, { bar: 'meow' });
  assert.deepEqual([r.status, r.text], [200, 'true']);
  r = await h.req('POST', `${A}/vendor_passthru?method=third_method_sync`, { bar: 'woof' });
  assert.deepEqual([r.status, r.text], [200, 'false']);
  r = await h.req('POST', `${A}/vendor_passthru?method=second_method`, { bar: 'kazoo' });
  assert.deepEqual([r.status, r.text], [202, '']);
  assert.equal((await h.req('POST', `${A}/vendor_passthru/second_method`, { bar: 'kazoo' })).status, 202, 'method as a path word');
  assert.equal((await h.req('POST', `${A}/vendor_passthru?method=fourth_method_shared_lock`, { bar: 'woof' })).status, 202);
  await h.svc.conductor.idle();
  assert.equal((await h.req('GET', A)).body.reservation, null, 'async jobs release the lock');
});

test('vendor passthru: bad input', async () => {
  const V = `${A}/vendor_passthru`;
  await fails('GET', `${V}/methods?x=1`, undefined, 400, 'Unexpected arguments: x');
  await fails('POST', `${V}?method=second_method`, {}, 400, "Parameter 'bar' not passed to method 'second_method'.");
  await fails('GET', `${V}?method=second_method`, undefined, 400, 'The method second_method does not support HTTP GET');
  await fails('PUT', `${V}?method=second_method`, { bar: 'x' }, 400, 'The method second_method does not support HTTP PUT');
  await fails('POST', V, {}, 400, 'Missing mandatory parameter: method');
  await fails('DELETE', V, undefined, 400, 'Missing mandatory parameter: method');
  await fails('POST', `${V}?method=`, {}, 400, 'Method not specified');
  await fails('POST', `${V}?method=first_method`, { bar: 'baz' }, 400, 'No handler for method first_method');
  await fails('POST', '/v1/nodes/ms-nb/vendor_passthru?method=foo', {}, 400, 'No handler for method foo');
  await fails('POST', `${V}?method=third_method_sync&x=1`, { bar: 'meow' }, 400, 'Unexpected arguments: x');
  // a body key named like a query argument replaces it (Pecan), so `method` goes missing
  await fails('POST', `${V}?method=third_method_sync`, { bar: 'meow', method: 'x' }, 400, 'Missing mandatory parameter: method');
  await fails('POST', '/v1/nodes/bad%20x/vendor_passthru?method=x', undefined, 400, 'Expected UUID or name for node_ident: bad x');
  await fails('POST', '/v1/nodes/nope/vendor_passthru?method=x', undefined, 404, 'Node nope could not be found.');
  await fails('POST', `${V}?method=third_method_sync`, [1], 400, "Parameter 'bar' not passed to method 'third_method_sync'.");
});

test('vendor passthru: methods that need the lock answer 409 while it is held', async () => {
  await h.svc.db.kysely.updateTable('nodes').set({ reservation: 'other-host' }).where('uuid', '=', uuid).execute();
  try {
    assert.equal((await h.req('POST', `${A}/vendor_passthru?method=second_method`, { bar: 'kazoo' })).status, 409);
    assert.equal((await h.req('POST', `${A}/vendor_passthru?method=fourth_method_shared_lock`, { bar: 'woof' })).status, 202);
  } finally {
    await h.svc.conductor.idle();
    await h.svc.db.kysely.updateTable('nodes').set({ reservation: null }).where('uuid', '=', uuid).execute();
  }
});

test('vifs (1.28): the noop network keeps nothing; validation and version', async () => {
  const F = `${A}/vifs`;
  assert.deepEqual((await h.req('GET', F)).body, { vifs: [] });
  assert.equal((await h.req('POST', F, sample('node-vif-attach-request.json'))).status, 204);
  assert.equal((await h.req('POST', F, { id: 'v', port_uuid: 'x', portgroup_uuid: 'y' }, { version: '1.66' })).status, 204);
  assert.deepEqual((await h.req('GET', F)).body, { vifs: [] });
  assert.equal((await h.req('DELETE', `${F}/never-attached`)).status, 204);
  await fails('POST', F, {}, 400, "Schema error for vif: 'id' is a required property");
  await fails('POST', F, undefined, 400, "Schema error for vif: 'id' is a required property");
  await fails('POST', F, { id: 5 }, 400, "Schema error for vif: 5 is not of type 'string'");
  await fails('POST', F, [1], 400, "Schema error for vif: [1] is not of type 'object'");
  await fails('POST', F, { id: 'bad id' }, 400, 'Expected UUID or name for id: bad id');
  await fails('POST', F, { id: 'v', port_uuid: 'x', portgroup_uuid: 'y' }, 400, 'Cannot specify both port_uuid and portgroup_uuid');
  await fails('POST', `${F}?x=1`, { id: 'v' }, 400, 'Unexpected arguments: x');
  await fails('GET', `${F}?x=1`, undefined, 400, 'Unexpected arguments: x');
  await fails('DELETE', `${F}/bad%20id`, undefined, 400, 'Expected UUID or name for vif_id: bad id');
  await fails('DELETE', F, undefined, 400, 'Missing mandatory parameter: vif_id');
  await fails('GET', '/v1/nodes/nope/vifs', undefined, 404, 'Node nope could not be found.');
  await fails('POST', '/v1/nodes/nope/vifs', { id: 'bad id' }, 400, 'Expected UUID or name for id: bad id');
  for (const [m, u] of [['PUT', F], ['GET', `${F}/v`]]) assert.equal((await h.req(m!, u!, {})).status, 405, `${m} ${u}`);
  for (const [m, u] of [['GET', F], ['POST', F], ['DELETE', `${F}/v`]]) {
    const r = await h.req(m!, u!, m === 'POST' ? { id: 'v' } : undefined, { version: '1.27' });
    assert.deepEqual([r.status, routing(r).code], [404, 404], `${m} ${u}`);
  }
  const r = await h.req('GET', '/v1/nodes/bad%20x/vifs');
  assert.deepEqual([r.status, routing(r).description], [400, 'Expected UUID or name for node: bad x']);
});

test('vifs on a flat-network node go through the network interface (validate first)', async () => {
  const drivers = loadConfig({}).drivers;
  const h2 = await startHarness({ drivers: { ...drivers, enabledInterfaces: { ...drivers.enabledInterfaces, network: ['noop', 'flat'] } } });
  try {
    const r = await h2.req('POST', '/v1/nodes', { driver: 'fake-hardware', name: 'ms-flat', network_interface: 'flat' });
    assert.equal(r.status, 201, r.text);
    const v = (await h2.req('GET', '/v1/nodes/ms-flat/validate')).body;
    for (const [m, u, b] of [['GET', '/v1/nodes/ms-flat/vifs'], ['POST', '/v1/nodes/ms-flat/vifs', { id: 'v' }], ['DELETE', '/v1/nodes/ms-flat/vifs/v']] as const) {
      const res = await h2.req(m, u, b);
      if (v.network.result) assert.ok(res.status < 500, `${m} ${u}`);
      else assert.deepEqual([res.status, h2.fault(res.body)], [400, v.network.reason], `${m} ${u}`);
    }
  } finally {
    await h2.close();
  }
});
