/**
 * ironic-inspector's v1 REST API (11.1, API 1.0–1.18) over the built-in {@link Inspector}:
 * `/`, `/v1`, `/v1/continue`, `/v1/introspection[/{node}[/abort|/data[/unprocessed]]]`,
 * `/v1/rules[/{uuid}]`. Versions through `X-OpenStack-Ironic-Inspector-API-Version`
 * (default and `latest` = 1.18; outside 1.0–1.18 a 406); every answer carries the
 * minimum/maximum version headers; errors are `{"error": {"message": …}}`.
 * Served on its own port (5050 by default) by `ingot serve`.
 */
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { Inspector, InspectorError } from './service.ts';
import { RuleError, ruleView, validateRule } from './rules.ts';
import { newUuid } from '../core/ids.ts';
import type { Status } from './store.ts';

export const MIN_VERSION: [number, number] = [1, 0];
export const MAX_VERSION: [number, number] = [1, 18];
const VERSION_HEADER = 'x-openstack-ironic-inspector-api-version';
const STATES = ['enrolling', 'error', 'finished', 'processing', 'reapplying', 'starting', 'waiting', 'aborting'];

export interface InspectorApiOptions {
  /** Largest request body in bytes (a report above it is a 413). Default 10 MiB. */
  bodyLimit?: number;
}

function fmt(v: [number, number]): string { return `${v[0]}.${v[1]}`; }

function requested(req: FastifyRequest): [number, number] {
  const raw = req.headers[VERSION_HEADER];
  const v = Array.isArray(raw) ? raw[0] : raw;
  if (v === undefined) return MAX_VERSION;
  if (v.toLowerCase() === 'latest') return MAX_VERSION;
  const m = /^(\d+)\.(\d+)$/.exec(v.trim());
  if (!m) throw new InspectorError('Malformed API version: expected string in form of X.Y or latest', 400);
  return [Number(m[1]), Number(m[2])];
}
function before(a: [number, number], b: [number, number]): boolean { return a[0] < b[0] || (a[0] === b[0] && a[1] < b[1]); }

function root(req: FastifyRequest): string {
  const host = req.headers['x-forwarded-host'] ?? req.headers.host ?? 'localhost';
  const proto = req.headers['x-forwarded-proto'] ?? 'http';
  return `${String(proto)}://${String(host)}`;
}

export function statusView(req: FastifyRequest, s: Status): Record<string, unknown> {
  return {
    error: s.error, finished: s.finished_at !== null, finished_at: s.finished_at,
    links: [{ href: `${root(req)}/v1/introspection/${s.node_uuid}`, rel: 'self' }],
    started_at: s.started_at, state: s.state, uuid: s.node_uuid,
  };
}

function boolArg(v: string): boolean | null {
  const s = v.toLowerCase();
  if (['1', 't', 'true', 'on', 'y', 'yes'].includes(s)) return true;
  if (['0', 'f', 'false', 'off', 'n', 'no'].includes(s)) return false;
  return null;
}

function empty(reply: FastifyReply, code: number): FastifyReply {
  if (code === 204) return reply.code(204).type('text/plain').send('');
  return reply.code(code).send({});
}

