/**
 * Vendor quirks and write operations against the mockup trees: the server records every
 * non-GET request, so each test checks the exact URL, body and If-Match the client sent.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  RedfishClient, RedfishInvalidValueError, createVolume, deleteVolume, ejectMedia, findSystem, getAttributeRegistry,
  getBios, getPendingBiosAttributes, getSecureBoot, getStorage, getVolumes, insertMedia, listVirtualMedia,
  pickVirtualMedia, resetBios, resetSystem, samePath, setBiosAttributes, setBootOverride, setPower, setSecureBoot,
  validateBiosAttributes,
} from './index.ts';
import { MOCKUPS_DIR, SAMPLES_DIR, redfishErrorBody, sendJson, serveMockup, type Handler, type TestServer } from './test-support.ts';

function mockupSuite(name: string, body: (ctx: { server: () => TestServer; client: () => RedfishClient }) => void,
  onWrite?: Handler): void {
  const dir = join(MOCKUPS_DIR, name);
  describe(`${name} writes and quirks`, { skip: !existsSync(dir) && 'mockup missing' }, () => {
    let server: TestServer;
    let client: RedfishClient;
    before(async () => {
      server = await serveMockup(dir, onWrite);
      client = new RedfishClient({ address: server.url, retries: 0, timeoutMs: 10_000 });
    });
    after(async () => { await client.close(); await server.close(); });
    body({ server: () => server, client: () => client });
  });
}

const writes = (s: TestServer) => s.requests.filter((r) => r.method !== 'GET');
const lastWrite = (s: TestServer) => writes(s).at(-1)!;

mockupSuite('hpe-proliant-dl325-gen10plus-ilo5', ({ server, client }) => {
  it('resolves systems by id and by a differently-spelled path', async () => {
    assert.equal((await findSystem(client(), '1')).uri, '/redfish/v1/Systems/1');
    const s = await findSystem(client(), '/redfish/v1/systems/1/');
    assert.equal(s.uri, '/redfish/v1/systems/1/', 'the URI is kept as given');
    assert.equal(s.id, '1');
    assert.ok(samePath(s.uri, '/redfish/v1/Systems/1'));
  });

  it('follows the lower-case Bios link exactly and reads pending settings', async () => {
    const bios = (await getBios(client(), await findSystem(client())))!;
    assert.equal(bios.uri, '/redfish/v1/systems/1/bios');
    assert.equal(bios.settings?.settingsUri, '/redfish/v1/systems/1/bios/settings/');
    assert.ok(server().requests.some((r) => r.url === '/redfish/v1/systems/1/bios'));
    const pending = await getPendingBiosAttributes(client(), bios);
    assert.equal(pending?.['AcpiHpet'], 'Enabled');
  });

  it('looks the attribute registry up through Registries and validates values', async () => {
    const bios = (await getBios(client(), await findSystem(client())))!;
    const reg = (await getAttributeRegistry(client(), bios))!;
    assert.equal(reg.id, 'BiosAttributeRegistryA43.v1_2_52');
    assert.deepEqual(reg.attributes.get('AcpiHpet')?.allowableValues, ['Enabled', 'Disabled']);
    assert.deepEqual(validateBiosAttributes(reg, { AcpiHpet: 'Disabled' }), []);
    assert.match(validateBiosAttributes(reg, { AcpiHpet: 'Maybe' })[0]!, /AcpiHpet: "Maybe" not in Enabled, Disabled/);
    assert.match(validateBiosAttributes(reg, { NoSuchThing: 1 })[0]!, /unknown attribute/);
    assert.ok(server().requests.some((r) => r.url === '/redfish/v1/registrystore/registries/en/biosattributeregistrya43.v1_2_52'));
  });

  it('PATCHes BIOS changes to the settings object with its ETag', async () => {
    const bios = (await getBios(client(), await findSystem(client())))!;
    await setBiosAttributes(client(), bios, { AcpiHpet: 'Disabled' });
    const w = lastWrite(server());
    assert.equal(w.method, 'PATCH');
    assert.equal(w.url, '/redfish/v1/systems/1/bios/settings/');
    assert.equal(w.headers['if-match'], 'W/"D71327D9CCF83A3A3A358F915EA48FDB"');
    assert.deepEqual(w.body, { Attributes: { AcpiHpet: 'Disabled' } });
  });

  it('posts Bios.ResetBios with an empty JSON body', async () => {
    const bios = (await getBios(client(), await findSystem(client())))!;
    await resetBios(client(), bios);
    const w = lastWrite(server());
    assert.equal(w.url, '/redfish/v1/systems/1/bios/settings/Actions/Bios.ResetBios/');
    assert.deepEqual(w.body, {});
  });

  it('sets boot override with If-Match and the BMC spelling of values', async () => {
    await setBootOverride(client(), await findSystem(client()), { target: 'pxe', enabled: 'once', mode: 'uefi' });
    const w = lastWrite(server());
    assert.equal(w.method, 'PATCH');
    assert.equal(w.url, '/redfish/v1/Systems/1');
    assert.equal(w.headers['if-match'], 'W/"1C210906"');
    assert.deepEqual(w.body, { Boot: { BootSourceOverrideTarget: 'Pxe', BootSourceOverrideEnabled: 'Once', BootSourceOverrideMode: 'UEFI' } });
  });

  it('powers on with ComputerSystem.Reset', async () => {
    assert.equal(await setPower(client(), await findSystem(client()), 'on'), 'On');
    const w = lastWrite(server());
    assert.equal(w.url, '/redfish/v1/Systems/1/Actions/ComputerSystem.Reset');
    assert.deepEqual(w.body, { ResetType: 'On' });
  });

  it('toggles SecureBoot with a PATCH', async () => {
    const sb = (await getSecureBoot(client(), await findSystem(client())))!;
    await setSecureBoot(client(), sb, true);
    const w = lastWrite(server());
    assert.equal(w.url, '/redfish/v1/Systems/1/SecureBoot');
    assert.equal(w.headers['if-match'], 'W/"4A4CB737"');
    assert.deepEqual(w.body, { SecureBootEnable: true });
  });

  it('inserts and ejects virtual media through the standard actions', async () => {
    const vm = pickVirtualMedia(await listVirtualMedia(client(), await findSystem(client())), 'CD')!;
    assert.equal(vm.mediaPresent, false, 'Image "" means empty');
    await insertMedia(client(), vm, { image: 'http://10.0.0.1/boot.iso' });
    let w = lastWrite(server());
    assert.equal(w.url, '/redfish/v1/Managers/1/VirtualMedia/2/Actions/VirtualMedia.InsertMedia');
    assert.deepEqual(w.body, { Image: 'http://10.0.0.1/boot.iso' });
    await ejectMedia(client(), vm);
    w = lastWrite(server());
    assert.equal(w.url, '/redfish/v1/Managers/1/VirtualMedia/2/Actions/VirtualMedia.EjectMedia');
    assert.equal(w.body, undefined);
  });
});

let amiInsertAttempts = 0;
mockupSuite('gigabyte-ami-megarac', ({ server, client }) => {
  it('uses ActionInfo allowable values for power actions', async () => {
    const system = await findSystem(client());
    assert.equal(await setPower(client(), system, 'reboot'), 'ForceRestart');
    assert.deepEqual(lastWrite(server()).body, { ResetType: 'ForceRestart' });
    await assert.rejects(setPower(client(), system, 'soft-reboot'), (e: unknown) => {
      assert.ok(e instanceof RedfishInvalidValueError);
      assert.deepEqual(e.allowed, ['GracefulShutdown', 'ForceRestart', 'ForceOff', 'On']);
      assert.match(e.message, /allowed values: GracefulShutdown, ForceRestart, ForceOff, On/);
      return true;
    });
    await resetSystem(client(), system, 'gracefulshutdown');
    assert.deepEqual(lastWrite(server()).body, { ResetType: 'GracefulShutdown' });
  });

  it('PATCHes BIOS attributes on the Bios resource itself when there is no SettingsObject', async () => {
    const bios = (await getBios(client(), await findSystem(client())))!;
    assert.equal(bios.settings?.settingsUri, undefined);
    const reg = (await getAttributeRegistry(client(), bios))!;
    assert.deepEqual(reg.attributes.get('FBO001')?.allowableValues, ['LEGACY', 'UEFI']);
    await setBiosAttributes(client(), bios, { FBO001: 'LEGACY' }, { registry: reg });
    const w = lastWrite(server());
    assert.equal(w.url, '/redfish/v1/Systems/Self/Bios');
    assert.equal(w.headers['if-match'], 'W/"1616690218"');
    await assert.rejects(setBiosAttributes(client(), bios, { FBO001: 'BIOS' }, { registry: reg }), /FBO001: "BIOS" not in LEGACY, UEFI/);
  });

  it('picks the CD by its Id when MediaTypes is missing, and adds TransferProtocolType when demanded', async () => {
    const vm = pickVirtualMedia(await listVirtualMedia(client(), await findSystem(client())), 'CD')!;
    assert.equal(vm.mediaTypes, undefined);
    assert.equal(vm.mediaPresent, false, 'Inserted false');
    await insertMedia(client(), vm, { image: 'https://10.0.0.1/boot.iso' });
    assert.equal(amiInsertAttempts, 2);
    const w = lastWrite(server());
    assert.deepEqual(w.body, { Image: 'https://10.0.0.1/boot.iso', TransferProtocolType: 'HTTPS' });
  });
}, (req, res) => {
  // As AMI firmware does: InsertMedia without TransferProtocolType is rejected with 400.
  if (!req.url.endsWith('VirtualMedia.InsertMedia')) return;
  amiInsertAttempts++;
  const body = req.body as Record<string, unknown>;
  if (!body['TransferProtocolType']) {
    const sample = join(SAMPLES_DIR, 'transfer_proto_required_error.json');
    sendJson(res, 400, existsSync(sample) ? JSON.parse(readFileSync(sample, 'utf8'))
      : redfishErrorBody('Base.1.5.ActionParameterMissing', 'requires the parameter TransferProtocolType'));
  }
});

mockupSuite('dmtf-public-rackmount1', ({ server, client }) => {
  it('falls back to PATCH for virtual media without actions', async () => {
    const vm = pickVirtualMedia(await listVirtualMedia(client(), await findSystem(client())), 'CD')!;
    assert.equal(vm.insertTarget, undefined);
    await insertMedia(client(), vm, { image: 'http://10.0.0.1/x.iso' });
    let w = lastWrite(server());
    assert.equal(w.method, 'PATCH');
    assert.equal(w.url, '/redfish/v1/Systems/437XR1138R2/VirtualMedia/CD1');
    assert.equal(w.headers['if-match'], undefined, 'the resource has no ETag');
    assert.deepEqual(w.body, { Image: 'http://10.0.0.1/x.iso', Inserted: true, WriteProtected: true });
    await ejectMedia(client(), vm);
    w = lastWrite(server());
    assert.deepEqual(w.body, { Image: null, Inserted: false });
  });

  it('rejects a boot target the BMC does not allow, before sending anything', async () => {
    const before = writes(server()).length;
    await assert.rejects(setBootOverride(client(), await findSystem(client()), { target: 'Floppy' }), RedfishInvalidValueError);
    await assert.rejects(setBootOverride(client(), await findSystem(client()), { mode: 'BIOS' }), /allowed values: Legacy, UEFI/);
    assert.equal(writes(server()).length, before);
    await setBootOverride(client(), await findSystem(client()), { mode: 'legacy' });
    assert.deepEqual(lastWrite(server()).body, { Boot: { BootSourceOverrideMode: 'Legacy' } });
  });
});

mockupSuite('dmtf-public-tower', ({ server, client }) => {
  it('creates a volume in a Volumes collection and deletes one', async () => {
    const storages = await getStorage(client(), await findSystem(client()));
    const raid = storages.find((s) => s.id === 'RAIDIntegrated')!;
    assert.deepEqual(raid.controllers[0]?.supportedRaidTypes?.slice(0, 3), ['None', 'RAID0', 'RAID1']);
    const op = await createVolume(client(), raid, {
      raidType: 'RAID1', capacityBytes: 1e12, name: 'os',
      drives: ['/redfish/v1/Chassis/Tower/Drives/Disk-1-0', '/redfish/v1/Chassis/Tower/Drives/Disk-1-1'],
    });
    assert.equal(op.status, 204);
    let w = lastWrite(server());
    assert.equal(w.method, 'POST');
    assert.equal(w.url, '/redfish/v1/Systems/437XR1238R2/Storage/RAIDIntegrated/Volumes');
    assert.deepEqual(w.body, {
      Name: 'os', CapacityBytes: 1e12, RAIDType: 'RAID1',
      Links: { Drives: [{ '@odata.id': '/redfish/v1/Chassis/Tower/Drives/Disk-1-0' }, { '@odata.id': '/redfish/v1/Chassis/Tower/Drives/Disk-1-1' }] },
    });
    const [vol] = await getVolumes(client(), raid);
    assert.equal(vol!.raidType, 'None');
    await deleteVolume(client(), vol!, { applyTime: 'OnReset' });
    w = lastWrite(server());
    assert.equal(w.method, 'DELETE');
    assert.equal(w.url, '/redfish/v1/Systems/437XR1238R2/Storage/RAIDIntegrated/Volumes/Scratchpad');
    assert.deepEqual(w.body, { '@Redfish.OperationApplyTime': 'OnReset' });
  });
});
