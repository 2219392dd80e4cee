/**
 * Portgroup repository: rows ↔ `Portgroup`, paged lists, create/update/delete with
 * Ironic's conflict texts. Lookups are exact string matches (as Ironic's DB layer).
 */
import type { Insertable, Kysely, Selectable } from 'kysely';
import type { Database, PortgroupsTable } from './schema.ts';
import type { Portgroup, NewPortgroup, PortgroupChanges } from '../core/resources.ts';
import { ConflictError, InvalidError, NotFoundError } from '../core/errors.ts';
import { isoNow } from '../core/ids.ts';
import { fromJson, toJson, bool, int } from './connect.ts';
import { page, type PageOptions } from './paging.ts';
import { uniqueColumn } from './unique.ts';
import { inTransaction } from './transaction.ts';

export type { Portgroup, NewPortgroup, PortgroupChanges };

/** Ironic's `[DEFAULT]default_portgroup_mode`, stored when a portgroup is created without one. */
export const DEFAULT_PORTGROUP_MODE = 'active-backup';

/** Columns a portgroup list may be sorted by. */
export const PORTGROUP_SORT_COLUMNS = [
  'id', 'uuid', 'name', 'node_id', 'address', 'standalone_ports_supported', 'mode', 'created_at', 'updated_at',
] as const;

export function rowToPortgroup(r: Selectable<PortgroupsTable>): Portgroup {
  return {
    ...r,
    properties: fromJson(r.properties, {}),
    internal_info: fromJson(r.internal_info, {}),
    extra: fromJson(r.extra, {}),
    standalone_ports_supported: bool(r.standalone_ports_supported),
  };
}

function row(v: PortgroupChanges): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) {
    if (x === undefined) continue;
    if (k === 'properties' || k === 'extra') out[k] = toJson(x);
    else if (k === 'standalone_ports_supported') out[k] = int(x as boolean);
    else out[k] = x;
  }
  return out;
}

/** The 409 of a duplicate name / address / UUID (Ironic checks the columns in that order). */
function conflict(err: unknown, v: { uuid?: string; name?: string | null; address?: string | null }): Error {
  const col = uniqueColumn(err, 'portgroups');
  if (col === 'name') return new ConflictError(`A portgroup with name ${String(v.name)} already exists.`);
  if (col === 'address') return new ConflictError(`A portgroup with MAC address ${String(v.address)} already exists.`);
  if (col) return new ConflictError(`A portgroup with UUID ${String(v.uuid)} already exists.`);
  return err as Error;
}

export class PortgroupRepo {
  constructor(private readonly db: Kysely<Database>) {}

  private async one(col: 'id' | 'uuid' | 'name' | 'address', v: string | number): Promise<Portgroup | undefined> {
    const r = await this.db.selectFrom('portgroups').selectAll().where(col, '=', v as never).executeTakeFirst();
    return r ? rowToPortgroup(r) : undefined;
  }
  getById(id: number): Promise<Portgroup | undefined> { return this.one('id', id); }
  getByUuid(uuid: string): Promise<Portgroup | undefined> { return this.one('uuid', uuid); }
  getByName(name: string): Promise<Portgroup | undefined> { return this.one('name', name); }
  getByAddress(address: string): Promise<Portgroup | undefined> { return this.one('address', address); }

  async uuidsByIds(ids: number[]): Promise<Map<number, string>> {
    const m = new Map<number, string>();
    if (ids.length) for (const r of await this.db.selectFrom('portgroups').select(['id', 'uuid']).where('id', 'in', ids).execute()) m.set(r.id, r.uuid);
    return m;
  }

  async list(f: { node_id?: number }, opts: PageOptions): Promise<Portgroup[]> {
    let q = this.db.selectFrom('portgroups').selectAll();
    if (f.node_id !== undefined) q = q.where('node_id', '=', f.node_id);
    return (await page(q, opts).execute()).map(rowToPortgroup);
  }

  async create(v: NewPortgroup): Promise<Portgroup> {
    const values = { ...row(v), uuid: v.uuid, mode: v.mode || DEFAULT_PORTGROUP_MODE, internal_info: null, created_at: isoNow(), updated_at: null };
    try {
      await this.db.insertInto('portgroups').values(values as Insertable<PortgroupsTable>).execute();
    } catch (err) {
      throw conflict(err, v);
    }
    return (await this.getByUuid(v.uuid))!;
  }

  async update(id: number, changes: PortgroupChanges): Promise<Portgroup> {
    const r = row(changes);
    if (Object.keys(r).length) {
      try {
        await this.db.updateTable('portgroups').set({ ...r, updated_at: isoNow() }).where('id', '=', id).execute();
      } catch (err) {
        throw conflict(err, changes);
      }
    }
    const pg = await this.getById(id);
    if (!pg) throw new NotFoundError(`Portgroup ${id} could not be found.`);
    return pg;
  }

  /**
   * Delete a portgroup that has no ports; otherwise Ironic's PortgroupNotEmpty (an
   * `Invalid`, so 400). Check and delete run in one transaction.
   */
  async delete(pg: Portgroup): Promise<void> {
    await inTransaction(this.db, async (tx) => {
      const n = await tx.selectFrom('ports').select((eb) => eb.fn.countAll<number>().as('n')).where('portgroup_id', '=', pg.id).executeTakeFirst();
      if (Number(n?.n ?? 0) > 0) throw new InvalidError(`Cannot complete the requested action because portgroup ${pg.uuid} contains ports.`);
      await tx.deleteFrom('portgroups').where('id', '=', pg.id).execute();
    });
  }
}
