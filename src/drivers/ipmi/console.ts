/**
 * `ipmitool-socat` and `ipmitool-shellinabox` console interfaces (Ironic's
 * IPMISocatConsole / IPMIShellinaboxConsole with console_utils): a serial-over-LAN
 * session (`ipmitool … sol activate`) exposed on a TCP port of the conductor.
 *
 * - validate: driver_info (with ipmi_terminal_port), "Either missing 'ipmi_terminal_port'
 *   … or [console]port_range is not configured", "Serial over lan only works with IPMI
 *   protocol version 2.0 …" (Ironic's texts); and, Ingot's addition, that the program
 *   (socat, or [console] terminal = shellinaboxd) is installed on this conductor.
 * - startConsole: the port is ipmi_terminal_port, else one allocated from
 *   [console] port_range (kept in driver_internal_info.allocated_ipmi_terminal_port);
 *   any old SOL session is dropped (`sol deactivate`, exit 0 or 1 accepted); Ingot's
 *   addition: `sol info` must answer, so a BMC without Serial-over-LAN is reported at
 *   start rather than to whoever connects; then the password goes to a 0600 file
 *   (<tempDir>/<node uuid>.pw, kept while the console runs) and the program starts:
 *   `socat [-T<terminal_timeout>] -L<lock> TCP4-LISTEN:<port>,bind=<socat_address>,reuseaddr,fork,max-children=1
 *   EXEC:"ipmitool … -f <pw file> sol activate",pty,stderr`, or
 *   `shellinaboxd -t -p <port> --background=<pid file> -s /:<uid>:<gid>:HOME:<ipmitool … sol activate>`.
 *   It must be running within [console] subprocess_timeout, else "Console subprocess
 *   failed to start. …" with its exit code and stderr.
 * - stopConsole: ends the process, removes the password file, `sol deactivate` (socat),
 *   releases the allocated port. getConsole: `tcp://<socat_address>:<port>` (socat) or
 *   `http(s)://<host>:<port>` (shellinabox).
 * Processes are children of this conductor, tracked in memory (`IpmiConsoles`); `close()`
 * ends them all.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants as fsConstants, existsSync, readFileSync } from 'node:fs';
import { unlink, writeFile } from 'node:fs/promises';
import { createServer, isIPv6 } from 'node:net';
import { delimiter, join } from 'node:path';
import { DriverError, InvalidError } from '../../core/errors.ts';
import type { ConsoleInterface, DriverContext } from '../base.ts';
import { IpmiBase } from './common.ts';
import { IPMI_CONSOLE_PROPERTIES, ipmitoolConnectionArgs, type IpmiDriverInfo } from './driver-info.ts';
import type { Ipmitool } from './ipmitool.ts';

/** Ironic's [console] options used here. */
export interface ConsoleOptions {
  /** [console] port_range "start:stop" (none by default). */
  portRange?: string;
  /** [console] socat_address (Ironic: $my_ip; Ingot: 127.0.0.1). */
  socatAddress: string;
  /** [console] terminal (shellinaboxd). */
  terminal: string;
  /** [console] terminal_cert_dir (none: plain HTTP). */
  terminalCertDir?: string;
  /** [console] terminal_timeout (600 s; 0 = none). */
  terminalTimeoutS: number;
  /** [console] subprocess_timeout (10 s). */
  subprocessTimeoutS: number;
  /** Host named in shellinabox URLs (Ironic's my_ip). */
  myIp: string;
}

export const DEFAULT_CONSOLE_OPTIONS: ConsoleOptions = {
  socatAddress: '127.0.0.1', terminal: 'shellinaboxd', terminalTimeoutS: 600, subprocessTimeoutS: 10, myIp: '127.0.0.1',
};

/** Is `program` runnable (a path, or a name found in PATH)? */
export function findProgram(program: string): string | null {
  const candidates = program.includes('/') ? [program] : (process.env.PATH ?? '').split(delimiter).filter(Boolean).map((d) => join(d, program));
  for (const c of candidates) {
    try { accessSync(c, fsConstants.X_OK); return c; } catch { /* next */ }
  }
  return null;
}

interface Running { child: ChildProcess; pwFile: string; pidFile: string; kind: 'socat' | 'shellinabox' }

/** The console processes of this conductor and its allocated ports. */
export class IpmiConsoles {
  readonly options: ConsoleOptions;
  readonly running = new Map<string, Running>();
  readonly allocated = new Set<number>();

  constructor(readonly tool: Ipmitool, options: Partial<ConsoleOptions> = {}) {
    this.options = { ...DEFAULT_CONSOLE_OPTIONS, ...options };
  }

