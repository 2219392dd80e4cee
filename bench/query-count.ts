/**
 * Counts the SQL statements each API operation runs (in-process, no socket): create,
 * show, list detail, one provision verb. A diagnostic for hot paths; prints the
 * statements of one create. Usage: node --import tsx bench/query-count.ts
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pino from 'pino';
import { startService } from '../src/bin/service.ts';
import { loadConfig } from '../src/config/config.ts';

// Count executions, not preparations: connect.ts caches prepared statements by SQL text.
const log: string[] = [];
const proto = (Database as unknown as { prototype: { prepare: (sql: string) => unknown } }).prototype;
const prepare = proto.prepare;
proto.prepare = function (this: unknown, sql: string) {
  const st = prepare.call(this, sql) as Record<string, (...a: unknown[]) => unknown>;
  for (const m of ['run', 'all', 'get', 'iterate']) {
    const orig = st[m]!;
    st[m] = function (this: unknown, ...args: unknown[]) { log.push(sql); return orig.apply(this, args); };
  }
  return st;
};

const dir = mkdtempSync(join(tmpdir(), 'ingot-qc-'));
const svc = await startService(loadConfig({}, { dataDir: dir, db: join(dir, 't.db') }), { listen: false, periodics: false, logger: pino({ level: 'warn' }) });
const H = { 'x-openstack-ironic-api-version': '1.82', 'content-type': 'application/json' };

async function measure(label: string, fn: () => Promise<void>, show = false): Promise<void> {
  log.length = 0;
  await fn();
  await svc.conductor.idle();
  console.log(`${label}: ${log.length} statements`);
  if (show) for (const s of log) console.log(`    ${s.slice(0, 160)}`);
}

let uuid = '';
for (let i = 0; i < 20; i++) await svc.api.inject({ method: 'POST', url: '/v1/nodes', headers: H, payload: { driver: 'fake-hardware', name: `w-${i}` } });
await measure('POST /v1/nodes', async () => {
  const r = await svc.api.inject({ method: 'POST', url: '/v1/nodes', headers: H, payload: { driver: 'fake-hardware', name: 'qc' } });
  uuid = (JSON.parse(r.body) as { uuid: string }).uuid;
}, true);
await measure('GET /v1/nodes/{uuid}', async () => { await svc.api.inject({ method: 'GET', url: `/v1/nodes/${uuid}`, headers: H }); });
await measure('GET /v1/nodes?detail=True (21 nodes)', async () => { await svc.api.inject({ method: 'GET', url: '/v1/nodes?detail=True', headers: H }); });
for (const target of ['manage', 'provide', 'active']) {
  await measure(`PUT provision ${target} (+ conductor work)`, async () => {
    await svc.api.inject({ method: 'PUT', url: `/v1/nodes/${uuid}/states/provision`, headers: H, payload: { target } });
  }, process.argv.includes('--all'));
}
await svc.close();
rmSync(dir, { recursive: true, force: true });
