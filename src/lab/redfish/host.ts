/**
 * `LabHosts`: what runs on the lab machines, beyond their BMCs. It listens to the BMC
 * model's events (hooks.ts) and makes each boot do what a real machine's would:
 *
 * - boot from `Cd` (or `Usb`) with virtual media inserted: download the ISO from the
 *   inserted URL, read its boot configuration for the machine's boot mode (iso-boot.ts),
 *   write the machine's description with the kernel command line found there
 *   (machine-files.ts) and start `ingot agent` for it (agent-process.ts). The kernel and
 *   ramdisk on the ISO are NOT executed: the agent process stands in for them, and it
 *   learns the API URL (`ipa-api-url`) only from that command line;
 * - boot from `Hdd`: read the disk file's partition table and the NVRAM entries
 *   (disk-report.ts) — the machine "runs" what its disk holds, or nothing on a blank disk;
 * - power off (through Redfish or `powerControlUrl`): stop the agent (SIGTERM, then
 *   SIGKILL) and the machine is Off. A restart is an off and a boot.
 *
 * Any failure (unreachable ISO URL, an image with no boot configuration for the mode, an
 * agent that cannot start) leaves the machine On but running nothing, with the reason in
 * its status (`GET /lab/machines/{id}/boot`); nothing is thrown at the BMC.
 *
 * @module
 */
import { mkdtemp, mkdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AgentProcess, freePort, labAgentCommand } from './agent-process.ts';
import { readDisk, readNvram, type DiskReport } from './disk-report.ts';
import type { LabEvent, LabHooks } from './hooks.ts';
import { downloadIso, NoBootError, readIsoBoot, type BootEntry } from './iso-boot.ts';
import { describeMachine, ensureDisk, machinePaths, writeMachineFile, type MachinePaths } from './machine-files.ts';
import type { LabMachine } from './machine.ts';
import type { AgentMachineNvram } from '../../contracts/agent-machine.ts';

export const DEFAULT_DISK_SIZE = 8 * 1024 ** 3;

export interface LabHostOptions {
  /** Folder of the machines' files; default: a temporary folder removed at close. */
  dataDir?: string;
  /** Size of each machine's disk in bytes (sparse), or a function of the machine (default 8 GiB). */
  diskSizeBytes?: number | ((m: LabMachine) => number);
  /** How to run the ingot CLI (`agent …` is appended); default: `labAgentCommand()` (the bundled CLI). */
  agentCommand?: readonly string[];
  /** Address the agents listen on (default 127.0.0.1). */
  agentHost?: string;
  /** Extra environment of the agent processes. */
  agentEnv?: Record<string, string>;
  /** Grace period between SIGTERM and SIGKILL (default 5000 ms). */
  stopTimeoutMs?: number;
  /** Longest ISO download (default 300 s). */
  downloadTimeoutMs?: number;
}

export type HostState = 'off' | 'booting' | 'agent' | 'disk' | 'nothing';

export interface HostStatus {
  machineId: string;
  state: HostState;
  device: string | null;
  media: string | null;
  mode: string | null;
  /** Why the machine runs nothing (state `nothing`), else null. */
  reason: string | null;
  since: string;
  bootEntry: BootEntry | null;
  agent: { pid: number; port: number; argv: readonly string[]; machineFile: string; exit: AgentProcess['exit'] } | null;
  /** The last lines of the machine's console, as it were. */
  log: string[];
}

export interface LabHostDeps {
  machines: LabMachine[];
  hooks: LabHooks;
  /** The ComputerSystem document the BMC serves for a machine. */
  systemDoc(m: LabMachine): Record<string, unknown>;
  /** The lab's base URL (known once it listens). */
  labUrl(): string;
}

const LOG_LINES = 100;

class MachineHost {
  gen = 0;
  abort: AbortController | null = null;
  agent: AgentProcess | null = null;
  agentPort = 0;
  stopping: Promise<void> = Promise.resolve();
  status: HostStatus;

  constructor(readonly machine: LabMachine, readonly paths: MachinePaths) {
    this.status = { machineId: machine.id, state: machine.power === 'On' ? 'nothing' : 'off', device: null, media: null, mode: null,
      reason: machine.power === 'On' ? 'the lab started with the machine on: nothing booted' : null, since: new Date().toISOString(),
      bootEntry: null, agent: null, log: [] };
  }

