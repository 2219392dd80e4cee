/**
 * Ironic's boot_mode_utils.sync_boot_mode for boot interfaces that reach the BMC only through
 * the node's management interface (`pxe`, `ipxe`): the requested boot mode goes to the BMC;
 * with none requested, the BMC's mode is adopted (driver_internal_info.deploy_boot_mode), or
 * `[deploy] default_boot_mode` is set on both. A BMC that reports another mode and refuses
 * the requested one is an error (the machine would not boot the files written for that
 * mode); a management interface without boot modes (ipmitool, fake, noop) or a BMC that does
 * not say is trusted to boot in the requested mode. Returns the mode to write boot files for.
 * (redfish-virtual-media has its own, on its open Redfish session: drivers/redfish/boot.ts.)
 */
import { DriverError } from '../../core/errors.ts';
import type { DriverContext } from '../base.ts';
import { requestedBootMode } from './agent-iso.ts';

const messageOf = (err: unknown): string => (err instanceof Error ? err.message : String(err));

export async function syncBootMode(ctx: DriverContext, dflt: 'uefi' | 'bios'): Promise<'uefi' | 'bios'> {
  const node = ctx.node;
  const mgmt = ctx.driver?.management;
  const requested = requestedBootMode(node);
  let current: 'uefi' | 'bios' | null = null;
  if (mgmt?.getBootMode) {
    try {
      const raw = await mgmt.getBootMode(ctx);
      current = raw === 'uefi' || raw === 'bios' ? raw : null;
    } catch (err) {
      ctx.logger.warn({ node: node.uuid, err: messageOf(err) }, 'Could not read the boot mode from the BMC');
    }
  }
  if (!requested && current) {
    ctx.setInternalInfo({ deploy_boot_mode: current });
    return current;
  }
  const want = requested ?? dflt;
  if (!requested) ctx.setInternalInfo({ deploy_boot_mode: want });
  if (current === want || !mgmt?.setBootMode) return want;
  try {
    await mgmt.setBootMode(ctx, want);
  } catch (err) {
    if (current !== null) {
      throw new DriverError(`Boot mode ${current} currently configured on node ${node.uuid} does not match the boot mode ${want} `
        + `requested for provisioning, and setting it failed: ${messageOf(err)}`, { reason: 'boot_mode' });
    }
    ctx.logger.warn({ node: node.uuid, mode: want, err: messageOf(err) }, 'Boot mode not set on the BMC; assuming it boots in that mode');
  }
  return want;
}
