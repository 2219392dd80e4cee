/**
 * `ipmitool` management interface (Ironic's IPMIManagement).
 *
 * - getSupportedBootDevices: pxe, disk, cdrom, bios, safe (BOOT_DEVICE_HEXA_MAP).
 * - setBootDevice: see boot.ts (boot-timeout disable, force_boot_device, UEFI raw command
 *   or `chassis bootdev`).
 * - getBootDevice: the remembered device when ipmi_force_boot_device is on; else
 *   `chassis bootparam get 5`: the "Boot Device Selector" line (PXE, Hard-Drive with or
 *   without Safe-Mode, BIOS, CD/DVD; otherwise null) and persistent = "Options apply to all
 *   future boots".
 * - injectNmi: `power diag`. detectVendor: `mc info` "Manufacturer Name", lower-cased.
 * - getSensorsData (not part of the base contract; Ironic sends it as notifications):
 *   `sdr -v`, parsed as Ironic (sensors.ts).
 */
import { DriverError } from '../../core/errors.ts';
import type { BootDeviceInfo, DriverContext, ManagementInterface } from '../base.ts';
import { BOOT_DEVICE_HEXA_MAP, setIpmiBootDevice } from './boot.ts';
import { IpmiBase } from './common.ts';
import { boolFromString } from './driver-info.ts';
import { parseSensorsData, type SensorsData } from './sensors.ts';

export class IpmiManagement extends IpmiBase implements ManagementInterface {
  async getSupportedBootDevices(_ctx: DriverContext): Promise<string[]> {
    return Object.keys(BOOT_DEVICE_HEXA_MAP);
  }

  async setBootDevice(ctx: DriverContext, device: string, persistent: boolean): Promise<void> {
    await setIpmiBootDevice(this.tool, ctx, await this.info(ctx), device, persistent);
  }

  async getBootDevice(ctx: DriverContext): Promise<BootDeviceInfo> {
    const info = await this.info(ctx);
    const internal = ctx.node.driver_internal_info as Record<string, unknown>;
    if (boolFromString(info.forceBootDevice) && internal.persistent_boot_device && (internal.is_next_boot_persistent ?? true)) {
      return { boot_device: String(internal.persistent_boot_device), persistent: true };
    }
    const { stdout } = await this.tool.exec(ctx, info, 'chassis bootparam get 5');
    const selector = /Boot Device Selector : (.+)?\n/.exec(stdout)?.[1] ?? '';
    let device: string | null = null;
    if (selector.includes('PXE')) device = 'pxe';
    else if (selector.includes('Hard-Drive')) device = selector.includes('Safe-Mode') ? 'safe' : 'disk';
    else if (selector.includes('BIOS')) device = 'bios';
    else if (selector.includes('CD/DVD')) device = 'cdrom';
    return { boot_device: device, persistent: stdout.includes('Options apply to all future boots') };
  }

  async injectNmi(ctx: DriverContext): Promise<void> {
    await this.tool.exec(ctx, await this.info(ctx), 'power diag');
  }

  async detectVendor(ctx: DriverContext): Promise<string | null> {
    const { stdout } = await this.tool.exec(ctx, await this.info(ctx), 'mc info');
    return /Manufacturer Name *: (.+)/.exec(stdout)?.[1]?.toLowerCase() ?? null;
  }

  async getSensorsData(ctx: DriverContext): Promise<SensorsData> {
    const info = await this.info(ctx);
    let stdout: string;
    try {
      ({ stdout } = await this.tool.exec(ctx, info, 'sdr -v'));
    } catch (err) {
      throw new DriverError(`Failed to get sensor data for node ${ctx.node.uuid}. Error: ${(err as Error).message}`, { reason: 'sensor_data' });
    }
    return parseSensorsData(ctx.node.uuid, stdout);
  }
}
