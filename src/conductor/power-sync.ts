/**
 * Power state sync and power failure recovery (Ironic's _sync_power_states /
 * do_sync_power_state and _power_failure_recovery).
 *
 * - Nodes are checked in parallel by `sync_power_state_workers` workers (those that failed
 *   last time first), each BMC read bounded by `syncPowerStateTimeout` (its signal fires,
 *   and the worker moves on even when a driver ignores it): one hung BMC holds one
 *   worker, never the others.
 * - Skipped: maintenance, reserved, a power change pending (target_power_state), and
 *   Ironic's SYNC_EXCLUDED_STATES (wait call-back, clean wait, enroll, adopt failed).
 * - A failed read counts against the node (in memory, per conductor, as in Ironic); so
 *   does a mismatch. When the count passes `power_state_sync_max_retries`, the node goes
 *   to maintenance with fault "power failure", the reason saying why (Ironic's text).
 * - A mismatch with force_power_state_during_sync (default) sets the hardware back to the
 *   recorded state; without it the recorded state follows the hardware.
 * - Recovery: nodes in maintenance with fault "power failure" whose BMC answers again
 *   leave maintenance, with the power state read.
 */
import { DriverError, InvalidError, NodeLockedError, messageOf } from '../core/errors.ts';
import { PowerState as P, ProvisionState as S } from '../core/states.ts';
import type { Node } from '../core/node.ts';
import { type FlowDeps, failTask } from './deps.ts';
import { driverContext, sharedContext } from './driver-context.ts';
import type { Task } from './task.ts';

const SYNC_EXCLUDED: ReadonlySet<string> = new Set([S.DEPLOYWAIT, S.CLEAN_WAIT, S.ENROLL, S.ADOPTFAIL]);
export const POWER_FAILURE = 'power failure';

/**
 * Run `fn(signal)`, failing with a DriverError after `seconds` (the signal fires then
 * too), or at once when `outer` fires (shutdown).
 */
export async function bounded<T>(seconds: number, what: string, fn: (signal: AbortSignal) => Promise<T>, outer?: AbortSignal): Promise<T> {
  const ctrl = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  let onOuter: (() => void) | undefined;
  const stopped = new Promise<never>((_, reject) => {
    const fail = (err: Error) => { ctrl.abort(err); reject(err); };
    if (seconds > 0) timer = setTimeout(() => fail(new DriverError(`${what} did not answer within ${seconds} s`, { reason: 'timeout', retryable: true })), seconds * 1000);
    if (outer) {
      onOuter = () => fail(new DriverError(`${what}: the conductor is stopping`, { reason: 'aborted', retryable: true }));
      if (outer.aborted) onOuter(); else outer.addEventListener('abort', onOuter, { once: true });
    }
  });
  stopped.catch(() => undefined);
  try {
    return await Promise.race([fn(ctrl.signal), stopped]);
  } finally {
    clearTimeout(timer);
    if (onOuter) outer?.removeEventListener('abort', onOuter);
  }
}

/** Run `fn` on every item with at most `workers` at a time. */
export async function eachBounded<T>(items: readonly T[], workers: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(workers, items.length)) }, worker));
}

/** At most `size` holders; `acquire` waits in line for a free place. */
class Semaphore {
  private used = 0;
  private readonly waiting: (() => void)[] = [];
  constructor(private readonly size: number) {}
  async acquire(): Promise<void> {
    if (this.used < this.size) { this.used++; return; }
    await new Promise<void>((r) => this.waiting.push(r));
  }
  release(): void {
    const next = this.waiting.shift();
    if (next) next(); else this.used--;
  }
}

const py = (v: string | null | undefined): string => (v === null || v === undefined ? 'None' : v);

export class PowerSync {
  /** Consecutive failed checks per node id (Ironic's power_state_sync_count). */
  readonly failures = new Map<number, number>();
  /** Nodes whose check runs now. */
  private readonly checking = new Set<number>();
  private readonly running = new Set<Promise<void>>();
  private readonly stopping = new AbortController();
  private readonly slots: Semaphore;
  constructor(private readonly deps: FlowDeps) { this.slots = new Semaphore(deps.config.syncPowerStateWorkers); }

  /** Nodes of this conductor per the hash ring (all of them in `ingot serve`). */
  private owns(n: { uuid: string; driver: string; conductor_group: string | null }): boolean {
    return this.deps.ownsNode ? this.deps.ownsNode(n) : true;
  }

