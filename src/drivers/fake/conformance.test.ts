/** The driver conformance suite against fake-hardware with every `fake` interface. */
import { DriverRegistry } from '../registry.ts';
import { builtinFactories } from '../implementations.ts';
import { DEFAULT_ENABLED } from '../../config/config.ts';
import { makeTestContext, makeTestNode, runDriverConformance } from '../../testing/driver-conformance.ts';

runDriverConformance({
  name: 'fake-hardware',
  statefulPower: false,
  makeDriver: async () => {
    const registry = new DriverRegistry(
      { enabledHardwareTypes: ['fake-hardware'], enabledInterfaces: DEFAULT_ENABLED, defaultInterfaces: {} },
      builtinFactories(),
    );
    const fields = {
      driver: 'fake-hardware', bios_interface: 'fake', boot_interface: 'fake', console_interface: 'fake',
      deploy_interface: 'fake', inspect_interface: 'fake', management_interface: 'fake', network_interface: 'noop',
      power_interface: 'fake', raid_interface: 'fake', rescue_interface: 'fake', storage_interface: 'fake',
      vendor_interface: 'fake',
    };
    const base = makeTestNode(fields);
    return {
      driver: registry.compose(fields),
      ctx: (overrides = {}) => makeTestContext({ node: { ...base, ...overrides } }),
      cleanup: async () => {},
    };
  },
});
