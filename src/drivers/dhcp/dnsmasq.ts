/**
 * The `dnsmasq` DHCP provider (Ironic's ironic/dhcp/dnsmasq.py): the ONE owner of the
 * files dnsmasq reads about nodes. Debian's dnsmasq (package dnsmasq-base) runs beside
 * Ingot (`ingot dnsmasq`, see dnsmasq-conf.ts) with `dhcp-hostsdir` and `dhcp-optsdir`
 * pointing here; it reads new and changed files by itself (inotify), no SIGHUP needed.
 *
 * Files, as Ironic writes them:
 * - `<optsdir>/ironic-<node uuid>.conf`: one `tag:<node tag>,<opt_name>,<opt_value>` line
 *   per option. The node tag is a UUID kept in driver_internal_info `dnsmasq_tag`.
 * - `<hostsdir>/ironic-<mac>.conf` per PXE-enabled port: `<mac>,set:<node tag>,set:ironic`;
 *   on clean-up `<mac>,ignore` (dnsmasq never forgets a host it has read without a
 *   SIGHUP, so the entry is rewritten to ignore rather than deleted) and the opts file is
 *   removed.
 * - PXE filter rules for in-band inspection and discovery (`setFilterRule`, `applyPxeFilter`,
 *   called by the built-in inspector), in the files ironic-inspector's dnsmasq filter
 *   writes: `<hostsdir>/filter-<mac>.conf` = `<mac>` (allow: may PXE-boot the default
 *   files), `<mac>,set:ironic` (deny: an enrolled port outside inspection gets a lease but
 *   no boot file; ironic-inspector writes `,ignore` there because its dnsmasq is not the
 *   provisioning network's DHCP server, while here the same dnsmasq must still lease to a
 *   ramdisk booted from virtual media) or `<mac>,ignore` (a MAC no longer enrolled, with
 *   discovery off), and `filter-unknown.conf` = `*:*:*:*:*:*` (unknown machines may boot:
 *   discovery) or `*:*:*:*:*:*,ignore`. dnsmasq only ever adds host records from this folder (a deleted
 *   or changed file's record stays until SIGHUP), so filter files are rewritten, never
 *   deleted: a MAC the filter no longer names follows the unknown-hosts rule (inspector's
 *   "removed" list). One MAC, one rule: a MAC that has a host file of this provider
 *   (`ironic-<mac>.conf`, served or `ignore`) is governed by it; the filter leaves it alone,
 *   and when the provider writes a MAC's host line it writes the same line into that MAC's
 *   filter file if one exists, so whatever dnsmasq read last for the MAC agrees. dnsmasq
 *   prefers an exact MAC over the wildcard line (inspector relies on it too).
 * Only IPv4 options are written (dnsmasq needs `option6:` for DHCPv6 ones; Ironic writes
 * both kinds into the same file). Writes go to a dot-file first and are renamed into place:
 * dnsmasq skips dot-files, so it never reads half a file.
 *
 * validate(): dnsmasq installed (`dnsmasq --version`), its configuration valid
 * (`dnsmasq --test -C <conf>`, when a configuration file is known) and the process of the
 * pid file alive. Every check has a time limit: a validate never hangs.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { InvalidError } from '../../core/errors.ts';
import type { DriverContext, DriverPort } from '../base.ts';
import type { DhcpOption, DhcpProvider } from './provider.ts';

/** What the PXE filter lets one MAC do (see the file comment). */
export type PxeFilterRule = 'allow' | 'deny' | 'ignore';
const FILTER_SUFFIX: Record<PxeFilterRule, string> = { allow: '', deny: ',set:ironic', ignore: ',ignore' };

/** Where dnsmasq and Ingot meet (Ironic's `[dnsmasq]` options). */
export interface DnsmasqPaths {
  /** `[dnsmasq] dhcp_hostsdir`. */
  hostsdir: string;
  /** `[dnsmasq] dhcp_optsdir`. */
  optsdir: string;
  /** `[dnsmasq] dhcp_leasefile`. */
  leasefile: string;
  /** The pid file of the running dnsmasq (written by dnsmasq itself, `pid-file=`). */
  pidfile: string;
  /** The configuration dnsmasq runs with (checked with `dnsmasq --test`); absent = not checked. */
  confFile?: string;
  /** The dnsmasq program (default `dnsmasq` on PATH, then /usr/sbin/dnsmasq). */
  binary?: string;
}

/** The layout `ingot dnsmasq` uses under one state folder. */
export function dnsmasqPathsIn(dir: string): Required<Omit<DnsmasqPaths, 'binary'>> {
  return {
    hostsdir: join(dir, 'hostsdir.d'), optsdir: join(dir, 'optsdir.d'), leasefile: join(dir, 'dnsmasq.leases'),
    pidfile: join(dir, 'dnsmasq.pid'), confFile: join(dir, 'dnsmasq.conf'),
  };
}

