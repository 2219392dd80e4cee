/**
 * `redfish-virtual-media` boot interface (Ironic's RedfishVirtualMediaBoot).
 *
 * - properties(): Ironic's REQUIRED_PROPERTIES (deploy_kernel, deploy_ramdisk, deploy_iso).
 * - validate(): the ramdisk must be known — driver_info `<mode>_iso` (mode rescue in
 *   rescue states, else deploy), or its deprecated `redfish_<mode>_iso`, or the pair
 *   `<mode>_kernel` + `<mode>_ramdisk`; without either, Ironic's "Error validating Redfish
 *   virtual media. Some parameters were missing in node's driver_info. Missing are:
 *   ['deploy_kernel', 'deploy_ramdisk']". Ramdisk deploys that need no agent (deploy mode,
 *   deploy_interface ramdisk, automated cleaning disabled on the node) skip this, as in
 *   Ironic. Then redfish driver_info.
 * - prepareRamdisk(purpose): with a prebuilt `<mode>_iso`, that ISO is inserted as is
 *   (Ironic: no configuration can reach it). With a kernel/ramdisk pair, as Ironic: a
 *   fresh agent token is stored (`agent_secret_token`, `agent_secret_token_pregenerated`)
 *   and passed on the kernel command line, the machine is powered off, and an ISO is
 *   built (shared/agent-iso.ts: `ipa-api-url` (not for inspection, as Ironic's inspector
 *   interface, unless external_callback_url), the caller's `kernelParams` (the inspection
 *   callback), `ipa-agent-token`, `BOOTIF` when a port
 *   has a VIF, `ipa-debug=1` when debugging, `boot_method=vmedia`, after
 *   `kernel_append_params` and `ir_pub_id`) and published at
 *   `<http_url>/redfish/boot-<node uuid>.iso`. Then: eject CDs, insert, boot once from cdrom.
 *   Unlike Ironic it acts in any provision state (the conductor only calls it when a
 *   ramdisk is needed).
 * - prepareInstance: eject everything and delete the node's ISO; deploy_interface
 *   ramdisk → insert instance_info.boot_iso and boot persistently from cdrom; otherwise
 *   boot persistently from disk. cleanUpRamdisk / cleanUpInstance: eject (CD, plus
 *   USB/floppy when driver_info.config_via_removable) and delete the node's ISO.
 *   Before the ISO is built the boot mode is synced with the BMC as Ironic's
 *   sync_boot_mode does (Ironic builds first), so the ISO boots in the machine's mode.
 * Not supported: config_via_removable configuration images, fast track, boot mode sync
 * and secure boot configuration at prepareInstance (the conductor's job in Ingot), and
 * building instance boot ISOs from instance_info kernel/ramdisk.
 */
import { randomBytes } from 'node:crypto';
import { InvalidError } from '../../core/errors.ts';
import type { Node } from '../../core/node.ts';
import { ProvisionState as S } from '../../core/states.ts';
import type { BootInterface, DriverContext, RamdiskParams } from '../base.ts';
import { kernelRamdiskOf, prepareAgentIso, removeAgentIso, type AgentIsoSettings } from '../shared/agent-iso.ts';
import { syncBootMode } from '../shared/boot-mode-sync.ts';
import { pyRepr } from '../shared/py-repr.ts';
import { BOOT_MODE_TO_REDFISH, REDFISH_TO_BOOT_MODE, setBootDevice } from './boot-device.ts';
import { setBootOverride } from './client/index.ts';
import type { RedfishConnectionCache, RedfishSession } from './connection.ts';
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

/** Ironic's IMAGE_SUBDIR of the redfish interfaces: ISOs go to `<http_root>/redfish/`. */
export const REDFISH_IMAGE_SUBDIR = 'redfish';

/**
 * The ramdisk for `mode`: a prebuilt ISO, or a kernel/ramdisk pair to build one from
 * (only when this conductor can build and serve ISOs: `iso` settings given).
 */
function requireRamdisk(node: Readonly<Node>, mode: Mode, canBuild: boolean): { iso: string } | { build: true } {
  const iso = isoOf(node, mode);
  if (iso) return { iso };
  const kernel = `${mode}_kernel`;
  const ramdisk = `${mode}_ramdisk`;
  if (kernelRamdiskOf(node, mode)) {
    if (canBuild) return { build: true };
    throw new InvalidError(`Node ${node.uuid} needs driver_info/${mode}_iso for the redfish-virtual-media boot interface: `
      + `this conductor has no http_root/http_url to build and serve an ISO from ${kernel}/${ramdisk}.`);
  }
  throw new InvalidError("Error validating Redfish virtual media. Some parameters were missing in node's driver_info. "
    + `Missing are: ${pyRepr([kernel, ramdisk])}`);
}

