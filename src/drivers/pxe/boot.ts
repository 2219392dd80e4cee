/**
 * The `pxe` and `ipxe` boot interfaces (Ironic 21.4's PXEBoot / iPXEBoot with
 * PXEBaseMixin). Boot files are written under the TFTP root (`pxe`) or the HTTP root
 * (`ipxe`); a TFTP server (dnsmasq) and an HTTP server over http_root serve them.
 *
 * - validate(): the node has ports ("Node <uuid> does not have any port associated with
 *   it"); iPXE needs http_url and http_root; image_source and boot_iso exclude each other;
 *   the deploy kernel/ramdisk pair (Ironic's "Cannot validate PXE bootloader..." message);
 *   the boot mode; then the DHCP provider (dnsmasq installed, its configuration valid, its
 *   process running).
 * - prepareRamdisk(purpose): DHCP options for the node's PXE ports; the node's config
 *   `<root>/<uuid>/config` (PXELINUX for BIOS, GRUB for UEFI, an iPXE script for ipxe)
 *   linked from every port's per-MAC name (`pxelinux.cfg/01-<mac>`, `grub.cfg-01-<mac>`,
 *   `<mac>.conf`; iPXE: `pxelinux.cfg/<mac>`); boot device `pxe` once; kernel and ramdisk
 *   staged next to the config. The kernel command line carries `ipa-api-url` (not for
 *   inspection, as Ironic) and the caller's `kernelParams`.
 * - prepareInstance: ramdisk deploys get their instance kernel/ramdisk (or ISO) staged,
 *   the config switched to `boot_ramdisk` and boot device `pxe` persistently; other
 *   deploys get the network boot config removed (or, with `enable_netboot_fallback`,
 *   switched to `boot_whole_disk`) and boot device `disk` persistently (not re-set for
 *   active nodes, as Ironic does on take over).
 * - cleanUpRamdisk / cleanUpInstance: staged images, config and per-MAC links removed;
 *   cleanUpInstance also withdraws the DHCP entries (Ironic does that in the deploy
 *   interface's clean_up, right after clean_up_instance).
 * Not supported: boot from volume, anaconda, custom Jinja templates (`pxe_template`),
 * Swift temp URLs, boot mode sync and secure boot (the conductor's job in Ingot).
 */
