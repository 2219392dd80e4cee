/**
 * Test-only helpers (imported by the *.test.ts files, never by library code): tiny HTTP(S)
 * servers, a mockup-tree server, and throw-away TLS certificates made with openssl.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REDFISH_MOCKUPS_DIR, SUSHY_SAMPLES_DIR } from '../../../testing/shared-data.ts';

export interface RecordedRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: unknown;
}

export type Handler = (req: RecordedRequest, res: ServerResponse) => void | Promise<void>;

export interface TestServer {
  url: string;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

function readBody(req: IncomingMessage): Promise<unknown> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      if (!text) return resolve(undefined);
      try { resolve(JSON.parse(text)); } catch { resolve(text); }
    });
  });
}

async function listen(server: Server, scheme: string, handler: Handler): Promise<TestServer> {
  const requests: RecordedRequest[] = [];
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    void readBody(req).then(async (body) => {
      const rec = { method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers, body };
      requests.push(rec);
      try { await handler(rec, res); } catch (e) {
        if (!res.headersSent) { res.statusCode = 500; res.end(String(e)); }
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `${scheme}://127.0.0.1:${port}`,
    requests,
    close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }),
  };
}

export function startServer(handler: Handler): Promise<TestServer> {
  return listen(createHttpServer(), 'http', handler);
}

export function startHttpsServer(handler: Handler, tls: { key: string; cert: string }): Promise<TestServer> {
  return listen(createHttpsServer({ key: tls.key, cert: tls.cert }) as unknown as Server, 'https', handler);
}

export function sendJson(res: ServerResponse, status: number, body?: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers });
  res.end(body === undefined ? undefined : JSON.stringify(body));
}

/** A Redfish error body as BMCs send it. */
export function redfishErrorBody(messageId: string, message: string, severity = 'Critical'): unknown {
  return {
    error: {
      code: 'Base.1.0.GeneralError',
      message: 'A general error has occurred. See ExtendedInfo for more information.',
      '@Message.ExtendedInfo': [{ MessageId: messageId, Message: message, Severity: severity }],
    },
  };
}

/**
 * Resolves a URL path inside a mockup tree case-insensitively (as the HPE capture needs):
 * a directory answers with its index.json, a plain file (registry *.json) with itself.
 */
export function resolveMockupFile(root: string, urlPath: string): string | undefined {
  const segments = decodeURIComponent(urlPath.split('?')[0]!).split('/').filter((s) => s !== '');
  let cur = root;
  for (const seg of segments) {
    if (!statSync(cur).isDirectory()) return undefined;
    const names = readdirSync(cur);
    const hit = names.find((n) => n === seg) ?? names.find((n) => n.toLowerCase() === seg.toLowerCase());
    if (!hit) return undefined;
    cur = join(cur, hit);
  }
  if (statSync(cur).isDirectory()) {
    const idx = join(cur, 'index.json');
    return existsSync(idx) ? idx : undefined;
  }
  return cur;
}

/**
 * Serves a mockup tree read-only for GET; other methods are recorded and answered by `onWrite`
 * or with 204 (so write helpers can be checked for the URL/body/If-Match they send).
 */
export function serveMockup(root: string, onWrite?: Handler): Promise<TestServer> {
  return startServer(async (req, res) => {
    if (req.method !== 'GET') {
      if (onWrite) await onWrite(req, res);
      if (!res.headersSent) { res.statusCode = 204; res.end(); }
      return;
    }
    const file = resolveMockupFile(root, req.url);
    if (!file) { sendJson(res, 404, redfishErrorBody('Base.1.0.ResourceMissingAtURI', `The resource at URI ${req.url} was not found.`)); return; }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(readFileSync(file));
  });
}

export interface TestCerts {
  dir: string;
  caPath: string;
  key: string;
  cert: string;
}