export function buildInspectorApi(inspector: Inspector, opts: InspectorApiOptions = {}): FastifyInstance {
  const app = Fastify({ logger: false, bodyLimit: opts.bodyLimit ?? 10 * 1024 * 1024, ignoreTrailingSlash: true });
  // Inspector reads bodies with get_json(force=True): any content type is JSON.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => {
    const text = String(body);
    if (text.trim() === '') { done(null, undefined); return; }
    try { done(null, JSON.parse(text)); } catch { done(new InspectorError('Invalid data: the request body is not valid JSON', 400), undefined); }
  });
  app.addHook('onRequest', async (req, reply) => {
    reply.header('X-OpenStack-Ironic-Inspector-API-Minimum-Version', fmt(MIN_VERSION));
    reply.header('X-OpenStack-Ironic-Inspector-API-Maximum-Version', fmt(MAX_VERSION));
    const v = requested(req);
    if (before(v, MIN_VERSION) || before(MAX_VERSION, v)) {
      throw new InspectorError(`Unsupported API version ${fmt(v)}, supported range is ${fmt(MIN_VERSION)} to ${fmt(MAX_VERSION)}`, 406);
    }
  });
  app.setErrorHandler((raw: unknown, _req, reply) => {
    if (raw instanceof InspectorError || raw instanceof RuleError) return reply.code(raw.code).send({ error: { message: raw.message } });
    const err = raw as Error & { statusCode?: number; code?: string };
    if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return reply.code(413).send({ error: { message: `Request body too large (limit ${opts.bodyLimit ?? 10 * 1024 * 1024} bytes)` } });
    if (err.statusCode && err.statusCode < 500) return reply.code(err.statusCode).send({ error: { message: err.message } });
    inspector.log('inspector API internal error', { err: err.message });
    return reply.code(500).send({ error: { message: 'Internal server error' } });
  });
  app.setNotFoundHandler((_req, reply) => reply.code(404).send({
    error: { message: '404 Not Found: The requested URL was not found on the server. If you entered the URL manually please check your spelling and try again.' },
  }));

  app.get('/', async (req) => ({ versions: [{ id: fmt(MAX_VERSION), links: [{ href: `${root(req)}/v1`, rel: 'self' }], status: 'CURRENT' }] }));
  app.get('/v1', async (req) => ({
    resources: ['continue', 'introspection', 'rules'].map((name) => ({ links: [{ href: `${root(req)}/v1/${name}`, rel: 'self' }], name })),
  }));
  app.get<{ Params: { v: string } }>('/:v', async (req) => { throw new InspectorError(`Version ${req.params.v} not found.`, 404); });

  app.post('/v1/continue', async (req) => inspector.continue(req.body));

  app.post<{ Params: { node: string }; Querystring: { manage_boot?: string } }>('/v1/introspection/:node', async (req, reply) => {
    const mb = req.query.manage_boot ?? 'True';
    const manageBoot = boolArg(mb);
    if (manageBoot === null) throw new InspectorError(`Invalid boolean value for manage_boot: ${mb}`, 400);
    if (!manageBoot) throw new InspectorError('Introspection without managed boot (manage_boot=False) is not supported by Ingot: the node\'s inspect interface boots the ramdisk.', 400);
    await inspector.start(req.params.node, manageBoot);
    return empty(reply, 202);
  });
  app.get<{ Params: { node: string } }>('/v1/introspection/:node', async (req) => {
    const uuid = await inspector.nodeUuid(req.params.node).catch(() => req.params.node);
    const s = await inspector.statusOf(uuid);
    if (!s) throw new InspectorError(`Could not find node ${req.params.node} in cache`, 404);
    return statusView(req, s);
  });
  app.get<{ Querystring: { marker?: string; limit?: string; state?: string } }>('/v1/introspection', async (req) => {
    const q = req.query;
    if (q.marker !== undefined && !/^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i.test(q.marker)) throw new InspectorError('Bad request: Marker not UUID-like', 400);
    let limit = inspector.opts.apiMaxLimit;
    if (q.limit !== undefined) {
      const n = Number.parseInt(q.limit, 10);
      if (!/^-?\d+$/.test(q.limit.trim())) throw new InspectorError(`Bad request: invalid literal for int() with base 10: '${q.limit}'`, 400);
      if (n < 0) throw new InspectorError('Bad request: Limit cannot be negative', 400);
      if (n > inspector.opts.apiMaxLimit) throw new InspectorError(`Bad request: Limit over ${inspector.opts.apiMaxLimit}`, 400);
      limit = n || inspector.opts.apiMaxLimit;
    }
    let states: string[] | null = null;
    if (q.state !== undefined) {
      states = q.state.split(',');
      const bad = states.filter((s) => !STATES.includes(s));
      if (bad.length) throw new InspectorError(`Bad request: State(s) "${bad.join(', ')}" are not valid`, 400);
    }
    let rows = await inspector.store.listStatus(states ? 100_000 : limit, q.marker);
    if (states) rows = rows.filter((r) => states!.includes(r.state)).slice(0, limit);
    return { introspection: rows.map((s) => statusView(req, s)) };
  });
  app.post<{ Params: { node: string } }>('/v1/introspection/:node/abort', async (req, reply) => {
    await inspector.abort(req.params.node);
    return empty(reply, 202);
  });
  const data = (processed: boolean) => async (req: FastifyRequest<{ Params: { node: string } }>, reply: FastifyReply) => {
    const uuid = await inspector.nodeUuid(req.params.node);
    const d = await inspector.store.getData(uuid, processed);
    if (!d) throw new InspectorError(`Introspection data not found for node ${uuid}, processed=${processed ? 'True' : 'False'}`, 404);
    return reply.type('application/json').send(d);
  };
  app.get('/v1/introspection/:node/data', data(true));
  app.get('/v1/introspection/:node/data/unprocessed', data(false));
  app.post<{ Params: { node: string } }>('/v1/introspection/:node/data/unprocessed', async (req, reply) => {
    const body = req.body;
    if (body !== undefined && (body === null || typeof body !== 'object' || Array.isArray(body))) {
      throw new InspectorError(`Invalid data: expected a JSON object, got ${Array.isArray(body) ? 'list' : typeof body}`, 400);
    }
    await inspector.reapply(req.params.node, body as Record<string, unknown> | undefined);
    return empty(reply, 202);
  });

  app.get('/v1/rules', async () => ({ rules: (await inspector.store.listRules()).map((r) => ruleView(r, true)) }));
  app.delete('/v1/rules', async (_req, reply) => { await inspector.store.deleteAllRules(); return empty(reply, 204); });
  app.post('/v1/rules', async (req, reply) => {
    const body = req.body;
    if (body && typeof body === 'object' && !Array.isArray(body)) {
      const b = body as Record<string, unknown>;
      if (typeof b.scope === 'string' && b.scope.length > 255) throw new InspectorError('Invalid scope: the length of the scope should be within 255 characters', 400);
    }
    const r = validateRule(body);
    const rule = { ...r, uuid: r.uuid ?? newUuid() };
    try { await inspector.store.createRule(rule); } catch (err) {
      if ((err as Error).message === 'duplicate') throw new InspectorError(`Rule with UUID ${rule.uuid} already exists`, 409);
      throw err;
    }
    return reply.code(before(requested(req), [1, 6]) ? 200 : 201).send(ruleView(rule));
  });
  app.get<{ Params: { uuid: string } }>('/v1/rules/:uuid', async (req) => {
    const r = await inspector.store.getRule(req.params.uuid);
    if (!r) throw new InspectorError(`Rule ${req.params.uuid} was not found`, 404);
    return ruleView(r);
  });
  app.delete<{ Params: { uuid: string } }>('/v1/rules/:uuid', async (req, reply) => {
    if (!(await inspector.store.deleteRule(req.params.uuid))) throw new InspectorError(`Rule ${req.params.uuid} was not found`, 404);
    return empty(reply, 204);
  });
  return app;
}
