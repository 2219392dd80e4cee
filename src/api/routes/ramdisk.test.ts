/**
 * GET /v1/lookup and POST /v1/heartbeat/{node} against Ironic 21.4's answers: versions,
 * errors, the token issued once and required afterwards, the lookup fields and config as
 * recorded in agent-samples/recorded-direct-deploy.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startHarness, type Harness } from '../../../test/support/api-harness.ts';
import { SHARED_DIR } from '../../testing/shared-data.ts';
import { loadConfig } from '../../config/config.ts';

const RECORDED = join(SHARED_DIR, 'data', 'agent-samples', 'recorded-direct-deploy', 'contract-agent-to-api.jsonl');
const recorded = readFileSync(RECORDED, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
const recordedLookup = recorded.find((r) => r.path.startsWith('/v1/lookup'));

const MAC = '52:54:00:1a:9e:01';
let h: Harness;
let uuid: string;

async function fails(method: string, url: string, body: unknown, status: number, text: string, version?: string) {
  const r = await h.req(method, url, body, version ? { version } : {});
  assert.equal(r.status, status, `${method} ${url}: ${r.text}`);
  assert.equal(h.fault(r.body), text);
}
const row = async () => (await h.svc.db.kysely.selectFrom('nodes').selectAll().where('uuid', '=', uuid).executeTakeFirstOrThrow());
const dii = async () => ({ ...(await h.svc.conductor.deps.nodes.getByUuid(uuid))!.driver_internal_info }) as Record<string, any>;
const setState = (provision_state: string, extra: Record<string, unknown> = {}) =>
  h.svc.db.kysely.updateTable('nodes').set({ provision_state, ...extra } as never).where('uuid', '=', uuid).execute();

before(async () => {
  h = await startHarness();
  // deploy `fake`: heartbeats are recorded but drive no agent.
  const r = await h.req('POST', '/v1/nodes', {
    driver: 'fake-hardware', name: 'rd-a', deploy_interface: 'fake',
    instance_info: { image_source: 'http://img/disk.raw', image_url: 'http://img/disk.raw', image_os_hash_algo: 'sha256', image_os_hash_value: 'ab' },
    properties: { cpu_arch: 'x86_64', root_device: { name: '/dev/loop0' } },
  });
  assert.equal(r.status, 201, r.text);
  uuid = r.body.uuid;
  assert.equal((await h.req('POST', '/v1/ports', { node_uuid: uuid, address: MAC })).status, 201);
});
after(async () => { await h.close(); });

test('lookup: versions, bad input and states answer as Ironic', async () => {
  await fails('GET', `/v1/lookup?addresses=${MAC}`, undefined, 404, 'Resource could not be found.', '1.21');
  await fails('GET', `/v1/lookup?addresses=${MAC}`, undefined, 404, 'Resource could not be found.', '1.1');
  await fails('GET', '/v1/lookup', undefined, 400, "At least one of 'addresses' and 'node_uuid' parameters is required");
  await fails('GET', '/v1/lookup?addresses=not-a-mac', undefined, 400, "At least one of 'addresses' and 'node_uuid' parameters is required");
  await fails('GET', '/v1/lookup?node_uuid=nope', undefined, 400, 'Expected UUID for node_uuid: nope');
  await fails('GET', `/v1/lookup?addresses=${MAC}&x=1`, undefined, 400, 'Unexpected arguments: x');
  await fails('GET', '/v1/lookup?addresses=52:54:00:00:00:99', undefined, 404, 'Resource could not be found.');
  // A node in a state without a ramdisk: the same 404 as no node at all.
  await setState('available');
  await fails('GET', `/v1/lookup?addresses=${MAC}`, undefined, 404, 'Resource could not be found.');
  await fails('GET', `/v1/lookup?node_uuid=${uuid}`, undefined, 404, 'Resource could not be found.');
  assert.equal((await dii()).agent_secret_token, undefined, 'no token for a refused lookup');
});

test('lookup: token issued once, masked afterwards, stored in driver_internal_info', async () => {
  await setState('wait call-back', { target_provision_state: 'active' });
  // Below 1.62 no token is issued.
  const old = await h.req('GET', `/v1/lookup?addresses=${MAC.toUpperCase()}`, undefined, { version: '1.61' });
  assert.equal(old.status, 200, old.text);
  assert.equal(old.body.config.agent_token, null);
  assert.equal((await dii()).agent_secret_token, undefined);

  const r = await h.req('GET', `/v1/lookup?addresses=${encodeURIComponent(MAC)}`, undefined, { version: '1.62' });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.headers['x-openstack-ironic-api-version'], '1.62');
  // Same keys as Ironic's recorded answer.
  assert.deepEqual(Object.keys(r.body).sort(), Object.keys(recordedLookup.response_body).sort());
  assert.deepEqual(Object.keys(r.body.config).sort(), Object.keys(recordedLookup.response_body.config).sort());
  assert.deepEqual(Object.keys(r.body.node).sort(), Object.keys(recordedLookup.response_body.node).sort());
  const { agent_token: _a, ...config } = r.body.config;
  const { agent_token: _b, ...recConfig } = recordedLookup.response_body.config;
  assert.deepEqual(config, recConfig, 'config values as recorded (Ironic defaults)');
  const token = r.body.config.agent_token as string;
  assert.match(token, /^[A-Za-z0-9_-]{43}$/);
  assert.equal((await dii()).agent_secret_token, token, 'stored for the conductor');
  assert.equal(r.body.node.uuid, uuid);
  assert.equal(r.body.node.driver_internal_info.agent_secret_token, '******');
  assert.equal(r.body.node.instance_info.image_url, '******');
  assert.deepEqual(r.body.node.properties.root_device, { name: '/dev/loop0' });
  assert.equal(r.body.node.links[0].href.endsWith(`/v1/nodes/${uuid}`), true);

  const again = await h.req('GET', `/v1/lookup?node_uuid=${uuid}`, undefined, { version: '1.68' });
  assert.equal(again.status, 200);
  assert.equal(again.body.config.agent_token, '******', 'a second lookup never sees the secret');
  assert.equal((await dii()).agent_secret_token, token, 'and the token stays');
});

test('heartbeat: bad input, wrong token (nothing changes), then recorded', async () => {
  await setState('wait call-back', { target_provision_state: 'active' });
  const token = (await dii()).agent_secret_token as string;
  assert.ok(token, 'issued by the previous test');
  const HB = `/v1/heartbeat/${uuid}`;
  const ok = { callback_url: 'http://127.0.0.1:17506', agent_token: token, agent_version: '9.4.3' };
  await fails('POST', HB, ok, 404, 'Resource could not be found.', '1.21');
  await fails('POST', HB, { agent_token: token }, 400, 'Missing mandatory parameter: callback_url');
  await fails('POST', HB, { ...ok, callback_url: 5 }, 400, 'Expected string for callback_url: 5');
  await fails('POST', HB, { ...ok, foo: 1 }, 400, 'Unexpected arguments: foo');
  await fails('POST', HB, ok, 400, 'Field "agent_version" not recognised', '1.35');
  await fails('POST', HB, { ...ok, agent_verify_ca: 'PEM' }, 400, 'Field "agent_verify_ca" not recognised in this version', '1.67');
  await fails('POST', HB, { ...ok, agent_status: 'start' }, 400, 'Fields "agent_status" and "agent_status_message" not recognised.', '1.71');
  await fails('POST', HB, { ...ok, agent_status: 'bogus' }, 400, 'Agent status is invalid. Valid states are start,end,error.', '1.72');
  await fails('POST', HB, { callback_url: ok.callback_url, agent_version: '9.4.3' }, 400, 'Agent token is required for heartbeat processing.');
  await fails('POST', HB, { callback_url: ok.callback_url, agent_token: token }, 400, 'Agent did not transmit a version, and a version is required. Please update the agent being used.');
  await fails('POST', '/v1/heartbeat/nope', ok, 404, 'Node nope could not be found.');
  await fails('POST', '/v1/heartbeat/bad%20name', ok, 400, 'Expected UUID or name for node_ident: bad name');
  const before = await row();
  await fails('POST', HB, { ...ok, agent_token: 'x'.repeat(43) }, 400, 'Invalid or missing agent token received.');
  await h.svc.conductor.idle();
  assert.deepEqual(await row(), before, 'a refused heartbeat changes nothing');

  const r = await h.req('POST', HB, ok, { version: '1.68' });
  assert.equal(r.status, 202, r.text);
  assert.equal(r.text, '');
  await h.svc.conductor.idle();
  const d = await dii();
  assert.equal(d.agent_url, ok.callback_url);
  assert.equal(d.agent_version, '9.4.3');
  assert.match(d.agent_last_heartbeat, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}$/);
  await fails('POST', HB, { ...ok, callback_url: 'http://10.0.0.1:9999' }, 400, 'Detected change in ramdisk provided "callback_url"');
  // By name too, and with agent_status at 1.72.
  assert.equal((await h.req('POST', '/v1/heartbeat/rd-a', { ...ok, agent_status: 'start', agent_status_message: 'hi' }, { version: '1.72' })).status, 202);
  await h.svc.conductor.idle();
  assert.equal((await dii()).agent_status, 'start');
});

test('heartbeat: a token from a past ramdisk session (wiped) is refused', async () => {
  const token = (await dii()).agent_secret_token as string;
  const d = await dii();
  delete d.agent_secret_token;
  delete d.agent_url;
  const n = (await h.svc.conductor.deps.nodes.getByUuid(uuid))!;
  await h.svc.conductor.deps.nodes.update(n.id, { driver_internal_info: d }, { reservation: null });
  await fails('POST', `/v1/heartbeat/${uuid}`, { callback_url: 'http://127.0.0.1:1', agent_token: token, agent_version: '9.4.3' }, 400, 'Invalid or missing agent token received.');
  await h.svc.conductor.idle();
  assert.equal((await dii()).agent_url, undefined);
});

test('ramdisk endpoints disabled: 403', async () => {
  const dis = await startHarness({ agent: { ...loadConfig({}).agent, enableRamdiskEndpoints: false } });
  try {
    const r = await dis.req('GET', `/v1/lookup?addresses=${MAC}`);
    assert.equal(r.status, 403);
    assert.equal(dis.fault(r.body), 'Access was denied to the following resource: /v1/lookup');
  } finally { await dis.close(); }
});
