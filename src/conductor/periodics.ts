/**
 * Periodic tasks of a conductor: heartbeat in `conductors` (which also aborts jobs whose
 * lock was taken away), power state sync and power failure recovery (power-sync.ts),
 * wait-state timeouts, orphans (dead conductors' locks, nodes nobody works on:
 * recovery.ts); and the start-up recovery of nodes left locked by a crashed run.
 * Every interval is in seconds (fractions allowed); 0 disables the task.
 */
import { isoNow, toIronicTime } from '../core/ids.ts';
import { ProvisionState as S } from '../core/states.ts';
import { messageOf } from '../core/errors.ts';
import type { FlowDeps } from './deps.ts';
import { Task } from './task.ts';
import { PowerSync } from './power-sync.ts';
import { checkOrphanNodes, sweepStuckNodes, takeOver } from './recovery.ts';
import { waitTimedOut } from './flows/agent-wait.ts';

export class Periodics {
  private timers: NodeJS.Timeout[] = [];
  private readonly inFlight = new Map<string, Promise<unknown>>();
  readonly power: PowerSync;
  constructor(private readonly deps: FlowDeps) { this.power = new PowerSync(deps); }

  /** The hash-ring filter: only this conductor's nodes (all of them without a ring). */
  private readonly owned = (n: { uuid: string; driver: string; conductor_group: string | null }): boolean =>
    this.deps.ownsNode ? this.deps.ownsNode(n) : true;

  async register(): Promise<void> {
    const { db, host, config, registry } = this.deps;
    const now = isoNow();
    const drivers = JSON.stringify(registry.hardwareTypeNames());
    const existing = await db.selectFrom('conductors').select('id').where('hostname', '=', host).executeTakeFirst();
    if (existing) {
      await db.updateTable('conductors').set({ online: 1, drivers, conductor_group: config.conductorGroup, updated_at: now }).where('id', '=', existing.id).execute();
    } else {
      await db.insertInto('conductors').values({ hostname: host, conductor_group: config.conductorGroup, online: 1, drivers, created_at: now, updated_at: now }).execute();
    }
  }

  async unregister(): Promise<void> {
    await this.deps.db.updateTable('conductors').set({ online: 0 }).where('hostname', '=', this.deps.host).execute();
  }

  /**
   * Nodes still locked by our name from a previous run (a crash or kill -9): the lock is
   * ours again, so each is recovered under it without a gap (see recovery.ts `takeOver`).
   */
  async recoverAfterRestart(): Promise<void> {
    const { nodes, host } = this.deps;
    const rows = await this.deps.db.selectFrom('nodes').select('id').where('reservation', '=', host).execute();
    for (const { id } of rows) {
      if (this.deps.jobs.has(id)) continue;
      const n = await nodes.getById(id);
      if (!n || n.reservation !== host) continue;
      await takeOver(this.deps, new Task(nodes, n, host, 'crash recovery'), `Conductor ${host} restarted`);
    }
    // Nodes nobody holds yet left with work in flight (e.g. a job that lost its lock).
    await sweepStuckNodes(this.deps);
  }

  start(): void {
    const c = this.deps.config;
    const every = (name: string, s: number, fn: () => Promise<unknown>) => {
      if (!(s > 0)) return;
      // One run at a time per task: a slow run skips the ticks it overlaps.
      const t = setInterval(() => {
        if (this.inFlight.has(name)) return;
        const p = fn().catch((err) => this.deps.logger.error({ err: messageOf(err), task: name }, 'periodic task failed'))
          .finally(() => this.inFlight.delete(name));
        this.inFlight.set(name, p);
      }, s * 1000);
      t.unref();
      this.timers.push(t);
    };
    every('heartbeat', c.heartbeatInterval, () => this.heartbeat());
    // Guarded only while a round is being dispatched: checks of a hung BMC do not delay the next round.
    every('power sync', c.syncPowerStateInterval, () => this.power.dispatch());
    every('wait timeouts', c.checkProvisionStateInterval, () => this.checkTimeouts());
    every('orphans', c.checkOrphanInterval, () => this.checkOrphans());
    every('power failure recovery', c.powerFailureRecoveryInterval, () => this.powerFailureRecovery());
  }

