/**
 * The conductor RPC end to end in one process: two JSON-RPC listeners (c1, c2) in front
 * of fake conductors, registered in a real (SQLite) `conductors` table, and the API-side
 * client routing calls by the hash ring. Typed errors, bytes, HTTP Basic auth, TLS and
 * the call timeout.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import bcrypt from 'bcryptjs';
import { openDb, type Db } from '../db/connect.ts';
import { NodeRepo } from '../db/nodes.ts';
import { HashRingManager } from '../db/conductors.ts';
import { isoNow, newUuid } from '../core/ids.ts';
import { DriverError, IngotError, NodeLockedError } from '../core/errors.ts';
import { loadClusterConfig, type JsonRpcConfig } from '../config/cluster.ts';
import type { ConductorApi } from '../contracts/rpc.ts';
import { ROUTES } from './routing.ts';
import { startRpcServer, type RpcServer } from './server.ts';
import { remoteConductor, type RemoteConductor } from './client.ts';

let dir: string;
let db: Db;
const servers: RpcServer[] = [];
const clients: RemoteConductor[] = [];
const nodeIds: number[] = [];

/** A conductor double: every method answers who it is and what it got. */
function fakeConductor(name: string): ConductorApi {
  const f: Record<string, unknown> = { hostname: name };
  for (const m of Object.keys(ROUTES)) f[m] = async (...args: unknown[]) => ({ host: name, method: m, args });
  f.listDrivers = async () => [{ name: 'fake-hardware', hosts: [name], defaults: {}, enabled: {} }];
  f.setBootDevice = async () => { throw new NodeLockedError('node-x', 'c9'); };
  f.injectNmi = async () => { throw new DriverError('BMC said no', { reason: 'bmc', retryable: true }); };
  f.getConsoleInfo = async () => { throw new Error('a bug'); };
  f.vendorPassthru = async () => ({ async: false, result: Buffer.from([0, 1, 2, 255]), attach: true });
  f.getIndicators = () => new Promise(() => { /* never answers */ });
  return f as unknown as ConductorApi;
}

function rpcConfig(over: Partial<JsonRpcConfig> = {}): JsonRpcConfig {
  return { ...loadClusterConfig({}).jsonRpc, timeout: 5, ...over };
}

async function register(name: string, address: string, drivers = ['fake-hardware']): Promise<void> {
  await db.kysely.insertInto('conductors').values({
    hostname: name, conductor_group: '', online: 1, drivers: JSON.stringify(drivers), created_at: isoNow(), updated_at: isoNow(), rpc_address: address,
  }).execute();
}

function client(rpc: JsonRpcConfig): RemoteConductor {
  const ring = new HashRingManager(db.kysely, { heartbeatTimeout: 60, resetInterval: 60, partitionExponent: 5, algorithm: 'md5' });
  const c = remoteConductor({ db: db.kysely, ring, rpc });
  clients.push(c);
  return c;
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ingot-rpc-'));
  db = await openDb(join(dir, 'ingot.db'));
  for (const name of ['c1', 'c2']) {
    const s = await startRpcServer(fakeConductor(name), rpcConfig(), { host: '127.0.0.1', port: 0 });
    servers.push(s);
    await register(name, `http://127.0.0.1:${s.port}`);
  }
  const repo = new NodeRepo(db.kysely);
  for (let i = 0; i < 40; i++) nodeIds.push((await repo.create({ uuid: newUuid(), driver: 'fake-hardware', provision_state: 'enroll' })).id);
  nodeIds.push((await repo.create({ uuid: newUuid(), driver: 'ipmi', provision_state: 'enroll' })).id);
});

after(async () => {
  for (const c of clients) c.close();
  for (const s of servers) await s.close();
  await db.close();
  rmSync(dir, { recursive: true, force: true });
});

