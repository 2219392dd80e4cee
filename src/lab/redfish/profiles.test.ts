/**
 * Mockup profiles answer like their vendor (ids, shapes, OEM sections, where VirtualMedia lives,
 * iLO's case-insensitive paths, AMI's quirks) while their state still changes; the generic profile
 * runs without the mockups folder; TLS.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { startRedfishLab } from './lab.ts';
import { defaultMockupsDir } from './profile.ts';
import { isMockupDir } from './tree.ts';
import { call, client, messageIds, until, withLab } from './testkit.ts';

const mockups = defaultMockupsDir();
const skip = isMockupDir(join(mockups, 'dmtf-public-tower')) ? false : `mockups folder ${mockups} is absent`;
const ids = (body: { Members: Array<{ '@odata.id': string }> }) => body.Members.map((m) => m['@odata.id']);

test('dmtf-rackmount: Contoso ids, VirtualMedia under the System, PATCH-only media, Base 1.5.0 messages', { skip }, async (t) => {
  const lab = await withLab(t, { profile: 'dmtf-rackmount' });
  const rf = client(lab);
  assert.deepEqual(lab.machines.map((m) => m.id), ['437XR1138R2', '437XR1138R2-1']);
  const sys = await rf.get('/redfish/v1/Systems/437XR1138R2-1');
  assert.equal(sys.body.Manufacturer, 'Contoso');
  assert.ok(sys.body.Oem.Contoso, 'OEM section kept');
  assert.equal(sys.body.Links.Chassis[0]['@odata.id'], '/redfish/v1/Chassis/1U-1');
  assert.equal(sys.body.Links.ManagedBy[0]['@odata.id'], '/redfish/v1/Managers/BMC-1');
  assert.equal(sys.body.SimpleStorage['@odata.id'], '/redfish/v1/Systems/437XR1138R2-1/SimpleStorage');
  assert.equal((await rf.get(sys.body.SimpleStorage['@odata.id'])).status, 200);
  const vm = await rf.get('/redfish/v1/Systems/437XR1138R2-1/VirtualMedia');
  assert.deepEqual(ids(vm.body).map((p) => p.split('/').pop()), ['Floppy1', 'CD1', 'CD2']);
  const cd = await rf.get('/redfish/v1/Systems/437XR1138R2-1/VirtualMedia/CD1');
  assert.equal(cd.body.Actions, undefined, 'no actions, as in the mockup');
  assert.equal(cd.body.Inserted, false, 'machines start without media');
  assert.match(cd.headers.allow!, /PATCH/);
  const put = await rf.patch(cd.body['@odata.id'], { body: { Image: 'http://x.test/a.iso', Inserted: true } });
  assert.equal(put.body.Image, 'http://x.test/a.iso');
  assert.equal(lab.machines[1]!.virtualMedia.find((v) => v.id === 'CD1')!.image, 'http://x.test/a.iso');
  const bad = await rf.patch('/redfish/v1/Systems/437XR1138R2-1', { body: { Boot: { BootSourceOverrideTarget: 'Floppy' } } });
  assert.equal(bad.body.error['@Message.ExtendedInfo'][0].MessageId, 'Base.1.5.0.PropertyValueNotInList', 'the profile\'s own Base registry');
  const nmi = await rf.post('/redfish/v1/Systems/437XR1138R2-1/Actions/ComputerSystem.Reset', { body: { ResetType: 'PowerCycle' } });
  assert.equal(nmi.status, 400, 'PowerCycle is not in this system\'s AllowableValues');
  assert.equal(nmi.body.error.code, 'Base.1.11.0.ActionParameterValueNotInList', 'ids Base 1.5.0 lacks come from the built-in registry');
});

test('dmtf-tower: VirtualMedia under the Manager, drives under the Chassis, template volumes and RAID', { skip }, async (t) => {
  const lab = await withLab(t, { profile: 'dmtf-tower' });
  const rf = client(lab);
  const m = lab.machines[1]!;
  const mgr = await rf.get(`/redfish/v1/Managers/${m.managerId}`);
  assert.equal(mgr.body.VirtualMedia['@odata.id'], '/redfish/v1/Managers/BMC-1/VirtualMedia');
  assert.equal((await rf.get(`/redfish/v1/Systems/${m.id}`)).body.VirtualMedia, undefined);
  const storage = await rf.get('/redfish/v1/Systems/437XR1238R2-1/Storage/RAIDIntegrated');
  const drives: string[] = storage.body.Drives.map((d: { '@odata.id': string }) => d['@odata.id']);
  assert.equal(drives[0], '/redfish/v1/Chassis/Tower-1/Drives/Disk-1-0');
  const volumes = storage.body.Volumes['@odata.id'];
  assert.deepEqual(ids((await rf.get(volumes)).body).map((p) => p.split('/').pop()), ['Scratchpad', 'Secondary']);
  const scratch = await rf.get(`${volumes}/Scratchpad`);
  assert.equal(scratch.body.Identifiers[0].DurableName, '38f1818b-111e-463a-aa19-fa54f792e468', 'template volume JSON kept');
  assert.deepEqual(scratch.body.Links.Drives, [{ '@odata.id': drives[0] }]);
  const raid1 = (a: number, b: number) => rf.post(volumes, { body: { RAIDType: 'RAID1', CapacityBytes: 2 ** 40, Links: { Drives: [{ '@odata.id': drives[a] }, { '@odata.id': drives[b] }] } } });
  assert.deepEqual(messageIds((await raid1(4, 5)).body), ['ResourceExhaustion'], 'Disk-1-4.. are Absent in the mockup (no capacity)');
  assert.deepEqual(messageIds((await raid1(1, 2)).body), ['ResourceExhaustion'], 'used by the template volume Secondary');
  assert.equal((await rf.delete(`${volumes}/Secondary`)).status, 204);
  const created = await raid1(1, 2);
  assert.equal(created.status, 202);
  const done = await until(async () => { const r = await rf.get(created.headers.location!); return r.status === 201 ? r : null; });
  assert.equal(done.body['@odata.type'], scratch.body['@odata.type'], 'new volumes are typed like the vendor\'s');
  assert.deepEqual((await rf.get(drives[1]!)).body.Links.Volumes, [{ '@odata.id': done.headers.location }]);
  assert.deepEqual(ids((await rf.get(volumes)).body).map((p) => p.split('/').pop()), ['Scratchpad', '1']);
  assert.equal((await rf.get(`/redfish/v1/Systems/437XR1238R2/Storage/RAIDIntegrated/Volumes/Secondary`)).status, 200, 'machine 0 still has it');
  const biosSettings = (await rf.get(`/redfish/v1/Systems/${m.id}/Bios`)).body['@Redfish.Settings'].SettingsObject['@odata.id'];
  await rf.patch(biosSettings, { body: { Attributes: { ProcCoreDisable: 2 } } });
  assert.deepEqual(messageIds((await rf.patch(biosSettings, { body: { Attributes: { ProcCoreDisable: 'two' } } })).body), ['PropertyValueTypeError'], 'no registry: types must match');
  await rf.post(`/redfish/v1/Systems/${m.id}/Actions/ComputerSystem.Reset`, { body: { ResetType: 'On' } });
  assert.equal((await rf.get(`/redfish/v1/Systems/${m.id}/Bios`)).body.Attributes.ProcCoreDisable, 2);
});

test('hpe-ilo5: Systems/1.., case-insensitive paths, iLO OEM, media under Managers/N, registry-checked BIOS', { skip }, async (t) => {
  const lab = await withLab(t, { profile: 'hpe-ilo5', machines: 3 });
  const rf = client(lab);
  assert.deepEqual(ids((await rf.get('/redfish/v1/Systems')).body), ['/redfish/v1/Systems/1', '/redfish/v1/Systems/2', '/redfish/v1/Systems/3']);
  const sys = await rf.get('/redfish/v1/Systems/2');
  assert.ok(sys.body.Oem.Hpe, 'iLO OEM section');
  assert.equal(sys.body['@odata.etag'], sys.headers.etag, 'iLO shows @odata.etag; it follows the state');
  assert.equal(sys.body.Bios['@odata.id'], '/redfish/v1/systems/2/bios', 'iLO\'s lower-case link, rewritten');
  assert.equal((await rf.get('/redfish/v1/SYSTEMS/2/BIOS/')).status, 200);
  const bios = await rf.get(sys.body.Bios['@odata.id']);
  const settings = bios.body['@Redfish.Settings'].SettingsObject['@odata.id'];
  assert.equal(settings, '/redfish/v1/systems/2/bios/settings/');
  assert.equal((await rf.patch(settings, { body: { Attributes: { AcpiHpet: 'Disabled', WorkloadProfile: 'Virtualization-MaxPerformance' } } })).status, 200);
  const ro = await rf.patch(settings, { body: { Attributes: { Nbio0BusBase: 1, AcpiHpet: 'Maybe' } } });
  assert.deepEqual(messageIds(ro.body).sort(), ['PropertyNotWritable', 'PropertyValueNotInList']);
  await rf.post('/redfish/v1/Systems/2/Actions/ComputerSystem.Reset', { body: { ResetType: 'On' } });
  assert.equal((await rf.get('/redfish/v1/systems/2/bios')).body.Attributes.AcpiHpet, 'Disabled');
  assert.equal((await rf.get('/redfish/v1/systems/1/bios')).body.Attributes.AcpiHpet, 'Enabled', 'machine 1 untouched');
  const resetTarget = bios.body.Actions['#Bios.ResetBios'].target;
  assert.equal((await rf.post(resetTarget)).status, 204, 'iLO\'s own ResetBios target works');
  const vm = await rf.get('/redfish/v1/Managers/2/VirtualMedia');
  assert.deepEqual(ids(vm.body), ['/redfish/v1/Managers/2/VirtualMedia/1', '/redfish/v1/Managers/2/VirtualMedia/2']);
  const cd = await rf.get('/redfish/v1/Managers/2/VirtualMedia/2');
  assert.deepEqual(cd.body.MediaTypes, ['CD', 'DVD']);
  assert.equal(cd.body.Image, '', 'iLO shows an empty string when nothing is inserted');
  assert.ok(cd.body.Oem.Hpe.Actions, 'HPE OEM media actions kept');
  await rf.post(cd.body.Actions['#VirtualMedia.InsertMedia'].target, { body: { Image: 'https://x.test/b.iso' } });
  assert.equal((await rf.get('/redfish/v1/managers/2/virtualmedia/2')).body.Image, 'https://x.test/b.iso');
  const reg = await rf.get('/redfish/v1/Registries/BiosAttributeRegistryA43.v1_2_52');
  assert.equal((await rf.get(reg.body.Location[0].Uri)).body.Id, 'BiosAttributeRegistryA43.v1_2_52');
  assert.deepEqual(lab.machines.map((m) => m.nics[0]!.mac), ['52:54:00:00:00:00', '52:54:00:00:01:00', '52:54:00:00:02:00']);
  assert.equal((await rf.get(`/redfish/v1/Systems/2/EthernetInterfaces/1`)).body.MACAddress, '52:54:00:00:01:00');
});

test('ami-megarac: Self ids, synthesized Bios/SD settings, ActionInfo reset types, untyped CD1', { skip }, async (t) => {
  const lab = await withLab(t, { profile: 'ami-megarac' });
  const rf = client(lab);
  assert.deepEqual(lab.machines.map((m) => [m.id, m.managerId, m.chassisId]), [['Self', 'Self', 'Self'], ['Self-1', 'Self-1', 'Self-1']]);
  assert.equal((await rf.get('/redfish/v1/Managers/Self-1')).body.Links.ManagerForServers[0]['@odata.id'], '/redfish/v1/Systems/Self-1');
  const bios = await rf.get('/redfish/v1/Systems/Self-1/Bios');
  assert.equal(bios.body['@Redfish.Settings'].SettingsObject['@odata.id'], '/redfish/v1/Systems/Self-1/Bios/SD');
  assert.equal((await rf.patch('/redfish/v1/Systems/Self-1/Bios/SD', { body: { Attributes: { FBO001: 'LEGACY' } } })).status, 200);
  assert.equal((await rf.get('/redfish/v1/Systems/Self-1/Bios/SD')).body.Attributes.FBO001, 'LEGACY');
  const push = await rf.post('/redfish/v1/Systems/Self-1/Actions/ComputerSystem.Reset', { body: { ResetType: 'PushPowerButton' } });
  assert.equal(push.status, 400, 'only the ResetActionInfo values are allowed');
  assert.equal((await rf.post('/redfish/v1/Systems/Self-1/Actions/ComputerSystem.Reset', { body: { ResetType: 'On' } })).status, 204);
  assert.equal((await rf.get('/redfish/v1/Systems/Self-1/Bios')).body.Attributes.FBO001, 'LEGACY');
  const cd = await rf.get('/redfish/v1/Managers/Self-1/VirtualMedia/CD1');
  assert.equal(cd.body.MediaTypes, undefined, 'as captured');
  assert.equal(cd.body.Image, 'None', 'AMI spells "no image" as the string None');
  assert.deepEqual(lab.machines[1]!.virtualMedia[0]!.mediaTypes, ['CD', 'DVD'], 'typed from its id');
  assert.equal((await rf.get('/redfish/v1/Systems/Self-1/Storage/1/Drives/1')).status, 200);
});

test('profiles load by folder path; a missing mockups folder still allows the generic profile', async (t) => {
  await assert.rejects(startRedfishLab({ machines: 1, profile: 'hpe-ilo5', mockupsDir: '/nonexistent/mockups' }), /hpe-proliant-dl325-gen10plus-ilo5.*absent/);
  const generic = await withLab(t, { machines: 1, mockupsDir: '/nonexistent/mockups' });
  assert.equal((await call(generic, 'GET', '/redfish/v1')).body.Vendor, 'Ingot');
  if (skip) return;
  const byPath = await withLab(t, { machines: 1, profile: join(mockups, 'hpe-proliant-dl325-gen10plus-ilo5') });
  assert.equal(byPath.profile.name, 'hpe-proliant-dl325-gen10plus-ilo5');
  assert.equal(byPath.machines[0]!.id, '1');
});

test('TLS: the lab serves HTTPS with the given certificate', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'rf-tls-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  try {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=127.0.0.1'], { stdio: 'ignore' });
  } catch {
    t.skip('openssl is not available to make a test certificate');
    return;
  }
  const lab = await withLab(t, { machines: 1, tls: { cert, key } });
  assert.match(lab.url, /^https:\/\/127\.0\.0\.1:\d+$/);
  const r = await call(lab, 'GET', `/redfish/v1/Systems/${lab.machines[0]!.id}`);
  assert.equal(r.status, 200);
});

test('short-form mockup folders (index.json is /redfish/v1); a controller without SupportedRAIDTypes takes any RAID level', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ingot-shortform-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const S = '/redfish/v1/Systems/S1';
  const docs: Record<string, object> = {
    '': { '@odata.id': '/redfish/v1', '@odata.type': '#ServiceRoot.v1_15_0.ServiceRoot', Systems: { '@odata.id': '/redfish/v1/Systems' } },
    Systems: { Members: [{ '@odata.id': S }] },
    'Systems/S1': { '@odata.id': S, Id: 'S1', PowerState: 'Off', Storage: { '@odata.id': `${S}/Storage` } },
    'Systems/S1/Storage': { Members: [{ '@odata.id': `${S}/Storage/1` }] },
    'Systems/S1/Storage/1': {
      '@odata.id': `${S}/Storage/1`, Id: '1', StorageControllers: [{ MemberId: '0', Name: 'RAID without a SupportedRAIDTypes list' }],
      Drives: [{ '@odata.id': `${S}/Storage/1/Drives/D0` }, { '@odata.id': `${S}/Storage/1/Drives/D1` }], Volumes: { '@odata.id': `${S}/Storage/1/Volumes` },
    },
    'Systems/S1/Storage/1/Drives/D0': { '@odata.id': `${S}/Storage/1/Drives/D0`, Id: 'D0', CapacityBytes: 2 ** 40 },
    'Systems/S1/Storage/1/Drives/D1': { '@odata.id': `${S}/Storage/1/Drives/D1`, Id: 'D1', CapacityBytes: 2 ** 40 },
    'Systems/S1/Storage/1/Volumes': { '@odata.id': `${S}/Storage/1/Volumes`, Members: [] },
  };
  for (const [p, doc] of Object.entries(docs)) {
    mkdirSync(join(dir, p), { recursive: true });
    writeFileSync(join(dir, p, 'index.json'), JSON.stringify(doc));
  }
  const lab = await withLab(t, { machines: 1, profile: dir });
  const rf = client(lab);
  assert.equal(lab.machines[0]!.id, 'S1');
  const created = await rf.post(`${S}/Storage/1/Volumes`, {
    body: { RAIDType: 'RAID1', Links: { Drives: [{ '@odata.id': `${S}/Storage/1/Drives/D0` }, { '@odata.id': `${S}/Storage/1/Drives/D1` }] } },
  });
  assert.ok([201, 202].includes(created.status), `volume created (HTTP ${created.status})`);
});
