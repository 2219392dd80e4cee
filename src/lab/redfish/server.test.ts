/**
 * Redfish service over real HTTP (generic profile): resources, auth, sessions, ETags, errors,
 * power, boot override, BIOS, secure boot and virtual media.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { LabEvent } from './hooks.ts';
import { call, client, messageIds, withLab } from './testkit.ts';

test('service root is open and links every service; collections list all machines', async (t) => {
  const lab = await withLab(t, { machines: 3 });
  const root = await call(lab, 'GET', '/redfish/v1', { auth: 'none' });
  assert.equal(root.status, 200);
  assert.equal(root.headers['odata-version'], '4.0');
  assert.match(root.headers.etag!, /^W\/"[0-9a-f]+"$/);
  for (const k of ['Systems', 'Managers', 'Chassis', 'SessionService', 'Tasks', 'Registries']) assert.ok(root.body[k]['@odata.id'], k);
  assert.equal(root.body.Links.Sessions['@odata.id'], '/redfish/v1/SessionService/Sessions');
  assert.deepEqual((await call(lab, 'GET', '/redfish', { auth: 'none' })).body, { v1: '/redfish/v1/' });

  const rf = client(lab);
  for (const [coll, ids] of [['Systems', lab.machines.map((m) => m.id)], ['Managers', lab.machines.map((m) => m.managerId)], ['Chassis', lab.machines.map((m) => m.chassisId)]] as const) {
    const c = await rf.get(`/redfish/v1/${coll}`);
    assert.equal(c.status, 200);
    assert.equal(c.body['Members@odata.count'], 3);
    assert.deepEqual(c.body.Members.map((m: { '@odata.id': string }) => m['@odata.id']), ids.map((id) => `/redfish/v1/${coll}/${id}`));
    assert.match(c.body['@odata.type'], /Collection$/);
  }
  const m = lab.machines[2]!;
  const sys = await rf.get(`/redfish/v1/Systems/${m.id}`);
  assert.equal(sys.body['@odata.id'], `/redfish/v1/Systems/${m.id}`);
  assert.match(sys.body['@odata.type'], /^#ComputerSystem\.v1_\d+_\d+\.ComputerSystem$/);
  assert.equal(sys.body.Id, m.id);
  assert.equal(sys.body.UUID, m.uuid);
  assert.equal(sys.body.Links.ManagedBy[0]['@odata.id'], `/redfish/v1/Managers/${m.managerId}`);
  assert.equal(sys.headers.allow, 'GET, PATCH, HEAD');
  const nics = await rf.get(`/redfish/v1/Systems/${m.id}/EthernetInterfaces`);
  const nic = await rf.get(nics.body.Members[0]['@odata.id']);
  assert.equal(nic.body.MACAddress, '52:54:00:00:02:00');
  assert.equal((await rf.get(`/redfish/v1/Systems/${m.id}/Processors/CPU1`)).body.TotalCores, 8);
  assert.equal((await rf.get(`/redfish/v1/Chassis/${m.chassisId}`)).body.PowerState, 'Off');
  assert.equal((await rf.get(`/redfish/v1/Systems/nope`)).status, 404);
  assert.deepEqual(messageIds((await rf.get('/redfish/v1/Nope')).body), ['ResourceMissingAtURI']);
});

test('authentication: 401 without or with bad credentials, Basic and session tokens work, logout', async (t) => {
  const lab = await withLab(t);
  const path = `/redfish/v1/Systems/${lab.machines[0]!.id}`;
  const none = await call(lab, 'GET', path, { auth: 'none' });
  assert.equal(none.status, 401);
  assert.deepEqual(messageIds(none.body), ['NoValidSession']);
  assert.match(none.headers['www-authenticate']!, /^Basic/);
  assert.equal((await call(lab, 'GET', path, { auth: { user: 'admin', password: 'nope' } })).status, 401);
  assert.equal((await call(lab, 'GET', path)).status, 200);

  const bad = await call(lab, 'POST', '/redfish/v1/SessionService/Sessions', { auth: 'none', body: { UserName: 'admin', Password: 'x' } });
  assert.equal(bad.status, 401);
  const login = await call(lab, 'POST', '/redfish/v1/SessionService/Sessions', { auth: 'none', body: { UserName: 'admin', Password: 'password' } });
  assert.equal(login.status, 201);
  const token = login.headers['x-auth-token']!;
  assert.ok(token);
  assert.match(login.headers.location!, /^\/redfish\/v1\/SessionService\/Sessions\/[0-9a-f]+$/);
  assert.equal(login.body.UserName, 'admin');
  assert.equal((await call(lab, 'GET', path, { auth: { token } })).status, 200);
  const list = await call(lab, 'GET', '/redfish/v1/SessionService/Sessions', { auth: { token } });
  assert.deepEqual(list.body.Members, [{ '@odata.id': login.headers.location }]);
  assert.equal((await call(lab, 'GET', login.headers.location!, { auth: { token } })).body.Id, login.body.Id);
  assert.equal((await call(lab, 'DELETE', login.headers.location!, { auth: { token } })).status, 204);
  assert.equal((await call(lab, 'GET', path, { auth: { token } })).status, 401);
  const missing = await call(lab, 'POST', '/redfish/v1/SessionService/Sessions', { auth: 'none', body: { UserName: 'admin' } });
  assert.equal(missing.status, 400);
  assert.deepEqual(messageIds(missing.body), ['CreateFailedMissingReqProperties']);
});

test('power: reset types change state, restarts power-cycle, hooks see every transition', async (t) => {
  const events: LabEvent[] = [];
  const lab = await withLab(t, { hooks: { onEvent: (e) => events.push(e) } });
  const [m, other] = lab.machines as [typeof lab.machines[0], typeof lab.machines[0]];
  const powered: string[] = [];
  lab.hooks.onPowerChange((id, state) => powered.push(`${id === m.id ? 'm' : 'other'}:${state}`));
  const rf = client(lab);
  const reset = (ResetType: string) => rf.post(`/redfish/v1/Systems/${m.id}/Actions/ComputerSystem.Reset`, { body: { ResetType } });
  const state = async () => (await rf.get(`/redfish/v1/Systems/${m.id}`)).body.PowerState;

  assert.equal(await state(), 'Off');
  assert.equal((await reset('On')).status, 204);
  assert.equal(await state(), 'On');
  assert.equal((await reset('On')).status, 204, 'On when on is a no-op');
  assert.equal((await reset('ForceRestart')).status, 204);
  assert.equal((await reset('GracefulShutdown')).status, 204);
  assert.equal(await state(), 'Off');
  await reset('PushPowerButton');
  assert.equal(await state(), 'On');
  await reset('PowerCycle');
  await reset('ForceOff');
  assert.equal(await state(), 'Off');
  await reset('ForceOn');
  await reset('GracefulRestart');
  await reset('Nmi');
  assert.deepEqual(powered, ['m:On', 'm:Off', 'm:On', 'm:Off', 'm:On', 'm:Off', 'm:On', 'm:Off', 'm:On', 'm:Off', 'm:On']);
  assert.ok(events.some((e) => e.type === 'nmi'));
  assert.equal(other.power, 'Off', 'other machines are untouched');
  assert.equal((await rf.get(`/redfish/v1/Chassis/${m.chassisId}`)).body.PowerState, 'On');

  const bad = await reset('Explode');
  assert.equal(bad.status, 400);
  assert.deepEqual(messageIds(bad.body), ['ActionParameterValueNotInList']);
  assert.match(bad.body.error['@Message.ExtendedInfo'][0].Message, /Explode/);
  assert.deepEqual(bad.body.error['@Message.ExtendedInfo'][0].RelatedProperties, ['#/ResetType']);
  assert.deepEqual(messageIds((await rf.post(`/redfish/v1/Systems/${m.id}/Actions/ComputerSystem.Reset`, { body: {} })).body), ['ActionParameterMissing']);
  assert.deepEqual(messageIds((await rf.post(`/redfish/v1/Systems/${m.id}/Actions/ComputerSystem.Reset`, { body: { ResetType: 'On', Extra: 1 } })).body), ['ActionParameterUnknown']);
  const malformed = await rf.post(`/redfish/v1/Systems/${m.id}/Actions/ComputerSystem.Reset`, { raw: '{"ResetType":' });
  assert.equal(malformed.status, 400);
  assert.deepEqual(messageIds(malformed.body), ['MalformedJSON']);
});

test('boot override: once is consumed by the next boot, continuous stays, bad values are 400', async (t) => {
  const lab = await withLab(t);
  const m = lab.machines[0]!;
  const boots: string[] = [];
  lab.hooks.onBootFrom((_id, device, media) => boots.push(`${device}:${media}`));
  const rf = client(lab);
  const sys = `/redfish/v1/Systems/${m.id}`;
  const patch = (Boot: Record<string, unknown>) => rf.patch(sys, { body: { Boot } });
  const reset = (ResetType: string) => rf.post(`${sys}/Actions/ComputerSystem.Reset`, { body: { ResetType } });

  const once = await patch({ BootSourceOverrideTarget: 'Pxe', BootSourceOverrideEnabled: 'Once' });
  assert.equal(once.status, 200);
  assert.equal(once.body.Boot.BootSourceOverrideTarget, 'Pxe');
  assert.equal(once.body.Boot.BootSourceOverrideEnabled, 'Once');
  await reset('On');
  const after = (await rf.get(sys)).body.Boot;
  assert.equal(after.BootSourceOverrideEnabled, 'Disabled');
  assert.equal(after.BootSourceOverrideTarget, 'None');
  await reset('ForceRestart');
  assert.deepEqual(boots, ['Pxe:null', 'Hdd:null']);

  await patch({ BootSourceOverrideTarget: 'Cd', BootSourceOverrideEnabled: 'Continuous', BootSourceOverrideMode: 'Legacy' });
  await reset('ForceRestart');
  await reset('ForceRestart');
  assert.deepEqual(boots.slice(2), ['Cd:null', 'Cd:null']);
  assert.equal((await rf.get(sys)).body.Boot.BootSourceOverrideMode, 'Legacy');

  const badTarget = await patch({ BootSourceOverrideTarget: 'Toaster' });
  assert.equal(badTarget.status, 400);
  assert.deepEqual(messageIds(badTarget.body), ['PropertyValueNotInList']);
  assert.deepEqual(badTarget.body.error['@Message.ExtendedInfo'][0].RelatedProperties, ['#/Boot/BootSourceOverrideTarget']);
  assert.deepEqual(messageIds((await patch({ BootSourceOverrideEnabled: 'Always' })).body), ['PropertyValueNotInList']);
  assert.deepEqual(messageIds((await patch({ Bogus: 1 })).body), ['PropertyUnknown']);
  assert.deepEqual(messageIds((await rf.patch(sys, { body: { PowerState: 'On' } })).body), ['PropertyNotWritable']);
  assert.deepEqual(messageIds((await rf.patch(sys, { body: {} })).body), ['EmptyJSON']);
  assert.equal((await rf.get(sys)).body.Boot.BootSourceOverrideTarget, 'Cd', 'rejected PATCHes change nothing');
  const tag = await rf.patch(sys, { body: { AssetTag: 'rack-7' } });
  assert.equal(tag.body.AssetTag, 'rack-7');
});

test('ETags: If-Match with the current ETag succeeds, a stale one is 412', async (t) => {
  const lab = await withLab(t);
  const rf = client(lab);
  const sys = `/redfish/v1/Systems/${lab.machines[0]!.id}`;
  const first = await rf.get(sys);
  const etag = first.headers.etag!;
  assert.equal((await rf.get(sys)).headers.etag, etag, 'stable while nothing changes');
  const ok = await rf.patch(sys, { headers: { 'if-match': etag }, body: { Boot: { BootSourceOverrideTarget: 'Pxe' } } });
  assert.equal(ok.status, 200);
  assert.notEqual(ok.headers.etag, etag);
  const stale = await rf.patch(sys, { headers: { 'if-match': etag }, body: { Boot: { BootSourceOverrideTarget: 'Hdd' } } });
  assert.equal(stale.status, 412);
  assert.deepEqual(messageIds(stale.body), ['PreconditionFailed']);
  assert.equal((await rf.patch(sys, { headers: { 'if-match': ok.headers.etag!.replace('W/', '') }, body: { Boot: { BootSourceOverrideTarget: 'Hdd' } } })).status, 200, 'strong form of the weak tag matches');
  assert.equal((await rf.patch(sys, { headers: { 'if-match': '*' }, body: { AssetTag: 'x' } })).status, 200);
  const action = await rf.post(`${sys}/Actions/ComputerSystem.Reset`, { headers: { 'if-match': 'W/"0000"' }, body: { ResetType: 'On' } });
  assert.equal(action.status, 412, 'actions are checked against their resource');
  assert.equal(lab.machines[0]!.power, 'Off');
});

test('BIOS: settings PATCH is pending until the next boot; read-only and unknown attributes are 400; ResetBios', async (t) => {
  const lab = await withLab(t);
  const m = lab.machines[1]!;
  const rf = client(lab);
  const biosPath = `/redfish/v1/Systems/${m.id}/Bios`;
  const bios = await rf.get(biosPath);
  assert.equal(bios.body.Attributes.ProcTurboMode, 'Enabled');
  const settingsPath = bios.body['@Redfish.Settings'].SettingsObject['@odata.id'];
  assert.equal(settingsPath, `${biosPath}/Settings`);
  assert.equal(bios.body.AttributeRegistry, 'BiosAttributeRegistryIngotLab.v1_0_0');

  const staged = await rf.patch(settingsPath, { body: { Attributes: { ProcTurboMode: 'Disabled', PxeRetries: 5 } } });
  assert.equal(staged.status, 200);
  assert.equal(staged.body.Attributes.ProcTurboMode, 'Disabled');
  assert.equal((await rf.get(biosPath)).body.Attributes.ProcTurboMode, 'Enabled', 'not applied before a boot');
  await rf.post(`/redfish/v1/Systems/${m.id}/Actions/ComputerSystem.Reset`, { body: { ResetType: 'On' } });
  const applied = await rf.get(biosPath);
  assert.equal(applied.body.Attributes.ProcTurboMode, 'Disabled');
  assert.equal(applied.body.Attributes.PxeRetries, 5);
  assert.equal(applied.body['@Redfish.Settings'].Messages[0].MessageId, 'Base.1.11.0.Success');

  const readOnly = await rf.patch(settingsPath, { body: { Attributes: { SystemModelName: 'x', Nope: 1, PxeRetries: 99, ProcTurboMode: 'Sometimes' } } });
  assert.equal(readOnly.status, 400);
  assert.deepEqual(messageIds(readOnly.body).sort(), ['PropertyNotWritable', 'PropertyUnknown', 'PropertyValueNotInList', 'PropertyValueOutOfRange']);
  assert.equal(readOnly.body.error.code, 'Base.1.11.0.GeneralError');
  assert.deepEqual(messageIds((await rf.patch(settingsPath, { body: { Foo: {} } })).body), ['PropertyUnknown']);
  assert.equal((await rf.patch(biosPath, { body: { Attributes: {} } })).status, 405, 'current settings are read-only');

  await rf.patch(settingsPath, { body: { Attributes: { NicBoot2: 'NetworkBoot' } } });
  const reset = await rf.post(`${biosPath}/Actions/Bios.ResetBios`);
  assert.equal(reset.status, 204);
  const after = await rf.get(biosPath);
  assert.equal(after.body.Attributes.ProcTurboMode, 'Enabled');
  assert.equal(after.body.Attributes.PxeRetries, 3);
  assert.equal((await rf.get(settingsPath)).body.Attributes.NicBoot2, 'Disabled', 'ResetBios drops pending changes');
  const reg = await rf.get('/redfish/v1/Registries/BiosAttributeRegistryIngotLab.v1_0_0');
  const doc = await rf.get(reg.body.Location[0].Uri);
  assert.equal(doc.body.RegistryEntries.Attributes.find((a: { AttributeName: string }) => a.AttributeName === 'SystemModelName').ReadOnly, true);
});

test('secure boot PATCH and ResetKeys; enabled shows in SecureBootCurrentBoot after a UEFI boot', async (t) => {
  const lab = await withLab(t);
  const m = lab.machines[0]!;
  const rf = client(lab);
  const sb = `/redfish/v1/Systems/${m.id}/SecureBoot`;
  assert.equal((await rf.patch(sb, { body: { SecureBootEnable: true } })).body.SecureBootEnable, true);
  assert.equal((await rf.get(sb)).body.SecureBootCurrentBoot, 'Disabled');
  await rf.post(`/redfish/v1/Systems/${m.id}/Actions/ComputerSystem.Reset`, { body: { ResetType: 'On' } });
  assert.equal((await rf.get(sb)).body.SecureBootCurrentBoot, 'Enabled');
  assert.deepEqual(messageIds((await rf.patch(sb, { body: { SecureBootEnable: 'yes' } })).body), ['PropertyValueTypeError']);
  assert.deepEqual(messageIds((await rf.patch(sb, { body: { SecureBootCurrentBoot: 'Enabled' } })).body), ['PropertyNotWritable']);
  assert.equal((await rf.post(`${sb}/Actions/SecureBoot.ResetKeys`, { body: { ResetKeysType: 'DeleteAllKeys' } })).status, 204);
  assert.equal((await rf.get(sb)).body.SecureBootMode, 'SetupMode');
});

test('virtual media: insert/eject actions and PATCH; booting from Cd hands the image to onBootFrom', async (t) => {
  const lab = await withLab(t);
  const m = lab.machines[0]!;
  const rf = client(lab);
  const media: string[] = [];
  const boots: Array<[string, string, string | null]> = [];
  lab.hooks.onMediaChange((_id, mediaId, image) => media.push(`${mediaId}:${image}`));
  lab.hooks.onBootFrom((id, device, image) => boots.push([id, device, image]));
  const coll = await rf.get(`/redfish/v1/Managers/${m.managerId}/VirtualMedia`);
  assert.deepEqual(coll.body.Members.map((x: { '@odata.id': string }) => x['@odata.id'].split('/').pop()), ['CD1', 'Floppy1']);
  const cd = `/redfish/v1/Managers/${m.managerId}/VirtualMedia/CD1`;
  const cdDoc = await rf.get(cd);
  assert.deepEqual(cdDoc.body.MediaTypes, ['CD', 'DVD']);
  const insert = cdDoc.body.Actions['#VirtualMedia.InsertMedia'].target;
  const eject = cdDoc.body.Actions['#VirtualMedia.EjectMedia'].target;
  const image = 'http://images.lab.test/ipa.iso';

  assert.equal((await rf.post(insert, { body: { Image: image, Inserted: true, WriteProtected: true } })).status, 204);
  const inserted = (await rf.get(cd)).body;
  assert.equal(inserted.Image, image);
  assert.equal(inserted.Inserted, true);
  assert.equal(inserted.ConnectedVia, 'URI');
  assert.equal(inserted.ImageName, 'ipa.iso');
  assert.equal(inserted.TransferProtocolType, 'HTTP');
  const again = await rf.post(insert, { body: { Image: image } });
  assert.equal(again.status, 409);
  assert.deepEqual(messageIds(again.body), ['ResourceInUse']);

  await rf.patch(`/redfish/v1/Systems/${m.id}`, { body: { Boot: { BootSourceOverrideTarget: 'Cd', BootSourceOverrideEnabled: 'Once' } } });
  await rf.post(`/redfish/v1/Systems/${m.id}/Actions/ComputerSystem.Reset`, { body: { ResetType: 'On' } });
  assert.deepEqual(boots, [[m.id, 'Cd', image]]);
  assert.deepEqual(lab.machine(0).lastBoot?.device, 'Cd');

  assert.equal((await rf.post(eject)).status, 204);
  const ejected = (await rf.get(cd)).body;
  assert.equal(ejected.Inserted, false);
  assert.equal(ejected.Image, null);
  assert.equal(ejected.ConnectedVia, 'NotConnected');
  assert.equal((await rf.post(eject, { body: {} })).status, 204, 'eject when empty is a no-op');

  const usb = `/redfish/v1/Managers/${m.managerId}/VirtualMedia/Floppy1`;
  const patched = await rf.patch(usb, { body: { Image: 'http://images.lab.test/config.img', Inserted: true } });
  assert.equal(patched.status, 200);
  assert.equal(patched.body.Image, 'http://images.lab.test/config.img');
  assert.equal((await rf.patch(usb, { body: { Image: null, Inserted: false } })).body.Inserted, false);
  assert.deepEqual(media, [`CD1:${image}`, 'CD1:null', 'Floppy1:http://images.lab.test/config.img', 'Floppy1:null']);

  assert.deepEqual(messageIds((await rf.post(insert, { body: {} })).body), ['ActionParameterMissing']);
  assert.deepEqual(messageIds((await rf.post(insert, { body: { Image: image, TransferMethod: 'Carrier pigeon' } })).body), ['ActionParameterValueNotInList']);
  assert.deepEqual(messageIds((await rf.patch(usb, { body: { MediaTypes: ['CD'] } })).body), ['PropertyNotWritable']);
  assert.equal((await rf.delete(cd)).status, 405);
});
