/**
 * Wires the built-in inspector into a service process: the `inspector` inspect
 * implementation, the Inspector over the conductor (ConductorInspectionHost), its API on
 * its own port, and the PXE filter (periodic sync every [pxe_filter] sync_period s and on
 * every change the inspector makes).
 *
 * Scale-out: `ingot conductor` runs the Inspector without its API (listen false) and
 * answers the RPC calls inspectorContinue / inspectorReapply with it; `ingot api` serves the
 * inspector API over a {@link RemoteInspector}: reads (status, data, rules) from the
 * database, start/abort through the provision RPC, reports and reapply sent to a
 * conductor. Inspector's HTTP statuses travel as IngotError codes (400 Invalid, 404
 * NotFound, 409 Conflict, 503 Unavailable).
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
import { Inspector, InspectorError, type InspectorHost } from '../inspector/service.ts';
import type { ConductorApi, InspectorProcessing } from '../contracts/rpc.ts';
import type { Json } from '../core/node.ts';
import { IngotError, NotFoundError, type ErrorCode } from '../core/errors.ts';
import { buildInspectorApi } from '../inspector/api.ts';
import { DnsmasqDhcp } from '../drivers/dhcp/dnsmasq.ts';
import { dnsmasqPaths } from './netboot.ts';
import { DEFAULT_CPU_FLAGS } from '../inspector/hooks.ts';

export interface InspectorRuntime {
  inspector: Inspector;
  api: FastifyInstance;
  /** Base URL of the inspector API (after listen). */
  url: string;
  close(): Promise<void>;
}

/** The registry's factories plus the `inspector` inspect implementation. */
/**
 * The registry's factories plus the `inspector` inspect implementation. `inspector()` names
 * this process's Inspector once it runs (created after the conductor): each inspection
 * started through Ironic's API gets its inspector status.
 */
export function withInspectorInspect(base: ImplementationFactories, config: Config, callbackUrl: () => string, inspector: () => Inspector | null = () => null): ImplementationFactories {
  const onStarted = async (uuid: string): Promise<void> => { await inspector()?.noteStarted(uuid); };
  return withImplementations(base, {
    inspect: { inspector: () => new InspectorInspect({ callbackUrl, extraKernelParams: config.inspector.extraKernelParams, onStarted }) },
  });
}

function inspectorOptions(config: Config): ConstructorParameters<typeof Inspector>[2] {
  const c = config.inspector;
  return {
    processing: {
      hooks: c.processingHooks, addPorts: c.addPorts, overwriteExisting: c.overwriteExisting, updatePxeEnabled: c.updatePxeEnabled,
      diskPartitioningSpacing: c.diskPartitioningSpacing, bootModeCapability: c.bootModeCapability,
      cpuFlags: DEFAULT_CPU_FLAGS, pciAliases: c.pciAliases, physnetCidrMap: c.physnetCidrMap,
    },
    nodeNotFoundHook: c.nodeNotFoundHook, enrollNodeDriver: c.enrollNodeDriver, enrollNodeFields: {}, powerOff: c.powerOff, apiMaxLimit: config.maxLimit,
  };
}

const TO_CODE: Record<number, ErrorCode> = { 400: 'Invalid', 404: 'NotFound', 409: 'Conflict', 503: 'Unavailable' };
const TO_STATUS: Partial<Record<ErrorCode, number>> = { Invalid: 400, NotFound: 404, Conflict: 409, Unavailable: 503, NodeLocked: 409, InvalidState: 400 };

/** The conductor's side of the inspector RPC: the Inspector's errors as IngotErrors. */
export function inspectorProcessing(inspector: Inspector): InspectorProcessing {
  const wrap = async <T>(fn: () => Promise<T>): Promise<T> => {
    try { return await fn(); } catch (err) {
      if (err instanceof InspectorError) throw new IngotError(TO_CODE[err.code] ?? 'Internal', err.message);
      throw err;
    }
  };
  return {
    continue: (body) => wrap(() => inspector.continue(body)),
    reapply: (uuid, body) => wrap(() => inspector.reapply(uuid, (body ?? undefined) as Record<string, unknown> | undefined)),
  };
}

