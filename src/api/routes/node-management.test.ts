/**
 * /v1/nodes/{ident}/management: boot_device, boot_device/supported, inject_nmi and
 * indicators, against the texts and statuses of Ironic 21.4 (fake-hardware and
 * manual-management nodes).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startHarness, type Harness } from '../../../test/support/api-harness.ts';
import { splitIndicator } from './node-management.ts';

/** shared/ sits beside the project root (here and in CI). */
const SAMPLES = fileURLToPath(new URL('../../../../shared/data/ironic-api-samples', import.meta.url));
const sample = (name: string) => JSON.parse(readFileSync(`${SAMPLES}/${name}`, 'utf8'));

let h: Harness;
const A = '/v1/nodes/mg-a/management';
const MM = '/v1/nodes/mg-mm/management';

before(async () => {
  h = await startHarness();
  assert.equal((await h.req('POST', '/v1/nodes', { driver: 'fake-hardware', name: 'mg-a' })).status, 201);
  assert.equal((await h.req('POST', '/v1/nodes', { driver: 'manual-management', name: 'mg-mm' })).status, 201);
});
after(async () => { await h.close(); });

async function fails(method: string, url: string, body: unknown, status: number, text: string, version?: string) {
  const r = await h.req(method, url, body, version ? { version } : {});
  assert.equal(r.status, status, `${method} ${url}: ${r.text}`);
  assert.equal(h.fault(r.body), text);
}

test('boot device: get, supported, set with the sample body', async () => {
  assert.deepEqual((await h.req('GET', `${A}/boot_device`)).body, { boot_device: 'pxe', persistent: false });
  assert.deepEqual((await h.req('GET', `${A}/boot_device/supported`)).body, { supported_boot_devices: ['pxe'] });
  const r = await h.req('PUT', `${A}/boot_device`, sample('node-set-boot-device.json'));
  assert.equal(r.status, 204);
  assert.equal(r.text, '');
  for (const persistent of [true, 'yes', 1, null]) {
    assert.equal((await h.req('PUT', `${A}/boot_device`, { boot_device: 'pxe', persistent })).status, 204, String(persistent));
  }
  // boot_device from the query, and as a trailing path word (Pecan's positional argument)
  assert.equal((await h.req('PUT', `${A}/boot_device?boot_device=pxe`)).status, 204);
  assert.equal((await h.req('PUT', `${A}/boot_device/pxe`)).status, 204);
});

test('boot device: bad input', async () => {
  await fails('PUT', `${A}/boot_device`, { boot_device: 'disk' }, 400, 'Invalid boot device disk specified.');
  await fails('PUT', `${A}/boot_device/supported`, undefined, 400, 'Invalid boot device supported specified.');
  await fails('PUT', `${A}/boot_device`, {}, 400, 'Missing mandatory parameter: boot_device');
  await fails('PUT', `${A}/boot_device`, [], 400, 'Missing mandatory parameter: boot_device');
  await fails('PUT', `${A}/boot_device`, { boot_device: 5 }, 400, 'Expected string for boot_device: 5');
  await fails('PUT', `${A}/boot_device`, { boot_device: 'pxe', persistent: 'maybe' }, 400,
    "Invalid persistent: Unrecognized value 'maybe', acceptable values are: '0', '1', 'f', 'false', 'n', 'no', 'off', 'on', 't', 'true', 'y', 'yes'");
  await fails('PUT', `${A}/boot_device`, { boot_device: 'pxe', x: 1 }, 400, 'Unexpected arguments: x');
  await fails('GET', `${A}/boot_device?x=1`, undefined, 400, 'Unexpected arguments: x');
  await fails('GET', `${A}/boot_device/supported?x=1`, undefined, 400, 'Unexpected arguments: x');
  await fails('GET', '/v1/nodes/nope/management/boot_device', undefined, 404, 'Node nope could not be found.');
  await fails('GET', '/v1/nodes/bad%20name/management/boot_device', undefined, 400, 'Expected UUID or name for node_ident: bad name');
  // names are only looked up from 1.5
  await fails('GET', `${A}/boot_device`, undefined, 404, 'Node mg-a could not be found.', '1.1');
  for (const [m, u] of [['POST', `${A}/boot_device`], ['DELETE', `${A}/boot_device`], ['GET', A], ['GET', `${A}/foo`], ['GET', `${A}/inject_nmi`]]) {
    const r = await h.req(m!, u!);
    assert.equal(r.status, 405, `${m} ${u}`);
    assert.equal(JSON.parse(r.body.error_message).title, 'Method Not Allowed');
  }
  const r = await h.req('GET', '/v1/nodes/bad%20name/management');
  assert.equal(r.status, 400);
  assert.equal(JSON.parse(r.body.error_message).description, 'Expected UUID or name for node: bad name');
});

test('manual-management (noop management): devices pxe and disk, no indicators or NMI', async () => {
  assert.deepEqual((await h.req('GET', `${MM}/boot_device`)).body, { boot_device: 'pxe', persistent: true });
  assert.deepEqual((await h.req('GET', `${MM}/boot_device/supported`)).body, { supported_boot_devices: ['pxe', 'disk'] });
  assert.equal((await h.req('PUT', `${MM}/boot_device`, { boot_device: 'disk' })).status, 204);
  await fails('PUT', `${MM}/boot_device`, { boot_device: 'cdrom' }, 400, 'Invalid boot device cdrom specified, supported are pxe, disk.');
  await fails('GET', `${MM}/indicators`, undefined, 400, 'Driver manual-management does not support get_supported_indicators (disabled or not implemented).');
  await fails('GET', `${MM}/indicators/led@system`, undefined, 400, 'Driver manual-management does not support get_indicator_state (disabled or not implemented).');
  await fails('PUT', `${MM}/indicators/led@system`, { state: 'on' }, 400, 'Driver manual-management does not support set_indicator_state (disabled or not implemented).');
  await fails('PUT', `${MM}/inject_nmi`, {}, 400, 'Driver manual-management does not support inject_nmi (disabled or not implemented).');
});

