/**
 * The conformance suite itself: skip validation, and a run against manual-management
 * (noop management, placeholders, no-* interfaces) to exercise the automatic skips.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_ENABLED } from '../config/config.ts';
import { builtinFactories } from '../drivers/implementations.ts';
import { DriverRegistry } from '../drivers/registry.ts';
import { makeTestContext, makeTestNode, runDriverConformance, type ConformanceHarness } from './driver-conformance.ts';

const never = async (): Promise<ConformanceHarness> => { throw new Error('not called'); };

test('skip entries must name a known test and give a reason', () => {
  assert.throws(() => runDriverConformance({ name: 'x', statefulPower: true, makeDriver: never, skip: { 'power: sett': 'typo' } }),
    /unknown test 'power: sett' in skip/);
  assert.throws(() => runDriverConformance({ name: 'x', statefulPower: true, makeDriver: never, skip: { 'power: reboot': ' ' } }),
    /skipping 'power: reboot' needs a reason/);
});

runDriverConformance({
  name: 'manual-management (fake power, noop management)',
  statefulPower: false,
  skip: {
    'management: set and get boot device':
      "noop management never changes the boot device: it assumes a pre-configured boot order and always reports pxe (Ironic's NoopManagement)",
  },
  makeDriver: async () => {
    const registry = new DriverRegistry(
      { enabledHardwareTypes: ['manual-management'], enabledInterfaces: DEFAULT_ENABLED, defaultInterfaces: { network: 'noop', storage: 'noop' } },
      builtinFactories(),
    );
    const fields = { driver: 'manual-management', power_interface: 'fake', management_interface: 'noop' };
    const base = makeTestNode(fields);
    const driver = registry.compose(fields);
    return {
      driver,
      ctx: (overrides = {}) => makeTestContext({ node: { ...base, ...overrides }, driver }),
      cleanup: async () => {},
    };
  },
});
