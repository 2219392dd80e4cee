import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InvalidError } from '../core/errors.ts';
import { INTERFACE_KINDS } from '../core/node.ts';
import { DEFAULT_ENABLED } from '../config/config.ts';
import { builtinFactories, withImplementations } from './implementations.ts';
import { DriverRegistry } from './registry.ts';
import { FakePower } from './fake/index.ts';

const EXPECTED: Record<string, string[]> = {
  bios: ['fake', 'no-bios', 'redfish'], boot: ['fake', 'ipxe', 'pxe', 'redfish-virtual-media'], console: ['fake', 'no-console', 'ipmitool-socat', 'ipmitool-shellinabox'],
  deploy: ['fake', 'direct', 'ramdisk'], inspect: ['fake', 'no-inspect', 'agent', 'redfish'], management: ['fake', 'noop', 'redfish', 'ipmitool'],
  network: ['noop', 'flat'], power: ['fake', 'agent', 'redfish', 'ipmitool'], raid: ['fake', 'no-raid', 'agent', 'redfish'],
  rescue: ['fake', 'no-rescue', 'agent'], storage: ['fake', 'noop'], vendor: ['fake', 'no-vendor', 'redfish', 'ipmitool'],
};

test('builtinFactories maps every kind/name to an implementation of that name', () => {
  const f = builtinFactories();
  for (const kind of INTERFACE_KINDS) {
    assert.deepEqual(Object.keys(f[kind]).sort(), [...EXPECTED[kind]!].sort(), kind);
    for (const [name, make] of Object.entries(f[kind])) assert.equal(make().name, name, `${kind}/${name}`);
  }
});

test('builtinFactories parses fake delays up front', () => {
  assert.throws(() => builtinFactories({ fakeDelays: { power: 'soon' } }),
    (e: unknown) => e instanceof InvalidError && e.message.startsWith('Invalid [fake] power_delay "soon"'));
  builtinFactories({ fakeDelays: { power: '1,3', deploy: '2' } });
});

test('withImplementations adds without mutating, refuses duplicates', () => {
  const base = builtinFactories();
  const merged = withImplementations(base, { power: { other: () => new FakePower() } });
  assert.ok('other' in merged.power);
  assert.ok(!('other' in base.power));
  assert.deepEqual(Object.keys(merged.raid), Object.keys(base.raid));
  assert.throws(() => withImplementations(base, { power: { fake: () => new FakePower() } }),
    (e: unknown) => e instanceof InvalidError && e.message === "A power implementation named 'fake' is already registered.");
});

test('the registry composes default fake-hardware and manual-management drivers', () => {
  const registry = new DriverRegistry(
    { enabledHardwareTypes: ['fake-hardware', 'manual-management'], enabledInterfaces: DEFAULT_ENABLED, defaultInterfaces: { network: 'noop', storage: 'noop' } },
    builtinFactories(),
  );
  const fake = registry.compose({ driver: 'fake-hardware' });
  assert.equal(fake.power.name, 'fake');
  assert.equal(fake.vendor.name, 'fake');
  const mm = registry.compose({ driver: 'manual-management' });
  assert.equal(mm.management.name, 'noop');
  assert.equal(mm.boot.name, 'ipxe');
  assert.equal(mm.bios.supported, false);
});
