/**
 * The `redfish` hardware type's implementations (Ironic's drivers/modules/redfish), built
 * on Ingot's Redfish client (./client). All of them share one `RedfishConnectionCache`
 * (client sessions and polling settings), passed to `redfishFactories`.
 *
 * Registered names: power/management/inspect/bios/raid/vendor `redfish`, boot
 * `redfish-virtual-media`.
 */
import type { ExtraImplementations } from '../implementations.ts';
import type { AgentIsoSettings } from '../shared/agent-iso.ts';
import { RedfishBios } from './bios.ts';
import { RedfishVirtualMediaBoot } from './boot.ts';
import type { RedfishConnectionCache } from './connection.ts';
import { RedfishInspect } from './inspect.ts';
import { RedfishManagement } from './management.ts';
import { RedfishPower } from './power.ts';
import { RedfishRaid } from './raid.ts';
import { RedfishVendor } from './vendor.ts';

export { RedfishConnectionCache, DEFAULT_TIMINGS } from './connection.ts';
export type { RedfishConnectionCacheOptions, RedfishSession, RedfishTimings, SharedClientOptions } from './connection.ts';
export { parseRedfishDriverInfo, REDFISH_PROPERTIES } from './driver-info.ts';
export type { RedfishDriverInfo } from './driver-info.ts';
export { toIngotError } from './errors.ts';
export { RedfishPower, RedfishManagement, RedfishInspect, RedfishBios, RedfishRaid, RedfishVirtualMediaBoot, RedfishVendor };
export { VMEDIA_BOOT_PROPERTIES, REDFISH_IMAGE_SUBDIR } from './boot.ts';
export { planRaid, RAID_LEVELS } from './raid-plan.ts';
export type { PhysicalDisk, PlannedVolume } from './raid-plan.ts';

/**
 * Factories of every redfish implementation, all sharing `connections`. `iso`: where the
 * virtual media boot builds and publishes agent ISOs (without it, only prebuilt ISOs).
 */
export function redfishFactories(connections: RedfishConnectionCache, iso?: AgentIsoSettings): ExtraImplementations {
  return {
    power: { redfish: () => new RedfishPower(connections) },
    management: { redfish: () => new RedfishManagement(connections) },
    inspect: { redfish: () => new RedfishInspect(connections) },
    bios: { redfish: () => new RedfishBios(connections) },
    raid: { redfish: () => new RedfishRaid(connections) },
    boot: { 'redfish-virtual-media': () => new RedfishVirtualMediaBoot(connections, iso) },
    vendor: { redfish: () => new RedfishVendor(connections) },
  };
}
