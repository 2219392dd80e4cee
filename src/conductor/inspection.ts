/**
 * The conductor's side of the built-in inspector (`InspectorHost`, src/inspector): node
 * locks, provision states, power, node creation. The inspector computes; this writes.
 *
 * completeInspection takes the node's lock, hands a fresh snapshot to the inspector's
 * work (hooks + rules), writes node fields, traits, ports and the inventory, then for a
 * node in `inspect wait`/`inspecting` powers it off (when asked) and applies `done`
 * (→ manageable). Any failure fails the node (`inspect failed`) with Ironic's
 * "ironic-inspector inspection failed: <message>" as last_error and is rethrown.
 */
import { ProvisionState as S, PowerState } from '../core/states.ts';
import { messageOf, NotFoundError } from '../core/errors.ts';
import { isoNow, newUuid } from '../core/ids.ts';
import type { Node, NodeChanges } from '../core/node.ts';
import type { InspectorHost, HostNode, InspectionWrite } from '../inspector/service.ts';
import type { PortFacts } from '../inspector/hooks.ts';
import { fromJson } from '../db/connect.ts';
import type { FlowDeps } from './deps.ts';
import { failTask } from './deps.ts';
import { doProvisioningAction } from './provision.ts';
import { driverContext, portsChanged } from './driver-context.ts';
import type { Task } from './task.ts';

/** Node columns rules may set (set-attribute / extend-attribute paths' first element). */
const WRITABLE: ReadonlySet<string> = new Set([
  'properties', 'driver_info', 'extra', 'instance_info', 'name', 'resource_class', 'description', 'owner', 'lessee',
  'conductor_group', 'automated_clean', 'protected', 'retired', 'retired_reason', 'network_data', 'boot_mode', 'secure_boot', 'shard',
]);
const WAITING: readonly string[] = [S.INSPECT_WAIT, S.INSPECTING];

export class ConductorInspectionHost implements InspectorHost {
  constructor(private readonly deps: FlowDeps) {}

  private async idOf(uuid: string): Promise<number> {
    const r = await this.deps.db.selectFrom('nodes').select('id').where('uuid', '=', uuid).executeTakeFirst();
    if (!r) throw new NotFoundError(`Node ${uuid} could not be found.`);
    return r.id;
  }

  async startInspection(uuid: string): Promise<void> {
    await doProvisioningAction(this.deps, await this.idOf(uuid), { event: 'inspect', target: 'inspect' });
  }

  async abortInspection(uuid: string): Promise<void> {
    await doProvisioningAction(this.deps, await this.idOf(uuid), { event: 'abort', target: 'abort' });
  }

  async failInspection(uuid: string, message: string): Promise<void> {
    const task = await this.deps.tasks.acquire(await this.idOf(uuid), 'inspection failed');
    if (WAITING.includes(task.node.provision_state)) {
      await failTask(this.deps, task, `ironic-inspector inspection failed: ${message}`, { event: 'fail', eventType: 'inspecting', extra: { inspection_started_at: null } });
    } else await task.release();
  }

  async enrollNode(driver: string, fields: Record<string, unknown>): Promise<string> {
    const ifaces = this.deps.registry.resolveInterfaces(driver, {});
    const values: Record<string, unknown> = {
      name: null, driver, driver_info: {}, extra: {}, instance_info: {}, properties: {}, network_data: {},
      ...fields, uuid: (fields.uuid as string | undefined) ?? newUuid(), provision_state: S.ENROLL,
      resource_class: this.deps.config.defaultResourceClass,
    };
    for (const [k, v] of Object.entries(ifaces)) values[`${k}_interface`] = v;
    const n = await this.deps.nodes.create(values as Parameters<FlowDeps['nodes']['create']>[0]);
    return n.uuid;
  }

