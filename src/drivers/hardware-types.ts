/**
 * Hardware types: per interface kind, the implementations each type supports, in
 * preference order (Ironic's `supported_<kind>_interfaces`; 21.4 lists).
 */
import type { HardwareType } from './base.ts';

const GENERIC = {
  bios: ['no-bios'],
  boot: ['ipxe', 'pxe'],
  console: ['no-console'],
  deploy: ['direct', 'ramdisk'],
  inspect: ['inspector', 'agent', 'no-inspect'],
  network: ['flat', 'noop'],
  raid: ['no-raid', 'agent'],
  rescue: ['no-rescue', 'agent'],
  storage: ['noop'],
  vendor: ['no-vendor'],
} as const;

export const FAKE_HARDWARE: HardwareType = {
  name: 'fake-hardware',
  anyEnabled: true,
  supported: {
    bios: ['fake', ...GENERIC.bios],
    boot: ['fake', ...GENERIC.boot],
    console: ['fake', ...GENERIC.console],
    deploy: ['fake', ...GENERIC.deploy],
    inspect: ['fake', ...GENERIC.inspect],
    management: ['fake'],
    network: [...GENERIC.network],
    power: ['fake'],
    raid: ['fake', ...GENERIC.raid],
    rescue: ['fake', ...GENERIC.rescue],
    storage: ['fake', ...GENERIC.storage],
    vendor: ['fake', ...GENERIC.vendor],
  },
};

export const MANUAL_MANAGEMENT: HardwareType = {
  name: 'manual-management',
  supported: {
    ...GENERIC,
    management: ['noop', 'fake'],
    power: ['agent', 'fake'],
  },
};

export const REDFISH: HardwareType = {
  name: 'redfish',
  supported: {
    ...GENERIC,
    bios: ['redfish', 'no-bios'],
    boot: ['ipxe', 'pxe', 'redfish-virtual-media'],
    inspect: ['redfish', 'inspector', 'agent', 'no-inspect'],
    management: ['redfish', 'noop'],
    power: ['redfish'],
    raid: ['redfish', 'no-raid', 'agent'],
    vendor: ['redfish', 'no-vendor'],
  },
};

export const IPMI: HardwareType = {
  name: 'ipmi',
  supported: {
    ...GENERIC,
    console: ['ipmitool-socat', 'ipmitool-shellinabox', 'no-console'],
    management: ['ipmitool', 'noop'],
    power: ['ipmitool'],
    vendor: ['ipmitool', 'no-vendor'],
  },
};

export const ALL_HARDWARE_TYPES: readonly HardwareType[] = [FAKE_HARDWARE, MANUAL_MANAGEMENT, REDFISH, IPMI];
