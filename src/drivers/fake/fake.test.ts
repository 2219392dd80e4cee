/** Behaviour and texts of the fake implementations (checked against Ironic 21.4). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DriverError, InvalidError } from '../../core/errors.ts';
import { makeTestContext, makeTestNode } from '../../testing/driver-conformance.ts';
import {
  FakeBios, FakeBoot, FakeConsole, FakeDeploy, FakeInspect, FakeManagement, FakePower, FakeRaid, FakeRescue,
  FakeStorage, FakeVendor, FakeVendorA,
} from './index.ts';
import { hasValidateCall } from '../shared/extensions.ts';
import type { DriverInterface, InspectInterface, ManagementInterface } from '../base.ts';

const invalid = (message: string) => (e: unknown) => e instanceof InvalidError && e.message === message;

test('every fake is named fake, has no properties and validates', async () => {
  const all: DriverInterface[] = [new FakeBios(), new FakeBoot(), new FakeConsole(), new FakeDeploy(), new FakeInspect(), new FakeManagement(),
    new FakePower(), new FakeRaid(), new FakeRescue(), new FakeStorage()];
  for (const f of all) {
    assert.equal(f.name, 'fake');
    assert.deepEqual(f.properties(), {});
    await f.validate(makeTestContext());
    assert.notEqual(f.supported, false);
  }
});

test('power: reports the stored power_state, null included', async () => {
  const p = new FakePower();
  assert.equal(await p.getPowerState(makeTestContext()), null);
  assert.equal(await p.getPowerState(makeTestContext({ node: makeTestNode({ power_state: 'power on' }) })), 'power on');
});

test('power: accepts the four settable states, refuses others with Ironic text', async () => {
  const p = new FakePower();
  for (const s of ['power on', 'power off', 'soft rebooting', 'soft power off']) await p.setPowerState(makeTestContext(), s);
  await assert.rejects(p.setPowerState(makeTestContext(), 'rebooting'),
    invalid('set_power_state called with an invalid power state: rebooting.'));
  await p.reboot(makeTestContext(), false);
  await p.reboot(makeTestContext(), true);
  assert.deepEqual(await p.getSupportedPowerStates(makeTestContext()),
    ['power on', 'power off', 'rebooting', 'soft rebooting', 'soft power off']);
});

test('management: only pxe; boot device always pxe, not persistent', async () => {
  const m = new FakeManagement();
  const ctx = makeTestContext();
  assert.deepEqual(await m.getSupportedBootDevices(ctx), ['pxe']);
  await m.setBootDevice(ctx, 'pxe', true);
  await assert.rejects(m.setBootDevice(ctx, 'disk', false), invalid('Invalid boot device disk specified.'));
  assert.deepEqual(await m.getBootDevice(ctx), { boot_device: 'pxe', persistent: false });
  for (const opt of ['getBootMode', 'setBootMode', 'getSecureBoot', 'setSecureBoot', 'injectNmi', 'setIndicatorState'] as const) {
    assert.equal((m as ManagementInterface)[opt], undefined, `${opt} must be absent, as in Ironic's fake`);
  }
});

test('management: indicators as Ironic fake', async () => {
  const m = new FakeManagement();
  const ctx = makeTestContext();
  assert.deepEqual(await m.getIndicators(ctx), {
    chassis: { 'led-0': { readonly: true, states: ['off', 'on'] } },
    system: { led: { readonly: false, states: ['blinking', 'off', 'on'] } },
  });
  assert.equal(await m.getIndicatorState(ctx, 'system', 'led'), 'on');
  assert.equal(await m.getIndicatorState(ctx, 'chassis', 'led-0'), 'on');
  await assert.rejects(m.getIndicatorState(ctx, 'foo', 'led'), invalid('Invalid component foo specified.'));
  await assert.rejects(m.getIndicatorState(ctx, 'system', 'foo'), invalid('Invalid indicator foo specified.'));
  await assert.rejects(m.getIndicatorState(ctx, 'toString', 'led'), invalid('Invalid component toString specified.'));
});

test('deploy: a single deploy step at priority 100 that finishes', async () => {
  const d = new FakeDeploy();
  assert.deepEqual(d.steps, [{ step: 'deploy', deployPriority: 100 }]);
  assert.equal(await d.executeStep(makeTestContext(), 'deploy', {}), 'done');
  assert.equal(await d.deploy(makeTestContext()), 'done');
  await assert.rejects(d.executeStep(makeTestContext(), 'write_image', {}), invalid("The deploy interface 'fake' has no step 'write_image'."));
  for (const op of ['tearDown', 'prepare', 'cleanUp', 'takeOver'] as const) await d[op](makeTestContext());
});

test('boot, inspect, rescue, console, storage do nothing and succeed', async () => {
  const ctx = makeTestContext();
  const b = new FakeBoot();
  await b.prepareRamdisk(ctx, 'deploy');
  await b.cleanUpRamdisk(ctx);
  await b.prepareInstance(ctx);
  await b.cleanUpInstance(ctx);
  assert.deepEqual(b.capabilities, ['ipxe_boot', 'pxe_boot']);
  assert.deepEqual(await new FakeInspect().inspect(ctx), { outcome: 'done' });
  assert.equal((new FakeInspect() as InspectInterface).abort, undefined);
  assert.equal(await new FakeRescue().rescue(ctx), 'done');
  await new FakeRescue().unrescue(ctx);
  const c = new FakeConsole();
  await c.startConsole(ctx);
  await c.stopConsole(ctx);
  assert.deepEqual(await c.getConsole(ctx), {});
  assert.equal(new FakeStorage().shouldWriteImage(ctx), true);
  assert.deepEqual(ctx.internalInfo, {});
});

test('bios: three manual clean steps as Ironic declares them', () => {
  const b = new FakeBios();
  const common = { cleanPriority: 0, abortable: false, requiresRamdisk: true };
  assert.deepEqual(b.steps, [
    { step: 'apply_configuration', ...common, argsinfo: { settings: { description: 'List of BIOS settings, each item needs to contain a dictionary with name/value pairs', required: true } } },
    { step: 'cache_bios_settings', ...common },
    { step: 'factory_reset', ...common },
  ]);
});

test('bios: apply_configuration makes the settings exactly the given ones', async () => {
  const b = new FakeBios();
  const current = [
    { name: 'keep', value: 'same', attribute_type: 'String' },
    { name: 'change', value: 'old', attribute_type: 'Enumeration' },
    { name: 'drop', value: 'x' },
  ];
  const ctx = makeTestContext({ biosSettings: current });
  const out = await b.executeStep(ctx, 'apply_configuration', {
    settings: [{ name: 'keep', value: 'same' }, { name: 'change', value: 'new' }, { name: 'add', value: 3 }, { name: 'flag', value: true }],
  });
  assert.equal(out, 'done');
  assert.equal(ctx.biosWrites.length, 1);
  const nulls = { attribute_type: null, allowable_values: null, lower_bound: null, max_length: null, min_length: null, read_only: null, reset_required: null, unique: null, upper_bound: null };
  assert.deepEqual(ctx.biosWrites[0], [
    { name: 'keep', value: 'same', attribute_type: 'String' },
    { name: 'change', value: 'new', ...nulls },
    { name: 'add', value: '3', ...nulls },
    { name: 'flag', value: 'True', ...nulls },
  ]);
});

test('bios: factory_reset deletes all, cache keeps all, bad input is refused', async () => {
  const b = new FakeBios();
  const ctx = makeTestContext({ biosSettings: [{ name: 'a', value: '1' }] });
  assert.deepEqual(await b.cacheSettings(ctx), [{ name: 'a', value: '1' }]);
  assert.deepEqual(await b.cacheSettings(makeTestContext()), []);
  assert.equal(await b.executeStep(ctx, 'cache_bios_settings', {}), 'done');
  assert.equal(ctx.biosWrites.length, 0);
  assert.equal(await b.executeStep(ctx, 'factory_reset', {}), 'done');
  assert.deepEqual(ctx.biosWrites, [[]]);
  await assert.rejects(b.executeStep(ctx, 'apply_configuration', {}), InvalidError);
  await assert.rejects(b.executeStep(ctx, 'apply_configuration', { settings: [{ value: 'x' }] }), InvalidError);
  await assert.rejects(b.executeStep(ctx, 'apply_configuration', { settings: [{ name: 'a', value: { x: 1 } }] }), InvalidError);
});

test('bios: without replaceBiosSettings the conductor gets a clear DriverError', async () => {
  const ctx = { ...makeTestContext(), replaceBiosSettings: undefined };
  await assert.rejects(new FakeBios().factoryReset(ctx), (e: unknown) => e instanceof DriverError
    && e.message === `Fake BIOS factory_reset on node ${ctx.node.uuid} cannot store BIOS settings: the conductor did not provide replaceBiosSettings.`);
});

test('raid: no steps; validate checks target_raid_config; create/delete do nothing', async () => {
  const r = new FakeRaid();
  assert.deepEqual(r.steps, []);
  await r.validate(makeTestContext());
  const bad = makeTestContext({ node: makeTestNode({ target_raid_config: { logical_disks: [] } }) });
  await assert.rejects(r.validate(bad), invalid('RAID config validation error: [] is too short'));
  await r.validateRaidConfig(makeTestContext(), { logical_disks: [{ size_gb: 100, is_root_volume: true, raid_level: '1' }] });
  assert.equal(await r.createConfiguration(makeTestContext()), 'done');
  assert.equal(await r.deleteConfiguration(makeTestContext()), 'done');
  assert.equal(Object.keys(r.logicalDiskProperties()).length, 10);
});

test('vendor: FakeVendorB methods, properties and metadata as Ironic lists them', () => {
  const v = new FakeVendor();
  assert.deepEqual(v.properties(), { B1: 'B1 description. Required.', B2: 'B2 description. Required.' });
  assert.deepEqual(v.methods(), {
    fourth_method_shared_lock: { http_methods: ['POST'], async: true, attach: false, description: 'Test if the value of bar is woof', require_exclusive_lock: false },
    second_method: { http_methods: ['POST'], async: true, attach: false, description: 'Test if the value of bar is kazoo', require_exclusive_lock: true },
    third_method_sync: { http_methods: ['POST'], async: false, attach: false, description: 'Test if the value of bar is meow', require_exclusive_lock: true },
  });
  assert.deepEqual(Object.keys(v.methods()), ['fourth_method_shared_lock', 'second_method', 'third_method_sync']);
});

test('vendor: calls, results and Ironic dispatch errors', async () => {
  const v = new FakeVendor();
  const ctx = makeTestContext();
  assert.equal(hasValidateCall(v), true);
  assert.equal(await v.call(ctx, 'third_method_sync', 'POST', { bar: 'meow' }), true);
  assert.equal(await v.call(ctx, 'second_method', 'post', { bar: 'kazoo' }), true);
  assert.equal(await v.call(ctx, 'fourth_method_shared_lock', 'POST', { bar: 'meow' }), false);
  await assert.rejects(v.call(ctx, 'first_method', 'POST', { bar: 'baz' }), invalid('No handler for method first_method'));
  await assert.rejects(v.call(ctx, 'third_method_sync', 'get', { bar: 'meow' }), invalid('The method third_method_sync does not support HTTP GET'));
  for (const body of [{}, { bar: '' }, { bar: [] }, null]) {
    await assert.rejects(v.validateCall(ctx, 'second_method', 'POST', body), invalid("Parameter 'bar' not passed to method 'second_method'."));
  }
  await v.validateCall(ctx, 'second_method', 'POST', { bar: 'x' });
});

test('vendor: FakeVendorA (unregistered) has first_method and A1/A2', async () => {
  const a = new FakeVendorA();
  assert.deepEqual(Object.keys(a.methods()), ['first_method']);
  assert.deepEqual(a.properties(), { A1: 'A1 description. Required.', A2: 'A2 description. Optional.' });
  assert.equal(await a.call(makeTestContext(), 'first_method', 'POST', { bar: 'baz' }), true);
  await assert.rejects(a.call(makeTestContext(), 'first_method', 'POST', {}), invalid("Parameter 'bar' not passed to method 'first_method'."));
});
