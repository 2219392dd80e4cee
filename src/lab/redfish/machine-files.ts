/**
 * A lab machine's files in the lab's folder (`<dataDir>/<machine id>/`): its disk as a
 * sparse file (`disk0.img`, created once at the machine's disk size and kept across boots:
 * it is the machine's disk), its NVRAM description (`nvram.json`, written by the agent's
 * `install_bootloader`), the downloaded boot ISO, the agent's log, and the machine
 * description the agent reads (`machine.json`, contracts/agent-machine.ts).
 *
 * The description agrees with what the BMC says: CPU count and model from
 * ProcessorSummary, memory from MemorySummary, MACs from the EthernetInterfaces, vendor,
 * model and serial from the ComputerSystem.
 *
 * @module
 */
import { mkdir, open, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AGENT_MACHINE_VERSION, type AgentMachine, type AgentMachineDisk } from '../../contracts/agent-machine.ts';
import type { LabMachine } from './machine.ts';

const GiB = 1024 ** 3;

/** Flags of a modern x86_64 CPU with VT-x (`vmx`), as /proc/cpuinfo lists them. */
const CPU_FLAGS = ['fpu', 'vme', 'de', 'pse', 'tsc', 'msr', 'pae', 'mce', 'cx8', 'apic', 'sep', 'mtrr', 'pge', 'mca', 'cmov', 'pat',
  'pse36', 'clflush', 'mmx', 'fxsr', 'sse', 'sse2', 'ht', 'syscall', 'nx', 'pdpe1gb', 'rdtscp', 'lm', 'constant_tsc', 'pni', 'vmx',
  'ssse3', 'cx16', 'sse4_1', 'sse4_2', 'x2apic', 'popcnt', 'aes', 'xsave', 'avx', 'avx2', 'hypervisor', 'lahf_lm'];

/** Folder name of a machine: its id with anything unusual replaced. */
export function machineDirName(m: Pick<LabMachine, 'id'>): string {
  return m.id.replace(/[^A-Za-z0-9._-]/g, '_');
}

export interface MachinePaths { dir: string; disk: string; nvram: string; machineFile: string; iso: string; agentLog: string }

export function machinePaths(dataDir: string, m: Pick<LabMachine, 'id'>): MachinePaths {
  const dir = join(dataDir, machineDirName(m));
  return {
    dir, disk: join(dir, 'disk0.img'), nvram: join(dir, 'nvram.json'), machineFile: join(dir, 'machine.json'),
    iso: join(dir, 'boot.iso'), agentLog: join(dir, 'agent.log'),
  };
}

/** Creates the machine's folder and its sparse disk at `sizeBytes` (an existing disk keeps its content and is resized only if smaller). */
export async function ensureDisk(paths: MachinePaths, sizeBytes: number): Promise<void> {
  await mkdir(paths.dir, { recursive: true });
  const st = await stat(paths.disk).catch(() => null);
  if (st && st.size >= sizeBytes) return;
  const fh = await open(paths.disk, st ? 'r+' : 'w');
  try {
    await fh.truncate(sizeBytes);
  } finally {
    await fh.close();
  }
}

export interface DescribeInput {
  machine: LabMachine;
  paths: MachinePaths;
  diskSize: number;
  /** The ComputerSystem document the BMC serves (vendor, model, serial). */
  system: Record<string, unknown>;
  bootMode: 'uefi' | 'bios';
  kernelCmdline: string;
  powerControlUrl: string | null;
  bmcAddress: string | null;
}

/** `BOOTIF` of a command line as a MAC (`01-aa-bb-…` or `aa:bb:…`), lower case. */
export function bootIfOf(cmdline: string): string | null {
  const v = /(?:^|\s)BOOTIF=(\S+)/.exec(cmdline)?.[1];
  if (!v) return null;
  const hex = v.replace(/^01-/, '').replace(/[-:]/g, '').toLowerCase();
  return /^[0-9a-f]{12}$/.test(hex) ? hex.match(/../g)!.join(':') : null;
}

/**
 * The address the booted NIC got from DHCP, as it were (198.18.0.0/15, the benchmarking
 * range: never a real network's): one per machine index. Descriptive only, as the lab
 * machine's agent runs on the lab's host; inspection needs it (ironic-inspector's
 * validate_interfaces adds ports only for interfaces with an address unless add_ports=all).
 */
export function bootNicAddress(index: number): string {
  const n = index + 1;
  return `198.${18 + ((n >> 16) & 1)}.${(n >> 8) & 255}.${n & 255}`;
}

/** The AgentMachine description of `machine` as it boots now. */
export function describeMachine(i: DescribeInput): AgentMachine {
  const m = i.machine;
  const hw = m.hardware;
  const bootIf = bootIfOf(i.kernelCmdline);
  // The NIC the machine booted from: BOOTIF when the boot loader passed one, else the first.
  const pxeMac = bootIf && m.nics.some((n) => n.mac.toLowerCase() === bootIf) ? bootIf : m.nics[0]?.mac.toLowerCase();
  const disk: AgentMachineDisk = {
    name: '/dev/sda', path: i.paths.disk, size: i.diskSize, model: 'LabDisk', vendor: 'Ingot',
    serial: `LABDISK${String(m.index).padStart(4, '0')}0`, wwn: `0x5000c500${m.index.toString(16).padStart(8, '0')}`,
    rotational: false, hctl: '0:0:0:0', byPath: '/dev/disk/by-path/pci-0000:00:1f.2-ata-1',
  };
  const str = (k: string, d: string): string => (typeof i.system[k] === 'string' && i.system[k] !== '' ? i.system[k] as string : d);
  return {
    version: AGENT_MACHINE_VERSION,
    labId: m.id,
    cpu: {
      modelName: hw.cpuModel || 'Ingot Virtual CPU', count: hw.threadCount || hw.coreCount || hw.cpuCount || 1,
      architecture: 'x86_64', frequencyMHz: 2400, flags: CPU_FLAGS,
    },
    memoryBytes: hw.memoryGiB * GiB,
    physicalMemoryMb: hw.memoryGiB * 1024,
    systemVendor: { manufacturer: str('Manufacturer', 'Ingot'), productName: str('Model', 'Lab Machine'), serialNumber: str('SerialNumber', m.uuid), skuNumber: str('SKU', '') },
    bmcAddress: i.bmcAddress,
    bmcMac: null,
    bootMode: i.bootMode,
    nics: m.nics.map((n, j) => ({
      name: `eth${j}`, macAddress: n.mac.toLowerCase(), ipv4Address: n.mac.toLowerCase() === pxeMac ? bootNicAddress(m.index) : null, pxe: n.mac.toLowerCase() === pxeMac,
      speedMbps: n.speedMbps, lldp: [],
    })),
    disks: [disk],
    nvramPath: i.paths.nvram,
    powerControlUrl: i.powerControlUrl,
    kernelCmdline: i.kernelCmdline,
  };
}

export async function writeMachineFile(paths: MachinePaths, desc: AgentMachine): Promise<void> {
  await writeFile(paths.machineFile, `${JSON.stringify(desc, null, 2)}\n`);
}
