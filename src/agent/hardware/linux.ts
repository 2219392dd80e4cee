/**
 * The machine the agent runs on, read from Linux as IPA's GenericHardwareManager does:
 * /proc/cpuinfo, /proc/meminfo, /sys/class/net, `lsblk --json -b -O`, `dmidecode`
 * (where present; without it the DMI fields are empty), /proc/cmdline.
 * Powering off and rebooting run `poweroff` / `reboot`; boot entries use `efibootmgr`.
 */
import { readFile, readdir, readlink, realpath, writeFile } from 'node:fs/promises';
import { hostname, networkInterfaces } from 'node:os';
import { run } from '../proc.ts';
import type { BootEntry, Disk, Inventory, InventoryInterface, Machine } from './types.ts';

async function readText(path: string): Promise<string | null> {
  try { return (await readFile(path, 'utf8')).trim(); } catch { return null; }
}

/** `key: value` lines of /proc/cpuinfo's first processor block, plus the processor count. */
export function parseCpuinfo(text: string): { fields: Record<string, string>; count: number; sockets: number } {
  const fields: Record<string, string> = {};
  let count = 0;
  const sockets = new Set<string>();
  for (const line of text.split('\n')) {
    const m = /^([^:]+?)\s*:\s*(.*)$/.exec(line);
    if (!m) continue;
    const [, k, v] = m as unknown as [string, string, string];
    if (k === 'processor') count++;
    if (k === 'physical id') sockets.add(v);
    if (count <= 1 && !(k in fields)) fields[k] = v;
  }
  return { fields, count, sockets: sockets.size };
}

export function parseMeminfoTotal(text: string): number {
  const m = /^MemTotal:\s+(\d+)\s*kB/m.exec(text);
  return m ? Number(m[1]) * 1024 : 0;
}

interface LsblkDevice {
  name?: string; kname?: string; path?: string; type?: string; size?: number | string; rota?: boolean | string;
  model?: string | null; vendor?: string | null; serial?: string | null; wwn?: string | null;
  hctl?: string | null; tran?: string | null; 'log-sec'?: number; 'phy-sec'?: number; ro?: boolean | string;
}

/** Whole disks of `lsblk --json -b -O` in IPA's inventory shape (partitions, ROMs and read-only media skipped). */
export function parseLsblk(json: string, byPath: Record<string, string> = {}): Disk[] {
  const doc = JSON.parse(json) as { blockdevices?: LsblkDevice[] };
  const out: Disk[] = [];
  for (const d of doc.blockdevices ?? []) {
    if (d.type !== 'disk') continue;
    if (d.ro === true || d.ro === '1') continue;
    const name = d.path ?? `/dev/${d.kname ?? d.name}`;
    // Memory-backed disks are no install targets (IPA lists only real block subsystems).
    if (/^\/dev\/(zram|ram)\d+$/.test(name)) continue;
    const bool = (v: unknown) => v === true || v === '1' || v === 1;
    const str = (v: unknown) => (typeof v === 'string' && v.trim() !== '' ? v.trim() : null);
    out.push({
      name, path: name, model: str(d.model) ?? '', size: Number(d.size ?? 0), rotational: bool(d.rota),
      wwn: str(d.wwn), serial: str(d.serial), vendor: str(d.vendor), wwn_with_extension: str(d.wwn),
      wwn_vendor_extension: null, hctl: str(d.hctl), by_path: byPath[name] ?? null,
      logical_sectors: d['log-sec'] ?? null, physical_sectors: d['phy-sec'] ?? null, tran: str(d.tran),
    });
  }
  return out;
}

/** `dmidecode -s KEYWORD`, or '' when dmidecode is missing or not allowed. */
async function dmi(keyword: string): Promise<string> {
  try { return (await run('dmidecode', ['-s', keyword])).stdout.trim(); } catch { return ''; }
}

export class LinuxMachine implements Machine {
  readonly disksAreFiles = false;

  async disks(): Promise<Disk[]> {
    const { stdout } = await run('lsblk', ['--json', '-b', '-O', '--nodeps']);
    const byPath: Record<string, string> = {};
    try {
      for (const link of await readdir('/dev/disk/by-path')) {
        const target = await readlink(`/dev/disk/by-path/${link}`);
        byPath[`/dev/${target.split('/').pop()}`] ??= `/dev/disk/by-path/${link}`;
      }
    } catch { /* no by-path links */ }
    return parseLsblk(stdout, byPath);
  }

