/**
 * `QemuHosts`: lab machines backed by QEMU processes (software emulation) instead of the
 * in-process host emulation (redfish/host.ts). It listens to the BMC model's events
 * (hooks.ts) and does what the machine's hardware would:
 *
 * - power on / restart → a `boot` event: a fresh QEMU process boots the device the BMC
 *   chose (`Pxe` → network boot through the NIC's iPXE ROM, `Cd` → the inserted virtual
 *   media, downloaded from its URL into the machine's folder and attached as the CD,
 *   anything else → the disk). Inserted CD media is attached on every boot;
 * - power off (ForceOff, GracefulShutdown, the off half of a restart) → QMP `quit`, then
 *   SIGKILL;
 * - the guest powers off (SHUTDOWN guest-shutdown) → the BMC reports Off; the guest
 *   reboots (guest-reset; `-no-reboot` ends the process) → the BMC boots again with its
 *   rules; QEMU dies otherwise → the BMC reports Off, and the reason (QEMU's stderr, the
 *   serial console's tail) stays in the machine's status.
 *
 * Each machine has a folder `<dataDir>/<id>/`: `disk0.img` (a sparse raw file, created
 * once and kept), `boot.iso`, `serial.log` (appended across boots), `qemu.log` (QEMU's
 * stderr), `qmp.sock`, `OVMF_VARS.fd` (UEFI). The NIC is tap `qtap<position>` on the lab
 * network's bridge; QEMU runs inside the lab's network namespace.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFile, mkdir, open, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { LabEvent, LabHooks } from '../redfish/hooks.ts';
import { downloadIso, NoBootError } from '../redfish/iso-boot.ts';
import { machineDirName } from '../redfish/machine-files.ts';
import type { LabMachine } from '../redfish/machine.ts';
import { bootDeviceOf, qemuArgs, type QemuFirmware } from './command.ts';
import type { LabNetwork } from './netns.ts';
import { Qmp } from './qmp.ts';

/** Debian's OVMF (package ovmf): UEFI firmware for `firmware`. */
export const DEBIAN_OVMF = { code: '/usr/share/OVMF/OVMF_CODE_4M.fd', varsTemplate: '/usr/share/OVMF/OVMF_VARS_4M.fd' } as const;

export interface QemuHostOptions {
  /** The lab network (namespace + bridge) the machines' NICs are on. */
  network: LabNetwork;
  /** Folder of the machines' files (kept: the disks are what tests read). */
  dataDir: string;
  /** Disk size in bytes (sparse raw file); default 4 GiB, the agent's smallest install disk. */
  diskSizeBytes?: number;
  /** Guest memory (default 1024 MiB). */
  memoryMb?: number;
  /** `bios` (SeaBIOS, default) or UEFI: OVMF's code and the variables template each machine gets a copy of (e.g. DEBIAN_OVMF). */
  firmware?: 'bios' | { code: string; varsTemplate: string };
  /** `tcg` (default: software emulation) or `kvm`. */
  accel?: 'tcg' | 'kvm';
  qemuBinary?: string;
  /** Longest ISO download (default 300 s). */
  downloadTimeoutMs?: number;
}

export type QemuHostState = 'off' | 'booting' | 'running' | 'nothing';

export interface QemuHostStatus {
  machineId: string;
  state: QemuHostState;
  device: string | null;
  media: string | null;
  /** Why the machine runs nothing, or how the last QEMU process ended unexpectedly. */
  reason: string | null;
  pid: number | null;
  mac: string;
  serialLog: string;
  disk: string;
  log: string[];
}

const LOG_LINES = 100;

class Host {
  gen = 0;
  proc: ChildProcess | null = null;
  qmp: Qmp | null = null;
  expectExit = false;
  stderr = '';
  status: QemuHostStatus;
  readonly dir: string;

  constructor(readonly machine: LabMachine, readonly position: number, dataDir: string) {
    this.dir = join(dataDir, machineDirName(machine));
    this.status = {
      machineId: machine.id, state: 'off', device: null, media: null, reason: null, pid: null,
      mac: machine.nics[0]?.mac.toLowerCase() ?? '', serialLog: join(this.dir, 'serial.log'), disk: join(this.dir, 'disk0.img'), log: [],
    };
  }

  get tap(): string { return `qtap${this.position}`; }

