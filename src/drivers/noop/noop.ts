/**
 * The `noop` management, network and storage implementations (Ironic's
 * noop_mgmt.NoopManagement, network.noop.NoopNetwork, storage.noop.NoopStorage). They are
 * real, supported implementations that validate and do nothing.
 *
 * NoopManagement assumes the operator pre-configured the boot order (PXE first, then
 * disk): it accepts `pxe` and `disk` without touching hardware, refuses other devices with
 * Ironic's text, and always reports `{boot_device: 'pxe', persistent: true}`. It offers no
 * boot mode, secure boot, NMI or indicators (Ironic: UnsupportedDriverExtension, e.g.
 * "... does not support get_supported_indicators ...").
 */
import { InvalidError } from '../../core/errors.ts';
import type { BootDeviceInfo, DriverContext, ManagementInterface, NetworkInterface, StorageInterface } from '../base.ts';

abstract class Noop {
  readonly name = 'noop';
  properties(): Readonly<Record<string, string>> { return {}; }
  async validate(_ctx: DriverContext): Promise<void> {}
}

export class NoopManagement extends Noop implements ManagementInterface {
  async getSupportedBootDevices(_ctx: DriverContext): Promise<string[]> { return ['pxe', 'disk']; }

  async setBootDevice(ctx: DriverContext, device: string, persistent: boolean): Promise<void> {
    const supported = await this.getSupportedBootDevices(ctx);
    if (!supported.includes(device)) {
      throw new InvalidError(`Invalid boot device ${device} specified, supported are ${supported.join(', ')}.`);
    }
    ctx.logger.debug({ node: ctx.node.uuid, device, persistent },
      'Setting boot device requested with noop management; assuming the correct boot order is already configured');
  }

  async getBootDevice(_ctx: DriverContext): Promise<BootDeviceInfo> { return { boot_device: 'pxe', persistent: true }; }
}

/** Noop network: no provisioning/cleaning/tenant networks, no VIFs. */
export class NoopNetwork extends Noop implements NetworkInterface {}

/** Noop storage: no volumes; the image is always written. */
export class NoopStorage extends Noop implements StorageInterface {
  async attachVolumes(_ctx: DriverContext): Promise<void> {}
  async detachVolumes(_ctx: DriverContext): Promise<void> {}
  shouldWriteImage(_ctx: DriverContext): boolean { return true; }
}
