/**
 * The agent's command API (IPA's api/app.py), served with Fastify:
 * `GET /`, `GET /v1`, `GET /v1/status`, `GET /v1/commands/`, `GET /v1/commands/{id}`,
 * `POST /v1/commands/?wait=…&agent_token=…`; the same paths also without `/v1` and
 * with or without a trailing slash. Errors are `{faultcode, faultstring}`.
 *
 * Token rules (Ironic 21.4 sends the token only on POST, in the query string):
 * POST needs the agent's token (401 "Token invalid." otherwise; a missing token is
 * accepted only when the conductor does not require tokens and none was issued);
 * GETs accept a missing token and refuse a wrong one.
 */
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { AgentError } from './errors.ts';
import type { CommandExecutor } from './commands/executor.ts';

export const AGENT_MEDIA_TYPE = 'application/vnd.openstack.ironic-python-agent.v1+json';
const DOCS_URL = 'https://docs.openstack.org/ironic-python-agent';

export interface TokenState {
  /** The token from lookup or the kernel command line; null when none. */
  token: string | null;
  /** From the lookup config; true until lookup says otherwise. */
  required: boolean;
}

export interface ServerDeps {
  executor: CommandExecutor;
  tokens: TokenState;
  status: () => { started_at: number; version: string };
  log?: (msg: string) => void;
  /** Serve HTTPS with this certificate (auto-TLS). */
  tls?: { cert: string; key: string } | null;
}

/** IPA's validate_agent_token. */
export function tokenValid(t: TokenState, given: string | undefined): boolean {
  if (!given) return !t.required;
  return t.token !== null && given === t.token;
}

class HttpFault extends Error {
  constructor(readonly status: number, readonly faultstring: string) { super(faultstring); }
}
const NAMES: Record<number, string> = { 400: 'Bad Request', 401: 'Unauthorized', 404: 'Not Found', 405: 'Method Not Allowed', 415: 'Unsupported Media Type' };
const fault = (status: number, text: string) => new HttpFault(status, `${status} ${NAMES[status] ?? ''}: ${text}`);

function links(root: string) {
  return {
    id: 'v1',
    links: [
      { href: `${root}/v1/`, rel: 'self' },
      { href: DOCS_URL, rel: 'describedby', type: 'text/html' },
    ],
  };
}

function rootOf(req: FastifyRequest): string {
  return `${req.protocol}://${req.headers.host ?? `${req.hostname}`}`;
}

const isTrue = (v: unknown) => typeof v === 'string' && v.toLowerCase() === 'true';

export async function buildAgentServer(deps: ServerDeps): Promise<FastifyInstance> {
  const opts = { logger: false, routerOptions: { ignoreTrailingSlash: true }, bodyLimit: 256 * 1024 * 1024 };
  // One instance type for both: the HTTPS server is an http.Server subclass for our purposes.
  const app = (deps.tls ? Fastify({ ...opts, https: { cert: deps.tls.cert, key: deps.tls.key } }) : Fastify(opts)) as unknown as FastifyInstance;
  // IPA parses the body as JSON whatever its Content-Type (get_json(force=True)).
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => {
    const text = String(body);
    if (!text.trim()) { done(null, undefined); return; }
    try { done(null, JSON.parse(text)); } catch (err) {
      done(fault(400, `Failed to decode JSON object: ${(err as Error).message}`), undefined);
    }
  });

  app.setErrorHandler((err: unknown, _req, reply) => {
    if (err instanceof HttpFault) return reply.code(err.status).send({ faultcode: 'Client', faultstring: err.faultstring });
    if (err instanceof AgentError) {
      return reply.code(err.code).send({ faultcode: err.code >= 500 ? 'Server' : 'Client', faultstring: err.message });
    }
    const e = err as { statusCode?: number; message?: string };
    const status = e.statusCode && e.statusCode >= 400 ? e.statusCode : 500;
    if (status >= 500) deps.log?.(`internal error: ${e.message}`);
    return reply.code(status).send({ faultcode: status >= 500 ? 'Server' : 'Client', faultstring: e.message ?? 'Internal Server Error' });
  });
  app.setNotFoundHandler((_req, reply) => {
    reply.code(404).send({
      faultcode: 'Client',
      faultstring: '404 Not Found: The requested URL was not found on the server. If you entered the URL manually please check your spelling and try again.',
    });
  });

  app.get('/', async (req) => {
    const v = links(rootOf(req));
    return {
      name: 'OpenStack Ironic Python Agent API',
      description: 'Ironic Python Agent is a provisioning agent for OpenStack Ironic',
      versions: [v], default_version: v,
    };
  });
  app.get('/v1', async (req) => {
    const root = rootOf(req);
    const l = (res: string) => [{ href: `${root}/v1/${res}`, rel: 'self' }, { href: `${root}/${res}`, rel: 'bookmark' }];
    return { commands: l('commands'), status: l('status'), media_types: [{ base: 'application/json', type: AGENT_MEDIA_TYPE }], ...links(root) };
  });

  const checkGetToken = (req: FastifyRequest) => {
    const t = (req.query as Record<string, string | undefined>).agent_token;
    if (t !== undefined && !tokenValid(deps.tokens, t)) throw fault(401, 'Token invalid.');
  };

  for (const prefix of ['/v1', '']) {
    app.get(`${prefix}/status`, async () => deps.status());
    app.get(`${prefix}/commands`, async (req) => {
      checkGetToken(req);
      return { commands: deps.executor.list().map((r) => r.toJSON()) };
    });
    app.get(`${prefix}/commands/:id`, async (req) => {
      checkGetToken(req);
      const r = deps.executor.get((req.params as { id: string }).id);
      if (isTrue((req.query as Record<string, string>).wait)) await r.done;
      return r.toJSON();
    });
    app.post(`${prefix}/commands`, async (req: FastifyRequest, reply: FastifyReply) => {
      const body = req.body as { name?: unknown; params?: unknown } | undefined;
      if (!body || typeof body !== 'object' || typeof body.name !== 'string' ||
          !body.params || typeof body.params !== 'object' || Array.isArray(body.params)) {
        throw fault(400, 'Missing or invalid name or params');
      }
      const q = req.query as Record<string, string | undefined>;
      if (!tokenValid(deps.tokens, q.agent_token)) throw fault(401, 'Token invalid.');
      const result = await deps.executor.execute(body.name, body.params as Record<string, unknown>);
      if (isTrue(q.wait)) await result.done;
      return reply.code(200).send(result.toJSON());
    });
  }
  return app;
}
