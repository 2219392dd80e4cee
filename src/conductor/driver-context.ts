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
  constructor(private readonly db: Kysely<Database>, private readonly nodeId: number) {}

  loadPorts(): Promise<readonly DriverPort[]> {
    this.ports ??= driverPorts(this.db, this.nodeId).catch((err: unknown) => { this.ports = undefined; throw err; });
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

async function driverPorts(db: Kysely<Database>, nodeId: number): Promise<DriverPort[]> {
  return (await portsOfNode(db, nodeId)).map((p) => ({
    uuid: p.uuid, address: p.address, pxe_enabled: p.pxe_enabled, physical_network: p.physical_network, extra: p.extra,
  }));
}

/** The rows kept for each task, i.e. for as long as its lock is held. */
const rowsOfTask = new WeakMap<Task, NodeRows>();

function taskRows(db: Kysely<Database>, task: Task): NodeRows {
  let rows = rowsOfTask.get(task);
  if (!rows) rowsOfTask.set(task, (rows = new NodeRows(db, task.node.id)));
  return rows;
}

/** Call after writing the node's ports under `task` outside a driver context (inspection creates them). */
export function portsChanged(task: Task): void {
  rowsOfTask.get(task)?.forgetPorts();
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
export function sharedContext(db: Kysely<Database>, node: DriverContext['node'], logger: DriverLogger, signal?: AbortSignal): ConductorContext {
  const rows = new NodeRows(db, node.id);
  return {
    node, logger, signal: signal ?? new AbortController().signal,
    loadPorts: () => rows.loadPorts(),
    loadBiosSettings: () => rows.loadBiosSettings(),
    setInternalInfo() { /* shared: ignored */ },
  };
}
