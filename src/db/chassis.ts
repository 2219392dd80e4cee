/**
 * Chassis repository. A chassis that still has nodes cannot be deleted (Ironic's
 * ChassisNotEmpty, an `Invalid`, so 400); the check and the delete share a transaction.
 */
import type { Insertable, Kysely, Selectable } from 'kysely';
import type { ChassisTable, Database } from './schema.ts';
import type { Json } from '../core/node.ts';
import { ConflictError, InvalidError, NotFoundError } from '../core/errors.ts';
import { isoNow } from '../core/ids.ts';
import { fromJson, toJson } from './connect.ts';
import { page, type PageOptions } from './paging.ts';
import { uniqueColumn } from './unique.ts';
import { inTransaction } from './transaction.ts';

export interface Chassis {
  id: number;
  uuid: string;
  description: string | null;
  extra: Json;
  created_at: string;
  updated_at: string | null;
}

/** Columns a chassis list may be sorted by. */
export const CHASSIS_SORT_COLUMNS = ['id', 'uuid', 'description', 'created_at', 'updated_at'] as const;

export function rowToChassis(r: Selectable<ChassisTable>): Chassis {
  return { ...r, extra: fromJson(r.extra, {}) };
}

export class ChassisRepo {
  constructor(private readonly db: Kysely<Database>) {}

  async getByUuid(uuid: string): Promise<Chassis | undefined> {
    const r = await this.db.selectFrom('chassis').selectAll().where('uuid', '=', uuid).executeTakeFirst();
    return r ? rowToChassis(r) : undefined;
  }

  async list(opts: PageOptions): Promise<Chassis[]> {
    return (await page(this.db.selectFrom('chassis').selectAll(), opts).execute()).map(rowToChassis);
  }

  async create(v: { uuid: string; description: string | null; extra: Json }): Promise<Chassis> {
    const values = { uuid: v.uuid, description: v.description, extra: toJson(v.extra), created_at: isoNow(), updated_at: null };
    try {
      await this.db.insertInto('chassis').values(values as Insertable<ChassisTable>).execute();
    } catch (err) {
      if (uniqueColumn(err, 'chassis')) throw new ConflictError(`A chassis with UUID ${v.uuid} already exists.`);
      throw err;
    }
    return (await this.getByUuid(v.uuid))!;
  }

  async update(id: number, changes: { description?: string | null; extra?: Json }): Promise<Chassis> {
    const set: Record<string, unknown> = {};
    if (changes.description !== undefined) set.description = changes.description;
    if (changes.extra !== undefined) set.extra = toJson(changes.extra);
    if (Object.keys(set).length) await this.db.updateTable('chassis').set({ ...set, updated_at: isoNow() }).where('id', '=', id).execute();
    const r = await this.db.selectFrom('chassis').selectAll().where('id', '=', id).executeTakeFirst();
    if (!r) throw new NotFoundError(`Chassis ${id} could not be found.`);
    return rowToChassis(r);
  }

  async delete(c: Chassis): Promise<void> {
    await inTransaction(this.db, async (tx) => {
      const n = await tx.selectFrom('nodes').select((eb) => eb.fn.countAll<number>().as('n')).where('chassis_id', '=', c.id).executeTakeFirst();
      if (Number(n?.n ?? 0) > 0) throw new InvalidError(`Cannot complete the requested action because chassis ${c.uuid} contains nodes.`);
      await tx.deleteFrom('chassis').where('id', '=', c.id).execute();
    });
  }
}
