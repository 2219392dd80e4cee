/** Builds the narrow DriverContext a driver call gets from a task. */
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';
import type { BiosSetting, ComposedDriver, DriverContext, DriverLogger, NodeFieldUpdate } from '../drivers/base.ts';
import { loadBiosSettings, replaceBiosSettings } from '../db/bios.ts';
import type { Json } from '../core/node.ts';
import { portsOfNode } from '../db/ports.ts';
import type { Task } from './task.ts';

export interface ContextHandle {
  ctx: DriverContext;
  /** driver_internal_info changes the driver asked for; persist with `flush`. */
  pendingInternal: Json | null;
  pendingFields: NodeFieldUpdate | null;
  pendingBios: BiosSetting[] | null;
  flush(): Promise<void>;
}

export async function driverContext(db: Kysely<Database>, task: Task, logger: DriverLogger, signal?: AbortSignal, driver?: ComposedDriver): Promise<ContextHandle> {
  const ports = (await portsOfNode(db, task.node.id)).map((p) => ({
    uuid: p.uuid, address: p.address, pxe_enabled: p.pxe_enabled, physical_network: p.physical_network, extra: p.extra,
  }));
  const biosSettings = await loadBiosSettings(db, task.node.id);
  const handle: ContextHandle = {
    pendingInternal: null,
    pendingFields: null,
    pendingBios: null,
    ctx: {
      node: task.node,
      ports,
      logger,
      signal: signal ?? new AbortController().signal,
      biosSettings,
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
        await replaceBiosSettings(db, task.node.id, b);
      }
    },
  };
  return handle;
}

/** Context for read-only driver calls without a lock (power sync, shared tasks). */
export async function sharedContext(db: Kysely<Database>, node: DriverContext['node'], logger: DriverLogger): Promise<DriverContext> {
  const ports = (await portsOfNode(db, node.id)).map((p) => ({
    uuid: p.uuid, address: p.address, pxe_enabled: p.pxe_enabled, physical_network: p.physical_network, extra: p.extra,
  }));
  return { node, ports, logger, signal: new AbortController().signal, setInternalInfo() { /* shared: ignored */ } };
}
