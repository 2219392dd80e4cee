/**
 * A lab machine as the agent sees it: everything comes from its `AgentMachine`
 * description (contracts/agent-machine.ts). Disks are the files in `disks[].path`,
 * power goes to `powerControlUrl`, boot entries to `nvramPath`, and a rescue password
 * is recorded in `rescue-shadow` beside the NVRAM file.
 */
import { readFile, writeFile, rename, open } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { hostname } from 'node:os';
import { request } from 'undici';
import { AGENT_MACHINE_VERSION, type AgentMachine, type AgentMachineNvram } from '../../contracts/agent-machine.ts';
import type { BootEntry, Disk, Inventory, Machine } from './types.ts';

export async function loadAgentMachine(file: string): Promise<AgentMachine> {
  const raw = JSON.parse(await readFile(file, 'utf8')) as AgentMachine;
  if (raw.version !== AGENT_MACHINE_VERSION) {
    throw new Error(`${file}: machine description version ${String(raw.version)} is not supported (this agent reads version ${AGENT_MACHINE_VERSION})`);
  }
  return raw;
}

async function writeJsonAtomic(path: string, value: unknown): Promise<void> {
  const tmp = `${path}.tmp-${process.pid}`;
  await writeFile(tmp, JSON.stringify(value, null, 2) + '\n');
  await rename(tmp, path);
}

export class LabMachine implements Machine {
  readonly disksAreFiles = true;
  constructor(readonly desc: AgentMachine) {}

  async disks(): Promise<Disk[]> {
    return this.desc.disks.map((d) => ({
      name: d.name, path: d.path, model: d.model, size: d.size, rotational: d.rotational,
      wwn: d.wwn, serial: d.serial, vendor: d.vendor, wwn_with_extension: d.wwn,
      wwn_vendor_extension: null, hctl: d.hctl, by_path: d.byPath,
      logical_sectors: 512, physical_sectors: 512, tran: d.name.includes('nvme') ? 'nvme' : 'sata',
    }));
  }

  async macs(): Promise<string[]> { return this.desc.nics.map((n) => n.macAddress.toLowerCase()); }

  async kernelCmdline(): Promise<string> { return this.desc.kernelCmdline; }

  /**
   * Null: a lab machine's agent runs on the lab's host, and its NICs' addresses are
   * descriptive only; the lab passes --advertise-host when 127.0.0.1 is not right.
   */
  async routeSource(_dest: string): Promise<string | null> { return null; }

  async inventory(): Promise<Inventory> {
    const d = this.desc;
    const pxe = d.nics.find((n) => n.pxe);
    return {
      interfaces: d.nics.map((n) => ({
        name: n.name, mac_address: n.macAddress.toLowerCase(), ipv4_address: n.ipv4Address, ipv6_address: null,
        has_carrier: true, lldp: n.lldp.length ? n.lldp : null, vendor: null, product: null, client_id: null,
        biosdevname: null, speed_mbps: n.speedMbps, pci_address: null, driver: null,
      })),
      cpu: {
        model_name: d.cpu.modelName, frequency: d.cpu.frequencyMHz.toFixed(3), count: d.cpu.count,
        architecture: d.cpu.architecture, flags: d.cpu.flags, socket_count: 1,
      },
      disks: (await this.disks()).map(({ path: _p, ...disk }) => disk),
      memory: { total: d.memoryBytes, physical_mb: d.physicalMemoryMb },
      bmc_address: d.bmcAddress, bmc_v6address: null, bmc_mac: d.bmcMac,
      system_vendor: {
        product_name: d.systemVendor.productName, serial_number: d.systemVendor.serialNumber,
        manufacturer: d.systemVendor.manufacturer, firmware: { vendor: '', version: '', build_date: '' },
      },
      boot: { current_boot_mode: d.bootMode, pxe_interface: pxe ? pxe.macAddress.toLowerCase() : null },
      hostname: hostname(),
    };
  }

  async sync(): Promise<void> {
    for (const disk of this.desc.disks) {
      const fh = await open(disk.path, 'r+');
      try { await fh.sync(); } finally { await fh.close(); }
    }
  }

  private async power(action: 'off' | 'reboot'): Promise<void> {
    if (!this.desc.powerControlUrl) return;
    const res = await request(this.desc.powerControlUrl, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ action }),
    });
    const text = await res.body.text();
    if (res.statusCode >= 300) throw new Error(`lab power control ${action} answered ${res.statusCode}: ${text}`);
  }

  async powerOff(): Promise<void> { await this.sync(); await this.power('off'); }
  async reboot(): Promise<void> { await this.sync(); await this.power('reboot'); }

  async recordBootEntry(entry: BootEntry): Promise<void> {
    let nvram: AgentMachineNvram = { bootEntries: [], bootOrder: [] };
    try {
      nvram = JSON.parse(await readFile(this.desc.nvramPath, 'utf8')) as AgentMachineNvram;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    // One entry per label, as efibootmgr's callers do: replace it, then boot it first.
    const orderLabels = nvram.bootOrder.map((i) => nvram.bootEntries[i]?.label).filter((l): l is string => l !== undefined);
    const entries = [...nvram.bootEntries.filter((e) => e.label !== entry.label), entry];
    const indexOf = (label: string) => entries.findIndex((e) => e.label === label);
    const order = [entries.length - 1, ...orderLabels.filter((l) => l !== entry.label).map(indexOf).filter((i) => i >= 0)];
    await writeJsonAtomic(this.desc.nvramPath, { bootEntries: entries, bootOrder: order });
  }

  async setRescuePassword(hash: string): Promise<string> {
    const path = join(dirname(this.desc.nvramPath), 'rescue-shadow');
    await writeFile(path, `rescue:${hash}:::::::\n`, { mode: 0o600 });
    return path;
  }

  async systemLogs(): Promise<Record<string, string>> {
    const disks = await this.disks();
    return {
      'machine.json': JSON.stringify(this.desc, null, 2),
      'lsblk': disks.map((d) => `${d.name} ${d.size} ${d.path}`).join('\n') + '\n',
      'cmdline': this.desc.kernelCmdline + '\n',
    };
  }
}
