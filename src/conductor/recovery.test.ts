/**
 * Every job ends in a stable or failed state: a job that throws or stops half-way fails
 * its node; nodes left in a state with work in flight without a lock are swept; `abort`,
 * a lost lock and shutdown fire the job's signal; recovery at start and wait-state
 * timeouts fail what a dead run left behind.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startHarness, waitState, type Harness } from '../../test/support/api-harness.ts';
import { toIronicTime } from '../core/ids.ts';
import { spawnWithTask } from './deps.ts';

async function node(h: Harness, version = '1.82'): Promise<{ uuid: string; id: number }> {
  const r = await h.req('POST', '/v1/nodes', { driver: 'fake-hardware' }, { version });
  assert.equal(r.status, 201, r.text);
  const n = await h.svc.conductor.deps.nodes.getByUuid(r.body.uuid);
  return { uuid: r.body.uuid, id: n!.id };
}

async function setRow(h: Harness, id: number, values: Record<string, unknown>): Promise<void> {
  await h.svc.db.kysely.updateTable('nodes').set(values as never).where('id', '=', id).execute();
}

async function get(h: Harness, uuid: string): Promise<any> {
  return (await h.req('GET', `/v1/nodes/${uuid}`)).body;
}

test('a job that throws, or ends without leaving its state, fails its node and releases it', async () => {
  const h = await startHarness();
  try {
    const deps = h.svc.conductor.deps;
    const a = await node(h, '1.10');
    const b = await node(h, '1.10');
    const ta = await deps.tasks.acquire(a.id, 'provision deploy');
    await ta.apply('deploy');
    spawnWithTask(deps, ta, async () => { throw new Error('the BMC caught fire'); });
    const tb = await deps.tasks.acquire(b.id, 'provision deploy');
    await tb.apply('deploy');
    spawnWithTask(deps, tb, async () => { /* forgets to finish */ });
    await h.svc.conductor.idle();
    const na = await get(h, a.uuid);
    assert.equal(na.provision_state, 'deploy failed');
    assert.equal(na.reservation, null);
    assert.match(na.last_error, /the BMC caught fire/);
    const nb = await get(h, b.uuid);
    assert.equal(nb.provision_state, 'deploy failed');
    assert.equal(nb.reservation, null);
    assert.match(nb.last_error, /still in "deploying"/);
  } finally {
    await h.close();
  }
});

test('the orphan sweep fails unlocked nodes with work in flight, and leaves wait states and live locks alone', async () => {
  const h = await startHarness();
  try {
    const db = h.svc.db.kysely;
    const now = toIronicTime(new Date());
    await db.insertInto('conductors').values({ hostname: 'alive-elsewhere', conductor_group: '', online: 1, drivers: '[]', created_at: now, updated_at: now }).execute();
    const cleaning = await node(h);
    const waiting = await node(h);
    const manual = await node(h);
    const theirs = await node(h);
    const verifying = await node(h);
    await setRow(h, cleaning.id, { provision_state: 'cleaning', target_provision_state: 'available', clean_step: JSON.stringify({ step: 'erase_devices', interface: 'deploy' }) });
    await setRow(h, manual.id, { provision_state: 'cleaning', target_provision_state: 'manageable' });
    await setRow(h, waiting.id, { provision_state: 'clean wait', target_provision_state: 'available' });
    await setRow(h, theirs.id, { provision_state: 'deploying', target_provision_state: 'active', reservation: 'alive-elsewhere' });
    await setRow(h, verifying.id, { provision_state: 'verifying', target_provision_state: 'manageable' });
    const rescuing = await node(h);
    await setRow(h, rescuing.id, { provision_state: 'rescuing', target_provision_state: 'rescue', instance_info: JSON.stringify({ image_source: 'x', rescue_password: 'p', hashed_rescue_password: '$6$x$y' }) });

    await h.svc.conductor.periodics.checkOrphans();

    const c = await get(h, cleaning.uuid);
    assert.equal(c.provision_state, 'clean failed');
    assert.equal(c.target_provision_state, 'available');
    assert.equal(c.maintenance, true);
    assert.equal(c.fault, 'clean failure');
    assert.deepEqual(c.clean_step, {});
    assert.match(c.last_error, /no conductor was working on it/);
    const m = await get(h, manual.uuid);
    assert.equal(m.provision_state, 'clean failed');
    assert.equal(m.target_provision_state, 'manageable');
    assert.equal(m.maintenance, false);
    const v = await get(h, verifying.uuid);
    assert.equal(v.provision_state, 'enroll');
    assert.match(v.last_error, /"verifying"/);
    assert.equal((await get(h, waiting.uuid)).provision_state, 'clean wait');
    const rn = await h.svc.conductor.deps.nodes.getById(rescuing.id);
    assert.equal(rn?.provision_state, 'rescue failed');
    assert.deepEqual(rn?.instance_info, { image_source: 'x' });
    const t = await get(h, theirs.uuid);
    assert.equal(t.provision_state, 'deploying');
    assert.equal(t.reservation, 'alive-elsewhere');
  } finally {
    await h.close();
  }
});

