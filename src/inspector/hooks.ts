/**
 * ironic-inspector's processing hooks, as pure functions over the introspection data and
 * a snapshot of the node. `before_processing` hooks run before the node is looked up;
 * `before_update` hooks collect the node and port changes into a {@link NodePatch} that the
 * caller writes (under the node's lock). Names and defaults follow ironic-inspector 11.1:
 * default hooks `ramdisk_error, root_disk_selection, scheduler, validate_interfaces,
 * capabilities, pci_devices`; optional `lldp_basic, local_link_connection, physnet_cidr_map`.
 */
import { guessRootDisk, matchRootDevice, type Disk } from './hints.ts';
import { inNet, isLoopback, isValidMac } from './net.ts';
import { parseLldp, lldpLocalLink } from './lldp.ts';

export type Data = Record<string, unknown>;
type Obj = Record<string, unknown>;

export const DEFAULT_HOOKS = ['ramdisk_error', 'root_disk_selection', 'scheduler', 'validate_interfaces', 'capabilities', 'pci_devices'] as const;
export const KNOWN_HOOKS = new Set<string>([...DEFAULT_HOOKS, 'lldp_basic', 'local_link_connection', 'physnet_cidr_map', 'extra_hardware']);

/** ironic-inspector's `[capabilities] cpu_flags` default. */
export const DEFAULT_CPU_FLAGS: Readonly<Record<string, string>> = {
  vmx: 'cpu_vt', svm: 'cpu_vt', aes: 'cpu_aes', pse: 'cpu_hugepages', pdpe1gb: 'cpu_hugepages_1g', smx: 'cpu_txt',
};

export interface ProcessingOptions {
  /** `[processing] processing_hooks` (already expanded from `$default_processing_hooks`). */
  hooks: readonly string[];
  /** `[processing] add_ports`: pxe (default), active, all, disabled. */
  addPorts: 'pxe' | 'active' | 'all' | 'disabled';
  /** `[processing] overwrite_existing` (true). */
  overwriteExisting: boolean;
  /** `[processing] update_pxe_enabled` (true). */
  updatePxeEnabled: boolean;
  /** `[processing] disk_partitioning_spacing` (true): local_gb = GiB − 1. */
  diskPartitioningSpacing: boolean;
  /** `[capabilities] boot_mode` (false). */
  bootModeCapability: boolean;
  cpuFlags: Readonly<Record<string, string>>;
  /** `[pci_devices] alias`: vendor_id, product_id → capability name. */
  pciAliases: readonly { vendor_id: string; product_id: string; name: string }[];
  /** `[port_physnet] cidr_map`: [cidr, physnet]. */
  physnetCidrMap: readonly [string, string][];
}

export const DEFAULT_OPTIONS: ProcessingOptions = {
  hooks: DEFAULT_HOOKS, addPorts: 'pxe', overwriteExisting: true, updatePxeEnabled: true, diskPartitioningSpacing: true,
  bootModeCapability: false, cpuFlags: DEFAULT_CPU_FLAGS, pciAliases: [], physnetCidrMap: [],
};

export interface PortFacts { address: string; pxe_enabled: boolean; physical_network: string | null; local_link_connection: Obj }
export interface NodeFacts { uuid: string; properties: Obj; provision_state: string; ports: readonly PortFacts[] }

export interface PortChange { create: boolean; pxe_enabled?: boolean; physical_network?: string | null; local_link_connection?: Obj }
export interface NodePatch {
  properties: Obj;
  /** By lower-case MAC. */
  ports: Map<string, PortChange>;
}

/** A processing failure: the message is what status `error` and last_error show. */
export class ProcessingError extends Error {
  constructor(message: string, readonly code = 400) { super(message); }
}

const ACTIVE_STATES = new Set(['active', 'rescue', 'rescue wait', 'rescuing', 'rescue failed', 'unrescuing', 'unrescue failed']);

export function inventoryOf(data: Data): Obj {
  const inv = data.inventory;
  if (!inv || typeof inv !== 'object' || Array.isArray(inv) || Object.keys(inv).length === 0) throw new ProcessingError('Hardware inventory is empty or missing');
  const ifaces = (inv as Obj).interfaces;
  if (!Array.isArray(ifaces) || ifaces.length === 0) throw new ProcessingError('No network interfaces provided in the inventory');
  return inv as Obj;
}

