/**
 * BIOS settings cache: the node's `bios_settings` rows mirror what its bios interface
 * reports (Ironic's node_cache_bios_settings, run after a successful verify and before
 * cleaning).
 *
 * The interface's `cacheSettings()` gets the current rows (`ctx.biosSettings`, see
 * drivers/fake/types.ts) and returns the full list; the table is then made equal to it:
 * new names inserted, changed rows updated (updated_at set), unlisted rows deleted,
 * unchanged rows left alone (their timestamps keep their meaning).
 *
 * Never fails the caller: Ironic only logs a failed cache ("BIOS settings are not
 * supported" for no-bios style errors, "Caching of bios settings failed" otherwise).
 */
import type { Selectable } from 'kysely';
import type { BiosSettingsTable } from '../db/schema.ts';
import type { BiosSetting, ComposedDriver } from '../drivers/base.ts';
import type { ExtendedDriverContext } from '../drivers/fake/types.ts';
import { IngotError, messageOf } from '../core/errors.ts';
import { isoNow } from '../core/ids.ts';
import { boolOrNull, fromJson, toJson } from '../db/connect.ts';
import type { ContextHandle } from './driver-context.ts';
import type { FlowDeps } from './deps.ts';
import type { Task } from './task.ts';

/** A stored row as the driver contract's BiosSetting. */
export function rowToSetting(r: Selectable<BiosSettingsTable>): BiosSetting {
  return {
    name: r.name, value: r.value, attribute_type: r.attribute_type, allowable_values: fromJson<string[] | null>(r.allowable_values, null),
    lower_bound: r.lower_bound, upper_bound: r.upper_bound, min_length: r.min_length, max_length: r.max_length,
    read_only: boolOrNull(r.read_only), reset_required: boolOrNull(r.reset_required), unique: boolOrNull(r.unique),
  };
}

const flag = (v: boolean | null | undefined): number | null => (v === null || v === undefined ? null : v ? 1 : 0);

/** Column values of a setting (everything but node_id and timestamps). */
function columns(s: BiosSetting) {
  return {
    value: s.value ?? null, attribute_type: s.attribute_type ?? null, allowable_values: toJson(s.allowable_values ?? null),
    lower_bound: s.lower_bound ?? null, upper_bound: s.upper_bound ?? null, min_length: s.min_length ?? null,
    max_length: s.max_length ?? null, read_only: flag(s.read_only), reset_required: flag(s.reset_required), unique: flag(s.unique),
  };
}

/** The node's rows, by name. */
export async function loadBiosSettings(deps: Pick<FlowDeps, 'db'>, nodeId: number): Promise<BiosSetting[]> {
  const rows = await deps.db.selectFrom('bios_settings').selectAll().where('node_id', '=', nodeId).orderBy('name').execute();
  return rows.map(rowToSetting);
}

/** Make the node's rows exactly `settings` (see the module comment). */
export async function storeBiosSettings(deps: Pick<FlowDeps, 'db'>, nodeId: number, settings: readonly BiosSetting[]): Promise<void> {
  const now = isoNow();
  await deps.db.transaction().execute(async (tx) => {
    const current = new Map((await tx.selectFrom('bios_settings').selectAll().where('node_id', '=', nodeId).execute()).map((r) => [r.name, r]));
    const wanted = new Map(settings.map((s) => [s.name, s]));
    const gone = [...current.keys()].filter((name) => !wanted.has(name));
    if (gone.length) await tx.deleteFrom('bios_settings').where('node_id', '=', nodeId).where('name', 'in', gone).execute();
    for (const [name, s] of wanted) {
      const cols = columns(s);
      const old = current.get(name);
      if (!old) {
        await tx.insertInto('bios_settings').values({ node_id: nodeId, name, ...cols, created_at: now, updated_at: null }).execute();
      } else if (JSON.stringify(columns(rowToSetting(old))) !== JSON.stringify(cols)) {
        await tx.updateTable('bios_settings').set({ ...cols, updated_at: now }).where('node_id', '=', nodeId).where('name', '=', name).execute();
      }
    }
  });
}

/** Refresh the node's cached BIOS settings from its bios interface; logs, never throws. */
export async function cacheBiosSettings(deps: FlowDeps, task: Task, driver: ComposedDriver, handle: ContextHandle): Promise<void> {
  const node = task.node;
  try {
    const ctx: ExtendedDriverContext = { ...handle.ctx, biosSettings: await loadBiosSettings(deps, node.id) };
    await storeBiosSettings(deps, node.id, await driver.bios.cacheSettings(ctx));
    await handle.flush();
  } catch (err) {
    if (err instanceof IngotError && err.code === 'Invalid' && driver.bios.supported === false) {
      deps.logger.warn({ node: node.uuid }, `BIOS settings are not supported for node ${node.uuid}, skipping`);
    } else {
      deps.logger.error({ node: node.uuid, err: messageOf(err) }, `Caching of bios settings failed on node ${node.uuid}.`);
    }
  }
}