test('abort of a running provisioning job fires its signal; the node ends failed and unlocked', { timeout: 20_000 }, async () => {
  const h = await startHarness({ fakeDelays: { deploy: '30' } });
  try {
    const n = await node(h, '1.10');
    assert.equal((await h.req('PUT', `/v1/nodes/${n.uuid}/states/provision`, { target: 'active' })).status, 202);
    assert.equal((await get(h, n.uuid)).provision_state, 'deploying');
    const r = await h.req('PUT', `/v1/nodes/${n.uuid}/states/provision`, { target: 'abort' });
    assert.equal(r.status, 202, r.text);
    const done = await waitState(h, n.uuid, 'deploy failed', 10_000);
    assert.equal(done.reservation, null);
    assert.match(done.last_error, /^Operation aborted by request/);
    // Without a running job here, a held node still answers 409 at once (Ironic's answer).
    await setRow(h, n.id, { provision_state: 'deploying', reservation: 'another-conductor' });
    assert.equal((await h.req('PUT', `/v1/nodes/${n.uuid}/states/provision`, { target: 'abort' })).status, 409);
  } finally {
    await h.close();
  }
});

test('a job whose lock was taken away is aborted at the next heartbeat and leaves the new holder alone', { timeout: 20_000 }, async () => {
  const h = await startHarness({ fakeDelays: { deploy: '30' } });
  try {
    const n = await node(h, '1.10');
    assert.equal((await h.req('PUT', `/v1/nodes/${n.uuid}/states/provision`, { target: 'active' })).status, 202);
    await setRow(h, n.id, { reservation: 'usurper' });
    await h.svc.conductor.periodics.heartbeat();
    await h.svc.conductor.idle();
    const after = await get(h, n.uuid);
    assert.equal(after.reservation, 'usurper');
    assert.equal(after.provision_state, 'deploying');
    assert.equal(h.svc.conductor.deps.jobs.size, 0);
  } finally {
    await h.close();
  }
});

test('shutdown: no new work, a drain of graceful_shutdown_timeout, then running jobs fail with a last_error and no lock', { timeout: 20_000 }, async () => {
  const h = await startHarness({ fakeDelays: { deploy: '30' }, gracefulShutdownTimeout: 0.3 });
  try {
    const n = await node(h, '1.10');
    const other = await node(h, '1.10');
    assert.equal((await h.req('PUT', `/v1/nodes/${n.uuid}/states/provision`, { target: 'active' })).status, 202);
    await h.svc.conductor.stop();
    const after = await get(h, n.uuid);
    assert.equal(after.provision_state, 'deploy failed');
    assert.equal(after.reservation, null);
    assert.match(after.last_error, /shut down while node .* was in state "deploying"/);
    const refused = await h.req('PUT', `/v1/nodes/${other.uuid}/states/provision`, { target: 'active' });
    assert.equal(refused.status, 503);
    assert.equal((await get(h, other.uuid)).provision_state, 'available');
    const row = await h.svc.db.kysely.selectFrom('conductors').select('online').where('hostname', '=', h.svc.conductor.hostname).executeTakeFirst();
    assert.equal(row?.online, 0);
  } finally {
    await h.close();
  }
});

test('recovery at start: nodes still locked by our name are failed, pending power changes cleared, locks released', async () => {
  const h = await startHarness();
  try {
    const host = h.svc.conductor.hostname;
    const a = await node(h, '1.10');
    const b = await node(h, '1.10');
    await setRow(h, a.id, { provision_state: 'deploying', target_provision_state: 'active', reservation: host });
    await setRow(h, b.id, { target_power_state: 'power on', reservation: host });
    await h.svc.conductor.periodics.recoverAfterRestart();
    const na = await get(h, a.uuid);
    assert.equal(na.provision_state, 'deploy failed');
    assert.equal(na.reservation, null);
    assert.match(na.last_error, new RegExp(`Conductor ${host} restarted while node`));
    const nb = await get(h, b.uuid);
    assert.equal(nb.provision_state, 'available');
    assert.equal(nb.target_power_state, null);
    assert.equal(nb.reservation, null);
    assert.match(nb.last_error, /Pending power operation was aborted/);
  } finally {
    await h.close();
  }
});

test('wait-state timeouts: a node waiting longer than its callback timeout fails; a younger one waits on', async () => {
  const h = await startHarness({ deployCallbackTimeout: 1, cleanCallbackTimeout: 3600 });
  try {
    const old = await node(h);
    const young = await node(h);
    const past = toIronicTime(new Date(Date.now() - 5000));
    await setRow(h, old.id, { provision_state: 'wait call-back', target_provision_state: 'active', provision_updated_at: past });
    await setRow(h, young.id, { provision_state: 'clean wait', target_provision_state: 'available', provision_updated_at: past });
    await h.svc.conductor.periodics.checkTimeouts();
    const o = await get(h, old.uuid);
    assert.equal(o.provision_state, 'deploy failed');
    assert.match(o.last_error, /Timeout reached while waiting for callback/);
    assert.equal(o.reservation, null);
    assert.equal((await get(h, young.uuid)).provision_state, 'clean wait');
  } finally {
    await h.close();
  }
});

