/**
 * `Ipmitool`: how the ipmitool interfaces run Debian's `ipmitool` (Ironic's _exec_ipmitool
 * and friends). One instance is shared by all of them (like `RedfishConnectionCache` for
 * redfish), created in bin/service.ts from the `[ipmi]` options.
 *
 * Contracts:
 * - Every call is its own `ipmitool` child process. The password goes through a file
 *   (`-f FILE`, mode 0600, in `tempDir`, removed when the process ends; a NUL byte when
 *   there is no password, so ipmitool never prompts) and never on the command line.
 * - Per BMC (address + port), attempts run one at a time and at least
 *   `minCommandIntervalS` apart (Ironic's LAST_CMD_TIME, made a queue so that two tasks
 *   cannot both decide it is their turn). Different BMCs never wait for each other.
 * - Retries as Ironic: while `commandRetryTimeoutS` lasts and at most
 *   timeout / interval attempts; every failure is retried when Ingot does the retries
 *   (`useIpmitoolRetries` false), only Ironic's retryable ones ('Node busy', 'Timeout', …
 *   plus `additionalRetryableErrors`) otherwise. Deliberate difference: a BMC that refused
 *   the session (wrong password or user: "RAKP 2 HMAC is invalid", "unauthorized name")
 *   is not retried: repeating cannot succeed and locks accounts on real BMCs.
 * - `killOnTimeout`: an ipmitool still running when the retry window closes is killed
 *   (Ironic applies it to power status and sensor reads; here to every call, so that no
 *   job outlives the window), so a silent BMC fails within about `commandRetryTimeoutS`.
 * - ipmitool always gets `-v`: its session diagnostics ("RAKP 2 HMAC is invalid", "no
 *   response from RAKP 1 message") go to stderr and tell a refused session from a silent
 *   BMC; stdout (what the interfaces parse) is unchanged.
 * - Failures are `DriverError`s "IPMI call failed: <command>. <what happened and what to
 *   check>" (Ironic's IPMIFailure text, then the reason).
 * - A missing ipmitool is reported by `support()` (validate) as an `InvalidError`.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { open, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DriverError, InvalidError } from '../../core/errors.ts';
import type { DriverContext } from '../base.ts';
import { bmcLabel, ipmitoolConnectionArgs, type IpmiDriverInfo, type IpmitoolSupport } from './driver-info.ts';

/** The `[ipmi]` options (Ironic's names in comments) and the waits the interfaces use. */
export interface IpmiOptions {
  /** The ipmitool program (default `ipmitool`, looked up in PATH). Ingot's own option. */
  ipmitoolPath: string;
  /** [ipmi] min_command_interval (5 s). */
  minCommandIntervalS: number;
  /** [ipmi] command_retry_timeout (60 s). */
  commandRetryTimeoutS: number;
  /** [ipmi] use_ipmitool_retries (false). */
  useIpmitoolRetries: boolean;
  /** [ipmi] kill_on_timeout (true). */
  killOnTimeout: boolean;
  /** [ipmi] disable_boot_timeout (true). */
  disableBootTimeout: boolean;
  /** [ipmi] additional_retryable_ipmi_errors ([]). */
  additionalRetryableErrors: string[];
  /** [ipmi] debug (false): also log every ipmitool command line (without the password). */
  debug: boolean;
  /** Where password files are written (Ironic's [DEFAULT] tempdir; default the OS temp dir). */
  tempDir: string;
  /** [conductor] power_state_change_timeout (60 s). */
  powerTimeoutS: number;
  /** [conductor] soft_power_off_timeout (600 s). */
  softPowerTimeoutS: number;
  /** [deploy] default_boot_mode ('uefi'). */
  defaultBootMode: 'uefi' | 'bios';
}

export const DEFAULT_IPMI_OPTIONS: IpmiOptions = {
  ipmitoolPath: 'ipmitool', minCommandIntervalS: 5, commandRetryTimeoutS: 60, useIpmitoolRetries: false,
  killOnTimeout: true, disableBootTimeout: true, additionalRetryableErrors: [], debug: false, tempDir: tmpdir(),
  powerTimeoutS: 60, softPowerTimeoutS: 600, defaultBootMode: 'uefi',
};

/** Ironic's IPMITOOL_RETRYABLE_FAILURES (texts ipmitool prints for these completion codes). */
export const RETRYABLE_FAILURES = ['insufficient resources for session', 'Node busy', 'Timeout', 'Out of space', 'BMC initialization in progress'];
/** The BMC answered and refused the session: credentials, privilege or Kg key. */
const REFUSED = /RAKP 2 HMAC is invalid|RAKP 4 message has invalid integrity check|unauthorized name|invalid (user )?name|invalid role|unauthorized role|insufficient privilege|invalid integrity check value|inactive session/i;
/** Nothing (useful) came back from the BMC. */
const NO_ANSWER = /no response from RAKP|Get Auth Capabilities error|No response from remote controller|Get Channel Authentication Capabilities|Unable to establish/i;
const NOISE = /^(Loading IANA PEN Registry|Using best available cipher suite|Running Get VSO|Invalid completion code received: Invalid command|Discovered IPMB address|$)/;

