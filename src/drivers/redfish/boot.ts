/**
 * `redfish-virtual-media` boot interface (Ironic's RedfishVirtualMediaBoot), booting
 * prebuilt ISOs: Ingot does not build ISOs from kernel/ramdisk pairs.
 *
 * - properties(): Ironic's REQUIRED_PROPERTIES (deploy_kernel, deploy_ramdisk, deploy_iso).
 * - validate(): the ramdisk ISO must be known — driver_info `<mode>_iso` (mode rescue in
 *   rescue states, else deploy), or its deprecated `redfish_<mode>_iso`; without it and
 *   without a kernel/ramdisk pair, Ironic's "Error validating Redfish virtual media. Some
 *   parameters were missing in node's driver_info. Missing are: ['deploy_kernel',
 *   'deploy_ramdisk']"; with only a kernel/ramdisk pair, an error saying an ISO is needed.
 *   Ramdisk deploys that need no agent (deploy mode, deploy_interface ramdisk, automated
 *   cleaning disabled on the node) skip this, as in Ironic. Then redfish driver_info.
 * - prepareRamdisk(purpose): power off, eject CDs, insert the ISO (rescue_iso for rescue,
 *   deploy_iso otherwise), boot once from cdrom. Unlike Ironic it acts in any provision
 *   state (the conductor only calls it when a ramdisk is needed).
 * - prepareInstance: eject everything; deploy_interface ramdisk → insert
 *   instance_info.boot_iso and boot persistently from cdrom; otherwise boot persistently
 *   from disk. cleanUpRamdisk / cleanUpInstance: eject (CD, plus USB/floppy when
 *   driver_info.config_via_removable).
 * Not supported: config_via_removable configuration images, boot mode sync and secure
 * boot configuration at prepareInstance (the conductor's job in Ingot).
 */
import { InvalidError } from '../../core/errors.ts';
import type { Node } from '../../core/node.ts';
import { ProvisionState as S } from '../../core/states.ts';
import type { BootInterface, DriverContext } from '../base.ts';
import { pyRepr } from '../shared/py-repr.ts';
import { setBootDevice } from './boot-device.ts';
import type { RedfishSession } from './connection.ts';
import { RedfishBase } from './common.ts';
import { parseRedfishDriverInfo } from './driver-info.ts';
import { powerOff } from './power-ops.ts';
import { ejectImages, insertImage, VMEDIA_DEVICES } from './vmedia.ts';

export const VMEDIA_BOOT_PROPERTIES: Readonly<Record<string, string>> = {
  deploy_kernel: 'URL or Glance UUID of the deployment kernel. Required if deploy_iso is not set.',
  deploy_ramdisk: 'URL or Glance UUID of the ramdisk that is mounted at boot time. Required if deploy_iso is not set.',
  deploy_iso: 'URL or Glance UUID of the deployment ISO to use. Required if deploy_kernel/deploy_ramdisk are not set.',
};

const RESCUE_LIKE: readonly string[] = [S.RESCUING, S.RESCUEWAIT, S.RESCUEFAIL, S.RESCUE, S.UNRESCUING, S.UNRESCUEFAIL];
type Mode = 'deploy' | 'rescue';

const truthy = (v: unknown): boolean => v !== undefined && v !== null && v !== '' && v !== false;

/** driver_info `<mode>_iso`, else the deprecated `redfish_<mode>_iso`. */
function isoOf(node: Readonly<Node>, mode: Mode): string | undefined {
  const di = node.driver_info ?? {};
  for (const k of [`${mode}_iso`, `redfish_${mode}_iso`]) if (truthy(di[k])) return String(di[k]);
  return undefined;
}

