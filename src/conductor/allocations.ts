/**
 * Allocations in the conductor (Ironic's conductor/allocations.py): asynchronous matching
 * of an allocation to an available node, synchronous backfill for an already deployed
 * node, and deletion with the node-state rules.
 *
 * Matching never throws: every outcome ends with the allocation `active` (bound to a node)
 * or `error` with `last_error` in Ironic's wording ("Failed to process allocation <uuid>:
 * <reason>."), because nobody waits for it.
 */
import { sql } from 'kysely';
import { ConflictError, InvalidError, NodeLockedError, NotFoundError, messageOf } from '../core/errors.ts';
import type { Node } from '../core/node.ts';
import { ProvisionState as S } from '../core/states.ts';
import { UPDATE_ALLOWED_STATES } from '../core/fsm.ts';
import { AllocationRepo, NodeAssociatedError, type Allocation } from '../db/allocations.ts';
import type { FlowDeps } from './deps.ts';

export interface RetryOptions {
  /** Passes over the candidate list while nodes are locked (Ironic node_locked_retry_attempts, 3). */
  attempts?: number;
  /** Pause between passes in ms (Ironic node_locked_retry_interval, 1 s). */
  intervalMs?: number;
}

/** A matching failure: becomes the allocation's last_error. */
class AllocationFailed extends Error {
  constructor(uuid: string, reason: string) { super(`Failed to process allocation ${uuid}: ${reason}.`); }
}

interface Candidate { id: number; uuid: string; name: string | null }

/** Python repr of a list of strings, as Ironic's messages print them. */
const reprList = (l: readonly string[]): string => `[${l.map((x) => `'${x.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`).join(', ')}]`;

function repo(deps: FlowDeps): AllocationRepo { return new AllocationRepo(deps.db); }

async function traitsOf(deps: FlowDeps, ids: number[]): Promise<Map<number, Set<string>>> {
  const out = new Map<number, Set<string>>();
  for (let i = 0; i < ids.length; i += 500) {
    const rows = await deps.db.selectFrom('node_traits').select(['node_id', 'trait']).where('node_id', 'in', ids.slice(i, i + 500)).execute();
    for (const r of rows) {
      const s = out.get(r.node_id) ?? new Set<string>();
      s.add(r.trait);
      out.set(r.node_id, s);
    }
  }
  return out;
}

const hasAll = (have: ReadonlySet<string> | readonly string[], want: readonly string[]): boolean => {
  const s = have instanceof Set ? have : new Set(have as readonly string[]);
  return want.every((t) => s.has(t));
};

/** Fisher–Yates; parallel allocations must not try nodes in the same order. */
function shuffle<T>(a: T[]): T[] {
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a;
}

/**
 * Candidate nodes: available, not in maintenance, no instance, power state known, same
 * resource class, within candidate_nodes, owned or leased by the allocation owner, with
 * every requested trait. Shuffled, then the node named like the allocation goes first.
 */
export async function candidateNodes(deps: FlowDeps, a: Allocation): Promise<Candidate[]> {
  let q = deps.db.selectFrom('nodes').select(['id', 'uuid', 'name'])
    .where('provision_state', '=', S.AVAILABLE).where('maintenance', '=', 0)
    .where('instance_uuid', 'is', null).where('power_state', 'is not', null)
    .where('resource_class', a.resource_class === null ? 'is' : '=', a.resource_class);
  if (a.candidate_nodes.length) q = q.where('uuid', 'in', a.candidate_nodes);
  if (a.owner) { const o = a.owner; q = q.where((eb) => eb.or([eb('owner', '=', o), eb('lessee', '=', o)])); }
  let nodes: Candidate[] = await q.orderBy(sql`id`).execute();
  if (nodes.length === 0) {
    throw new AllocationFailed(a.uuid, a.candidate_nodes.length
      ? `none of the requested nodes are available and match the resource class ${String(a.resource_class)}`
      : `no available nodes match the resource class ${String(a.resource_class)}`);
  }
  if (a.traits.length) {
    const traits = await traitsOf(deps, nodes.map((n) => n.id));
    nodes = nodes.filter((n) => hasAll(traits.get(n.id) ?? new Set(), a.traits));
    if (nodes.length === 0) {
      throw new AllocationFailed(a.uuid, `no suitable nodes have the requested traits ${[...new Set(a.traits)].join(', ')}`);
    }
  }
  shuffle(nodes);
  if (a.name) {
    const i = nodes.findIndex((n) => n.name === a.name);
    if (i > 0) nodes.unshift(...nodes.splice(i, 1));
  }
  return nodes;
}