export interface ExecResult { stdout: string; stderr: string }
export interface ExecOptions {
  /** Exit codes that count as success (Ironic's check_exit_code; default [0]). */
  okExitCodes?: number[];
}

interface Attempt { code: number | null; stdout: string; stderr: string; killed: boolean; spawnError?: NodeJS.ErrnoException }
interface Lane { tail: Promise<void>; last: number }

const sleep = (ms: number, signal: AbortSignal): Promise<void> => new Promise((resolve, reject) => {
  if (signal.aborted) { reject(signal.reason); return; }
  const t = setTimeout(() => { signal.removeEventListener('abort', onAbort); resolve(); }, ms);
  const onAbort = (): void => { clearTimeout(t); reject(signal.reason); };
  signal.addEventListener('abort', onAbort, { once: true });
});

/** The diagnostic lines of ipmitool's stderr (verbose chatter removed), joined. */
export function ipmitoolReason(stderr: string, stdout = ''): string {
  const lines = `${stderr}\n${stdout}`.split('\n').map((l) => l.replace(/^>\s*/, '').trim()).filter((l) => !NOISE.test(l));
  return [...new Set(lines)].slice(-3).join('; ');
}

export class Ipmitool {
  readonly options: IpmiOptions;
  private readonly lanes = new Map<string, Lane>();
  private supportCache: IpmitoolSupport | undefined;

  constructor(options: Partial<IpmiOptions> = {}) {
    this.options = { ...DEFAULT_IPMI_OPTIONS, ...options };
  }

  /**
   * Which options the installed ipmitool supports (Ironic's _check_option_support, run
   * once). Throws `InvalidError` when no usable ipmitool can be run.
   */
  async support(): Promise<IpmitoolSupport> {
    if (this.supportCache) return this.supportCache;
    const probe = async (args: string[]): Promise<boolean> => {
      const r = await this.spawnOnce(args, 10_000);
      if (r.spawnError) {
        const why = r.spawnError.code === 'ENOENT' ? `'${this.options.ipmitoolPath}' was not found (PATH=${process.env.PATH ?? ''})` : r.spawnError.message;
        throw new InvalidError('Unable to locate usable ipmitool command in the system path when checking ipmitool version: '
          + `${why}. Install the Debian package ipmitool on the conductor, or set INGOT_IPMITOOL_PATH.`);
      }
      return r.code === 0;
    };
    const timing = await probe(['-N', '0', '-R', '0', '-h']);
    const single = await probe(['-m', '0', '-b', '0', '-t', '0', '-h']);
    const dual = await probe(['-m', '0', '-b', '0', '-t', '0', '-B', '0', '-T', '0', '-h']);
    this.supportCache = { timing, single_bridge: single, dual_bridge: dual };
    return this.supportCache;
  }

  /** Ironic's _ipmitool_timing_args (-N takes whole seconds, at least 1). */
  private timingArgs(support: IpmitoolSupport): string[] {
    if (!support.timing) return [];
    const o = this.options;
    const interval = Math.max(1, Math.round(o.minCommandIntervalS));
    if (!o.useIpmitoolRetries) return ['-R', '1', '-N', String(interval)];
    let tries = 0; let duration = 0; let step = interval;
    while (duration + step <= o.commandRetryTimeoutS) { duration += step; step += 1; tries += 1; }
    return ['-R', String(tries), '-N', String(interval)];
  }