export function pxeMac(data: Data): string | undefined {
  const raw = data.boot_interface;
  if (typeof raw !== 'string' || !raw) return undefined;
  let m = raw;
  if (m.includes('-')) m = m.split('-').slice(1).join(':');
  return m.toLowerCase();
}

export function bmcAddress(data: Data): string | undefined {
  const inv = data.inventory as Obj | undefined;
  const a = inv && typeof inv === 'object' && 'bmc_address' in inv ? inv.bmc_address : data.ipmi_address;
  return typeof a === 'string' && a !== '' && a !== '0.0.0.0' ? a : undefined;
}
export function bmcV6Address(data: Data): string | undefined {
  const inv = data.inventory as Obj | undefined;
  const a = inv?.bmc_v6address ?? data.ipmi_v6address;
  return typeof a === 'string' && a !== '' && a !== '::/0' ? a : undefined;
}

// --- before_processing -------------------------------------------------------------------

function ramdiskError(data: Data): void {
  if (data.error) throw new ProcessingError(`Ramdisk reported error: ${String(data.error)}`);
}

interface Iface { ip: string | null; mac: string; client_id: unknown; pxe: boolean }

function validateInterfaces(data: Data, opts: ProcessingOptions): void {
  data.ipmi_address = bmcAddress(data) ?? null;
  data.ipmi_v6address = bmcV6Address(data) ?? null;
  const inv = inventoryOf(data);
  const pm = pxeMac(data);
  const all: Record<string, Iface> = {};
  for (const raw of inv.interfaces as unknown[]) {
    const i = (raw ?? {}) as Obj;
    const name = i.name;
    if (typeof name !== 'string' || !name) continue;
    if (!isValidMac(i.mac_address)) continue;
    const mac = i.mac_address.toLowerCase();
    let v6 = typeof i.ipv6_address === 'string' ? i.ipv6_address : null;
    if (v6?.includes('%')) v6 = v6.split('%')[0]!;
    const ip = (typeof i.ipv4_address === 'string' && i.ipv4_address) || v6 || null;
    all[name] = { ip, mac, client_id: i.client_id ?? null, pxe: mac === pm };
  }
  if (Object.keys(all).length === 0) throw new ProcessingError('No interfaces supplied by the ramdisk');
  const chosen: Record<string, Iface> = {};
  for (const [name, i] of Object.entries(all)) {
    if (name === 'lo' || (i.ip && isLoopback(i.ip))) continue;
    if (opts.addPorts === 'pxe' && pm && !i.pxe) continue;
    if (opts.addPorts !== 'all' && !i.ip) continue;
    chosen[name] = i;
  }
  if (Object.keys(chosen).length === 0) throw new ProcessingError(`No suitable interfaces found in ${JSON.stringify(all)}`);
  data.all_interfaces = all;
  data.interfaces = chosen;
  data.macs = Object.values(chosen).map((i) => i.mac);
}

/** Hooks that run before the node is known (inspector's before_processing). */
export function runPreHooks(data: Data, opts: ProcessingOptions): string[] {
  const failures: string[] = [];
  for (const h of opts.hooks) {
    try {
      if (h === 'ramdisk_error') ramdiskError(data);
      else if (h === 'validate_interfaces') validateInterfaces(data, opts);
      else if (h === 'lldp_basic') lldpBasic(data);
    } catch (err) {
      failures.push(`Preprocessing hook ${h}: ${(err as Error).message}`);
    }
  }
  return failures;
}

// --- before_update -------------------------------------------------------------------------

const GiB = 1024 ** 3;

function props(node: NodeFacts, patch: NodePatch): Obj { return { ...node.properties, ...patch.properties }; }