  /** Ironic's acquire_port: the first port of the range not allocated and free to bind. */
  async acquirePort(host: string): Promise<number> {
    const m = /^(\d+):(\d+)$/.exec(this.options.portRange ?? '');
    const start = Number(m?.[1]); const stop = Number(m?.[2]);
    if (!m || start >= stop) throw new InvalidError('[console]port_range should be in the format <start>:<stop> and start < stop');
    for (let port = start; port < stop; port++) {
      if (this.allocated.has(port)) continue;
      const free = await new Promise<boolean>((resolve) => {
        const s = createServer();
        s.once('error', () => resolve(false));
        s.listen(port, host, () => s.close(() => resolve(true)));
      });
      if (free) { this.allocated.add(port); return port; }
    }
    throw new DriverError(`Unable to allocate a free port on host ${host} for IPMI terminal, not enough free ports.`, { reason: 'no_free_terminal_port' });
  }

  async stopProcess(uuid: string): Promise<void> {
    const r = this.running.get(uuid);
    this.running.delete(uuid);
    if (!r) return;
    let pid = r.child.pid;
    if (r.kind === 'shellinabox' && existsSync(r.pidFile)) pid = Number(readFileSync(r.pidFile, 'utf8').trim()) || pid;
    const alive = (): boolean => { try { process.kill(pid!, 0); return true; } catch { return false; } };
    if (pid && alive()) {
      process.kill(pid, 'SIGTERM');
      for (let i = 0; i < 10 && alive(); i++) await new Promise((res) => setTimeout(res, 100));
      if (alive()) process.kill(pid, 'SIGKILL');
    }
    await unlink(r.pwFile).catch(() => undefined);
    await unlink(r.pidFile).catch(() => undefined);
  }

  async close(): Promise<void> {
    await Promise.all([...this.running.keys()].map((u) => this.stopProcess(u)));
  }
}

abstract class IpmiConsole extends IpmiBase implements ConsoleInterface {
  protected abstract readonly kind: 'socat' | 'shellinabox';

  constructor(protected readonly consoles: IpmiConsoles) { super(consoles.tool); }

  override properties(): Readonly<Record<string, string>> { return { ...IPMI_CONSOLE_PROPERTIES }; }

  protected abstract program(): string;

  override async validate(ctx: DriverContext): Promise<void> {
    const info = await this.info(ctx);
    if (!info.terminalPort && this.consoles.options.portRange === undefined) {
      throw new InvalidError("Either missing 'ipmi_terminal_port' parameter in node's driver_info or [console]port_range is not configured");
    }
    if (info.protocolVersion !== '2.0') {
      throw new InvalidError("Serial over lan only works with IPMI protocol version 2.0. Check the 'ipmi_protocol_version' parameter in node's driver_info");
    }
    if (!findProgram(this.program())) {
      throw new InvalidError(`The ${this.name} console needs '${this.program()}', which is not installed on this conductor `
        + `(install the Debian package ${this.kind === 'socat' ? 'socat' : 'shellinabox'}).`);
    }
  }

  async startConsole(ctx: DriverContext): Promise<void> {
    await this.validate(ctx);
    await this.releasePort(ctx);
    const info = await this.info(ctx);
    let allocated: number | null = null;
    if (!info.terminalPort || (ctx.node.driver_internal_info as Record<string, unknown>).allocated_ipmi_terminal_port === info.terminalPort) {
      allocated = info.terminalPort = await this.consoles.acquirePort(this.kind === 'socat' ? this.consoles.options.socatAddress : '0.0.0.0');
      ctx.setInternalInfo({ allocated_ipmi_terminal_port: allocated });
    }
    try {
      await this.launch(ctx, info, info.terminalPort);
    } catch (err) {
      if (allocated !== null) {
        this.consoles.allocated.delete(allocated);
        ctx.setInternalInfo({ allocated_ipmi_terminal_port: null });
      }
      throw err;
    }
  }

  private async launch(ctx: DriverContext, info: IpmiDriverInfo, port: number): Promise<void> {
    await this.consoles.tool.exec(ctx, info, 'sol deactivate', { okExitCodes: [0, 1] });
    try {
      await this.consoles.tool.exec(ctx, info, 'sol info');
    } catch (err) {
      throw new DriverError(`Cannot start the serial console of node ${ctx.node.uuid}: the BMC does not offer Serial-over-LAN `
        + `(${(err as Error).message})`, { reason: 'no_sol' });
    }
    await this.consoles.stopProcess(ctx.node.uuid);
    const pwFile = join(this.tool.options.tempDir, `${ctx.node.uuid}.pw`);
    const pidFile = join(this.tool.options.tempDir, `${ctx.node.uuid}.pid`);
    await unlink(pwFile).catch(() => undefined);
    await unlink(pidFile).catch(() => undefined);
    try {
      await writeFile(pwFile, info.password || '\0', { mode: 0o600, flag: 'wx' });
    } catch (err) {
      throw new DriverError(`Failed to create the password file. ${(err as Error).message}`, { reason: 'ipmi_password_file' });
    }
    const ipmiCmd = [this.tool.options.ipmitoolPath, ...ipmitoolConnectionArgs(info, this.tool.options.debug), '-f', pwFile, 'sol', 'activate'].join(' ');
    try {
      await this.run(ctx.node.uuid, this.args(port, ipmiCmd, pidFile), pwFile, pidFile);
    } catch (err) {
      await unlink(pwFile).catch(() => undefined);
      throw err;
    }
  }