  log(line: string): void {
    this.status.log.push(`${new Date().toISOString()} ${line}`);
    if (this.status.log.length > LOG_LINES) this.status.log.splice(0, this.status.log.length - LOG_LINES);
  }
}

/** The last `bytes` of a file as text ('' when absent). */
export async function fileTail(path: string, bytes = 3000): Promise<string> {
  const fh = await open(path, 'r').catch(() => null);
  if (!fh) return '';
  try {
    const { size } = await fh.stat();
    const len = Math.min(size, bytes);
    const buf = Buffer.alloc(len);
    await fh.read(buf, 0, len, size - len);
    return buf.toString('utf8');
  } finally {
    await fh.close();
  }
}

export class QemuHosts {
  private readonly hosts = new Map<string, Host>();
  private readonly unsubscribe: () => void;
  private closed = false;

  private constructor(private readonly opts: QemuHostOptions, machines: LabMachine[], hooks: LabHooks) {
    machines.forEach((m, i) => this.hosts.set(m.id, new Host(m, i, opts.dataDir)));
    this.unsubscribe = hooks.onEvent((e) => this.onEvent(e));
  }

  static async start(opts: QemuHostOptions, deps: { machines: LabMachine[]; hooks: LabHooks }): Promise<QemuHosts> {
    const hosts = new QemuHosts(opts, deps.machines, deps.hooks);
    for (const h of hosts.hosts.values()) await hosts.ensureDisk(h);
    return hosts;
  }

  get dataDir(): string { return this.opts.dataDir; }

  status(machineId: string): QemuHostStatus {
    const h = this.host(machineId);
    return { ...h.status, log: [...h.status.log] };
  }

  /** The status with the serial console's tail: what a failed boot shows. */
  async explain(machineId: string, bytes = 3000): Promise<string> {
    const s = this.status(machineId);
    const serial = await fileTail(s.serialLog, bytes);
    return `machine ${machineId}: ${s.state}${s.reason ? ` (${s.reason})` : ''}; lab log:\n${s.log.slice(-10).join('\n')}\nserial console (${s.serialLog}), last lines:\n${serial}`;
  }