  /** Stop the timers and wait for the runs in progress. */
  async stop(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    await this.power.stop();
    await Promise.allSettled([...this.inFlight.values()]);
  }

  async runOnce(): Promise<void> {
    await this.heartbeat();
    await this.syncPowerStates();
    await this.checkTimeouts();
    await this.checkOrphans();
    await this.powerFailureRecovery();
  }

  /** Locks of dead conductors, then nodes left in a state with work in flight without a lock. */
  async checkOrphans(): Promise<void> {
    await checkOrphanNodes(this.deps);
    await sweepStuckNodes(this.deps);
  }

  /** Stamp our row; and abort the jobs whose node lock is no longer ours. */
  async heartbeat(): Promise<void> {
    const { db, host, jobs } = this.deps;
    await db.updateTable('conductors').set({ updated_at: isoNow(), online: 1 }).where('hostname', '=', host).execute();
    if (!jobs.size) return;
    // Only a lock that another conductor now holds counts as lost. A NULL reservation is
    // also what a job's own last write leaves behind, and that write may be committed
    // before the job has seen its answer (the task is not marked released yet).
    const holders = new Map((await db.selectFrom('nodes').select(['id', 'reservation']).where('id', 'in', [...jobs.keys()])
      .execute()).map((r) => [r.id, r.reservation]));
    for (const [id, task] of jobs) {
      const holder = holders.get(id);
      if (task.isReleased || !holder || holder === host) continue;
      task.abort(`Conductor ${host} lost the lock of node ${task.node.uuid} during "${task.purpose}" (another conductor took it over); the operation was stopped.`);
    }
  }

  /** Read each idle node's power state from its BMC (power-sync.ts). */
  async syncPowerStates(): Promise<void> { await this.power.syncAll(); }

  /** Take nodes out of maintenance whose BMC answers again after a power failure. */
  async powerFailureRecovery(): Promise<void> { await this.power.recoverAll(); }

  /** Fail nodes that waited too long for a callback. */
  async checkTimeouts(): Promise<void> {
    const c = this.deps.config;
    const limits: [string, number, string][] = [
      [S.DEPLOYWAIT, c.deployCallbackTimeout, 'deploying'],
      [S.CLEAN_WAIT, c.cleanCallbackTimeout, 'cleaning'],
      [S.INSPECT_WAIT, c.inspectWaitTimeout, 'inspecting'],
      [S.RESCUEWAIT, c.rescueCallbackTimeout, 'rescuing'],
    ];
    for (const [state, timeout, eventType] of limits) {
      if (timeout <= 0) continue;
      const cutoff = toIronicTime(new Date(Date.now() - timeout * 1000));
      const rows = await this.deps.db.selectFrom('nodes').select(['id', 'uuid', 'driver', 'conductor_group']).where('provision_state', '=', state)
        .where('reservation', 'is', null).where('provision_updated_at', '<', cutoff).execute();
      for (const { id } of rows.filter(this.owned)) {
        try {
          const task = await this.deps.tasks.acquire(id, 'timeout', { attempts: 1 });
          try {
            if (task.node.provision_state !== state) continue;
            // Ironic's text first (clients match it), then what to check.
            const msg = state === S.INSPECT_WAIT
              ? `timeout reached while inspecting the node (no inspection report within ${timeout} s). Check that the machine booted the ramdisk and can reach the inspection callback ${c.inspector.callbackUrl ?? '(the inspector API\'s /v1/continue)'}; then inspect again.`
              : `Timeout reached while waiting for callback for node ${task.node.uuid} in state "${state}" (waited ${timeout} s). Check that the ramdisk booted and can reach the API at ${c.apiUrl}.`;
            await waitTimedOut(this.deps, task, msg, eventType);
          } finally { await task.release(); }
        } catch { /* locked: try next round */ }
      }
    }
  }
}