/** Re-check under the lock that the node still satisfies the allocation. */
function stillSuitable(n: Node, a: Allocation): boolean {
  return !n.maintenance && !n.instance_uuid && n.provision_state === S.AVAILABLE
    && n.resource_class === a.resource_class && (!a.traits.length || hasAll(n.traits, a.traits));
}

/**
 * Try each candidate once per pass; locked nodes are retried on the next pass, up to
 * `attempts` passes. Returns when one node is bound.
 */
async function allocateNode(deps: FlowDeps, a: Allocation, nodes: Candidate[], opts: RetryOptions): Promise<void> {
  const attempts = opts.attempts ?? 3;
  const interval = opts.intervalMs ?? 1000;
  let pending = nodes;
  for (let pass = 1; ; pass++) {
    const retry: Candidate[] = [];
    for (const c of pending) {
      let task;
      try {
        task = await deps.tasks.acquire(c.id, 'allocating', { attempts: 1 });
      } catch (err) {
        if (err instanceof NodeLockedError) retry.push(c);
        else if (!(err instanceof NotFoundError)) throw err;
        continue;
      }
      try {
        if (!stillSuitable(task.node, a)) continue;
        await repo(deps).assignNode(a, c.id, task.host);
        deps.logger.info({ node: c.uuid, allocation: a.uuid }, 'node reserved for allocation');
        return;
      } catch (err) {
        if (!(err instanceof NodeAssociatedError)) throw err;
      } finally {
        await task.release();
      }
    }
    pending = retry;
    const reason = pending.length ? `could not reserve any of ${pending.length} suitable nodes` : 'all nodes were filtered out during reservation';
    if (pass >= attempts) throw new AllocationFailed(a.uuid, reason);
    await new Promise((r) => setTimeout(r, interval));
  }
}

/** Mark an allocation `error` with `message` (best effort, logged when it fails). */
export async function failAllocation(deps: FlowDeps, allocationId: number, message: string): Promise<void> {
  await repo(deps).fail(allocationId, message).catch((e) => deps.logger.error({ err: messageOf(e) }, 'could not record allocation failure'));
}

/**
 * Process an allocation in state `allocating` (runs in a conductor worker). Never throws:
 * failures are recorded on the allocation. A deleted allocation is silently dropped.
 */
export async function doAllocate(deps: FlowDeps, allocationId: number, opts: RetryOptions = {}): Promise<void> {
  const a = await repo(deps).getById(allocationId);
  if (!a || a.state !== 'allocating') return;
  try {
    await allocateNode(deps, a, await candidateNodes(deps, a), opts);
  } catch (err) {
    const msg = err instanceof AllocationFailed ? err.message : `Unexpected exception during allocation: ${messageOf(err)}`;
    if (err instanceof AllocationFailed) deps.logger.warn({ allocation: a.uuid }, msg);
    else deps.logger.error({ allocation: a.uuid, err: messageOf(err) }, 'allocation failed unexpectedly');
    await repo(deps).fail(a.id, msg).catch((e) => deps.logger.error({ err: messageOf(e) }, 'could not record allocation failure'));
  }
}

/**
 * Backfill: bind a new allocation to a node that is already deployed (synchronous).
 * The node must be `active` and match resource class, traits and candidate_nodes. On any
 * failure the allocation is marked `error` and the error is rethrown: a mismatch as 400
 * (Ironic 21.4 answers 500 "Failed to process allocation …"; the text is the same).
 */
