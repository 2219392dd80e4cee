/**
 * Node repository: rows ↔ `Node`, lists with filters/paging, and the reservation lock.
 *
 * Contract: every write is one statement or one transaction; a thrown error wrote nothing.
 */
import { sql, PostgresAdapter, MysqlAdapter, type Kysely, type Selectable, type Insertable, type Updateable, type SelectQueryBuilder, type RawBuilder } from 'kysely';
import type { Database, NodesTable } from './schema.ts';
import type { Node, NodeChanges } from '../core/node.ts';
import type { ProvisionState } from '../core/states.ts';
import { isoNow } from '../core/ids.ts';
import { fromJson, toJson, bool, boolOrNull, int, selectArrays, runTemplate } from './connect.ts';
import { inTransaction } from './transaction.ts';

const JSON_FIELDS = [
  'driver_info', 'driver_internal_info', 'extra', 'instance_info', 'properties', 'clean_step',
  'deploy_step', 'raid_config', 'target_raid_config', 'network_data',
] as const;
const BOOL_FIELDS = ['console_enabled', 'maintenance', 'protected', 'retired'] as const;

export function rowToNode(r: Selectable<NodesTable>, traits: string[]): Node {
  const n = { ...r } as unknown as Record<string, unknown>;
  for (const f of JSON_FIELDS) n[f] = fromJson(r[f], {});
  for (const f of BOOL_FIELDS) n[f] = bool(r[f]);
  n.automated_clean = boolOrNull(r.automated_clean);
  n.secure_boot = boolOrNull(r.secure_boot);
  n.traits = traits;
  return n as unknown as Node;
}

function changesToRow(c: NodeChanges): Updateable<NodesTable> {
  const row: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(c)) {
    if (v === undefined) continue;
    if ((JSON_FIELDS as readonly string[]).includes(k)) row[k] = toJson(v);
    else if ((BOOL_FIELDS as readonly string[]).includes(k)) row[k] = int(v as boolean);
    else if (k === 'automated_clean' || k === 'secure_boot') row[k] = v === null ? null : int(v as boolean);
    else row[k] = v;
  }
  return row as Updateable<NodesTable>;
}

export interface NodeFilters {
  chassis_id?: number;
  instance_uuid?: string;
  associated?: boolean;
  maintenance?: boolean;
  retired?: boolean;
  provision_state?: string;
  driver?: string;
  resource_class?: string;
  fault?: string;
  conductor_group?: string;
  owner?: string;
  lessee?: string;
  /** owner OR lessee equals this project */
  project?: string;
  description_contains?: string;
  shard_in?: string[];
  sharded?: boolean;
  conductor_affinity?: string;
  reserved?: boolean;
  provision_state_in?: readonly string[];
}

/** A page of node rows as arrays; see NodeRepo.listRows. */
export interface NodeRowPage {
  columns: ReadonlyMap<string, number>;
  rows: unknown[][];
  traits: Map<number, string[]>;
}

export interface ListOptions {
  limit: number;
  marker?: { id: number; sortValue: unknown } | undefined;
  sortKey: string;
  sortDir: 'asc' | 'desc';
}

export class NodeRepo {
  /** SQL text of compiled statement shapes, for runTemplate. */
  private readonly templates = new Map<string, string>();
  constructor(private readonly db: Kysely<Database>) {}

  private async traitsFor(ids: number[]): Promise<Map<number, string[]>> {
    const out = new Map<number, string[]>();
    if (ids.length === 0) return out;
    const CHUNK = 500;
    for (let i = 0; i < ids.length; i += CHUNK) {
      const rows = await this.db.selectFrom('node_traits').select(['node_id', 'trait'])
        .where('node_id', 'in', ids.slice(i, i + CHUNK)).orderBy('trait').execute();
      for (const r of rows) {
        const l = out.get(r.node_id);
        if (l) l.push(r.trait); else out.set(r.node_id, [r.trait]);
      }
    }
    return out;
  }

