/**
 * Managers (BMCs) and virtual media.
 *
 * Virtual media lives under the Manager on most hardware (HPE iLO, AMI, DMTF tower) and under
 * the ComputerSystem on newer schemas (DMTF rackmount): `listVirtualMedia` looks in both and
 * de-duplicates. Insert/Eject use the standard actions when present and fall back to PATCHing
 * `Image`/`Inserted` when they are not (older BMCs, DMTF mockups).
 */
import type { RedfishClient } from './client.ts';
import { getMembers, getOptional, getOptionalMembers } from './collections.ts';
import { RedfishError, RedfishProtocolError } from './errors.ts';
import {
  allowableValues, bool, findAction, link, links, obj, odataId, samePath, status, str, strList, uniquePaths,
  type JsonObject,
} from './odata.ts';
import type { ComputerSystem, ResetActionRef } from './systems.ts';

export interface Manager {
  uri: string;
  id: string | undefined;
  name: string | undefined;
  managerType: string | undefined;
  model: string | undefined;
  firmwareVersion: string | undefined;
  uuid: string | undefined;
  powerState: string | undefined;
  state: string | undefined;
  health: string | undefined;
  reset: ResetActionRef | undefined;
  links: {
    virtualMedia?: string;
    ethernetInterfaces?: string;
    networkProtocol?: string;
    managerForServers: string[];
  };
  raw: JsonObject;
}

export function parseManager(json: JsonObject, uri?: string): Manager {
  const reset = findAction(json, 'Manager.Reset');
  return {
    uri: uri ?? odataId(json) ?? '',
    id: str(json, 'Id'),
    name: str(json, 'Name'),
    managerType: str(json, 'ManagerType'),
    model: str(json, 'Model'),
    firmwareVersion: str(json, 'FirmwareVersion'),
    uuid: str(json, 'UUID'),
    powerState: str(json, 'PowerState'),
    ...status(json),
    reset: reset && { target: reset.target, allowedTypes: allowableValues(reset.raw, 'ResetType'), actionInfo: reset.actionInfo },
    links: {
      virtualMedia: link(json, 'VirtualMedia'),
      ethernetInterfaces: link(json, 'EthernetInterfaces'),
      networkProtocol: link(json, 'NetworkProtocol'),
      managerForServers: links(obj(json, 'Links'), 'ManagerForServers'),
    },
    raw: json,
  };
}

/** All managers of the service (`ServiceRoot.Managers`). */
export async function getManagers(client: RedfishClient): Promise<Manager[]> {
  const uri = link(await client.serviceRoot(), 'Managers');
  return (await getOptionalMembers(client, uri)).map((m) => parseManager(m));
}

export async function getManager(client: RedfishClient, uri: string): Promise<Manager> {
  return parseManager(await client.get(uri), uri);
}

/** Managers of a system: `Links.ManagedBy` (404s skipped), else every manager (when the link is missing). */
export async function getSystemManagers(client: RedfishClient, system: ComputerSystem): Promise<Manager[]> {
  if (system.links.managedBy.length === 0) return getManagers(client);
  const found = await Promise.all(system.links.managedBy.map((u) => getOptional(client, u)));
  return found.flatMap((json, i) => (json ? [parseManager(json, system.links.managedBy[i])] : []));
}

export interface VirtualMedia {
  uri: string;
  id: string | undefined;
  name: string | undefined;
  /** undefined when the BMC omits MediaTypes (AMI MegaRAC). */
  mediaTypes: string[] | undefined;
  image: string | undefined;
  imageName: string | undefined;
  inserted: boolean | undefined;
  /** Inserted, or an Image other than the "" / "None" placeholders BMCs use for "empty". */
  mediaPresent: boolean;
  writeProtected: boolean | undefined;
  connectedVia: string | undefined;
  transferProtocolType: string | undefined;
  transferMethod: string | undefined;
  insertTarget: string | undefined;
  ejectTarget: string | undefined;
  raw: JsonObject;
}

