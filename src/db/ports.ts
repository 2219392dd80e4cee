/**
 * Ports: the row mapping and `portsOfNode` used by the conductor, and `PortRepo`, the
 * repository of the ports API (paged lists, create/update with Ironic's 409 texts).
 */
import type { Insertable, Kysely, Selectable } from 'kysely';
import type { Database, PortsTable } from './schema.ts';
import { fromJson, bool, toJson, int } from './connect.ts';
import type { Port, NewPort, PortChanges } from '../core/resources.ts';
import { ConflictError, NotFoundError } from '../core/errors.ts';
import { isoNow } from '../core/ids.ts';
import { page, type PageOptions } from './paging.ts';
import { uniqueColumn } from './unique.ts';

export type { Port, NewPort, PortChanges };

export function rowToPort(r: Selectable<PortsTable>): Port {
  return {
    ...r,
    local_link_connection: fromJson(r.local_link_connection, {}),
    internal_info: fromJson(r.internal_info, {}),
    extra: fromJson(r.extra, {}),
    pxe_enabled: bool(r.pxe_enabled),
    is_smartnic: bool(r.is_smartnic),
  };
}

export async function portsOfNode(db: Kysely<Database>, nodeId: number): Promise<Port[]> {
  const rows = await db.selectFrom('ports').selectAll().where('node_id', '=', nodeId).orderBy('id').execute();
  return rows.map(rowToPort);
}

/** Columns a port list may be sorted by (JSON columns are refused by the API first). */
export const PORT_SORT_COLUMNS = [
  'id', 'uuid', 'address', 'node_id', 'portgroup_id', 'pxe_enabled', 'physical_network', 'is_smartnic',
  'created_at', 'updated_at',
] as const;

export interface PortFilters {
  node_id?: number;
  portgroup_id?: number;
  /** Only ports of nodes whose shard is one of these. */
  shards?: string[];
}

function portRow(v: PortChanges): Record<string, unknown> {
  const row: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) {
    if (x === undefined) continue;
    if (k === 'local_link_connection' || k === 'extra') row[k] = toJson(x);
    else if (k === 'pxe_enabled' || k === 'is_smartnic') row[k] = int(x as boolean);
    else row[k] = x;
  }
  return row;
}

/**
 * The ports API's repository. Lookups by UUID and address are exact string matches, as
 * in Ironic's database layer (addresses are stored lower-case). Duplicate addresses and
 * UUIDs raise `ConflictError` with Ironic's texts.
 */
export class PortRepo {
  constructor(private readonly db: Kysely<Database>) {}

  async getById(id: number): Promise<Port | undefined> {
    const r = await this.db.selectFrom('ports').selectAll().where('id', '=', id).executeTakeFirst();
    return r ? rowToPort(r) : undefined;
  }
  async getByUuid(uuid: string): Promise<Port | undefined> {
    const r = await this.db.selectFrom('ports').selectAll().where('uuid', '=', uuid).executeTakeFirst();
    return r ? rowToPort(r) : undefined;
  }
  async getByAddress(address: string): Promise<Port | undefined> {
    const r = await this.db.selectFrom('ports').selectAll().where('address', '=', address).executeTakeFirst();
    return r ? rowToPort(r) : undefined;
  }

  async list(f: PortFilters, opts: PageOptions): Promise<Port[]> {
    let q = this.db.selectFrom('ports').selectAll();
    if (f.node_id !== undefined) q = q.where('node_id', '=', f.node_id);
    if (f.portgroup_id !== undefined) q = q.where('portgroup_id', '=', f.portgroup_id);
    if (f.shards !== undefined) {
      const shards = f.shards;
      q = q.where('node_id', 'in', (eb) => eb.selectFrom('nodes').select('id').where('shard', 'in', shards.length ? shards : ['']));
    }
    return (await page(q, opts).execute()).map(rowToPort);
  }

  /** Physical networks of the ports in a portgroup (distinct; NULL included), optionally without one port. */
  async physnetsOfPortgroup(portgroupId: number, excludePortId?: number): Promise<(string | null)[]> {
    let q = this.db.selectFrom('ports').select('physical_network').distinct().where('portgroup_id', '=', portgroupId);
    if (excludePortId !== undefined) q = q.where('id', '!=', excludePortId);
    return (await q.execute()).map((r) => r.physical_network);
  }

  async countInPortgroup(portgroupId: number): Promise<number> {
    const r = await this.db.selectFrom('ports').select((eb) => eb.fn.countAll<number>().as('n')).where('portgroup_id', '=', portgroupId).executeTakeFirst();
    return Number(r?.n ?? 0);
  }

  async create(v: NewPort): Promise<Port> {
    const now = isoNow();
    try {
      await this.db.insertInto('ports').values({ ...portRow(v), uuid: v.uuid, internal_info: null, created_at: now, updated_at: null } as Insertable<PortsTable>).execute();
    } catch (err) {
      const col = uniqueColumn(err, 'ports');
      if (col === 'address') throw new ConflictError(`A port with MAC address ${v.address} already exists.`);
      if (col) throw new ConflictError(`A port with UUID ${v.uuid} already exists.`);
      throw err;
    }
    return (await this.getByUuid(v.uuid))!;
  }

  async update(id: number, changes: PortChanges): Promise<Port> {
    const row = portRow(changes);
    if (Object.keys(row).length) {
      try {
        await this.db.updateTable('ports').set({ ...row, updated_at: isoNow() }).where('id', '=', id).execute();
      } catch (err) {
        if (uniqueColumn(err, 'ports')) throw new ConflictError(`A port with MAC address ${String(changes.address)} already exists.`);
        throw err;
      }
    }
    const p = await this.getById(id);
    if (!p) throw new NotFoundError(`Port ${id} could not be found.`);
    return p;
  }

  async delete(id: number): Promise<void> {
    await this.db.deleteFrom('ports').where('id', '=', id).execute();
  }
}
