/** What conductor flows need: passed explicitly, built once in conductor.ts. */
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';
import type { NodeRepo } from '../db/nodes.ts';
import type { HistoryRepo } from '../db/history.ts';
import type { DriverRegistry } from '../drivers/registry.ts';
import type { DriverLogger, ComposedDriver } from '../drivers/base.ts';
import type { Config } from '../config/config.ts';
import type { Task, TaskManager } from './task.ts';
import type { WorkerPool } from './workers.ts';
import { driverContext, type ContextHandle } from './driver-context.ts';
import type { FsmEvent } from '../core/fsm.ts';
import type { NodeChanges } from '../core/node.ts';
import type { ProvisionState } from '../core/states.ts';
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
  /**
   * Whether this conductor owns a node per the hash ring (separate conductor processes).
   * Periodic tasks skip the nodes it does not own; absent (`ingot serve`): it owns all.
   */
  ownsNode?: (node: { uuid: string; driver: string; conductor_group: string | null }) => boolean;
}

export async function prepare(deps: FlowDeps, task: Task): Promise<{ driver: ComposedDriver; handle: ContextHandle }> {
  const driver = deps.registry.compose(task.node);
  const handle = await driverContext(deps.db, task, deps.logger, undefined, driver);
  return { driver, handle };
}

/**
 * Record a failure: apply `event` (usually `fail`), set last_error, write history.
 * Never throws (a failure while recording a failure is logged).
 */
export async function failTask(deps: FlowDeps, task: Task, message: string, opts: { event?: FsmEvent; eventType: string; extra?: NodeChanges; target?: ProvisionState | null } = { eventType: 'provisioning' }): Promise<void> {
  try {
    const extra: NodeChanges = { last_error: message, ...(opts.extra ?? {}) };
    if (opts.event) await task.apply(opts.event, extra, opts.target);
    else await task.save(extra);
    await deps.history.record(task.node.id, { conductor: deps.host, eventType: opts.eventType, severity: 'ERROR', event: message });
  } catch (err) {
    deps.logger.error({ err: messageOf(err), node: task.node.uuid }, 'failed to record failure');
  }
}

/** Run `fn` in the worker pool, releasing the task when it ends (success or not). */
export function spawnWithTask(deps: FlowDeps, task: Task, fn: (t: Task) => Promise<void>): void {
  deps.workers.spawn(async () => {
    try {
      await fn(task);
    } catch (err) {
      deps.logger.error({ err: messageOf(err), node: task.node.uuid }, 'unhandled error in conductor job');
      await failTask(deps, task, `Unexpected error in conductor: ${messageOf(err)}`, { eventType: task.purpose }).catch(() => undefined);
    } finally {
      await task.release().catch(() => undefined);
    }
  });
}
