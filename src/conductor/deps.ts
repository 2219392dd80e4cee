/** What conductor flows need: passed explicitly, built once in conductor.ts. */
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';
import type { NodeRepo } from '../db/nodes.ts';
import type { HistoryRepo } from '../db/history.ts';
import type { DriverRegistry } from '../drivers/registry.ts';
import type { DriverLogger, ComposedDriver } from '../drivers/base.ts';
import type { Config } from '../config/config.ts';
import type { Task, TaskManager } from './task.ts';
import type { WorkerPool, WorkerSlot } from './workers.ts';
import { driverContext, type ContextHandle } from './driver-context.ts';
import { CRASH_FAIL_STATES, nextState, type FsmEvent } from '../core/fsm.ts';
import type { NodeChanges } from '../core/node.ts';
import { ProvisionState as S, type ProvisionState } from '../core/states.ts';
import { messageOf } from '../core/errors.ts';

export interface FlowDeps {
  db: Kysely<Database>;
  nodes: NodeRepo;
  history: HistoryRepo;
  registry: DriverRegistry;
  tasks: TaskManager;
  workers: WorkerPool;
  config: Config;
  logger: DriverLogger;
  host: string;
  /** The tasks whose jobs run in this process's worker pool, by node id. */
  jobs: Map<number, Task>;
  /**
   * Whether this conductor owns a node per the hash ring (separate conductor processes).
   * Periodic tasks skip the nodes it does not own; absent (`ingot serve`): it owns all.
   */
  ownsNode?: (node: { uuid: string; driver: string; conductor_group: string | null }) => boolean;
}

export async function prepare(deps: FlowDeps, task: Task): Promise<{ driver: ComposedDriver; handle: ContextHandle }> {
  const driver = deps.registry.compose(task.node);
  const handle = await driverContext(deps.db, task, deps.logger, task.signal, driver);
  return { driver, handle };
}

/**
 * Record a failure: apply `event` (usually `fail`), set last_error, write history.
 * Never throws (a failure while recording a failure is logged).
 */
export async function failTask(deps: FlowDeps, task: Task, message: string, opts: { event?: FsmEvent; eventType: string; extra?: NodeChanges; target?: ProvisionState | null } = { eventType: 'provisioning' }): Promise<void> {
  try {
    // An aborted job's own failure says why it was aborted first.
    const why = task.abortReason;
    if (why && !message.startsWith(why)) message = `${why} (${message})`;
    const extra: NodeChanges = { last_error: message, ...(opts.extra ?? {}) };
    if (opts.event) await task.apply(opts.event, extra, opts.target);
    else await task.save(extra);
    await deps.history.record(task.node.id, { conductor: deps.host, eventType: opts.eventType, severity: 'ERROR', event: message });
  } catch (err) {
    deps.logger.error({ err: messageOf(err), node: task.node.uuid }, 'failed to record failure');
  }
}

/**
 * Fail the work in flight on a node whose job died (an unexpected error, abort, shutdown,
 * a dead conductor): from a state with work in flight (CRASH_FAIL_STATES) apply the
 * state's `fail` edge, as Ironic's error handlers do (a clean step interrupted puts the
 * node in maintenance with fault "clean failure"; manual cleaning keeps its manageable
 * target); elsewhere only record last_error. Never throws.
 */
export async function failInFlight(deps: FlowDeps, task: Task, message: string, eventType: string): Promise<void> {
  const n = task.node;
  if (!CRASH_FAIL_STATES.has(n.provision_state) || !nextState(n.provision_state, 'fail')) {
    await failTask(deps, task, message, { eventType });
    return;
  }
  const extra: NodeChanges = {};
  let target: ProvisionState | undefined;
  if (n.provision_state === S.CLEANING) {
    if (n.clean_step && Object.keys(n.clean_step).length) {
      Object.assign(extra, { fault: 'clean failure', maintenance: true, maintenance_reason: n.maintenance_reason ?? message });
    }
    extra.clean_step = {};
    if (n.target_provision_state === S.MANAGEABLE) target = S.MANAGEABLE;
  }
  if (n.provision_state === S.DEPLOYING) extra.deploy_step = {};
  if (n.provision_state === S.RESCUING && ('rescue_password' in n.instance_info || 'hashed_rescue_password' in n.instance_info)) {
    // As Ironic's rescuing_error_handler: a failed rescue keeps no rescue password.
    const { rescue_password: _p, hashed_rescue_password: _h, ...ii } = n.instance_info;
    extra.instance_info = ii;
  }
  await failTask(deps, task, message, { event: 'fail', eventType, extra, ...(target ? { target } : {}) });
}

/**
 * Run `fn` in the worker pool, releasing the task when it ends (success or not). Pass the
 * `slot` reserved before the node was changed (see WorkerPool); without one a worker is
 * taken now (503 when none is free). A job that throws, or ends without releasing the
 * node while in a state with work in flight, fails the node (`failInFlight`): no job
 * ends in a transient state.
 */
export function spawnWithTask(deps: FlowDeps, task: Task, fn: (t: Task) => Promise<void>, slot?: WorkerSlot): void {
  const s = slot ?? deps.workers.reserve();
  deps.jobs.set(task.node.id, task);
  s.run(async () => {
    try {
      await fn(task);
      if (!task.isReleased && CRASH_FAIL_STATES.has(task.node.provision_state)) {
        await failInFlight(deps, task, task.abortReason ?? `The "${task.purpose}" job of conductor ${deps.host} ended with node ${task.node.uuid} still in "${task.node.provision_state}" (a bug); the node was failed so that it can be retried.`, task.purpose);
      }
    } catch (err) {
      deps.logger.error({ err: messageOf(err), node: task.node.uuid }, 'unhandled error in conductor job');
      if (!task.isReleased) {
        const why = task.abortReason ?? `Unexpected error in conductor ${deps.host} during "${task.purpose}": ${messageOf(err)}. The node was moved out of "${task.node.provision_state}"; fix the cause and retry the operation.`;
        await failInFlight(deps, task, why, task.purpose);
      }
    } finally {
      if (deps.jobs.get(task.node.id) === task) deps.jobs.delete(task.node.id);
      await task.release().catch(() => undefined);
    }
  });
}
