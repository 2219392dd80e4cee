/**
 * Composition root for the service processes: builds db, drivers, conductor and API
 * from a Config. `startService` is used by `ingot serve`, the demo, benchmarks and
 * integration tests, so they all run the same wiring.
 */
import pino from 'pino';
import type { FastifyInstance } from 'fastify';
import { openDb, redactUrl, type Db } from '../db/connect.ts';
import { NodeRepo } from '../db/nodes.ts';
import type { Config } from '../config/config.ts';
import { DriverRegistry } from '../drivers/registry.ts';
import { builtinFactories } from '../drivers/implementations.ts';
import { RedfishConnectionCache } from '../drivers/redfish/index.ts';
import { Conductor } from '../conductor/index.ts';
import { buildApi, ROUTES } from '../api/index.ts';
import { startInspector, withInspectorInspect, type InspectorRuntime } from './inspector-wiring.ts';

export interface Service {
  db: Db;
  conductor: Conductor;
  api: FastifyInstance;
  /** Base URL the API listens on (after listen). */
  url: string;
  /** The built-in inspector and its API (ironic-inspector's, port 5050 by default). */
  inspector: InspectorRuntime;
  close(): Promise<void>;
}

export async function startService(config: Config, opts: { listen?: boolean; periodics?: boolean; logger?: pino.Logger } = {}): Promise<Service> {
  const logger = opts.logger ?? pino({ level: config.logLevel, redact: ['*.password', '*.*_password', 'driver_info.*'] });
  const db = await openDb(config.db);
  logger.info({ db: redactUrl(config.db), dialect: db.dialect }, 'database ready');
  const redfishConnections = new RedfishConnectionCache({ timings: { powerTimeoutS: config.powerStateChangeTimeout } });
  let inspectorCallback = config.inspector.callbackUrl ?? '';
  const registry = new DriverRegistry(config.drivers, withInspectorInspect(builtinFactories({ fakeDelays: config.fakeDelays, redfishConnections }), config, () => inspectorCallback));
  const conductor = new Conductor({ db: db.kysely, config, registry, logger: logger.child({ area: 'conductor' }) });
  await conductor.start({ periodics: opts.periodics !== false });
  const api = buildApi({ db: db.kysely, nodes: new NodeRepo(db.kysely), conductor, config }, ROUTES, { logger: false });
  let url = '';
  if (opts.listen !== false) {
    await api.listen({ host: config.host, port: config.port });
    const addr = api.server.address();
    const port = typeof addr === 'object' && addr ? addr.port : config.port;
    url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
    logger.info({ url }, 'Ingot API listening');
  } else {
    await api.ready();
  }
  const inspector = await startInspector(config, db.kysely, conductor.deps, logger, { listen: opts.listen !== false, periodics: opts.periodics !== false });
  if (!inspectorCallback && inspector.url) inspectorCallback = `${inspector.url.replace('//0.0.0.0:', '//127.0.0.1:')}/v1/continue`;
  return {
    db, conductor, api, url, inspector,
    async close() {
      await inspector.close();
      await api.close();
      await conductor.stop();
      await redfishConnections.close();
      await db.close();
    },
  };
}
