/** Shared set-up of the inspector tests: a service with the `inspector` inspect interface enabled, JSON helpers, a report. */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { loadConfig, type Config } from '../../src/config/config.ts';
import { startService, type Service } from '../../src/bin/service.ts';
import { SHARED_DIR } from '../../src/testing/shared-data.ts';

const sharedData = (p: string): string => join(SHARED_DIR, 'data', p);

export interface Env { svc: Service; dir: string; close(): Promise<void> }

export async function startEnv(env: Record<string, string> = {}, over: Partial<Config> = {}): Promise<Env> {
  const dir = mkdtempSync(join(tmpdir(), 'ingot-insp-'));
  const config = loadConfig({ INGOT_ENABLED_INSPECT_INTERFACES: 'fake,no-inspect,redfish,inspector', ...env }, { port: 0, host: '127.0.0.1', dataDir: dir, db: join(dir, 'ingot.db'), ...over });
  const svc = await startService(config, { logger: pino({ level: 'silent' }), periodics: false });
  return { svc, dir, async close() { await svc.close(); rmSync(dir, { recursive: true, force: true }); } };
}

export interface Answer { status: number; body: any; headers: Headers }

export async function call(base: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer> {
  const res = await fetch(`${base}${path}`, {
    method, headers: { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try { parsed = text ? JSON.parse(text) : null; } catch { /* keep text */ }
  return { status: res.status, body: parsed, headers: res.headers };
}

export const ironic = (svc: Service, method: string, path: string, body?: unknown): Promise<Answer> =>
  call(svc.url, method, path, body, { 'X-OpenStack-Ironic-API-Version': '1.82' });
export const insp = (svc: Service, method: string, path: string, body?: unknown, h: Record<string, string> = {}): Promise<Answer> =>
  call(svc.inspector.url, method, path, body, h);

/** Wait until `fn` is true (polling; no timing assertion). */
export async function until(fn: () => Promise<boolean>, what: string, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await fn()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/**
 * ironic-inspector's sample continue request (shared data). Upstream's sample has a
 * trailing comma in its CPU flags list; it is removed here so the file parses as JSON.
 */
export function sampleReport(): Record<string, any> {
  const text = readFileSync(sharedData('agent-samples/ironic-inspector/api-v1-continue-request.json'), 'utf8');
  return JSON.parse(text.replace(/,(\s*[\]}])/g, '$1')) as Record<string, any>;
}

/** A node in `manageable` with the inspector inspect interface (fake-hardware). */
export async function manageableNode(svc: Service, name: string, extra: Record<string, unknown> = {}): Promise<string> {
  const c = await ironic(svc, 'POST', '/v1/nodes', { driver: 'fake-hardware', name, inspect_interface: 'inspector', ...extra });
  if (c.status !== 201) throw new Error(`node create: ${c.status} ${JSON.stringify(c.body)}`);
  const uuid = c.body.uuid as string;
  const m = await ironic(svc, 'PUT', `/v1/nodes/${uuid}/states/provision`, { target: 'manage' });
  if (m.status !== 202) throw new Error(`manage: ${m.status} ${JSON.stringify(m.body)}`);
  await until(async () => (await ironic(svc, 'GET', `/v1/nodes/${uuid}`)).body.provision_state === 'manageable', 'manageable');
  return uuid;
}