test('clean wait timeouts: a running clean step puts the node in maintenance with the fault; manual cleaning keeps its target', async () => {
  const h = await startHarness({ cleanCallbackTimeout: 1 });
  try {
    const stepping = await node(h);
    const booting = await node(h);
    const past = toIronicTime(new Date(Date.now() - 5000));
    await setRow(h, stepping.id, {
      provision_state: 'clean wait', target_provision_state: 'available', provision_updated_at: past,
      clean_step: JSON.stringify({ interface: 'deploy', step: 'erase_devices', priority: 10 }),
      driver_internal_info: JSON.stringify({ clean_step_index: 0, agent_url: 'http://192.0.2.9:9999', agent_secret_token: 't' }),
    });
    await setRow(h, booting.id, { provision_state: 'clean wait', target_provision_state: 'manageable', provision_updated_at: past });
    await h.svc.conductor.periodics.checkTimeouts();
    const s = await get(h, stepping.uuid);
    assert.equal(s.provision_state, 'clean failed');
    assert.match(s.last_error, /^Timeout reached while waiting for callback for node \S+ in state "clean wait" \(waited 1 s\)\. .* Failed on clean step deploy\.erase_devices\.$/);
    assert.deepEqual([s.maintenance, s.fault, s.maintenance_reason], [true, 'clean failure', s.last_error]);
    assert.deepEqual(s.clean_step, {});
    assert.equal(s.driver_internal_info.agent_url, undefined);
    assert.equal(s.driver_internal_info.clean_step_index, undefined);
    const b = await get(h, booting.uuid);
    assert.deepEqual([b.provision_state, b.target_provision_state, b.maintenance, b.fault], ['clean failed', 'manageable', false, null]);
  } finally {
    await h.close();
  }
});

test('locks of a dead conductor: released, work in flight failed, power changes cleared, wait states kept; live locks untouched', async () => {
  const h = await startHarness({ heartbeatTimeout: 60 });
  try {
    const db = h.svc.db.kysely;
    const now = toIronicTime(new Date());
    const old = toIronicTime(new Date(Date.now() - 600_000));
    await db.insertInto('conductors').values([
      { hostname: 'dead-host', conductor_group: '', online: 1, drivers: '[]', created_at: old, updated_at: old },
      { hostname: 'live-host', conductor_group: '', online: 1, drivers: '[]', created_at: now, updated_at: now },
    ]).execute();
    const deploying = await node(h, '1.10');
    const waiting = await node(h, '1.10');
    const powering = await node(h, '1.10');
    const inspecting = await node(h, '1.10');
    const live = await node(h, '1.10');
    await setRow(h, deploying.id, { provision_state: 'deploying', target_provision_state: 'active', reservation: 'dead-host' });
    await setRow(h, waiting.id, { provision_state: 'wait call-back', target_provision_state: 'active', reservation: 'dead-host' });
    await setRow(h, powering.id, { provision_state: 'active', target_power_state: 'power off', reservation: 'dead-host' });
    await setRow(h, inspecting.id, { provision_state: 'inspecting', target_provision_state: 'manageable', reservation: 'dead-host' });
    await setRow(h, live.id, { provision_state: 'deploying', target_provision_state: 'active', reservation: 'live-host' });

    await h.svc.conductor.periodics.checkOrphans();

    const d = await get(h, deploying.uuid);
    assert.equal(d.provision_state, 'deploy failed');
    assert.equal(d.reservation, null);
    assert.match(d.last_error, /^Conductor dead-host stopped heartbeating \(last heartbeat .*\) while node .* was in state "deploying"/);
    const w = await get(h, waiting.uuid);
    assert.equal(w.provision_state, 'wait call-back');
    assert.equal(w.reservation, null);
    const p = await get(h, powering.uuid);
    assert.equal(p.provision_state, 'active');
    assert.equal(p.target_power_state, null);
    assert.equal(p.reservation, null);
    assert.match(p.last_error, /Pending power operation was aborted due to conductor take over/);
    const i = await get(h, inspecting.uuid);
    assert.equal(i.provision_state, 'inspect failed');
    assert.equal(i.reservation, null);
    const l = await get(h, live.uuid);
    assert.equal(l.provision_state, 'deploying');
    assert.equal(l.reservation, 'live-host');

    const list = (await h.req('GET', '/v1/conductors')).body.conductors as { hostname: string; alive: boolean }[];
    assert.equal(list.find((c) => c.hostname === 'dead-host')?.alive, false);
    assert.equal(list.find((c) => c.hostname === 'live-host')?.alive, true);
  } finally {
    await h.close();
  }
});
