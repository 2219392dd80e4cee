/**
 * `ipmitool` power, management and vendor: PLACEHOLDERS. Ironic 21.4's configuration
 * enables the `ipmi` hardware type; Ingot lists it and reports Ironic's driver_info
 * properties, but does not drive IPMI BMCs yet, so validate() says so and names the
 * alternative (the `redfish` hardware type, or fake-hardware).
 */
import type { DriverContext, ManagementInterface, PowerInterface, VendorInterface, BootDeviceInfo, VendorMethod } from '../base.ts';
import { Placeholder, type PlaceholderSpec } from './common.ts';

const PRIV = 'ADMINISTRATOR, CALLBACK, OPERATOR, USER';
/** Ironic's ipmitool COMMON_PROPERTIES (texts verbatim facts of the driver_info contract). */
export const IPMITOOL_PROPERTIES: Readonly<Record<string, string>> = {
  ipmi_address: 'IP address or hostname of the node. Required.',
  ipmi_password: 'password. Optional.',
  ipmi_hex_kg_key: 'Kg key for IPMIv2 authentication. The key is expected in hexadecimal format. Optional.',
  ipmi_port: 'remote IPMI RMCP port. Optional.',
  ipmi_priv_level: `privilege level; default is ADMINISTRATOR. One of ${PRIV}. Optional.`,
  ipmi_username: 'username; default is NULL user. Optional.',
  ipmi_bridging: 'bridging_type; default is "no". One of "single", "dual", "no". Optional.',
  ipmi_transit_channel: 'transit channel for bridged request. Required only if ipmi_bridging is set to "dual".',
  ipmi_transit_address: 'transit address for bridged request. Required only if ipmi_bridging is set to "dual".',
  ipmi_target_channel: 'destination channel for bridged request. Required only if ipmi_bridging is set to "single" or "dual".',
  ipmi_target_address: 'destination address for bridged request. Required only if ipmi_bridging is set to "single" or "dual".',
  ipmi_local_address: 'local IPMB address for bridged requests. Used only if ipmi_bridging is set to "single" or "dual". Optional.',
  ipmi_protocol_version: 'the version of the IPMI protocol; default is "2.0". One of "1.5", "2.0". Optional.',
  ipmi_force_boot_device: 'Whether Ironic should specify the boot device to the BMC each time the server is turned on, eg. because the BMC is not capable of remembering the selected boot device across power cycles; default value is False. Optional.',
  ipmi_disable_boot_timeout: 'By default ironic will send a raw IPMI command to disable the 60 second timeout for booting. Setting this option to False will NOT send that command on this node. The [ipmi]disable_boot_timeout will be used if this option is not set. Optional.',
  ipmi_cipher_suite: 'The number of a cipher suite to use. Only 3 (AES-128 with SHA1) or 17 (AES-128 with SHA256) should ever be used; 17 is preferred. The default value depends on the ipmitool version, some recent versions have switched from 3 to 17.',
};

const spec = (kind: PlaceholderSpec['kind']): PlaceholderSpec => ({
  kind, name: 'ipmitool', alternatives: kind === 'vendor' ? ['no-vendor'] : ['redfish (hardware type redfish)', 'fake (hardware type fake-hardware)'],
  requires: 'an IPMI (ipmitool) driver, not yet part of Ingot', properties: IPMITOOL_PROPERTIES,
});

export class IpmitoolPowerPlaceholder extends Placeholder implements PowerInterface {
  constructor() { super(spec('power')); }
  async getPowerState(ctx: DriverContext): Promise<string> { throw this.fail(ctx); }
  async setPowerState(ctx: DriverContext): Promise<void> { throw this.fail(ctx); }
  async reboot(ctx: DriverContext): Promise<void> { throw this.fail(ctx); }
  async getSupportedPowerStates(ctx: DriverContext): Promise<string[]> { throw this.fail(ctx); }
}

export class IpmitoolManagementPlaceholder extends Placeholder implements ManagementInterface {
  constructor() { super(spec('management')); }
  async getSupportedBootDevices(ctx: DriverContext): Promise<string[]> { throw this.fail(ctx); }
  async setBootDevice(ctx: DriverContext): Promise<void> { throw this.fail(ctx); }
  async getBootDevice(ctx: DriverContext): Promise<BootDeviceInfo> { throw this.fail(ctx); }
}

export class IpmitoolVendorPlaceholder extends Placeholder implements VendorInterface {
  constructor() { super(spec('vendor')); }
  methods(): Readonly<Record<string, VendorMethod>> { return {}; }
  async call(ctx: DriverContext): Promise<unknown> { throw this.fail(ctx); }
}
