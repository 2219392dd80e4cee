/**
 * `ingot serve` as a real process: it listens, answers the REST API, stops cleanly on
 * SIGTERM, and keeps its nodes in the data dir across a restart.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const V = { 'x-openstack-ironic-api-version': '1.82', 'content-type': 'application/json' };

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => resolve(typeof a === 'object' && a ? a.port : 0));
    });
  });
}

interface Server { proc: ChildProcess; url: string; output: () => string }

/** Start `ingot serve` and wait (60 s at most) until GET / answers. */
async function serve(dataDir: string): Promise<Server> {
  const port = await freePort();
  const proc = spawn(process.execPath, ['bin/ingot.mjs', 'serve', '--host', '127.0.0.1', '--port', String(port), '--data-dir', dataDir], {
    cwd: ROOT, env: { ...process.env, INGOT_LOG_LEVEL: 'warn', INGOT_SYNC_POWER_STATE_INTERVAL: '0', INGOT_HTTP_PORT: '0' }, stdio: ['ignore', 'pipe', 'pipe'],
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

/** SIGTERM and wait for the exit code (SIGKILL after 15 s). */
function stop(s: Server): Promise<number | null> {
  return new Promise((resolve) => {
    if (s.proc.exitCode !== null) return resolve(s.proc.exitCode);
    const t = setTimeout(() => s.proc.kill('SIGKILL'), 15_000);
    s.proc.once('exit', (code) => { clearTimeout(t); resolve(code); });
    s.proc.kill('SIGTERM');
  });
}

test('ingot serve: REST round trip, clean SIGTERM, nodes survive a restart', { timeout: 180_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ingot-serve-'));
  let s: Server | undefined;
  try {
    s = await serve(dir);
    const root = await (await fetch(`${s.url}/`)).json() as { default_version: { version: string; min_version: string } };
    assert.equal(root.default_version.min_version, '1.1');
    assert.match(root.default_version.version, /^1\.\d+$/);

    const created = await fetch(`${s.url}/v1/nodes`, { method: 'POST', headers: V, body: JSON.stringify({ driver: 'fake-hardware', name: 'serve-it' }) });
    assert.equal(created.status, 201);
    const node = await created.json() as { uuid: string; provision_state: string; name: string };
    assert.equal(node.provision_state, 'enroll');
    assert.equal(created.headers.get('location'), `${s.url}/v1/nodes/${node.uuid}`);

    const bad = await fetch(`${s.url}/v1/nodes`, { method: 'POST', headers: V, body: '{"driver": ' });
    assert.equal(bad.status, 400);
    assert.ok(JSON.parse((await bad.json() as { error_message: string }).error_message).faultstring);

    assert.equal(await stop(s), 0, s.output());
    s = await serve(dir);
    const shown = await fetch(`${s.url}/v1/nodes/serve-it`, { headers: V });
    assert.equal(shown.status, 200);
    assert.equal((await shown.json() as { uuid: string }).uuid, node.uuid);
    assert.equal(await stop(s), 0, s.output());
    s = undefined;
  } finally {
    if (s) s.proc.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
});
