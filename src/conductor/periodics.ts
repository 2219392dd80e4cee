/**
 * Periodic tasks of a conductor: heartbeat in `conductors`, power state sync, wait-state
 * timeouts; and the start-up recovery of nodes left locked by a crashed run.
 */
import { isoNow, toIronicTime } from '../core/ids.ts';
import { ProvisionState as S } from '../core/states.ts';
import { CRASH_FAIL_STATES, nextState } from '../core/fsm.ts';
import { messageOf } from '../core/errors.ts';
import { type FlowDeps, failTask } from './deps.ts';
import { sharedContext } from './driver-context.ts';

export class Periodics {
  private timers: NodeJS.Timeout[] = [];
  constructor(private readonly deps: FlowDeps) {}

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

  /** Nodes we had locked when we died: release; fail the ones caught mid-operation. */
  async recoverAfterRestart(): Promise<void> {
    const { nodes, host } = this.deps;
    const ids = await nodes.releaseAllHeldBy(host);
    for (const id of ids) {
      const n = await nodes.getById(id);
      if (!n || !CRASH_FAIL_STATES.has(n.provision_state)) continue;
      try {
        const task = await this.deps.tasks.acquire(id, 'crash recovery', { attempts: 1 });
        try {
          const msg = `Conductor ${host} restarted while node ${n.uuid} was in state "${n.provision_state}"; the operation was interrupted. Retry it (e.g. "manage", "provide" or "deploy").`;
          if (nextState(n.provision_state, 'fail')) await failTask(this.deps, task, msg, { event: 'fail', eventType: 'conductor' });
        } finally { await task.release(); }
      } catch (err) {
        this.deps.logger.warn({ node: n.uuid, err: messageOf(err) }, 'crash recovery failed');
      }
    }
  }

  start(): void {
    const c = this.deps.config;
    const every = (s: number, fn: () => Promise<void>) => {
      if (s <= 0) return;
      const t = setInterval(() => { fn().catch((err) => this.deps.logger.error({ err: messageOf(err) }, 'periodic task failed')); }, s * 1000);
      t.unref();
      this.timers.push(t);
    };
    every(c.heartbeatInterval, () => this.heartbeat());
    every(c.syncPowerStateInterval, () => this.syncPowerStates());
    every(c.checkProvisionStateInterval, () => this.checkTimeouts());
  }

  stop(): void {
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
  }

  async runOnce(): Promise<void> {
    await this.heartbeat();
    await this.syncPowerStates();
    await this.checkTimeouts();
  }

  async heartbeat(): Promise<void> {
    await this.deps.db.updateTable('conductors').set({ updated_at: isoNow(), online: 1 }).where('hostname', '=', this.deps.host).execute();
  }

  /** Read each idle node's power state from its BMC and record changes. */
  async syncPowerStates(): Promise<void> {
    const { db, nodes, registry, logger } = this.deps;
    const rows = await db.selectFrom('nodes').select(['id', 'uuid', 'driver', 'conductor_group'])
      .where('reservation', 'is', null).where('maintenance', '=', 0).execute();
    for (const { id } of rows.filter(this.owned)) {
      const n = await nodes.getById(id);
      if (!n || n.reservation) continue;
      if (n.provision_state === S.ENROLL) continue;
      try {
        const d = registry.compose(n);
        const state = await d.power.getPowerState(sharedContext(db, n, logger));
        if (state !== n.power_state) {
          await nodes.update(n.id, { power_state: state }, { reservation: null });
          await this.deps.history.record(n.id, { conductor: this.deps.host, eventType: 'power', severity: 'INFO', event: `Power state of node ${n.uuid} changed outside Ingot: "${n.power_state}" → "${state}".` });
        }
      } catch (err) {
        logger.warn({ node: n.uuid, err: messageOf(err) }, 'power sync failed');
      }
    }
  }

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
            const msg = state === S.INSPECT_WAIT ? 'timeout reached while inspecting the node'
              : `Timeout reached while waiting for callback for node ${task.node.uuid} in state "${state}" (waited ${timeout} s). Check that the ramdisk booted and can reach the API.`;
            await failTask(this.deps, task, msg, { event: 'fail', eventType, extra: state === S.CLEAN_WAIT ? { fault: 'clean failure' } : {} });
          } finally { await task.release(); }
        } catch { /* locked: try next round */ }
      }
    }
  }
}
