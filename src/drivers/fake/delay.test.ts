import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DriverError, InvalidError } from '../../core/errors.ts';
import { makeTestContext } from '../../testing/driver-conformance.ts';
import { FakeDelay } from './delay.ts';
import { FakePower } from './power.ts';

test('parse: empty and zero mean no delay', () => {
  for (const s of [undefined, '', ' ', '0', '0,0']) assert.equal(FakeDelay.parse(s).isNone, true, String(s));
});

test('parse: constant and range', () => {
  const c = FakeDelay.parse('2');
  assert.deepEqual([c.earliest, c.latest, c.pick()], [2, 2, 2]);
  const r = FakeDelay.parse(' 1 , 3 ');
  assert.deepEqual([r.earliest, r.latest], [1, 3]);
});

test('parse: malformed specs are rejected, naming the option', () => {
  for (const s of ['a', '1,', ',1', '-1', '1,2,3', '1;2']) {
    assert.throws(() => FakeDelay.parse(s, '[fake] power_delay'), (e: unknown) =>
      e instanceof InvalidError && e.message.startsWith(`Invalid [fake] power_delay "${s}"`));
  }
});

test('pick: triangular between a and b with mode a', () => {
  assert.equal(FakeDelay.parse('1,3', 'x', () => 0).pick(), 1);
  assert.ok(Math.abs(FakeDelay.parse('1,3', 'x', () => 0.999999).pick() - 3) < 0.01);
  // Median of triangular(low=1, high=3, mode=1) is 3 - 2*sqrt(0.5).
  assert.ok(Math.abs(FakeDelay.parse('1,3', 'x', () => 0.5).pick() - (3 - 2 * Math.sqrt(0.5))) < 1e-9);
  const d = FakeDelay.parse('1,3');
  const xs = Array.from({ length: 2000 }, () => d.pick());
  assert.ok(xs.every((x) => x >= 1 && x <= 3));
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  assert.ok(mean > 1.5 && mean < 1.85, `mean ${mean} should be near 5/3`);
});

test('fakes sleep the configured delay', async () => {
  const p = new FakePower('0.05');
  const t0 = Date.now();
  await p.setPowerState(makeTestContext(), 'power on');
  assert.ok(Date.now() - t0 >= 45);
});

test('an abort interrupts the sleep with a retryable DriverError', async () => {
  const ac = new AbortController();
  const ctx = makeTestContext({ signal: ac.signal });
  const p = new FakePower('30');
  setTimeout(() => ac.abort(new Error('shutdown')), 20);
  const t0 = Date.now();
  await assert.rejects(p.getPowerState(ctx), (e: unknown) =>
    e instanceof DriverError && e.reason === 'aborted' && e.retryable
    && e.message === `Fake get_power_state on node ${ctx.node.uuid} was aborted.`);
  assert.ok(Date.now() - t0 < 5000);
});

test('an already aborted signal fails at once; no delay never checks it', async () => {
  const ac = new AbortController();
  ac.abort();
  const ctx = makeTestContext({ signal: ac.signal });
  await assert.rejects(new FakePower('5').reboot(ctx, false), DriverError);
  await new FakePower().reboot(ctx, false);
});
