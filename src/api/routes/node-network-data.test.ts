/**
 * network_data is validated against Ironic's network-data schema: on create inside the node
 * schema (null, {} or a full document), on PATCH of /network_data itself by
 * validate_network_data. Expected texts are 21.4's answers to the same requests.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startHarness, type Harness } from '../../../test/support/api-harness.ts';

let h: Harness;
before(async () => { h = await startHarness(); });
after(async () => { await h.close(); });

const IPV4 = "'^(?:(?:25[0-5]|2[0-4][0-9]|[01]?[0-9][0-9]?)\\\\.){3}(?:25[0-5]|2[0-4][0-9]|[01]?[0-9][0-9]?)$'";
const doc = (over: Record<string, unknown>) => ({ links: [], networks: [], services: [], ...over });
const GOOD = doc({
  links: [{ id: 'eth0', type: 'phy', ethernet_mac_address: 'FA:16:3e:9c:bf:3d', mtu: 1500 },
    { id: 'bond0', type: 'bond', ethernet_mac_address: 'fa:16:3e:9c:bf:3e', bond_mode: '802.1ad', bond_links: ['eth0'] },
    { id: 'vlan5', type: 'vlan', vlan_mac_address: 'fa:16:3e:9c:bf:3f', vlan_link: 'bond0', vlan_id: 5 }],
  networks: [{ id: 'n4', link: 'eth0', network_id: 'x', type: 'ipv4', ip_address: '10.0.0.3', netmask: '255.255.255.0',
    routes: [{ network: '0.0.0.0', netmask: '0.0.0.0', gateway: '10.0.0.1' }] },
  { id: 'n6', link: 'eth0', network_id: 'y', type: 'ipv6', ip_address: 'fd00::3/64', routes: [{ network: '::', netmask: '::', gateway: 'fd00::1' }] }],
  services: [{ type: 'dns', address: '8.8.8.8' }, { type: 'dns', address: '2001:4860:4860::8888' }],
});

async function createFails(networkData: unknown, fault: string) {
  const r = await h.req('POST', '/v1/nodes', { driver: 'fake-hardware', network_data: networkData });
  assert.equal(r.status, 400, r.text);
  assert.equal(h.fault(r.body), fault);
}

test('create: a valid document, {} and null are accepted and stored', async () => {
  const r = await h.req('POST', '/v1/nodes', { driver: 'fake-hardware', name: 'nd-good', network_data: GOOD });
  assert.equal(r.status, 201, r.text);
  assert.deepEqual(r.body.network_data, GOOD);
  for (const nd of [{}, null]) assert.equal((await h.req('POST', '/v1/nodes', { driver: 'fake-hardware', network_data: nd })).status, 201);
});

test('create: schema violations are 400 with 21.4\'s messages', async () => {
  await createFails({ links: 5 }, "Schema error for node: 5 is not of type 'array'");
  await createFails({ links: [], networks: [] }, "Schema error for node: {'links': [], 'networks': []} is not valid under any of the given schemas. Possible root cause: {'links': [], 'networks': []} is not of type 'null'");
  await createFails(doc({ links: [{ id: 'eth0', type: 'phy', ethernet_mac_address: 'zz:16:3e:9c:bf:3d' }] }),
    "Schema error for node: {'id': 'eth0', 'type': 'phy', 'ethernet_mac_address': 'zz:16:3e:9c:bf:3d'} is not valid under any of the given schemas. Possible root cause: 'bond_mode' is a required property");
  await createFails(doc({ networks: [{ id: 'n', link: 'eth0', network_id: 'x', type: 'ipv4', ip_address: '10.0.0.300' }] }),
    `Schema error for node: {'id': 'n', 'link': 'eth0', 'network_id': 'x', 'type': 'ipv4', 'ip_address': '10.0.0.300'} is not valid under any of the given schemas. Possible root cause: '10.0.0.300' does not match ${IPV4}`);
  await createFails(doc({ services: [{ type: 'dns', address: '8.8.8.888' }] }),
    `Schema error for node: {'type': 'dns', 'address': '8.8.8.888'} is not valid under any of the given schemas. Possible root cause: '8.8.8.888' does not match ${IPV4}`);
  await createFails(doc({ links: [{ id: 'v', type: 'vlan', vlan_mac_address: 'fa:16:3e:9c:bf:3d', vlan_link: 'eth0', vlan_id: '5' }] }),
    "Schema error for node: {'id': 'v', 'type': 'vlan', 'vlan_mac_address': 'fa:16:3e:9c:bf:3d', 'vlan_link': 'eth0', 'vlan_id': '5'} is not valid under any of the given schemas. Possible root cause: 'ethernet_mac_address' is a required property");
  await createFails([], "Schema error for node: [] is not valid under any of the given schemas. Possible root cause: [] is not of type 'null'");
});

test('PATCH /network_data: validate_network_data (no {}; message with 21.4\'s trailing space)', async () => {
  const patch = (value: unknown) => h.req('PATCH', '/v1/nodes/nd-good', [{ op: 'replace', path: '/network_data', value }]);
  let r = await patch({});
  assert.equal(r.status, 400);
  assert.equal(h.fault(r.body), "Invalid network_data: 'links' is a required property ");
  r = await patch(doc({ links: [{ id: 'eth0', type: 'phy', ethernet_mac_address: 'zz' }] }));
  assert.equal(h.fault(r.body), "Invalid network_data: {'id': 'eth0', 'type': 'phy', 'ethernet_mac_address': 'zz'} is not valid under any of the given schemas ");
  r = await patch(doc({}));
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.body.network_data, doc({}));
});