  async stopConsole(ctx: DriverContext): Promise<void> {
    try {
      await this.consoles.stopProcess(ctx.node.uuid);
    } finally {
      await unlink(join(this.tool.options.tempDir, `${ctx.node.uuid}.pw`)).catch(() => undefined);
    }
    if (this.kind === 'socat') await this.consoles.tool.exec(ctx, await this.info(ctx), 'sol deactivate', { okExitCodes: [0, 1] });
    await this.releasePort(ctx);
  }

  protected abstract args(port: number, ipmiCmd: string, pidFile: string): string[];
  abstract getConsole(ctx: DriverContext): Promise<{ type: string; url: string }>;

  private async releasePort(ctx: DriverContext): Promise<void> {
    const port = (ctx.node.driver_internal_info as Record<string, unknown>).allocated_ipmi_terminal_port;
    if (typeof port === 'number') {
      this.consoles.allocated.delete(port);
      ctx.setInternalInfo({ allocated_ipmi_terminal_port: null });
    }
  }

  /** Starts the program and waits (subprocess_timeout) until it runs, as console_utils does. */
  private async run(uuid: string, args: string[], pwFile: string, pidFile: string): Promise<void> {
    const program = this.program();
    const child = spawn(program, args, { stdio: ['ignore', 'ignore', 'pipe'], detached: false });
    let stderr = '';
    child.stderr!.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
    let exit: { code: number | null; signal: string | null; error?: string } | null = null;
    child.once('error', (e) => { exit = { code: null, signal: null, error: e.message }; });
    child.once('exit', (code, signal) => { exit ??= { code, signal }; });
    const command = [program, ...args].join(' ');
    const deadline = Date.now() + this.consoles.options.subprocessTimeoutS * 1000;
    for (;;) {
      await new Promise((r) => setTimeout(r, 100));
      const done = exit as { code: number | null; signal: string | null; error?: string } | null;
      const daemonized = this.kind === 'shellinabox' && done?.code === 0 && existsSync(pidFile);
      if (daemonized || (this.kind === 'socat' && !done && existsSync(pidFile))) break;
      if (done) {
        throw new DriverError(`Console subprocess failed to start. Command: ${command}.\nExit code: ${done.error ?? done.code ?? done.signal}.\nStderr: ${JSON.stringify(stderr.trim())}`,
          { reason: 'console_subprocess' });
      }
      if (Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new DriverError(`Console subprocess failed to start. Timeout while waiting for console subprocess to start for node ${uuid}.`, { reason: 'console_subprocess' });
      }
    }
    this.consoles.running.set(uuid, { child, pwFile, pidFile, kind: this.kind });
  }
}

export class IpmiSocatConsole extends IpmiConsole {
  override readonly name = 'ipmitool-socat';
  protected readonly kind = 'socat' as const;
  protected program(): string { return 'socat'; }

  protected args(port: number, ipmiCmd: string, pidFile: string): string[] {
    const o = this.consoles.options;
    const listen = isIPv6(o.socatAddress)
      ? `TCP6-LISTEN:${port},bind=[${o.socatAddress}],reuseaddr,fork,max-children=1`
      : `TCP4-LISTEN:${port},bind=${o.socatAddress},reuseaddr,fork,max-children=1`;
    return [...(o.terminalTimeoutS > 0 ? [`-T${o.terminalTimeoutS}`] : []), `-L${pidFile}`, listen, `EXEC:"${ipmiCmd}",pty,stderr`];
  }

  async getConsole(ctx: DriverContext): Promise<{ type: string; url: string }> {
    const info: IpmiDriverInfo = await this.info(ctx);
    const host = this.consoles.options.socatAddress;
    return { type: 'socat', url: `tcp://${isIPv6(host) ? `[${host}]` : host}:${info.terminalPort}` };
  }
}

export class IpmiShellinaboxConsole extends IpmiConsole {
  override readonly name = 'ipmitool-shellinabox';
  protected readonly kind = 'shellinabox' as const;
  protected program(): string { return this.consoles.options.terminal; }

  protected args(port: number, ipmiCmd: string, pidFile: string): string[] {
    const o = this.consoles.options;
    const uid = process.getuid?.() ?? 0; const gid = process.getgid?.() ?? 0;
    return [...(o.terminalCertDir ? ['-c', o.terminalCertDir] : ['-t']), '-p', String(port), `--background=${pidFile}`, '-s', `/:${uid}:${gid}:HOME:${ipmiCmd}`];
  }

  async getConsole(ctx: DriverContext): Promise<{ type: string; url: string }> {
    const info = await this.info(ctx);
    const host = this.consoles.options.myIp;
    return { type: 'shellinabox', url: `${this.consoles.options.terminalCertDir ? 'https' : 'http'}://${isIPv6(host) ? `[${host}]` : host}:${info.terminalPort}` };
  }
}
