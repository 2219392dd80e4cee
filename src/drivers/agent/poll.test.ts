/** pollSoon: Ironic's look/wait budget, looking sooner; no timing assertions (counts only). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pollSoon } from './poll.ts';

test('returns the first value a look finds, looking again until then', async () => {
  let looks = 0;
  const v = await pollSoon(async () => (++looks === 4 ? 'done' : undefined), { intervalMs: 5000, looks: 3 });
  assert.equal(v, 'done');
  assert.equal(looks, 4, 'three quick looks came back empty, the fourth found it (Ironic would still be in its first 5 s wait)');
});

test('gives up as Ironic would: every look made and the waiting budget spent', async () => {
  let looks = 0;
  assert.equal(await pollSoon(async () => { looks++; return undefined; }, { intervalMs: 20, looks: 3 }), undefined);
  assert.ok(looks >= 3, `at least Ironic's 3 looks, got ${looks}`);
  looks = 0;
  assert.equal(await pollSoon(async () => { looks++; return undefined; }, { intervalMs: 0, looks: 4 }), undefined);
  assert.equal(looks, 4, 'interval 0: the looks back to back, as Ironic');
  looks = 0;
  assert.equal(await pollSoon(async () => { looks++; return undefined; }, { intervalMs: 1000, looks: 1 }), undefined);
  assert.equal(looks, 1, 'one look, no wait');
});

test('errors of a look propagate; an abort ends the wait with its reason', async () => {
  await assert.rejects(pollSoon(async () => { throw new Error('agent gone'); }, { intervalMs: 10, looks: 3 }), /agent gone/);
  const ac = new AbortController();
  let looks = 0;
  const p = pollSoon(async () => { if (++looks === 2) ac.abort(new Error('task aborted')); return undefined; }, { intervalMs: 60_000, looks: 100, signal: ac.signal });
  await assert.rejects(p, /task aborted/);
});
