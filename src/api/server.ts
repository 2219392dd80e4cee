/**
 * The HTTP server: Fastify with Ironic's wire conventions.
 *
 * - Unversioned paths are served as v1 (`/nodes` = `/v1/nodes`); a trailing `.json` on
 *   the path is stripped (Ironic ≤1.90).
 * - Version negotiation for every `/v1` request, with min/max/negotiated headers.
 * - Every error goes through `setErrorHandler`, the one mapping to HTTP.
 */
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';
import type { Config } from '../config/config.ts';
import type { ConductorApi } from '../contracts/rpc.ts';
import { IngotError, messageOf } from '../core/errors.ts';
import { MAX_VERSION, MIN_VERSION, parseVersionHeader, versionString } from '../contracts/versions.ts';
import { faultBody, webobBody, RoutingError, statusOf } from './errors.ts';
import { NodeRepo } from '../db/nodes.ts';
import { serializeReply } from './views/json-text.ts';
import { allowHeader, controllerMethods } from './pecan-allow.ts';
import { attributeOriginalPath, attributeRewrite } from './attribute-paths.ts';
import { guardBody, guardQuery } from './body-guard.ts';
import type { IncomingMessage } from 'node:http';
import './context.ts';

export interface ApiDeps {
  db: Kysely<Database>;
  nodes: NodeRepo;
  conductor: ConductorApi;
  config: Config;
}

export type RouteModule = (app: FastifyInstance, deps: ApiDeps) => void;

const VERSION_HEADER = 'x-openstack-ironic-api-version';

function rewrite(raw: IncomingMessage): string {
  const url = raw.url ?? '/';
  const q = url.indexOf('?');
  let path = q === -1 ? url : url.slice(0, q);
  const query = q === -1 ? '' : url.slice(q);
  if (path.endsWith('.json')) path = path.slice(0, -5);
  if (path !== '/' && path !== '' && !path.startsWith('/v1/') && path !== '/v1') path = '/v1' + path;
  return (attributeRewrite(raw, path) ?? path) + query;
}

