/**
 * Hardware inventory of a system: processors, memory, Ethernet interfaces — what out-of-band
 * inspection reads. Pure parsers plus fetchers that return [] when a section is missing.
 */
import type { RedfishClient } from './client.ts';
import { getOptionalMembers } from './collections.ts';
import { bool, isObject, normalizeMac, num, odataId, status, str, type JsonObject } from './odata.ts';
import type { ComputerSystem } from './systems.ts';

export interface Processor {
  uri: string;
  id: string | undefined;
  socket: string | undefined;
  processorType: string | undefined;
  architecture: string | undefined;
  instructionSet: string | undefined;
  manufacturer: string | undefined;
  model: string | undefined;
  maxSpeedMHz: number | undefined;
  totalCores: number | undefined;
  totalThreads: number | undefined;
  state: string | undefined;
  health: string | undefined;
  raw: JsonObject;
}

export function parseProcessor(json: JsonObject): Processor {
  const st = status(json);
  return {
    uri: odataId(json) ?? '',
    id: str(json, 'Id'),
    socket: str(json, 'Socket'),
    processorType: str(json, 'ProcessorType'),
    architecture: str(json, 'ProcessorArchitecture'),
    instructionSet: str(json, 'InstructionSet'),
    manufacturer: str(json, 'Manufacturer'),
    model: str(json, 'Model')?.trim(),
    maxSpeedMHz: num(json, 'MaxSpeedMHz'),
    totalCores: num(json, 'TotalCores'),
    totalThreads: num(json, 'TotalThreads'),
    state: st.state,
    health: st.health,
    raw: json,
  };
}

export async function getProcessors(client: RedfishClient, system: ComputerSystem): Promise<Processor[]> {
  return (await getOptionalMembers(client, system.links.processors)).map(parseProcessor);
}

/** Only populated CPU sockets (State not Absent) that are CPUs (not GPUs/FPGAs/accelerators). */
export function installedCpus(processors: readonly Processor[]): Processor[] {
  return processors.filter((p) => p.state !== 'Absent' && (p.processorType === undefined || p.processorType === 'CPU'));
}

export interface MemoryModule {
  uri: string;
  id: string | undefined;
  name: string | undefined;
  capacityMiB: number | undefined;
  memoryDeviceType: string | undefined;
  memoryType: string | undefined;
  operatingSpeedMhz: number | undefined;
  deviceLocator: string | undefined;
  state: string | undefined;
  health: string | undefined;
  raw: JsonObject;
}

export function parseMemory(json: JsonObject): MemoryModule {
  const st = status(json);
  return {
    uri: odataId(json) ?? '',
    id: str(json, 'Id'),
    name: str(json, 'Name'),
    capacityMiB: num(json, 'CapacityMiB'),
    memoryDeviceType: str(json, 'MemoryDeviceType'),
    memoryType: str(json, 'MemoryType'),
    operatingSpeedMhz: num(json, 'OperatingSpeedMhz'),
    deviceLocator: str(json, 'DeviceLocator'),
    state: st.state,
    health: st.health,
    raw: json,
  };
}

export async function getMemory(client: RedfishClient, system: ComputerSystem): Promise<MemoryModule[]> {
  return (await getOptionalMembers(client, system.links.memory)).map(parseMemory);
}

/** Total installed memory in MiB from modules (Absent slots and missing capacities ignored). */
export function totalMemoryMiB(modules: readonly MemoryModule[]): number {
  return modules.filter((m) => m.state !== 'Absent').reduce((sum, m) => sum + (m.capacityMiB ?? 0), 0);
}

export interface EthernetInterface {
  uri: string;
  id: string | undefined;
  name: string | undefined;
  /** Lower-case "aa:bb:cc:dd:ee:ff": MACAddress, else PermanentMACAddress; undefined if none/invalid. */
  macAddress: string | undefined;
  permanentMacAddress: string | undefined;
  speedMbps: number | undefined;
  linkStatus: string | undefined;
  interfaceEnabled: boolean | undefined;
  ipv4Addresses: string[];
  state: string | undefined;
  health: string | undefined;
  raw: JsonObject;
}

export function parseEthernetInterface(json: JsonObject): EthernetInterface {
  const st = status(json);
  const permanent = normalizeMac(str(json, 'PermanentMACAddress'));
  const v4 = Array.isArray(json['IPv4Addresses']) ? json['IPv4Addresses'] : [];
  return {
    uri: odataId(json) ?? '',
    id: str(json, 'Id'),
    name: str(json, 'Name'),
    macAddress: normalizeMac(str(json, 'MACAddress')) ?? permanent,
    permanentMacAddress: permanent,
    speedMbps: num(json, 'SpeedMbps'),
    linkStatus: str(json, 'LinkStatus'),
    interfaceEnabled: bool(json, 'InterfaceEnabled'),
    ipv4Addresses: v4.filter(isObject).map((a) => str(a, 'Address')).filter((a): a is string => !!a),
    state: st.state,
    health: st.health,
    raw: json,
  };
}

export async function getEthernetInterfaces(client: RedfishClient, system: ComputerSystem): Promise<EthernetInterface[]> {
  return (await getOptionalMembers(client, system.links.ethernetInterfaces)).map(parseEthernetInterface);
}
