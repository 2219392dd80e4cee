/**
 * Driver contexts read ports and BIOS settings only when a driver asks, once per task
 * (kept across the task's contexts while it holds the lock), and re-read after the
 * conductor's own writes; shared (lock-free) contexts keep nothing across contexts.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { openDb, type Db } from '../db/connect.ts';
import { NodeRepo } from '../db/nodes.ts';
import { replaceBiosSettings } from '../db/bios.ts';
import { isoNow, newUuid } from '../core/ids.ts';
import { TaskManager } from './task.ts';
import { driverContext, portsChanged, sharedContext } from './driver-context.ts';

const logger = pino({ level: 'silent' });
let dir: string;
let db: Db;
let repo: NodeRepo;
let tasks: TaskManager;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ingot-ctx-'));
  db = await openDb(join(dir, 't.db'));
  repo = new NodeRepo(db.kysely);
  tasks = new TaskManager(repo, 'me', { attempts: 1 });
});
after(async () => {
  await db.close();
  rmSync(dir, { recursive: true, force: true });
});

let macs = 0;
async function addPort(nodeId: number): Promise<string> {
  const address = `52:54:00:00:00:${(macs++).toString(16).padStart(2, '0')}`;
  await db.kysely.insertInto('ports').values({
    uuid: newUuid(), address, node_id: nodeId, portgroup_id: null, local_link_connection: null, pxe_enabled: 1,
    physical_network: null, internal_info: null, is_smartnic: 0, extra: null, created_at: isoNow(), updated_at: null,
  }).execute();
  return address;
}
const addresses = (ports: readonly { address: string }[]) => ports.map((p) => p.address);

async function newNode(): Promise<number> {
  return (await repo.create({ uuid: newUuid(), driver: 'fake-hardware', provision_state: 'manageable' })).id;
}

test('ports are read on first request, then kept for every context of the task', async () => {
  const id = await newNode();
  const a = await addPort(id);
  await tasks.withLock(id, 'test', async (task) => {
    const first = await driverContext(db.kysely, task, logger);
    const b = await addPort(id); // after the context was built: it is not read up front
    assert.deepEqual(addresses(await first.ctx.loadPorts()), [a, b]);
    await addPort(id); // not possible under the lock in real life: shows what is kept
    const second = await driverContext(db.kysely, task, logger);
    assert.deepEqual(addresses(await second.ctx.loadPorts()), [a, b], 'kept across contexts of one task');
    portsChanged(task);
    assert.equal((await second.ctx.loadPorts()).length, 3, 'read again after portsChanged');
  });
  await tasks.withLock(id, 'test', async (task) => {
    assert.equal((await (await driverContext(db.kysely, task, logger)).ctx.loadPorts()).length, 3, 'a new task reads anew');
  });
});

test('BIOS settings: kept per task, read back after a write through the context', async () => {
  const id = await newNode();
  await replaceBiosSettings(db.kysely, id, [{ name: 'A', value: '1' }]);
  await tasks.withLock(id, 'test', async (task) => {
    const h = await driverContext(db.kysely, task, logger);
    assert.deepEqual((await h.ctx.loadBiosSettings()).map((s) => [s.name, s.value]), [['A', '1']]);
    h.ctx.replaceBiosSettings?.([{ name: 'A', value: '2' }, { name: 'B', value: 'x' }]);
    await h.flush();
    const later = await driverContext(db.kysely, task, logger);
    const rows = await later.ctx.loadBiosSettings();
    assert.deepEqual(rows.map((s) => [s.name, s.value]), [['A', '2'], ['B', 'x']]);
    assert.ok(rows.every((s) => typeof (s as { created_at?: string }).created_at === 'string'), 'as stored, timestamps included');
    await later.storeBiosSettings([]);
    assert.deepEqual(await h.ctx.loadBiosSettings(), []);
  });
});

test('shared contexts read on request and keep nothing across contexts', async () => {
  const id = await newNode();
  const node = (await repo.getById(id))!;
  const one = sharedContext(db.kysely, node, logger);
  assert.deepEqual(await one.loadPorts(), []);
  const a = await addPort(id);
  assert.deepEqual(addresses(await sharedContext(db.kysely, node, logger).loadPorts()), [a]);
});
