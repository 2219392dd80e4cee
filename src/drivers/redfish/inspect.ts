/**
 * `redfish` inspect interface (Ironic's RedfishInspect): out-of-band inspection.
 *
 * Properties found (Ironic 21.4's rules, checked against the reference Ironic on the lab):
 * - memory_mb: MemorySummary.TotalSystemMemoryGiB × 1024, as a string; when the summary
 *   is absent (composed systems, some blades), the sum of CapacityMiB over the Memory
 *   modules not Absent (Ironic would fail the inspection);
 * - cpus: the sum of TotalThreads over the Processors (logical CPUs), a number; when no
 *   processor reports TotalThreads, ProcessorSummary.LogicalProcessorCount, else the sum of
 *   TotalCores, else ProcessorSummary.CoreCount (never the socket Count);
 * - cpu_arch: the first ProcessorArchitecture (x86 → x86_64, IA-64 → ia64, ARM → arm,
 *   MIPS → mips, OEM → oem);
 * - local_gb: sizes from SimpleStorage devices (Enabled), Storage volumes, else Storage
 *   drives; in each source the SMALLEST disk of at least 4 GiB; the smaller of the two
 *   sources when both have one; then GiB − 1 (a string, "0" for disk-less nodes);
 * - capabilities: boot_mode:uefi|bios from BootSourceOverrideMode unless the node already
 *   has a boot_mode capability.
 * Missing memory_mb/local_gb/cpus/cpu_arch (also counting what the node already has)
 * fails with Ironic's "Failed to discover the following properties".
 *
 * macs: the MACAddress of every EthernetInterface whose Status.State is Enabled (the
 * conductor creates ports for new ones; pxe is left to the default).
 * inventory: an IPA-style summary (cpu, memory, disks, interfaces, system_vendor, boot).
 * Ironic's redfish inspection stores no inventory; we return one for operators.
 */
import { DriverError } from '../../core/errors.ts';
import type { Json } from '../../core/node.ts';
import type { DriverContext, InspectInterface, InspectionResult } from '../base.ts';
import {
  getDrives, getEthernetInterfaces, getMemory, getProcessors, getSimpleStorage, getStorage, getVolumes, normalizeMac, totalMemoryMiB,
  type Drive, type EthernetInterface, type Processor,
} from './client/index.ts';
import type { RedfishSession } from './connection.ts';
import { nodeCapability, RedfishBase, updateCapabilities } from './common.ts';
import { REDFISH_TO_BOOT_MODE } from './boot-device.ts';

const GiB = 1024 ** 3;
const MIN_DISK = 4 * GiB;
const CPU_ARCH: Readonly<Record<string, string>> = { x86: 'x86_64', 'IA-64': 'ia64', ARM: 'arm', MIPS: 'mips', OEM: 'oem' };
const ESSENTIAL = ['memory_mb', 'local_gb', 'cpus', 'cpu_arch'];

/** Smallest size ≥ 4 GiB of a list, 0 when none. */
function smallestUsable(sizes: readonly number[]): number {
  return [...sizes].sort((a, b) => a - b).find((x) => x >= MIN_DISK) ?? 0;
}

/** Ironic's _detect_local_gb, from byte sizes per source. */
export function localGb(simpleStorage: readonly number[], volumes: readonly number[], drives: readonly number[]): number {
  const simple = smallestUsable(simpleStorage);
  let storage = smallestUsable(volumes);
  if (!storage) storage = smallestUsable(drives);
  const bytes = simple && storage ? Math.min(simple, storage) : Math.max(simple, storage);
  return Math.max(0, Math.floor(bytes / GiB - 1));
}

interface StorageFacts { simple: number[]; volumes: number[]; drives: Drive[] }

async function storageFacts(s: RedfishSession): Promise<StorageFacts> {
  const log = (what: string, err: unknown): void =>
    s.ctx.logger.debug({ node: s.ctx.node.uuid, err: (err as Error).message }, `No ${what} information discovered`);
  const out: StorageFacts = { simple: [], volumes: [], drives: [] };
  try {
    for (const ss of await getSimpleStorage(s.client, s.system)) {
      for (const d of ss.devices) if (d.state === 'Enabled' && d.capacityBytes !== undefined) out.simple.push(d.capacityBytes);
    }
  } catch (err) { log('simple storage', err); }
  try {
    for (const st of await getStorage(s.client, s.system)) {
      for (const v of await getVolumes(s.client, st)) if (v.capacityBytes !== undefined) out.volumes.push(v.capacityBytes);
      out.drives.push(...await getDrives(s.client, st));
    }
  } catch (err) { log('storage', err); }
  return out;
}

