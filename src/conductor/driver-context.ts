/**
 * Builds the narrow DriverContext a driver call gets from a task.
 *
 * Ports and BIOS settings are read when a driver first asks for them (`ctx.loadPorts()`,
 * `ctx.loadBiosSettings()`): most driver calls never look at them. Under a task they are
 * read at most once per task and then kept for every context of that task, because while
 * the task holds the node's lock nobody else writes them (the API's port writes take the
 * same lock); the conductor's own writes go through `storeBiosSettings` / `portsChanged`,
 * which keep the kept copy right. Contexts without a lock (`sharedContext`) keep nothing
 * beyond their own lifetime.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';
import type { BiosSetting, ComposedDriver, DriverContext, DriverLogger, DriverPort, NodeFieldUpdate } from '../drivers/base.ts';
import { loadBiosSettings, replaceBiosSettings } from '../db/bios.ts';
import type { Json } from '../core/node.ts';
import { portsOfNode } from '../db/ports.ts';
import { isoNow, isValidMac, newUuid, normalizeMac } from '../core/ids.ts';
import type { Task } from './task.ts';

/** A context built by the conductor: BIOS settings are always available. */
export type ConductorContext = DriverContext & { loadBiosSettings(): Promise<readonly BiosSetting[]> };

export interface ContextHandle {
  ctx: ConductorContext;
  /** driver_internal_info changes the driver asked for; persist with `flush`. */
  pendingInternal: Json | null;
  pendingFields: NodeFieldUpdate | null;
  pendingBios: BiosSetting[] | null;
  flush(): Promise<void>;
  /** Replace the node's BIOS settings rows now (what later reads of this task see). */
  storeBiosSettings(settings: readonly BiosSetting[]): Promise<void>;
}

/**
 * A node's ports and BIOS settings, each read on first request and then kept. A failed
 * read is not kept (the next request reads again).
 */
class NodeRows {
  private ports: Promise<readonly DriverPort[]> | undefined;
  private bios: Promise<readonly BiosSetting[]> | undefined;
  constructor(private readonly db: Kysely<Database>, private readonly nodeId: number, private readonly nodeUuid = '') {}

  loadPorts(): Promise<readonly DriverPort[]> {
    this.ports ??= driverPorts(this.db, this.nodeId, this.nodeUuid).catch((err: unknown) => { this.ports = undefined; throw err; });
    return this.ports;
  }

  loadBiosSettings(): Promise<readonly BiosSetting[]> {
    this.bios ??= loadBiosSettings(this.db, this.nodeId).catch((err: unknown) => { this.bios = undefined; throw err; });
    return this.bios;
  }

  /** Write the BIOS settings rows; the next read gets them back as stored (timestamps included). */
  async storeBiosSettings(settings: readonly BiosSetting[]): Promise<void> {
    try {
      await replaceBiosSettings(this.db, this.nodeId, settings);
    } finally {
      this.bios = undefined;
    }
  }

  forgetPorts(): void { this.ports = undefined; }
}

async function driverPorts(db: Kysely<Database>, nodeId: number, nodeUuid: string): Promise<DriverPort[]> {
  return (await portsOfNode(db, nodeId)).map((p) => ({
    uuid: p.uuid, address: p.address, pxe_enabled: p.pxe_enabled, physical_network: p.physical_network, extra: p.extra,
    // Port.as_dict() as Ironic sends it to agents (recorded-direct-deploy's `ports`).
    asDict: {
      address: p.address, created_at: p.created_at, extra: p.extra, id: p.id, internal_info: p.internal_info,
      is_smartnic: p.is_smartnic, local_link_connection: p.local_link_connection, name: (p as { name?: string | null }).name ?? null,
      node_id: p.node_id, node_uuid: nodeUuid, physical_network: p.physical_network, portgroup_id: p.portgroup_id,
      pxe_enabled: p.pxe_enabled, updated_at: p.updated_at, uuid: p.uuid,
    },
  }));
}

/** The rows kept for each task, i.e. for as long as its lock is held. */
const rowsOfTask = new WeakMap<Task, NodeRows>();