function rootDiskSelection(data: Data, node: NodeFacts, patch: NodePatch, opts: ProcessingOptions): void {
  const inv = inventoryOf(data);
  let disks = (Array.isArray(inv.disks) ? inv.disks : []) as Disk[];
  const hints = node.properties.root_device as Obj | undefined;
  if (hints && typeof hints === 'object' && Object.keys(hints).length) {
    const skip = node.properties.skip_block_devices;
    if (Array.isArray(skip)) {
      const names = new Set<string>();
      for (const h of skip) for (const d of disks) if (matchRootDevice([d], h as Obj)) names.add(String(d.name));
      disks = disks.filter((d) => !names.has(String(d.name)));
    }
    let dev: Disk | undefined;
    try { dev = matchRootDevice(disks, hints); } catch (err) {
      throw new ProcessingError(`No disks could be found using the root device hints ${JSON.stringify(hints)} because they failed to validate. Error: ${(err as Error).message}`);
    }
    if (!dev) throw new ProcessingError('No disks satisfied root device hints');
    data.root_disk = dev;
  } else if (!data.root_disk) {
    // IPA's default collector sends root_disk; a ramdisk that did not gets IPA's own guess.
    const g = guessRootDisk(disks);
    if (g) data.root_disk = g;
  }
  const rd = data.root_disk as Disk | undefined;
  let gb = 0;
  if (rd) {
    gb = Math.floor(Number(rd.size ?? 0) / GiB);
    if (gb && opts.diskPartitioningSpacing) gb -= 1;
  }
  data.local_gb = gb;
  if (opts.overwriteExisting || !node.properties.local_gb) patch.properties.local_gb = String(gb);
}

function scheduler(data: Data, node: NodeFacts, patch: NodePatch, opts: ProcessingOptions): void {
  const inv = inventoryOf(data);
  const cpu = inv.cpu as Obj | undefined;
  const mem = inv.memory as Obj | undefined;
  const cpus = Number.parseInt(String(cpu?.count), 10);
  if (Number.isFinite(cpus) && cpu?.architecture !== undefined) { data.cpus = cpus; data.cpu_arch = String(cpu.architecture); }
  const mb = Number.parseInt(String(mem?.physical_mb), 10);
  if (Number.isFinite(mb)) data.memory_mb = mb;
  for (const k of ['cpus', 'cpu_arch', 'memory_mb']) {
    if (data[k] && (opts.overwriteExisting || !node.properties[k])) patch.properties[k] = String(data[k]);
  }
}

function portsFromInterfaces(data: Data, node: NodeFacts, patch: NodePatch, opts: ProcessingOptions): void {
  const chosen = (data.interfaces ?? {}) as Record<string, Iface>;
  const all = (data.all_interfaces ?? {}) as Record<string, Iface>;
  const existing = new Map(node.ports.map((p) => [p.address.toLowerCase(), p]));
  if (opts.addPorts !== 'disabled') {
    for (const i of Object.values(chosen)) {
      if (!existing.has(i.mac)) patch.ports.set(i.mac, { ...patch.ports.get(i.mac), create: true, pxe_enabled: i.pxe });
    }
  }
  if (ACTIVE_STATES.has(node.provision_state)) return;
  if (opts.overwriteExisting && opts.updatePxeEnabled) {
    for (const i of Object.values(all)) {
      const p = existing.get(i.mac);
      if (p && p.pxe_enabled !== i.pxe) patch.ports.set(i.mac, { ...patch.ports.get(i.mac), create: false, pxe_enabled: i.pxe });
    }
  }
}

/** "a:b,c:d" ↔ object, as Ironic's capabilities string. */
export function parseCapabilities(s: unknown): Record<string, string> {
  if (s && typeof s === 'object') return Object.fromEntries(Object.entries(s as Obj).map(([k, v]) => [k, String(v)]));
  const out: Record<string, string> = {};
  for (const part of String(s ?? '').split(',')) {
    const i = part.indexOf(':');
    if (i > 0) out[part.slice(0, i).trim()] = part.slice(i + 1).trim();
  }
  return out;
}
export function formatCapabilities(c: Record<string, string>): string {
  return Object.entries(c).map(([k, v]) => `${k}:${v}`).join(',');
}
export function updateCapabilities(node: NodeFacts, patch: NodePatch, caps: Record<string, string>): void {
  const cur = parseCapabilities(props(node, patch).capabilities);
  patch.properties.capabilities = formatCapabilities({ ...cur, ...caps });
}

function capabilities(data: Data, node: NodeFacts, patch: NodePatch, opts: ProcessingOptions): void {
  const inv = inventoryOf(data);
  const caps: Record<string, string> = {};
  if (opts.bootModeCapability) {
    const mode = (inv.boot as Obj | undefined)?.current_boot_mode;
    if (typeof mode === 'string' && mode) caps.boot_mode = mode;
  }
  const flags = (inv.cpu as Obj | undefined)?.flags;
  if (Array.isArray(flags)) {
    const set = new Set(flags.map(String));
    for (const [flag, name] of Object.entries(opts.cpuFlags)) if (set.has(flag)) caps[name] = 'true';
  }
  if (Object.keys(caps).length) updateCapabilities(node, patch, caps);
}

