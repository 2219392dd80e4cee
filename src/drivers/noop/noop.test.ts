/** Behaviour and texts of the no-op implementations (checked against Ironic 21.4). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InvalidError } from '../../core/errors.ts';
import { makeTestContext, makeTestNode } from '../../testing/driver-conformance.ts';
import { hasValidateCall } from '../shared/extensions.ts';
import type { DriverInterface, ManagementInterface } from '../base.ts';
import { NoBios, NoConsole, NoInspect, NoopManagement, NoopNetwork, NoopStorage, NoRaid, NoRescue, NoVendor, unsupportedExtension } from './index.ts';

const invalid = (message: string) => (e: unknown) => e instanceof InvalidError && e.message === message;
const ctxFor = (driver: string) => makeTestContext({ node: makeTestNode({ driver }) });
const unsupported = (driver: string, ext: string) => invalid(`Driver ${driver} does not support ${ext} (disabled or not implemented).`);

test('unsupportedExtension has Ironic text and is a 400', () => {
  const e = unsupportedExtension('fake-hardware', 'set_indicator_state');
  assert.ok(e instanceof InvalidError);
  assert.equal(e.message, 'Driver fake-hardware does not support set_indicator_state (disabled or not implemented).');
});

test('no-* interfaces: names, supported=false, no properties, validate fails naming the kind', async () => {
  const cases = [[new NoBios(), 'no-bios', 'bios'], [new NoConsole(), 'no-console', 'console'], [new NoInspect(), 'no-inspect', 'inspect'],
    [new NoRaid(), 'no-raid', 'raid'], [new NoRescue(), 'no-rescue', 'rescue'], [new NoVendor(), 'no-vendor', 'vendor']] as const;
  for (const [impl, name, kind] of cases) {
    assert.equal(impl.name, name);
    assert.equal(impl.supported, false);
    assert.deepEqual(impl.properties(), {});
    assert.equal((impl as DriverInterface).steps, undefined);
    await assert.rejects(impl.validate(ctxFor('manual-management')), unsupported('manual-management', kind));
  }
});

test('no-* actions fail with UnsupportedDriverExtension', async () => {
  const ctx = ctxFor('fake-hardware');
  const c = new NoConsole();
  for (const p of [c.startConsole(ctx), c.stopConsole(ctx), c.getConsole(ctx)]) await assert.rejects(p, unsupported('fake-hardware', 'console'));
  await assert.rejects(new NoInspect().inspect(ctx), unsupported('fake-hardware', 'inspect'));
  await assert.rejects(new NoRescue().rescue(ctx), unsupported('fake-hardware', 'rescue'));
  await assert.rejects(new NoRescue().unrescue(ctx), unsupported('fake-hardware', 'rescue'));
  await assert.rejects(new NoRaid().validateRaidConfig(ctx, { logical_disks: [] }), unsupported('fake-hardware', 'raid'));
});

test('no-raid still reports logical disk properties; no-bios caching changes nothing', async () => {
  assert.equal(new NoRaid().logicalDiskProperties().raid_level?.startsWith('RAID level for the logical disk.'), true);
  assert.deepEqual(await new NoBios().cacheSettings(makeTestContext()), []);
  const rows = [{ name: 'a', value: 'b' }];
  assert.deepEqual(await new NoBios().cacheSettings(makeTestContext({ biosSettings: rows })), rows);
});

test('no-vendor has no methods: every call is "No handler for method"', async () => {
  const v = new NoVendor();
  assert.deepEqual(v.methods(), {});
  assert.equal(hasValidateCall(v), true);
  await assert.rejects(v.validateCall(makeTestContext(), 'second_method', 'POST', { bar: 'x' }), invalid('No handler for method second_method'));
  await assert.rejects(v.call(makeTestContext(), 'second_method', 'POST', { bar: 'x' }), invalid('No handler for method second_method'));
});

test('noop management: pxe and disk, always pxe persistent', async () => {
  const m: ManagementInterface = new NoopManagement();
  const ctx = makeTestContext();
  assert.equal(m.name, 'noop');
  await m.validate(ctx);
  assert.deepEqual(await m.getSupportedBootDevices(ctx), ['pxe', 'disk']);
  await m.setBootDevice(ctx, 'disk', false);
  await m.setBootDevice(ctx, 'pxe', true);
  await assert.rejects(m.setBootDevice(ctx, 'cdrom', false), invalid('Invalid boot device cdrom specified, supported are pxe, disk.'));
  assert.deepEqual(await m.getBootDevice(ctx), { boot_device: 'pxe', persistent: true });
  assert.equal(m.getIndicators, undefined);
  assert.equal(m.getBootMode, undefined);
});

test('noop network and storage validate and do nothing', async () => {
  const ctx = makeTestContext();
  for (const impl of [new NoopNetwork(), new NoopStorage()]) {
    assert.equal(impl.name, 'noop');
    assert.deepEqual(impl.properties(), {});
    await impl.validate(ctx);
  }
  assert.equal(new NoopStorage().shouldWriteImage(ctx), true);
});