function taskRows(db: Kysely<Database>, task: Task): NodeRows {
  let rows = rowsOfTask.get(task);
  if (!rows) rowsOfTask.set(task, (rows = new NodeRows(db, task.node.id, task.node.uuid)));
  return rows;
}

/** Call after writing the node's ports under `task` outside a driver context (inspection creates them). */
export function portsChanged(task: Task): void {
  rowsOfTask.get(task)?.forgetPorts();
}

/**
 * Ironic's create_ports_if_not_exist under `task`'s lock: a port for each valid MAC that no
 * port has yet (MACs are unique across nodes); returns the MACs created.
 */
export async function createPortsIfNotExist(db: Kysely<Database>, task: Task, macs: readonly { address: string; pxe?: boolean }[], logger?: DriverLogger): Promise<string[]> {
  const created: string[] = [];
  for (const mac of macs) {
    if (!isValidMac(mac.address)) { logger?.warn({ node: task.node.uuid, address: mac.address }, 'Ignoring a NIC address that is not a valid MAC'); continue; }
    const address = normalizeMac(mac.address);
    const exists = await db.selectFrom('ports').select('id').where('address', '=', address).executeTakeFirst();
    if (exists) continue;
    await db.insertInto('ports').values({
      uuid: newUuid(), address, node_id: task.node.id, portgroup_id: null, local_link_connection: null,
      pxe_enabled: mac.pxe === false ? 0 : 1, physical_network: null, internal_info: null, is_smartnic: 0,
      extra: null, created_at: isoNow(), updated_at: null,
    }).execute();
    created.push(address);
  }
  if (created.length > 0) portsChanged(task);
  return created;
}

export async function driverContext(db: Kysely<Database>, task: Task, logger: DriverLogger, signal?: AbortSignal, driver?: ComposedDriver): Promise<ContextHandle> {
  const rows = taskRows(db, task);
  const handle: ContextHandle = {
    pendingInternal: null,
    pendingFields: null,
    pendingBios: null,
    ctx: {
      node: task.node,
      logger,
      signal: signal ?? task.signal,
      loadPorts: () => rows.loadPorts(),
      loadBiosSettings: () => rows.loadBiosSettings(),
      async createPortsIfNotExist(macs: readonly string[]) {
        await createPortsIfNotExist(db, task, macs.map((address) => ({ address })), logger);
      },
      ...(driver ? { driver } : {}),
      setInternalInfo(values: Json) {
        handle.pendingInternal = { ...(handle.pendingInternal ?? {}), ...values };
      },
      setNodeFields(fields: NodeFieldUpdate) {
        handle.pendingFields = { ...(handle.pendingFields ?? {}), ...fields };
      },
      replaceBiosSettings(settings: BiosSetting[]) {
        handle.pendingBios = settings;
      },
    },
    async flush() {
      if (handle.pendingInternal) {
        const merged = { ...task.node.driver_internal_info, ...handle.pendingInternal };
        handle.pendingInternal = null;
        await task.save({ driver_internal_info: merged });
      }
      if (handle.pendingFields) {
        const f = handle.pendingFields;
        handle.pendingFields = null;
        await task.save(f);
      }
      if (handle.pendingBios) {
        const b = handle.pendingBios;
        handle.pendingBios = null;
        await rows.storeBiosSettings(b);
      }
    },
    storeBiosSettings: (settings) => rows.storeBiosSettings(settings),
  };
  return handle;
}

/**
 * Context for read-only driver calls without a lock (power sync, shared tasks). Rows are
 * read on request and kept only by this context: without the lock they may change.
 */
export function sharedContext(db: Kysely<Database>, node: DriverContext['node'], logger: DriverLogger, driver?: ComposedDriver, signal?: AbortSignal): ConductorContext {
  const rows = new NodeRows(db, node.id, node.uuid);
  return {
    node, logger, signal: signal ?? new AbortController().signal,
    ...(driver ? { driver } : {}),
    loadPorts: () => rows.loadPorts(),
    loadBiosSettings: () => rows.loadBiosSettings(),
    setInternalInfo() { /* shared: ignored */ },
  };
}
