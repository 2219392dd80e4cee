/**
 * Storage of a system: SimpleStorage (older/simpler BMCs), Storage with Drives and Volumes
 * (RAID), and volume create/delete. Either model may be missing (HPE iLO 5 exposes disks only
 * through OEM SmartStorage; the DMTF rackmount has only SimpleStorage) — fetchers return [].
 */
import type { RedfishClient } from './client.ts';
import { getOptional, getOptionalMembers } from './collections.ts';
import type { HttpResponse } from './http.ts';
import { RedfishProtocolError } from './errors.ts';
import { bool, isObject, link, links, num, obj, odataId, status, str, strList, type JsonObject } from './odata.ts';
import type { ComputerSystem } from './systems.ts';
import { TaskMonitor } from './tasks.ts';

export interface SimpleStorageDevice {
  name: string | undefined;
  manufacturer: string | undefined;
  model: string | undefined;
  capacityBytes: number | undefined;
  state: string | undefined;
  health: string | undefined;
}

export interface SimpleStorage {
  uri: string;
  id: string | undefined;
  name: string | undefined;
  devices: SimpleStorageDevice[];
  raw: JsonObject;
}

export function parseSimpleStorage(json: JsonObject): SimpleStorage {
  const devices = Array.isArray(json['Devices']) ? json['Devices'].filter(isObject) : [];
  return {
    uri: odataId(json) ?? '',
    id: str(json, 'Id'),
    name: str(json, 'Name'),
    devices: devices.map((d) => ({
      name: str(d, 'Name'),
      manufacturer: str(d, 'Manufacturer'),
      model: str(d, 'Model'),
      capacityBytes: num(d, 'CapacityBytes'),
      ...status(d),
    })),
    raw: json,
  };
}

export async function getSimpleStorage(client: RedfishClient, system: ComputerSystem): Promise<SimpleStorage[]> {
  return (await getOptionalMembers(client, system.links.simpleStorage)).map(parseSimpleStorage);
}

export interface StorageController {
  memberId: string | undefined;
  name: string | undefined;
  manufacturer: string | undefined;
  model: string | undefined;
  speedGbps: number | undefined;
  supportedRaidTypes: string[] | undefined;
}

export interface Storage {
  uri: string;
  id: string | undefined;
  name: string | undefined;
  state: string | undefined;
  health: string | undefined;
  /** Drive URIs (from `Drives`). */
  drives: string[];
  volumesUri: string | undefined;
  /** Inline `StorageControllers` (deprecated in newer schemas, still the common case). */
  controllers: StorageController[];
  /** Newer `Controllers` collection link, when present. */
  controllersUri: string | undefined;
  raw: JsonObject;
}

export function parseStorage(json: JsonObject): Storage {
  const ctrls = Array.isArray(json['StorageControllers']) ? json['StorageControllers'].filter(isObject) : [];
  return {
    uri: odataId(json) ?? '',
    id: str(json, 'Id'),
    name: str(json, 'Name'),
    ...status(json),
    drives: links(json, 'Drives'),
    volumesUri: link(json, 'Volumes'),
    controllers: ctrls.map((c) => ({
      memberId: str(c, 'MemberId'),
      name: str(c, 'Name'),
      manufacturer: str(c, 'Manufacturer'),
      model: str(c, 'Model'),
      speedGbps: num(c, 'SpeedGbps'),
      supportedRaidTypes: strList(c, 'SupportedRAIDTypes'),
    })),
    controllersUri: link(json, 'Controllers'),
    raw: json,
  };
}

export async function getStorage(client: RedfishClient, system: ComputerSystem): Promise<Storage[]> {
  return (await getOptionalMembers(client, system.links.storage)).map(parseStorage);
}

export interface Drive {
  uri: string;
  id: string | undefined;
  name: string | undefined;
  capacityBytes: number | undefined;
  mediaType: string | undefined;
  protocol: string | undefined;
  manufacturer: string | undefined;
  model: string | undefined;
  serialNumber: string | undefined;
  rotationSpeedRPM: number | undefined;
  blockSizeBytes: number | undefined;
  /** `Identifiers[].DurableName` (WWN/NAA/EUI…), for root-device hints. */
  durableNames: string[];
  state: string | undefined;
  health: string | undefined;
  raw: JsonObject;
}

function durableNames(json: JsonObject): string[] {
  const ids = Array.isArray(json['Identifiers']) ? json['Identifiers'].filter(isObject) : [];
  return ids.map((i) => str(i, 'DurableName')).filter((x): x is string => !!x);
}

export function parseDrive(json: JsonObject): Drive {
  return {
    uri: odataId(json) ?? '',
    id: str(json, 'Id'),
    name: str(json, 'Name'),
    capacityBytes: num(json, 'CapacityBytes'),
    mediaType: str(json, 'MediaType'),
    protocol: str(json, 'Protocol'),
    manufacturer: str(json, 'Manufacturer'),
    model: str(json, 'Model'),
    serialNumber: str(json, 'SerialNumber'),
    rotationSpeedRPM: num(json, 'RotationSpeedRPM'),
    blockSizeBytes: num(json, 'BlockSizeBytes'),
    durableNames: durableNames(json),
    ...status(json),
    raw: json,
  };
}

