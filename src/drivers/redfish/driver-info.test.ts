/**
 * driver_info validation and properties: texts as the reference Ironic 21.4 answers them
 * (GET /v1/nodes/{id}/validate, GET /v1/drivers/redfish/properties); the connection cache.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DriverError, InvalidError } from '../../core/errors.ts';
import type { Json } from '../../core/node.ts';
import { makeTestContext, makeTestNode } from '../../testing/driver-conformance.ts';
import { RedfishConnectionCache } from './connection.ts';
import { parseRedfishDriverInfo, REDFISH_PROPERTIES } from './driver-info.ts';
import { RedfishPower } from './power.ts';
import { RedfishVirtualMediaBoot } from './boot.ts';

const UUID = '5cbba0fc-d79e-4379-89d7-3c08e9d38345';
const node = (driver_info: Json) => makeTestNode({ uuid: UUID, driver: 'redfish', driver_info });
const messageOf = (di: Json): string | null => {
  try { parseRedfishDriverInfo(node(di)); return null; } catch (e) { assert.ok(e instanceof InvalidError); return e.message; }
};
const ok = { redfish_address: 'http://bmc' };

test('validation messages are Ironic\'s, in Ironic\'s order', () => {
  assert.equal(messageOf({}), `Missing the following Redfish properties in node ${UUID} driver_info: ['redfish_address']`);
  assert.equal(messageOf({ redfish_address: '' }), `Missing the following Redfish properties in node ${UUID} driver_info: ['redfish_address']`);
  assert.equal(messageOf({ redfish_address: 'http://[bad' }), `Invalid Redfish address http://[bad set in driver_info/redfish_address on node ${UUID}`);
  assert.equal(messageOf({ redfish_address: 123 }), `Invalid Redfish address 123 set in driver_info/redfish_address on node ${UUID}`);
  assert.equal(messageOf({ ...ok, redfish_system_id: 123 }), `Invalid value "123" set in driver_info/redfish_system_id on node ${UUID}. `
    + 'The value should be a path (string) to the resource that the driver will interact with. For example: /redfish/v1/Systems/1');
  assert.equal(messageOf({ ...ok, redfish_verify_ca: 'maybe' }), `Invalid value type set in driver_info/redfish_verify_ca on node ${UUID}. `
    + 'The value should be a Boolean or the path to a file/directory, not "maybe"');
  assert.equal(messageOf({ ...ok, redfish_verify_ca: 5 }), `Invalid value type set in driver_info/redfish_verify_ca on node ${UUID}. `
    + 'The value should be a Boolean or the path to a file/directory, not "5"');
  assert.equal(messageOf({ ...ok, redfish_verify_ca: 'yes', redfish_auth_type: 'token' }),
    `Invalid value "token" set in driver_info/redfish_auth_type on node ${UUID}. The value should be one of "basic", "session" or "auto".`);
});

test('addresses: scheme defaults to https, a path becomes the root prefix, IPv6 is bracketed', () => {
  assert.deepEqual(parseRedfishDriverInfo(node({ redfish_address: 'bmc.example:8000/x' })).address, 'https://bmc.example:8000');
  assert.equal(parseRedfishDriverInfo(node({ redfish_address: 'bmc.example:8000/x' })).rootPrefix, '/x');
  assert.equal(parseRedfishDriverInfo(node({ redfish_address: '::1' })).address, 'https://[::1]');
  const info = parseRedfishDriverInfo(node({
    redfish_address: 'http://10.0.0.5/', redfish_system_id: '/redfish/v1/Systems/a b', redfish_verify_ca: 'False',
    redfish_username: 'u', redfish_password: 'p', redfish_auth_type: 'basic',
  }));
  assert.deepEqual(info, {
    address: 'http://10.0.0.5', rootPrefix: undefined, systemId: '/redfish/v1/Systems/a%20b', username: 'u', password: 'p',
    verifyCa: false, authType: 'basic',
  });
  assert.equal(parseRedfishDriverInfo(node(ok)).verifyCa, true);
  assert.equal(parseRedfishDriverInfo(node({ ...ok, redfish_verify_ca: '/etc/hostname' })).verifyCa, '/etc/hostname');
});

test('properties are Ironic\'s COMMON_PROPERTIES; the virtual media boot adds its three keys', () => {
  assert.deepEqual(Object.keys(REDFISH_PROPERTIES), ['redfish_address', 'redfish_system_id', 'redfish_username', 'redfish_password', 'redfish_verify_ca', 'redfish_auth_type']);
  assert.match(REDFISH_PROPERTIES.redfish_address!, /^The URL address to the Redfish controller\. .* root_prefix\. Required$/);
  const cache = new RedfishConnectionCache();
  assert.deepEqual(new RedfishPower(cache).properties(), REDFISH_PROPERTIES);
  assert.deepEqual(Object.keys(new RedfishVirtualMediaBoot(cache).properties()), ['deploy_kernel', 'deploy_ramdisk', 'deploy_iso']);
});

test('virtual media validate: the ISO first (Ironic\'s text), then driver_info', async () => {
  const boot = new RedfishVirtualMediaBoot(new RedfishConnectionCache());
  const check = async (di: Json, fields: Json = {}): Promise<string | null> => {
    try { await boot.validate(makeTestContext({ node: { ...node(di), ...fields } })); return null; } catch (e) { return (e as Error).message; }
  };
  assert.equal(await check({}), "Error validating Redfish virtual media. Some parameters were missing in node's driver_info. Missing are: ['deploy_kernel', 'deploy_ramdisk']");
  assert.equal(await check({ deploy_kernel: 'k' }), "Error validating Redfish virtual media. Some parameters were missing in node's driver_info. Missing are: ['deploy_kernel', 'deploy_ramdisk']");
  assert.match((await check({ deploy_kernel: 'k', deploy_ramdisk: 'r' }))!, /needs driver_info\/deploy_iso .* no http_root\/http_url to build and serve an ISO from deploy_kernel\/deploy_ramdisk/);
  const building = new RedfishVirtualMediaBoot(new RedfishConnectionCache(), { httpRoot: '/nonexistent', httpUrl: () => 'http://x', apiUrl: () => 'http://y' });
  await assert.rejects(building.validate(makeTestContext({ node: node({ deploy_kernel: 'k', deploy_ramdisk: 'r' }) })), /Missing the following Redfish properties/,
    'a conductor that builds ISOs accepts the pair and goes on to the Redfish fields');
  assert.equal(await check({ deploy_iso: 'http://x/a.iso' }), `Missing the following Redfish properties in node ${UUID} driver_info: ['redfish_address']`);
  assert.equal(await check({ ...ok, redfish_deploy_iso: 'http://x/a.iso' }), null);
  assert.match((await check({ ...ok, deploy_iso: 'd' }, { provision_state: 'rescuing' }))!, /Missing are: \['rescue_kernel', 'rescue_ramdisk'\]/);
  assert.equal(await check(ok, { deploy_interface: 'ramdisk', automated_clean: false }), null, 'ramdisk deploys without cleaning need no agent ISO');
});

test('connection cache: one client per BMC credentials, LRU bound, closed cache refuses', async () => {
  const cache = new RedfishConnectionCache({ maxClients: 2 });
  const info = (o: Json = {}) => parseRedfishDriverInfo(node({ redfish_address: 'http://127.0.0.1:9', redfish_username: 'a', redfish_password: 'p', ...o }));
  const a = cache.client(info());
  assert.equal(cache.client(info({ redfish_system_id: '/redfish/v1/Systems/2' })), a, 'systems of one BMC share the session');
  assert.notEqual(cache.client(info({ redfish_password: 'other' })), a, 'a changed password makes a new session');
  cache.client(info({ redfish_address: 'http://127.0.0.1:10' }));
  assert.equal(cache.size, 2);
  assert.notEqual(cache.client(info()), a, 'the least recently used client was evicted');
  await cache.close();
  assert.throws(() => cache.client(info()), (e: unknown) => e instanceof DriverError && e.retryable && /connections were closed/.test(e.message));
});
