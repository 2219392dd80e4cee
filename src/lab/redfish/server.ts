/**
 * HTTP transport of the lab BMC (fastify): `/redfish/*` for the Redfish service and `/lab/*` for
 * the lab's own admin API.
 *
 * Fault injection happens here, before authentication and routing: latency delays the request,
 * an injected error answers with a Redfish error body, a timeout takes the socket over and never
 * answers (the socket is destroyed when the lab closes), a reset destroys the socket at once without
 * an answer, dropSessions invalidates tokens first.
 *
 * Admin API (JSON, no authentication: it is a test lab):
 * - `GET /lab/faults` → `{faults}`; `POST /lab/faults` (one spec or an array) → 201 `{faults}`;
 *   `PUT /lab/faults` (array) replaces all; `DELETE /lab/faults` clears; `DELETE /lab/faults/:id`;
 * - `POST /lab/faults/drop-sessions` `{machines?}` → `{dropped}`;
 * - `GET /lab/machines` → `{machines}` (state summaries).
 *
 * @module
 */
import type { Socket } from 'node:net';
import { readFileSync } from 'node:fs';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest, type FastifyServerOptions } from 'fastify';
import type { Logger } from 'pino';
import { RedfishError } from './errors.ts';
import { FaultSpecError, type FaultInjector, type FaultSpec } from './faults.ts';
import type { LabMachine } from './machine.ts';
import { MALFORMED, type RedfishService, type RfResponse } from './service.ts';

export interface ServerDeps {
  service: RedfishService;
  faults: FaultInjector;
  machines: LabMachine[];
  logger?: Logger | false;
  tls?: { cert: string; key: string };
  /** More `/lab/*` routes (the hosts' API, host-routes.ts). */
  routes?: (app: FastifyInstance) => void;
}

export interface LabServer {
  app: FastifyInstance;
  /** Destroys sockets held by timeout faults, then closes the server. */
  close(): Promise<void>;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export function buildServer(deps: ServerDeps): LabServer {
  const { service, faults } = deps;
  const options: Record<string, unknown> = { forceCloseConnections: true, bodyLimit: 4 * 1024 * 1024 };
  if (deps.logger) options.loggerInstance = deps.logger;
  else options.logger = false;
  if (deps.tls) options.https = { cert: readFileSync(deps.tls.cert), key: readFileSync(deps.tls.key) };
  const app = Fastify(options as FastifyServerOptions) as unknown as FastifyInstance;
  const held = new Set<Socket>();

  // NOTE: one tolerant parser for every content type: empty bodies are fine (sushy posts actions
  // without a body), bad JSON becomes MALFORMED so the service answers with a Redfish error.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => {
    const text = String(body ?? '');
    if (text.trim() === '') return done(null, undefined);
    try {
      done(null, JSON.parse(text));
    } catch {
      done(null, MALFORMED);
    }
  });

  app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    const path = request.url.split('?')[0]!;
    if (!path.startsWith('/redfish')) return undefined;
    const machine = service.machineOf(path);
    const d = faults.decide({ method: request.method, path, machineId: machine?.id ?? null });
    if (d.rules.length === 0) return undefined;
    request.log.debug({ faults: d }, 'redfish lab fault');
    if (d.latencyMs > 0) await sleep(d.latencyMs);
    if (d.dropSessions) service.sessions.drop(d.dropSessions.machines ?? undefined);
    if (d.reset) {
      reply.hijack();
      request.raw.socket.destroy();
      return reply;
    }
    if (d.timeout) {
      const socket = request.raw.socket;
      held.add(socket);
      socket.once('close', () => held.delete(socket));
      reply.hijack();
      return reply;
    }
    if (d.error !== null) {
      const err = new RedfishError(d.error, d.error === 503 ? { id: 'ServiceTemporarilyUnavailable', args: [1] }
        : d.error === 401 ? { id: 'NoValidSession' } : { id: 'InternalError' });
      return send(reply, { status: d.error, headers: d.error === 503 ? { 'Retry-After': '1' } : {}, body: service.resources.profile.catalog.errorBody(err) });
    }
    return undefined;
  });

  const handler = async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const res = await service.handle({ method: request.method, path: request.url, headers: request.headers, body: request.body });
    send(reply, res);
  };
  app.route({ method: ['GET', 'POST', 'PATCH', 'PUT', 'DELETE'], url: '/redfish', handler });
  app.route({ method: ['GET', 'POST', 'PATCH', 'PUT', 'DELETE'], url: '/redfish/*', handler });

  const adminBody = (request: FastifyRequest): unknown => {
    if (request.body === MALFORMED) throw new FaultSpecError('body is not valid JSON');
    return request.body;
  };
  const admin = (fn: (request: FastifyRequest, reply: FastifyReply) => unknown) => async (request: FastifyRequest, reply: FastifyReply) => {
    try {
      return await fn(request, reply);
    } catch (err) {
      if (err instanceof FaultSpecError) return reply.code(400).send({ error: err.message });
      throw err;
    }
  };
  app.get('/lab/faults', async () => ({ faults: faults.list() }));
  app.post('/lab/faults', admin(async (request, reply) => reply.code(201).send({ faults: faults.add(adminBody(request) as FaultSpec | FaultSpec[]) })));
  app.put('/lab/faults', admin(async (request) => {
    const body = adminBody(request);
    if (!Array.isArray(body)) throw new FaultSpecError('PUT /lab/faults takes an array of faults');
    return { faults: faults.set(body as FaultSpec[]) };
  }));
  app.delete('/lab/faults', async (_request, reply) => { faults.clear(); return reply.code(204).send(); });
  app.delete('/lab/faults/:id', async (request, reply) => {
    const ok = faults.remove((request.params as { id: string }).id);
    return ok ? reply.code(204).send() : reply.code(404).send({ error: 'no such fault' });
  });
  app.post('/lab/faults/drop-sessions', admin(async (request) => {
    const body = (adminBody(request) ?? {}) as { machines?: Array<string | number> };
    const ids = body.machines?.map((sel) => {
      const m = typeof sel === 'number' ? deps.machines[sel] : deps.machines.find((x) => x.id === sel);
      if (!m) throw new FaultSpecError(`unknown machine ${JSON.stringify(sel)}`);
      return m.id;
    });
    return { dropped: service.sessions.drop(ids) };
  }));
  app.get('/lab/machines', async () => ({ machines: deps.machines.map((m) => m.snapshot()) }));
  deps.routes?.(app);
  app.setNotFoundHandler(async (request, reply) => {
    const path = request.url.split('?')[0]!;
    if (!path.startsWith('/redfish')) return reply.code(404).send({ error: `no route ${request.method} ${path}` });
    const err = new RedfishError(405, { id: 'OperationNotAllowed' }, { Allow: 'GET, HEAD, POST, PATCH, DELETE' });
    return send(reply, { status: 405, headers: err.headers, body: service.resources.profile.catalog.errorBody(err) });
  });

  return {
    app,
    async close() {
      for (const s of held) s.destroy();
      held.clear();
      await app.close();
    },
  };
}

function send(reply: FastifyReply, res: RfResponse): FastifyReply {
  reply.code(res.status);
  reply.header('OData-Version', '4.0');
  reply.header('Cache-Control', 'no-cache');
  for (const [k, v] of Object.entries(res.headers)) reply.header(k, v);
  if (res.body === undefined) return reply.send();
  return reply.type('application/json; charset=utf-8').send(JSON.stringify(res.body));
}
