/**
 * Takeover (Ironic's `_sync_local_state` + `_do_takeover`): every
 * `sync_local_state_interval` seconds a conductor looks at the nodes the hash ring gives
 * it whose `conductor_affinity` names another conductor — nodes it inherited when that
 * conductor died or the ring changed — and re-prepares what the previous owner held:
 *
 * - `active`: `deploy.prepare` + `deploy.takeOver` (boot configuration of the instance),
 *   as Ironic does;
 * - a wait state (`wait call-back`, `clean wait`, `rescue wait`, `inspect wait`): the
 *   ramdisk's boot files again (`boot.prepareRamdisk`), since the dead conductor served
 *   them; the agent's next heartbeat then reaches the new owner through the ring, and the
 *   flow continues there. A node that never calls back still times out (periodics.ts).
 *
 * Then `conductor_affinity` names this conductor. A node never taken over before (null
 * affinity) is only claimed. Maintenance and locked nodes wait for a later round. A failed
 * takeover is recorded (last_error, history) and retried next round; the node keeps its
 * state. Releasing locks of dead conductors and failing the work they had in flight is
 * the orphan check in periodics.ts.
 */
import { ProvisionState as S } from '../core/states.ts';
import { messageOf } from '../core/errors.ts';
import { type FlowDeps, prepare } from './deps.ts';

const RAMDISK_PURPOSE: Record<string, 'deploy' | 'clean' | 'rescue' | 'inspect'> = {
  [S.DEPLOYWAIT]: 'deploy', [S.CLEAN_WAIT]: 'clean', [S.RESCUEWAIT]: 'rescue', [S.INSPECT_WAIT]: 'inspect',
};
const TAKEN_OVER_STATES = [S.ACTIVE, ...Object.keys(RAMDISK_PURPOSE)] as string[];
/** Nodes taken over at once (Ironic's [conductor] periodic_max_workers default). */
const PARALLEL = 8;
/** Node ids per claiming UPDATE. */
const CLAIM_BATCH = 500;

export class Takeover {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;

  constructor(private readonly deps: FlowDeps) {}

  start(intervalS: number): void {
    if (intervalS <= 0) return;
    this.timer = setInterval(() => { void this.runOnce(); }, intervalS * 1000);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** One round; overlapping calls share the round in progress. */
  runOnce(): Promise<void> {
    if (!this.running) {
      this.running = this.round()
        .catch((err) => this.deps.logger.error({ err: messageOf(err) }, 'takeover round failed'))
        .finally(() => { this.running = null; });
    }
    return this.running;
  }

  private async round(): Promise<void> {
    const { db, host } = this.deps;
    const owns = this.deps.ownsNode ?? (() => true);
    const rows = await db.selectFrom('nodes').select(['id', 'uuid', 'driver', 'conductor_group', 'conductor_affinity'])
      .where('maintenance', '=', 0).where('reservation', 'is', null)
      .where('provision_state', 'in', TAKEN_OVER_STATES)
      .where((eb) => eb.or([eb('conductor_affinity', 'is', null), eb('conductor_affinity', '!=', host)]))
      .execute();
    const inherited: { id: number; from: string }[] = [];
    const unclaimed: number[] = [];
    for (const r of rows) {
      if (!owns(r)) continue;
      if (r.conductor_affinity === null) unclaimed.push(r.id);
      else inherited.push({ id: r.id, from: r.conductor_affinity });
    }
    // Claims in batches (a deploy sets the affinity itself; these are nodes from before
    // that, or adopted): one statement per batch, not one per node.
    for (let i = 0; i < unclaimed.length; i += CLAIM_BATCH) {
      await db.updateTable('nodes').set({ conductor_affinity: host })
        .where('id', 'in', unclaimed.slice(i, i + CLAIM_BATCH)).where('conductor_affinity', 'is', null).execute();
    }
    // Several at a time, as Ironic spawns a worker per node (periodic_max_workers, 8).
    let next = 0;
    await Promise.all(Array.from({ length: Math.min(PARALLEL, inherited.length) }, async () => {
      while (next < inherited.length) { const n = inherited[next++]!; await this.takeOver(n.id, n.from); }
    }));
  }

  private async takeOver(nodeId: number, previous: string): Promise<void> {
    const deps = this.deps;
    let task;
    try { task = await deps.tasks.acquire(nodeId, 'takeover', { attempts: 1 }); } catch { return; /* busy: next round */ }
    try {
      const n = task.node;
      if (n.maintenance || !TAKEN_OVER_STATES.includes(n.provision_state) || n.conductor_affinity === deps.host) return;
      const { driver, handle } = await prepare(deps, task);
      try {
        const purpose = RAMDISK_PURPOSE[n.provision_state];
        if (purpose) {
          await driver.boot.prepareRamdisk(handle.ctx, purpose);
        } else {
          await driver.deploy.prepare(handle.ctx);
          await driver.deploy.takeOver(handle.ctx);
        }
        await handle.flush();
        await task.save({ conductor_affinity: deps.host });
        await deps.history.record(n.id, {
          conductor: deps.host, eventType: 'takeover', severity: 'INFO',
          event: `Conductor ${deps.host} took over node ${n.uuid} in state "${n.provision_state}" from conductor ${previous}.`,
        });
      } catch (err) {
        const msg = `Conductor ${deps.host} failed to take over node ${n.uuid} from conductor ${previous}: ${messageOf(err)}. It retries every INGOT_SYNC_LOCAL_STATE_INTERVAL seconds; fix the cause or set the node in maintenance.`;
        deps.logger.warn({ node: n.uuid, err: messageOf(err) }, 'takeover failed');
        await task.save({ last_error: msg }).catch(() => undefined);
        await deps.history.record(n.id, { conductor: deps.host, eventType: 'takeover', severity: 'ERROR', event: msg }).catch(() => undefined);
      }
    } finally {
      await task.release().catch(() => undefined);
    }
  }
}
