/**
 * Composition root for the service processes: builds db, drivers, conductor and API
 * from a Config. `startService` is used by `ingot serve`, the demo, benchmarks and
 * integration tests, so they all run the same wiring.
 */
import { mkdir } from 'node:fs/promises';
import pino from 'pino';
import { DriverError, messageOf } from '../core/errors.ts';
import type { FastifyInstance } from 'fastify';
import { openDb, redactUrl, type Db } from '../db/connect.ts';
import { NodeRepo } from '../db/nodes.ts';
import type { Config } from '../config/config.ts';
import { DriverRegistry } from '../drivers/registry.ts';
import { builtinFactories } from '../drivers/implementations.ts';
import type { AgentIsoSettings } from '../drivers/shared/agent-iso.ts';
import { RedfishConnectionCache } from '../drivers/redfish/index.ts';
import { ipmiFromConfig } from './ipmi-options.ts';
import { Conductor } from '../conductor/index.ts';
import { buildApi, ROUTES } from '../api/index.ts';
import { startFileServer, type FileServer } from '../conductor/file-server.ts';
import { netbootSettings } from './netboot.ts';
import { inspectorProcessing, startInspector, withInspectorInspect, type InspectorRuntime } from './inspector-wiring.ts';

export interface Service {
  db: Db;
  conductor: Conductor;
  api: FastifyInstance;
  /** Base URL the API listens on (after listen). */
  url: string;
  /** The static file server over config.httpRoot (ISOs, images), when listening. */
  files: FileServer | null;
  /** The built-in inspector and its API (ironic-inspector's, port 5050 by default). */
  inspector: InspectorRuntime;
  close(): Promise<void>;
}

/** The virtual media ISO settings from the configuration (URLs read late: ports may be 0 until listen). */
export function vmediaOptions(config: Config, filesError: () => string | null = () => null): AgentIsoSettings {
  return {
    httpRoot: config.httpRoot,
    httpUrl: () => {
      const err = filesError();
      if (err) throw new DriverError(`Cannot serve boot ISOs: ${err}.`, { reason: 'http_server' });
      return config.httpUrl ?? `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${config.httpPort}`;
    },
    apiUrl: () => config.apiUrl,
    kernelAppendParams: config.redfishKernelAppendParams,
    bootloader: config.bootloader,
    debug: config.logLevel === 'debug' || config.logLevel === 'trace',
    defaultBootMode: config.defaultBootMode,
    isolinuxBin: config.isolinuxBin,
    ldlinuxC32: config.ldlinuxC32,
    grubEfi: config.grubEfi,
  };
}

export async function startService(config: Config, opts: { listen?: boolean; periodics?: boolean; logger?: pino.Logger } = {}): Promise<Service> {
  const logger = opts.logger ?? pino({ level: config.logLevel, redact: ['*.password', '*.*_password', 'driver_info.*'] });
  const db = await openDb(config.db);
  logger.info({ db: redactUrl(config.db), dialect: db.dialect }, 'database ready');
  // The file server starts first: with httpPort 0 its URL (config.httpUrl) is only known after listen.
  // A file server that cannot listen (port taken) does not stop the API: what needs it
  // (virtual media ISOs) fails with the reason instead.
  let files: FileServer | null = null;
  let filesError: string | null = null;
  if (opts.listen !== false) {
    await mkdir(config.httpRoot, { recursive: true });
    try {
      files = await startFileServer({ root: config.httpRoot, host: config.host, port: config.httpPort, url: config.httpUrl, logger });
      config.httpUrl = files.url;
      logger.info({ url: files.url, root: config.httpRoot }, 'Ingot file server listening');
    } catch (err) {
      filesError = `the file server over ${config.httpRoot} could not listen on ${config.host}:${config.httpPort} (${messageOf(err)}); set INGOT_HTTP_PORT`;
      logger.error({ err }, filesError);
    }
  }
  const redfishConnections = new RedfishConnectionCache({ timings: { powerTimeoutS: config.powerStateChangeTimeout } });
  const { ipmitool, ipmiConsoles } = ipmiFromConfig(config.ipmi, config.host);
  let inspectorCallback = config.inspector.callbackUrl ?? '';
  let inspectorRt: InspectorRuntime | null = null;
  const registry = new DriverRegistry(config.drivers, withInspectorInspect(builtinFactories({
    fakeDelays: config.fakeDelays, redfishConnections, vmedia: vmediaOptions(config, () => filesError), ipmitool, ipmiConsoles, agent: config.agent, netboot: netbootSettings(config),
    imageServing: { httpRoot: config.httpRoot, httpUrl: config.httpUrl ?? `http://${config.host === '0.0.0.0' ? '127.0.0.1' : config.host}:${config.httpPort}` },
  }), config, () => inspectorCallback, () => inspectorRt?.inspector ?? null));
  const conductor = new Conductor({ db: db.kysely, config, registry, logger: logger.child({ area: 'conductor' }) });
  await conductor.start({ periodics: opts.periodics !== false });
  const api = buildApi({ db: db.kysely, nodes: new NodeRepo(db.kysely), conductor, config }, ROUTES, { logger: false });
  let url = '';
  if (opts.listen !== false) {
    await api.listen({ host: config.host, port: config.port });
    const addr = api.server.address();
    const port = typeof addr === 'object' && addr ? addr.port : config.port;
    url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
    // An API URL derived from port 0 is filled in now (agents are given it as ipa-api-url).
    if (config.port === 0 && /:0\/?$/.test(config.apiUrl)) config.apiUrl = url;
    logger.info({ url }, 'Ingot API listening');
  } else {
    await api.ready();
  }
  const inspector = await startInspector(config, db.kysely, conductor.deps, logger, { listen: opts.listen !== false, periodics: opts.periodics !== false });
  conductor.setInspector(inspectorProcessing(inspector.inspector));
  inspectorRt = inspector;
  if (!inspectorCallback && inspector.url) inspectorCallback = `${inspector.url.replace('//0.0.0.0:', '//127.0.0.1:')}/v1/continue`;
  return {
    db, conductor, api, url, files, inspector,
    async close() {
      await inspector.close();
      await api.close();
      await files?.close();
      await conductor.stop();
      await redfishConnections.close();
      await ipmiConsoles.close();
      await db.close();
    },
  };
}
