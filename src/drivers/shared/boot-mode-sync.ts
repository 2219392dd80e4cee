/**
 * Ironic's boot_mode_utils.sync_boot_mode, the decision in one place: the requested boot
 * mode goes to the BMC; with none requested, the BMC's mode is adopted
 * (driver_internal_info.deploy_boot_mode), or the default (`[deploy] default_boot_mode`) is
 * set on both. A BMC that reports another mode and refuses the requested one is an error
 * (the machine would not boot what is prepared for that mode); a BMC that does not say, or
 * cannot be told, is trusted to boot in the requested mode. Returns the mode to prepare for.
 *
 * How the BMC is read and set is the caller's: `pxe`/`ipxe` go through the node's management
 * interface (`managementBootMode`), redfish-virtual-media through its open Redfish session.
 */
import { DriverError, messageOf } from '../../core/errors.ts';
import type { DriverContext } from '../base.ts';
import { requestedBootMode } from './agent-iso.ts';

export type BootMode = 'uefi' | 'bios';

export interface BmcBootMode {
  /** The mode the BMC reports, or null when it does not say. */
  current: BootMode | null;
  /** Sets the BMC's mode; absent when the BMC cannot be told. */
  set?: (mode: BootMode) => Promise<void>;
}

export async function syncBootMode(ctx: DriverContext, dflt: BootMode, bmc: BmcBootMode): Promise<BootMode> {
  const node = ctx.node;
  const requested = requestedBootMode(node);
  const { current } = bmc;
  if (!requested && current) {
    ctx.setInternalInfo({ deploy_boot_mode: current });
    return current;
  }
  const want = requested ?? dflt;
  if (!requested) ctx.setInternalInfo({ deploy_boot_mode: want });
  if (current === want || !bmc.set) return want;
  try {
    await bmc.set(want);
  } catch (err) {
    if (current !== null) {
      throw new DriverError(`Boot mode ${current} currently configured on node ${node.uuid} does not match the boot mode ${want} `
        + `requested for provisioning, and setting it failed: ${messageOf(err)}`, { reason: 'boot_mode' });
    }
    ctx.logger.warn({ node: node.uuid, mode: want, err: messageOf(err) }, 'Boot mode not set on the BMC; assuming it boots in that mode');
  }
  return want;
}

/**
 * The BMC's boot mode through the node's management interface (ipmitool, fake and noop
 * offer none: then nothing is read or set). A failed read is logged and counts as unknown.
 */
export async function managementBootMode(ctx: DriverContext): Promise<BmcBootMode> {
  const mgmt = ctx.driver?.management;
  let current: BootMode | null = null;
  if (mgmt?.getBootMode) {
    try {
      const raw = await mgmt.getBootMode(ctx);
      current = raw === 'uefi' || raw === 'bios' ? raw : null;
    } catch (err) {
      ctx.logger.warn({ node: ctx.node.uuid, err: messageOf(err) }, 'Could not read the boot mode from the BMC');
    }
  }
  return { current, ...(mgmt?.setBootMode ? { set: (mode: BootMode) => mgmt.setBootMode!(ctx, mode) } : {}) };
}
