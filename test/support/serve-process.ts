/**
 * `ingot serve` as a real child process for cross-process tests: a free port, the given
 * data dir and environment; `kill9` and `stop` (SIGTERM) end it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => resolve(typeof a === 'object' && a ? a.port : 0));
    });
  });
}

export interface ServeProcess { proc: ChildProcess; url: string; output: () => string }

/** Start `ingot serve` and wait (60 s at most) until GET / answers. */
export async function serveProcess(dataDir: string, env: Record<string, string> = {}): Promise<ServeProcess> {
  const port = await freePort();
  const proc = spawn(process.execPath, ['bin/ingot.mjs', 'serve', '--host', '127.0.0.1', '--port', String(port), '--data-dir', dataDir], {
    cwd: ROOT, env: { ...process.env, INGOT_LOG_LEVEL: 'warn', INGOT_SYNC_POWER_STATE_INTERVAL: '0', ...env }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout!.on('data', (d) => { out += String(d); });
  proc.stderr!.on('data', (d) => { out += String(d); });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (proc.exitCode !== null) throw new Error(`ingot serve exited with ${proc.exitCode}: ${out}`);
    try {
      if ((await fetch(`${url}/`)).ok) return { proc, url, output: () => out };
    } catch { /* not listening yet */ }
    await new Promise((r) => setTimeout(r, 200));
  }
  proc.kill('SIGKILL');
  throw new Error(`ingot serve did not answer within 60 s: ${out}`);
}

/** Send `signal` and wait for the exit (SIGKILL after 15 s). */
export function stopProcess(s: ServeProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
  return new Promise((resolve) => {
    if (s.proc.exitCode !== null || s.proc.signalCode !== null) return resolve(s.proc.exitCode);
    const t = setTimeout(() => s.proc.kill('SIGKILL'), 15_000);
    s.proc.once('exit', (code) => { clearTimeout(t); resolve(code); });
    s.proc.kill(signal);
  });
}

/** One REST call to `s` at API `version`; the body parsed as JSON (null when empty). */
export async function call(s: ServeProcess, method: string, path: string, body?: unknown, version = '1.82'): Promise<{ status: number; body: any }> {
  const r = await fetch(`${s.url}${path}`, {
    method, headers: { 'x-openstack-ironic-api-version': version, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await r.text();
  return { status: r.status, body: text ? JSON.parse(text) : null };
}