/** Run a program; resolves with its exit code and output, or code -1 when it cannot start or overruns `timeoutMs`. */
export function runQuiet(argv: readonly string[], timeoutMs: number): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    let out = '';
    let done = false;
    const finish = (code: number, extra = '') => { if (!done) { done = true; clearTimeout(timer); resolve({ code, out: (out + extra).trim() }); } };
    const child = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
    const timer = setTimeout(() => { child.kill('SIGKILL'); finish(-1, `\n(no answer within ${timeoutMs / 1000} s)`); }, timeoutMs);
    child.stdout.on('data', (b: Buffer) => { out += b.toString(); });
    child.stderr.on('data', (b: Buffer) => { out += b.toString(); });
    child.on('error', (err) => finish(-1, String((err as NodeJS.ErrnoException).code ?? err.message)));
    child.on('close', (code) => finish(code ?? -1));
  });
}

async function writeAtomic(path: string, dir: string, name: string, text: string): Promise<void> {
  const tmp = join(dir, `.${name}.${process.pid}.tmp`);
  await writeFile(tmp, text, { mode: 0o644 });
  await rename(tmp, path);
}

const normMac = (mac: string): string => mac.toLowerCase();

export class DnsmasqDhcp implements DhcpProvider {
  readonly name = 'dnsmasq';
  private binaryOk: Promise<string> | undefined;
  private testedConf: { mtimeMs: number; error: string | null } | undefined;

  constructor(readonly paths: DnsmasqPaths, private readonly timeoutMs = 5000) {}

  supportsIpxeTag(): boolean { return true; }

  hostFile(mac: string): string { return join(this.paths.hostsdir, `ironic-${normMac(mac)}.conf`); }
  optsFile(nodeUuid: string): string { return join(this.paths.optsdir, `ironic-${nodeUuid}.conf`); }
  filterFile(mac: string): string { return join(this.paths.hostsdir, `filter-${normMac(mac)}.conf`); }

  /** Create the host and option folders (dnsmasq must find them at start to watch them). */
  async ensureDirs(): Promise<void> {
    await mkdir(this.paths.hostsdir, { recursive: true });
    await mkdir(this.paths.optsdir, { recursive: true });
  }

  async updateDhcpOpts(ctx: DriverContext, options: readonly DhcpOption[]): Promise<void> {
    await this.ensureDirs();
    const node = ctx.node;
    const existing = node.driver_internal_info?.dnsmasq_tag;
    const tag = typeof existing === 'string' && existing ? existing : randomUUID();
    if (tag !== existing) ctx.setInternalInfo({ dnsmasq_tag: tag });
    const lines = options.filter((o) => o.ip_version === 4).map((o) => `tag:${tag},${o.opt_name},${o.opt_value}\n`);
    await writeAtomic(this.optsFile(node.uuid), this.paths.optsdir, `ironic-${node.uuid}.conf`, lines.join(''));
    for (const mac of await pxeMacs(ctx)) await this.writeHost(mac, `${mac},set:${tag},set:ironic\n`);
  }

  /** The MAC's host line; a filter file for the MAC gets the same line (see the module comment). */
  private async writeHost(mac: string, line: string): Promise<void> {
    await writeAtomic(this.hostFile(mac), this.paths.hostsdir, `ironic-${mac}.conf`, line);
    if (await exists(this.filterFile(mac))) await writeAtomic(this.filterFile(mac), this.paths.hostsdir, `filter-${mac}.conf`, line);
  }

  async cleanDhcpOpts(ctx: DriverContext): Promise<void> {
    await this.ensureDirs();
    if (ctx.node.driver_internal_info?.dnsmasq_tag !== undefined) ctx.setInternalInfo({ dnsmasq_tag: null });
    for (const mac of await pxeMacs(ctx)) await this.writeHost(mac, `${mac},ignore\n`);
    await rm(this.optsFile(ctx.node.uuid), { force: true });
  }

  /**
   * PXE filter (inspection) for one MAC: `allow` (may PXE-boot the default files), `deny` (a
   * lease, no boot file) or `ignore` (no answer at all). A MAC with a host file of this
   * provider is left to that file.
   */
  async setFilterRule(mac: string, rule: PxeFilterRule): Promise<void> {
    await this.ensureDirs();
    const m = normMac(mac);
    if (await exists(this.hostFile(m))) return;
    const text = `${m}${FILTER_SUFFIX[rule]}\n`;
    if ((await readFile(this.filterFile(m), 'utf8').catch(() => null)) === text) return;
    await writeAtomic(this.filterFile(m), this.paths.hostsdir, `filter-${m}.conf`, text);
    // updateDhcpOpts may have written the MAC's host line meanwhile: make the filter line agree.
    const host = await readFile(this.hostFile(m), 'utf8').catch(() => null);
    if (host !== null) await writeAtomic(this.filterFile(m), this.paths.hostsdir, `filter-${m}.conf`, host);
  }