  log(line: string): void {
    this.status.log.push(`${new Date().toISOString()} ${line}`);
    if (this.status.log.length > LOG_LINES) this.status.log.splice(0, this.status.log.length - LOG_LINES);
  }

  set(state: HostState, reason: string | null = null): void {
    Object.assign(this.status, { state, reason, since: new Date().toISOString() });
  }
}

export class LabHosts {
  readonly dataDir: string;
  private readonly hosts = new Map<string, MachineHost>();
  private readonly ownDir: boolean;
  private readonly unsubscribe: () => void;
  private closed = false;

  private constructor(private readonly opts: LabHostOptions, private readonly deps: LabHostDeps, dataDir: string, ownDir: boolean,
    private readonly agentCommand: readonly string[]) {
    this.dataDir = dataDir;
    this.ownDir = ownDir;
    for (const m of deps.machines) this.hosts.set(m.id, new MachineHost(m, machinePaths(dataDir, m)));
    this.unsubscribe = deps.hooks.onEvent((e) => this.onEvent(e));
  }

  /** Creates the machines' folders and disks, and starts listening to the BMCs. */
  static async start(opts: LabHostOptions, deps: LabHostDeps): Promise<LabHosts> {
    const own = !opts.dataDir;
    const dir = opts.dataDir ?? await mkdtemp(join(tmpdir(), 'ingot-lab-'));
    await mkdir(dir, { recursive: true });
    const command = opts.agentCommand ?? await labAgentCommand((msg) => process.stderr.write(`ingot lab: ${msg}\n`));
    const hosts = new LabHosts(opts, deps, dir, own, command);
    for (const h of hosts.hosts.values()) await ensureDisk(h.paths, hosts.diskSize(h.machine));
    return hosts;
  }

  diskSize(m: LabMachine): number {
    const s = this.opts.diskSizeBytes;
    return typeof s === 'function' ? s(m) : s ?? DEFAULT_DISK_SIZE;
  }

  paths(machineId: string): MachinePaths {
    return this.host(machineId).paths;
  }

  status(machineId: string): HostStatus {
    const h = this.host(machineId);
    return { ...h.status, log: [...h.status.log] };
  }

  /** The machine's disk as it would boot from it. */
  async disk(machineId: string): Promise<{ machineId: string; disks: Array<DiskReport & { name: string }>; nvram: AgentMachineNvram | null; nvramHasBootEntry: boolean }> {
    const h = this.host(machineId);
    const nvram = await readNvram(h.paths.nvram);
    return { machineId, disks: [{ name: '/dev/sda', ...await readDisk(h.paths.disk) }], nvram, nvramHasBootEntry: (nvram?.bootEntries.length ?? 0) > 0 };
  }

  /** Stops every agent and, when the folder was a temporary one, removes it. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.unsubscribe();
    await Promise.all([...this.hosts.values()].map((h) => this.halt(h)));
    if (this.ownDir) await rm(this.dataDir, { recursive: true, force: true });
  }

  private host(machineId: string): MachineHost {
    const h = this.hosts.get(machineId);
    if (!h) throw new Error(`no machine ${JSON.stringify(machineId)}`);
    return h;
  }

  private onEvent(e: LabEvent): void {
    if (this.closed) return;
    const h = this.hosts.get(e.machineId);
    if (!h) return;
    if (e.type === 'power' && e.state === 'Off') {
      h.log(`power off (${e.resetType})`);
      void this.halt(h).then(() => { if (h.machine.power === 'Off') h.set('off'); });
    } else if (e.type === 'boot') {
      void this.boot(h, e.device, e.media, e.mode);
    }
  }

  /** Ends whatever the machine runs (a boot in progress, the agent). */
  private halt(h: MachineHost): Promise<void> {
    h.gen++;
    h.abort?.abort();
    h.abort = null;
    const agent = h.agent;
    h.agent = null;
    if (agent) {
      h.log(`stopping the agent (pid ${agent.pid})`);
      h.stopping = h.stopping.then(() => agent.stop(this.opts.stopTimeoutMs ?? 5000)).then(() => h.log(`agent stopped (${JSON.stringify(agent.exit)})`));
    }
    return h.stopping;
  }

