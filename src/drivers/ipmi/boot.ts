/**
 * Setting the boot device over IPMI (Ironic's IPMIManagement.set_boot_device), shared by
 * the management interface and by power-on's ensure_next_boot_device.
 *
 * Steps, as Ironic: refuse devices outside BOOT_DEVICE_HEXA_MAP; unless disabled
 * (driver_info ipmi_disable_boot_timeout, else [ipmi] disable_boot_timeout) send
 * `raw 0x00 0x08 0x03 0x08` (no 60 s boot flag timeout); with ipmi_force_boot_device
 * remember the device in driver_internal_info and make the BMC setting one-time; then in
 * UEFI boot mode `raw 0x00 0x08 0x05 <0xe0 persistent | 0xa0 once> <device> 0x00 0x00 0x00`
 * (Supermicro in UEFI: disk is 0x24), else `chassis bootdev <device>[ options=persistent]`.
 */
import { InvalidError } from '../../core/errors.ts';
import type { DriverContext } from '../base.ts';
import { bootModeOf } from './common.ts';
import { boolFromString, type IpmiDriverInfo } from './driver-info.ts';
import type { Ipmitool } from './ipmitool.ts';

/** Ironic's BOOT_DEVICE_HEXA_MAP (device selector byte of boot flags parameter 5). */
export const BOOT_DEVICE_HEXA_MAP: Readonly<Record<string, string>> = {
  pxe: '0x04', disk: '0x08', cdrom: '0x14', bios: '0x18', safe: '0x0c',
};

export async function setIpmiBootDevice(tool: Ipmitool, ctx: DriverContext, info: IpmiDriverInfo, device: string, persistent: boolean,
  opts: { remember?: boolean } = {}): Promise<void> {
  if (!Object.hasOwn(BOOT_DEVICE_HEXA_MAP, device)) throw new InvalidError(`Invalid boot device ${device} specified.`);
  const driverInfo = ctx.node.driver_info as Record<string, unknown>;
  const idt = driverInfo.ipmi_disable_boot_timeout ?? tool.options.disableBootTimeout;
  if (boolFromString(idt)) await tool.exec(ctx, info, 'raw 0x00 0x08 0x03 0x08');
  else ctx.logger.info({ node: ctx.node.uuid }, "driver_info['ipmi_disable_boot_timeout'] is set to False, so not sending ipmi boot-timeout-disable");

  if (boolFromString(driverInfo.ipmi_force_boot_device ?? false) && opts.remember !== false) {
    // Ironic's force_persistent_boot: Ironic deletes is_next_boot_persistent; Ingot can only null it.
    ctx.setInternalInfo(persistent ? { is_next_boot_persistent: null, persistent_boot_device: device } : { is_next_boot_persistent: false });
    persistent = false;
  }

  if (bootModeOf(ctx.node, tool.options.defaultBootMode) === 'uefi') {
    const map = { ...BOOT_DEVICE_HEXA_MAP };
    const vendor = String((ctx.node.properties as Record<string, unknown>).vendor ?? '').toLowerCase();
    if (vendor === 'supermicro') map.disk = '0x24';
    await tool.exec(ctx, info, `raw 0x00 0x08 0x05 ${persistent ? '0xe0' : '0xa0'} ${map[device]} 0x00 0x00 0x00`);
    return;
  }
  await tool.exec(ctx, info, `chassis bootdev ${device}${persistent ? ' options=persistent' : ''}`);
}

/**
 * Ironic's driver_utils.ensure_next_boot_device (before every power-on): with
 * ipmi_force_boot_device, set the remembered device again (one-time), unless the last
 * setting was meant for one boot only.
 * Deliberate difference: Ironic re-sets it through set_boot_device(persistent=False),
 * which marks is_next_boot_persistent False, so only every other power-on gets the device;
 * here the remembered device is left as it is, so every power-on gets it, as the
 * ipmi_force_boot_device description promises ("each time the server is turned on").
 */
export async function ensureNextBootDevice(tool: Ipmitool, ctx: DriverContext, info: IpmiDriverInfo): Promise<void> {
  if (!boolFromString(info.forceBootDevice)) return;
  const internal = ctx.node.driver_internal_info as Record<string, unknown>;
  if (internal.is_next_boot_persistent === false) {
    ctx.setInternalInfo({ is_next_boot_persistent: null });
    return;
  }
  const device = internal.persistent_boot_device;
  if (typeof device === 'string' && device) await setIpmiBootDevice(tool, ctx, info, device, false, { remember: false });
}
