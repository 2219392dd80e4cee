/**
 * Composition roots of the scale-out mode: `ingot api` (stateless REST API; calls the
 * owning conductor over JSON-RPC) and `ingot conductor` (a conductor with its RPC
 * listener, registered in `conductors` with its hardware types, group and RPC address).
 * Both share one PostgreSQL or MariaDB database; `ingot serve` stays the one-process mode.
 */
import { hostname as osHostname } from 'node:os';
import pino from 'pino';
import type { FastifyInstance } from 'fastify';
import { openDb, dialectOf, redactUrl, type Db } from '../db/connect.ts';
import { NodeRepo } from '../db/nodes.ts';
import { ConductorRepo, HashRingManager } from '../db/conductors.ts';
import type { Config } from '../config/config.ts';
import type { ClusterConfig } from '../config/cluster.ts';
import { DriverRegistry } from '../drivers/registry.ts';
import { builtinFactories } from '../drivers/implementations.ts';
import { RedfishConnectionCache } from '../drivers/redfish/index.ts';
import { Conductor } from '../conductor/index.ts';
import { Takeover } from '../conductor/takeover.ts';
import { buildApi, ROUTES } from '../api/index.ts';
import { remoteConductor, type RemoteConductor } from '../rpc/client.ts';
import { startRpcServer, type RpcServer } from '../rpc/server.ts';
import { inspectorProcessing, startInspector, withInspectorInspect, type InspectorRuntime } from './inspector-wiring.ts';

/** Separate processes must share a database server: SQLite cannot be that. */
export function refuseSqlite(verb: string, db: string): void {
  if (dialectOf(db) !== 'sqlite') return;
  throw new Error(`${verb} refuses the SQLite database "${db}": separate API and conductor processes share all state `
    + 'through one database, and SQLite is a file that only processes on this machine can open, one writer at a time. '
    + 'Use PostgreSQL (--db postgres://USER@HOST/DB) or MariaDB (--db mysql://USER:PASS@HOST/DB), '
    + 'or run API and conductor in one process with `ingot serve`.');
}

function ringOf(db: Db, config: Config, cluster: ClusterConfig): { ring: HashRingManager; stop(): void } {
  const ring = new HashRingManager(db.kysely, {
    heartbeatTimeout: config.heartbeatTimeout, resetInterval: cluster.hashRingResetInterval,
    partitionExponent: cluster.hashPartitionExponent, algorithm: cluster.hashRingAlgorithm,
  });
  // Rebuilt on a timer as well as on demand, so that cached lookups (the `conductor`
  // field, periodic-task filters) never use a ring older than the reset interval.
  const t = setInterval(() => { ring.refresh(true).catch(() => undefined); }, Math.max(cluster.hashRingResetInterval, 0.1) * 1000);
  t.unref();
  return { ring, stop: () => clearInterval(t) };
}

function loggerFor(config: Config, area: string): pino.Logger {
  return pino({ level: config.logLevel, redact: ['*.password', '*.*_password', 'driver_info.*'] }).child({ area });
}

function urlHost(h: string): string { return h.includes(':') ? `[${h}]` : h; }

export interface ApiProcess { api: FastifyInstance; url: string; conductor: RemoteConductor; inspector: InspectorRuntime; close(): Promise<void> }

export async function startApiProcess(config: Config, cluster: ClusterConfig): Promise<ApiProcess> {
  refuseSqlite('ingot api', config.db);
  const logger = loggerFor(config, 'api');
  const db = await openDb(config.db);
  logger.info({ db: redactUrl(config.db), dialect: db.dialect }, 'database ready');
  const { ring, stop } = ringOf(db, config, cluster);
  await ring.refresh(true);
  const conductor = remoteConductor({ db: db.kysely, ring, rpc: cluster.jsonRpc });
  const api = buildApi({ db: db.kysely, nodes: new NodeRepo(db.kysely), conductor, config }, ROUTES, { logger: false });
  await api.listen({ host: config.host, port: config.port });
  const addr = api.server.address();
  const url = `http://${urlHost(config.host)}:${typeof addr === 'object' && addr ? addr.port : config.port}`;
  logger.info({ url }, 'Ingot API listening (conductors over JSON-RPC)');
  // ironic-inspector's API too (issue 11 item 0): reads here, processing on a conductor.
  const inspector = await startInspector(config, db.kysely, { remote: conductor }, logger, { listen: true, periodics: false });
  return {
    api, url, conductor, inspector,
    async close() { stop(); await inspector.close(); await api.close(); conductor.close(); await db.close(); },
  };
}

export interface ConductorProcess { conductor: Conductor; rpc: RpcServer; rpcAddress: string; takeover: Takeover; close(): Promise<void> }

export async function startConductorProcess(config: Config, cluster: ClusterConfig): Promise<ConductorProcess> {
  refuseSqlite('ingot conductor', config.db);
  const logger = loggerFor(config, 'conductor');
  const db = await openDb(config.db);
  logger.info({ db: redactUrl(config.db), dialect: db.dialect, conductor: config.conductorHostname }, 'database ready');
  const { ring, stop } = ringOf(db, config, cluster);
  const redfishConnections = new RedfishConnectionCache();
  // The `inspector` inspect interface posts to INGOT_INSPECTOR_CALLBACK_URL (the API process's inspector API).
  let inspectorRt: InspectorRuntime | null = null;
  const registry = new DriverRegistry(config.drivers, withInspectorInspect(builtinFactories({ fakeDelays: config.fakeDelays, redfishConnections }),
    config, () => config.inspector.callbackUrl ?? '', () => inspectorRt?.inspector ?? null));
  const me = config.conductorHostname;
  const conductor = new Conductor({ db: db.kysely, config, registry, logger, ownsNode: (n) => ring.cachedOwner(n) === me });
  const rpc = await startRpcServer(conductor, cluster.jsonRpc, { host: config.host, port: cluster.jsonRpc.port },
    (msg, extra) => logger.error(extra ?? {}, msg));
  const wildcard = config.host === '0.0.0.0' || config.host === '::';
  const advertise = cluster.jsonRpc.advertiseHost ?? (wildcard ? osHostname() : config.host);
  const rpcAddress = `${cluster.jsonRpc.useSsl ? 'https' : 'http'}://${urlHost(advertise)}:${rpc.port}`;
  await conductor.start();
  const inspector = await startInspector(config, db.kysely, conductor.deps, logger, { listen: false, periodics: true });
  conductor.setInspector(inspectorProcessing(inspector.inspector));
  inspectorRt = inspector;
  await new ConductorRepo(db.kysely).setRpcAddress(me, rpcAddress);
  await ring.refresh(true);
  const takeover = new Takeover(conductor.deps);
  takeover.start(cluster.syncLocalStateInterval);
  logger.info({ conductor: me, group: config.conductorGroup, rpc: rpcAddress }, 'Ingot conductor ready');
  return {
    conductor, rpc, rpcAddress, takeover,
    async close() {
      takeover.stop();
      stop();
      await rpc.close();
      await inspector.close();
      await conductor.stop();
      await redfishConnections.close();
      await db.close();
    },
  };
}
