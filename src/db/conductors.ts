/**
 * Conductor membership as stored in `conductors`, and the hash rings built from it.
 *
 * A conductor is *active* when it is marked online and its heartbeat (`updated_at`) is
 * newer than `heartbeat_timeout` (Ironic's `_filter_active_conductors`). Rings are built
 * per `"<conductor group>:<hardware type>"` over active conductors (Ironic's
 * `get_active_hardware_type_dict(use_groups=True)`), cached for `hash_ring_reset_interval`
 * seconds and rebuilt at once when a lookup misses (a conductor may just have joined).
 */
import type { Kysely } from 'kysely';
import type { Database } from './schema.ts';
import { HashRing } from '../core/hash-ring.ts';
import { toIronicTime } from '../core/ids.ts';
import { IngotError, InvalidError, NotFoundError } from '../core/errors.ts';

export interface ActiveConductor {
  hostname: string;
  conductorGroup: string;
  hardwareTypes: string[];
  rpcAddress: string | null;
}

/** What the ring needs of a node. */
export interface RingNode { uuid: string; driver: string; conductor_group: string | null }

export class ConductorRepo {
  constructor(private readonly db: Kysely<Database>) {}

  private cutoff(heartbeatTimeout: number): string {
    return toIronicTime(new Date(Date.now() - heartbeatTimeout * 1000));
  }

  async active(heartbeatTimeout: number): Promise<ActiveConductor[]> {
    const rows = await this.db.selectFrom('conductors').select(['hostname', 'conductor_group', 'drivers', 'rpc_address'])
      .where('online', '=', 1).where('updated_at', '>=', this.cutoff(heartbeatTimeout)).execute();
    return rows.map((r) => ({
      hostname: r.hostname, conductorGroup: r.conductor_group ?? '', rpcAddress: r.rpc_address,
      hardwareTypes: parseList(r.drivers),
    }));
  }

  /** Host names whose heartbeat is older than `heartbeat_timeout` (Ironic's get_offline_conductors). */
  async offline(heartbeatTimeout: number): Promise<string[]> {
    const rows = await this.db.selectFrom('conductors').select('hostname')
      .where('updated_at', '<', this.cutoff(heartbeatTimeout)).execute();
    return rows.map((r) => r.hostname);
  }

  async setRpcAddress(hostname: string, address: string | null): Promise<void> {
    await this.db.updateTable('conductors').set({ rpc_address: address }).where('hostname', '=', hostname).execute();
  }
}

function parseList(text: string | null): string[] {
  try {
    const v = JSON.parse(text ?? '[]') as unknown;
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
  } catch { return []; }
}

export interface RingOptions {
  heartbeatTimeout: number;
  /** Seconds a built ring stays in use (Ironic `hash_ring_reset_interval`, 15). */
  resetInterval: number;
  /** 2^exponent points per conductor (Ironic `hash_partition_exponent`, 5). */
  partitionExponent: number;
  /** Ironic `hash_ring_algorithm` (md5). */
  algorithm: string;
}

interface Snapshot {
  rings: Map<string, HashRing>;
  conductors: Map<string, ActiveConductor>;
  builtAt: number;
}

export class HashRingManager {
  private snap: Snapshot | null = null;
  private loading: Promise<Snapshot> | null = null;
  private readonly repo: ConductorRepo;

  constructor(db: Kysely<Database>, readonly opts: RingOptions) { this.repo = new ConductorRepo(db); }

  /** Forget the cached rings; the next lookup rebuilds them. */
  reset(): void { this.snap = null; }

  private async load(): Promise<Snapshot> {
    const active = await this.repo.active(this.opts.heartbeatTimeout);
    const hostsByKey = new Map<string, string[]>();
    for (const c of active) {
      for (const hw of c.hardwareTypes) {
        const key = `${c.conductorGroup.toLowerCase()}:${hw}`;
        const l = hostsByKey.get(key);
        if (l) l.push(c.hostname); else hostsByKey.set(key, [c.hostname]);
      }
    }
    const parts = 2 ** this.opts.partitionExponent;
    const rings = new Map([...hostsByKey].map(([k, hosts]) => [k, new HashRing(hosts, parts, this.opts.algorithm)]));
    return { rings, conductors: new Map(active.map((c) => [c.hostname, c])), builtAt: Date.now() };
  }

  /** The cached snapshot, rebuilt when older than the reset interval (or `force`). */
  async refresh(force = false): Promise<void> {
    const fresh = this.snap && Date.now() - this.snap.builtAt < this.opts.resetInterval * 1000;
    if (fresh && !force) return;
    if (!this.loading) {
      this.loading = this.load().then((s) => { this.snap = s; return s; }).finally(() => { this.loading = null; });
    }
    await this.loading;
  }

  private ownerIn(snap: Snapshot | null, n: RingNode): string | null | undefined {
    if (!snap) return undefined;
    if (snap.conductors.size === 0) return undefined;
    const ring = snap.rings.get(`${(n.conductor_group ?? '').toLowerCase()}:${n.driver}`);
    return ring ? ring.hostFor(n.uuid) : null;
  }

  /**
   * The owner per the cached rings, without touching the database: for rendering a
   * node's `conductor` field and for periodic-task filters. Null when no active
   * conductor serves the node's driver and group (or nothing is loaded yet).
   */
  cachedOwner(n: RingNode): string | null {
    return this.ownerIn(this.snap, n) ?? null;
  }

  /**
   * Ironic's get_conductor_for: the owner, after a rebuild if the cached rings have no
   * answer. Throws 503 when no conductor is active at all (TemporaryFailure) and
   * NoValidHost otherwise (400 as Ironic's node create/update answer it, 404 elsewhere).
   */
  async ownerOf(n: RingNode, noHostStatus: 400 | 404 = 404): Promise<string> {
    await this.refresh();
    let owner = this.ownerIn(this.snap, n);
    if (!owner) {
      await this.refresh(true);
      owner = this.ownerIn(this.snap, n);
    }
    if (owner) return owner;
    if (owner === undefined) throw new IngotError('Unavailable', 'Resource temporarily unavailable, please retry.', { retryable: true });
    const msg = `No valid host was found. Reason: No conductor service registered which supports driver ${n.driver} for conductor group "${n.conductor_group ?? ''}".`;
    throw noHostStatus === 400 ? new InvalidError(msg) : new NotFoundError(msg);
  }

  /**
   * Active conductors serving `driver` in any group (Ironic's get_topic_for_driver), after
   * a rebuild if the cached snapshot has none, as `ownerOf` does: an API that started
   * before its conductors registered must not answer "no drivers" until the next reset.
   */
  async hostsForDriver(driver?: string): Promise<ActiveConductor[]> {
    const pick = (): ActiveConductor[] => {
      const all = [...(this.snap?.conductors.values() ?? [])];
      return driver === undefined ? all : all.filter((c) => c.hardwareTypes.includes(driver));
    };
    await this.refresh();
    if (pick().length === 0) await this.refresh(true);
    return pick();
  }

  /** The registered conductor record (for its RPC address), from the cached snapshot. */
  async conductor(hostname: string): Promise<ActiveConductor | undefined> {
    await this.refresh();
    return this.snap?.conductors.get(hostname);
  }
}