test('inject_nmi: 1.29, 404 below (after argument checks)', async () => {
  await fails('PUT', `${A}/inject_nmi`, sample('node-inject-nmi.json'), 400, 'Driver fake-hardware does not support inject_nmi (disabled or not implemented).');
  await fails('PUT', `${A}/inject_nmi`, undefined, 400, 'Driver fake-hardware does not support inject_nmi (disabled or not implemented).');
  await fails('PUT', `${A}/inject_nmi`, {}, 404, 'Resource could not be found.', '1.28');
  await fails('PUT', '/v1/nodes/nope/management/inject_nmi', {}, 404, 'Resource could not be found.', '1.28');
  await fails('PUT', '/v1/nodes/nope/management/inject_nmi', {}, 404, 'Node nope could not be found.', '1.29');
  await fails('PUT', `${A}/inject_nmi`, { a: 1 }, 400, 'Unexpected arguments: a');
  await fails('PUT', `${A}/inject_nmi?a=1`, undefined, 400, 'Unexpected arguments: a', '1.28');
  await fails('PUT', '/v1/nodes/bad%20name/management/inject_nmi', undefined, 400, 'Expected UUID or name for node_ident: bad name', '1.28');
});

test('indicators: list with links under the given ident, get one, set (unsupported by fake)', async () => {
  const r = await h.req('GET', `${A}/indicators`);
  assert.equal(r.status, 200);
  const base = 'http://localhost:80';
  assert.deepEqual(r.body, {
    indicators: [
      { name: 'led-0@chassis', component: 'chassis', readonly: true, states: ['off', 'on'], links: [
        { href: `${base}/v1/nodes/mg-a/management/indicators/led-0@chassis`, rel: 'self' },
        { href: `${base}/nodes/mg-a/management/indicators/led-0@chassis`, rel: 'bookmark' }] },
      { name: 'led@system', component: 'system', readonly: false, states: ['blinking', 'off', 'on'], links: [
        { href: `${base}/v1/nodes/mg-a/management/indicators/led@system`, rel: 'self' },
        { href: `${base}/nodes/mg-a/management/indicators/led@system`, rel: 'bookmark' }] },
    ],
  });
  // get_all ignores extra arguments; indicators are not version-gated in 21.4
  assert.equal((await h.req('GET', `${A}/indicators?x=1`)).status, 200);
  const uuid = (await h.req('GET', '/v1/nodes/mg-a')).body.uuid;
  assert.equal((await h.req('GET', `/v1/nodes/${uuid}/management/indicators`, undefined, { version: '1.1' })).status, 200);
  assert.deepEqual((await h.req('GET', `${A}/indicators/led@system`)).body, { state: 'on' });
  await fails('GET', `${A}/indicators/led`, undefined, 400, 'Malformed indicator name "led"');
  await fails('GET', `${A}/indicators/led@foo`, undefined, 400, 'Invalid component foo specified.');
  await fails('GET', `${A}/indicators/nope@system`, undefined, 400, 'Invalid indicator nope specified.');
  await fails('GET', `${A}/indicators/led@system?x=1`, undefined, 400, 'Unexpected arguments: x');
  await fails('GET', '/v1/nodes/nope/management/indicators/led', undefined, 404, 'Node nope could not be found.');
  await fails('PUT', `${A}/indicators/led@system`, { state: 'off' }, 400, 'Driver fake-hardware does not support set_indicator_state (disabled or not implemented).');
  await fails('PUT', `${A}/indicators/led@system`, {}, 400, 'Missing mandatory parameter: state');
  await fails('PUT', `${A}/indicators/led@system`, { state: 5 }, 400, 'Expected string for state: 5');
  await fails('PUT', `${A}/indicators/led`, sample('node-indicators-set-state.json'), 400, 'Malformed indicator name "led"');
  await fails('PUT', `${A}/indicators`, { state: 'off' }, 400, 'Missing mandatory parameter: indicator');
  await fails('PUT', `${A}/indicators/led@system`, { state: 'off', x: 1 }, 400, 'Unexpected arguments: x');
  await fails('GET', '/v1/nodes/bad%20name/management/indicators', undefined, 400, 'Expected UUID or name for node_ident: bad name');
});

test('a locked node: reads that need the lock answer 409, shared ones do not', async () => {
  const db = h.svc.db.kysely;
  await db.updateTable('nodes').set({ reservation: 'other-host' }).where('name', '=', 'mg-a').execute();
  try {
    for (const [m, u, b] of [['GET', `${A}/boot_device`], ['PUT', `${A}/boot_device`, { boot_device: 'pxe' }], ['GET', `${A}/indicators/led@system`]] as const) {
      const r = await h.req(m, u, b);
      assert.equal(r.status, 409, `${m} ${u}`);
      assert.match(h.fault(r.body), /is locked by host other-host, please retry after the current operation is completed\.$/);
    }
    assert.equal((await h.req('GET', `${A}/boot_device/supported`)).status, 200);
    assert.equal((await h.req('GET', `${A}/indicators`)).status, 200);
  } finally {
    await db.updateTable('nodes').set({ reservation: null }).where('name', '=', 'mg-a').execute();
  }
});

test('splitIndicator splits at the first @', () => {
  assert.deepEqual(splitIndicator('led@system'), { name: 'led', component: 'system' });
  assert.deepEqual(splitIndicator('a@b@c'), { name: 'a', component: 'b@c' });
  assert.throws(() => splitIndicator('led'), /Malformed indicator name "led"/);
});
