/**
 * Planning a RAID configuration onto physical drives: Ironic's redfish RAID matching
 * (drivers/modules/redfish/raid.py, 21.4), reimplemented as pure functions.
 *
 * Facts kept from Ironic:
 * - levels 0, 1, 5, 6 (simple) and 1+0, 5+0, 6+0 (spanned) → RAID0…RAID60; JBOD and 2 are
 *   not supported ("RAID level X is not supported by the driver. Supported RAID levels:
 *   0, 1, 5, 6, 1+0, 5+0, 6+0");
 * - sizes in 64 MiB stripes; 'MAX' needs physical_disks (else InvalidError);
 * - a logical disk uses drives of ONE (media type, protocol, capacity) class, filtered by
 *   disk_type / interface_type, never drives already used by another logical disk unless
 *   share_physical_disks, preferring the fullest-free drives; the disk count is searched
 *   from the level's minimum up, with backtracking across logical disks;
 * - volumes with given physical_disks and a size go first, then automatic ones, then
 *   given-disk 'MAX' ones; the controller defaults to the storage of the first drive.
 * Changes: drives that already carry a volume on the BMC count as used (Ironic assumes
 * every drive empty and lets the BMC refuse); an unsupported level is reported as such up
 * front (Ironic fails later with "Cannot calculate spans for RAID level ...").
 */
import { DriverError, InvalidError } from '../../core/errors.ts';
import type { Json } from '../../core/node.ts';
import { pyRepr } from '../shared/py-repr.ts';

export interface PhysicalDisk {
  /** Drive Id (what target_raid_config's physical_disks name). */
  id: string;
  uri: string;
  /** Storage resource Id (the "controller"). */
  storageId: string;
  capacityBytes: number;
  mediaType: string | undefined;
  protocol: string | undefined;
  /** Already part of a volume on the BMC. */
  inUse: boolean;
}

export interface PlannedVolume {
  /** The logical disk as given in the target configuration. */
  source: Json;
  raidLevel: string;
  raidType: string;
  sizeBytes: number;
  physicalDisks: string[];
  controller: string;
  isRoot: boolean;
}

interface Level { type: 'simple' | 'spanned'; raidType: string; minDisks?: number; maxDisks?: number; overhead?: number; spanType?: string }

export const RAID_LEVELS: Readonly<Record<string, Level>> = {
  '0': { type: 'simple', raidType: 'RAID0', minDisks: 1, maxDisks: 1000, overhead: 0 },
  '1': { type: 'simple', raidType: 'RAID1', minDisks: 2, maxDisks: 2, overhead: 1 },
  '5': { type: 'simple', raidType: 'RAID5', minDisks: 3, maxDisks: 1000, overhead: 1 },
  '6': { type: 'simple', raidType: 'RAID6', minDisks: 4, maxDisks: 1000, overhead: 2 },
  '1+0': { type: 'spanned', raidType: 'RAID10', spanType: '1' },
  '5+0': { type: 'spanned', raidType: 'RAID50', spanType: '5' },
  '6+0': { type: 'spanned', raidType: 'RAID60', spanType: '6' },
};

const KiB = 1024;
const GiB = 1024 ** 3;
const STRIPE_KB = 64 * KiB;

/** A planning failure (Ironic's RedfishError); the caller adds the node. */
export class RaidPlanError extends DriverError {
  constructor(message: string) { super(message, { reason: 'raid_plan' }); }
}

/** The simple level behind a level and span count (spanned levels need ≥ 2 spans). */
function baseLevel(level: string, spans: number): Level {
  const info = RAID_LEVELS[level];
  if (!info) {
    throw new RaidPlanError(`RAID level ${level} is not supported by the driver. Supported RAID levels: ${Object.keys(RAID_LEVELS).join(', ')}`);
  }
  if (info.type === 'simple') return info;
  if (spans <= 1) throw new RaidPlanError('Spanned RAID volumes cannot contain a single span');
  return RAID_LEVELS[info.spanType!]!;
}

const overheadOf = (level: string, spans: number): number => baseLevel(level, spans).overhead! * spans;
const minDisksOf = (level: string, spans: number): number => baseLevel(level, spans).minDisks! * spans;
const maxDisksOf = (level: string, spans: number): number => baseLevel(level, spans).maxDisks! * spans;

function spansOf(level: string, disks: number): number {
  if (['0', '1', '5', '6'].includes(level)) return 1;
  if (level === '5+0' || level === '6+0') return 2;
  if (level === '1+0') return disks >> 1;
  throw new RaidPlanError(`Cannot calculate spans for RAID level "${level}"`);
}

