/**
 * Drivers API, in process: list/detail/fields by version, GET one, properties, RAID
 * logical disk properties, vendor passthru methods, unknown drivers. The fake-hardware
 * data equals what the reference Ironic 21.4 deployment reports.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startHarness, type Harness } from '../../../test/support/api-harness.ts';

let h: Harness;
before(async () => { h = await startHarness(); });
after(async () => { await h.close(); });

/** What Ironic 21.4 (enabled: fake-hardware, manual-management, redfish, ipmi) reports for fake-hardware. */
const FAKE_HARDWARE: Record<string, [string, string[]]> = {
  bios: ['fake', ['fake', 'no-bios']], boot: ['fake', ['fake', 'ipxe', 'pxe']], console: ['no-console', ['no-console']],
  deploy: ['fake', ['direct', 'fake', 'ramdisk']], inspect: ['fake', ['fake', 'no-inspect']], management: ['fake', ['fake']],
  network: ['noop', ['noop']], power: ['fake', ['fake']], raid: ['fake', ['agent', 'fake', 'no-raid']],
  rescue: ['fake', ['fake', 'no-rescue']], storage: ['noop', ['noop']], vendor: ['fake', ['fake', 'no-vendor']],
};

test('detailed fake-hardware matches the reference Ironic', async () => {
  const r = await h.req('GET', '/v1/drivers/fake-hardware');
  assert.equal(r.status, 200);
  for (const [kind, [dflt, enabled]] of Object.entries(FAKE_HARDWARE)) {
    assert.equal(r.body[`default_${kind}_interface`], dflt, kind);
    assert.deepEqual(r.body[`enabled_${kind}_interfaces`], enabled, kind);
  }
  assert.equal(r.body.type, 'dynamic');
  assert.deepEqual(r.body.hosts, [h.svc.conductor.hostname]);
  const mm = (await h.req('GET', '/v1/drivers/manual-management')).body;
  assert.equal(mm.default_management_interface, 'noop');
  assert.deepEqual(mm.enabled_management_interfaces, ['fake', 'noop']);
  assert.equal(mm.default_power_interface, 'fake');
});

test('fields and interface kinds appear with their versions', async () => {
  const v = async (ver: string, url = '/v1/drivers?detail=True') => (await h.req('GET', url, undefined, { version: ver })).body;
  assert.deepEqual(Object.keys((await v('1.1', '/v1/drivers')).drivers[0]).sort(), ['hosts', 'links', 'name']);
  assert.ok('properties' in (await v('1.14', '/v1/drivers')).drivers[0]);
  const d30 = (await v('1.30')).drivers[0];
  assert.ok('default_boot_interface' in d30 && !('default_storage_interface' in d30));
  assert.ok('default_storage_interface' in (await v('1.33')).drivers[0]);
  assert.ok(!('default_rescue_interface' in (await v('1.37')).drivers[0]));
  assert.ok('default_rescue_interface' in (await v('1.38')).drivers[0]);
  assert.ok(!('default_bios_interface' in (await v('1.39')).drivers[0]));
  assert.ok('default_bios_interface' in (await v('1.40')).drivers[0]);
  assert.ok(!('default_boot_interface' in (await v('1.82', '/v1/drivers')).drivers[0]));
  assert.deepEqual((await v('1.82', '/v1/drivers')).drivers.map((d: any) => d.name), ['fake-hardware', 'ipmi', 'manual-management', 'redfish']);
  const one = await v('1.1', '/v1/drivers/fake-hardware');
  assert.deepEqual(Object.keys(one).sort(), ['hosts', 'links', 'name']);
  const f = await v('1.82', '/v1/drivers/fake-hardware?fields=name,default_boot_interface');
  assert.deepEqual(f, { name: 'fake-hardware', links: f.links, default_boot_interface: 'fake' });
  assert.deepEqual((await v('1.82', '/v1/drivers?type=classic')), { drivers: [] });
});

test('bad input and version errors', async () => {
  const cases: [string, string, number, string][] = [
    ['/v1/drivers?type=foo', '1.82', 400, '"type" filter must be one of "classic" or "dynamic", if specified.'],
    ['/v1/drivers?detail=True', '1.29', 406, 'Request not acceptable. The minimal required API version should be 1.30'],
    ['/v1/drivers?type=dynamic', '1.29', 406, 'Request not acceptable. The minimal required API version should be 1.30'],
    ['/v1/drivers?fields=name', '1.76', 406, 'Request not acceptable.'],
    ['/v1/drivers?fields=name,bogus', '1.82', 400, 'Field(s) "bogus" are not valid'],
    ['/v1/drivers?fields=name,default_boot_interface', '1.82', 400, 'Field(s) "default_boot_interface" are not valid'],
    ['/v1/drivers?fields=name&detail=True', '1.82', 400, 'Can not specify ?detail=True and fields in the same request.'],
    ['/v1/drivers?detail=maybe', '1.82', 400, "Invalid detail: Unrecognized value 'maybe', acceptable values are: '0', '1', 'f', 'false', 'n', 'no', 'off', 'on', 't', 'true', 'y', 'yes'"],
    ['/v1/drivers?limit=1', '1.82', 400, 'Unexpected arguments: limit'],
    ['/v1/drivers/nope', '1.82', 404, 'Could not find the following driver(s) or hardware type(s): nope.'],
    ['/v1/drivers/nope/properties', '1.82', 404, "The driver 'nope' is unknown."],
    ['/v1/drivers/nope/raid/logical_disk_properties', '1.82', 404, "The driver 'nope' is unknown."],
    ['/v1/drivers/fake-hardware/raid/logical_disk_properties', '1.11', 406, 'Request not acceptable.'],
    ['/v1/drivers/nope/vendor_passthru/methods', '1.82', 404, "The driver 'nope' is unknown."],
    ['/v1/drivers/fake-hardware/vendor_passthru?method=foo', '1.82', 400, 'No handler for method foo'],
    ['/v1/drivers/fake-hardware/vendor_passthru', '1.82', 400, 'Missing mandatory parameter: method'],
    ['/v1/drivers/fake-hardware/foo', '1.82', 400, 'Field(s) "foo" are not valid'],
  ];
  for (const [url, version, status, msg] of cases) {
    const r = await h.req('GET', url, undefined, { version });
    assert.equal(r.status, status, url);
    assert.equal(h.fault(r.body), msg, url);
  }
  assert.equal((await h.req('POST', '/v1/drivers', {})).status, 405);
  assert.equal((await h.req('DELETE', '/v1/drivers/fake-hardware')).status, 405);
});

test('properties, RAID properties and vendor methods', async () => {
  const p = await h.req('GET', '/v1/drivers/fake-hardware/properties');
  assert.deepEqual(p.body, { B1: 'B1 description. Required.', B2: 'B2 description. Required.' });
  const mm = (await h.req('GET', '/v1/drivers/manual-management/properties')).body;
  assert.equal(mm.deploy_kernel, 'UUID (from Glance) of the deployment kernel. Required.');
  for (const d of ['fake-hardware', 'manual-management']) {
    const r = await h.req('GET', `/v1/drivers/${d}/raid/logical_disk_properties`);
    assert.equal(r.status, 200, d);
    assert.match(r.body.raid_level, /^RAID level for the logical disk/);
  }
  assert.deepEqual((await h.req('GET', '/v1/drivers/fake-hardware/vendor_passthru/methods')).body, {});
});
