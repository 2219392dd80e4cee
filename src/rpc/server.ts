/**
 * The conductor's JSON-RPC listener: `POST /` with one JSON-RPC 2.0 request, answered
 * by calling the same-named method of a ConductorApi (the in-process conductor). Only
 * the methods of the routing table are callable. Plain HTTP or HTTPS; optional HTTP Basic
 * authentication against an htpasswd file (see auth.ts).
 */
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { ConductorApi } from '../contracts/rpc.ts';
import type { JsonRpcConfig } from '../config/cluster.ts';
import { readPem } from '../config/cluster.ts';
import { HtpasswdFile } from './auth.ts';
import { isRemoteMethod } from './routing.ts';
import { decode, encode, errorToWire, INVALID_REQUEST, METHOD_NOT_FOUND, PARSE_ERROR, type RpcError } from './wire.ts';

export interface RpcServer {
  /** Bound port (useful with port 0). */
  port: number;
  close(): Promise<void>;
}

/** Largest request body accepted (config drives travel in provisioning calls). */
const MAX_BODY = 128 * 1024 * 1024;

export async function startRpcServer(target: ConductorApi, cfg: JsonRpcConfig, bind: { host: string; port: number }, log: (msg: string, extra?: object) => void = () => {}): Promise<RpcServer> {
  const users = cfg.authStrategy === 'http_basic' ? new HtpasswdFile(cfg.httpBasicAuthUserFile) : null;
  const handler = (req: http.IncomingMessage, res: http.ServerResponse) => {
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      const text = encode(body);
      res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
      res.end(text);
    };
    const fail = (status: number, error: RpcError, id: unknown = null, headers?: Record<string, string>) =>
      send(status, { jsonrpc: '2.0', id, error }, headers);
    if (req.method !== 'POST') { fail(405, { code: 405, message: 'JSON-RPC only accepts POST' }); req.resume(); return; }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) { fail(413, { code: INVALID_REQUEST, message: 'Request too large' }); req.destroy(); return; }
      chunks.push(c);
    });
    req.on('end', () => {
      void (async () => {
        if (users && !(await users.check(req.headers.authorization))) {
          fail(401, { code: 401, message: 'Incorrect username or password' }, null, { 'www-authenticate': 'Basic realm="ingot-json-rpc"' });
          return;
        }
        let body: { jsonrpc?: unknown; id?: unknown; method?: unknown; params?: unknown };
        try { body = decode(Buffer.concat(chunks).toString('utf8')) as typeof body; } catch {
          fail(400, { code: PARSE_ERROR, message: 'Parse error: the request body is not JSON' }); return;
        }
        if (!body || typeof body !== 'object' || body.jsonrpc !== '2.0' || typeof body.method !== 'string') {
          fail(400, { code: INVALID_REQUEST, message: 'Invalid request: expected a JSON-RPC 2.0 request object' }, body?.id ?? null); return;
        }
        const { id, method } = body;
        const params = body.params === undefined ? [] : body.params;
        if (!isRemoteMethod(method)) { fail(404, { code: METHOD_NOT_FOUND, message: `Method ${method} not found` }, id); return; }
        if (!Array.isArray(params)) { fail(400, { code: INVALID_REQUEST, message: 'params must be an array of positional arguments' }, id); return; }
        try {
          const fn = target[method] as (...a: unknown[]) => Promise<unknown>;
          const result = await fn.apply(target, params);
          send(200, { jsonrpc: '2.0', id, result: result === undefined ? null : result });
        } catch (err) {
          const e = errorToWire(err);
          if (e.code !== -32000) log('conductor RPC failed', { method, err: e.message });
          send(200, { jsonrpc: '2.0', id, error: e });
        }
      })().catch((err: unknown) => { if (!res.headersSent) fail(500, { code: -32603, message: String(err) }); });
    });
  };
  const server = cfg.useSsl
    ? https.createServer({ cert: readPem('INGOT_JSON_RPC_CERT_FILE', cfg.certFile), key: readPem('INGOT_JSON_RPC_KEY_FILE', cfg.keyFile) }, handler)
    : http.createServer(handler);
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(bind.port, bind.host, () => { server.off('error', reject); resolve(); });
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}
