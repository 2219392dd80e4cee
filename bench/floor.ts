/**
 * The floor of the create benchmark on this stack: a fresh process serving
 * `POST /v1/nodes` with Fastify and one prepared SQLite `INSERT … RETURNING` on Ingot's
 * own schema (WAL, synchronous=NORMAL, as `ingot serve`), replying with the row as JSON,
 * and nothing else: no validation, no driver composition, no version negotiation. The
 * client is bench.py's create loop (Python http.client, sequential, one keep-alive
 * connection, cold server). Whatever Ingot does per create comes on top of this figure.
 *
 * Usage: node --import tsx bench/floor.ts [N=500]
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import Database from 'better-sqlite3';
import Fastify from 'fastify';
import { openDb } from '../src/db/connect.ts';

const N = Number(process.argv[2] ?? 500);
const dir = mkdtempSync(join(tmpdir(), 'ingot-floor-'));
const file = join(dir, 'floor.db');
await (await openDb(file)).close(); // Ingot's schema and migrations
const db = new Database(file);
db.pragma('journal_mode = WAL');
db.pragma('synchronous = NORMAL');
const cols = ['uuid', 'name', 'driver', 'driver_info', 'extra', 'instance_info', 'properties', 'provision_state', 'conductor_group', 'created_at'];
const insert = db.prepare(`insert into nodes (${cols.join(', ')}) values (${cols.map(() => '?').join(', ')}) returning *`);

const app = Fastify();
app.post('/v1/nodes', async (req, reply) => {
  const b = req.body as { driver: string; name: string };
  const row = insert.get(randomUUID(), b.name, b.driver, '{}', '{}', '{}', '{}', 'enroll', '', new Date().toISOString()) as { uuid: string };
  reply.code(201).header('Location', `/v1/nodes/${row.uuid}`);
  return row;
});
await app.listen({ port: 0, host: '127.0.0.1' });
const port = (app.server.address() as AddressInfo).port;

// bench.py's create phase, verbatim in spirit: sequential POSTs on one connection.
const client = `
import http.client, json, sys, time
c = http.client.HTTPConnection('127.0.0.1', ${port}, timeout=300)
h = {'Accept': 'application/json', 'Content-Type': 'application/json', 'X-OpenStack-Ironic-API-Version': '1.82'}
t0 = time.perf_counter()
for i in range(${N}):
    c.request('POST', '/v1/nodes', body=json.dumps({'driver': 'fake-hardware', 'name': 'floor-%04d' % i}).encode(), headers=h)
    r = c.getresponse(); r.read()
    assert r.status == 201, r.status
dt = time.perf_counter() - t0
print('floor: %d creates in %.3f s = %.0f/s (%.3f ms each)' % (${N}, dt, ${N} / dt, 1000 * dt / ${N}))
`;
// The client runs in its own process while this one serves (never spawnSync here).
const status = await new Promise<number>((resolve) => spawn('/usr/bin/python3', ['-c', client], { stdio: 'inherit' }).on('exit', (c) => resolve(c ?? 1)));
await app.close();
db.close();
rmSync(dir, { recursive: true, force: true });
process.exit(status);
