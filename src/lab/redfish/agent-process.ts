/**
 * The `ingot agent` child process of a booted lab machine.
 *
 * Started as `<command…> agent --lab-machine FILE --port P --host H`, where `command` is how
 * to run the ingot CLI (default: `labAgentCommand()`); output goes
 * to the machine's `agent.log`. `stop()` sends SIGTERM, then SIGKILL after `stopTimeoutMs`,
 * and resolves once the process is gone. Only the process this module started is signalled.
 *
 * @module
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { openSync, closeSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cachedIngotBundle } from '../../agent/bundle.ts';

/** The ingot CLI of this checkout: `node bin/ingot.mjs`. */
export function defaultIngotCommand(): string[] {
  const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
  return [process.execPath, join(root, 'bin', 'ingot.mjs')];
}

/**
 * How the lab runs `ingot agent` unless told otherwise: this Node with the ingot CLI
 * bundled as the agent ramdisk has it (agent/bundle.ts, cached under the system's
 * temporary folder per state of the sources): the same code, a fraction of the start-up
 * CPU of compiling the TypeScript sources in every agent. When it cannot be bundled (no
 * esbuild) or `INGOT_LAB_AGENT_BUNDLE=0`, the checkout's bin/ingot.mjs (`note` says why).
 */
export async function labAgentCommand(note: (msg: string) => void = () => {}): Promise<string[]> {
  if (process.env.INGOT_LAB_AGENT_BUNDLE === '0') return defaultIngotCommand();
  try {
    return [process.execPath, await cachedIngotBundle(join(tmpdir(), 'ingot-agent-bundle'))];
  } catch (err) {
    note(`the agent could not be bundled (${(err as Error).message}); agents run from the TypeScript sources`);
    return defaultIngotCommand();
  }
}

/** Ports handed out recently (port → until when, ms): an agent takes a second or two to bind its own. */
const handedOut = new Map<number, number>();
const HOLD_MS = 60_000;

/**
 * A TCP port free at the time of the call on `host`, and not handed out by this process in
 * the last minute: the OS may offer a just-closed port again at once, and 16 machines
 * booting together would otherwise start two agents on one port (EADDRINUSE).
 */
export async function freePort(host: string): Promise<number> {
  const now = Date.now();
  for (const [p, until] of handedOut) if (until < now) handedOut.delete(p);
  for (let i = 0; ; i++) {
    const port = await anyFreePort(host);
    if (!handedOut.has(port) || i >= 50) {
      handedOut.set(port, now + HOLD_MS);
      return port;
    }
  }
}

function anyFreePort(host: string): Promise<number> {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.once('error', fail);
    s.listen(0, host, () => {
      const addr = s.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      s.close(() => ok(port));
    });
  });
}

export interface AgentStart {
  command: readonly string[];
  machineFile: string;
  host: string;
  port: number;
  logFile: string;
  env?: Record<string, string>;
}

export class AgentProcess {
  readonly pid: number;
  readonly argv: readonly string[];
  /** Exit code or signal, once exited. */
  exit: { code: number | null; signal: string | null } | null = null;
  readonly exited: Promise<void>;
  private readonly child: ChildProcess;

  private constructor(child: ChildProcess, argv: string[]) {
    this.child = child;
    this.argv = argv;
    this.pid = child.pid ?? -1;
    this.exited = new Promise((ok) => {
      child.once('exit', (code, signal) => { this.exit = { code, signal }; ok(); });
      child.once('error', () => { this.exit ??= { code: null, signal: null }; ok(); });
    });
  }

  /** Spawns the agent; rejects when the command cannot be started at all. */
  static async start(s: AgentStart): Promise<AgentProcess> {
    const [cmd, ...pre] = s.command;
    if (!cmd) throw new Error('no agent command');
    const argv = [...pre, 'agent', '--lab-machine', s.machineFile, '--port', String(s.port), '--host', s.host];
    const fd = openSync(s.logFile, 'a');
    try {
      const child = spawn(cmd, argv, { stdio: ['ignore', fd, fd], env: { ...process.env, ...s.env } });
      await new Promise<void>((ok, fail) => {
        child.once('spawn', ok);
        child.once('error', fail);
      });
      return new AgentProcess(child, [cmd, ...argv]);
    } finally {
      closeSync(fd);
    }
  }

  /** SIGTERM, then SIGKILL after `timeoutMs`; resolves when the process has exited. */
  async stop(timeoutMs: number): Promise<void> {
    if (this.exit) return;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => { if (!this.exit) this.child.kill('SIGKILL'); }, timeoutMs);
    await this.exited;
    clearTimeout(timer);
  }
}
