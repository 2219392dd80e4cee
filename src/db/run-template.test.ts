/**
 * runTemplate: one compile per statement shape, later runs bind new parameters to the
 * same SQL, and a caller whose parameter order differs from Kysely's is caught at once.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDb, runTemplate } from './connect.ts';
import { NodeRepo } from './nodes.ts';

test('runTemplate compiles a shape once and reruns its SQL with new parameters', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ingot-tpl-'));
  const db = await openDb(join(dir, 't.db'));
  try {
    const repo = new NodeRepo(db.kysely);
    const a = await repo.create({ uuid: '11111111-1111-4111-8111-111111111111', driver: 'fake-hardware', provision_state: 'enroll' });
    const b = await repo.create({ uuid: '22222222-2222-4222-8222-222222222222', driver: 'fake-hardware', provision_state: 'enroll' });
    const cache = new Map<string, string>();
    const upd = (id: number, name: string) => runTemplate(db.kysely, cache, 'name', [name, id],
      () => db.kysely.updateTable('nodes').set({ name }).where('id', '=', id));
    await upd(a.id, 'first');
    assert.equal(cache.size, 1);
    const r = await upd(b.id, 'second');
    assert.equal(Number(r.numAffectedRows), 1);
    assert.equal((await repo.getById(a.id))?.name, 'first');
    assert.equal((await repo.getById(b.id))?.name, 'second');
    // Parameters in the wrong order are refused before anything runs.
    await assert.rejects(runTemplate(db.kysely, new Map(), 'swapped', [a.id, 'x'],
      () => db.kysely.updateTable('nodes').set({ name: 'x' }).where('id', '=', a.id)), /BUG: statement template swapped/);
    assert.equal((await repo.getById(a.id))?.name, 'first');
    // The repository's own templates: updates with different lock conditions and columns.
    assert.equal(await repo.update(a.id, { last_error: 'e1' }), true);
    assert.equal(await repo.update(a.id, { last_error: 'e2' }, { reservation: 'nobody' }), false);
    assert.equal(await repo.update(a.id, { last_error: 'e3' }, { reservation: null }), true);
    assert.equal((await repo.getById(a.id))?.last_error, 'e3');
    const locked = await repo.lock(b.id, 'h1');
    assert.equal(locked?.reservation, 'h1');
    assert.equal(await repo.lock(b.id, 'h2'), undefined);
    assert.equal((await repo.lock(a.id, 'h2'))?.reservation, 'h2');
  } finally {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
