/**
 * Work nobody does any more: nodes left in a state with work in flight without a worker,
 * and the locks of conductors that died. Run by the periodic tasks (periodics.ts).
 *
 * - `sweepStuckNodes`: a node in a state with work in flight (CRASH_FAIL_STATES:
 *   deploying, cleaning, verifying, inspecting, adopting, rescuing, unrescuing,
 *   deleting) and no reservation has nobody working on it (every job holds the node's
 *   lock until it leaves that state): it is failed through the state's `fail` edge.
 * - `checkOrphanNodes` (Ironic's _check_orphan_nodes): conductors whose heartbeat is older
 *   than heartbeat_timeout are dead; each lock they hold moves to this conductor by one
 *   atomic `UPDATE … WHERE id = ? AND reservation = <dead host>`, so with several live
 *   conductors exactly one takes each node, and a live conductor's locks are never
 *   touched. Then, under that lock: work in flight is failed, a pending power change
 *   (target_power_state) is cleared, and the lock is released. Wait states (wait
 *   call-back, clean wait, inspect wait, rescue wait) stay as they are: the next heartbeat
 *   of the ramdisk, or the wait-state timeout, decides for them.
 */
import { CRASH_FAIL_STATES } from '../core/fsm.ts';
import { isoNow, toIronicTime } from '../core/ids.ts';
import { messageOf } from '../core/errors.ts';
import type { ProvisionState } from '../core/states.ts';
import { Task } from './task.ts';
import { type FlowDeps, failInFlight, failTask } from './deps.ts';

const IN_FLIGHT = [...CRASH_FAIL_STATES] as ProvisionState[];

/** Fail nodes in a state with work in flight that nobody holds. Returns their ids. */
export async function sweepStuckNodes(deps: FlowDeps): Promise<number[]> {
  const rows = await deps.db.selectFrom('nodes').select('id')
    .where('provision_state', 'in', IN_FLIGHT).where('reservation', 'is', null).execute();
  const failed: number[] = [];
  for (const { id } of rows) {
    if (deps.jobs.has(id)) continue;
    let task: Task;
    try {
      task = await deps.tasks.acquire(id, 'stuck node sweep', { attempts: 1 });
    } catch { continue; /* locked (someone works on it now) or deleted */ }
    try {
      const n = task.node;
      if (!CRASH_FAIL_STATES.has(n.provision_state)) continue;
      const msg = `Node ${n.uuid} was in state "${n.provision_state}" but no conductor was working on it (the job that `
        + `moved it there ended or was lost without finishing); conductor ${deps.host} aborted the operation. Check the `
        + `node's history and the conductor log, then retry the operation.`;
      deps.logger.warn({ node: n.uuid, state: n.provision_state }, 'failing a node nobody works on');
      await failInFlight(deps, task, msg, 'conductor');
      failed.push(id);
    } finally {
      await task.release().catch(() => undefined);
    }
  }
  return failed;
}

/** Hostnames of conductors whose last heartbeat is older than heartbeat_timeout, except us. */
export async function deadConductors(deps: FlowDeps): Promise<{ hostname: string; updated_at: string | null }[]> {
  const cutoff = toIronicTime(new Date(Date.now() - deps.config.heartbeatTimeout * 1000));
  const rows = await deps.db.selectFrom('conductors').select(['hostname', 'updated_at'])
    .where((eb) => eb.or([eb('updated_at', '<', cutoff), eb.and([eb('updated_at', 'is', null), eb('created_at', '<', cutoff)])]))
    .execute();
  // Our own heartbeat may be late (a starved event loop): never treat ourselves as dead.
  return rows.filter((r) => r.hostname !== deps.host);
}

/**
 * Take over the locks of dead conductors. Returns the ids of the nodes taken over.
 * Nodes whose lock another live conductor took first are skipped.
 */
export async function checkOrphanNodes(deps: FlowDeps): Promise<number[]> {
  const taken: number[] = [];
  const dead = await deadConductors(deps);
  if (dead.length === 0) return taken;
  // One scan for every dead conductor (dead rows stay in `conductors`, and `reservation`
  // has no index: see migration 002), not one per dead conductor.
  const byHost = new Map(dead.map((d) => [d.hostname, d]));
  const held = await deps.db.selectFrom('nodes').select(['id', 'reservation'])
    .where('reservation', 'in', [...byHost.keys()]).execute();
  for (const { id, reservation } of held) {
    const from = byHost.get(reservation!)!;
    // The atomic hand-over: only matches while the dead conductor still holds the lock.
    const r = await deps.db.updateTable('nodes').set({ reservation: deps.host, updated_at: isoNow() })
      .where('id', '=', id).where('reservation', '=', from.hostname).executeTakeFirst();
    if (Number(r.numUpdatedRows) !== 1) continue;
    taken.push(id);
    const node = await deps.nodes.getById(id);
    if (!node) continue;
    const seen = from.updated_at ? ` (last heartbeat ${from.updated_at})` : '';
    deps.logger.warn({ node: node.uuid, conductor: from.hostname }, 'removing the reservation of a dead conductor');
    await takeOver(deps, new Task(deps.nodes, node, deps.host, 'orphan take over'), `Conductor ${from.hostname} stopped heartbeating${seen}`);
  }
  return taken;
}

/**
 * Recover a node whose lock `task` now holds after its previous holder died (`who` says
 * how, e.g. "Conductor X stopped heartbeating"): clear a pending power change, fail work
 * in flight, release the lock. Never throws.
 */
export async function takeOver(deps: FlowDeps, task: Task, who: string): Promise<void> {
  const n = task.node;
  try {
    if (n.target_power_state) {
      // Ironic's text for this case, then what it means.
      const msg = `Pending power operation was aborted due to conductor take over: ${who} before node ${n.uuid} reached `
        + `power state "${n.target_power_state}". Check the power state and retry the power change.`;
      await failTask(deps, task, msg, { eventType: 'takeover', extra: { target_power_state: null } });
    }
    if (CRASH_FAIL_STATES.has(n.provision_state)) {
      const msg = `${who} while node ${n.uuid} was in state "${n.provision_state}"; conductor ${deps.host} took the node `
        + `over and aborted the operation. Retry it (e.g. "manage", "provide", "deploy" or "inspect").`;
      await failInFlight(deps, task, msg, 'takeover');
    }
  } catch (err) {
    deps.logger.error({ node: n.uuid, err: messageOf(err) }, 'take over failed');
  } finally {
    await task.release().catch(() => undefined);
  }
}
