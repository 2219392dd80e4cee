/**
 * bios (1.40/1.74), history (1.78) and inventory (1.81): rendering, paging, query
 * checks and version gates, as Ironic 21.4 answers.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startHarness, type Harness } from '../../../test/support/api-harness.ts';
import { historyRepr } from './node-data.ts';

const SAMPLES = fileURLToPath(new URL('../../../../shared/data/ironic-api-samples', import.meta.url));
const sample = (name: string) => JSON.parse(readFileSync(`${SAMPLES}/${name}`, 'utf8'));

let h: Harness;
let uuid: string;
let nodeId: number;
const A = '/v1/nodes/dt-a';
const BASE = 'http://localhost:80';
const TS = '2026-01-02T03:04:05+00:00';
const EVENTS = ['e0000000-0000-4000-8000-000000000001', 'e0000000-0000-4000-8000-000000000002', 'e0000000-0000-4000-8000-000000000003'];

before(async () => {
  h = await startHarness();
  uuid = (await h.req('POST', '/v1/nodes', { driver: 'fake-hardware', name: 'dt-a' })).body.uuid;
  await h.req('POST', '/v1/nodes', { driver: 'fake-hardware', name: 'dt-b' });
  const db = h.svc.db.kysely;
  nodeId = (await db.selectFrom('nodes').select('id').where('uuid', '=', uuid).executeTakeFirstOrThrow()).id;
  const row = { node_id: nodeId, created_at: TS, updated_at: null, lower_bound: null, upper_bound: null, min_length: null, max_length: null };
  await db.insertInto('bios_settings').values([
    { ...row, name: 'ProcTurboMode', value: 'Enabled', attribute_type: null, allowable_values: null, read_only: null, reset_required: null, unique: null },
    { ...row, name: 'Virtualization', value: 'Enabled', attribute_type: 'Enumeration', allowable_values: JSON.stringify(['Enabled', 'Disabled']), read_only: 0, reset_required: null, unique: null },
    { ...row, name: 'NumCores', value: '4', attribute_type: 'Integer', allowable_values: null, read_only: 1, reset_required: 0, unique: 0, lower_bound: 1, upper_bound: 64 },
  ]).execute();
  const long = 'x'.repeat(300);
  await db.insertInto('node_history').values(EVENTS.map((u, i) => ({
    uuid: u, node_id: nodeId, conductor: 'c1', event_type: 'cleaning', severity: 'ERROR', event: i === 0 ? long : `event ${i}`,
    user: null, created_at: TS, updated_at: null,
  }))).execute();
});
after(async () => { await h.close(); });

async function fails(method: string, url: string, status: number, text: string, version?: string) {
  const r = await h.req(method, url, undefined, version ? { version } : {});
  assert.equal(r.status, status, `${method} ${url}: ${r.text}`);
  assert.equal(h.fault(r.body), text);
}
async function routing404(url: string, version: string) {
  const r = await h.req('GET', url, undefined, { version });
  assert.equal(r.status, 404, url);
  assert.deepEqual(JSON.parse(r.body.error_message), { code: 404, title: 'Not Found', description: '' });
}
const links = (ident: string, name: string) => [
  { href: `${BASE}/v1/nodes/${ident}/bios/${name}`, rel: 'self' }, { href: `${BASE}/nodes/${ident}/bios/${name}`, rel: 'bookmark' }];

test('bios list: name/value by name order, links under the given ident', async () => {
  const r = await h.req('GET', `${A}/bios`);
  assert.equal(r.status, 200);
  assert.deepEqual(r.body.bios.map((b: any) => b.name), ['NumCores', 'ProcTurboMode', 'Virtualization']);
  assert.deepEqual(r.body.bios[0], { created_at: TS, updated_at: null, name: 'NumCores', value: '4', links: links('dt-a', 'NumCores') });
  assert.deepEqual((await h.req('GET', '/v1/nodes/dt-b/bios')).body, { bios: [] });
  assert.deepEqual((await h.req('GET', `${A}/bios`, undefined, { version: '1.40' })).body, r.body);
});

test('bios detail and fields (1.74), like the api-ref sample', async () => {
  const d = (await h.req('GET', `${A}/bios?detail=true`)).body.bios;
  const ref = sample('node-bios-list-details-response.json').bios[0];
  const virt = d.find((b: any) => b.name === 'Virtualization');
  assert.deepEqual(Object.keys(virt).sort(), Object.keys(ref).sort());
  assert.deepEqual({ ...virt, links: undefined, created_at: undefined, updated_at: undefined },
    { ...ref, links: undefined, created_at: undefined, updated_at: undefined });
  const turbo = d.find((b: any) => b.name === 'ProcTurboMode');
  assert.deepEqual(turbo.allowable_values, [], 'a NULL list is rendered as []');
  assert.equal(turbo.read_only, null);
  const cores = d.find((b: any) => b.name === 'NumCores');
  assert.deepEqual([cores.read_only, cores.reset_required, cores.lower_bound, cores.upper_bound], [true, false, 1, 64]);
  const f = (await h.req('GET', `${A}/bios?fields=value,attribute_type`)).body.bios[0];
  assert.deepEqual(f, { created_at: TS, updated_at: null, value: '4', attribute_type: 'Integer', links: links('dt-a', 'NumCores') });
  assert.deepEqual(Object.keys((await h.req('GET', `${A}/bios?fields=`)).body.bios[0]), ['created_at', 'updated_at', 'links']);
  assert.deepEqual(Object.keys((await h.req('GET', `${A}/bios?detail=false`)).body.bios[0]), ['created_at', 'updated_at', 'name', 'value', 'links']);
});

test('bios one: registry fields from 1.74, links under the node UUID', async () => {
  const r = await h.req('GET', `${A}/bios/Virtualization`);
  assert.equal(r.status, 200);
  const v = r.body.Virtualization;
  assert.deepEqual(v.links, links(uuid, 'Virtualization'));
  assert.deepEqual([v.attribute_type, v.allowable_values, v.read_only, v.reset_required, v.unique], ['Enumeration', ['Enabled', 'Disabled'], false, null, null]);
  const old = (await h.req('GET', `${A}/bios/Virtualization`, undefined, { version: '1.73' })).body;
  assert.deepEqual(old, { Virtualization: { created_at: TS, updated_at: null, name: 'Virtualization', value: 'Enabled', links: links(uuid, 'Virtualization') } });
});

test('bios: bad input and version gates', async () => {
  await fails('GET', `${A}/bios?detail=true`, 400, 'Invalid query parameter ?detail=True received.', '1.73');
  await fails('GET', `${A}/bios?detail=false`, 400, 'Invalid query parameter ?detail=False received.', '1.73');
  await fails('GET', `${A}/bios?fields=name`, 400, "Invalid query parameter ?fields=['name'] received.", '1.73');
  await fails('GET', `${A}/bios?fields=name&detail=true`, 400, 'Can not specify ?detail=True and fields in the same request.');
  await fails('GET', `${A}/bios?detail=maybe`, 400, "Invalid detail: Unrecognized value 'maybe', acceptable values are: '0', '1', 'f', 'false', 'n', 'no', 'off', 'on', 't', 'true', 'y', 'yes'");
  await fails('GET', `${A}/bios?fields=foo`, 400, 'Field(s) "foo" are not valid');
  await fails('GET', `${A}/bios?x=1`, 400, 'Unexpected arguments: x');
  await fails('GET', `${A}/bios/Nope`, 404, `Node ${uuid} doesn't have a BIOS setting 'Nope'`);
  await fails('GET', `${A}/bios/bad%20name`, 400, 'Expected name for setting_name: bad name');
  await fails('GET', `${A}/bios/NumCores?fields=name`, 400, 'Unexpected arguments: fields');
  await fails('GET', `${A}/bios/NumCores?detail=true`, 400, 'Unexpected arguments: detail');
  await fails('GET', '/v1/nodes/nope/bios', 404, 'Node nope could not be found.');
  await fails('GET', '/v1/nodes/nope/bios/x', 404, 'Node nope could not be found.');
  await routing404(`${A}/bios`, '1.39');
  await routing404(`${A}/bios/NumCores`, '1.39');
  for (const [m, u] of [['PUT', `${A}/bios`], ['DELETE', `${A}/bios/NumCores`]]) assert.equal((await h.req(m!, u!, {})).status, 405);
});

test('history list: oldest first, long events cut to 251 + "...", self link only', async () => {
  const r = await h.req('GET', `${A}/history`);
  assert.equal(r.status, 200);
  assert.equal(r.body.next, undefined);
  assert.deepEqual(r.body.history.map((e: any) => e.uuid), EVENTS);
  assert.deepEqual(r.body.history[1], {
    uuid: EVENTS[1], created_at: TS, severity: 'ERROR', event: 'event 1',
    links: [{ href: `${BASE}/v1/nodes/${uuid}/history/${EVENTS[1]}`, rel: 'self' }],
  });
  assert.equal(r.body.history[0].event, `${'x'.repeat(251)}...`);
  const ref = sample('node-history-list-response.json').history[0];
  assert.deepEqual(Object.keys(r.body.history[0]), Object.keys(ref));
  const d = (await h.req('GET', `${A}/history?detail=true`)).body.history[0];
  assert.deepEqual(Object.keys(d), ['uuid', 'created_at', 'severity', 'event_type', 'event', 'conductor', 'user', 'links']);
  assert.equal(d.event.length, 300, 'detail keeps the whole event');
  assert.deepEqual((await h.req('GET', '/v1/nodes/dt-b/history')).body, { history: [] });
});

test('history paging: limit, marker, Ironic-shaped next link', async () => {
  let r = await h.req('GET', `${A}/history?limit=2`);
  assert.deepEqual(r.body.history.map((e: any) => e.uuid), EVENTS.slice(0, 2));
  assert.equal(r.body.next, `${BASE}/v1/nodes/dt-a/history?marker=None&fields=uuid,created_at,severity,event&limit=2&marker=${EVENTS[1]}`);
  r = await h.req('GET', `${A}/history?limit=2&marker=${EVENTS[0]}`);
  assert.deepEqual(r.body.history.map((e: any) => e.uuid), EVENTS.slice(1));
  assert.match(r.body.next, /\?marker=NodeHistory\(conductor='c1',created_at=2026-01-02T03:04:05Z,event='x+',event_type='cleaning',id=\d+,node_id=\d+,severity='ERROR',updated_at=None,user=None,uuid=e0000000-0000-4000-8000-000000000001\)&fields=uuid,created_at,severity,event&limit=2&marker=e0000000-0000-4000-8000-000000000003$/);
  r = await h.req('GET', `${A}/history?detail=true&limit=1`);
  assert.equal(r.body.next, `${BASE}/v1/nodes/dt-a/history?marker=None&fields=uuid,created_at,severity,event_type,event,conductor,user&limit=1&marker=${EVENTS[0]}`);
  r = await h.req('GET', `${A}/history?limit=5&marker=${EVENTS[2]}`);
  assert.deepEqual(r.body, { history: [] });
});

test('history one, and bad input', async () => {
  const r = await h.req('GET', `${A}/history/${EVENTS[2]}`);
  assert.deepEqual(r.body, {
    uuid: EVENTS[2], created_at: TS, severity: 'ERROR', event_type: 'cleaning', event: 'event 2', conductor: 'c1', user: null,
    links: [{ href: `${BASE}/v1/nodes/${uuid}/history/${EVENTS[2]}`, rel: 'self' }],
  });
  // as in 21.4, the event is found by UUID whatever its node
  assert.equal((await h.req('GET', `/v1/nodes/dt-b/history/${EVENTS[2]}`)).status, 200);
  await fails('GET', `${A}/history?limit=0`, 400, 'Limit must be positive');
  await fails('GET', `${A}/history?limit=-1`, 400, 'Limit must be positive');
  await fails('GET', `${A}/history?limit=abc`, 400, 'Expected an integer for limit: abc');
  await fails('GET', `${A}/history?marker=abc`, 400, 'Expected UUID for marker: abc');
  await fails('GET', `${A}/history?marker=${uuid}`, 404, `Node history record ${uuid} could not be found.`);
  await fails('GET', `${A}/history?detail=x`, 400, "Invalid detail: Unrecognized value 'x', acceptable values are: '0', '1', 'f', 'false', 'n', 'no', 'off', 'on', 't', 'true', 'y', 'yes'");
  await fails('GET', `${A}/history?fields=uuid`, 400, 'Unexpected arguments: fields');
  await fails('GET', `${A}/history/${uuid}`, 404, `Node history record ${uuid} could not be found.`);
  await fails('GET', `${A}/history/notauuid`, 404, 'Node history record notauuid could not be found.');
  await fails('GET', `${A}/history/bad%20x`, 400, 'Expected UUID or name for event: bad x');
  await fails('GET', `${A}/history/${EVENTS[0]}?detail=true`, 400, 'Unexpected arguments: detail');
  await fails('GET', '/v1/nodes/nope/history', 404, 'Node nope could not be found.');
  await routing404(`${A}/history`, '1.77');
  await routing404(`${A}/history/${EVENTS[0]}`, '1.77');
  const bad = await h.req('GET', '/v1/nodes/bad%20x/history');
  assert.equal(JSON.parse(bad.body.error_message).description, 'Expected UUID or name for node: bad x');
});

test('inventory (1.81): 404 naming the internal id when none; the stored documents', async () => {
  await fails('GET', `${A}/inventory`, 404, `Node inventory record for node ${nodeId} could not be found.`);
  const doc = sample('node-inventory-response.json');
  await h.svc.db.kysely.insertInto('node_inventory').values({
    node_id: nodeId, inventory_data: JSON.stringify(doc.inventory), plugin_data: JSON.stringify(doc.plugin_data), created_at: TS, updated_at: null,
  }).execute();
  assert.deepEqual((await h.req('GET', `${A}/inventory`)).body, doc);
  await fails('GET', `${A}/inventory?x=1`, 400, 'Unexpected arguments: x');
  await routing404(`${A}/inventory`, '1.80');
  assert.equal((await h.req('PUT', `${A}/inventory`, {})).status, 405);
});

test('historyRepr', () => {
  assert.equal(historyRepr(undefined), 'None');
  assert.equal(historyRepr({ id: 2, uuid: 'u', node_id: 4, conductor: null, event_type: 'x', severity: 'INFO', event: "it's", user: null, created_at: TS, updated_at: null }),
    "NodeHistory(conductor=None,created_at=2026-01-02T03:04:05Z,event='it's',event_type='x',id=2,node_id=4,severity='INFO',updated_at=None,user=None,uuid=u)");
});
