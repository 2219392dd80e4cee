/**
 * The driver conformance suite against the `ipmi` hardware type: ipmitool against a lab
 * machine's pyghmi IPMI BMC (the same machine its Redfish BMC serves).
 */
import { DEFAULT_ENABLED } from '../../config/config.ts';
import { makeTestContext, runDriverConformance } from '../../testing/driver-conformance.ts';
import { IPMI_NODE_FIELDS, ipmiTestLab } from '../../testing/ipmi-harness.ts';
import { builtinFactories } from '../implementations.ts';
import { DriverRegistry } from '../registry.ts';

runDriverConformance({
  name: 'ipmi (lab pyghmi BMC, ipmitool)',
  statefulPower: true,
  makeDriver: async () => {
    const cleanups: (() => unknown)[] = [];
    const env = await ipmiTestLab({ after: (fn) => cleanups.push(fn) }, { machines: 1 });
    const registry = new DriverRegistry(
      { enabledHardwareTypes: ['ipmi'], enabledInterfaces: DEFAULT_ENABLED, defaultInterfaces: {} },
      builtinFactories({ ipmitool: env.tool }),
    );
    const base = env.node(0).node;
    const driver = registry.compose(IPMI_NODE_FIELDS as Parameters<DriverRegistry['compose']>[0]);
    return {
      driver,
      ctx: (overrides = {}) => makeTestContext({ node: { ...base, ...overrides }, driver }),
      cleanup: async () => { for (const fn of cleanups) await fn(); },
    };
  },
});
