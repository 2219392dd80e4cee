/**
 * SIGTERM of `ingot serve` with jobs running: the conductor drains for
 * INGOT_GRACEFUL_SHUTDOWN_TIMEOUT, then aborts the jobs, fails their nodes with a
 * last_error saying so and releases the locks; the process exits 0. After a restart the
 * nodes are failed and unlocked, not stuck mid-flight.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { call, serveProcess, stopProcess, type ServeProcess } from '../support/serve-process.ts';


test('SIGTERM mid-flight: drain, then running jobs fail with a last_error and no lock; exit 0', { timeout: 180_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ingot-shutdown-'));
  const env = { INGOT_CONDUCTOR_HOSTNAME: 'cond-s', INGOT_GRACEFUL_SHUTDOWN_TIMEOUT: '1', INGOT_FAKE_DEPLOY_DELAY: '300' };
  let s: ServeProcess | undefined;
  try {
    s = await serveProcess(dir, env);
    const uuids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const r = await call(s, 'POST', '/v1/nodes', { driver: 'fake-hardware', name: `sd-${i}` }, '1.10');
      assert.equal(r.status, 201);
      uuids.push(r.body.uuid);
      assert.equal((await call(s, 'PUT', `/v1/nodes/${r.body.uuid}/states/provision`, { target: 'active' })).status, 202);
    }
    assert.equal(await stopProcess(s), 0, s.output());
    s = await serveProcess(dir, env);
    for (const u of uuids) {
      const n: any = (await call(s, 'GET', `/v1/nodes/${u}`)).body;
      assert.equal(n.provision_state, 'deploy failed');
      assert.equal(n.reservation, null);
      assert.match(n.last_error, /^Conductor cond-s shut down while node .* was in state "deploying" .*graceful_shutdown_timeout, 1 s/);
    }
    assert.equal(await stopProcess(s), 0, s.output());
    s = undefined;
  } finally {
    s?.proc.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
});
