import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isValidTrait, isCustomTrait, isStandardTrait, STANDARD_TRAITS } from './traits.ts';

test('standard traits from os-traits 2.9.0 are valid', () => {
  assert.equal(STANDARD_TRAITS.length, 345);
  assert.ok(isValidTrait('HW_CPU_X86_AVX2'));
  assert.ok(isValidTrait('COMPUTE_ARCH_AARCH64'));
  assert.ok(isStandardTrait('STORAGE_DISK_SSD'));
  assert.ok(!isStandardTrait('HW_CPU_X86_NOPE'));
});

test('custom traits follow ^CUSTOM_[A-Z0-9_]+$ (with Python $ semantics)', () => {
  assert.ok(isValidTrait('CUSTOM_RAID1'));
  assert.ok(isValidTrait('CUSTOM_A_B_9'));
  assert.ok(isCustomTrait('CUSTOM_X\n'));
  assert.ok(!isValidTrait('CUSTOM_'));
  assert.ok(!isValidTrait('CUSTOM_lower'));
  assert.ok(!isValidTrait('CUSTOM_X-Y'));
  assert.ok(!isValidTrait('CUSTOM_X\n\n'));
  assert.ok(!isValidTrait('custom_x'));
});

test('non-strings, empty and over-long values are invalid', () => {
  assert.ok(!isValidTrait(''));
  assert.ok(!isValidTrait(null));
  assert.ok(!isValidTrait(42));
  assert.ok(!isValidTrait(['CUSTOM_A']));
  assert.ok(isValidTrait('CUSTOM_' + 'A'.repeat(248)));
  assert.ok(!isValidTrait('CUSTOM_' + 'A'.repeat(249)));
  assert.ok(!isValidTrait('hw_cpu_x86_avx2'));
});