test('node calls reach the node\'s owner per the ring, with their arguments; both conductors get some', async () => {
  const c = client(rpcConfig());
  const seen = new Set<string>();
  for (const id of nodeIds.slice(0, 40)) {
    const n = (await new NodeRepo(db.kysely).getById(id))!;
    const r = await c.changePowerState(id, 'power on', 30) as unknown as { host: string; method: string; args: unknown[] };
    assert.equal(r.host, c.conductorFor(n));
    assert.equal(r.method, 'changePowerState');
    assert.deepEqual(r.args, [id, 'power on', 30]);
    seen.add(r.host);
  }
  assert.deepEqual([...seen].sort(), ['c1', 'c2']);
});

test('typed errors cross the wire as their own types; other failures as Internal; bytes stay bytes', async () => {
  const c = client(rpcConfig());
  const id = nodeIds[0]!;
  await assert.rejects(c.setBootDevice(id, 'pxe', false), (e: unknown) =>
    e instanceof NodeLockedError && e.node === 'node-x' && e.host === 'c9' && e.retryable && /locked by host c9/.test(e.message));
  await assert.rejects(c.injectNmi(id), (e: unknown) => e instanceof DriverError && e.reason === 'bmc' && e.retryable && e.message === 'BMC said no');
  await assert.rejects(c.getConsoleInfo(id), (e: unknown) => e instanceof IngotError && e.code === 'Internal' && e.message === 'a bug');
  const v = await c.vendorPassthru(id, 'm', 'GET', {});
  assert.ok(Buffer.isBuffer(v.result));
  assert.deepEqual([...(v.result as Buffer)], [0, 1, 2, 255]);
});

test("no live conductor for the node's driver: Ironic's NoValidHost (400 for update/create, 404 otherwise)", async () => {
  const c = client(rpcConfig());
  const ipmiNode = nodeIds.at(-1)!;
  const text = 'No valid host was found. Reason: No conductor service registered which supports driver ipmi for conductor group "".';
  await assert.rejects(c.updateNode(ipmiNode, {}), (e: unknown) => e instanceof IngotError && e.code === 'Invalid' && e.message === text);
  await assert.rejects(c.doProvisioningAction(ipmiNode, { event: 'manage', target: 'manage' }), (e: unknown) => e instanceof IngotError && e.code === 'NotFound' && e.message === text);
  // Moving a node to a served driver routes it there (Ironic routes update_node by the new driver).
  assert.equal((await c.updateNode(ipmiNode, { driver: 'fake-hardware' }) as unknown as { method: string }).method, 'updateNode');
  await assert.rejects(c.checkTopic({ uuid: '', driver: 'fake-hardware', conductor_group: 'rack9' }),
    (e: unknown) => e instanceof IngotError && e.code === 'Invalid' && /supports driver fake-hardware for conductor group "rack9"\.$/.test(e.message));
  await c.checkTopic({ uuid: '', driver: 'fake-hardware', conductor_group: '' });
  await assert.rejects(c.getDriver('ipmi'), (e: unknown) => e instanceof IngotError && e.code === 'NotFound');
  assert.deepEqual((await c.listDrivers()).map((d) => [d.name, d.hosts]), [['fake-hardware', ['c1', 'c2']]]);
  await assert.rejects(c.destroyNode(999999), (e: unknown) => e instanceof IngotError && e.code === 'NotFound');
});

