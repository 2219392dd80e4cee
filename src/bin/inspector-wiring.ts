/**
 * Wires the built-in inspector into a service process: the `inspector` inspect
 * implementation, the Inspector over the conductor (ConductorInspectionHost), its API on
 * its own port, and the PXE filter (periodic sync every [pxe_filter] sync_period s and on
 * every change the inspector makes).
 */
import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import type pino from 'pino';
import type { Config } from '../config/config.ts';
import type { Database } from '../db/schema.ts';
import type { ImplementationFactories } from '../drivers/registry.ts';
import { withImplementations } from '../drivers/implementations.ts';
import { InspectorInspect } from '../drivers/inspector/inspect.ts';
import type { FlowDeps } from '../conductor/deps.ts';
import { ConductorInspectionHost } from '../conductor/inspection.ts';
import { Inspector } from '../inspector/service.ts';
import { buildInspectorApi } from '../inspector/api.ts';
import { DnsmasqHostsDirFilter } from '../inspector/pxe-filter.ts';
import { DEFAULT_CPU_FLAGS } from '../inspector/hooks.ts';

export interface InspectorRuntime {
  inspector: Inspector;
  api: FastifyInstance;
  /** Base URL of the inspector API (after listen). */
  url: string;
  close(): Promise<void>;
}

/** The registry's factories plus the `inspector` inspect implementation. */
export function withInspectorInspect(base: ImplementationFactories, config: Config, callbackUrl: () => string): ImplementationFactories {
  return withImplementations(base, {
    inspect: { inspector: () => new InspectorInspect({ callbackUrl, extraKernelParams: config.inspector.extraKernelParams }) },
  });
}

export async function startInspector(config: Config, db: Kysely<Database>, deps: FlowDeps, logger: pino.Logger, opts: { listen: boolean; periodics: boolean }): Promise<InspectorRuntime> {
  const c = config.inspector;
  const inspector = new Inspector(db, new ConductorInspectionHost(deps), {
    processing: {
      hooks: c.processingHooks, addPorts: c.addPorts, overwriteExisting: c.overwriteExisting, updatePxeEnabled: c.updatePxeEnabled,
      diskPartitioningSpacing: c.diskPartitioningSpacing, bootModeCapability: c.bootModeCapability,
      cpuFlags: DEFAULT_CPU_FLAGS, pciAliases: c.pciAliases, physnetCidrMap: c.physnetCidrMap,
    },
    nodeNotFoundHook: c.nodeNotFoundHook, enrollNodeDriver: c.enrollNodeDriver, enrollNodeFields: {}, powerOff: c.powerOff, apiMaxLimit: config.maxLimit,
  }, (msg, extra) => logger.warn(extra ?? {}, msg));
  if (c.pxeFilterDriver === 'dnsmasq' && c.dhcpHostsdir) inspector.setPxeFilter(new DnsmasqHostsDirFilter(c.dhcpHostsdir));
  const api = buildInspectorApi(inspector, { bodyLimit: c.maxBody });
  let url = '';
  if (opts.listen) {
    await api.listen({ host: config.host, port: c.port });
    const addr = api.server.address();
    const port = typeof addr === 'object' && addr ? addr.port : c.port;
    url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
    logger.info({ url }, 'inspector API listening');
  } else await api.ready();
  let timer: NodeJS.Timeout | null = null;
  void inspector.syncPxeFilter();
  if (opts.periodics && c.pxeFilterSyncPeriod > 0) {
    timer = setInterval(() => { void inspector.syncPxeFilter(); }, c.pxeFilterSyncPeriod * 1000);
    timer.unref();
  }
  return {
    inspector, api, url,
    async close() { if (timer) clearInterval(timer); await api.close(); },
  };
}
