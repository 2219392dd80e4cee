/**
 * The driver conformance suite against the `redfish` hardware type, driving machines of
 * the lab BMC (generic profile), every redfish implementation selected.
 */
import { DEFAULT_ENABLED } from '../../config/config.ts';
import { startRedfishLab } from '../../lab/redfish/index.ts';
import { makeTestContext, makeTestNode, runDriverConformance } from '../../testing/driver-conformance.ts';
import { builtinFactories } from '../implementations.ts';
import { DriverRegistry } from '../registry.ts';
import { RedfishConnectionCache } from './connection.ts';
import { FAST } from '../../testing/redfish-harness.ts';

runDriverConformance({
  name: 'redfish (lab BMC, generic profile)',
  statefulPower: true,
  makeDriver: async () => {
    const lab = await startRedfishLab({ machines: 1, port: 0, host: '127.0.0.1', taskDelayMs: 20 });
    const cache = new RedfishConnectionCache(FAST);
    const registry = new DriverRegistry(
      { enabledHardwareTypes: ['redfish'], enabledInterfaces: DEFAULT_ENABLED, defaultInterfaces: {} },
      builtinFactories({ redfishConnections: cache }),
    );
    const fields = {
      driver: 'redfish', bios_interface: 'redfish', boot_interface: 'redfish-virtual-media', console_interface: 'no-console',
      deploy_interface: 'direct', inspect_interface: 'redfish', management_interface: 'redfish', network_interface: 'noop',
      power_interface: 'redfish', raid_interface: 'redfish', rescue_interface: 'no-rescue', storage_interface: 'noop',
      vendor_interface: 'redfish',
    };
    const base = makeTestNode({
      ...fields,
      driver_info: {
        redfish_address: lab.url, redfish_system_id: `/redfish/v1/Systems/${lab.machines[0]!.id}`, redfish_username: 'admin',
        redfish_password: 'password', deploy_iso: 'http://images.test/deploy.iso', rescue_iso: 'http://images.test/rescue.iso',
      },
      // What the `direct` deploy validates: an image URL with its checksum.
      instance_info: { image_source: 'http://images.test/disk.raw', image_os_hash_algo: 'sha256', image_os_hash_value: '0'.repeat(64) },
    });
    const driver = registry.compose(fields);
    return {
      driver,
      ctx: (overrides = {}) => makeTestContext({ node: { ...base, ...overrides }, driver }),
      cleanup: async () => { await cache.close(); await lab.close(); },
    };
  },
});