function usableDisks(level: string, disks: number): number {
  if (['0', '1', '5', '6'].includes(level)) return disks;
  if (['5+0', '6+0', '1+0'].includes(level)) return (disks >> 1) << 1;
  baseLevel(level, 1);
  return disks;
}

function maxVolumeBytes(level: string, disks: PhysicalDisk[], free: Map<string, number>, spans: number): number {
  const sizeKb = Math.floor(Math.min(...disks.map((d) => free.get(d.uri)!)) / KiB);
  const stripesPerDisk = Math.floor(sizeKb / STRIPE_KB);
  const overhead = overheadOf(level, spans);
  if (disks.length <= overhead) {
    throw new RaidPlanError(`The number of physical drives (${disks.length}) is too few for the required number of overhead drives (${overhead})`);
  }
  return stripesPerDisk * STRIPE_KB * (disks.length - overhead) * KiB;
}

function usagePerDiskBytes(sizeBytes: number, level: string, disks: number, spans: number): number {
  const stripesPerVolume = Math.ceil(Math.floor(sizeBytes / KiB) / STRIPE_KB);
  const stripesPerDisk = Math.ceil(stripesPerVolume / (disks - overheadOf(level, spans)));
  return stripesPerDisk * STRIPE_KB * KiB;
}

/** A logical disk being planned: the source plus what planning fills in. */
interface Work { source: Json; level: string; size: number | 'MAX'; physical?: string[]; controller?: string }

/** Fill size/controller of `w` on its chosen disks, taking their space from `free` (Ironic's _calculate_volume_props). */
function place(w: Work, all: PhysicalDisk[], free: Map<string, number>): void {
  const chosen = all.filter((d) => w.physical!.includes(d.id));
  const spans = spansOf(w.level, chosen.length);
  if (spans === 0 || chosen.length % spans !== 0) {
    throw new RaidPlanError(`For RAID level ${w.level}, the number of physical disks provided (${chosen.length}) must be a multiple of the spans count (${spans})`);
  }
  const max = maxVolumeBytes(w.level, chosen, free, spans);
  if (w.size === 'MAX') {
    if (max === 0) throw new RaidPlanError("size set to 'MAX' but could not allocate physical disk space");
    w.size = max;
  } else if (max < w.size) {
    throw new RaidPlanError(`The physical disk space (${max} bytes) is not enough for the size of the logical disk (${w.size} bytes)`);
  }
  const usage = usagePerDiskBytes(w.size, w.level, chosen.length, spans);
  for (const d of chosen) {
    const f = free.get(d.uri)!;
    if (f < usage) {
      throw new RaidPlanError(`The free space of a disk (${f} bytes) is not enough for the per-disk size of the logical disk (${usage} bytes)`);
    }
    free.set(d.uri, f - usage);
  }
  w.controller ??= chosen[0]?.storageId;
}

const typeKey = (d: PhysicalDisk): string => JSON.stringify([d.mediaType ?? null, d.protocol ?? null, d.capacityBytes]);
const protocolName = (p: string | undefined): string => (p === 'SAS' ? 'sas' : p === 'SATA' ? 'sata' : (p ?? '').toLowerCase());

/** Ironic's _assign_disks_to_volume: place queue[0] (then the rest, recursively) or report failure. */
function assign(queue: Work[], byType: Map<string, PhysicalDisk[]>, free: Map<string, number>, all: PhysicalDisk[],
  capacity: Map<string, number>): { ok: boolean; free: Map<string, number> } {
  const w = queue.shift()!;
  for (const typeDisks of byType.values()) {
    const sample = typeDisks[0];
    if (!sample) continue;
    if (typeof w.source.disk_type === 'string' && w.source.disk_type.toLowerCase() !== (sample.mediaType ?? '').toLowerCase()) continue;
    if (typeof w.source.interface_type === 'string' && w.source.interface_type.toLowerCase() !== protocolName(sample.protocol)) continue;
    let disks = typeDisks.filter((d) => free.get(d.uri)! > 0);
    disks = [...disks].sort((a, b) => free.get(a.uri)! - free.get(b.uri)!);
    if (!w.source.share_physical_disks) disks = disks.filter((d) => capacity.get(d.uri) === free.get(d.uri));
    const maxSpans = spansOf(w.level, disks.length);
    const minSpans = Math.min(2, maxSpans);
    const lo = minDisksOf(w.level, minSpans);
    const hi = Math.min(maxDisksOf(w.level, maxSpans), disks.length);
    for (let n = lo; n <= hi; n++) {
      if (typeof w.source.number_of_physical_disks === 'number' && w.source.number_of_physical_disks !== n) continue;
      if (n !== usableDisks(w.level, n)) continue;
      const candidate: Work = { ...w, physical: disks.slice(0, n).map((d) => d.id) };
      let trial = new Map(free);
      try { place(candidate, all, trial); } catch (e) { if (e instanceof RaidPlanError) continue; throw e; }
      if (queue.length > 0) {
        let rest: { ok: boolean; free: Map<string, number> };
        try { rest = assign(queue, byType, trial, all, capacity); } catch (e) { if (e instanceof RaidPlanError) continue; throw e; }
        if (!rest.ok) continue;
        trial = rest.free;
      }
      queue.push(candidate);
      return { ok: true, free: trial };
    }
  }
  queue.unshift(w);
  return { ok: false, free };
}

