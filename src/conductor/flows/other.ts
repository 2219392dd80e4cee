/** Short flows: verify (enroll → manageable), inspect, adopt, rescue, unrescue. */
import { ProvisionState as S } from '../../core/states.ts';
import { messageOf } from '../../core/errors.ts';
import { isoNow } from '../../core/ids.ts';
import type { Task } from '../task.ts';
import { type FlowDeps, prepare, failTask } from '../deps.ts';
import { cacheBiosSettings } from '../bios.ts';
import { createPortsIfNotExist } from '../driver-context.ts';
import { hashPassword } from '../../core/sha-crypt.ts';
import { imageTypeUpdate } from '../image-type.ts';

/**
 * What verify records besides power (Ironic's node_cache_vendor / node_cache_boot_mode):
 * properties.vendor, boot_mode, secure_boot. Best effort: a BMC that cannot tell is fine.
 */
async function cacheHardwareFacts(driver: Awaited<ReturnType<typeof prepare>>['driver'], ctx: Awaited<ReturnType<typeof prepare>>['handle']['ctx'], props: Record<string, unknown>): Promise<Partial<Pick<import('../../core/node.ts').Node, 'properties' | 'boot_mode' | 'secure_boot'>>> {
  const out: Partial<Pick<import('../../core/node.ts').Node, 'properties' | 'boot_mode' | 'secure_boot'>> = {};
  const m = driver.management;
  const tryGet = async <T>(fn: (() => Promise<T>) | undefined): Promise<T | undefined> => {
    if (!fn) return undefined;
    try { return await fn(); } catch { return undefined; }
  };
  const vendor = await tryGet(m.detectVendor ? () => m.detectVendor!(ctx) : undefined);
  if (vendor && !props.vendor) out.properties = { ...props, vendor };
  const mode = await tryGet(m.getBootMode ? () => m.getBootMode!(ctx) : undefined);
  if (mode !== undefined) out.boot_mode = mode;
  const sb = await tryGet(m.getSecureBoot ? () => m.getSecureBoot!(ctx) : undefined);
  if (sb !== undefined) out.secure_boot = sb;
  return out;
}

/** Entered in `verifying`: can we talk to the BMC? */
export async function doNodeVerify(deps: FlowDeps, task: Task): Promise<void> {
  const { driver, handle } = await prepare(deps, task);
  for (const kind of ['power', 'management'] as const) {
    try {
      await driver[kind].validate(handle.ctx);
    } catch (err) {
      await failTask(deps, task, `Failed to validate ${kind} driver interface for node ${task.node.uuid}. Error: ${messageOf(err)}`, { event: 'fail', eventType: 'verifying' });
      return;
    }
  }
  try {
    const power = await driver.power.getPowerState(handle.ctx);
    await handle.flush();
    await cacheBiosSettings(deps, task, driver, handle);
    await task.applyAndRelease('done', { power_state: power, last_error: null, ...(await cacheHardwareFacts(driver, handle.ctx, task.node.properties)) });
  } catch (err) {
    await failTask(deps, task, `Failed to get power state for node ${task.node.uuid}. Error: ${messageOf(err)}`, { event: 'fail', eventType: 'verifying' });
  }
}

/** Entered in `inspecting`. */
export async function doInspect(deps: FlowDeps, task: Task): Promise<void> {
  const { driver, handle } = await prepare(deps, task);
  try {
    await driver.inspect.validate(handle.ctx);
    const res = await driver.inspect.inspect(handle.ctx);
    await handle.flush();
    if (res.properties) await task.save({ properties: { ...task.node.properties, ...res.properties } });
    await createPortsIfNotExist(deps.db, task, res.macs ?? [], handle.ctx.logger);
    if (res.inventory) {
      const now = isoNow();
      await deps.db.deleteFrom('node_inventory').where('node_id', '=', task.node.id).execute();
      await deps.db.insertInto('node_inventory').values({ node_id: task.node.id, inventory_data: JSON.stringify(res.inventory), plugin_data: JSON.stringify({}), created_at: now, updated_at: null }).execute();
    }
    if (res.outcome === 'wait') await task.applyAndRelease('wait');
    else await task.applyAndRelease('done', { inspection_finished_at: isoNow(), inspection_started_at: null });
  } catch (err) {
    await failTask(deps, task, `Failed to inspect hardware. Reason: ${messageOf(err)}`, { event: 'fail', eventType: 'inspecting', extra: { inspection_started_at: null } });
  }
}

/**
 * Entered in `adopting`: take over a running instance without touching the disk. As 21.4:
 * record the image type first (kept even if adoption fails), validate the boot interface
 * only when the instance boots from the network (ramdisk deploy), then take over.
 */
export async function doAdopt(deps: FlowDeps, task: Task): Promise<void> {
  const { driver, handle } = await prepare(deps, task);
  try {
    const image = imageTypeUpdate(task.node.instance_info, task.node.driver_internal_info);
    if (image) await task.save(image);
    if (task.node.deploy_interface === 'ramdisk') await driver.boot.validate(handle.ctx);
    await driver.deploy.takeOver(handle.ctx);
    await handle.flush();
    await task.applyAndRelease('done');
  } catch (err) {
    // 21.4 wipes the power state too: it is likely invalid.
    await failTask(deps, task, `Error while attempting to adopt node ${task.node.uuid}: ${messageOf(err)}.`, { event: 'fail', eventType: 'adopting', extra: { power_state: null } });
  }
}

export async function doRescue(deps: FlowDeps, task: Task, password: string): Promise<void> {
  const { driver, handle } = await prepare(deps, task);
  try {
    // Ironic keeps the password and its crypt(3) hash (what the agent writes into the
    // rescue system's /etc/shadow) in instance_info; both are masked in API answers.
    const hashed = hashPassword(password, deps.config.rescuePasswordHashAlgorithm);
    await task.save({ instance_info: { ...task.node.instance_info, rescue_password: password, hashed_rescue_password: hashed } });
    const r = await driver.rescue.rescue(handle.ctx);
    await handle.flush();
    await task.applyAndRelease(r === 'wait' ? 'wait' : 'done');
  } catch (err) {
    // A failed rescue forgets the password (21.4: remove_node_rescue_password).
    await failTask(deps, task, `Failed to rescue node ${task.node.uuid}: ${messageOf(err)}`,
      { event: 'fail', eventType: 'rescuing', extra: { instance_info: withoutRescuePassword(task.node.instance_info) } });
  }
}

/** instance_info without the rescue password and its hash (21.4's remove_node_rescue_password). */
export function withoutRescuePassword(ii: Record<string, unknown>): Record<string, unknown> {
  const out = { ...ii };
  delete out.rescue_password;
  delete out.hashed_rescue_password;
  return out;
}

export async function doUnrescue(deps: FlowDeps, task: Task): Promise<void> {
  const { driver, handle } = await prepare(deps, task);
  try {
    // The conductor leaves the rescue password in place: in 21.4 removing it is the rescue
    // interface's clean_up (the agent's), which fake rescue does not do.
    await driver.rescue.unrescue(handle.ctx);
    await handle.flush();
    await task.applyAndRelease('done');
  } catch (err) {
    await failTask(deps, task, `Failed to unrescue node ${task.node.uuid}: ${messageOf(err)}`, { event: 'fail', eventType: 'unrescuing' });
  }
}

export const WAIT_STATES = [S.CLEAN_WAIT, S.INSPECT_WAIT, S.RESCUEWAIT, S.DEPLOYWAIT] as const;
