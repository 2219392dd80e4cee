/**
 * Acceptance probe of issue 7 (locks of a dead conductor): ~20 fake-hardware nodes
 * mid-flight under `ingot serve` as conductor cond-a, `kill -9`, restart as cond-b with a
 * short heartbeat timeout: once cond-a's heartbeat is older than the timeout, no node is
 * locked, none is in a state with work in flight or has a pending power change, and
 * /v1/conductors shows cond-a with alive: false.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { call, serveProcess, stopProcess, type ServeProcess } from '../support/serve-process.ts';

const IN_FLIGHT = ['deploying', 'cleaning', 'verifying', 'inspecting', 'adopting', 'rescuing', 'unrescuing', 'deleting'];


async function nodes(s: ServeProcess): Promise<any[]> {
  return (await call(s, 'GET', '/v1/nodes?fields=uuid,name,provision_state,reservation,target_power_state,last_error&limit=100')).body.nodes;
}

test('kill -9 mid-flight, restart under another name: the dead conductor\'s locks and work are cleaned up', { timeout: 240_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ingot-orphans-'));
  let a: ServeProcess | undefined;
  let b: ServeProcess | undefined;
  try {
    a = await serveProcess(dir, {
      INGOT_CONDUCTOR_HOSTNAME: 'cond-a', INGOT_HEARTBEAT_INTERVAL: '0.5',
      INGOT_FAKE_POWER_DELAY: '300', INGOT_FAKE_DEPLOY_DELAY: '300', INGOT_FAKE_INSPECT_DELAY: '300',
    });
    const act = async (uuid: string, path: string, body: unknown, version?: string) => {
      const r = await call(a!, 'PUT', `/v1/nodes/${uuid}/states/${path}`, body, version);
      assert.equal(r.status, 202, JSON.stringify(r.body));
    };
    for (let i = 0; i < 20; i++) {
      const kind = ['verify', 'deploy', 'inspect', 'power'][i % 4]!;
      const r = await call(a, 'POST', '/v1/nodes', { driver: 'fake-hardware', name: `${kind}-${i}` }, kind === 'verify' ? '1.82' : '1.10');
      assert.equal(r.status, 201, JSON.stringify(r.body));
      const uuid = r.body.uuid as string;
      if (kind === 'verify') await act(uuid, 'provision', { target: 'manage' });
      if (kind === 'deploy') await act(uuid, 'provision', { target: 'active' });
      if (kind === 'inspect') {
        await act(uuid, 'provision', { target: 'manage' });
        await act(uuid, 'provision', { target: 'inspect' });
      }
      if (kind === 'power') await act(uuid, 'power', { target: 'power on' });
    }
    const before = await nodes(a);
    assert.equal(before.filter((n) => n.reservation === 'cond-a').length, 20, JSON.stringify(before));
    assert.equal(before.filter((n) => IN_FLIGHT.includes(n.provision_state)).length, 15);
    assert.equal(before.filter((n) => n.target_power_state === 'power on').length, 5);

    await stopProcess(a, 'SIGKILL');
    a = undefined;

    b = await serveProcess(dir, {
      INGOT_CONDUCTOR_HOSTNAME: 'cond-b', INGOT_HEARTBEAT_INTERVAL: '0.5', INGOT_HEARTBEAT_TIMEOUT: '2',
      INGOT_CHECK_ORPHAN_INTERVAL: '0.5',
    });
    const deadline = Date.now() + 60_000;
    let after = await nodes(b);
    const busy = (l: any[]) => l.filter((n) => n.reservation !== null || IN_FLIGHT.includes(n.provision_state) || n.target_power_state !== null);
    while (busy(after).length && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 250));
      after = await nodes(b);
    }
    assert.deepEqual(busy(after), [], 'nodes still locked or in flight after the heartbeat timeout');
    for (const n of after) {
      if (n.name.startsWith('deploy')) {
        assert.equal(n.provision_state, 'deploy failed');
        assert.match(n.last_error, /^Conductor cond-a stopped heartbeating .* while node .* was in state "deploying"; conductor cond-b took the node over/);
      }
      if (n.name.startsWith('verify')) assert.equal(n.provision_state, 'enroll');
      if (n.name.startsWith('inspect')) assert.equal(n.provision_state, 'inspect failed');
      if (n.name.startsWith('power')) {
        assert.equal(n.provision_state, 'available');
        assert.match(n.last_error, /Pending power operation was aborted due to conductor take over/);
      }
    }
    const conductors = (await call(b, 'GET', '/v1/conductors')).body.conductors as { hostname: string; alive: boolean }[];
    assert.equal(conductors.find((c) => c.hostname === 'cond-a')?.alive, false);
    assert.equal(conductors.find((c) => c.hostname === 'cond-b')?.alive, true);
    assert.equal(await stopProcess(b), 0, b.output());
    b = undefined;
  } finally {
    a?.proc.kill('SIGKILL');
    b?.proc.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
});