function pciDevices(data: Data, node: NodeFacts, patch: NodePatch, opts: ProcessingOptions): void {
  const devs = data.pci_devices;
  if (!Array.isArray(devs) || opts.pciAliases.length === 0) return;
  const counts: Record<string, string> = {};
  for (const d of devs as Obj[]) {
    const a = opts.pciAliases.find((x) => x.vendor_id === d?.vendor_id && x.product_id === d?.product_id);
    if (a) counts[a.name] = String(Number(counts[a.name] ?? 0) + 1);
  }
  if (Object.keys(counts).length) updateCapabilities(node, patch, counts);
}

function lldpBasic(data: Data): void {
  const inv = data.inventory as Obj | undefined;
  const all = (data.all_interfaces ?? {}) as Record<string, Obj>;
  for (const i of (Array.isArray(inv?.interfaces) ? inv.interfaces : []) as Obj[]) {
    const target = all[String(i?.name)];
    if (target && Array.isArray(i.lldp)) target.lldp_processed = parseLldp(i.lldp as unknown[]);
  }
}

function localLinkConnection(data: Data, node: NodeFacts, patch: NodePatch, opts: ProcessingOptions): void {
  const inv = inventoryOf(data);
  const all = (data.all_interfaces ?? {}) as Record<string, Obj>;
  const known = new Map(node.ports.map((p) => [p.address.toLowerCase(), p]));
  for (const i of inv.interfaces as Obj[]) {
    const name = String(i?.name);
    if (!(name in all) || !Array.isArray(i.lldp)) continue;
    const mac = String(i.mac_address).toLowerCase();
    const port = known.get(mac);
    const change = patch.ports.get(mac);
    if (!port && !change) continue;
    const current = { ...(port?.local_link_connection ?? {}), ...(change?.local_link_connection ?? {}) };
    const found = lldpLocalLink(i.lldp as unknown[], all[name]!.lldp_processed as Obj | undefined);
    const llc = { ...current };
    for (const [k, v] of Object.entries(found)) if (opts.overwriteExisting || !(k in current)) llc[k] = v;
    if (JSON.stringify(llc) !== JSON.stringify(current)) patch.ports.set(mac, { create: false, ...change, local_link_connection: llc });
  }
}

function physnetCidrMap(data: Data, node: NodeFacts, patch: NodePatch, opts: ProcessingOptions): void {
  if (opts.physnetCidrMap.length === 0) return;
  const inv = inventoryOf(data);
  const known = new Set(node.ports.map((p) => p.address.toLowerCase()));
  for (const i of inv.interfaces as Obj[]) {
    const mac = String(i?.mac_address).toLowerCase();
    if (!known.has(mac) && !patch.ports.has(mac)) continue;
    const ips = [i.ipv4_address, i.ipv6_address].filter((x): x is string => typeof x === 'string' && !!x);
    const hit = opts.physnetCidrMap.find(([cidr]) => ips.some((ip) => inNet(ip, cidr)));
    if (hit) patch.ports.set(mac, { create: false, ...patch.ports.get(mac), physical_network: hit[1] });
  }
}

/** Hooks that change the node (inspector's before_update), in the configured order. */
export function runPostHooks(data: Data, node: NodeFacts, opts: ProcessingOptions): NodePatch {
  const patch: NodePatch = { properties: {}, ports: new Map() };
  for (const h of opts.hooks) {
    if (h === 'root_disk_selection') rootDiskSelection(data, node, patch, opts);
    else if (h === 'scheduler') scheduler(data, node, patch, opts);
    else if (h === 'validate_interfaces') portsFromInterfaces(data, node, patch, opts);
    else if (h === 'capabilities') capabilities(data, node, patch, opts);
    else if (h === 'pci_devices') pciDevices(data, node, patch, opts);
    else if (h === 'local_link_connection') localLinkConnection(data, node, patch, opts);
    else if (h === 'physnet_cidr_map') physnetCidrMap(data, node, patch, opts);
  }
  return patch;
}