  /**
   * The node's traits as one comma-joined column of the same statement (a correlated
   * subquery on node_traits' primary key), so that reading one node is one statement.
   * Traits never hold a comma (core/traits.ts), so splitting is exact.
   */
  private traitsColumn(): RawBuilder<string | null> {
    const adapter = this.db.getExecutor().adapter;
    const agg = adapter instanceof PostgresAdapter ? sql`string_agg(t.trait, ',')`
      : adapter instanceof MysqlAdapter ? sql`group_concat(t.trait separator ',')`
        : sql`group_concat(t.trait, ',')`;
    return sql<string | null>`(select ${agg} from node_traits t where t.node_id = nodes.id)`;
  }

  private withTraits(r: Selectable<NodesTable> & { traits_csv: string | null }): Node {
    const { traits_csv: csv, ...row } = r;
    return rowToNode(row, csv ? csv.split(',').sort() : []);
  }

  private async getOne(col: 'id' | 'uuid' | 'name' | 'instance_uuid', value: string | number): Promise<Node | undefined> {
    const r = await this.db.selectFrom('nodes').selectAll('nodes').select(this.traitsColumn().as('traits_csv'))
      .where(col, '=', value as never).executeTakeFirst();
    return r ? this.withTraits(r) : undefined;
  }

  async getById(id: number): Promise<Node | undefined> { return this.getOne('id', id); }
  async getByUuid(uuid: string): Promise<Node | undefined> { return this.getOne('uuid', uuid); }
  async getByName(name: string): Promise<Node | undefined> { return this.getOne('name', name); }
  async getByInstanceUuid(uuid: string): Promise<Node | undefined> { return this.getOne('instance_uuid', uuid); }

  private applyFilters<O>(q: SelectQueryBuilder<Database, 'nodes', O>, f: NodeFilters): SelectQueryBuilder<Database, 'nodes', O> {
    if (f.chassis_id !== undefined) q = q.where('chassis_id', '=', f.chassis_id);
    if (f.instance_uuid !== undefined) q = q.where('instance_uuid', '=', f.instance_uuid);
    if (f.associated !== undefined) q = q.where('instance_uuid', f.associated ? 'is not' : 'is', null);
    if (f.maintenance !== undefined) q = q.where('maintenance', '=', int(f.maintenance));
    if (f.retired !== undefined) q = q.where('retired', '=', int(f.retired));
    if (f.provision_state !== undefined) q = q.where('provision_state', '=', f.provision_state);
    if (f.provision_state_in !== undefined) q = q.where('provision_state', 'in', [...f.provision_state_in]);
    if (f.driver !== undefined) q = q.where('driver', '=', f.driver);
    if (f.resource_class !== undefined) q = q.where('resource_class', '=', f.resource_class);
    if (f.fault !== undefined) q = q.where('fault', '=', f.fault);
    if (f.conductor_group !== undefined) q = q.where(sql`lower(conductor_group)`, '=', f.conductor_group.toLowerCase());
    if (f.owner !== undefined) q = q.where('owner', '=', f.owner);
    if (f.lessee !== undefined) q = q.where('lessee', '=', f.lessee);
    if (f.project !== undefined) { const p = f.project; q = q.where((eb) => eb.or([eb('owner', '=', p), eb('lessee', '=', p)])); }
    if (f.description_contains !== undefined) q = q.where('description', 'like', `%${f.description_contains.replace(/[%_\\]/g, (m) => '\\' + m)}%`);
    if (f.shard_in !== undefined) q = q.where('shard', 'in', f.shard_in);
    if (f.sharded !== undefined) q = q.where('shard', f.sharded ? 'is not' : 'is', null);
    if (f.conductor_affinity !== undefined) q = q.where('conductor_affinity', '=', f.conductor_affinity);
    if (f.reserved !== undefined) q = q.where('reservation', f.reserved ? 'is not' : 'is', null);
    return q;
  }

  /**
   * One page, ordered by (sortKey, id), the marker being the last row of the previous
   * page; without building `Node`s or row objects: the rows as stored (JSON columns as
   * text, booleans as 0/1) as arrays, the column of each name, and each row's traits
   * (keyed by node id), for views that render rows directly.
   */
  async listRows(filters: NodeFilters, opts: ListOptions): Promise<NodeRowPage> {
    const { columns, rows } = await selectArrays(this.db, this.pageQuery(filters, opts));
    const index = new Map(columns.map((c, i) => [c, i]));
    const idCol = index.get('id') ?? -1;
    return { columns: index, rows, traits: await this.traitsFor(rows.map((r) => r[idCol] as number)) };
  }

