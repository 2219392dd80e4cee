/**
 * Boot mode and secure boot changes (Ironic's change_node_boot_mode /
 * change_node_secure_boot): the management interface is validated and last_error cleared
 * under the node lock, then the change runs in the background. A failure — e.g. a driver
 * that cannot change the setting — only lands in last_error; the API has answered 202.
 */
import { messageOf } from '../core/errors.ts';
import type { ComposedDriver } from '../drivers/base.ts';
import { unsupportedExtension } from '../drivers/noop/unsupported.ts';
import { type FlowDeps, spawnWithTask } from './deps.ts';
import { driverContext, type ContextHandle } from './driver-context.ts';
import type { Task } from './task.ts';

type Job = (t: Task, d: ComposedDriver, h: ContextHandle) => Promise<void>;

async function change(deps: FlowDeps, nodeId: number, purpose: string, job: Job): Promise<void> {
  const task = await deps.tasks.acquire(nodeId, purpose);
  let handed = false;
  try {
    const d = deps.registry.compose(task.node);
    const h = await driverContext(deps.db, task, deps.logger);
    await d.management.validate(h.ctx);
    // A worker first: a full pool answers 503 before the node was written.
    const slot = deps.workers.reserve();
    try {
      await task.save({ last_error: null });
    } catch (err) { slot.cancel(); throw err; }
    handed = true;
    spawnWithTask(deps, task, (t) => job(t, d, h), slot);
  } finally {
    if (!handed) await task.release();
  }
}

export function setBootMode(deps: FlowDeps, nodeId: number, mode: 'uefi' | 'bios'): Promise<void> {
  return change(deps, nodeId, 'changing node boot mode', async (t, d, h) => {
    const cur = d.management.getBootMode ? await d.management.getBootMode(h.ctx).catch(() => null) : null;
    if (cur !== null && cur === mode) return;
    try {
      if (!d.management.setBootMode) throw unsupportedExtension(d.hardwareType, 'set_boot_mode');
      await d.management.setBootMode(h.ctx, mode);
      await h.flush();
      await t.save({ boot_mode: mode });
    } catch (err) {
      // NOTE: 21.4's text lacks the closing quote after the mode.
      await t.save({ last_error: `Failed to change boot mode to '${mode}: ${messageOf(err)}` });
    }
  });
}

export function setSecureBoot(deps: FlowDeps, nodeId: number, enabled: boolean): Promise<void> {
  return change(deps, nodeId, 'changing node secure', async (t, d, h) => {
    const cur = d.management.getSecureBoot ? await d.management.getSecureBoot(h.ctx).catch(() => null) : null;
    if (cur !== null && cur === enabled) return;
    try {
      if (!d.management.setSecureBoot) throw unsupportedExtension(d.hardwareType, 'set_secure_boot_state');
      await d.management.setSecureBoot(h.ctx, enabled);
      await h.flush();
      await t.save({ secure_boot: enabled });
    } catch (err) {
      await t.save({ last_error: `Failed to change secure_boot state to '${enabled ? 'True' : 'False'}': ${messageOf(err)}` });
    }
  });
}
