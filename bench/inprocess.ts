/**
 * In-process microbenchmark (no socket, no HTTP client): CPU and wall time per API
 * operation through Fastify's inject, for profiling hot paths independently of the
 * client. Create N nodes, list them with detail 3 times, move min(N,100) nodes
 * enroll → active. Usage:
 *   node [--cpu-prof] --import tsx bench/inprocess.ts [N] [--stmt-cache]
 * --stmt-cache caches better-sqlite3 prepared statements by SQL text (an experiment:
 * Kysely's SQLite driver prepares every statement anew).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pino from 'pino';
import { startService } from '../src/bin/service.ts';
import { loadConfig } from '../src/config/config.ts';

if (process.argv.includes('--stmt-cache')) {
  const proto = (Database as unknown as { prototype: { prepare: (sql: string) => unknown } }).prototype;
  const prepare = proto.prepare;
  const caches = new WeakMap<object, Map<string, unknown>>();
  proto.prepare = function (this: object, sql: string) {
    let m = caches.get(this);
    if (!m) caches.set(this, (m = new Map()));
    let s = m.get(sql);
    if (!s) m.set(sql, (s = prepare.call(this, sql)));
    return s;
  };
}

const N = Number(process.argv.slice(2).find((a) => /^\d+$/.test(a)) ?? 500);
const dir = mkdtempSync(join(tmpdir(), 'ingot-inproc-'));
const svc = await startService(loadConfig({}, { dataDir: dir, db: join(dir, 't.db') }), { listen: false, periodics: false, logger: pino({ level: 'warn' }) });
const H = { 'x-openstack-ironic-api-version': '1.82', 'content-type': 'application/json' };
const cpuMs = (c: NodeJS.CpuUsage) => (c.user + c.system) / 1000;

let c0 = process.cpuUsage();
let t0 = performance.now();
const uuids: string[] = [];
for (let i = 0; i < N; i++) {
  const r = await svc.api.inject({ method: 'POST', url: '/v1/nodes', headers: H, payload: JSON.stringify({ driver: 'fake-hardware', name: `p-${i}` }) });
  if (r.statusCode !== 201) throw new Error(r.body);
  uuids.push((JSON.parse(r.body) as { uuid: string }).uuid);
}
console.log(`create: ${((performance.now() - t0) / N).toFixed(3)} ms wall, ${(cpuMs(process.cpuUsage(c0)) / N).toFixed(3)} ms cpu per node`);
for (let k = 0; k < 3; k++) {
  c0 = process.cpuUsage(); t0 = performance.now();
  const r = await svc.api.inject({ method: 'GET', url: '/v1/nodes?detail=True', headers: H });
  console.log(`list detail ${N}: ${(performance.now() - t0).toFixed(1)} ms wall, ${cpuMs(process.cpuUsage(c0)).toFixed(1)} ms cpu, ${r.body.length} bytes`);
}
const M = Math.min(100, N);
c0 = process.cpuUsage(); t0 = performance.now();
for (const target of ['manage', 'provide', 'active']) {
  for (const u of uuids.slice(0, M)) {
    const r = await svc.api.inject({ method: 'PUT', url: `/v1/nodes/${u}/states/provision`, headers: H, payload: JSON.stringify({ target }) });
    if (r.statusCode !== 202) throw new Error(r.body);
  }
  const submitted = performance.now() - t0;
  await svc.conductor.idle();
  console.log(`  ${target}: submitted at ${submitted.toFixed(0)} ms, conductor idle at ${(performance.now() - t0).toFixed(0)} ms`);
}
console.log(`transitions of ${M} nodes: ${(performance.now() - t0).toFixed(0)} ms wall, ${cpuMs(process.cpuUsage(c0)).toFixed(0)} ms cpu`);
const r = await svc.api.inject({ method: 'GET', url: '/v1/nodes?fields=uuid,provision_state', headers: H });
const states: Record<string, number> = {};
for (const n of (JSON.parse(r.body) as { nodes: { provision_state: string }[] }).nodes) states[n.provision_state] = (states[n.provision_state] ?? 0) + 1;
console.log('final states', states);
await svc.close();
rmSync(dir, { recursive: true, force: true });