export function parseVirtualMedia(json: JsonObject, uri?: string): VirtualMedia {
  const image = str(json, 'Image');
  const inserted = bool(json, 'Inserted');
  const placeholder = image === undefined || image === '' || image.toLowerCase() === 'none';
  return {
    uri: uri ?? odataId(json) ?? '',
    id: str(json, 'Id'),
    name: str(json, 'Name'),
    mediaTypes: strList(json, 'MediaTypes'),
    image,
    imageName: str(json, 'ImageName'),
    inserted,
    mediaPresent: inserted ?? !placeholder,
    writeProtected: bool(json, 'WriteProtected'),
    connectedVia: str(json, 'ConnectedVia'),
    transferProtocolType: str(json, 'TransferProtocolType'),
    transferMethod: str(json, 'TransferMethod'),
    insertTarget: findAction(json, 'VirtualMedia.InsertMedia')?.target,
    ejectTarget: findAction(json, 'VirtualMedia.EjectMedia')?.target,
    raw: json,
  };
}

/** Virtual media devices of a system, from the System and from its Managers, de-duplicated. */
export async function listVirtualMedia(client: RedfishClient, system: ComputerSystem): Promise<VirtualMedia[]> {
  const collections: string[] = [];
  if (system.links.virtualMedia) collections.push(system.links.virtualMedia);
  for (const m of await getSystemManagers(client, system)) if (m.links.virtualMedia) collections.push(m.links.virtualMedia);
  const out: VirtualMedia[] = [];
  for (const c of uniquePaths(collections)) {
    for (const json of await getOptionalMembers(client, c)) {
      const vm = parseVirtualMedia(json);
      if (!out.some((x) => samePath(x.uri, vm.uri))) out.push(vm);
    }
  }
  return out;
}

/** Guess of media types from Id/Name, for BMCs that omit MediaTypes. */
function guessedTypes(vm: VirtualMedia): string[] {
  const label = `${vm.id ?? ''} ${vm.name ?? ''}`.toLowerCase();
  if (/\b(cd|dvd)|cd\d|dvd\d/.test(label)) return ['CD', 'DVD'];
  if (/usb|removable/.test(label)) return ['USBStick'];
  if (/floppy|fdd/.test(label)) return ['Floppy'];
  return [];
}

/**
 * First virtual media device accepting `mediaType` ('CD', 'DVD', 'USBStick', 'Floppy'…),
 * compared case-insensitively; falls back to Id/Name when MediaTypes is missing.
 */
export function pickVirtualMedia(devices: readonly VirtualMedia[], mediaType: string): VirtualMedia | undefined {
  const want = mediaType.toLowerCase();
  const types = (vm: VirtualMedia): string[] => (vm.mediaTypes && vm.mediaTypes.length > 0 ? vm.mediaTypes : guessedTypes(vm));
  return devices.find((vm) => types(vm).some((t) => t.toLowerCase() === want));
}

export interface InsertMediaOptions {
  image: string;
  /** Default true. Only sent to the action when false (SuperMicro rejects the defaults). */
  inserted?: boolean;
  /** Default true. Same rule as `inserted`. */
  writeProtected?: boolean;
  username?: string;
  password?: string;
  /** 'Stream' | 'Upload'. */
  transferMethod?: string;
  /** 'HTTP' | 'HTTPS' | 'NFS' | 'CIFS'…; derived from the image URL when the BMC demands it. */
  transferProtocolType?: string;
}

/** TransferProtocolType implied by an image URL's scheme. */
export function protocolOf(image: string): string | undefined {
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(image)?.[1]?.toLowerCase();
  const map: Record<string, string> = { http: 'HTTP', https: 'HTTPS', nfs: 'NFS', smb: 'CIFS', cifs: 'CIFS', ftp: 'FTP', sftp: 'SFTP' };
  return scheme ? map[scheme] : undefined;
}

