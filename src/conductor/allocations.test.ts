import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConflictError } from '../core/errors.ts';
import type { Node } from '../core/node.ts';
import { verifyNodeForDeallocation } from './allocations.ts';

const node = (over: Partial<Node>): Node => ({ uuid: 'n-1', maintenance: false, provision_state: 'available', target_provision_state: null, ...over }) as Node;
const a = { uuid: 'a-1' };

test('deallocation is refused for active nodes and nodes mid-transition, unless in maintenance', () => {
  assert.doesNotThrow(() => verifyNodeForDeallocation(node({}), a));
  assert.throws(() => verifyNodeForDeallocation(node({ provision_state: 'active' }), a),
    (e: unknown) => e instanceof ConflictError && e.message === 'Cannot remove allocation a-1 for node n-1, because the node is active (and maintenance mode is off)');
  assert.throws(() => verifyNodeForDeallocation(node({ provision_state: 'deploying', target_provision_state: 'active' }), a),
    (e: unknown) => e instanceof ConflictError && e.message === 'Cannot remove allocation a-1 for node n-1, because the node is in state deploying where updates are not allowed (and maintenance mode is off)');
  assert.doesNotThrow(() => verifyNodeForDeallocation(node({ provision_state: 'deploy failed', target_provision_state: 'active' }), a));
  assert.doesNotThrow(() => verifyNodeForDeallocation(node({ provision_state: 'active', maintenance: true }), a));
  assert.doesNotThrow(() => verifyNodeForDeallocation(node({ provision_state: 'deploying', target_provision_state: 'active', maintenance: true }), a));
});

test('allocations left in allocating are matched again on resume', async () => {
  const { startHarness } = await import('../../test/support/api-harness.ts');
  const { AllocationRepo } = await import('../db/allocations.ts');
  const { resumeAllocations } = await import('./allocations.ts');
  const h = await startHarness();
  try {
    const repo = new AllocationRepo(h.svc.db.kysely);
    const stuck = await repo.create({ uuid: '22222222-2222-4222-8222-222222222222', name: 'stuck', owner: null, resource_class: 'CUSTOM_NONE', traits: [], candidate_nodes: [], extra: {}, conductor_affinity: null });
    assert.equal(await resumeAllocations(h.svc.conductor.deps), 1);
    await h.svc.conductor.idle();
    const after = await repo.getById(stuck.id);
    assert.equal(after?.state, 'error');
    assert.equal(after?.last_error, `Failed to process allocation ${stuck.uuid}: no available nodes match the resource class CUSTOM_NONE.`);
    assert.equal(await resumeAllocations(h.svc.conductor.deps), 0);
  } finally {
    await h.close();
  }
});