/** Ironic's get_single_nic_with_vif_port_id (noop network: the port's `extra.vif_port_id`). */
function vifPortMac(ports: readonly { address: string; extra: Record<string, unknown> | null }[]): string | null {
  return ports.find((p) => truthy(p.extra?.vif_port_id))?.address ?? null;
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

  /** `iso`: where to build and publish ISOs from kernel/ramdisk pairs; without it only prebuilt ISOs boot. */
  constructor(connections: RedfishConnectionCache, private readonly iso?: AgentIsoSettings) {
    super(connections);
  }

  override properties(): Readonly<Record<string, string>> { return { ...VMEDIA_BOOT_PROPERTIES }; }

  override async validate(ctx: DriverContext): Promise<void> {
    const mode: Mode = RESCUE_LIKE.includes(ctx.node.provision_state) ? 'rescue' : 'deploy';
    if (needsRamdisk(ctx.node, mode)) requireRamdisk(ctx.node, mode, this.iso !== undefined);
    parseRedfishDriverInfo(ctx.node);
  }

  async prepareRamdisk(ctx: DriverContext, purpose: 'deploy' | 'clean' | 'inspect' | 'rescue', rp: RamdiskParams = {}): Promise<void> {
    const mode: Mode = purpose === 'rescue' ? 'rescue' : 'deploy';
    const ramdisk = requireRamdisk(ctx.node, mode, this.iso !== undefined);
    // Ironic's ramdisk_params: the caller's first (the inspector's callback), then this interface's.
    const params: Array<[string, string | null]> = Object.entries(rp.kernelParams ?? {});
    if ('iso' in ramdisk && params.length) {
      ctx.logger.warn({ node: ctx.node.uuid, params: Object.keys(rp.kernelParams ?? {}) }, `The prebuilt ${mode}_iso is booted as is: the ${purpose} kernel parameters cannot reach it`);
    }
    if ('build' in ramdisk) {
      // As Ironic: the token is generated now and travels on the kernel command line.
      const token = randomBytes(32).toString('base64url');
      ctx.setInternalInfo({ agent_secret_token: token, agent_secret_token_pregenerated: true });
      params.push(['ipa-agent-token', token]);
    }
    await this.redfish(ctx, `Preparing the ${purpose} ramdisk over virtual media`, async (s) => {
      await powerOff(s, s.timings.powerTimeoutS);
      // Ironic syncs after building; Ingot syncs first, so that the ISO is built for the mode the machine boots in.
      const bootMode = await this.syncBootMode(s);
      let image: string;
      if ('iso' in ramdisk) {
        image = ramdisk.iso;
      } else {
        const mac = vifPortMac(await ctx.loadPorts());
        if (mac) params.push(['BOOTIF', mac]);
        if (this.iso!.debug) params.push(['ipa-debug', '1']);
        params.push(['boot_method', 'vmedia']);
        const built = await prepareAgentIso(this.iso!, { node: ctx.node, mode, subdir: REDFISH_IMAGE_SUBDIR, params, bootMode, signal: ctx.signal, apiUrl: purpose !== 'inspect' });
        ctx.logger.info({ node: ctx.node.uuid, url: built.url, bootMode: built.bootMode }, 'Built the agent ISO');
        image = built.url;
      }
      await ejectImages(s, VMEDIA_DEVICES.cd);
      await insertImage(s, image, 'CD');
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

  /** Ironic's _eject_all: eject, then delete the node's published ISO. */
  private async ejectAll(s: RedfishSession): Promise<void> {
    await ejectImages(s, [...VMEDIA_DEVICES.cd!, ...removableTypes(s.ctx.node)]);
    if (this.iso) await removeAgentIso(this.iso, REDFISH_IMAGE_SUBDIR, s.ctx.node.uuid);
  }

  /** Ironic's sync_boot_mode (drivers/shared/boot-mode-sync.ts) on the open session. */
  private async syncBootMode(s: RedfishSession): Promise<'uefi' | 'bios'> {
    const raw = s.system.boot.mode ? REDFISH_TO_BOOT_MODE[s.system.boot.mode] : undefined;
    return syncBootMode(s.ctx, this.iso?.defaultBootMode ?? 'uefi', {
      current: raw === 'uefi' || raw === 'bios' ? raw : null,
      set: async (mode) => {
        await setBootOverride(s.client, s.system, { mode: BOOT_MODE_TO_REDFISH[mode] });
        await s.refresh();
      },
    });
  }

  /** Set the boot device (refreshing the system first: earlier actions changed it). */
  private async bootFrom(s: RedfishSession, device: string, persistent: boolean): Promise<void> {
    await s.refresh();
    await setBootDevice(s, device, persistent);
  }
}