import { lstat, mkdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { InvalidError } from '../../core/errors.ts';
import { ProvisionState as S } from '../../core/states.ts';
import type { BootInterface, DriverContext, RamdiskParams } from '../base.ts';
import { PXE_BOOT_PROPERTIES } from '../agent-stubs/properties.ts';
import {
  bootModeOf, bootOption, buildPxeOptions, configFilePath, dhcpOptions, instanceImageInfo, macConfigPaths,
  ramdiskImageInfo, rescueOrDeployMode, rootDir, kernelRamdisk, type ImageInfo,
} from './options.ts';
import { renderBootIpxe, renderGrubConfig, renderInitialGrubCfg, renderIpxeConfig, renderPxeConfig, switchBootEntry } from './render.ts';
import type { PxeSettings } from './settings.ts';
import { managementBootMode, syncBootMode } from '../shared/boot-mode-sync.ts';
import { stageImages, unstageImages } from './stage.ts';

type Purpose = 'deploy' | 'clean' | 'inspect' | 'rescue';

export class PxeBoot implements BootInterface {
  readonly name: 'pxe' | 'ipxe';
  readonly ipxe: boolean;

  constructor(name: 'pxe' | 'ipxe', private readonly s: PxeSettings) {
    this.name = name;
    this.ipxe = name === 'ipxe';
  }

  properties(): Readonly<Record<string, string>> { return { ...PXE_BOOT_PROPERTIES }; }

  async validate(ctx: DriverContext): Promise<void> {
    const node = ctx.node;
    if ((await ctx.loadPorts()).length === 0) throw new InvalidError(`Node ${node.uuid} does not have any port associated with it`);
    if (this.ipxe) {
      let url = '';
      try { url = this.s.httpUrl(); } catch { /* reported below */ }
      if (!url || !this.s.httpRoot) throw new InvalidError('iPXE boot is enabled but no HTTP URL or HTTP root was specified');
    }
    bootModeOf(node, this.s.defaultBootMode);
    if (node.instance_info?.image_source && node.instance_info?.boot_iso) {
      throw new InvalidError("An 'image_source' and 'boot_iso' parameter may not be specified at the same time");
    }
    kernelRamdisk(node, 'deploy', this.s);
    await this.s.dhcp.validate();
  }

  /** Ironic's validate_rescue. */
  async validateRescue(ctx: DriverContext): Promise<void> { kernelRamdisk(ctx.node, 'rescue', this.s); }

  /**
   * `params.kernelParams` are the caller's kernel parameters for the ramdisk (Ironic's
   * ramdisk_params: the inspector's `ipa-inspection-callback-url` and `[inspector]
   * extra_kernel_params`). `ipa-api-url` comes first for every purpose but `inspect`: Ironic's
   * deploy, clean and rescue pass build_agent_options, its inspector interface passes only its
   * own parameters (ipa-api-url only in fast track), so the agent posts to the inspector and
   * skips lookup.
   */
  async prepareRamdisk(ctx: DriverContext, purpose: Purpose, params: RamdiskParams = {}): Promise<void> {
    const node = ctx.node;
    const mode = purpose === 'rescue' ? 'rescue' : 'deploy';
    const bootMode = await syncBootMode(ctx, this.s.defaultBootMode, await managementBootMode(ctx));
    if (this.ipxe) await this.writeBootScript();
    else if (bootMode === 'uefi') await this.writeInitialGrubCfg();
    await this.s.dhcp.updateDhcpOpts(ctx, dhcpOptions(this.s, this.ipxe, bootMode, this.s.dhcp.supportsIpxeTag()));
    const info: ImageInfo = ramdiskImageInfo(node, mode, this.s, this.ipxe);
    if (node.provision_state === S.DEPLOYING) Object.assign(info, instanceImageInfo(node, this.s, this.ipxe));
    const options = buildPxeOptions(node, info, this.s, {
      ipxe: this.ipxe, mode, ramdiskParams: { ...(purpose === 'inspect' ? {} : { 'ipa-api-url': this.s.apiUrl().replace(/\/+$/, '') }), ...params.kernelParams },
    });
    await this.writeConfig(ctx, this.render(options, bootMode));
    await this.setBootDevice(ctx, 'pxe', false);
    await stageImages(info, rootDir(this.s, this.ipxe), ctx.signal);
    ctx.logger.info({ node: node.uuid, purpose, bootMode, append: options.pxe_append_params }, `${this.name}: ramdisk boot prepared`);
  }

  async cleanUpRamdisk(ctx: DriverContext): Promise<void> {
    let info: ImageInfo = {};
    try {
      info = ramdiskImageInfo(ctx.node, rescueOrDeployMode(ctx.node), this.s, this.ipxe);
    } catch (err) {
      ctx.logger.warn({ node: ctx.node.uuid, err: (err as Error).message }, 'Could not get the ramdisk image info to clean up');
    }
    await unstageImages(info);
    await this.cleanUpConfig(ctx);
  }

  async prepareInstance(ctx: DriverContext): Promise<void> {
    const node = ctx.node;
    const bootMode = await syncBootMode(ctx, this.s.defaultBootMode, await managementBootMode(ctx));
    let device: 'pxe' | 'disk';
    if (bootOption(node) === 'ramdisk') {
      const info = instanceImageInfo(node, this.s, this.ipxe);
      await stageImages(info, rootDir(this.s, this.ipxe), ctx.signal);
      await this.s.dhcp.updateDhcpOpts(ctx, dhcpOptions(this.s, this.ipxe, bootMode, this.s.dhcp.supportsIpxeTag()));
      const path = configFilePath(this.s, this.ipxe, node.uuid);
      const existing = await readFile(path, 'utf8').catch(() => null);
      const text = existing ?? this.render(buildPxeOptions(node, info, this.s, { ipxe: this.ipxe, mode: 'deploy', service: true }), bootMode);
      await this.writeConfig(ctx, switchBootEntry(text, this.flavour(bootMode), 'boot_ramdisk'));
      device = 'pxe';
    } else if (this.s.enableNetbootFallback) {
      const path = configFilePath(this.s, this.ipxe, node.uuid);
      const existing = await readFile(path, 'utf8').catch(() => null);
      const text = existing ?? this.render(buildPxeOptions(node, {}, this.s, { ipxe: this.ipxe, mode: 'deploy', service: true }), bootMode);
      const diskId = node.driver_internal_info?.root_uuid_or_disk_id;
      await this.writeConfig(ctx, switchBootEntry(text, this.flavour(bootMode), 'boot_whole_disk', diskId ? String(diskId) : undefined));
      device = 'disk';
    } else {
      await this.cleanUpConfig(ctx);
      device = 'disk';
    }
    if (node.provision_state !== S.ACTIVE) await this.setBootDevice(ctx, device, true);
  }

  async cleanUpInstance(ctx: DriverContext): Promise<void> {
    let info: ImageInfo = {};
    try {
      info = instanceImageInfo(ctx.node, this.s, this.ipxe);
    } catch (err) {
      ctx.logger.warn({ node: ctx.node.uuid, err: (err as Error).message }, 'Could not get the instance image info to clean up');
    }
    await unstageImages(info);
    await this.cleanUpConfig(ctx);
    await this.s.dhcp.cleanDhcpOpts(ctx);
  }

  private flavour(mode: 'uefi' | 'bios'): 'ipxe' | 'grub' | 'pxelinux' {
    if (this.ipxe) return 'ipxe';
    return mode === 'uefi' ? 'grub' : 'pxelinux';
  }

  private render(options: Parameters<typeof renderPxeConfig>[0], mode: 'uefi' | 'bios'): string {
    const f = this.flavour(mode);
    return f === 'ipxe' ? renderIpxeConfig(options) : f === 'grub' ? renderGrubConfig(options) : renderPxeConfig(options);
  }

  /** pxe_utils.create_pxe_config: the node's config plus a relative link per MAC name. */
  private async writeConfig(ctx: DriverContext, text: string): Promise<void> {
    const path = configFilePath(this.s, this.ipxe, ctx.node.uuid);
    await mkdir(dirname(path), { recursive: true });
    await mkdir(join(rootDir(this.s, this.ipxe), this.s.pxeConfigSubdir), { recursive: true });
    await writeFile(path, text, { mode: 0o644 });
    for (const port of await ctx.loadPorts()) {
      for (const linkPath of macConfigPaths(this.s, this.ipxe, port.address, (port.extra as Record<string, unknown> | null)?.['client-id'])) {
        await rm(linkPath, { force: true });
        await symlink(relative(dirname(linkPath), path), linkPath);
      }
    }
  }

  /** pxe_utils.clean_up_pxe_config: per-MAC links and the node's folder. */
  private async cleanUpConfig(ctx: DriverContext): Promise<void> {
    for (const port of await ctx.loadPorts()) {
      for (const linkPath of macConfigPaths(this.s, this.ipxe, port.address, (port.extra as Record<string, unknown> | null)?.['client-id'])) {
        if (await lstat(linkPath).then(() => true, () => false)) await rm(linkPath, { force: true });
      }
    }
    await rm(join(rootDir(this.s, this.ipxe), ctx.node.uuid), { recursive: true, force: true });
  }

  /** pxe_utils.create_ipxe_boot_script: `boot.ipxe` in http_root, rewritten only when it differs. */
  private async writeBootScript(): Promise<void> {
    const text = renderBootIpxe(`${this.s.pxeConfigSubdir}/`, this.s.ipxeFallbackScript);
    const path = join(this.s.httpRoot, this.s.ipxeBootScript);
    if ((await readFile(path, 'utf8').catch(() => null)) === text) return;
    await mkdir(this.s.httpRoot, { recursive: true });
    await writeFile(path, text, { mode: 0o644 });
  }

  /** pxe_utils.place_common_config: `grub/grub.cfg` in the TFTP root. */
  private async writeInitialGrubCfg(): Promise<void> {
    const path = join(this.s.tftpRoot, 'grub', 'grub.cfg');
    const text = renderInitialGrubCfg();
    if ((await readFile(path, 'utf8').catch(() => null)) === text) return;
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, text, { mode: 0o644 });
  }

  /**
   * manager_utils.node_set_boot_device through the node's management interface, with
   * driver_info `force_persistent_boot_device` (Always / Never / Default).
   */
  private async setBootDevice(ctx: DriverContext, device: 'pxe' | 'disk', persistent: boolean): Promise<void> {
    const mgmt = ctx.driver?.management;
    if (!mgmt) return;
    const force = String(ctx.node.driver_info?.force_persistent_boot_device ?? 'Default');
    const p = force === 'Always' || force === 'True' ? true : force === 'Never' || force === 'False' ? false : persistent;
    await mgmt.setBootDevice(ctx, device, p);
  }
}
