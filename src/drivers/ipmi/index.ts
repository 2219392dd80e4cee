/**
 * The `ipmi` hardware type's implementations (Ironic's drivers/modules/ipmitool.py) on
 * Debian's `ipmitool`. They share one `Ipmitool` (options, per-BMC command queues) and
 * one `IpmiConsoles` (console processes), passed to `ipmiFactories`.
 *
 * Registered names: power/management/vendor `ipmitool`, console `ipmitool-socat` and
 * `ipmitool-shellinabox`.
 */
import type { ExtraImplementations } from '../implementations.ts';
import { IpmiConsoles, IpmiShellinaboxConsole, IpmiSocatConsole } from './console.ts';
import type { Ipmitool } from './ipmitool.ts';
import { IpmiManagement } from './management.ts';
import { IpmiPower } from './power.ts';
import { IpmiVendor } from './vendor.ts';

export { Ipmitool, DEFAULT_IPMI_OPTIONS, RETRYABLE_FAILURES, type IpmiOptions } from './ipmitool.ts';
export { IpmiConsoles, DEFAULT_CONSOLE_OPTIONS, type ConsoleOptions } from './console.ts';
export { IPMITOOL_PROPERTIES, IPMI_CONSOLE_PROPERTIES, parseIpmiDriverInfo, type IpmiDriverInfo } from './driver-info.ts';
export { parseSensorsData, type SensorsData } from './sensors.ts';
export { IpmiPower, IpmiManagement, IpmiVendor, IpmiSocatConsole, IpmiShellinaboxConsole };

/** Factories of every ipmitool implementation, sharing `tool` and `consoles`. */
export function ipmiFactories(tool: Ipmitool, consoles: IpmiConsoles = new IpmiConsoles(tool)): ExtraImplementations {
  return {
    power: { ipmitool: () => new IpmiPower(tool) },
    management: { ipmitool: () => new IpmiManagement(tool) },
    vendor: { ipmitool: () => new IpmiVendor(tool) },
    console: { 'ipmitool-socat': () => new IpmiSocatConsole(consoles), 'ipmitool-shellinabox': () => new IpmiShellinaboxConsole(consoles) },
  };
}
