/**
 * NodeRepo.lock: one atomic write takes the reservation and stamps updated_at, and gives
 * the locked node back, with UPDATE … RETURNING (SQLite here) and without it (MariaDB's
 * path, exercised on SQLite through an adapter that reports no RETURNING).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, SqliteAdapter, SqliteDialect, type DialectAdapter } from 'kysely';
import { openDb, type Db } from './connect.ts';
import type { Database } from './schema.ts';
import { NodeRepo } from './nodes.ts';
import { newUuid } from '../core/ids.ts';

class NoReturningAdapter extends SqliteAdapter {
  override get supportsReturning(): boolean { return false; }
}
class NoReturningSqlite extends SqliteDialect {
  override createAdapter(): DialectAdapter { return new NoReturningAdapter(); }
}

let dir: string;
let db: Db;
let noReturning: Kysely<Database>;
/** SQL run through `noReturning`. */
const fallbackSql: string[] = [];

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ingot-lock-'));
  db = await openDb(join(dir, 't.db'));
  noReturning = new Kysely<Database>({
    dialect: new NoReturningSqlite({ database: new SQLite(join(dir, 't.db')) }),
    log: (e) => { fallbackSql.push(e.query.sql); },
  });
});
after(async () => {
  await noReturning.destroy();
  await db.close();
  rmSync(dir, { recursive: true, force: true });
});

for (const variant of ['with RETURNING', 'without RETURNING'] as const) {
  const repo = () => new NodeRepo(variant === 'with RETURNING' ? db.kysely : noReturning);

  test(`lock ${variant}: returns the node locked by us, updated_at stamped, traits loaded`, async () => {
    const r = repo();
    const created = await r.create({ uuid: newUuid(), driver: 'fake-hardware', provision_state: 'enroll' }, ['CUSTOM_B', 'CUSTOM_A']);
    assert.equal(created.updated_at, null);
    const locked = await r.lock(created.id, 'host-1');
    assert.ok(locked);
    assert.equal(locked.uuid, created.uuid);
    assert.equal(locked.reservation, 'host-1');
    assert.notEqual(locked.updated_at, null);
    assert.deepEqual(locked.traits, ['CUSTOM_A', 'CUSTOM_B']);
    const stored = await r.getById(created.id);
    assert.equal(stored?.reservation, 'host-1');
    assert.equal(stored?.updated_at, locked.updated_at);
    if (variant === 'without RETURNING') {
      assert.ok(fallbackSql.some((s) => /^update "nodes" set "reservation" = \?, "updated_at" = \?/.test(s)));
      assert.ok(fallbackSql.every((s) => !/returning/i.test(s)), 'the fallback never asks for RETURNING');
    }
  });

  test(`lock ${variant}: undefined when someone holds the lock (nothing written) or the node is gone`, async () => {
    const r = repo();
    const created = await r.create({ uuid: newUuid(), driver: 'fake-hardware', provision_state: 'enroll' });
    assert.ok(await r.reserve(created.id, 'other'));
    assert.equal(await r.lock(created.id, 'host-1'), undefined);
    const stored = await r.getById(created.id);
    assert.equal(stored?.reservation, 'other');
    assert.equal(stored?.updated_at, null, 'a failed lock stamps nothing');
    assert.equal(await r.lock(999_999, 'host-1'), undefined);
  });
}
