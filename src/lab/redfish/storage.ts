/**
 * Storage state and RAID arithmetic for emulated controllers.
 *
 * A volume spans a set of drives of one storage subsystem and takes the same number of bytes from
 * each of them; a drive may carry several volumes while it has free space (as real controllers
 * allow several logical disks on one drive group). Creation is validated up front (400 with Base
 * messages) and validated again when the creating task commits, because another task may have used
 * the space meanwhile.
 *
 * @module
 */
import { fail, RedfishError } from './errors.ts';

export interface DriveState {
  id: string;
  /** Template (profile) path of the Drive resource; drives are fixed hardware. */
  path: string;
  capacityBytes: number;
}

export interface VolumeState {
  id: string;
  name: string;
  raidType: string;
  capacityBytes: number;
  /** Ids of the member drives (DriveState.id). */
  driveIds: string[];
  /** Template path when the volume came with the profile, so its vendor JSON is reused. */
  templatePath?: string;
}

export interface StorageState {
  id: string;
  /** RAID levels the controller accepts (`SupportedRAIDTypes`). */
  raidTypes: string[];
  drives: DriveState[];
  volumes: VolumeState[];
  /** False when the profile has no Volumes collection for this subsystem (no RAID support). */
  volumesSupported: boolean;
  nextVolumeId: number;
}

/** The request to create a volume, after the HTTP layer resolved drive links to drive ids. */
export interface VolumeRequest {
  raidType: string;
  capacityBytes?: number;
  driveIds: string[];
  name?: string;
}

interface RaidRule { min: number; even?: boolean; max?: number; dataDrives(n: number): number }

/** Usable data drives per RAID level; the capacity of a volume is dataDrives × bytes per drive. */
const RAID: Record<string, RaidRule> = {
  None: { min: 1, max: 1, dataDrives: () => 1 },
  RAID0: { min: 1, dataDrives: (n) => n },
  RAID1: { min: 2, max: 2, dataDrives: () => 1 },
  RAID1E: { min: 3, dataDrives: (n) => n / 2 },
  RAID5: { min: 3, dataDrives: (n) => n - 1 },
  RAID6: { min: 4, dataDrives: (n) => n - 2 },
  RAID10: { min: 4, even: true, dataDrives: (n) => n / 2 },
  RAID50: { min: 6, even: true, dataDrives: (n) => n - 2 },
  RAID60: { min: 8, even: true, dataDrives: (n) => n - 4 },
};

/** Every RAIDType the lab can build (what a controller that names no SupportedRAIDTypes accepts). */
export const ALL_RAID_TYPES: readonly string[] = Object.keys(RAID);

/** Redfish VolumeType for a RAIDType, for clients that still read the deprecated property. */
export function volumeTypeOf(raidType: string): string {
  switch (raidType) {
    case 'None': return 'RawDevice';
    case 'RAID0': return 'NonRedundant';
    case 'RAID1': case 'RAID1E': return 'Mirrored';
    case 'RAID10': return 'SpannedMirrors';
    case 'RAID50': case 'RAID60': return 'SpannedStripesWithParity';
    default: return 'StripedWithParity';
  }
}

/** RAIDType for a legacy VolumeType, used when a client only sends VolumeType. */
export function raidTypeOfVolumeType(volumeType: string): string | undefined {
  return ({ RawDevice: 'None', NonRedundant: 'RAID0', Mirrored: 'RAID1', StripedWithParity: 'RAID5', SpannedMirrors: 'RAID10', SpannedStripesWithParity: 'RAID50' } as Record<string, string>)[volumeType];
}

/** Bytes already taken on a drive by the storage's volumes. */
export function usedBytes(storage: StorageState, driveId: string): number {
  let used = 0;
  for (const v of storage.volumes) {
    if (!v.driveIds.includes(driveId)) continue;
    used += perDriveBytes(v.raidType, v.driveIds.length, v.capacityBytes);
  }
  return used;
}

function perDriveBytes(raidType: string, n: number, capacity: number): number {
  const rule = RAID[raidType];
  return rule ? Math.ceil(capacity / rule.dataDrives(n)) : Math.ceil(capacity / n);
}

/**
 * Validates a creation request against the current state and returns the volume to add
 * (capacity filled in when the request left it out: the largest that fits). Throws 400.
 */
export function planVolume(storage: StorageState, req: VolumeRequest): VolumeState {
  if (!storage.raidTypes.includes(req.raidType) || !RAID[req.raidType]) throw fail.notInList(req.raidType, 'RAIDType');
  const rule = RAID[req.raidType]!;
  const ids = req.driveIds;
  if (new Set(ids).size !== ids.length) throw fail.notInList('duplicate drive', 'Links/Drives');
  const n = ids.length;
  if (n < rule.min || (rule.max !== undefined && n > rule.max) || (rule.even && n % 2 !== 0)) {
    throw new RedfishError(400, { id: 'PropertyValueOutOfRange', args: [String(n), 'Links/Drives'], related: ['#/Links/Drives'] });
  }
  const drives = ids.map((id) => storage.drives.find((d) => d.id === id));
  if (drives.some((d) => !d)) throw fail.notInList(ids.join(','), 'Links/Drives');
  const freePerDrive = Math.min(...drives.map((d) => d!.capacityBytes - usedBytes(storage, d!.id)));
  const maxCapacity = Math.floor(freePerDrive * rule.dataDrives(n));
  const capacity = req.capacityBytes ?? maxCapacity;
  if (!Number.isFinite(capacity) || capacity <= 0 || capacity > maxCapacity) {
    throw new RedfishError(400, { id: 'ResourceExhaustion', args: ['Drives'], related: ['#/CapacityBytes'] });
  }
  const id = String(storage.nextVolumeId);
  return { id, name: req.name ?? `Volume ${id}`, raidType: req.raidType, capacityBytes: capacity, driveIds: [...ids] };
}
