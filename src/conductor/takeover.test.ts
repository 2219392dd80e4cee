/**
 * The takeover round in one process (SQLite): a deploy names its conductor in
 * conductor_affinity; nodes never owned are only claimed; active
 * nodes inherited from another conductor are re-prepared and recorded; nodes the ring
 * gives another conductor, nodes in maintenance and locked nodes are left alone.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startHarness, waitState } from '../../test/support/api-harness.ts';
import { Takeover } from './takeover.ts';

test('takeover round: claim, take over, and leave alone', async () => {
  const h = await startHarness();
  try {
    const deps = h.svc.conductor.deps;
    const mk = async (name: string) => {
      const n = await h.req('POST', '/v1/nodes', { driver: 'fake-hardware', name });
      for (const [target, state] of [['manage', 'manageable'], ['provide', 'available'], ['active', 'active']]) {
        assert.equal((await h.req('PUT', `/v1/nodes/${name}/states/provision`, { target })).status, 202);
        await waitState(h, name, state!);
      }
      // The deploy itself names its conductor (Ironic's start_deploy): nothing to claim.
      assert.equal((await deps.nodes.getByUuid(n.body.uuid))!.conductor_affinity, deps.host);
      return n.body.uuid as string;
    };
    const [fresh, inherited, foreign, maint, locked] = [await mk('fresh'), await mk('inherited'), await mk('foreign'), await mk('maint'), await mk('locked')];
    const set = (uuid: string, v: Record<string, unknown>) => deps.db.updateTable('nodes').set(v).where('uuid', '=', uuid).execute();
    await set(fresh, { conductor_affinity: null });
    for (const u of [inherited, foreign, maint, locked]) await set(u, { conductor_affinity: 'dead-conductor' });
    await set(maint, { maintenance: 1 });
    await set(locked, { reservation: 'someone-else' });
    const t = new Takeover({ ...deps, ownsNode: (n) => n.uuid !== foreign });
    await t.runOnce();
    const aff = async (u: string) => (await deps.nodes.getByUuid(u))!.conductor_affinity;
    assert.equal(await aff(fresh), deps.host);
    assert.equal(await aff(inherited), deps.host);
    assert.equal(await aff(foreign), 'dead-conductor');
    assert.equal(await aff(maint), 'dead-conductor');
    assert.equal(await aff(locked), 'dead-conductor');
    const hist = await h.req('GET', `/v1/nodes/${inherited}/history?detail=true`);
    assert.ok(hist.body.history.some((e: { event: string; event_type: string }) => e.event_type === 'takeover'
      && e.event === `Conductor ${deps.host} took over node ${inherited} in state "active" from conductor dead-conductor.`), hist.text);
    const freshHist = await h.req('GET', `/v1/nodes/${fresh}/history`);
    assert.ok(!freshHist.body.history.some((e: { event: string }) => /took over/.test(e.event)));
    const n = (await deps.nodes.getByUuid(inherited))!;
    assert.equal(n.reservation, null);
    assert.equal(n.provision_state, 'active');
    // The lock is free again: the next round has nothing left to do.
    await set(locked, { reservation: null });
    await t.runOnce();
    assert.equal(await aff(locked), deps.host);
  } finally {
    await h.close();
  }
});
