import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseVersionHeader, FEATURES, MAX_VERSION, supports } from './versions.ts';

test('no header means 1.1; latest means the maximum', () => {
  assert.deepEqual(parseVersionHeader(undefined), { ok: true, minor: 1 });
  assert.deepEqual(parseVersionHeader('latest'), { ok: true, minor: MAX_VERSION });
  assert.deepEqual(parseVersionHeader('LATEST'), { ok: true, minor: MAX_VERSION });
  assert.deepEqual(parseVersionHeader('1.37'), { ok: true, minor: 37 });
});

test('garbage is invalid, out of range is range', () => {
  for (const bad of ['abc', '1', '1.2.3', '1.x', ' . ']) assert.equal(parseVersionHeader(bad).ok, false, bad);
  assert.deepEqual(parseVersionHeader('1.83'), { ok: false, reason: 'range', text: '1.83' });
  assert.deepEqual(parseVersionHeader('2.1'), { ok: false, reason: 'range', text: '2.1' });
  assert.deepEqual(parseVersionHeader('1.0'), { ok: false, reason: 'range', text: '1.0' });
});

test('the feature table is ordered, unique and within range', () => {
  const vals = Object.values(FEATURES);
  for (let i = 1; i < vals.length; i++) assert.ok(vals[i]! >= vals[i - 1]!, `feature table out of order at ${i}`);
  assert.ok(Math.max(...vals) <= MAX_VERSION);
  assert.equal(supports(36, 'traits'), false);
  assert.equal(supports(37, 'traits'), true);
});