  async completeInspection(uuid: string, work: (n: HostNode) => Promise<InspectionWrite>, opts: { powerOff: boolean }): Promise<void> {
    const task = await this.deps.tasks.acquire(await this.idOf(uuid), 'inspection callback');
    const waiting = WAITING.includes(task.node.provision_state);
    try {
      const ports = await this.ports(task.node.id);
      const w = await work({ node: structuredClone(task.node) as unknown as Record<string, unknown>, ports });
      await this.write(task, w);
      if (!waiting) { await task.release(); return; }
      if (opts.powerOff) {
        const driver = this.deps.registry.compose(task.node);
        const h = await driverContext(this.deps.db, task, this.deps.logger, undefined, driver);
        try {
          await driver.power.setPowerState(h.ctx, PowerState.OFF);
        } catch (err) {
          throw new Error(`Failed to power off node ${uuid}, check its power management configuration: ${messageOf(err)}`);
        }
        await h.flush();
      }
      await task.applyAndRelease('done', { inspection_finished_at: isoNow(), inspection_started_at: null, last_error: null, ...(opts.powerOff ? { power_state: PowerState.OFF } : {}) });
    } catch (err) {
      if (task.isReleased) throw err;
      if (waiting) {
        await failTask(this.deps, task, `ironic-inspector inspection failed: ${messageOf(err)}`, { event: 'fail', eventType: 'inspecting', extra: { inspection_started_at: null } });
      } else await task.release();
      throw err;
    }
  }

  private async ports(nodeId: number): Promise<PortFacts[]> {
    const rows = await this.deps.db.selectFrom('ports').select(['address', 'pxe_enabled', 'physical_network', 'local_link_connection']).where('node_id', '=', nodeId).execute();
    return rows.map((r) => ({ address: r.address, pxe_enabled: !!r.pxe_enabled, physical_network: r.physical_network, local_link_connection: fromJson(r.local_link_connection, {}) }));
  }

  private async write(task: Task, w: InspectionWrite): Promise<void> {
    const changes: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(w.fields)) {
      if (WRITABLE.has(k)) changes[k] = v;
      else this.deps.logger.warn({ node: task.node.uuid, field: k }, 'introspection rule set a node field Ingot does not let rules change; ignored');
    }
    if (Object.keys(changes).length) await task.save(changes as NodeChanges);
    if (w.traits) await this.deps.nodes.setTraits(task.node.id, [...new Set(w.traits)].sort());
    const db = this.deps.db;
    const now = isoNow();
    for (const [mac, c] of w.ports) {
      if (c.create) {
        const exists = await db.selectFrom('ports').select('id').where('address', '=', mac).executeTakeFirst();
        if (!exists) {
          await db.insertInto('ports').values({
            uuid: newUuid(), address: mac, node_id: task.node.id, portgroup_id: null,
            local_link_connection: c.local_link_connection ? JSON.stringify(c.local_link_connection) : JSON.stringify({}),
            pxe_enabled: c.pxe_enabled === false ? 0 : 1, physical_network: c.physical_network ?? null, internal_info: JSON.stringify({}),
            is_smartnic: 0, extra: JSON.stringify({}), created_at: now, updated_at: null,
          }).execute();
          continue;
        }
      }
      const set: Record<string, unknown> = { updated_at: now };
      if (c.pxe_enabled !== undefined) set.pxe_enabled = c.pxe_enabled ? 1 : 0;
      if (c.physical_network !== undefined) set.physical_network = c.physical_network;
      if (c.local_link_connection !== undefined) set.local_link_connection = JSON.stringify(c.local_link_connection);
      await db.updateTable('ports').set(set).where('address', '=', mac).where('node_id', '=', task.node.id).execute();
    }
    if (w.ports.size) portsChanged(task);
    const inv = { inventory_data: JSON.stringify(w.inventory ?? {}), plugin_data: JSON.stringify(w.pluginData ?? {}) };
    const n = await db.updateTable('node_inventory').set({ ...inv, updated_at: now }).where('node_id', '=', task.node.id).executeTakeFirst();
    if (Number(n.numUpdatedRows) === 0) await db.insertInto('node_inventory').values({ node_id: task.node.id, ...inv, created_at: now, updated_at: null }).execute();
  }
}

export type { Node };
