import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startHarness, type Harness } from '../../test/support/api-harness.ts';
import { hostileInput } from '../../test/support/hostile-input.ts';
import { guardBody, MAX_JSON_DEPTH } from './body-guard.ts';

let h: Harness;
before(async () => { h = await startHarness(); });
after(async () => { await h.close(); });

test('NUL characters and over-deep JSON are 400s on SQLite too', async () => {
  await hostileInput(h);
});

test('guardBody: the limit counts the body itself as level 1; a 1 MB string is one value', () => {
  let v: unknown = 1;
  for (let i = 0; i < MAX_JSON_DEPTH; i++) v = [v];
  assert.doesNotThrow(() => guardBody(v));
  assert.throws(() => guardBody([v]), /nested deeper than 256 levels/);
  assert.doesNotThrow(() => guardBody({ configdrive: 'x'.repeat(1 << 20) }));
  assert.throws(() => guardBody({ a: [{ 'b/c~': '\u0000' }] }), /at \/a\/0\/b~1c~0: /);
});
