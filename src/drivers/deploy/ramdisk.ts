/**
 * `ramdisk` deploy (Ironic's RamdiskDeploy): the instance IS a ramdisk or ISO the node
 * boots from; nothing is written to disk. Deploy = power off, let the boot interface
 * prepare the instance boot (e.g. insert `instance_info.boot_iso` as virtual media and
 * set boot once from CD), power on.
 *
 * It orchestrates the node's own boot and power interfaces through `ctx.driver`.
 */
import type { DeployInterface, DriverContext, StepDef, StepOutcome, ComposedDriver } from '../base.ts';
import { DriverError, InvalidError } from '../../core/errors.ts';
import { PowerState } from '../../core/states.ts';
import type { Json } from '../../core/node.ts';

/** Boot interfaces that can boot an instance ramdisk/ISO (Ironic's `ramdisk_boot` capability). */
export const RAMDISK_BOOT_CAPABLE = new Set(['redfish-virtual-media', 'ipxe', 'pxe', 'fake']);

function siblings(ctx: DriverContext): ComposedDriver {
  if (!ctx.driver) throw new DriverError(`Node ${ctx.node.uuid}: the ramdisk deploy interface needs the node's boot and power interfaces; the conductor did not provide them.`);
  return ctx.driver;
}

export class RamdiskDeploy implements DeployInterface {
  readonly name = 'ramdisk';
  readonly steps: readonly StepDef[] = [{ step: 'deploy', deployPriority: 100 }];

  properties(): Readonly<Record<string, string>> { return {}; }

  async validate(ctx: DriverContext): Promise<void> {
    const d = siblings(ctx);
    if (!RAMDISK_BOOT_CAPABLE.has(d.boot.name)) {
      throw new InvalidError(`Invalid configuration: The boot interface must have the \`ramdisk_boot\` capability. You are using an incompatible boot interface (${d.boot.name}).`);
    }
    await d.boot.validate(ctx);
  }

  async executeStep(ctx: DriverContext, step: string, _args: Json): Promise<StepOutcome> {
    if (step !== 'deploy') throw new DriverError(`Deploy interface ramdisk has no step ${step}.`);
    return this.deploy(ctx);
  }

  async deploy(ctx: DriverContext): Promise<StepOutcome> {
    const d = siblings(ctx);
    const ii = ctx.node.instance_info;
    if (!ii.boot_iso && !(ii.kernel && ii.ramdisk)) {
      throw new DriverError(`Node ${ctx.node.uuid}: the ramdisk deploy needs instance_info.boot_iso (or kernel and ramdisk) to boot; set it with "baremetal node set --instance-info boot_iso=<url>".`);
    }
    await d.power.setPowerState(ctx, PowerState.OFF);
    await d.boot.prepareInstance(ctx);
    await d.power.setPowerState(ctx, PowerState.ON);
    return 'done';
  }

  async tearDown(ctx: DriverContext): Promise<void> {
    const d = siblings(ctx);
    await d.power.setPowerState(ctx, PowerState.OFF);
    await d.boot.cleanUpInstance(ctx);
  }

  async prepare(_ctx: DriverContext): Promise<void> { /* nothing to stage: the image is booted from its URL */ }
  async cleanUp(_ctx: DriverContext): Promise<void> { /* nothing staged */ }
  async takeOver(ctx: DriverContext): Promise<void> {
    // Adoption of a ramdisk instance: make sure the next boot comes from it again.
    await siblings(ctx).boot.prepareInstance(ctx);
  }
}
