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
