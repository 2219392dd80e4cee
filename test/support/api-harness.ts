/**
 * In-process API harness for tests: a real service (SQLite file in a temp dir, real
 * conductor and drivers) driven through Fastify's inject (no sockets).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { loadConfig, type Config } from '../../src/config/config.ts';
import { startService, type Service } from '../../src/bin/service.ts';

export interface Harness {
  svc: Service;
  /** Send a request at a version (default 1.82); returns status, parsed JSON (or null) and headers. */
  req(method: string, url: string, body?: unknown, opts?: { version?: string | null; headers?: Record<string, string>; raw?: string }): Promise<{ status: number; body: any; headers: Record<string, unknown>; text: string }>;
  /** faultstring of an Ironic error body. */
  fault(body: any): string;
  close(): Promise<void>;
}

export async function startHarness(over: Partial<Config> = {}): Promise<Harness> {
  const dir = mkdtempSync(join(tmpdir(), 'ingot-test-'));
  const config = loadConfig({}, { dataDir: dir, db: join(dir, 'ingot.db'), ...over });
  const svc = await startService(config, { listen: false, periodics: false, logger: pino({ level: 'silent' }) });
  return {
    svc,
    async req(method, url, body, opts = {}) {
      const headers: Record<string, string> = { ...(opts.headers ?? {}) };
      const version = opts.version === undefined ? '1.82' : opts.version;
      if (version !== null) headers['x-openstack-ironic-api-version'] = version;
      let payload: string | undefined;
      if (opts.raw !== undefined) payload = opts.raw;
      else if (body !== undefined) payload = JSON.stringify(body);
      if (payload !== undefined) headers['content-type'] ??= 'application/json';
      const r = await svc.api.inject({ method: method as 'GET', url, headers, ...(payload !== undefined ? { payload } : {}) });
      let parsed: unknown = null;
      try { parsed = r.body ? JSON.parse(r.body) : null; } catch { parsed = null; }
      return { status: r.statusCode, body: parsed, headers: r.headers as Record<string, unknown>, text: r.body };
    },
    fault(body) {
      const inner = JSON.parse(body.error_message);
      return inner.faultstring ?? inner.description;
    },
    async close() {
      await svc.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Poll until the node reaches `state` (or fail after `ms`). */
export async function waitState(h: Harness, ident: string, state: string, ms = 5000): Promise<any> {
  const end = Date.now() + ms;
  for (;;) {
    await h.svc.conductor.idle();
    const r = await h.req('GET', `/v1/nodes/${ident}`);
    if (r.body?.provision_state === state) return r.body;
    if (Date.now() > end) throw new Error(`node ${ident} did not reach ${state}; it is ${r.body?.provision_state} (last_error: ${r.body?.last_error})`);
    await new Promise((res) => setTimeout(res, 20));
  }
}
