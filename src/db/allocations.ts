/**
 * Allocation repository: rows ↔ `Allocation`, paged lists, and the two multi-row writes
 * that must be atomic — binding an allocation to a node and deleting an allocation
 * (which frees its node).
 *
 * Contract: every write is one statement or one transaction; a thrown error wrote nothing.
 * Duplicate names/UUIDs and node/instance clashes raise `ConflictError` with Ironic's texts.
 */
import type { Kysely, Selectable } from 'kysely';
import type { AllocationsTable, Database } from './schema.ts';
import type { Json } from '../core/node.ts';
import { ConflictError, NotFoundError } from '../core/errors.ts';
import { isoNow } from '../core/ids.ts';
import { fromJson, toJson } from './connect.ts';
import { page, type PageOptions } from './paging.ts';
import { uniqueColumn } from './unique.ts';
import { inTransaction } from './transaction.ts';

export type AllocationState = 'allocating' | 'active' | 'error';

/** The node already serves another instance (Ironic's NodeAssociated, 409). */
export class NodeAssociatedError extends ConflictError {}

export interface Allocation {
  id: number;
  uuid: string;
  name: string | null;
  node_id: number | null;
  state: AllocationState;
  owner: string | null;
  last_error: string | null;
  resource_class: string | null;
  traits: string[];
  /** Node UUIDs (names are resolved by the API before storing). */
  candidate_nodes: string[];
  extra: Json;
  /** id of the conductor that processes the allocation. */
  conductor_affinity: number | null;
  created_at: string;
  updated_at: string | null;
}

export interface AllocationFilters {
  node_id?: number;
  resource_class?: string;
  state?: string;
  owner?: string;
}

/** Columns a list may be sorted by (stored scalar columns; JSON columns are refused by the API). */
export const ALLOCATION_COLUMNS = [
  'id', 'uuid', 'name', 'node_id', 'state', 'owner', 'last_error', 'resource_class', 'traits', 'candidate_nodes',
  'extra', 'conductor_affinity', 'created_at', 'updated_at',
] as const;

function toAllocation(r: Selectable<AllocationsTable>): Allocation {
  return {
    ...r,
    state: r.state as AllocationState,
    traits: fromJson<string[]>(r.traits, []),
    candidate_nodes: fromJson<string[]>(r.candidate_nodes, []),
    extra: fromJson<Json>(r.extra, {}),
  };
}

export interface NewAllocation {
  uuid: string;
  name: string | null;
  owner: string | null;
  resource_class: string | null;
  traits: string[];
  candidate_nodes: string[];
  extra: Json;
  conductor_affinity: number | null;
}

export class AllocationRepo {
  constructor(private readonly db: Kysely<Database>) {}

  private async one(col: 'id' | 'uuid' | 'name' | 'node_id', v: string | number): Promise<Allocation | undefined> {
    const r = await this.db.selectFrom('allocations').selectAll().where(col, '=', v as never).executeTakeFirst();
    return r ? toAllocation(r) : undefined;
  }
  getById(id: number): Promise<Allocation | undefined> { return this.one('id', id); }
  getByUuid(uuid: string): Promise<Allocation | undefined> { return this.one('uuid', uuid); }
  getByName(name: string): Promise<Allocation | undefined> { return this.one('name', name); }
  getByNodeId(nodeId: number): Promise<Allocation | undefined> { return this.one('node_id', nodeId); }

  async list(f: AllocationFilters, opts: PageOptions): Promise<Allocation[]> {
    let q = this.db.selectFrom('allocations').selectAll();
    if (f.node_id !== undefined) q = q.where('node_id', '=', f.node_id);
    if (f.resource_class !== undefined) q = q.where('resource_class', '=', f.resource_class);
    if (f.state !== undefined) q = q.where('state', '=', f.state);
    if (f.owner !== undefined) q = q.where('owner', '=', f.owner);
    return (await page(q, opts).execute()).map(toAllocation);
  }

  /** Insert in state `allocating`. 409 on a duplicate name or UUID. */
  async create(v: NewAllocation): Promise<Allocation> {
    try {
      await this.db.insertInto('allocations').values({
        uuid: v.uuid, name: v.name, node_id: null, state: 'allocating', owner: v.owner, last_error: null,
        resource_class: v.resource_class, traits: toJson(v.traits), candidate_nodes: toJson(v.candidate_nodes),
        extra: toJson(v.extra), conductor_affinity: v.conductor_affinity, created_at: isoNow(), updated_at: null,
      }).execute();
    } catch (err) {
      const col = uniqueColumn(err, 'allocations');
      if (col === 'name') throw new ConflictError(`An allocation with name ${String(v.name)} already exists.`);
      if (col) throw new ConflictError(`An allocation with UUID ${v.uuid} already exists.`);
      throw err;
    }
    return (await this.getByUuid(v.uuid))!;
  }

