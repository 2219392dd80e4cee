/** WorkerPool: a reserved worker counts as busy until run or cancelled; close refuses new work. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { UnavailableError } from '../core/errors.ts';
import { WorkerPool } from './workers.ts';

test('reserve holds a place; cancel gives it back; a full or closed pool is a 503', async () => {
  const pool = new WorkerPool(1, () => undefined);
  const slot = pool.reserve();
  assert.equal(pool.active, 1);
  assert.throws(() => pool.reserve(), (e: unknown) => e instanceof UnavailableError && /No free conductor workers available/.test(e.message));
  slot.cancel();
  slot.cancel();
  assert.equal(pool.active, 0);
  let release!: () => void;
  const s2 = pool.reserve();
  s2.run(() => new Promise<void>((r) => { release = r; }));
  assert.throws(() => s2.run(async () => undefined), /used twice/);
  assert.equal(pool.active, 1);
  assert.equal(await pool.drainFor(50), false);
  release();
  assert.equal(await pool.drainFor(1000), true);
  assert.equal(pool.active, 0);
  pool.close();
  assert.equal(pool.accepting, false);
  assert.throws(() => pool.spawn(async () => undefined), (e: unknown) => e instanceof UnavailableError && /shutting down/.test(e.message));
});