test('a call that gets no answer ends in 503 within the timeout; a conductor that is gone is 503 too', async () => {
  const c = client(rpcConfig({ timeout: 0.5 }));
  const id = nodeIds[0]!;
  await assert.rejects(c.getIndicators(id), (e: unknown) => e instanceof IngotError && e.code === 'Unavailable' && /did not answer getIndicators within 0\.5 s/.test(e.message));
  // A registered conductor whose listener is gone.
  await db.kysely.updateTable('conductors').set({ rpc_address: 'http://127.0.0.1:1' }).where('hostname', '=', 'c1').execute();
  const fresh = client(rpcConfig());
  // Driver questions go to a conductor that answers.
  for (let i = 0; i < 5; i++) assert.deepEqual((await fresh.listDrivers()).map((d) => d.name), ['fake-hardware']);
  const owned = [];
  for (const nid of nodeIds.slice(0, 40)) {
    const n = (await new NodeRepo(db.kysely).getById(nid))!;
    if (fresh.conductorFor(n) === 'c1') owned.push(nid);
  }
  await assert.rejects(fresh.injectNmi(owned[0]!), (e: unknown) => e instanceof IngotError && e.code === 'Unavailable' && /Conductor c1 .*could not be reached for injectNmi: ECONNREFUSED/.test(e.message));
  await db.kysely.updateTable('conductors').set({ rpc_address: `http://127.0.0.1:${servers[0]!.port}` }).where('hostname', '=', 'c1').execute();
});

test('the listener answers only JSON-RPC 2.0 calls of routed methods', async () => {
  const url = `http://127.0.0.1:${servers[0]!.port}/`;
  const post = async (body: string) => { const r = await fetch(url, { method: 'POST', body }); return { status: r.status, body: await r.json() as { error?: { code: number; message: string } } }; };
  assert.equal((await post('{nope')).body.error?.code, -32700);
  assert.equal((await post('{"jsonrpc":"1.0","method":"listDrivers","id":1}')).body.error?.code, -32600);
  for (const m of ['start', 'stop', 'constructor', 'toString', 'hostname']) {
    assert.equal((await post(JSON.stringify({ jsonrpc: '2.0', method: m, params: [], id: 1 }))).body.error?.code, -32601, m);
  }
  assert.equal((await fetch(url)).status, 405);
});

test('HTTP Basic auth (htpasswd with bcrypt) and TLS with a pinned CA', async () => {
  const users = join(dir, 'htpasswd');
  writeFileSync(users, `# json-rpc users\nrpc:${bcrypt.hashSync('s3cret', 4)}\n`);
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
  const serverCfg = rpcConfig({ authStrategy: 'http_basic', httpBasicAuthUserFile: users, useSsl: true, certFile: cert, keyFile: key });
  const s = await startRpcServer(fakeConductor('c3'), serverCfg, { host: '127.0.0.1', port: 0 });
  servers.push(s);
  await register('c3', `https://127.0.0.1:${s.port}`, ['manual-management']);
  const node = (await new NodeRepo(db.kysely).create({ uuid: newUuid(), driver: 'manual-management', provision_state: 'enroll' })).id;
  const good = client(rpcConfig({ authStrategy: 'http_basic', httpBasicUsername: 'rpc', httpBasicPassword: 's3cret', useSsl: true, cafile: cert }));
  assert.equal((await good.injectNmi(node).catch((e) => e) as Error).message, 'BMC said no');
  assert.equal((await good.setBootMode(node, 'uefi') as unknown as { host: string }).host, 'c3');
  const badPassword = client(rpcConfig({ authStrategy: 'http_basic', httpBasicUsername: 'rpc', httpBasicPassword: 'wrong', useSsl: true, cafile: cert }));
  await assert.rejects(badPassword.setBootMode(node, 'uefi'), /refused the RPC credentials/);
  const noCa = client(rpcConfig({ authStrategy: 'http_basic', httpBasicUsername: 'rpc', httpBasicPassword: 's3cret', useSsl: true }));
  await assert.rejects(noCa.setBootMode(node, 'uefi'), (e: unknown) => e instanceof IngotError && e.code === 'Unavailable' && /SELF_SIGNED/.test(e.message));
  // A user file with a non-bcrypt entry is refused at start, naming the line.
  const md5 = join(dir, 'htpasswd-md5');
  writeFileSync(md5, 'rpc:$apr1$abc$def\n');
  await assert.rejects(startRpcServer(fakeConductor('c4'), { ...serverCfg, httpBasicAuthUserFile: md5 }, { host: '127.0.0.1', port: 0 }), /line 1: only bcrypt entries/);
});