  /** Update user-editable fields (name, extra). 409 on a duplicate name, 404 if gone. */
  async update(id: number, changes: { name?: string | null; extra?: Json }): Promise<Allocation> {
    const row: Record<string, unknown> = { updated_at: isoNow() };
    if ('name' in changes) row.name = changes.name;
    if ('extra' in changes) row.extra = toJson(changes.extra ?? {});
    try {
      await this.db.updateTable('allocations').set(row).where('id', '=', id).execute();
    } catch (err) {
      if (uniqueColumn(err, 'allocations') === 'name') throw new ConflictError(`An allocation with name ${String(changes.name)} already exists.`);
      throw err;
    }
    const a = await this.getById(id);
    if (!a) throw new NotFoundError(`Allocation ${id} could not be found.`);
    return a;
  }

  /** Mark failed: state error, last_error, no node. Returns false if the allocation is gone. */
  async fail(id: number, message: string): Promise<boolean> {
    const r = await this.db.updateTable('allocations')
      .set({ state: 'error', last_error: message, node_id: null, updated_at: isoNow() })
      .where('id', '=', id).executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  /**
   * Bind allocation `a` to node `nodeId` in one transaction: allocation → active with
   * node_id; node → allocation_id, instance_uuid = allocation UUID, instance_info.traits =
   * allocation traits. `reservation` is the lock the caller holds on the node.
   * Throws 404 if either row is gone, 409 NodeAssociated / InstanceAssociated on clashes.
   */
  async assignNode(a: Allocation, nodeId: number, reservation: string | null): Promise<Allocation> {
    const now = isoNow();
    try {
      await inTransaction(this.db, async (tx) => {
        const node = await tx.selectFrom('nodes').select(['uuid', 'instance_uuid', 'instance_info', 'reservation'])
          .where('id', '=', nodeId).executeTakeFirst();
        if (!node) throw new NotFoundError(`Node ${nodeId} could not be found.`);
        if (node.instance_uuid && node.instance_uuid !== a.uuid) {
          throw new NodeAssociatedError(`Node ${node.uuid} is associated with instance ${node.instance_uuid}.`);
        }
        const res = await tx.updateTable('allocations').set({ node_id: nodeId, state: 'active', updated_at: now })
          .where('id', '=', a.id).executeTakeFirst();
        if (Number(res.numUpdatedRows) === 0) throw new NotFoundError(`Allocation ${a.uuid} could not be found.`);
        const info = { ...fromJson<Json>(node.instance_info, {}), traits: a.traits };
        let q = tx.updateTable('nodes').set({ allocation_id: a.id, instance_uuid: a.uuid, instance_info: toJson(info), updated_at: now })
          .where('id', '=', nodeId);
        q = q.where('reservation', reservation === null ? 'is' : '=', reservation);
        const nres = await q.executeTakeFirst();
        if (Number(nres.numUpdatedRows) === 0) throw new ConflictError(`Node ${node.uuid} is locked by another process.`);
      });
    } catch (err) {
      const col = uniqueColumn(err, 'nodes');
      if (col === 'instance_uuid') {
        const n = await this.db.selectFrom('nodes').select('uuid').where('id', '=', nodeId).executeTakeFirst();
        throw new ConflictError(`Instance ${a.uuid} is already associated with a node, it cannot be associated with this other node ${n?.uuid ?? nodeId}`);
      }
      if (uniqueColumn(err, 'allocations') === 'node_id') {
        const n = await this.db.selectFrom('nodes').select(['uuid', 'instance_uuid']).where('id', '=', nodeId).executeTakeFirst();
        throw new NodeAssociatedError(`Node ${n?.uuid ?? nodeId} is associated with instance ${n?.instance_uuid ?? 'None'}.`);
      }
      throw err;
    }
    return (await this.getById(a.id))!;
  }

  /** Delete the allocation and free its node (allocation_id, instance_uuid → NULL). 404 if gone. */
  async destroy(id: number): Promise<void> {
    await inTransaction(this.db, async (tx) => {
      const now = isoNow();
      await tx.updateTable('nodes').set({ allocation_id: null, instance_uuid: null, updated_at: now }).where('allocation_id', '=', id).execute();
      const r = await tx.deleteFrom('allocations').where('id', '=', id).executeTakeFirst();
      if (Number(r.numDeletedRows) === 0) throw new NotFoundError(`Allocation ${id} could not be found.`);
    });
  }
}
