/**
 * `startIpmiLab`: an IPMI BMC (RMCP+ over UDP) for each lab machine, next to its Redfish
 * BMC and driving the same `LabMachine`.
 *
 * Each BMC is a child process: `/usr/bin/python3 bmc.py` on Debian's python3-pyghmi, as
 * virtualbmc runs one pyghmi BMC per domain. It forwards every request to the control API
 * (control.ts) this module starts. The lab owns the processes: `close()` ends them, and
 * `pause(i)` / `resume(i)` stop and continue one (SIGSTOP/SIGCONT), the "BMC stopped
 * answering" fault: its UDP port stays bound but nothing answers.
 *
 * Ports: machine i listens on `basePort + i` (virtualbmc's 6230 by default); `basePort: 0`
 * lets the system pick a free port for each (tests).
 *
 * @module
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { LabMachine } from '../redfish/machine.ts';
import { startIpmiControl, type IpmiControlState } from './control.ts';

export const BMC_SCRIPT = fileURLToPath(new URL('./bmc.py', import.meta.url));
/** Debian's Python (the one python3-pyghmi installs into). */
export const DEBIAN_PYTHON = '/usr/bin/python3';
export const DEFAULT_IPMI_BASE_PORT = 6230;

export interface IpmiLabOptions {
  machines: readonly LabMachine[];
  /** Listen address of the BMCs (default 127.0.0.1). */
  host?: string;
  /** Machine i listens on basePort + i; 0 = a free port each (default 6230). */
  basePort?: number;
  /** Accepted credentials (default `{ admin: 'password' }`). */
  users?: Record<string, string>;
  /** Python interpreter with pyghmi (default /usr/bin/python3). */
  python?: string;
  /** Longest wait for a BMC process to bind its port (default 15 s). */
  startTimeoutMs?: number;
}

export interface IpmiBmc {
  /** Machine position in the lab. */
  position: number;
  machineId: string;
  host: string;
  port: number;
  pid: number;
}

export interface IpmiLab extends AsyncDisposable {
  bmcs: IpmiBmc[];
  /** What the BMCs asked of the lab (BMC resets, request counts). */
  control: IpmiControlState;
  /** driver_info for machine `i` (ipmi_address, ipmi_port, ipmi_username, ipmi_password). */
  driverInfo(i: number): Record<string, string | number>;
  /** Stop answering (SIGSTOP) / answer again (SIGCONT). */
  pause(i: number): void;
  resume(i: number): void;
  close(): Promise<void>;
}

interface Proc { child: ChildProcess; stderr: string[]; exited: Promise<void>; paused: boolean }

function startBmc(python: string, args: string[], timeoutMs: number): Promise<{ proc: Proc; port: number }> {
  // stdin stays open: the BMC exits at its end of file, i.e. when this process is gone.
  const child = spawn(python, [BMC_SCRIPT, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  const stderr: string[] = [];
  child.stderr!.setEncoding('utf8').on('data', (d: string) => { stderr.push(d); if (stderr.length > 50) stderr.shift(); });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const proc: Proc = { child, stderr, exited, paused: false };
  return new Promise((resolve, reject) => {
    let out = '';
    const fail = (why: string): void => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      const hint = /No module named 'pyghmi'/.test(stderr.join('')) ? ' (install the Debian package python3-pyghmi)' : '';
      reject(new Error(`ipmi lab: the BMC process (${python} ${BMC_SCRIPT}) ${why}${hint}: ${stderr.join('').trim().slice(-800)}`));
    };
    const timer = setTimeout(() => fail(`did not start within ${timeoutMs} ms`), timeoutMs);
    child.once('error', (e) => fail(`could not be started: ${e.message}`));
    const early = (code: number | null, sig: string | null): void => fail(`exited (${sig ?? code}) before it was ready`);
    child.once('exit', early);
    child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      const m = /READY (\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        child.removeListener('exit', early);
        resolve({ proc, port: Number(m[1]) });
      }
    });
  });
}

async function stop(p: Proc): Promise<void> {
  if (p.child.exitCode !== null || p.child.signalCode !== null) return;
  if (p.paused) p.child.kill('SIGCONT');
  p.child.kill('SIGTERM');
  const t = setTimeout(() => p.child.kill('SIGKILL'), 2000);
  await p.exited;
  clearTimeout(t);
}

export async function startIpmiLab(opts: IpmiLabOptions): Promise<IpmiLab> {
  const host = opts.host ?? '127.0.0.1';
  const base = opts.basePort ?? DEFAULT_IPMI_BASE_PORT;
  const users = opts.users ?? { admin: 'password' };
  const python = opts.python ?? DEBIAN_PYTHON;
  const control = await startIpmiControl(opts.machines);
  const procs: Proc[] = [];
  const bmcs: IpmiBmc[] = [];
  try {
    const started = await Promise.all(opts.machines.map((_, i) => startBmc(python, [
      '--control', `${control.url}/machines/${i}`, '--port', String(base === 0 ? 0 : base + i), '--address', host, '--name', opts.machines[i]!.id,
      ...Object.entries(users).flatMap(([u, pw]) => ['--user', `${u}:${pw}`]),
    ], opts.startTimeoutMs ?? 15_000).then((r) => { procs[i] = r.proc; return r; })));
    started.forEach((s, i) => bmcs.push({ position: i, machineId: opts.machines[i]!.id, host, port: s.port, pid: s.proc.child.pid! }));
  } catch (err) {
    await Promise.all(procs.filter(Boolean).map(stop));
    await control.close();
    throw err;
  }
  const [user, password] = Object.entries(users)[0] ?? ['', ''];
  let closed: Promise<void> | null = null;
  const proc = (i: number): Proc => {
    const p = procs[i];
    if (!p) throw new Error(`ipmi lab: no BMC for machine ${i}`);
    return p;
  };
  const lab: IpmiLab = {
    bmcs,
    control: control.state,
    driverInfo: (i) => ({ ipmi_address: host, ipmi_port: bmcs[i]!.port, ipmi_username: user, ipmi_password: password }),
    pause(i) { const p = proc(i); p.child.kill('SIGSTOP'); p.paused = true; },
    resume(i) { const p = proc(i); p.child.kill('SIGCONT'); p.paused = false; },
    close() {
      closed ??= (async () => {
        await Promise.all(procs.map(stop));
        await control.close();
      })();
      return closed;
    },
    [Symbol.asyncDispose]() { return lab.close(); },
  };
  return lab;
}