  /**
   * Run `ipmitool <connection args> <command>` against the node's BMC, with Ironic's
   * serialization, interval and retries. Resolves with stdout/stderr; throws DriverError.
   */
  async exec(ctx: DriverContext, info: IpmiDriverInfo, command: string, opts: ExecOptions = {}): Promise<ExecResult> {
    const o = this.options;
    const support = await this.support();
    const args = [...ipmitoolConnectionArgs(info, true), ...this.timingArgs(support)];
    const label = bmcLabel(info);
    const start = Date.now();
    const end = start + o.commandRetryTimeoutS * 1000;
    let tries = Math.max(Math.floor(o.commandRetryTimeoutS / Math.max(o.minCommandIntervalS, 0.001)), 1);
    let attempts = 0;
    for (;;) {
      tries -= 1;
      attempts += 1;
      const r = await this.inLane(label, ctx, command, () => {
        const killMs = o.killOnTimeout ? Math.max(1000, end - Date.now()) : undefined;
        return this.withPasswordFile(info.password, (pwFile) => {
          if (o.debug) ctx.logger.debug({ node: info.uuid, cmd: ['ipmitool', ...args, '-f', pwFile, ...command.split(' ')].join(' ') }, 'ipmitool');
          return this.spawnOnce([...args, '-f', pwFile, ...command.split(' ')], killMs);
        });
      });
      if (r.spawnError) throw this.failure(command, `ipmitool could not be run: ${r.spawnError.message}. Install the Debian package ipmitool, or set INGOT_IPMITOOL_PATH.`, 'ipmitool_missing');
      if (!r.killed && r.code !== null && (opts.okExitCodes ?? [0]).includes(r.code)) return { stdout: r.stdout, stderr: r.stderr };

      const text = `${r.stderr}\n${r.stdout}`;
      const reason = ipmitoolReason(r.stderr, r.stdout) || `exit code ${r.code}`;
      const refused = !RETRYABLE_FAILURES.some((x) => text.includes(x)) && REFUSED.test(text);
      const retryable = [...RETRYABLE_FAILURES, ...o.additionalRetryableErrors].some((x) => text.includes(x));
      const retry = !refused && (retryable || !o.useIpmitoolRetries);
      if (Date.now() > end || tries <= 0 || !retry || ctx.signal.aborted) {
        const secs = ((Date.now() - start) / 1000).toFixed(1);
        if (refused) {
          throw this.failure(command, `The BMC at ${label} refused the IPMI session (${reason}): check ipmi_username, ipmi_password and ipmi_priv_level`
            + ' (and ipmi_hex_kg_key / ipmi_cipher_suite when set) in the node\'s driver_info.', 'ipmi_session_refused');
        }
        if (r.killed) {
          throw this.failure(command, `ipmitool did not finish within the [ipmi] command_retry_timeout (${o.commandRetryTimeoutS} s) and was killed `
            + `after ${attempts} attempt(s) in ${secs} s: the BMC at ${label} does not answer; check that it is powered and reachable.`, 'ipmi_timeout', true);
        }
        if (NO_ANSWER.test(text)) {
          throw this.failure(command, `The BMC at ${label} did not answer (${reason}) after ${attempts} attempt(s) in ${secs} s: `
            + 'check that it is powered and reachable over UDP, and ipmi_address / ipmi_port in the node\'s driver_info.', 'ipmi_no_answer', true);
        }
        throw this.failure(command, `ipmitool failed against the BMC at ${label} after ${attempts} attempt(s): ${reason}.`, 'ipmi_failure', retryable);
      }
      ctx.logger.warn({ node: info.uuid, cmd: command, attempt: attempts, error: reason }, 'IPMI error encountered, retrying');
    }
  }

  private failure(command: string, detail: string, reason: string, retryable = false): DriverError {
    return new DriverError(`IPMI call failed: ${command}. ${detail}`, { reason, retryable });
  }

  /** Runs `fn` as the next attempt on this BMC: after the previous one, and the minimum interval after it. */
  private async inLane<T>(key: string, ctx: DriverContext, command: string, fn: () => Promise<T>): Promise<T> {
    let lane = this.lanes.get(key);
    if (!lane) { lane = { tail: Promise.resolve(), last: 0 }; this.lanes.set(key, lane); }
    const prev = lane.tail;
    let release!: () => void;
    lane.tail = new Promise<void>((r) => { release = r; });
    try {
      await prev;
      const wait = lane.last + this.options.minCommandIntervalS * 1000 - Date.now();
      try {
        if (wait > 0) await sleep(wait, ctx.signal);
        else if (ctx.signal.aborted) throw ctx.signal.reason;
      } catch {
        throw new DriverError(`IPMI call failed: ${command}. The operation on node ${ctx.node.uuid} was aborted.`, { reason: 'aborted', retryable: true });
      }
      try { return await fn(); } finally { lane.last = Date.now(); }
    } finally {
      release();
    }
  }

  private async withPasswordFile<T>(password: string, fn: (path: string) => Promise<T>): Promise<T> {
    const path = join(this.options.tempDir, `ingot-ipmi-${randomBytes(8).toString('hex')}.pw`);
    let fh;
    try {
      fh = await open(path, 'wx', 0o600);
      await fh.writeFile(password || '\0');
    } catch (err) {
      await fh?.close().catch(() => undefined);
      await unlink(path).catch(() => undefined);
      throw new DriverError(`Failed to create the password file. ${(err as Error).message}`, { reason: 'ipmi_password_file' });
    }
    await fh.close();
    try { return await fn(path); } finally { await unlink(path).catch(() => undefined); }
  }

  /** One ipmitool process; killed (SIGKILL) after `killMs` when given. */
  private spawnOnce(args: string[], killMs?: number): Promise<Attempt> {
    return new Promise((resolve) => {
      const child = spawn(this.options.ipmitoolPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LC_ALL: 'C' } });
      let stdout = ''; let stderr = ''; let killed = false;
      child.stdout.setEncoding('utf8').on('data', (d: string) => { stdout += d; });
      child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
      const timer = killMs === undefined ? undefined : setTimeout(() => { killed = true; child.kill('SIGKILL'); }, killMs);
      child.once('error', (spawnError: NodeJS.ErrnoException) => {
        if (timer) clearTimeout(timer);
        resolve({ code: null, stdout, stderr, killed, spawnError });
      });
      child.once('close', (code) => {
        if (timer) clearTimeout(timer);
        resolve({ code, stdout, stderr, killed });
      });
    });
  }
}
