/** Cached BIOS settings of a node (bios_settings table), as drivers report them. */
import type { Kysely } from 'kysely';
import type { Database } from './schema.ts';
import type { BiosSetting } from '../core/bios.ts';
import { isoNow } from '../core/ids.ts';
import { fromJson, boolOrNull } from './connect.ts';
import { inTransaction } from './transaction.ts';

export interface StoredBiosSetting extends BiosSetting { created_at: string; updated_at: string | null }

export async function loadBiosSettings(db: Kysely<Database>, nodeId: number): Promise<StoredBiosSetting[]> {
  const rows = await db.selectFrom('bios_settings').selectAll().where('node_id', '=', nodeId).orderBy('name').execute();
  return rows.map((r) => ({
    name: r.name, value: r.value, attribute_type: r.attribute_type, allowable_values: fromJson<string[] | null>(r.allowable_values, null),
    lower_bound: r.lower_bound, upper_bound: r.upper_bound, min_length: r.min_length, max_length: r.max_length,
    read_only: boolOrNull(r.read_only), reset_required: boolOrNull(r.reset_required), unique: boolOrNull(r.unique),
    created_at: r.created_at, updated_at: r.updated_at,
  }));
}

const b = (v: boolean | null | undefined): number | null => (v === null || v === undefined ? null : v ? 1 : 0);

/** Replace all rows of a node in one transaction; keeps created_at of unchanged names. */
export async function replaceBiosSettings(db: Kysely<Database>, nodeId: number, settings: readonly BiosSetting[]): Promise<void> {
  const now = isoNow();
  await inTransaction(db, async (tx) => {
    const old = new Map((await tx.selectFrom('bios_settings').select(['name', 'created_at', 'value']).where('node_id', '=', nodeId).execute()).map((r) => [r.name, r]));
    await tx.deleteFrom('bios_settings').where('node_id', '=', nodeId).execute();
    if (!settings.length) return;
    await tx.insertInto('bios_settings').values(settings.map((s) => {
      const prev = old.get(s.name);
      return {
        node_id: nodeId, name: s.name, value: s.value, attribute_type: s.attribute_type ?? null,
        allowable_values: s.allowable_values ? JSON.stringify(s.allowable_values) : null,
        lower_bound: s.lower_bound ?? null, upper_bound: s.upper_bound ?? null, min_length: s.min_length ?? null,
        max_length: s.max_length ?? null, read_only: b(s.read_only), reset_required: b(s.reset_required), unique: b(s.unique),
        created_at: prev?.created_at ?? now, updated_at: prev ? (prev.value === s.value ? null : now) : null,
      };
    })).execute();
  });
}
