/** Short flows: verify (enroll → manageable), inspect, adopt, rescue, unrescue. */
import { ProvisionState as S } from '../../core/states.ts';
import { messageOf } from '../../core/errors.ts';
import { isoNow, normalizeMac, newUuid } from '../../core/ids.ts';
import type { Task } from '../task.ts';
import { type FlowDeps, prepare, failTask } from '../deps.ts';
import { cacheBiosSettings } from '../bios.ts';
import { portsChanged } from '../driver-context.ts';
import { createHash, randomBytes } from 'node:crypto';

/**
 * A salted SHA-512 of the rescue password in crypt(3) notation (`$6$salt$hash`). Only its
 * presence is visible (instance_info is masked in API answers); it is not crypt-compatible.
 */
function hashPassword(password: string): string {
  const salt = randomBytes(12).toString('base64url').slice(0, 16);
  return `$6$${salt}$${createHash('sha512').update(salt + password).digest('base64')}`;
}

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
    for (const mac of res.macs ?? []) {
      const address = normalizeMac(mac.address);
      const exists = await deps.db.selectFrom('ports').select('id').where('address', '=', address).executeTakeFirst();
      if (exists) continue;
      await deps.db.insertInto('ports').values({
        uuid: newUuid(), address, node_id: task.node.id, portgroup_id: null, local_link_connection: null,
        pxe_enabled: mac.pxe === false ? 0 : 1, physical_network: null, internal_info: null, is_smartnic: 0,
        extra: null, created_at: isoNow(), updated_at: null,
      }).execute();
      portsChanged(task);
    }
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

/** Entered in `adopting`: take over a running instance without touching the disk. */
export async function doAdopt(deps: FlowDeps, task: Task): Promise<void> {
  const { driver, handle } = await prepare(deps, task);
  try {
    await driver.boot.validate(handle.ctx);
    await driver.deploy.takeOver(handle.ctx);
    await handle.flush();
    await task.applyAndRelease('done');
  } catch (err) {
    await failTask(deps, task, `Error while attempting to adopt node ${task.node.uuid}: ${messageOf(err)}.`, { event: 'fail', eventType: 'adopting' });
  }
}

export async function doRescue(deps: FlowDeps, task: Task, password: string): Promise<void> {
  const { driver, handle } = await prepare(deps, task);
  try {
    // Ironic keeps the password and a crypt(3)-style hash of it (the one agents get) in
    // instance_info; both are masked in API answers and dropped again on unrescue.
    await task.save({ instance_info: { ...task.node.instance_info, rescue_password: password, hashed_rescue_password: hashPassword(password) } });
    const r = await driver.rescue.rescue(handle.ctx);
    await handle.flush();
    await task.applyAndRelease(r === 'wait' ? 'wait' : 'done');
  } catch (err) {
    await failTask(deps, task, `Failed to rescue node ${task.node.uuid}: ${messageOf(err)}`, { event: 'fail', eventType: 'rescuing' });
  }
}

export async function doUnrescue(deps: FlowDeps, task: Task): Promise<void> {
  const { driver, handle } = await prepare(deps, task);
  try {
    await driver.rescue.unrescue(handle.ctx);
    await handle.flush();
    const ii = { ...task.node.instance_info };
    delete ii.rescue_password;
    delete ii.hashed_rescue_password;
    await task.applyAndRelease('done', { instance_info: ii });
  } catch (err) {
    await failTask(deps, task, `Failed to unrescue node ${task.node.uuid}: ${messageOf(err)}`, { event: 'fail', eventType: 'unrescuing' });
  }
}

export const WAIT_STATES = [S.CLEAN_WAIT, S.INSPECT_WAIT, S.RESCUEWAIT, S.DEPLOYWAIT] as const;
