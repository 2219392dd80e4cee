/**
 * The conductor's static file server over `[deploy] http_root` (Ironic leaves this to an
 * external httpd such as nginx; Ingot serves it itself): virtual-media ISOs, cached images
 * and boot files that BMCs and agents download from `[deploy] http_url`.
 *
 * Contracts:
 * - GET and HEAD only (others: 405 with `Allow`). Files are streamed from disk, never
 *   held in memory. `Content-Length`, `Last-Modified`, `Accept-Ranges: bytes`.
 * - One byte range per request (`Range: bytes=a-b`, `a-`, `-n`): 206 with
 *   `Content-Range`; a range that does not overlap the file: 416 with `bytes *\/size`;
 *   a multi-range or malformed header is ignored (whole file, 200), as RFC 9110 allows.
 * - Paths are URL-decoded, then resolved under the root: `..` that escapes the root, NUL
 *   bytes, and symlinks that point outside the root are refused (403). Directories and
 *   missing files: 404 (no listings).
 * - `start()` with port 0 picks a free port; `url` is known after it resolves.
 */
import { createReadStream } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { resolve, sep } from 'node:path';

export interface FileServerOptions {
  root: string;
  host: string;
  /** 0 = a free port. */
  port: number;
  /** Public base URL; default `http://<host>:<actual port>`. */
  url?: string;
  logger?: { warn(obj: unknown, msg?: string): void };
}

export interface FileServer {
  /** Base URL (no trailing slash). */
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

type Range = { start: number; end: number } | 'unsatisfiable' | null;

/** Parses a single `bytes=` range against `size` (null: serve the whole file). */
export function parseRange(header: string | undefined, size: number): Range {
  if (!header) return null;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) return null;
  if (m[1] === '') {
    const n = Number(m[2]);
    if (n === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - n), end: size - 1 };
  }
  const start = Number(m[1]);
  const end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  if (m[2] !== '' && Number(m[2]) < start) return null;
  if (start >= size) return 'unsatisfiable';
  return { start, end };
}

/** The file under `root` that `urlPath` names, or an HTTP status to answer with. */
async function locate(root: string, urlPath: string): Promise<string | 403 | 404> {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return 404;
  }
  if (decoded.includes('\0')) return 403;
  const full = resolve(root, `.${decoded.startsWith('/') ? '' : '/'}${decoded}`);
  if (full !== root && !full.startsWith(root + sep)) return 403;
  let real: string;
  try {
    real = await realpath(full);
  } catch {
    return 404;
  }
  const realRoot = await realpath(root).catch(() => root);
  if (real !== realRoot && !real.startsWith(realRoot + sep)) return 403;
  return real;
}

async function handle(root: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const text = (status: number, body: string, headers: Record<string, string> = {}): void => {
    res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': String(Buffer.byteLength(body)), ...headers });
    res.end(req.method === 'HEAD' ? undefined : body);
  };
  if (req.method !== 'GET' && req.method !== 'HEAD') return text(405, 'Method Not Allowed\n', { Allow: 'GET, HEAD' });
  const path = (req.url ?? '/').split('?')[0]!;
  const found = await locate(root, path);
  if (found === 403) return text(403, 'Forbidden\n');
  if (found === 404) return text(404, 'Not Found\n');
  const st = await stat(found).catch(() => null);
  if (!st || !st.isFile()) return text(404, 'Not Found\n');
  const headers: Record<string, string> = {
    'Content-Type': 'application/octet-stream', 'Accept-Ranges': 'bytes', 'Last-Modified': st.mtime.toUTCString(),
  };
  const range = parseRange(req.headers.range, st.size);
  if (range === 'unsatisfiable') return text(416, 'Range Not Satisfiable\n', { 'Content-Range': `bytes */${st.size}` });
  let status = 200;
  let start = 0;
  let end = st.size - 1;
  if (range) {
    status = 206;
    ({ start, end } = range);
    headers['Content-Range'] = `bytes ${start}-${end}/${st.size}`;
  }
  headers['Content-Length'] = String(st.size === 0 ? 0 : end - start + 1);
  res.writeHead(status, headers);
  if (req.method === 'HEAD' || st.size === 0) {
    res.end();
    return;
  }
  const stream = createReadStream(found, { start, end, highWaterMark: 1024 * 1024 });
  stream.on('error', () => res.destroy());
  res.on('close', () => stream.destroy());
  stream.pipe(res);
}

/** Starts serving `root`; resolves once listening. */
export async function startFileServer(opts: FileServerOptions): Promise<FileServer> {
  const root = resolve(opts.root);
  const sockets = new Set<Socket>();
  const server: Server = createServer((req, res) => {
    handle(root, req, res).catch((err: unknown) => {
      opts.logger?.warn({ err, url: req.url }, 'file server request failed');
      if (!res.headersSent) res.writeHead(500).end();
      else res.destroy();
    });
  });
  server.on('connection', (s) => { sockets.add(s); s.on('close', () => sockets.delete(s)); });
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(opts.port, opts.host, () => { server.off('error', fail); ok(); });
  });
  const port = (server.address() as AddressInfo).port;
  const host = opts.host.includes(':') ? `[${opts.host}]` : opts.host === '0.0.0.0' ? '127.0.0.1' : opts.host;
  const url = (opts.url ?? `http://${host}:${port}`).replace(/\/+$/, '');
  let closing: Promise<void> | null = null;
  return {
    url, port,
    close() {
      closing ??= new Promise<void>((ok) => {
        server.close(() => ok());
        for (const s of sockets) s.destroy();
      });
      return closing;
    },
  };
}