/**
 * Inserts media. With the InsertMedia action: POST, and if the BMC rejects it for a missing
 * TransferProtocolType / TransferMethod (AMI MegaRAC and others), retry once with them filled in. Without
 * the action: PATCH Image/Inserted/WriteProtected (with If-Match).
 */
export async function insertMedia(client: RedfishClient, vm: VirtualMedia, o: InsertMediaOptions): Promise<void> {
  const creds: JsonObject = {};
  if (o.username !== undefined) creds['UserName'] = o.username;
  if (o.password !== undefined) creds['Password'] = o.password;
  if (!vm.insertTarget) {
    const body: JsonObject = { Image: o.image, Inserted: o.inserted ?? true, WriteProtected: o.writeProtected ?? true, ...creds };
    if (o.transferProtocolType) body['TransferProtocolType'] = o.transferProtocolType;
    if (o.transferMethod) body['TransferMethod'] = o.transferMethod;
    await client.patch(vm.uri, body);
    return;
  }
  const body: JsonObject = { Image: o.image, ...creds };
  if (o.inserted === false) body['Inserted'] = false;
  if (o.writeProtected === false) body['WriteProtected'] = false;
  if (o.transferProtocolType) body['TransferProtocolType'] = o.transferProtocolType;
  if (o.transferMethod) body['TransferMethod'] = o.transferMethod;
  try {
    await client.post(vm.insertTarget, body, { wait: true });
  } catch (e) {
    if (!(e instanceof RedfishError) || e.status >= 500) throw e;
    const retry = { ...body };
    if (!('TransferProtocolType' in body) && e.mentions('TransferProtocolType')) {
      const proto = protocolOf(o.image);
      if (!proto) throw e;
      retry['TransferProtocolType'] = proto;
    }
    if (!('TransferMethod' in body) && e.mentions('TransferMethod')) retry['TransferMethod'] = 'Stream';
    if (Object.keys(retry).length === Object.keys(body).length) throw e;
    client.log.info({ uri: vm.uri, added: Object.keys(retry).filter((k) => !(k in body)) }, 'Retrying InsertMedia with required parameters');
    await client.post(vm.insertTarget, retry, { wait: true });
  }
}

/**
 * Ejects media. Action: POST without a body, then with `{}` when the BMC answers 400/415 (HPE
 * iLO requires a JSON body). No action: PATCH `{"Image": null, "Inserted": false}`.
 */
export async function ejectMedia(client: RedfishClient, vm: VirtualMedia): Promise<void> {
  if (!vm.ejectTarget) {
    await client.patch(vm.uri, { Image: null, Inserted: false });
    return;
  }
  try {
    await client.post(vm.ejectTarget, undefined, { wait: true });
  } catch (e) {
    if (!(e instanceof RedfishError) || (e.status !== 400 && e.status !== 415)) throw e;
    await client.post(vm.ejectTarget, {}, { wait: true });
  }
}

/** Refetches one virtual media device (e.g. to confirm an insert). */
export async function getVirtualMedia(client: RedfishClient, uri: string): Promise<VirtualMedia> {
  return parseVirtualMedia(await client.get(uri), uri);
}

/** Manager.Reset (reboots the BMC itself); 'GracefulRestart' by default. */
export async function resetManager(client: RedfishClient, manager: Manager, resetType = 'GracefulRestart'): Promise<void> {
  if (!manager.reset) throw new RedfishProtocolError(`Manager ${manager.uri} offers no #Manager.Reset action`, { url: manager.uri });
  await client.post(manager.reset.target, { ResetType: resetType });
}

/** Members of a manager's virtual media collection (raw), e.g. for diagnostics. */
export async function getManagerVirtualMedia(client: RedfishClient, manager: Manager): Promise<VirtualMedia[]> {
  if (!manager.links.virtualMedia) return [];
  return (await getMembers(client, manager.links.virtualMedia)).map((j) => parseVirtualMedia(j));
}
