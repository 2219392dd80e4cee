/**
 * The periodic tasks of a conductor touch only the nodes the hash ring gives it
 * (FlowDeps.ownsNode, set by `ingot conductor`): power state sync checks its own nodes
 * and no other, wait-state timeouts fail its own nodes and leave the others' to their
 * owners. (Locks of dead conductors are the exception: any live conductor takes them,
 * see recovery.ts.)
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startHarness } from '../../test/support/api-harness.ts';
import { toIronicTime } from '../core/ids.ts';
import { Periodics } from './periodics.ts';

test('periodic tasks touch only the nodes the ring gives this conductor', async () => {
  const h = await startHarness({ deployCallbackTimeout: 1 });
  try {
    const deps = h.svc.conductor.deps;
    const all: { id: number; uuid: string }[] = [];
    for (let i = 0; i < 6; i++) {
      const r = await h.req('POST', '/v1/nodes', { driver: 'fake-hardware', name: `own-${i}` });
      assert.equal(r.status, 201, r.text);
      all.push({ id: (await deps.nodes.getByUuid(r.body.uuid))!.id, uuid: r.body.uuid });
    }
    const mine = new Set(all.filter((_, i) => i % 2 === 0).map((n) => n.uuid));
    const p = new Periodics({ ...deps, ownsNode: (n) => mine.has(n.uuid) });

    const checked: number[] = [];
    p.power.syncOne = async (id) => { checked.push(id); return 0; };
    await p.syncPowerStates();
    assert.deepEqual(checked.sort((a, b) => a - b), all.filter((n) => mine.has(n.uuid)).map((n) => n.id));

    const past = toIronicTime(new Date(Date.now() - 5000));
    await deps.db.updateTable('nodes').set({ provision_state: 'wait call-back', target_provision_state: 'active', provision_updated_at: past }).execute();
    await p.checkTimeouts();
    for (const n of all) {
      const state = (await deps.nodes.getByUuid(n.uuid))!.provision_state;
      assert.equal(state, mine.has(n.uuid) ? 'deploy failed' : 'wait call-back', n.uuid);
    }
  } finally {
    await h.close();
  }
});
