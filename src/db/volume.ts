/**
 * Volume connector and target repositories (API 1.32). Connectors are unique by
 * (type, connector_id), targets by (node, boot_index); violations raise Ironic's 409 texts.
 */
import type { Insertable, Kysely, Selectable } from 'kysely';
import type { Database, VolumeConnectorsTable, VolumeTargetsTable } from './schema.ts';
import type { VolumeConnector, VolumeTarget, NewConnector, NewTarget } from '../core/resources.ts';
import { ConflictError, NotFoundError } from '../core/errors.ts';
import { isoNow } from '../core/ids.ts';
import { fromJson, toJson } from './connect.ts';
import { page, type PageOptions } from './paging.ts';
import { uniqueColumn } from './unique.ts';

export type { VolumeConnector, VolumeTarget, NewConnector, NewTarget };

export const CONNECTOR_SORT_COLUMNS = ['id', 'uuid', 'node_id', 'type', 'connector_id', 'created_at', 'updated_at'] as const;
export const TARGET_SORT_COLUMNS = ['id', 'uuid', 'node_id', 'volume_type', 'boot_index', 'volume_id', 'created_at', 'updated_at'] as const;

const toConnector = (r: Selectable<VolumeConnectorsTable>): VolumeConnector => ({ ...r, extra: fromJson(r.extra, {}) });
const toTarget = (r: Selectable<VolumeTargetsTable>): VolumeTarget => ({ ...r, properties: fromJson(r.properties, {}), extra: fromJson(r.extra, {}) });

function jsonRow(v: Record<string, unknown>, jsonCols: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) if (x !== undefined) out[k] = jsonCols.includes(k) ? toJson(x) : x;
  return out;
}

export class VolumeConnectorRepo {
  constructor(private readonly db: Kysely<Database>) {}

  async getById(id: number): Promise<VolumeConnector | undefined> {
    const r = await this.db.selectFrom('volume_connectors').selectAll().where('id', '=', id).executeTakeFirst();
    return r ? toConnector(r) : undefined;
  }
  async getByUuid(uuid: string): Promise<VolumeConnector | undefined> {
    const r = await this.db.selectFrom('volume_connectors').selectAll().where('uuid', '=', uuid).executeTakeFirst();
    return r ? toConnector(r) : undefined;
  }
  async list(f: { node_id?: number }, opts: PageOptions): Promise<VolumeConnector[]> {
    let q = this.db.selectFrom('volume_connectors').selectAll();
    if (f.node_id !== undefined) q = q.where('node_id', '=', f.node_id);
    return (await page(q, opts).execute()).map(toConnector);
  }

  private conflict(err: unknown, v: Partial<NewConnector>): Error {
    const col = uniqueColumn(err, 'volume_connectors');
    if (col === 'uuid') return new ConflictError(`A volume connector with UUID ${String(v.uuid)} already exists.`);
    if (col) return new ConflictError(`A volume connector with type ${String(v.type)} and connector ID ${String(v.connector_id)} already exists.`);
    return err as Error;
  }

  async create(v: NewConnector): Promise<VolumeConnector> {
    try {
      await this.db.insertInto('volume_connectors').values({ ...jsonRow(v, ['extra']), created_at: isoNow(), updated_at: null } as Insertable<VolumeConnectorsTable>).execute();
    } catch (err) { throw this.conflict(err, v); }
    return (await this.getByUuid(v.uuid))!;
  }

  /** `after` is the full new value (for the conflict text); only `changes` are written. */
  async update(id: number, changes: Partial<NewConnector>, after: Partial<NewConnector>): Promise<VolumeConnector> {
    const r = jsonRow(changes, ['extra']);
    if (Object.keys(r).length) {
      try {
        await this.db.updateTable('volume_connectors').set({ ...r, updated_at: isoNow() }).where('id', '=', id).execute();
      } catch (err) { throw this.conflict(err, after); }
    }
    const c = await this.getById(id);
    if (!c) throw new NotFoundError(`Volume connector ${id} could not be found.`);
    return c;
  }

  async delete(id: number): Promise<void> { await this.db.deleteFrom('volume_connectors').where('id', '=', id).execute(); }
}

export class VolumeTargetRepo {
  constructor(private readonly db: Kysely<Database>) {}

  async getById(id: number): Promise<VolumeTarget | undefined> {
    const r = await this.db.selectFrom('volume_targets').selectAll().where('id', '=', id).executeTakeFirst();
    return r ? toTarget(r) : undefined;
  }
  async getByUuid(uuid: string): Promise<VolumeTarget | undefined> {
    const r = await this.db.selectFrom('volume_targets').selectAll().where('uuid', '=', uuid).executeTakeFirst();
    return r ? toTarget(r) : undefined;
  }
  async list(f: { node_id?: number }, opts: PageOptions): Promise<VolumeTarget[]> {
    let q = this.db.selectFrom('volume_targets').selectAll();
    if (f.node_id !== undefined) q = q.where('node_id', '=', f.node_id);
    return (await page(q, opts).execute()).map(toTarget);
  }

  private conflict(err: unknown, v: Partial<NewTarget>): Error {
    const col = uniqueColumn(err, 'volume_targets');
    if (col === 'uuid') return new ConflictError(`A volume target with UUID ${String(v.uuid)} already exists.`);
    if (col) return new ConflictError(`A volume target with boot index '${String(v.boot_index)}' for the same node already exists.`);
    return err as Error;
  }

  async create(v: NewTarget): Promise<VolumeTarget> {
    try {
      await this.db.insertInto('volume_targets').values({ ...jsonRow(v, ['extra', 'properties']), created_at: isoNow(), updated_at: null } as Insertable<VolumeTargetsTable>).execute();
    } catch (err) { throw this.conflict(err, v); }
    return (await this.getByUuid(v.uuid))!;
  }

  async update(id: number, changes: Partial<NewTarget>, after: Partial<NewTarget>): Promise<VolumeTarget> {
    const r = jsonRow(changes, ['extra', 'properties']);
    if (Object.keys(r).length) {
      try {
        await this.db.updateTable('volume_targets').set({ ...r, updated_at: isoNow() }).where('id', '=', id).execute();
      } catch (err) { throw this.conflict(err, after); }
    }
    const t = await this.getById(id);
    if (!t) throw new NotFoundError(`Volume target ${id} could not be found.`);
    return t;
  }

  async delete(id: number): Promise<void> { await this.db.deleteFrom('volume_targets').where('id', '=', id).execute(); }
}