  /** Stops every QEMU process. Files are kept. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.unsubscribe();
    await Promise.all([...this.hosts.values()].map((h) => this.halt(h)));
  }

  private host(machineId: string): Host {
    const h = this.hosts.get(machineId);
    if (!h) throw new Error(`no machine ${JSON.stringify(machineId)}`);
    return h;
  }

  private async ensureDisk(h: Host): Promise<void> {
    await mkdir(h.dir, { recursive: true });
    const size = this.opts.diskSizeBytes ?? 4 * 1024 ** 3;
    const st = await stat(h.status.disk).catch(() => null);
    if (st && st.size >= size) return;
    const fh = await open(h.status.disk, st ? 'r+' : 'w');
    try { await fh.truncate(size); } finally { await fh.close(); }
  }

  private onEvent(e: LabEvent): void {
    if (this.closed) return;
    const h = this.hosts.get(e.machineId);
    if (!h) return;
    if (e.type === 'power' && e.state === 'Off') {
      h.log(`power off (${e.resetType})`);
      void this.halt(h).then(() => { if (h.machine.power === 'Off') h.status.state = 'off'; });
    } else if (e.type === 'boot') {
      void this.boot(h, e.device, e.media, e.mode);
    }
  }

  /** Ends the machine's QEMU process (QMP quit, SIGKILL after 5 s). */
  private async halt(h: Host): Promise<void> {
    h.gen++;
    const proc = h.proc;
    if (!proc) return;
    h.expectExit = true;
    const exited = proc.exitCode !== null || proc.signalCode !== null ? Promise.resolve() : new Promise<void>((r) => proc.once('close', () => r()));
    await Promise.race([h.qmp?.execute('quit').catch(() => {}), new Promise((r) => setTimeout(r, 2000))]);
    const kill = setTimeout(() => proc.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(kill);
    if (h.proc === proc) { h.proc = null; h.qmp?.close(); h.qmp = null; h.status.pid = null; }
  }

  private async boot(h: Host, device: string, media: string | null, mode: string): Promise<void> {
    const stopped = this.halt(h);
    const g = h.gen;
    const current = () => h.gen === g && !this.closed;
    Object.assign(h.status, { state: 'booting', device, media, reason: null });
    try {
      await stopped;
      if (!current()) return;
      await this.ensureDisk(h);
      const boot = bootDeviceOf(device);
      let cdrom: string | null = null;
      const iso = join(h.dir, 'boot.iso');
      if (media) {
        const timeout = AbortSignal.timeout(this.opts.downloadTimeoutMs ?? 300_000);
        const bytes = await downloadIso(media, iso, timeout);
        h.log(`virtual media: downloaded ${bytes} bytes from ${media}`);
        cdrom = iso;
      } else if (boot === 'cdrom') {
        throw new NoBootError(`boot device ${device} has no virtual media inserted`);
      }
      if (!current()) return;
      let firmware: QemuFirmware = { kind: 'bios' };
      const fw = this.opts.firmware ?? 'bios';
      if (fw !== 'bios') {
        const vars = join(h.dir, 'OVMF_VARS.fd');
        if (!(await stat(vars).catch(() => null))) await copyFile(fw.varsTemplate, vars);
        firmware = { kind: 'uefi', code: fw.code, vars };
      }
      if ((mode === 'UEFI') !== (firmware.kind === 'uefi')) h.log(`note: the BMC's boot mode is ${mode}; this machine's firmware is ${firmware.kind === 'uefi' ? 'UEFI (OVMF)' : 'BIOS (SeaBIOS)'}`);
      this.opts.network.addTap(h.tap);
      const qmpSocket = join(h.dir, 'qmp.sock');
      await rm(qmpSocket, { force: true });
      const args = qemuArgs({
        name: `ingot-lab-${h.machine.id}`, mac: h.status.mac, memoryMb: this.opts.memoryMb ?? 1024, disk: h.status.disk, cdrom, boot,
        tap: h.tap, serialLog: h.status.serialLog, qmpSocket, firmware, accel: this.opts.accel,
      });
      await appendLine(h.status.serialLog, `\n===== ingot lab: power on, boot ${device} (${boot}${cdrom ? `, CD ${media}` : ''}) at ${new Date().toISOString()} =====\n`);
      const proc = spawn('ip', ['netns', 'exec', this.opts.network.ns, this.opts.qemuBinary ?? 'qemu-system-x86_64', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
      h.proc = proc;
      h.expectExit = false;
      h.stderr = '';
      proc.stderr!.on('data', (d: Buffer) => { h.stderr = (h.stderr + d.toString()).slice(-4000); });
      const exited = new Promise<void>((r) => proc.once('close', () => r()));
      void exited.then(() => this.onExit(h, proc));
      proc.once('error', (err) => { h.stderr += `\n${err.message}`; });
      h.status.pid = proc.pid ?? null;
      h.log(`QEMU started (pid ${proc.pid}): boot ${boot}, tap ${h.tap} on ${this.opts.network.bridge} in ${this.opts.network.ns}`);
      try {
        h.qmp = await Qmp.connect(qmpSocket, 15_000, () => h.proc === proc && proc.exitCode === null);
      } catch (err) {
        if (h.proc === proc) h.log(`QMP: ${(err as Error).message}`);
      }
      if (h.proc === proc) h.status.state = 'running';
    } catch (err) {
      if (!current()) return;
      const reason = err instanceof NoBootError ? err.message : `lab failure: ${(err as Error).message}`;
      h.log(`boots into nothing: ${reason}`);
      Object.assign(h.status, { state: 'nothing', reason });
    }
  }

  private onExit(h: Host, proc: ChildProcess): void {
    if (h.proc !== proc) return;
    const reason = h.qmp?.shutdownReason ?? null;
    h.qmp?.close();
    Object.assign(h, { proc: null, qmp: null });
    h.status.pid = null;
    if (h.expectExit || this.closed) return;
    const how = `QEMU exited (${proc.exitCode ?? proc.signalCode}${reason ? `, ${reason}` : ''})`;
    h.log(how);
    if (reason === 'guest-reset') {
      h.machine.hostPower('reboot');
    } else if (reason === 'guest-shutdown') {
      h.machine.hostPower('off');
    } else {
      const err = h.stderr.trim().split('\n').slice(-5).join(' | ');
      h.machine.hostPower('off');
      Object.assign(h.status, { state: 'nothing', reason: `${how}${err ? `: ${err}` : ''}` });
    }
  }
}

async function appendLine(path: string, text: string): Promise<void> {
  const fh = await open(path, 'a');
  try { await fh.write(text); } finally { await fh.close(); }
}