  private pageQuery(filters: NodeFilters, opts: ListOptions): SelectQueryBuilder<Database, 'nodes', Selectable<NodesTable>> {
    let q = this.applyFilters(this.db.selectFrom('nodes').selectAll(), filters);
    const key = opts.sortKey as keyof NodesTable & string;
    const cmp = opts.sortDir === 'asc' ? '>' : '<';
    if (opts.marker) {
      const { id, sortValue } = opts.marker;
      if (key === 'id') q = q.where('id', cmp, id);
      else if (sortValue === null || sortValue === undefined) {
        // NULLs sort first ascending (SQLite/MySQL); treat them as lowest.
        q = opts.sortDir === 'asc'
          ? q.where((eb) => eb.or([eb.and([eb(key, 'is', null), eb('id', '>', id)]), eb(key, 'is not', null)]))
          : q.where((eb) => eb.and([eb(key, 'is', null), eb('id', '<', id)]));
      } else {
        q = q.where((eb) => eb.or([
          eb(key, cmp, sortValue as never),
          eb.and([eb(key, '=', sortValue as never), eb('id', cmp, id)]),
          ...(opts.sortDir === 'desc' ? [eb(key, 'is', null)] : []),
        ]));
      }
    }
    q = q.orderBy(key, opts.sortDir);
    if (key !== 'id') q = q.orderBy('id', opts.sortDir);
    if (opts.limit > 0) q = q.limit(opts.limit);
    return q;
  }

  async count(filters: NodeFilters): Promise<number> {
    const r = await this.applyFilters(this.db.selectFrom('nodes').select((eb) => eb.fn.countAll<number>().as('n')), filters).executeTakeFirst();
    return Number(r?.n ?? 0);
  }

  /** Insert a node. Throws the driver's unique-constraint error on duplicate uuid/name/instance_uuid. */
  async create(values: NodeChanges & { uuid: string; driver: string; provision_state: ProvisionState }, traits: string[] = []): Promise<Node> {
    const now = isoNow();
    const row = { ...changesToRow(values), uuid: values.uuid, created_at: now, updated_at: null } as Insertable<NodesTable>;
    // NOTE: without traits the insert is one statement (atomic alone), so no transaction,
    // and where the dialect has RETURNING (SQLite, PostgreSQL) it also reads the row back:
    // 1 statement instead of 5 on the API's hottest write path. Traits are the ones just
    // written, so they are not read back.
    if (traits.length) {
      await inTransaction(this.db, async (tx) => {
        const res = await tx.insertInto('nodes').values(row).executeTakeFirstOrThrow();
        const id = Number(res.insertId ?? 0) || (await tx.selectFrom('nodes').select('id').where('uuid', '=', values.uuid).executeTakeFirstOrThrow()).id;
        await tx.insertInto('node_traits').values(traits.map((t) => ({ node_id: id, trait: t, created_at: now }))).execute();
      });
    } else if (this.db.getExecutor().adapter.supportsReturning) {
      const cols = Object.keys(row) as (keyof typeof row)[];
      const r = await runTemplate(this.db, this.templates, `insert:${cols.join(',')}`, cols.map((c) => row[c]),
        () => this.db.insertInto('nodes').values(row).returningAll());
      return rowToNode(r.rows[0]!, []);
    } else {
      await this.db.insertInto('nodes').values(row).executeTakeFirstOrThrow();
    }
    const r = await this.db.selectFrom('nodes').selectAll().where('uuid', '=', values.uuid).executeTakeFirst();
    if (!r) throw new Error('node vanished after insert');
    return rowToNode(r, [...traits].sort());
  }