/**
 * Plan `logicalDisks` (target_raid_config.logical_disks) onto `disks`. Throws InvalidError
 * for a 'MAX' size without physical_disks, RaidPlanError when it cannot be placed.
 */
export function planRaid(nodeUuid: string, logicalDisks: Json[], disks: PhysicalDisk[]): PlannedVolume[] {
  const works: Work[] = logicalDisks.map((ld) => {
    if (ld.size_gb === 'MAX' && !('physical_disks' in ld)) {
      throw new InvalidError(`create_configuration called with invalid target_raid_configuration for node ${nodeUuid}. `
        + `'physical_disks' is missing from logical_disk while 'size_gb'='MAX' was requested: ${pyRepr(ld)}`);
    }
    baseLevel(String(ld.raid_level), 2);
    return {
      source: ld, level: String(ld.raid_level), size: ld.size_gb === 'MAX' ? 'MAX' : Number(ld.size_gb) * GiB,
      ...(Array.isArray(ld.physical_disks) ? { physical: ld.physical_disks.map(String) } : {}),
      ...(typeof ld.controller === 'string' ? { controller: ld.controller } : {}),
    };
  });
  const capacity = new Map(disks.map((d) => [d.uri, d.capacityBytes]));
  let free = new Map(disks.map((d) => [d.uri, d.inUse ? 0 : d.capacityBytes]));
  const reserved = new Set(works.filter((w) => w.physical && w.size === 'MAX' && w.source.share_physical_disks).flatMap((w) => w.physical!));
  const byType = new Map<string, PhysicalDisk[]>();
  const reservedByType = new Map<string, PhysicalDisk[]>();
  for (const d of disks) {
    const k = typeKey(d);
    if (!byType.has(k)) { byType.set(k, []); reservedByType.set(k, []); }
    (reserved.has(d.id) ? reservedByType : byType).get(k)!.push(d);
  }
  for (const w of works) {
    if (!w.physical || w.source.share_physical_disks) continue;
    for (const [k, list] of byType) byType.set(k, list.filter((d) => !w.physical!.includes(d.id)));
  }
  const done: Work[] = [];
  for (const w of works.filter((x) => x.physical && x.size !== 'MAX')) { place(w, disks, free); done.push(w); }
  const auto = works.filter((x) => !x.physical);
  if (auto.length > 0) {
    let r = assign(auto, byType, free, disks, capacity);
    if (!r.ok) {
      for (const [k, list] of byType) byType.set(k, [...list, ...(reservedByType.get(k) ?? [])]);
      r = assign(auto, byType, free, disks, capacity);
      if (!r.ok) throw new RaidPlanError('failed to find matching physical disks for all logical disks');
    }
    free = r.free;
    done.push(...auto);
  }
  for (const w of works.filter((x) => x.physical && x.size === 'MAX')) { place(w, disks, free); done.push(w); }
  return done.map((w) => ({
    source: w.source, raidLevel: w.level, raidType: RAID_LEVELS[w.level]!.raidType, sizeBytes: w.size as number,
    physicalDisks: w.physical!, controller: w.controller!, isRoot: w.source.is_root_volume === true,
  }));
}

/** Ironic's _filter_logical_disks. */
export function filterVolumes(planned: PlannedVolume[], root: boolean, nonRoot: boolean): PlannedVolume[] {
  return planned.filter((v) => (root && v.isRoot) || (nonRoot && !v.isRoot));
}

/** Ironic level for a Redfish RAIDType (update_raid_config), undefined when unknown. */
export function levelOfRaidType(raidType: string | undefined): string | undefined {
  return Object.entries(RAID_LEVELS).find(([, l]) => l.raidType === raidType)?.[0];
}