  private async boot(h: MachineHost, device: string, media: string | null, mode: string): Promise<void> {
    // The generation is taken before any await: a later event (another restart, a power
    // off) makes this boot stale at once.
    const stopped = this.halt(h);
    const g = h.gen;
    const abort = new AbortController();
    h.abort = abort;
    Object.assign(h.status, { device, media, mode, bootEntry: null, agent: null });
    h.set('booting');
    h.log(`booting from ${device}${media ? ` (${media})` : ''} in ${mode} mode`);
    const current = (): boolean => h.gen === g && !this.closed;
    try {
      await stopped;
      if (!current()) return;
      if (device === 'Cd' || device === 'Usb' || device === 'Floppy') {
        if (!media) throw new NoBootError(`boot device ${device} has no virtual media inserted`);
        await this.bootIso(h, media, mode, abort.signal, current);
      } else if (device === 'Hdd') {
        await this.bootDisk(h);
      } else {
        throw new NoBootError(`boot device ${device} is not emulated by the lab (network boot comes with the network-boot work)`);
      }
    } catch (err) {
      if (!current()) return;
      const reason = err instanceof NoBootError ? err.message : `lab failure: ${(err as Error).message}`;
      h.log(`boots into nothing: ${reason}`);
      h.set('nothing', reason);
    }
  }

  private async bootIso(h: MachineHost, url: string, mode: string, signal: AbortSignal, current: () => boolean): Promise<void> {
    const timeout = AbortSignal.timeout(this.opts.downloadTimeoutMs ?? 300_000);
    const bytes = await downloadIso(url, h.paths.iso, AbortSignal.any([signal, timeout])).catch((err: unknown) => {
      if (timeout.aborted && !signal.aborted) throw new NoBootError(`download of ${url} timed out`);
      throw err;
    });
    h.log(`downloaded ${bytes} bytes from ${url}`);
    const entry = await readIsoBoot(h.paths.iso, mode, h.paths.dir, signal);
    if (!current()) return;
    h.status.bootEntry = entry;
    h.log(`${entry.loader} ${entry.configPath}, entry "${entry.title}": ${entry.cmdline}`);
    h.log('the ISO\'s kernel and ramdisk are not executed in the lab: starting ingot agent in their place');
    const size = this.diskSize(h.machine);
    await ensureDisk(h.paths, size);
    const labUrl = this.deps.labUrl();
    const desc = describeMachine({
      machine: h.machine, paths: h.paths, diskSize: size, system: this.deps.systemDoc(h.machine),
      bootMode: mode === 'Legacy' ? 'bios' : 'uefi', kernelCmdline: entry.cmdline,
      powerControlUrl: `${labUrl}/lab/machines/${encodeURIComponent(h.machine.id)}/power`, bmcAddress: new URL(labUrl).hostname,
    });
    await writeMachineFile(h.paths, desc);
    const host = this.opts.agentHost ?? '127.0.0.1';
    const port = await freePort(host);
    if (!current()) return;
    let agent: AgentProcess;
    try {
      agent = await AgentProcess.start({
        command: this.agentCommand, machineFile: h.paths.machineFile, host, port,
        logFile: h.paths.agentLog, env: this.opts.agentEnv,
      });
    } catch (err) {
      throw new NoBootError(`the agent could not be started: ${(err as Error).message}`);
    }
    if (!current()) {
      await agent.stop(this.opts.stopTimeoutMs ?? 5000);
      return;
    }
    h.agent = agent;
    h.status.agent = { pid: agent.pid, port, argv: agent.argv, machineFile: h.paths.machineFile, exit: null };
    h.set('agent');
    h.log(`agent started: pid ${agent.pid}, port ${port}, log ${h.paths.agentLog}`);
    void agent.exited.then(() => {
      if (h.status.agent?.pid === agent.pid) h.status.agent.exit = agent.exit;
      if (h.agent !== agent) return;
      h.agent = null;
      const why = `the agent exited (${agent.exit?.signal ?? `code ${agent.exit?.code}`}); see ${h.paths.agentLog}`;
      h.log(why);
      h.set('nothing', why);
    });
  }

  private async bootDisk(h: MachineHost): Promise<void> {
    const report = await readDisk(h.paths.disk);
    const nvram = await readNvram(h.paths.nvram);
    if (!report.partitionTable) {
      throw new NoBootError(report.error ? `cannot read the disk: ${report.error}` : 'no bootable disk: the disk has no partition table');
    }
    const entries = nvram?.bootEntries.map((b) => b.label).join(', ') || 'none';
    h.log(`booted from disk: ${report.partitionTable.label} partition table, ${report.partitionTable.partitions.length} partition(s); NVRAM boot entries: ${entries}`);
    h.set('disk');
  }
}