export function buildApi(deps: ApiDeps, routes: RouteModule[], opts: { logger?: boolean | object } = {}): FastifyInstance {
  const app = Fastify({
    logger: opts.logger ?? false,
    // NOTE: router options go under routerOptions; at the top level Fastify 5 prints a
    // deprecation warning (FSTDEP022) for every instance.
    routerOptions: { ignoreTrailingSlash: true, ignoreDuplicateSlashes: true, maxParamLength: 1024 },
    rewriteUrl: (req) => rewrite(req),
    // Config drives can be large; Ironic has no body limit in 21.4.
    bodyLimit: 128 * 1024 * 1024,
    return503OnClosing: true,
  });

  // Any content type is parsed as JSON (python-ironicclient sends application/json;
  // some tools send nothing or json-patch+json). An empty body is "no body".
  app.removeAllContentTypeParsers();
  // Routes with `config: { ignoreMalformedBody: true }` are Ironic's kwargs-style
  // controllers, which see a body that is not JSON as no arguments at all.
  app.addContentTypeParser('*', { parseAs: 'string' }, (req, body, done) => {
    const s = (body as string).trim();
    if (s === '') return done(null, undefined);
    let parsed: unknown;
    try {
      parsed = JSON.parse(s);
    } catch (err) {
      if ((req.routeOptions.config as { ignoreMalformedBody?: boolean } | undefined)?.ignoreMalformedBody) return done(null, undefined);
      // NOTE: 21.4 answers malformed JSON with a 500; a client error is a 400 here.
      const e = new IngotError('Invalid', `Malformed JSON in request body: ${messageOf(err)}`);
      return done(e, undefined);
    }
    try {
      guardBody(parsed);
    } catch (err) {
      return done(err as Error, undefined);
    }
    done(null, parsed);
  });
  // Query values go to the database as they are: refuse what no database can hold.
  app.addHook('preValidation', async (req) => { guardQuery(req.query); });

  app.setReplySerializer(serializeReply);
  app.decorateRequest('apiVersion', MIN_VERSION);

  app.addHook('onRequest', async (req: FastifyRequest, reply: FastifyReply) => {
    const path = req.url.split('?')[0]!;
    // Ironic's controllers have no HEAD: a known path answers 405 at routing level (no
    // version headers), an unknown one 404; the root document answers HEAD, and the v1
    // root answers 405 itself, after version negotiation (see the end of this hook).
    const v1Root = path === '/v1' || path === '/v1/';
    if (req.method === 'HEAD' && path !== '/' && !v1Root && req.routeOptions.url !== undefined) {
      const hv = parseVersionHeader(lastHeader(req.headers[VERSION_HEADER]), MAX_VERSION);
      setAllow(reply, allowPath(req), hv.ok ? hv.minor : MIN_VERSION);
      reply.code(405).type('application/json').send(webobBody(405));
      return reply;
    }
    if (!path.startsWith('/v1')) {
      reply.header('Openstack-Request-Id', `req-${crypto.randomUUID()}`);
      return;
    }
    const parsed = parseVersionHeader(lastHeader(req.headers[VERSION_HEADER]), MAX_VERSION);
    // NOTE: 21.4 checks the version twice: the v1 root controller answers a bad version
    // itself (fault body, request id), deeper paths fail in routing (webob body, no request
    // id). An unparseable header gets no version headers, an out-of-range one min/max.
    if (!parsed.ok) {
      const atRoot = path === '/v1' || path === '/v1/';
      const send = (msg: string) => {
        if (atRoot) reply.header('Openstack-Request-Id', `req-${crypto.randomUUID()}`);
        reply.code(406).type('application/json').send(atRoot ? faultBody(406, msg) : webobBody(406, msg));
        return reply;
      };
      if (parsed.reason === 'invalid') return send('Invalid value for X-OpenStack-Ironic-API-Version header');
      reply.header('X-OpenStack-Ironic-API-Minimum-Version', versionString(MIN_VERSION));
      reply.header('X-OpenStack-Ironic-API-Maximum-Version', versionString(MAX_VERSION));
      const [maj] = parsed.text.split('.');
      return send(maj !== '1'
        ? `Mutually exclusive versions requested. Version ${parsed.text} requested but not supported by this service. The supported version range is: [${versionString(MIN_VERSION)}, ${versionString(MAX_VERSION)}].`
        : `Version ${parsed.text} was requested but the minor version is not supported by this service. The supported version range is: [${versionString(MIN_VERSION)}, ${versionString(MAX_VERSION)}].`);
    }
    req.apiVersion = parsed.minor;
    reply.header('Openstack-Request-Id', `req-${crypto.randomUUID()}`);
    reply.header('X-OpenStack-Ironic-API-Minimum-Version', versionString(MIN_VERSION));
    reply.header('X-OpenStack-Ironic-API-Maximum-Version', versionString(MAX_VERSION));
    reply.header('X-OpenStack-Ironic-API-Version', versionString(parsed.minor));
    if (req.method === 'HEAD' && v1Root) {
      reply.code(405).type('application/json').send(webobBody(405));
      return reply;
    }
  });

  app.setErrorHandler((err: unknown, req, reply) => {
    if (err instanceof RoutingError) {
      stripApiHeaders(reply);
      // Pecan's router adds Allow to its own 405s; a controller method's pecan.abort(405,
      // "reason") (the version gates of allocations, deploy templates, shards) has none.
      if (err.status === 405 && !err.description) setAllow(reply, allowPath(req), req.apiVersion);
      return reply.code(err.status).type('application/json').send(webobBody(err.status, err.description));
    }
    if (err instanceof IngotError) {
      const status = statusOf(err);
      if (status >= 500) req.log.error({ err }, 'request failed');
      return reply.code(status).type('application/json').send(faultBody(status, err.message));
    }
    const e = err as { statusCode?: number; code?: string; message?: string };
    if (typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
      // Fastify's own client errors (body too large, bad content length, ...).
      return reply.code(e.statusCode).type('application/json').send(faultBody(e.statusCode, e.message ?? 'Bad request'));
    }
    req.log.error({ err }, 'unexpected error');
    return reply.code(500).type('application/json').send(faultBody(500, 'Internal Server Error'));
  });

  app.setNotFoundHandler((req, reply) => {
    stripApiHeaders(reply);
    // A method the owning controller does not define is Pecan's 405, whatever the path's tail.
    const path = req.url.split('?')[0]!;
    const methods = controllerMethods(path, req.apiVersion);
    if (methods && req.method !== 'HEAD' && !methods.includes(req.method)) {
      setAllow(reply, path, req.apiVersion);
      return reply.code(405).type('application/json').send(webobBody(405));
    }
    reply.code(404).type('application/json').send(webobBody(404, ''));
  });

  for (const r of routes) r(app, deps);
  return app;
}

function lastHeader(raw: string | string[] | undefined): string | undefined {
  return Array.isArray(raw) ? raw[raw.length - 1] : raw;
}

/** The path whose controller a 405 names: the one the client sent for attribute forms. */
function allowPath(req: FastifyRequest): string {
  return attributeOriginalPath(req.raw) ?? req.url.split('?')[0]!;
}

/** Pecan's `Allow` for a 405 on `path` (the methods of the controller that owns it). */
function setAllow(reply: FastifyReply, path: string, version: number): void {
  const allow = allowHeader(path, version);
  if (allow !== undefined) reply.header('Allow', allow);
}

/** Routing-level answers (webob) carry neither version nor request-id headers. */
function stripApiHeaders(reply: FastifyReply): void {
  for (const h of ['X-OpenStack-Ironic-API-Minimum-Version', 'X-OpenStack-Ironic-API-Maximum-Version', 'X-OpenStack-Ironic-API-Version', 'Openstack-Request-Id']) {
    reply.removeHeader(h);
  }
}

/** JSON 202/204 helpers. */
export function noContent(reply: FastifyReply): FastifyReply {
  return reply.code(204).send();
}