function inventoryOf(s: RedfishSession, cpus: Processor[], threads: number, arch: string | undefined, memoryMb: number | undefined,
  drives: Drive[], nics: EthernetInterface[]): Json {
  const first = cpus.find((p) => p.model) ?? cpus[0];
  return {
    cpu: { count: threads, architecture: arch ?? null, model_name: first?.model ?? null, frequency: first?.maxSpeedMHz ?? null },
    memory: { physical_mb: memoryMb ?? null },
    disks: drives.map((d) => ({
      name: d.name ?? d.id ?? d.uri, size: d.capacityBytes ?? null, model: d.model ?? null, serial: d.serialNumber ?? null,
      rotational: d.mediaType === undefined ? null : d.mediaType === 'HDD', wwn: d.durableNames[0] ?? null,
    })),
    interfaces: nics.filter((n) => n.macAddress).map((n) => ({ name: n.id ?? n.name ?? n.uri, mac_address: n.macAddress, speed_mbps: n.speedMbps ?? null })),
    system_vendor: { manufacturer: s.system.manufacturer ?? null, product_name: s.system.model ?? null, serial_number: s.system.serialNumber ?? null },
    boot: { current_boot_mode: (s.system.boot.mode && REDFISH_TO_BOOT_MODE[s.system.boot.mode]) ?? null },
  };
}

/**
 * Logical CPUs: Σ TotalThreads (Ironic's rule); for BMCs that report no threads,
 * ProcessorSummary.LogicalProcessorCount, Σ TotalCores, then ProcessorSummary.CoreCount.
 */
export function logicalCpus(system: Json, processors: readonly Processor[]): number {
  const threads = processors.reduce((n, p) => n + (p.totalThreads ?? 0), 0);
  if (threads) return threads;
  const summary = system.ProcessorSummary as Json | undefined;
  const count = (k: string): number => (typeof summary?.[k] === 'number' && (summary[k] as number) > 0 ? summary[k] as number : 0);
  return count('LogicalProcessorCount') || processors.reduce((n, p) => n + (p.totalCores ?? 0), 0) || count('CoreCount');
}

/** Installed memory in MiB from the Memory collection, undefined when it tells nothing. */
async function memoryFromModules(s: RedfishSession): Promise<number | undefined> {
  try {
    return totalMemoryMiB(await getMemory(s.client, s.system)) || undefined;
  } catch (err) {
    s.ctx.logger.debug({ node: s.ctx.node.uuid, err: (err as Error).message }, 'No memory module information discovered');
    return undefined;
  }
}

export class RedfishInspect extends RedfishBase implements InspectInterface {
  async inspect(ctx: DriverContext): Promise<InspectionResult> {
    return this.redfish(ctx, 'Redfish inspection', (s) => this.run(s));
  }

  private async run(s: RedfishSession): Promise<InspectionResult> {
    const node = s.ctx.node;
    const found: Json = {};
    const gib = s.system.memorySummary.totalGiB;
    let memoryMb = gib ? Math.round(gib * 1024) : undefined;
    if (!memoryMb) memoryMb = await memoryFromModules(s);
    if (memoryMb) found.memory_mb = String(memoryMb);

    const processors = await getProcessors(s.client, s.system);
    const threads = logicalCpus(s.system.raw, processors);
    if (threads) found.cpus = threads;
    const rawArch = processors.find((p) => p.architecture !== undefined)?.architecture;
    const arch = rawArch === undefined ? undefined : CPU_ARCH[rawArch];
    if (arch) found.cpu_arch = arch;
    else if (rawArch !== undefined) s.ctx.logger.warn({ node: node.uuid, arch: rawArch }, 'Unknown CPU arch discovered');

    const st = await storageFacts(s);
    const gb = localGb(st.simple, st.volumes, st.drives.map((d) => d.capacityBytes).filter((x): x is number => x !== undefined));
    if (!gb) s.ctx.logger.warn({ node: node.uuid }, 'Could not provide a valid storage size; assuming a disk-less node');
    found.local_gb = String(gb);

    const mode = s.system.boot.mode && REDFISH_TO_BOOT_MODE[s.system.boot.mode];
    if (mode && nodeCapability(node.properties ?? {}, 'boot_mode') === undefined) {
      found.capabilities = updateCapabilities(node.properties?.capabilities ?? '', { boot_mode: mode });
    }

    const have = { ...node.properties, ...found };
    const missing = ESSENTIAL.filter((k) => !(k in have));
    if (missing.length > 0) {
      throw new DriverError(`Failed to discover the following properties: ${missing.join(', ')} on node ${node.uuid}`,
        { reason: 'inspection_incomplete' });
    }

    const nics = await getEthernetInterfaces(s.client, s.system);
    const macs = enabledMacs(s, nics).map((address) => ({ address }));
    if (macs.length === 0) s.ctx.logger.warn({ node: node.uuid }, 'No NIC in the Enabled state was discovered; no port created');
    const cpuList = processors.filter((p) => p.processorType === undefined || p.processorType === 'CPU');
    return { outcome: 'done', properties: found, macs, inventory: inventoryOf(s, cpuList, threads, arch, memoryMb, st.drives, nics) };
  }
}

/** MACs of the NICs in the Enabled state, once each (Ironic's redfish get_enabled_macs). */
export function enabledMacs(s: RedfishSession, nics: readonly EthernetInterface[]): string[] {
  const macs: string[] = [];
  for (const n of nics) {
    const mac = normalizeMac(typeof n.raw.MACAddress === 'string' ? n.raw.MACAddress : undefined);
    if (n.state !== 'Enabled') continue;
    if (!mac) { s.ctx.logger.warn({ node: s.ctx.node.uuid, nic: n.uri }, 'Ignoring a NIC that reports no MAC'); continue; }
    if (!macs.includes(mac)) macs.push(mac);
  }
  return macs;
}
