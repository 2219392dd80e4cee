/**
 * Task and TaskManager: acquiring returns the locked node with updated_at stamped; a held
 * lock is NodeLocked (409), a missing node NotFound; the final write can release the lock
 * in the same statement, and never releases a lock we lost.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDb, type Db } from '../db/connect.ts';
import { NodeRepo } from '../db/nodes.ts';
import { NodeLockedError, NotFoundError } from '../core/errors.ts';
import { newUuid } from '../core/ids.ts';
import { TaskManager } from './task.ts';

let dir: string;
let db: Db;
let repo: NodeRepo;
let tasks: TaskManager;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ingot-task-'));
  db = await openDb(join(dir, 't.db'));
  repo = new NodeRepo(db.kysely);
  tasks = new TaskManager(repo, 'me', { attempts: 2, intervalMs: 1 });
});
after(async () => {
  await db.close();
  rmSync(dir, { recursive: true, force: true });
});

async function newNode(state = 'manageable'): Promise<number> {
  return (await repo.create({ uuid: newUuid(), driver: 'fake-hardware', provision_state: state as 'manageable' })).id;
}

test('acquire returns the node locked by us with updated_at stamped', async () => {
  const id = await newNode();
  const task = await tasks.acquire(id, 'test');
  assert.equal(task.node.reservation, 'me');
  assert.notEqual(task.node.updated_at, null);
  const stored = await repo.getById(id);
  assert.equal(stored?.reservation, 'me');
  assert.equal(stored?.updated_at, task.node.updated_at);
  await task.release();
  assert.equal((await repo.getById(id))?.reservation, null);
});

test('acquire: a lock held elsewhere is NodeLocked after the retries; a missing node is NotFound', async () => {
  const id = await newNode();
  assert.ok(await repo.reserve(id, 'other'));
  await assert.rejects(tasks.acquire(id, 'test'), (e: unknown) => e instanceof NodeLockedError && /other/.test(e.message));
  await assert.rejects(tasks.acquire(999_999, 'test'), NotFoundError);
});

test('saveAndRelease writes the changes and leaves reservation null; the task is done', async () => {
  const id = await newNode();
  const task = await tasks.acquire(id, 'test');
  await task.saveAndRelease({ description: 'x' });
  const stored = await repo.getById(id);
  assert.equal(stored?.description, 'x');
  assert.equal(stored?.reservation, null);
  assert.ok(task.isReleased);
  await assert.rejects(task.save({ description: 'y' }), /used after release/);
  await task.release(); // a no-op: nothing to release
});

test('applyAndRelease moves the state and releases in one write', async () => {
  const id = await newNode('manageable');
  const task = await tasks.acquire(id, 'test');
  assert.equal(await task.applyAndRelease('provide', { last_error: null }), 'cleaning');
  const stored = await repo.getById(id);
  assert.equal(stored?.provision_state, 'cleaning');
  assert.equal(stored?.target_provision_state, 'available');
  assert.notEqual(stored?.provision_updated_at, null);
  assert.equal(stored?.reservation, null);
});

test('applyAndRelease refuses an invalid event and keeps the lock', async () => {
  const id = await newNode('manageable');
  const task = await tasks.acquire(id, 'test');
  await assert.rejects(task.applyAndRelease('done'), /can not be performed/);
  assert.equal((await repo.getById(id))?.reservation, 'me');
  await task.release();
});

test('a lost lock: saveAndRelease is NodeLocked and writes nothing, and never frees the other holder', async () => {
  const id = await newNode();
  const task = await tasks.acquire(id, 'test');
  // Simulate losing the lock (e.g. released by a restart's recovery) and someone else taking it.
  assert.ok(await repo.release(id, 'me'));
  assert.ok(await repo.reserve(id, 'other'));
  await assert.rejects(task.saveAndRelease({ description: 'lost' }), NodeLockedError);
  await assert.rejects(task.applyAndRelease('provide'), NodeLockedError);
  assert.equal(task.isReleased, false);
  await task.release();
  const stored = await repo.getById(id);
  assert.equal(stored?.reservation, 'other');
  assert.equal(stored?.description, null);
  assert.equal(stored?.provision_state, 'manageable');
});
