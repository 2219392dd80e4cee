/**
 * inTransaction on the machine's MariaDB (127.0.0.1:3306, root; skipped when it does not
 * answer): replacing the BIOS settings and the traits of many fresh nodes at once —
 * what conductors do while managing nodes in parallel — deadlocks in InnoDB (gap locks
 * on the node_id index). Every replacement must still succeed, each node ending with its
 * own rows. Plus: which errors count as deadlocks.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { openDb } from './connect.ts';
import { replaceBiosSettings, loadBiosSettings } from './bios.ts';
import { NodeRepo } from './nodes.ts';
import { isDeadlock } from './transaction.ts';
import { isoNow, newUuid } from '../core/ids.ts';

test('isDeadlock: MariaDB ER_LOCK_DEADLOCK and PostgreSQL 40P01/40001 only', () => {
  assert.ok(isDeadlock({ errno: 1213, code: 'ER_LOCK_DEADLOCK' }));
  assert.ok(isDeadlock({ code: '40P01' }));
  assert.ok(isDeadlock({ code: '40001' }));
  assert.ok(!isDeadlock({ errno: 1062, code: 'ER_DUP_ENTRY' }));
  assert.ok(!isDeadlock({ code: '23505' }));
  assert.ok(!isDeadlock(new Error('Deadlock found when trying to get lock')));
  assert.ok(!isDeadlock(null));
});

test('MariaDB: BIOS settings and traits of 200 nodes replaced 16 at a time, none lost to a deadlock', { timeout: 120_000 }, async (t) => {
  const mysql = await import('mysql2/promise');
  let admin;
  try { admin = await mysql.createConnection({ host: '127.0.0.1', port: 3306, user: 'root', connectTimeout: 3000 }); } catch (e) {
    t.skip(`MariaDB at 127.0.0.1:3306 does not answer (${(e as Error).message})`);
    return;
  }
  const name = `ingot_tx_${randomBytes(4).toString('hex')}`;
  await admin.query(`CREATE DATABASE ${name}`);
  const db = await openDb(`mysql://root@127.0.0.1:3306/${name}`);
  try {
    const nodes = new NodeRepo(db.kysely);
    const ids: number[] = [];
    for (let i = 0; i < 200; i++) {
      ids.push((await nodes.create({ uuid: newUuid(), driver: 'fake-hardware', provision_state: 'enroll' })).id);
    }
    let next = 0;
    const failures: string[] = [];
    await Promise.all(Array.from({ length: 16 }, async () => {
      while (next < ids.length) {
        const id = ids[next++]!;
        try {
          await replaceBiosSettings(db.kysely, id, [{ name: 'boot_mode', value: `uefi-${id}` }, { name: 'hyperthreading', value: 'on' }]);
          await nodes.setTraits(id, [`CUSTOM_N${id}`, 'CUSTOM_ALL']);
        } catch (err) { failures.push(`${id}: ${(err as Error).message}`); }
      }
    }));
    assert.deepEqual(failures, []);
    for (const id of ids) {
      const bios = await loadBiosSettings(db.kysely, id);
      assert.deepEqual(bios.map((s) => `${s.name}=${s.value}`).sort(), [`boot_mode=uefi-${id}`, 'hyperthreading=on']);
      const traits = await db.kysely.selectFrom('node_traits').select('trait').where('node_id', '=', id).execute();
      assert.deepEqual(traits.map((r) => r.trait).sort(), ['CUSTOM_ALL', `CUSTOM_N${id}`]);
    }
    t.diagnostic(`200 nodes, 16 at a time, at ${isoNow()}: every replacement stored`);
  } finally {
    await db.close();
    await admin.query(`DROP DATABASE IF EXISTS ${name}`);
    await admin.end();
  }
});