/** The ramdisk ISO for `mode`, or Ironic's / Ingot's InvalidError naming what to set. */
function requireIso(node: Readonly<Node>, mode: Mode): string {
  const iso = isoOf(node, mode);
  if (iso) return iso;
  const di = node.driver_info ?? {};
  const kernel = `${mode}_kernel`;
  const ramdisk = `${mode}_ramdisk`;
  if (truthy(di[kernel]) && truthy(di[ramdisk])) {
    throw new InvalidError(`Node ${node.uuid} needs driver_info/${mode}_iso for the redfish-virtual-media boot interface: `
      + `Ingot boots prebuilt ISOs and cannot build one from ${kernel}/${ramdisk}.`);
  }
  throw new InvalidError("Error validating Redfish virtual media. Some parameters were missing in node's driver_info. "
    + `Missing are: ${pyRepr([kernel, ramdisk])}`);
}

/** Ironic's needs_agent_ramdisk (automated cleaning is taken as enabled unless the node disables it). */
function needsRamdisk(node: Readonly<Node>, mode: Mode): boolean {
  if (mode !== 'deploy' || node.deploy_interface !== 'ramdisk') return true;
  return node.automated_clean !== false;
}

function removableTypes(node: Readonly<Node>): string[] {
  const di = node.driver_info ?? {};
  return truthy(di.config_via_removable) || truthy(di.config_via_floppy) ? [...VMEDIA_DEVICES.usb!, ...VMEDIA_DEVICES.floppy!] : [];
}

export class RedfishVirtualMediaBoot extends RedfishBase implements BootInterface {
  override readonly name = 'redfish-virtual-media';

  override properties(): Readonly<Record<string, string>> { return { ...VMEDIA_BOOT_PROPERTIES }; }

  override async validate(ctx: DriverContext): Promise<void> {
    const mode: Mode = RESCUE_LIKE.includes(ctx.node.provision_state) ? 'rescue' : 'deploy';
    if (needsRamdisk(ctx.node, mode)) requireIso(ctx.node, mode);
    parseRedfishDriverInfo(ctx.node);
  }

  async prepareRamdisk(ctx: DriverContext, purpose: 'deploy' | 'clean' | 'inspect' | 'rescue'): Promise<void> {
    const iso = requireIso(ctx.node, purpose === 'rescue' ? 'rescue' : 'deploy');
    await this.redfish(ctx, `Preparing the ${purpose} ramdisk over virtual media`, async (s) => {
      await powerOff(s, s.timings.powerTimeoutS);
      await ejectImages(s, VMEDIA_DEVICES.cd);
      await insertImage(s, iso, 'CD');
      await this.bootFrom(s, 'cdrom', false);
    });
  }

  async cleanUpRamdisk(ctx: DriverContext): Promise<void> {
    await this.redfish(ctx, 'Cleaning up the ramdisk virtual media', (s) => this.ejectAll(s));
  }

  async prepareInstance(ctx: DriverContext): Promise<void> {
    const ramdisk = ctx.node.deploy_interface === 'ramdisk';
    const bootIso = ctx.node.instance_info?.boot_iso;
    if (ramdisk && !truthy(bootIso)) {
      throw new InvalidError(`Node ${ctx.node.uuid} needs instance_info/boot_iso to boot a ramdisk deploy over virtual media: `
        + 'Ingot boots prebuilt ISOs only.');
    }
    await this.redfish(ctx, 'Preparing the instance boot over virtual media', async (s) => {
      await this.ejectAll(s);
      if (!ramdisk) {
        await this.bootFrom(s, 'disk', true);
        return;
      }
      await insertImage(s, String(bootIso), 'CD');
      await this.bootFrom(s, 'cdrom', true);
    });
  }

  async cleanUpInstance(ctx: DriverContext): Promise<void> {
    await this.redfish(ctx, 'Cleaning up the instance virtual media', (s) => this.ejectAll(s));
  }

  private async ejectAll(s: RedfishSession): Promise<void> {
    await ejectImages(s, [...VMEDIA_DEVICES.cd!, ...removableTypes(s.ctx.node)]);
  }

  /** Set the boot device (refreshing the system first: earlier actions changed it). */
  private async bootFrom(s: RedfishSession, device: string, persistent: boolean): Promise<void> {
    await s.refresh();
    await setBootDevice(s, device, persistent);
  }
}