  /**
   * The whole PXE filter at once (the inspector's computed state): `allow` and `deny` MACs,
   * the unknown-hosts line, and MACs named before but not now set to the unknown-hosts rule.
   */
  async applyPxeFilter(state: { allow: ReadonlySet<string>; deny: ReadonlySet<string>; allowUnknown: boolean }): Promise<void> {
    await this.ensureDirs();
    const want = new Map<string, PxeFilterRule>();
    for (const m of state.deny) want.set(normMac(m), 'deny');
    for (const m of state.allow) want.set(normMac(m), 'allow');
    for (const name of await readdir(this.paths.hostsdir)) {
      const f = /^filter-(.+)\.conf$/.exec(name);
      if (f && f[1] !== 'unknown' && !want.has(f[1]!)) want.set(f[1]!, state.allowUnknown ? 'allow' : 'ignore');
    }
    for (const [m, rule] of want) await this.setFilterRule(m, rule);
    const unknown = join(this.paths.hostsdir, 'filter-unknown.conf');
    const text = state.allowUnknown ? '*:*:*:*:*:*\n' : '*:*:*:*:*:*,ignore\n';
    if ((await readFile(unknown, 'utf8').catch(() => null)) !== text) await writeAtomic(unknown, this.paths.hostsdir, 'filter-unknown.conf', text);
  }

  async getIpAddresses(ports: readonly DriverPort[]): Promise<string[]> {
    const macs = new Set(ports.filter((p) => p.pxe_enabled).map((p) => normMac(p.address)));
    let text: string;
    try { text = await readFile(this.paths.leasefile, 'utf8'); } catch { return []; }
    const out: string[] = [];
    for (const line of text.split('\n')) {
      const f = line.trim().split(/\s+/);
      if (f.length >= 3 && macs.has(normMac(f[1]!))) out.push(f[2]!);
    }
    return out;
  }

  /** The dnsmasq program that answers `--version`, or an InvalidError saying it is not installed. */
  private binary(): Promise<string> {
    this.binaryOk ??= (async () => {
      const candidates = this.paths.binary ? [this.paths.binary] : ['dnsmasq', '/usr/sbin/dnsmasq'];
      const broken: string[] = [];
      for (const bin of candidates) {
        const r = await runQuiet([bin, '--version'], this.timeoutMs);
        if (r.code === 0) return bin;
        // ENOENT: not there. Anything else (no answer in time, an error) is a broken program, said as such.
        if (r.out !== 'ENOENT') broken.push(`${bin} --version: ${r.code === -1 ? '' : `exit code ${r.code}, `}${r.out.split('\n').slice(-2).join(' ').trim() || 'no output'}`);
      }
      this.binaryOk = undefined; // installed or repaired later: look again next time
      if (broken.length > 0) {
        throw new InvalidError(`DHCP provider dnsmasq: dnsmasq does not work (${broken.join('; ')}). `
          + 'Reinstall Debian\'s dnsmasq-base, or point INGOT_DNSMASQ_BINARY at a working dnsmasq.');
      }
      throw new InvalidError(`DHCP provider dnsmasq: dnsmasq is not installed (tried ${candidates.join(', ')}). `
        + 'Install Debian\'s dnsmasq-base (apt-get install dnsmasq-base), or set INGOT_DHCP_PROVIDER=none if another DHCP server hands out the boot files.');
    })();
    return this.binaryOk;
  }

  async validate(): Promise<void> {
    const bin = await this.binary();
    const conf = this.paths.confFile;
    if (conf) {
      let mtimeMs: number;
      try { mtimeMs = (await stat(conf)).mtimeMs; } catch {
        throw new InvalidError(`DHCP provider dnsmasq: no dnsmasq configuration at ${conf}. Write it and start dnsmasq with "ingot dnsmasq".`);
      }
      if (this.testedConf?.mtimeMs !== mtimeMs) {
        const r = await runQuiet([bin, '--test', '-C', conf], this.timeoutMs);
        this.testedConf = { mtimeMs, error: r.code === 0 ? null : r.out || `exit code ${r.code}` };
      }
      if (this.testedConf.error !== null) {
        throw new InvalidError(`DHCP provider dnsmasq: the dnsmasq configuration ${conf} is invalid: ${this.testedConf.error}`);
      }
    }
    const pid = await this.runningPid();
    if (pid === null) {
      throw new InvalidError(`DHCP provider dnsmasq: dnsmasq is not running (no live process in ${this.paths.pidfile}). `
        + 'Start it with "ingot dnsmasq" (see docs/netboot.md).');
    }
  }

  /** The pid of the running dnsmasq, or null. */
  async runningPid(): Promise<number | null> {
    let pid: number;
    try { pid = Number((await readFile(this.paths.pidfile, 'utf8')).trim()); } catch { return null; }
    if (!Number.isInteger(pid) || pid <= 0) return null;
    try {
      const comm = (await readFile(`/proc/${pid}/comm`, 'utf8')).trim();
      return comm === 'dnsmasq' ? pid : null;
    } catch {
      return null;
    }
  }
}

async function pxeMacs(ctx: DriverContext): Promise<string[]> {
  return [...new Set((await ctx.loadPorts()).filter((p) => p.pxe_enabled).map((p) => normMac(p.address)))];
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(() => true, () => false);
}
