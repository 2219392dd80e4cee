/**
 * Deploy template repository: a template row plus its ordered steps.
 *
 * Contract: every write is one transaction; a thrown error wrote nothing. Duplicate names
 * and UUIDs raise `ConflictError` with Ironic's texts. Steps come back in insertion order;
 * an update keeps the rows of unchanged steps and appends new ones (as Ironic does), so a
 * template's step order after PATCH matches the reference.
 */
import type { Kysely } from 'kysely';
import type { Database } from './schema.ts';
import type { Json } from '../core/node.ts';
import { ConflictError, NotFoundError } from '../core/errors.ts';
import { isoNow } from '../core/ids.ts';
import { fromJson, toJson } from './connect.ts';
import { page, type PageOptions } from './paging.ts';
import { uniqueColumn } from './unique.ts';
import { inTransaction } from './transaction.ts';

export interface DeployStep {
  interface: string;
  step: string;
  args: Json;
  priority: number;
}

export interface DeployTemplate {
  id: number;
  uuid: string;
  name: string;
  extra: Json;
  steps: DeployStep[];
  created_at: string;
  updated_at: string | null;
}

/** Columns a list may be sorted by. */
export const DEPLOY_TEMPLATE_COLUMNS = ['id', 'uuid', 'name', 'extra', 'created_at', 'updated_at'] as const;

/** Identity of a step for update diffing: interface, step, args (key-sorted JSON), priority. */
function stepKey(s: DeployStep): string {
  return JSON.stringify([s.interface, s.step, sortedJson(s.args), s.priority]);
}
function sortedJson(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(sortedJson).join(',')}]`;
  const o = v as Record<string, unknown>;
  return `{${Object.keys(o).sort().map((k) => `${JSON.stringify(k)}:${sortedJson(o[k])}`).join(',')}}`;
}

export class DeployTemplateRepo {
  constructor(private readonly db: Kysely<Database>) {}

  private async withSteps(rows: { id: number; uuid: string; name: string; extra: string | null; created_at: string; updated_at: string | null }[]): Promise<DeployTemplate[]> {
    if (rows.length === 0) return [];
    const steps = await this.db.selectFrom('deploy_template_steps').selectAll()
      .where('deploy_template_id', 'in', rows.map((r) => r.id)).orderBy('id').execute();
    const by = new Map<number, DeployStep[]>();
    for (const s of steps) {
      const l = by.get(s.deploy_template_id) ?? [];
      l.push({ interface: s.interface, step: s.step, args: fromJson<Json>(s.args, {}), priority: s.priority });
      by.set(s.deploy_template_id, l);
    }
    return rows.map((r) => ({ ...r, extra: fromJson<Json>(r.extra, {}), steps: by.get(r.id) ?? [] }));
  }

  private async one(col: 'id' | 'uuid' | 'name', v: string | number): Promise<DeployTemplate | undefined> {
    const r = await this.db.selectFrom('deploy_templates').selectAll().where(col, '=', v as never).executeTakeFirst();
    return r ? (await this.withSteps([r]))[0] : undefined;
  }
  getById(id: number): Promise<DeployTemplate | undefined> { return this.one('id', id); }
  getByUuid(uuid: string): Promise<DeployTemplate | undefined> { return this.one('uuid', uuid); }
  getByName(name: string): Promise<DeployTemplate | undefined> { return this.one('name', name); }

  /** Templates whose names are in `names` (deploy: traits of the instance → templates). */
  async getByNames(names: readonly string[]): Promise<DeployTemplate[]> {
    if (names.length === 0) return [];
    const rows = await this.db.selectFrom('deploy_templates').selectAll().where('name', 'in', [...names]).orderBy('id').execute();
    return this.withSteps(rows);
  }

  async list(opts: PageOptions): Promise<DeployTemplate[]> {
    return this.withSteps(await page(this.db.selectFrom('deploy_templates').selectAll(), opts).execute());
  }

  private conflict(err: unknown, name: string | undefined, uuid: string | undefined): never {
    const col = uniqueColumn(err, 'deploy_templates');
    if (col === 'name') throw new ConflictError(`A deploy template with name ${String(name)} already exists.`);
    if (col) throw new ConflictError(`A deploy template with UUID ${String(uuid)} already exists.`);
    throw err;
  }

  private async insertSteps(tx: Kysely<Database>, templateId: number, steps: readonly DeployStep[], now: string): Promise<void> {
    for (const s of steps) {
      await tx.insertInto('deploy_template_steps').values({
        deploy_template_id: templateId, interface: s.interface, step: s.step, args: toJson(s.args), priority: s.priority,
        created_at: now, updated_at: null,
      }).execute();
    }
  }

  async create(v: { uuid: string; name: string; extra: Json; steps: DeployStep[] }): Promise<DeployTemplate> {
    const now = isoNow();
    try {
      await inTransaction(this.db, async (tx) => {
        await tx.insertInto('deploy_templates').values({ uuid: v.uuid, name: v.name, extra: toJson(v.extra), created_at: now, updated_at: null }).execute();
        const row = await tx.selectFrom('deploy_templates').select('id').where('uuid', '=', v.uuid).executeTakeFirstOrThrow();
        await this.insertSteps(tx, row.id, v.steps, now);
      });
    } catch (err) {
      this.conflict(err, v.name, v.uuid);
    }
    return (await this.getByUuid(v.uuid))!;
  }

  /**
   * Change name/extra and/or replace the steps. Unchanged steps keep their rows; removed
   * ones are deleted, new ones appended. `updated_at` moves only when a template column
   * changes (Ironic's behaviour for step-only edits).
   */
  async update(id: number, changes: { name?: string; extra?: Json; steps?: DeployStep[] }): Promise<DeployTemplate> {
    const now = isoNow();
    try {
      await inTransaction(this.db, async (tx) => {
        const cols: Record<string, unknown> = {};
        if (changes.name !== undefined) cols.name = changes.name;
        if (changes.extra !== undefined) cols.extra = toJson(changes.extra);
        if (Object.keys(cols).length) {
          cols.updated_at = now;
          await tx.updateTable('deploy_templates').set(cols).where('id', '=', id).execute();
        }
        if (changes.steps) {
          const cur = await tx.selectFrom('deploy_template_steps').selectAll().where('deploy_template_id', '=', id).orderBy('id').execute();
          const want = changes.steps.map((s) => ({ s, key: stepKey(s) }));
          const toDelete: number[] = [];
          for (const c of cur) {
            const key = stepKey({ interface: c.interface, step: c.step, args: fromJson<Json>(c.args, {}), priority: c.priority });
            const i = want.findIndex((w) => w.key === key);
            if (i === -1) toDelete.push(c.id);
            else want.splice(i, 1);
          }
          if (toDelete.length) await tx.deleteFrom('deploy_template_steps').where('id', 'in', toDelete).execute();
          await this.insertSteps(tx, id, want.map((w) => w.s), now);
        }
      });
    } catch (err) {
      this.conflict(err, changes.name, undefined);
    }
    const t = await this.getById(id);
    if (!t) throw new NotFoundError(`Deploy template ${id} could not be found.`);
    return t;
  }

  async destroy(id: number): Promise<void> {
    await inTransaction(this.db, async (tx) => {
      await tx.deleteFrom('deploy_template_steps').where('deploy_template_id', '=', id).execute();
      const r = await tx.deleteFrom('deploy_templates').where('id', '=', id).executeTakeFirst();
      if (Number(r.numDeletedRows) === 0) throw new NotFoundError(`Deploy template ${id} could not be found.`);
    });
  }
}