  private async interfaces(): Promise<InventoryInterface[]> {
    let names: string[] = [];
    try { names = await readdir('/sys/class/net'); } catch { /* no sysfs */ }
    const addrs = networkInterfaces();
    const out: InventoryInterface[] = [];
    for (const name of names.sort()) {
      if (name === 'lo') continue;
      const mac = await readText(`/sys/class/net/${name}/address`);
      if (!mac || mac === '00:00:00:00:00:00') continue;
      const a = addrs[name] ?? [];
      const speed = Number(await readText(`/sys/class/net/${name}/speed`));
      const driver = await readlink(`/sys/class/net/${name}/device/driver`).catch(() => null);
      const devPath = await realpath(`/sys/class/net/${name}/device`).catch(() => null);
      const pci = devPath ? devPath.split('/').filter((c) => /^[0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}\.[0-7]$/.test(c)).pop() ?? null : null;
      out.push({
        name, mac_address: mac.toLowerCase(),
        ipv4_address: a.find((x) => x.family === 'IPv4')?.address ?? null,
        ipv6_address: a.find((x) => x.family === 'IPv6')?.address ?? null,
        has_carrier: (await readText(`/sys/class/net/${name}/carrier`)) === '1',
        lldp: null,
        vendor: await readText(`/sys/class/net/${name}/device/vendor`),
        product: await readText(`/sys/class/net/${name}/device/device`),
        client_id: null, biosdevname: null,
        speed_mbps: Number.isFinite(speed) && speed > 0 ? speed : null,
        pci_address: pci,
        driver: driver ? driver.split('/').pop() ?? null : null,
      });
    }
    return out;
  }

  async macs(): Promise<string[]> { return (await this.interfaces()).map((i) => i.mac_address); }

  async kernelCmdline(): Promise<string> { return (await readText('/proc/cmdline')) ?? ''; }

  async routeSource(dest: string): Promise<string | null> {
    try {
      const { stdout } = await run('ip', ['route', 'get', dest]);
      return /\bsrc\s+(\S+)/.exec(stdout)?.[1] ?? null;
    } catch { return null; }
  }

  async inventory(): Promise<Inventory> {
    const cpu = parseCpuinfo((await readText('/proc/cpuinfo')) ?? '');
    const arch = (await run('uname', ['-m'])).stdout.trim();
    const interfaces = await this.interfaces();
    const uefi = (await readdir('/sys/firmware/efi').then(() => true, () => false));
    return {
      interfaces,
      cpu: {
        model_name: cpu.fields['model name'] ?? cpu.fields['Processor'] ?? '',
        frequency: cpu.fields['cpu MHz'] ?? '', count: cpu.count, architecture: arch,
        flags: (cpu.fields['flags'] ?? cpu.fields['Features'] ?? '').split(/\s+/).filter(Boolean),
        socket_count: cpu.sockets || null,
      },
      disks: (await this.disks()).map(({ path: _p, ...d }) => d),
      memory: { total: parseMeminfoTotal((await readText('/proc/meminfo')) ?? ''), physical_mb: await physicalMb() },
      bmc_address: null, bmc_v6address: null, bmc_mac: null,
      system_vendor: {
        product_name: await dmi('system-product-name'), serial_number: await dmi('system-serial-number'),
        manufacturer: await dmi('system-manufacturer'),
        firmware: { vendor: await dmi('bios-vendor'), version: await dmi('bios-version'), build_date: await dmi('bios-release-date') },
      },
      boot: { current_boot_mode: uefi ? 'uefi' : 'bios', pxe_interface: null },
      hostname: hostname(),
    };
  }

  async sync(): Promise<void> { await run('sync', []); }
  async powerOff(): Promise<void> { await this.sync(); await run('poweroff', []); }
  async reboot(): Promise<void> { await this.sync(); await run('reboot', []); }

  async recordBootEntry(entry: BootEntry): Promise<void> {
    const part = entry.partition?.replace(/^.*?(\d+)$/, '$1') ?? '1';
    await run('efibootmgr', ['-c', '-d', entry.disk, '-p', part, '-w', '-L', entry.label, '-l', entry.loader ?? '\\EFI\\BOOT\\BOOTX64.EFI']);
  }

  async setRescuePassword(hash: string): Promise<string> {
    // IPA's rescue extension writes the hash for user `rescue`; the ramdisk has that user.
    const shadow = (await readText('/etc/shadow')) ?? '';
    const lines = shadow.split('\n').filter((l) => l && !l.startsWith('rescue:'));
    lines.push(`rescue:${hash}:::::::`);
    await writeFile('/etc/shadow', lines.join('\n') + '\n', { mode: 0o640 });
    return '/etc/shadow';
  }

  async systemLogs(): Promise<Record<string, string>> {
    const out: Record<string, string> = {};
    const cmds: [string, string, string[]][] = [
      ['dmesg', 'dmesg', []], ['ip_addr', 'ip', ['addr']], ['lsblk', 'lsblk', ['--all', '-o', '+UUID,PTUUID,PARTUUID,MODEL,SIZE,SERIAL']],
      ['journal', 'journalctl', ['--full', '--no-pager', '-b', '-n', '10000']], ['df', 'df', ['-a']], ['ps', 'ps', ['-ef']],
    ];
    for (const [name, cmd, args] of cmds) {
      try { out[name] = (await run(cmd, args)).stdout; } catch (err) { out[name] = `unavailable: ${(err as Error).message}\n`; }
    }
    return out;
  }
}

/** Installed memory in MiB summed from `dmidecode --type memory`, null without dmidecode. */
async function physicalMb(): Promise<number | null> {
  try {
    const { stdout } = await run('dmidecode', ['--type', 'memory']);
    let total = 0;
    for (const m of stdout.matchAll(/^\s*Size:\s*(\d+)\s*(MB|GB|TB)\s*$/gm)) {
      const n = Number(m[1]);
      total += m[2] === 'MB' ? n : m[2] === 'GB' ? n * 1024 : n * 1024 * 1024;
    }
    return total || null;
  } catch { return null; }
}
