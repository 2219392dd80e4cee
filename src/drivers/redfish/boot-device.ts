/**
 * Boot device and boot mode vocabulary (Ironic's redfish management maps) and setting the
 * boot override, shared by management, power (restoring a one-time boot device) and the
 * virtual media boot interface.
 *
 * Rules (Ironic's _set_boot_device):
 * - BootSourceOverrideEnabled is only sent when it differs from the current value (some
 *   BMCs fail otherwise), except for Supermicro (properties.vendor) which needs it always;
 * - a persistent (Continuous) request the BMC rejects falls back to a one-time (Once)
 *   override, and the device is remembered in driver_internal_info.redfish_boot_device so
 *   that the power interface re-applies it before every power on / reboot.
 */
import { InvalidError } from '../../core/errors.ts';
import { RedfishClientError, setBootOverride } from './client/index.ts';
import type { RedfishSession } from './connection.ts';

/** Ironic boot device → Redfish BootSourceOverrideTarget. */
export const BOOT_DEVICE_TO_REDFISH: Readonly<Record<string, string>> = {
  pxe: 'Pxe', disk: 'Hdd', cdrom: 'Cd', bios: 'BiosSetup',
};
/** Redfish BootSourceOverrideTarget → Ironic boot device (others read back as null). */
export const REDFISH_TO_BOOT_DEVICE: Readonly<Record<string, string>> = Object.fromEntries(
  Object.entries(BOOT_DEVICE_TO_REDFISH).map(([k, v]) => [v, k]));
/** Older Ironic stored Redfish names in redfish_boot_device; accepted when restoring. */
const COMPAT_DEVICE: Readonly<Record<string, string>> = { ...BOOT_DEVICE_TO_REDFISH, hdd: 'Hdd', cd: 'Cd', 'bios setup': 'BiosSetup' };

export const BOOT_MODE_TO_REDFISH: Readonly<Record<string, string>> = { uefi: 'UEFI', bios: 'Legacy' };
export const REDFISH_TO_BOOT_MODE: Readonly<Record<string, string>> = { UEFI: 'uefi', Legacy: 'bios' };

/** Ironic boot devices this system can boot from (per BootSourceOverrideTarget AllowableValues, when given). */
export function supportedBootDevices(s: RedfishSession): string[] {
  const allowed = s.system.boot.allowedTargets?.map((t) => t.toLowerCase());
  return Object.entries(BOOT_DEVICE_TO_REDFISH)
    .filter(([, target]) => allowed === undefined || allowed.includes(target.toLowerCase()))
    .map(([device]) => device);
}

/** Throws Ironic-style InvalidError when `device` is unknown or not offered by this BMC. */
export function checkBootDevice(s: RedfishSession, device: string): string {
  if (!supportedBootDevices(s).includes(device)) throw new InvalidError(`Invalid boot device ${device} specified.`);
  return BOOT_DEVICE_TO_REDFISH[device]!;
}

function isSupermicro(s: RedfishSession): boolean {
  const vendor = s.ctx.node.properties?.vendor;
  return typeof vendor === 'string' && vendor.toLowerCase() === 'supermicro';
}

/**
 * Set the boot override to the Redfish `target`, once or persistently, with Ironic's
 * persistent → one-time fallback. Returns the device name remembered for restoring
 * (non-null only when the fallback was used).
 */
export async function applyBootTarget(s: RedfishSession, target: string, persistent: boolean): Promise<string | null> {
  const desired = persistent ? 'Continuous' : 'Once';
  const enabled = isSupermicro(s) || s.system.boot.enabled !== desired ? desired : undefined;
  try {
    await setBootOverride(s.client, s.system, { target, enabled });
    return null;
  } catch (err) {
    if (enabled !== 'Continuous' || !(err instanceof RedfishClientError)) throw err;
    s.ctx.logger.warn({ node: s.ctx.node.uuid, target, err: err.message },
      'BMC refused a persistent boot device; using a one-time boot device restored on every power on');
    await setBootOverride(s.client, s.system, { target, enabled: 'Once' });
    return REDFISH_TO_BOOT_DEVICE[target] ?? target;
  }
}

/**
 * Set an Ironic boot device (validated) and record/clear the restore marker in
 * driver_internal_info.redfish_boot_device (null = nothing to restore).
 */
export async function setBootDevice(s: RedfishSession, device: string, persistent: boolean): Promise<void> {
  const target = checkBootDevice(s, device);
  s.ctx.setInternalInfo({ redfish_boot_device: null });
  const remembered = await applyBootTarget(s, target, persistent);
  if (remembered) s.ctx.setInternalInfo({ redfish_boot_device: remembered });
}

/**
 * Ironic's restore_boot_device: re-apply a one-time boot device that stands in for a
 * persistent one. Failures are logged, never raised (the pre-configured boot order is used).
 */
export async function restoreBootDevice(s: RedfishSession): Promise<void> {
  const device = s.ctx.node.driver_internal_info?.redfish_boot_device;
  if (typeof device !== 'string' || device === '') return;
  const target = COMPAT_DEVICE[device.toLowerCase()];
  if (!target) {
    s.ctx.logger.error({ node: s.ctx.node.uuid, device }, 'unexpected redfish_boot_device; not restored');
    return;
  }
  try {
    await s.refresh();
    await applyBootTarget(s, target, false);
  } catch (err) {
    s.ctx.logger.warn({ node: s.ctx.node.uuid, device, err: (err as Error).message },
      'Unable to recover the boot device; relying on the pre-configured boot order');
  }
}