/** A throw-away CA and a server certificate for 127.0.0.1/localhost, made with openssl. */
export function makeCerts(): TestCerts {
  const dir = mkdtempSync(join(tmpdir(), 'ingot-redfish-tls-'));
  const p = (f: string): string => join(dir, f);
  const ssl = (args: string[]): void => { execFileSync('openssl', args, { stdio: 'pipe' }); };
  ssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', p('ca.key'), '-out', p('ca.pem'),
    '-days', '2', '-subj', '/CN=Ingot Test CA']);
  ssl(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', p('server.key'), '-out', p('server.csr'), '-subj', '/CN=localhost']);
  writeFileSync(p('ext.cnf'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\n');
  ssl(['x509', '-req', '-in', p('server.csr'), '-CA', p('ca.pem'), '-CAkey', p('ca.key'), '-CAcreateserial',
    '-out', p('server.pem'), '-days', '2', '-extfile', p('ext.cnf')]);
  return { dir, caPath: p('ca.pem'), key: readFileSync(p('server.key'), 'utf8'), cert: readFileSync(p('server.pem'), 'utf8') };
}

/** JSON fixture from the shared data folders. */
export function loadJson(path: string): Record<string, unknown> {
  return JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
}

export const MOCKUPS_DIR = process.env['REDFISH_MOCKUPS_DIR'] ?? REDFISH_MOCKUPS_DIR;
export const SAMPLES_DIR = process.env['SUSHY_SAMPLES_DIR'] ?? SUSHY_SAMPLES_DIR;

export interface FakeBmcOptions {
  username?: string;
  password?: string;
  /** false: POST to Sessions answers 405 (a BMC without session support). */
  sessions?: boolean;
  /** Extra headers sent with the session-creation response (e.g. sushy's captured ones). */
  sessionHeaders?: Record<string, string>;
  /** Routes tried before the built-in ones; return true when handled. */
  routes?: (req: RecordedRequest, res: ServerResponse, bmc: FakeBmc) => boolean | Promise<boolean>;
}

export interface FakeBmc extends TestServer {
  /** Valid session tokens → session URI. */
  sessions: Map<string, string>;
  /** Current ETag of /redfish/v1/Systems/1. */
  etag: string;
  system: Record<string, unknown>;
  count(method: string, path?: string): number;
}

/**
 * A small stateful BMC: service root, SessionService (X-Auth-Token + Location), Basic auth,
 * and one system with a real ETag (PATCH without a matching If-Match gets 412).
 */
export async function fakeBmc(o: FakeBmcOptions = {}): Promise<FakeBmc> {
  const user = o.username ?? 'admin';
  const pass = o.password ?? 'secret';
  let n = 0;
  const state = {
    sessions: new Map<string, string>(),
    etag: '"v1"',
    system: { '@odata.id': '/redfish/v1/Systems/1', Id: '1', PowerState: 'Off', Boot: { BootSourceOverrideTarget: 'None' } } as Record<string, unknown>,
  };
  const authorized = (req: RecordedRequest): boolean => {
    const token = req.headers['x-auth-token'];
    if (typeof token === 'string' && state.sessions.has(token)) return true;
    const basic = req.headers['authorization'];
    return basic === `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;
  };
  let bmc: FakeBmc;
  const server = await startServer(async (req, res) => {
    if (o.routes && await o.routes(req, res, bmc)) return;
    const path = req.url.split('?')[0];
    if (req.method === 'GET' && path === '/redfish/v1/') {
      return sendJson(res, 200, {
        '@odata.id': '/redfish/v1/', RedfishVersion: '1.15.0', Systems: { '@odata.id': '/redfish/v1/Systems' },
        SessionService: { '@odata.id': '/redfish/v1/SessionService' },
        Links: { Sessions: { '@odata.id': '/redfish/v1/SessionService/Sessions' } },
      });
    }
    if (req.method === 'POST' && path === '/redfish/v1/SessionService/Sessions') {
      if (o.sessions === false) return sendJson(res, 405, redfishErrorBody('Base.1.0.OperationNotAllowed', 'Sessions are not supported'));
      const b = (req.body ?? {}) as Record<string, unknown>;
      if (b['UserName'] !== user || b['Password'] !== pass) {
        return sendJson(res, 401, redfishErrorBody('Base.1.0.InsufficientPrivilege', 'Invalid username or password'));
      }
      const token = `tok-${++n}`;
      const uri = `/redfish/v1/SessionService/Sessions/${n}`;
      state.sessions.set(token, uri);
      return sendJson(res, 201, { '@odata.id': uri, Id: String(n), UserName: user },
        { 'x-auth-token': token, location: uri, ...o.sessionHeaders });
    }
    if (!authorized(req)) return sendJson(res, 401, redfishErrorBody('Base.1.0.NoValidSession', 'There is no valid session established with the implementation.'));
    if (req.method === 'DELETE' && path.startsWith('/redfish/v1/SessionService/Sessions/')) {
      for (const [t, u] of state.sessions) if (u === path) state.sessions.delete(t);
      res.statusCode = 204; res.end(); return;
    }
    if (path === '/redfish/v1/Systems') {
      return sendJson(res, 200, { Members: [{ '@odata.id': '/redfish/v1/Systems/1' }], 'Members@odata.count': 1 });
    }
    if (path === '/redfish/v1/Systems/1') {
      if (req.method === 'GET') return sendJson(res, 200, { ...state.system, '@odata.etag': state.etag }, { etag: state.etag });
      if (req.method === 'PATCH') {
        if (req.headers['if-match'] !== state.etag) {
          return sendJson(res, 412, redfishErrorBody('Base.1.0.PreconditionFailed', 'The ETag supplied did not match the ETag required to change this resource.'));
        }
        Object.assign(state.system, req.body as object);
        state.etag = `"v${Number(state.etag.replace(/\D/g, '')) + 1}"`;
        res.statusCode = 204; res.end(); return;
      }
    }
    sendJson(res, 404, redfishErrorBody('Base.1.0.ResourceMissingAtURI', `The resource at URI ${path} was not found.`));
  });
  bmc = Object.assign(server, state, {
    count: (method: string, p?: string) => server.requests.filter((r) => r.method === method && (p === undefined || r.url === p)).length,
  }) as FakeBmc;
  // `etag`/`system` are read live by the handler through `state`; expose them as accessors.
  Object.defineProperty(bmc, 'etag', { get: () => state.etag, set: (v: string) => { state.etag = v; } });
  return bmc;
}

/** Registers `x.close()` to run after the test, pass or fail (so a failing test cannot hang the run). */
export function closeAfter<T extends { close(): Promise<void> }>(t: { after(fn: () => unknown): void }, x: T): T {
  t.after(() => x.close());
  return x;
}
