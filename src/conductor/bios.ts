/**
 * BIOS settings cache: the node's `bios_settings` rows mirror what its bios interface
 * reports (Ironic's node_cache_bios_settings, run after a successful verify).
 *
 * The interface's `cacheSettings()` sees the current rows (`ctx.loadBiosSettings()`) and
 * returns the full list, which replaces the rows (db/bios.ts). When the list equals
 * what is stored nothing is written, so timestamps keep their meaning.
 *
 * Never fails the caller: Ironic only logs a failed cache ("BIOS settings are not
 * supported" for no-op bios interfaces, "Caching of bios settings failed" otherwise).
 */
import type { BiosSetting, ComposedDriver } from '../drivers/base.ts';
import { IngotError, messageOf } from '../core/errors.ts';
import type { ContextHandle } from './driver-context.ts';
import type { FlowDeps } from './deps.ts';
import type { Task } from './task.ts';

const ATTRS = ['name', 'value', 'attribute_type', 'allowable_values', 'lower_bound', 'upper_bound', 'min_length', 'max_length',
  'read_only', 'reset_required', 'unique'] as const;

/** Settings as comparable text (attributes only, absent = null, by name). */
function canonical(list: readonly BiosSetting[]): string {
  const rows = list.map((s) => ATTRS.map((a) => (s as unknown as Record<string, unknown>)[a] ?? null));
  return JSON.stringify(rows.sort((x, y) => String(x[0]).localeCompare(String(y[0]))));
}

/** Refresh the node's cached BIOS settings from its bios interface; logs, never throws. */
export async function cacheBiosSettings(deps: FlowDeps, task: Task, driver: ComposedDriver, handle: ContextHandle): Promise<void> {
  const node = task.node;
  try {
    const reported = await driver.bios.cacheSettings(handle.ctx);
    // The returned list is authoritative over a replaceBiosSettings() made meanwhile.
    handle.pendingBios = null;
    if (canonical(reported) !== canonical(await handle.ctx.loadBiosSettings())) await handle.storeBiosSettings(reported);
  } catch (err) {
    if (err instanceof IngotError && err.code === 'Invalid' && driver.bios.supported === false) {
      deps.logger.warn({ node: node.uuid }, `BIOS settings are not supported for node ${node.uuid}, skipping`);
    } else {
      deps.logger.error({ node: node.uuid, err: messageOf(err) }, `Caching of bios settings failed on node ${node.uuid}.`);
    }
  }
}