/** An IngotError from the conductor as the inspector API's error. */
function asInspectorError(err: unknown): unknown {
  if (err instanceof IngotError) return new InspectorError(err.message, TO_STATUS[err.code] ?? 500);
  return err;
}

/** The API process's host: start and abort are provision actions over the RPC; the rest happens on a conductor. */
class RemoteInspectionHost implements InspectorHost {
  constructor(private readonly db: Kysely<Database>, private readonly conductor: ConductorApi) {}
  private async idOf(uuid: string): Promise<number> {
    const r = await this.db.selectFrom('nodes').select('id').where('uuid', '=', uuid).executeTakeFirst();
    if (!r) throw new NotFoundError(`Node ${uuid} could not be found.`);
    return r.id;
  }
  async startInspection(uuid: string): Promise<void> {
    try { await this.conductor.doProvisioningAction(await this.idOf(uuid), { event: 'inspect', target: 'inspect' }); } catch (err) { throw asInspectorError(err); }
  }
  async abortInspection(uuid: string): Promise<void> {
    try { await this.conductor.doProvisioningAction(await this.idOf(uuid), { event: 'abort', target: 'abort' }); } catch (err) { throw asInspectorError(err); }
  }
  private remoteOnly(): never { throw new Error('processing runs on a conductor (inspectorContinue / inspectorReapply)'); }
  completeInspection(): Promise<void> { return this.remoteOnly(); }
  failInspection(): Promise<void> { return this.remoteOnly(); }
  enrollNode(): Promise<string> { return this.remoteOnly(); }
}

/** `ingot api`'s Inspector: reports and reapply go to a conductor. */
export class RemoteInspector extends Inspector {
  constructor(db: Kysely<Database>, private readonly conductor: ConductorApi, opts: ConstructorParameters<typeof Inspector>[2], log?: ConstructorParameters<typeof Inspector>[3]) {
    super(db, new RemoteInspectionHost(db, conductor), opts, log);
  }
  override async continue(body: unknown): Promise<{ uuid: string }> {
    try { return await this.conductor.inspectorContinue(body as Json); } catch (err) { throw asInspectorError(err); }
  }
  override async reapply(ident: string, given?: Record<string, unknown>): Promise<void> {
    const uuid = await this.nodeUuid(ident);
    const r = await this.db.selectFrom('nodes').select('id').where('uuid', '=', uuid).executeTakeFirst();
    if (!r) throw new InspectorError(`Node ${ident} was not found in Ironic`, 404);
    try { await this.conductor.inspectorReapply(r.id, (given ?? null) as Json); } catch (err) { throw asInspectorError(err); }
  }
}

/**
 * Starts the inspector of a process. `deps` (a conductor's): the Inspector processes here
 * (`ingot serve`, `ingot conductor`); `remote` (an API's ConductorApi): a RemoteInspector.
 */
export async function startInspector(config: Config, db: Kysely<Database>, deps: FlowDeps | { remote: ConductorApi }, logger: pino.Logger, opts: { listen: boolean; periodics: boolean }): Promise<InspectorRuntime> {
  const c = config.inspector;
  const log = (msg: string, extra?: Record<string, unknown>) => logger.warn(extra ?? {}, msg);
  const inspector = 'remote' in deps
    ? new RemoteInspector(db, deps.remote, inspectorOptions(config), log)
    : new Inspector(db, new ConductorInspectionHost(deps), inspectorOptions(config), log);
  // The PXE filter is written where the conductors (and dnsmasq) are, not by an API process.
  // One writer of dnsmasq's host files: the netboot DHCP provider's module (same hostsdir).
  if (!('remote' in deps) && c.pxeFilterDriver === 'dnsmasq') {
    const dhcp = new DnsmasqDhcp(dnsmasqPaths(config));
    inspector.setPxeFilter({ apply: (state) => dhcp.applyPxeFilter(state) });
  }
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
