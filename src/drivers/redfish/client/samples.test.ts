/**
 * Parsers over sushy's JSON samples (/work/shared/data/sushy-json-samples): error bodies, tasks,
 * sessions, BIOS + registry, settings, virtual media, storage/volumes, systems, managers.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  RedfishClient, RedfishError, RedfishInvalidValueError, allowableValues, isTaskFailed, isTaskFinished, looksLikeTask,
  orderLocations, parseAttributeRegistry, parseBios, parseBoot, parseDrive, parseErrorBody, parseEthernetInterface,
  parseManager, parseProcessor, parseRegistryLocations, parseSecureBoot, parseServiceRoot, parseSession,
  parseSessionService, parseSettings, parseSimpleStorage, parseStorage, parseSystem, parseTask, parseTaskService,
  parseVirtualMedia, parseVolume, pickVirtualMedia, setBiosAttributes, supportedApplyTimes, validateBiosAttributes,
} from './index.ts';
import { SAMPLES_DIR, loadJson } from './test-support.ts';

const sample = (name: string) => loadJson(join(SAMPLES_DIR, name));
const skip = !existsSync(SAMPLES_DIR) && 'sushy samples not on this machine';

describe('sushy samples: errors', { skip }, () => {
  it('error.json: extended messages, most severe first, into a RedfishError', () => {
    const body = sample('error.json');
    const parsed = parseErrorBody(body);
    assert.equal(parsed.code, 'Base.1.0.GeneralError');
    assert.deepEqual(parsed.messages, [
      'The request body submitted was malformed JSON and could not be parsed by the receiving service.',
      'The value Red for the property IndicatorLED is not in the list of acceptable values',
      'The property SKU is a read only property and cannot be assigned a value',
    ]);
    const err = new RedfishError({ method: 'PATCH', url: 'https://bmc/redfish/v1/Systems/1', status: 400, body });
    assert.equal(err.status, 400);
    assert.equal(err.code, 'Base.1.0.GeneralError');
    assert.equal(err.retryable, false);
    assert.deepEqual(err.messageIds, ['Base.1.0.MalformedJSON', 'Base.1.0.PropertyValueNotInList', 'Base.1.0.PropertyNotWriteable']);
    assert.match(err.message, /^Redfish PATCH https:\/\/bmc\/redfish\/v1\/Systems\/1 failed with HTTP 400 \(Base\.1\.0\.GeneralError\): The request body submitted was malformed JSON/);
    assert.match(err.message, /Resolution: Ensure that the request body is valid JSON/);
    assert.ok(err.mentions('IndicatorLED'));
    assert.ok(!err.mentions('TransferProtocolType'));
  });

  it('error_single_ext_info.json: a single ExtendedInfo object instead of an array', () => {
    const err = new RedfishError({ method: 'POST', url: '/x', status: 415, body: sample('error_single_ext_info.json') });
    assert.equal(err.code, 'Base.1.5.GeneralError');
    assert.deepEqual(err.messages, ['A general error has occurred. See Resolution for information on how to resolve the error.']);
    assert.match(err.message, /Resolution: Redfish request contains unsupported media type/);
  });

  it('credentials_required_error.json and transfer_*_required_error*.json are recognisable', () => {
    const creds = new RedfishError({ method: 'POST', url: '/x', status: 400, body: sample('credentials_required_error.json') });
    assert.equal(creds.messages.length, 2);
    assert.ok(creds.mentions('UserName') && creds.mentions('Password'));
    for (const f of ['transfer_proto_required_error.json', 'transfer_proto_required_error2.json', 'transfer_proto_required_error3.json']) {
      const e = new RedfishError({ method: 'POST', url: '/x', status: 400, body: sample(f) });
      assert.ok(e.mentions('TransferProtocolType'), f);
      assert.ok(!e.mentions('TransferMethod'), f);
      assert.equal(e.messages.length, 1, `${f}: top message equal to the extended one is not repeated`);
    }
    const m = new RedfishError({ method: 'POST', url: '/x', status: 400, body: sample('transfer_method_required_error.json') });
    assert.ok(m.mentions('TransferMethod'));
    assert.equal(m.code, 'Base.1.4.0.GeneralError');
  });

  it('session_error.json carries NoValidSession', () => {
    const e = new RedfishError({ method: 'GET', url: '/x', status: 401, body: sample('session_error.json') });
    assert.deepEqual(e.messageIds, ['Base.1.0.NoValidSession']);
    assert.deepEqual(e.messages, ['There is no valid session established with the implementation.']);
  });

  it('non-JSON and empty error bodies still give a readable error', () => {
    const html = new RedfishError({ method: 'GET', url: '/x', status: 502, body: undefined, text: '<html>Bad Gateway</html>' });
    assert.deepEqual(html.messages, ['<html>Bad Gateway</html>']);
    assert.equal(html.retryable, true);
    const empty = new RedfishError({ method: 'GET', url: '/x', status: 404, body: undefined, text: '' });
    assert.match(empty.message, /failed with HTTP 404 \(Base\.1\.0\.GeneralError\): HTTP 404/);
  });
});

describe('sushy samples: tasks and sessions', { skip }, () => {
  it('task_monitor.json / task.json: a completed task with substituted message args', () => {
    for (const f of ['task_monitor.json', 'task.json']) {
      const t = parseTask(sample(f));
      assert.ok(looksLikeTask(t.raw));
      assert.equal(t.id, '545');
      assert.equal(t.taskState, 'Completed');
      assert.equal(t.taskStatus, 'OK');
      assert.equal(t.percentComplete, 100);
      assert.equal(t.taskMonitor, '/taskmon/545');
      assert.deepEqual(t.messages, ['Property SKU is read only.']);
      assert.ok(isTaskFinished(t));
      assert.ok(!isTaskFailed(t));
    }
    assert.equal(parseTask(sample('task.json')).uri, '/redfish/v1/TaskService/Tasks/545');
  });

  it('task2.json: a pending task is not finished', () => {
    const t = parseTask(sample('task2.json'));
    assert.equal(t.taskState, 'Pending');
    assert.equal(t.percentComplete, 55);
    assert.ok(!isTaskFinished(t));
  });

  it('taskservice.json, session.json, session_service.json', () => {
    const ts = parseTaskService(sample('taskservice.json'));
    assert.equal(ts.tasksUri, '/redfish/v1/TaskService/Tasks');
    assert.equal(ts.enabled, true);
    assert.equal(ts.completedTaskOverWritePolicy, 'Manual');
    const s = parseSession(sample('session.json'));
    assert.equal(s.id, '1234567890ABCDEF');
    assert.equal(s.userName, 'Administrator');
    const svc = parseSessionService(sample('session_service.json'));
    assert.equal(svc.sessionTimeout, 30);
    assert.equal(svc.sessionsUri, '/redfish/v1/SessionService/Sessions');
  });

  it('root.json and bare_minimum_root.json', () => {
    const r = parseServiceRoot(sample('root.json'));
    assert.equal(r.links.sessions, '/redfish/v1/SessionService/Sessions');
    assert.equal(r.links.taskService, '/redfish/v1/TaskService');
    assert.equal(r.links.registries, '/redfish/v1/Registries');
    const bare = parseServiceRoot(sample('bare_minimum_root.json'));
    assert.equal(bare.redfishVersion, '1.0.2');
    assert.equal(bare.links.systems, undefined);
  });
});

describe('sushy samples: BIOS, registry and settings', { skip }, () => {
  it('bios.json: attributes, registry name, settings object, actions', () => {
    const b = parseBios(sample('bios.json'));
    assert.equal(Object.keys(b.attributes).length, 10);
    assert.equal(b.attributes['ProcTurboMode'], 'Enabled');
    assert.equal(b.attributeRegistry, 'BiosAttributeRegistryP89.v1_0_0');
    assert.equal(b.settings?.settingsUri, '/redfish/v1/Systems/437XR1138R2/BIOS/Settings');
    assert.equal(b.settings?.etag, '9234ac83b9700123cc32');
    assert.deepEqual(b.settings?.supportedApplyTimes, ['OnReset', 'InMaintenanceWindowOnReset']);
    assert.equal(b.resetTarget, '/redfish/v1/Systems/437XR1138R2/BIOS/Actions/Bios.ResetBios');
    assert.equal(b.changePasswordTarget, '/redfish/v1/Systems/437XR1138R2/BIOS/Actions/Bios.ChangePassword');
  });

  it('bios.json: an apply time the BMC does not support is refused before any request', async () => {
    // Port 9 (discard) is never contacted: validation happens first.
    const client = new RedfishClient({ address: 'http://127.0.0.1:9', retries: 0 });
    const b = parseBios(sample('bios.json'));
    await assert.rejects(setBiosAttributes(client, b, { ProcTurboMode: 'Disabled' }, { applyTime: 'Immediate' }), (e: unknown) => {
      assert.ok(e instanceof RedfishInvalidValueError);
      assert.deepEqual(e.allowed, ['OnReset', 'InMaintenanceWindowOnReset']);
      return true;
    });
    await client.close();
  });

  it('bios_settings.json: pending values and the preferred apply time', () => {
    const pending = parseBios(sample('bios_settings.json'));
    assert.equal(pending.attributes['ProcTurboMode'], 'Disabled');
    assert.equal(pending.attributes['AdminPhone'], '(404) 555-1212');
    const applyTime = pending.raw['@Redfish.SettingsApplyTime'];
    assert.deepEqual(allowableValues(applyTime, 'ApplyTime'), ['OnReset', 'Immediate', 'AtMaintenanceWindowStart', 'InMaintenanceWindowOnReset']);
  });

  it('bios_attribute_registry.json: types, enumerations, read-only attributes', () => {
    const reg = parseAttributeRegistry(sample('bios_attribute_registry.json'));
    assert.equal(reg.id, 'BiosAttributeRegistryP89.v1_0_0');
    assert.equal(reg.language, 'en');
    assert.equal(reg.attributes.size, 2);
    const v = reg.attributes.get('ProcVirtualization')!;
    assert.equal(v.type, 'Enumeration');
    assert.deepEqual(v.allowableValues, ['Enabled', 'Disabled']);
    assert.equal(v.resetRequired, true);
    assert.equal(reg.attributes.get('SystemModelName')?.maxLength, 40);
    assert.deepEqual(validateBiosAttributes(reg, { SystemModelName: 'x' }), ['SystemModelName: read-only']);
    assert.deepEqual(validateBiosAttributes(reg, { ProcVirtualization: 'Disabled' }), []);
  });

  it('bios_attribute_registry_file*.json: locations by language', () => {
    const locs = parseRegistryLocations(sample('bios_attribute_registry_file.json'));
    assert.equal(locs.length, 3);
    assert.equal(orderLocations(locs, 'ja')[0]!.uri, '/redfish/v1/registrystore/registries/ja/biosattributeregistry.v1_0');
    assert.equal(orderLocations(locs, 'EN')[0]!.uri, '/redfish/v1/registrystore/registries/en/biosattributeregistry.v1_0');
    const zt = parseRegistryLocations(sample('bios_attribute_registry_file_zthardware.json'));
    assert.equal(orderLocations(zt, 'en')[0]!.language, 'en-US', 'primary language matches en-US');
    const ztReg = parseAttributeRegistry(sample('bios_attribute_registry_zthardware.json'));
    assert.deepEqual(ztReg.attributes.get('TCG003')?.allowableValues, ['Disable', 'Enable']);
    assert.equal(parseBios(sample('bios_zt.json')).attributeRegistry, ztReg.id);
  });

  it('settings*.json: SettingsObject, ETag, apply times, messages', () => {
    const s = parseSettings(sample('settings.json'))!;
    assert.equal(s.settingsUri, '/redfish/v1/Systems/437XR1138R2/BIOS/Settings');
    assert.equal(s.etag, '9234ac83b9700123cc32');
    assert.equal(s.time, '2016-03-07T14:44:30-05:00');
    assert.equal(s.messages.length, 1);
    assert.equal(parseSettings(sample('settings-nokia.json'))?.settingsUri, '/redfish/v1/Systems/Self/SD');
    const lenovo = parseSettings(sample('settings-lenovo-se450.json'))!;
    assert.equal(lenovo.settingsUri, '/redfish/v1/Systems/1/Pending');
    assert.equal(lenovo.time, undefined, 'null Time tolerated');
    assert.deepEqual(lenovo.supportedApplyTimes, ['OnReset']);
  });

  it('settings-body-*.json: Boot sections of settings objects', () => {
    const nokia = parseBoot(sample('settings-body-nokia.json')['Boot']);
    assert.deepEqual(nokia.allowedEnabled, ['Disabled', 'Once', 'Continuous']);
    assert.deepEqual(nokia.allowedModes, ['UEFI']);
    assert.equal(nokia.allowedTargets?.length, 15);
    assert.equal(nokia.target, 'Cd');
    const modeOnly = parseBoot(sample('settings-body-bootsourceoverridemode-only.json')['Boot']);
    assert.equal(modeOnly.mode, undefined, 'null mode tolerated');
    assert.deepEqual(modeOnly.bootOrder, []);
    assert.deepEqual(parseBoot(sample('settings-body-lenovo-se450.json')['Boot']).bootOrder?.length, 5);
  });
});

describe('sushy samples: system, inventory, managers, media, storage', { skip }, () => {
  it('system.json / systemv1_20.json: boot, reset action, links, OEM ignored', () => {
    for (const f of ['system.json', 'systemv1_20.json']) {
      const s = parseSystem(sample(f));
      assert.equal(s.id, '437XR1138R2');
      assert.equal(s.powerState, 'On');
      assert.equal(s.boot.target, 'Pxe');
      assert.equal(s.boot.enabled, 'Once');
      assert.equal(s.boot.mode, 'UEFI');
      assert.ok(s.boot.allowedTargets?.includes('UefiTarget'));
      assert.equal(s.reset?.target, '/redfish/v1/Systems/437XR1138R2/Actions/ComputerSystem.Reset');
      assert.equal(s.reset?.allowedTypes?.length, 8);
      assert.equal(s.memorySummary.totalGiB, 96);
      assert.equal(s.links.bios, '/redfish/v1/Systems/437XR1138R2/Bios');
      assert.deepEqual(s.links.managedBy, ['/redfish/v1/Managers/BMC']);
      assert.equal(s.settings, undefined);
    }
    assert.ok(parseSystem(sample('system.json')).boot.allowedTargets?.includes('UefiHttp'));
    assert.equal(parseSystem(sample('system.json')).links.virtualMedia, undefined);
    assert.equal(parseSystem(sample('systemv1_20.json')).links.virtualMedia, '/redfish/v1/Systems/437XR1138R2/VirtualMedia');
    assert.equal(parseSystem(sample('systemv1_20.json')).processorSummary.model, 'Multi-Core Intel(R) Xeon(R) processor 7xxx Series');
  });

  it('system_managedby_missing_manager_present.json: Links.Managers accepted for ManagedBy', () => {
    assert.deepEqual(parseSystem(sample('system_managedby_missing_manager_present.json')).links.managedBy, ['/redfish/v1/Managers/BMC']);
  });

  it('processor*.json, ethernet_interfaces.json, secure_boot.json', () => {
    const p = parseProcessor(sample('processor.json'));
    assert.deepEqual([p.socket, p.architecture, p.instructionSet, p.maxSpeedMHz, p.totalCores, p.totalThreads],
      ['CPU 1', 'x86', 'x86-64', 3700, 8, 16]);
    assert.equal(parseProcessor(sample('processor2.json')).state, 'Absent');
    const nic = parseEthernetInterface(sample('ethernet_interfaces.json'));
    assert.equal(nic.macAddress, '12:44:6a:3b:04:11');
    assert.equal(nic.speedMbps, 1000);
    assert.deepEqual(nic.ipv4Addresses, ['192.168.0.10']);
    const sb = parseSecureBoot(sample('secure_boot.json'));
    assert.equal(sb.enabled, false);
    assert.equal(sb.mode, 'DeployedMode');
    assert.deepEqual(sb.allowedResetKeysTypes, ['ResetAllKeysToDefault', 'DeleteAllKeys', 'DeletePK']);
  });

  it('manager.json / managerv1_18.json: reset action, virtual media link, OEM ignored', () => {
    const m = parseManager(sample('manager.json'));
    assert.equal(m.managerType, 'BMC');
    assert.equal(m.links.virtualMedia, '/redfish/v1/Managers/BMC/VirtualMedia');
    assert.deepEqual(m.reset?.allowedTypes, ['ForceRestart', 'GracefulRestart']);
    assert.deepEqual(m.links.managerForServers, ['/redfish/v1/Systems/437XR1138R2']);
    const m18 = parseManager(sample('managerv1_18.json'));
    assert.equal(m18.firmwareVersion, '1.45.455b66-rev4');
    assert.equal(m18.links.virtualMedia, undefined, 'v1_18 sample has no VirtualMedia link');
  });

  it('virtual_media*.json: actions, media types, insertion state', () => {
    const floppy = parseVirtualMedia(sample('virtual_media.json'));
    assert.equal(floppy.insertTarget, '/redfish/v1/Managers/BMC/VirtualMedia/Floppy1/Actions/VirtualMedia.InsertMedia');
    assert.equal(floppy.ejectTarget, '/redfish/v1/Managers/BMC/VirtualMedia/Floppy1/Actions/VirtualMedia.EjectMedia');
    assert.equal(floppy.mediaPresent, true);
    const cd = parseVirtualMedia(sample('virtual_mediav1_6.json'));
    assert.equal(cd.insertTarget, undefined, 'v1_6 sample: PATCH only');
    assert.equal(pickVirtualMedia([floppy, cd], 'DVD'), cd);
    assert.equal(pickVirtualMedia([floppy, cd], 'USBStick'), floppy);
    assert.equal(pickVirtualMedia([floppy], 'CD'), undefined);
  });

  it('storage*.json, simple_storage.json, drive*.json, volume*.json', () => {
    const st = parseStorage(sample('storage.json'));
    assert.equal(st.drives.length, 4);
    assert.equal(st.volumesUri, '/redfish/v1/Systems/437XR1138R2/Storage/1/Volumes');
    assert.deepEqual(st.controllers[0]?.supportedRaidTypes, ['RAID0', 'RAID1']);
    assert.equal(st.controllersUri, '/redfish/v1/Systems/437XR1138R2/Storage/1/Controllers');
    const ss = parseSimpleStorage(sample('simple_storage.json'));
    assert.deepEqual(ss.devices.map((d) => [d.name, d.capacityBytes, d.state]), [
      ['SATA Bay 1', 8000000000000, 'Enabled'], ['SATA Bay 2', 4000000000000, 'Enabled'],
      ['SATA Bay 3', 9000000000000, 'Absent'], ['SATA Bay 4', undefined, 'Absent']]);
    const d = parseDrive(sample('drive.json'));
    assert.deepEqual([d.capacityBytes, d.mediaType, d.protocol, d.rotationSpeedRPM, d.serialNumber],
      [899527000000, 'HDD', 'SAS', 15000, '1234570']);
    assert.deepEqual(d.durableNames, ['32ADF365C6C1B7BD']);
    assert.deepEqual(['drive2.json', 'drive3.json'].map((f) => parseDrive(sample(f)).serialNumber), ['1234567', '1234568']);
    const v = parseVolume(sample('volume.json'));
    assert.deepEqual([v.volumeType, v.capacityBytes, v.encrypted, v.drives.length], ['Mirrored', 899527000000, false, 2]);
    assert.equal(parseVolume(sample('volume4.json')).raidType, 'RAID1');
    assert.deepEqual(['volume2.json', 'volume3.json'].map((f) => parseVolume(sample(f)).capacityBytes), [107374182400, 1073741824000]);
    assert.deepEqual(supportedApplyTimes(sample('volume_collection.json')), ['Immediate', 'OnReset', 'AtMaintenanceWindowStart']);
  });
});