  /**
   * One round over every node not in maintenance and not reserved, waiting for every check
   * (tests, runOnce). The periodic task calls `dispatch` instead.
   */
  async syncAll(): Promise<void> { await (await this.dispatch()).done; }

  /**
   * Start one round: each node's check starts as soon as one of the
   * `sync_power_state_workers` workers is free (shared across rounds); nodes whose check
   * from an earlier round still runs (a hung BMC) are skipped. Resolves once every check
   * of the round has started, with a promise of their end (`done`): so a hung BMC holds
   * one worker and never delays the next round.
   */
  async dispatch(): Promise<{ done: Promise<void> }> {
    const rows = await this.deps.db.selectFrom('nodes').select(['id', 'uuid', 'driver', 'conductor_group'])
      .where('reservation', 'is', null).where('maintenance', '=', 0).execute();
    const ids = rows.filter((r) => this.owns(r)).map((r) => r.id).filter((id) => !this.checking.has(id))
      .sort((a, b) => (this.failures.get(b) ?? 0) - (this.failures.get(a) ?? 0));
    const started: Promise<void>[] = [];
    for (const id of ids) {
      await this.slots.acquire();
      if (this.stopping.signal.aborted) { this.slots.release(); break; }
      this.checking.add(id);
      const p: Promise<void> = this.checkNode(id).finally(() => { this.checking.delete(id); this.running.delete(p); this.slots.release(); });
      this.running.add(p);
      started.push(p);
    }
    return { done: Promise.all(started).then(() => undefined) };
  }

  /** Abort the checks in progress and wait for them to end (shutdown). */
  async stop(): Promise<void> {
    this.stopping.abort();
    while (this.running.size) await Promise.allSettled([...this.running]);
  }

  private async checkNode(id: number): Promise<void> {
    try {
      const count = await this.syncOne(id, this.failures.get(id) ?? 0);
      if (count) this.failures.set(id, count); else this.failures.delete(id);
    } catch (err) {
      this.deps.logger.warn({ node: id, err: messageOf(err) }, 'power sync of a node failed');
    }
  }

  /** do_sync_power_state: returns the node's new failure count. */
  async syncOne(id: number, previous: number): Promise<number> {
    const { nodes, registry, db, logger, config } = this.deps;
    const n = await nodes.getById(id);
    if (!n || n.reservation || n.maintenance || n.target_power_state || SYNC_EXCLUDED.has(n.provision_state)) return previous;
    const count = previous + 1;
    const driver = registry.compose(n);
    let actual: string | null | undefined;
    try {
      actual = await bounded(config.syncPowerStateTimeout, `The BMC of node ${n.uuid}`, async (signal) => {
        const ctx = sharedContext(db, n, logger, driver, signal);
        // As Ironic: a node without a recorded state whose driver_info is not valid is left alone.
        if (n.power_state === null) {
          try { await driver.power.validate(ctx); } catch (err) { if (err instanceof InvalidError) return undefined; throw err; }
        }
        const s = await driver.power.getPowerState(ctx);
        if (s === P.ERROR) throw new Error('Power driver returned ERROR state while trying to sync power state.');
        return s ?? null;
      }, this.stopping.signal);
    } catch (err) {
      if (count > config.powerStateSyncMaxRetries) {
        await this.locked(n, (t) => this.maxRetriesExceeded(t, null, err)).catch(() => undefined);
      } else {
        logger.warn({ node: n.uuid, attempt: count, retries: config.powerStateSyncMaxRetries, err: messageOf(err) }, 'power sync could not get the power state');
      }
      return count;
    }
    if (actual === undefined) return 0;
    if (n.power_state === actual) return 0;
    try {
      return await this.locked(n, async (t) => {
        const cur = t.node;
        if (cur.power_state === actual || SYNC_EXCLUDED.has(cur.provision_state) || cur.maintenance || cur.target_power_state) return 0;
        if (cur.power_state === null) {
          await t.save({ power_state: actual });
          return 0;
        }
        if (count > config.powerStateSyncMaxRetries) {
          await this.maxRetriesExceeded(t, actual);
          return count;
        }
        if (config.forcePowerStateDuringSync && (cur.power_state === P.ON || cur.power_state === P.OFF)) {
          await this.force(t, actual, count);
        } else {
          await t.save({ power_state: actual });
          await this.history(t, 'INFO', `During sync_power_state, node ${cur.uuid} state does not match expected state '${cur.power_state}'. Updating recorded state to '${py(actual)}'.`);
        }
        return count;
      });
    } catch (err) {
      if (err instanceof NodeLockedError) return previous;
      throw err;
    }
  }