export async function backfillAllocation(deps: FlowDeps, allocationId: number, nodeId: number): Promise<void> {
  const r = repo(deps);
  const a = await r.getById(allocationId);
  if (!a) throw new NotFoundError(`Allocation ${allocationId} could not be found.`);
  try {
    await deps.tasks.withLock(nodeId, 'allocation backfilling', async (task) => {
      const n = task.node;
      const errors: string[] = [];
      if (n.provision_state !== S.ACTIVE) errors.push(`Node must be in the "active" state, but the current state is "${n.provision_state}"`);
      if (a.resource_class && n.resource_class !== a.resource_class) {
        errors.push(`Resource class ${String(n.resource_class)} does not match the requested resource class ${a.resource_class}`);
      }
      if (a.traits.length && !hasAll(n.traits, a.traits)) errors.push(`List of traits ${reprList(n.traits)} does not match the requested traits ${reprList(a.traits)}`);
      if (a.candidate_nodes.length && !a.candidate_nodes.includes(n.uuid)) {
        errors.push(`Candidate nodes must be empty or contain the target node, but got ${reprList(a.candidate_nodes)}`);
      }
      if (errors.length) throw new InvalidError(new AllocationFailed(a.uuid, `Cannot backfill an allocation for node ${n.uuid}: ${errors.join('; ')}`).message);
      await r.assignNode(a, n.id, task.host);
    });
  } catch (err) {
    const msg = err instanceof InvalidError || err instanceof ConflictError || err instanceof NotFoundError
      ? messageOf(err) : `Unexpected exception during allocation: ${messageOf(err)}`;
    await r.fail(a.id, msg).catch(() => undefined);
    throw err;
  }
}

/**
 * Refuse (409) removing the allocation of a node that is active or in a transition that
 * forbids updates, unless the node is in maintenance.
 */
export function verifyNodeForDeallocation(n: Node, a: Pick<Allocation, 'uuid'>): void {
  if (n.maintenance) return;
  if (n.target_provision_state && !UPDATE_ALLOWED_STATES.has(n.provision_state)) {
    throw new ConflictError(`Cannot remove allocation ${a.uuid} for node ${n.uuid}, because the node is in state ${n.provision_state} where updates are not allowed (and maintenance mode is off)`);
  }
  if (n.provision_state === S.ACTIVE) {
    throw new ConflictError(`Cannot remove allocation ${a.uuid} for node ${n.uuid}, because the node is active (and maintenance mode is off)`);
  }
}

/** Delete an allocation; if it holds a node, under that node's lock and after the state rules. */
export async function destroyAllocation(deps: FlowDeps, allocationId: number): Promise<void> {
  const r = repo(deps);
  const a = await r.getById(allocationId);
  if (!a) throw new NotFoundError(`Allocation ${allocationId} could not be found.`);
  if (a.node_id === null) { await r.destroy(a.id); return; }
  await deps.tasks.withLock(a.node_id, 'allocation deletion', async (task) => {
    verifyNodeForDeallocation(task.node, a);
    await r.destroy(a.id);
  });
}

/**
 * For flows that free a node (tear down, instance_uuid removal): delete the node's
 * allocation, if any, while the caller holds the node lock. Clears allocation_id and
 * instance_uuid on the node row.
 */
export async function releaseNodeAllocation(deps: FlowDeps, node: Pick<Node, 'allocation_id'>): Promise<void> {
  if (node.allocation_id === null) return;
  try { await repo(deps).destroy(node.allocation_id); } catch (err) { if (!(err instanceof NotFoundError)) throw err; }
}

/**
 * After a restart, allocations left in `allocating` (their worker died with the process)
 * are matched again, in the background (Ironic's orphan-allocation check). Returns how
 * many were resumed. Meant to be called once from the conductor's start-up.
 */
export async function resumeAllocations(deps: FlowDeps, opts: RetryOptions = {}): Promise<number> {
  const rows = await deps.db.selectFrom('allocations').select('id').where('state', '=', 'allocating').orderBy('id').execute();
  for (const { id } of rows) {
    try {
      deps.workers.spawn(() => doAllocate(deps, id, opts));
    } catch (err) {
      // More than the pool holds: fail the rest rather than the conductor's start.
      await failAllocation(deps, id, `Failed to process allocation after a conductor restart: ${messageOf(err)}. Delete it and create it again.`);
    }
  }
  return rows.length;
}
