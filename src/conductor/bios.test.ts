/**
 * BIOS settings cache: what the bios interface reports replaces the rows (no write when
 * unchanged), failures are only logged, and the verify flow (manage) runs it.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startHarness, waitState, type Harness } from '../../test/support/api-harness.ts';
import type { BiosInterface, BiosSetting, ComposedDriver, DriverContext } from '../drivers/base.ts';
import { InvalidError } from '../core/errors.ts';
import { cacheBiosSettings } from './bios.ts';
import { replaceBiosSettings } from '../db/bios.ts';
import { driverContext } from './driver-context.ts';

let h: Harness;
let n = 0;

before(async () => { h = await startHarness(); });
after(async () => { await h.close(); });

async function newNode(): Promise<number> {
  const name = `bs-${n++}`;
  const r = await h.req('POST', '/v1/nodes', { driver: 'fake-hardware', name });
  return (await h.svc.db.kysely.selectFrom('nodes').select('id').where('uuid', '=', r.body.uuid).executeTakeFirstOrThrow()).id;
}
const deps = () => h.svc.conductor.deps;
const rows = (nodeId: number) => h.svc.db.kysely.selectFrom('bios_settings').selectAll().where('node_id', '=', nodeId).orderBy('name').execute();

test('cacheBiosSettings writes nothing when the report equals the stored rows', async () => {
  const id = await newNode();
  await replaceBiosSettings(h.svc.db.kysely, id, [{ name: 'A', value: '1', allowable_values: ['1', '2'] }]);
  await h.svc.db.kysely.updateTable('bios_settings').set({ updated_at: '2026-01-01T00:00:00+00:00' }).where('node_id', '=', id).execute();
  await runCache(id, { cacheSettings: async () => [{ name: 'A', value: '1', allowable_values: ['1', '2'] }] });
  assert.equal((await rows(id))[0]!.updated_at, '2026-01-01T00:00:00+00:00');
  await runCache(id, { cacheSettings: async () => [{ name: 'A', value: '2' }, { name: 'B', value: 'x', read_only: true }] });
  const r = await rows(id);
  assert.deepEqual(r.map((x) => [x.name, x.value, x.read_only, x.allowable_values]), [['A', '2', null, null], ['B', 'x', 1, null]]);
  assert.notEqual(r[0]!.updated_at, '2026-01-01T00:00:00+00:00');
});

/** Run cacheBiosSettings with a given bios implementation under a real task. */
async function runCache(nodeId: number, bios: Partial<BiosInterface>): Promise<{ logged: string[] }> {
  const logged: string[] = [];
  const d = deps();
  const logger = { ...d.logger, warn: (_o: unknown, m?: string) => { logged.push(`warn: ${m}`); }, error: (_o: unknown, m?: string) => { logged.push(`error: ${m}`); } };
  const task = await d.tasks.acquire(nodeId, 'test');
  try {
    const handle = await driverContext(d.db, task, logger);
    const driver = { bios: { name: 'test', properties: () => ({}), validate: async () => {}, ...bios } } as unknown as ComposedDriver;
    await cacheBiosSettings({ ...d, logger }, task, driver, handle);
  } finally {
    await task.release();
  }
  return { logged };
}

test('cacheBiosSettings: the interface sees the current rows and its answer is stored', async () => {
  const id = await newNode();
  await replaceBiosSettings(h.svc.db.kysely, id, [{ name: 'Old', value: '1' }]);
  let seen: readonly BiosSetting[] | undefined;
  const { logged } = await runCache(id, {
    cacheSettings: async (ctx: DriverContext) => {
      seen = await ctx.loadBiosSettings?.();
      return [{ name: 'New', value: 'on' }];
    },
  });
  assert.deepEqual(seen?.map((s) => s.name), ['Old']);
  assert.deepEqual((await rows(id)).map((r) => r.name), ['New']);
  assert.deepEqual(logged, []);
});

test('cacheBiosSettings never throws: unsupported is a warning, other failures an error log', async () => {
  const id = await newNode();
  await replaceBiosSettings(h.svc.db.kysely, id, [{ name: 'Keep', value: '1' }]);
  let r = await runCache(id, { supported: false, cacheSettings: async () => { throw new InvalidError('Driver fake-hardware does not support bios (disabled or not implemented).'); } });
  assert.match(r.logged[0]!, /^warn: BIOS settings are not supported for node/);
  r = await runCache(id, { cacheSettings: async () => { throw new Error('BMC down'); } });
  assert.match(r.logged[0]!, /^error: Caching of bios settings failed on node/);
  assert.deepEqual((await rows(id)).map((x) => x.name), ['Keep'], 'rows untouched on failure');
});

test('verify (manage) caches the BIOS settings the bios interface reports', async () => {
  const id = await newNode();
  const fakeBios = deps().registry.impl('bios', 'fake') as BiosInterface;
  const original = fakeBios.cacheSettings;
  fakeBios.cacheSettings = async () => [{ name: 'ProcTurboMode', value: 'Enabled' }];
  try {
    const name = `bs-${n - 1}`;
    assert.equal((await h.req('PUT', `/v1/nodes/${name}/states/provision`, { target: 'manage' })).status, 202);
    await waitState(h, name, 'manageable');
    assert.deepEqual((await rows(id)).map((r) => [r.name, r.value]), [['ProcTurboMode', 'Enabled']]);
    const api = await h.req('GET', `/v1/nodes/${name}/bios`);
    assert.deepEqual(api.body.bios.map((b: any) => [b.name, b.value]), [['ProcTurboMode', 'Enabled']]);
  } finally {
    fakeBios.cacheSettings = original;
  }
});

test('verify still succeeds when caching fails', async () => {
  const id = await newNode();
  const fakeBios = deps().registry.impl('bios', 'fake') as BiosInterface;
  const original = fakeBios.cacheSettings;
  fakeBios.cacheSettings = async () => { throw new Error('boom'); };
  try {
    const name = `bs-${n - 1}`;
    await h.req('PUT', `/v1/nodes/${name}/states/provision`, { target: 'manage' });
    const node = await waitState(h, name, 'manageable');
    assert.equal(node.last_error, null);
    assert.deepEqual(await rows(id), []);
  } finally {
    fakeBios.cacheSettings = original;
  }
});