  /** Set the hardware back to the recorded state (Ironic's node_power_action from the sync). */
  private async force(t: Task, actual: string | null, count: number): Promise<void> {
    const { registry, db, logger, config } = this.deps;
    const want = t.node.power_state!;
    const msg = `During sync_power_state, node ${t.node.uuid} state '${py(actual)}' does not match expected state. Changing hardware state to '${want}'.`;
    logger.warn({ node: t.node.uuid }, msg);
    try {
      const driver = registry.compose(t.node);
      await bounded(config.syncPowerStateTimeout, `Powering node ${t.node.uuid} to '${want}'`, async (signal) => {
        const h = await driverContext(db, t, logger, signal, driver);
        await driver.power.setPowerState(h.ctx, want);
        await h.flush();
      }, this.stopping.signal);
      await this.history(t, 'WARNING', msg);
    } catch (err) {
      await this.history(t, 'ERROR', `${msg} Failed to change power state of node ${t.node.uuid} to '${want}', attempt ${count} of ${config.powerStateSyncMaxRetries}: ${messageOf(err)}`);
    }
  }

  /** handle_sync_power_state_max_retries_exceeded: maintenance, fault, reason, last_error. */
  private async maxRetriesExceeded(t: Task, actual: string | null, err?: unknown): Promise<void> {
    const n = t.node;
    let msg = `During sync_power_state, max retries exceeded for node ${n.uuid}, node state ${py(actual)} does not match expected state '${py(n.power_state)}'. Updating DB state to '${py(actual)}' Switching node to maintenance mode.`;
    if (err !== undefined) msg += ` Error: ${messageOf(err)}`;
    this.deps.logger.error({ node: n.uuid }, msg);
    await failTask(this.deps, t, msg, { eventType: 'monitoring', extra: { power_state: actual, maintenance: true, maintenance_reason: msg, fault: POWER_FAILURE } });
    this.failures.delete(n.id);
  }

  /** _power_failure_recovery: one round over nodes in maintenance for a power failure. */
  async recoverAll(): Promise<void> {
    const rows = await this.deps.db.selectFrom('nodes').select(['id', 'uuid', 'driver', 'conductor_group']).where('reservation', 'is', null)
      .where('maintenance', '=', 1).where('fault', '=', POWER_FAILURE).execute();
    await eachBounded(rows.filter((r) => this.owns(r)).map((r) => r.id), this.deps.config.syncPowerStateWorkers, async (id) => {
      try { await this.recoverOne(id); } catch (err) { this.deps.logger.debug({ node: id, err: messageOf(err) }, 'power failure recovery: still failing'); }
    });
  }

  private async recoverOne(id: number): Promise<void> {
    const { nodes, registry, db, logger, config } = this.deps;
    const n = await nodes.getById(id);
    if (!n || n.provision_state === S.ENROLL || !n.maintenance || n.fault !== POWER_FAILURE || n.target_power_state || n.reservation) return;
    const driver = registry.compose(n);
    const actual = await bounded(config.syncPowerStateTimeout, `The BMC of node ${n.uuid}`, async (signal) => {
      const ctx = sharedContext(db, n, logger, driver, signal);
      await driver.power.validate(ctx);
      const s = await driver.power.getPowerState(ctx);
      if (s === P.ERROR) throw new Error('Power driver returned ERROR state while trying to get power state.');
      return s ?? null;
    }, this.stopping.signal);
    await this.locked(n, async (t) => {
      if (!t.node.maintenance || t.node.fault !== POWER_FAILURE) return;
      await t.save({ power_state: actual, maintenance: false, maintenance_reason: null, fault: null });
      await this.history(t, 'INFO', `Node ${n.uuid} is recovered from power failure with actual power state '${py(actual)}'.`);
    });
  }

  private async locked<T>(n: Node, fn: (t: Task) => Promise<T>): Promise<T> {
    return this.deps.tasks.withLock(n.id, 'power state sync', fn, { attempts: 1 });
  }

  private async history(t: Task, severity: 'INFO' | 'WARNING' | 'ERROR', event: string): Promise<void> {
    await this.deps.history.record(t.node.id, { conductor: this.deps.host, eventType: 'monitoring', severity, event }).catch(() => undefined);
  }
}
