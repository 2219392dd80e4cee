/**
 * Overlays live machine state on template documents.
 *
 * Each function receives a private clone of the template resource (vendor JSON, OEM sections and
 * all) and replaces only the properties that the state owns, so a vendor profile keeps its shapes.
 * Paths written here are template paths; the service rewrites them to the machine's ids afterwards.
 * A property the template lacks is added only when a client needs it (e.g. PowerState).
 *
 * @module
 */
import type { LabMachine, VirtualMediaState, NicState } from './machine.ts';
import { volumeTypeOf, type StorageState, type VolumeState } from './storage.ts';
import type { Json } from './tree.ts';

const link = (id: string): Json => ({ '@odata.id': id });

export function renderSystem(doc: Json, m: LabMachine, generic: boolean): Json {
  doc.Id = m.id;
  if (generic) {
    doc.Name = m.name;
    doc.HostName = m.name;
  }
  doc.UUID = m.uuid;
  doc.PowerState = m.reportedPower;
  const boot = { ...((doc.Boot ?? {}) as Json) };
  boot.BootSourceOverrideTarget = m.boot.target;
  boot.BootSourceOverrideEnabled = m.boot.enabled;
  boot.BootSourceOverrideMode = m.boot.mode;
  if (m.boot.uefiTarget !== null) boot.UefiTargetBootSourceOverride = m.boot.uefiTarget;
  doc.Boot = boot;
  Object.assign(doc, m.extras);
  return doc;
}

export function renderManager(doc: Json, m: LabMachine, generic: boolean): Json {
  doc.Id = m.managerId;
  if (generic) doc.UUID = m.uuid;
  return doc;
}

export function renderChassis(doc: Json, m: LabMachine, generic: boolean): Json {
  doc.Id = m.chassisId;
  if (generic) doc.UUID = m.uuid;
  doc.PowerState = m.reportedPower;
  return doc;
}

/** Bios: current attributes, and `@Redfish.Settings` pointing at the (maybe synthesized) settings object. */
export function renderBios(doc: Json, m: LabMachine, settingsPath: string): Json {
  const bios = m.bios!;
  doc.Attributes = { ...bios.current };
  if ('ResetBiosToDefaultsPending' in doc) doc.ResetBiosToDefaultsPending = false;
  const settings = { ...((doc['@Redfish.Settings'] ?? { '@odata.type': '#Settings.v1_3_5.Settings' }) as Json) };
  // NOTE: keep the vendor's own spelling of the link (iLO: lower case, trailing slash).
  if (!(settings.SettingsObject as Json | undefined)?.['@odata.id']) settings.SettingsObject = link(settingsPath);
  settings.Messages = bios.lastApplied ? [{ MessageId: 'Base.1.11.0.Success' }] : [];
  if (bios.lastApplied) settings.Time = bios.lastApplied.time;
  else delete settings.Time;
  delete settings.ETag;
  doc['@Redfish.Settings'] = settings;
  return doc;
}

/**
 * The pending settings object: the full attribute set as it will be after the next boot (current
 * values with pending changes merged), as iLO and the DMTF mockups show it.
 */
export function renderBiosSettings(doc: Json | undefined, biosDoc: Json, m: LabMachine, settingsPath: string): Json {
  const bios = m.bios!;
  const out: Json = doc ?? {
    '@odata.id': settingsPath, '@odata.type': biosDoc['@odata.type'] ?? '#Bios.v1_1_0.Bios', Id: settingsPath.split('/').pop(),
    Name: 'BIOS Pending Settings', AttributeRegistry: biosDoc.AttributeRegistry,
  };
  out.Attributes = { ...bios.current, ...bios.pending };
  return out;
}

export function renderSecureBoot(doc: Json, m: LabMachine): Json {
  const sb = m.secureBoot!;
  doc.SecureBootEnable = sb.enabled;
  doc.SecureBootCurrentBoot = sb.currentBoot;
  doc.SecureBootMode = sb.mode;
  return doc;
}

export function renderNic(doc: Json, nic: NicState): Json {
  doc.MACAddress = nic.mac;
  if ('PermanentMACAddress' in doc) doc.PermanentMACAddress = nic.mac;
  if ('LinkStatus' in doc) doc.LinkStatus = nic.linkUp ? 'LinkUp' : 'LinkDown';
  return doc;
}

/** VirtualMedia; an ejected device shows the template's own "empty" spelling ("" or "None") when it had one. */
export function renderVmedia(doc: Json, vm: VirtualMediaState): Json {
  const emptyImage = doc.Inserted === false && (doc.Image === '' || doc.Image === 'None') ? doc.Image : null;
  doc.Image = vm.image ?? emptyImage;
  doc.ImageName = vm.image ? vm.image.split('/').pop()!.split('?')[0] : (emptyImage ?? null);
  doc.Inserted = vm.inserted;
  doc.WriteProtected = vm.writeProtected;
  doc.ConnectedVia = vm.image ? 'URI' : 'NotConnected';
  for (const [k, v] of [['TransferMethod', vm.transferMethod], ['TransferProtocolType', vm.transferProtocolType], ['UserName', vm.userName]] as const) {
    if (v !== null) doc[k] = v;
    else if (k in doc) doc[k] = null;
  }
  delete doc.Password;
  return doc;
}

export function volumePath(volumesPath: string, v: VolumeState): string {
  return v.templatePath ?? `${volumesPath}/${v.id}`;
}

/** Drive: its `Links.Volumes` follow the volumes that use it. */
export function renderDrive(doc: Json, st: StorageState, driveId: string, volumesPath: string | null): Json {
  const vols = volumesPath ? st.volumes.filter((v) => v.driveIds.includes(driveId)).map((v) => link(volumePath(volumesPath, v))) : [];
  const links = { ...((doc.Links ?? {}) as Json) };
  links.Volumes = vols;
  if ('Volumes@odata.count' in links) links['Volumes@odata.count'] = vols.length;
  doc.Links = links;
  return doc;
}

export function renderVolumes(doc: Json, st: StorageState, volumesPath: string): Json {
  const members = st.volumes.map((v) => link(volumePath(volumesPath, v)));
  doc.Members = members;
  doc['Members@odata.count'] = members.length;
  return doc;
}

/** A volume; new ones get a skeleton typed like the profile's other volumes. */
export function renderVolume(doc: Json | undefined, st: StorageState, v: VolumeState, volumesPath: string, odataType: string, drivePaths: Map<string, string>): Json {
  const path = volumePath(volumesPath, v);
  const out: Json = doc ?? {
    '@odata.id': path, '@odata.type': odataType, Id: v.id,
    Status: { State: 'Enabled', Health: 'OK' }, Encrypted: false, BlockSizeBytes: 512,
    Identifiers: [{ DurableNameFormat: 'UUID', DurableName: `1ab0${st.id.padStart(4, '0').slice(-4)}-0000-4000-8000-${v.id.padStart(12, '0').slice(-12)}` }],
  };
  out.Name = v.name;
  out.RAIDType = v.raidType;
  if (!doc || 'VolumeType' in out) out.VolumeType = volumeTypeOf(v.raidType);
  out.CapacityBytes = v.capacityBytes;
  const links = { ...((out.Links ?? {}) as Json) };
  links.Drives = v.driveIds.map((d) => link(drivePaths.get(d) ?? d));
  out.Links = links;
  return out;
}

/** A collection document with the given members. */
export function withMembers(doc: Json, members: string[]): Json {
  doc.Members = members.map(link);
  doc['Members@odata.count'] = members.length;
  return doc;
}