  /**
   * Update columns of one node. `expect` adds optimistic conditions (e.g. the reservation
   * we hold); returns false if no row matched them.
   */
  async update(id: number, changes: NodeChanges, expect: { reservation?: string | null } = {}): Promise<boolean> {
    const row = changesToRow(changes) as Record<string, unknown>;
    row.updated_at = isoNow();
    // The conductor's hottest statement (every save under a task): compiled once per
    // column set and lock condition (see runTemplate).
    const cols = Object.keys(row);
    const held = expect.reservation !== undefined && expect.reservation !== null;
    const params = [...cols.map((c) => row[c]), id, ...(held ? [expect.reservation] : [])];
    const key = `${expect.reservation === undefined ? 'any' : held ? 'held' : 'free'}:${cols.join(',')}`;
    const r = await runTemplate(this.db, this.templates, key, params, () => {
      let q = this.db.updateTable('nodes').set(row as Updateable<NodesTable>).where('id', '=', id);
      if (expect.reservation !== undefined) q = q.where('reservation', expect.reservation === null ? 'is' : '=', expect.reservation);
      return q;
    });
    return Number(r.numAffectedRows ?? 0n) > 0;
  }

  /** Atomically take the exclusive lock: succeeds only if nobody holds it. */
  async reserve(id: number, host: string): Promise<boolean> {
    const r = await this.db.updateTable('nodes').set({ reservation: host })
      .where('id', '=', id).where('reservation', 'is', null).executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  /**
   * Take the exclusive lock for `host` and stamp updated_at (Ironic's reservation write
   * does) in one atomic UPDATE, and return the locked node. Undefined when the node does
   * not exist or someone holds the lock (the caller tells which). Where the dialect has
   * UPDATE … RETURNING (SQLite, PostgreSQL) the row comes back with the write; MariaDB
   * reads it afterwards, which is safe because we hold the lock by then.
   */
  async lock(id: number, host: string): Promise<Node | undefined> {
    const now = isoNow();
    const q = () => this.db.updateTable('nodes').set({ reservation: host, updated_at: now })
      .where('id', '=', id).where('reservation', 'is', null);
    if (this.db.getExecutor().adapter.supportsReturning) {
      const r = await runTemplate(this.db, this.templates, 'lock', [host, now, id],
        () => q().returningAll().returning(this.traitsColumn().as('traits_csv')));
      const row = r.rows[0];
      return row ? this.withTraits(row) : undefined;
    }
    const r = await q().executeTakeFirst();
    return Number(r.numUpdatedRows) === 1 ? this.getById(id) : undefined;
  }

  /** Release our lock. Returns false if we did not hold it. */
  async release(id: number, host: string): Promise<boolean> {
    const r = await this.db.updateTable('nodes').set({ reservation: null })
      .where('id', '=', id).where('reservation', '=', host).executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  /** Release every lock held by `host` (stale reservations after a restart). Returns node ids. */
  async releaseAllHeldBy(host: string): Promise<number[]> {
    const rows = await this.db.selectFrom('nodes').select('id').where('reservation', '=', host).execute();
    if (rows.length) await this.db.updateTable('nodes').set({ reservation: null }).where('reservation', '=', host).execute();
    return rows.map((r) => r.id);
  }

  async delete(id: number): Promise<void> {
    await inTransaction(this.db, async (tx) => {
      await tx.deleteFrom('node_traits').where('node_id', '=', id).execute();
      await tx.deleteFrom('node_tags').where('node_id', '=', id).execute();
      await tx.deleteFrom('bios_settings').where('node_id', '=', id).execute();
      await tx.deleteFrom('node_history').where('node_id', '=', id).execute();
      await tx.deleteFrom('node_inventory').where('node_id', '=', id).execute();
      await tx.deleteFrom('ports').where('node_id', '=', id).execute();
      await tx.deleteFrom('portgroups').where('node_id', '=', id).execute();
      await tx.deleteFrom('volume_connectors').where('node_id', '=', id).execute();
      await tx.deleteFrom('volume_targets').where('node_id', '=', id).execute();
      await tx.deleteFrom('nodes').where('id', '=', id).execute();
    });
  }

  async setTraits(id: number, traits: string[]): Promise<void> {
    const now = isoNow();
    await inTransaction(this.db, async (tx) => {
      await tx.deleteFrom('node_traits').where('node_id', '=', id).execute();
      if (traits.length) await tx.insertInto('node_traits').values(traits.map((t) => ({ node_id: id, trait: t, created_at: now }))).execute();
      await tx.updateTable('nodes').set({ updated_at: now }).where('id', '=', id).execute();
    });
  }
}