/** Drives of one Storage resource; missing (404) drive links are skipped. */
export async function getDrives(client: RedfishClient, storage: Storage): Promise<Drive[]> {
  const out: Drive[] = [];
  for (const uri of storage.drives) {
    const body = await getOptional(client, uri);
    if (body) out.push(parseDrive(body));
  }
  return out;
}

export interface Volume {
  uri: string;
  id: string | undefined;
  name: string | undefined;
  capacityBytes: number | undefined;
  volumeType: string | undefined;
  raidType: string | undefined;
  encrypted: boolean | undefined;
  drives: string[];
  durableNames: string[];
  state: string | undefined;
  health: string | undefined;
  raw: JsonObject;
}

export function parseVolume(json: JsonObject): Volume {
  return {
    uri: odataId(json) ?? '',
    id: str(json, 'Id'),
    name: str(json, 'Name'),
    capacityBytes: num(json, 'CapacityBytes'),
    volumeType: str(json, 'VolumeType'),
    raidType: str(json, 'RAIDType'),
    encrypted: bool(json, 'Encrypted'),
    drives: links(obj(json, 'Links'), 'Drives'),
    durableNames: durableNames(json),
    ...status(json),
    raw: json,
  };
}

export async function getVolumes(client: RedfishClient, storage: Storage): Promise<Volume[]> {
  return (await getOptionalMembers(client, storage.volumesUri)).map(parseVolume);
}

/** `@Redfish.OperationApplyTimeSupport.SupportedValues` of a collection/action, if advertised. */
export function supportedApplyTimes(json: unknown): string[] | undefined {
  return strList(obj(json, '@Redfish.OperationApplyTimeSupport'), 'SupportedValues');
}

export interface VolumeSpec {
  capacityBytes?: number;
  /** e.g. 'RAID0', 'RAID1', 'RAID5', 'RAID10'. */
  raidType?: string;
  /** Older schemas: 'NonRedundant', 'Mirrored', 'StripedWithParity'… */
  volumeType?: string;
  name?: string;
  /** Drive URIs to build the volume on. */
  drives?: string[];
  /** 'Immediate' | 'OnReset' | ... sent as `@Redfish.OperationApplyTime`. */
  applyTime?: string;
  /** Vendor fields merged into the payload as-is. */
  extra?: JsonObject;
}

export function volumePayload(spec: VolumeSpec): JsonObject {
  const p: JsonObject = {};
  if (spec.name !== undefined) p['Name'] = spec.name;
  if (spec.capacityBytes !== undefined) p['CapacityBytes'] = spec.capacityBytes;
  if (spec.raidType !== undefined) p['RAIDType'] = spec.raidType;
  if (spec.volumeType !== undefined) p['VolumeType'] = spec.volumeType;
  if (spec.drives?.length) p['Links'] = { Drives: spec.drives.map((d) => ({ '@odata.id': d })) };
  if (spec.applyTime !== undefined) p['@Redfish.OperationApplyTime'] = spec.applyTime;
  return { ...p, ...spec.extra };
}

export interface VolumeOperation {
  status: number;
  /** URI of the created volume (201 + Location), when known. */
  volumeUri: string | undefined;
  /** Set when the BMC answered 202 and `wait` was false: poll or wait on it. */
  task: TaskMonitor | undefined;
  response: HttpResponse;
}

function toOperation(client: RedfishClient, res: HttpResponse): VolumeOperation {
  return {
    status: res.status,
    volumeUri: res.status === 201 ? (res.headers['location'] ?? odataId(res.body)) : undefined,
    task: res.status === 202 ? client.taskMonitor(res) : undefined,
    response: res,
  };
}

/**
 * POSTs a new volume to a Volumes collection. `wait` (default: only when applyTime is
 * 'Immediate') follows a 202 task to completion; otherwise the TaskMonitor is returned,
 * since an 'OnReset' task only ends after the host reboots.
 */
export async function createVolume(client: RedfishClient, storage: Storage | string, spec: VolumeSpec,
  opts: { wait?: boolean } = {}): Promise<VolumeOperation> {
  const uri = typeof storage === 'string' ? storage : storage.volumesUri;
  if (!uri) throw new RedfishProtocolError(`Storage ${(storage as Storage).uri} has no Volumes collection`);
  const wait = opts.wait ?? spec.applyTime === 'Immediate';
  return toOperation(client, await client.post(uri, volumePayload(spec), { wait }));
}

/** DELETEs a volume (optionally with an apply time); same `wait` contract as createVolume. */
export async function deleteVolume(client: RedfishClient, volume: Volume | string,
  opts: { applyTime?: string; wait?: boolean } = {}): Promise<VolumeOperation> {
  const uri = typeof volume === 'string' ? volume : volume.uri;
  const body = opts.applyTime ? { '@Redfish.OperationApplyTime': opts.applyTime } : undefined;
  const wait = opts.wait ?? opts.applyTime === 'Immediate';
  return toOperation(client, await client.delete(uri, { body, wait }));
}

/** All volumes of all Storage resources of a system. */
export async function getAllVolumes(client: RedfishClient, system: ComputerSystem): Promise<Volume[]> {
  const storages = await getStorage(client, system);
  const lists = await Promise.all(storages.map((s) => getVolumes(client, s)));
  return lists.flat();
}

/** Volume collection raw JSON (e.g. for `supportedApplyTimes`); undefined when absent. */
export async function getVolumeCollection(client: RedfishClient, storage: Storage): Promise<JsonObject | undefined> {
  return getOptional(client, storage.volumesUri);
}
