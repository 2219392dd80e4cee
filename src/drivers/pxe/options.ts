/**
 * What goes into a node's network boot files and DHCP answers, computed as Ironic 21.4's
 * pxe_utils / deploy_utils / boot_mode_utils do:
 *
 * - boot mode (get_boot_mode): `uefi` when secure boot is requested; else
 *   instance_info capabilities `boot_mode`, instance_info `deploy_boot_mode`, the
 *   `boot_mode` capability of properties, driver_internal_info `deploy_boot_mode`; else
 *   `[deploy] default_boot_mode`. A mode that contradicts the capability is an error.
 * - images (get_image_info / get_instance_image_info): `<mode>_kernel`/`<mode>_ramdisk`
 *   from driver_info, else both from `[conductor]`, staged as `<root>/<uuid>/<label>`;
 *   ramdisk deploys add instance_info `kernel`/`ramdisk` (or `boot_iso`).
 * - options (build_pxe_config_options): TFTP-relative paths for PXE, `<http_url>/<uuid>/<label>`
 *   for iPXE; `pxe_append_params` = kernel_append_params (instance_info, driver_info with
 *   `%default%`, option) + ` ipa-debug=1` when debugging + the ramdisk parameters as `k=v`.
 * - DHCP (dhcp_options_for_instance, IPv4): boot file 67, path prefix 210 (PXE), TFTP
 *   server 66/150/255; iPXE splits 67 by the `ipxe` tag into the iPXE binary and the
 *   `boot.ipxe` URL.
 */
import { join, relative } from 'node:path';
import { InvalidError } from '../../core/errors.ts';
import type { Json, Node } from '../../core/node.ts';
import { ProvisionState as S } from '../../core/states.ts';
import { pyRepr } from '../shared/py-repr.ts';
import type { DhcpOption } from '../dhcp/provider.ts';
import type { PxeOptions } from './render.ts';
import type { PxeSettings } from './settings.ts';

export type BootMode = 'uefi' | 'bios';
export type RamdiskMode = 'deploy' | 'rescue';
type NodeLike = Readonly<Pick<Node, 'uuid' | 'driver_info' | 'instance_info' | 'properties' | 'driver_internal_info' | 'deploy_interface' | 'provision_state' | 'automated_clean'>>;

/** label → [source href, absolute destination]. */
export type ImageInfo = Record<string, [string, string]>;

const RESCUE_LIKE: readonly string[] = [S.RESCUING, S.RESCUEWAIT, S.RESCUEFAIL, S.RESCUE, S.UNRESCUING, S.UNRESCUEFAIL];

/** deploy_utils.rescue_or_deploy_mode. */
export function rescueOrDeployMode(node: NodeLike): RamdiskMode {
  return RESCUE_LIKE.includes(node.provision_state) ? 'rescue' : 'deploy';
}

/** A capability of a `capabilities` value ("k1:v1,k2:v2" or an object). */
export function capabilityOf(holder: unknown, name: string): string | undefined {
  const caps = (holder as Record<string, unknown> | null | undefined)?.capabilities;
  if (typeof caps === 'string') {
    for (const part of caps.split(',')) {
      const i = part.indexOf(':');
      if (i > 0 && part.slice(0, i).trim() === name) return part.slice(i + 1).trim();
    }
  } else if (caps && typeof caps === 'object') {
    const v = (caps as Record<string, unknown>)[name];
    if (v !== undefined && v !== null) return String(v);
  }
  return undefined;
}

/** boot_mode_utils.get_boot_mode. */
export function bootModeOf(node: NodeLike, dflt: BootMode): BootMode {
  const secure = capabilityOf(node.instance_info, 'secure_boot') ?? capabilityOf(node.properties, 'secure_boot');
  if (String(secure ?? '').toLowerCase() === 'true') return 'uefi';
  const cap = capabilityOf(node.properties, 'boot_mode')?.toLowerCase();
  const chosen = (capabilityOf(node.instance_info, 'boot_mode') ?? (node.instance_info?.deploy_boot_mode as string | undefined)
    ?? cap ?? (node.driver_internal_info?.deploy_boot_mode as string | undefined))?.toLowerCase();
  if (!chosen) return dflt;
  if (cap && cap !== chosen) {
    throw new InvalidError(`Node ${node.uuid} boot mode ${chosen} violates node properties/capabilities ${cap}`);
  }
  if (chosen !== 'uefi' && chosen !== 'bios') {
    throw new InvalidError(`Invalid boot_mode parameter '${chosen}' for node ${node.uuid}. Valid values are: bios, uefi.`);
  }
  return chosen;
}

/** deploy_utils.get_boot_option: `ramdisk` for the ramdisk deploy, else `local` (no anaconda in Ingot). */
export function bootOption(node: NodeLike): 'ramdisk' | 'local' {
  return node.deploy_interface === 'ramdisk' ? 'ramdisk' : 'local';
}

/** deploy_utils.needs_agent_ramdisk. */
export function needsAgentRamdisk(node: NodeLike, mode: RamdiskMode, automatedClean: boolean): boolean {
  if (mode !== 'deploy' || bootOption(node) !== 'ramdisk') return true;
  return node.automated_clean === null || node.automated_clean === undefined ? automatedClean : node.automated_clean;
}

/** pxe_utils.parse_driver_info: the kernel/ramdisk pair, or Ironic's MissingParameterValue (as Invalid). */
export function kernelRamdisk(node: NodeLike, mode: RamdiskMode, s: PxeSettings): Record<string, string> {
  if (!needsAgentRamdisk(node, mode, s.automatedClean)) return {};
  const labels = [`${mode}_kernel`, `${mode}_ramdisk`] as const;
  const di = node.driver_info ?? {};
  let info: Record<string, unknown> = Object.fromEntries(labels.map((k) => [k, di[k]]));
  if (!labels.some((k) => info[k])) {
    const conf = s.conductorImages as Record<string, string | undefined>;
    info = Object.fromEntries(labels.map((k) => [k, conf[k]]));
  }
  const missing = labels.filter((k) => !info[k]);
  if (missing.length > 0) {
    throw new InvalidError("Cannot validate PXE bootloader. Some parameters were missing in node's driver_info "
      + `and configuration. Missing are: ${pyRepr(missing)}`);
  }
  return Object.fromEntries(labels.map((k) => [k, String(info[k])]));
}

/** Where a node's files live: TFTP root for PXE, HTTP root for iPXE. */
export const rootDir = (s: PxeSettings, ipxe: boolean): string => (ipxe ? s.httpRoot : s.tftpRoot);

/** pxe_utils.get_image_info. */
export function ramdiskImageInfo(node: NodeLike, mode: RamdiskMode, s: PxeSettings, ipxe: boolean): ImageInfo {
  const out: ImageInfo = {};
  for (const [label, href] of Object.entries(kernelRamdisk(node, mode, s))) out[label] = [href, join(rootDir(s, ipxe), node.uuid, label)];
  return out;
}

/** pxe_utils.get_instance_image_info (Ingot has no image service: kernel/ramdisk come from instance_info). */
export function instanceImageInfo(node: NodeLike, s: PxeSettings, ipxe: boolean): ImageInfo {
  if (node.driver_internal_info?.is_whole_disk_image || bootOption(node) === 'local') return {};
  const ii = node.instance_info ?? {};
  const dir = join(rootDir(s, ipxe), node.uuid);
  if (ii.boot_iso) return { boot_iso: [String(ii.boot_iso), join(dir, 'boot_iso')] };
  if (!ii.kernel || !ii.ramdisk) {
    throw new InvalidError(`Node ${node.uuid} needs instance_info kernel and ramdisk (or boot_iso) to boot a ramdisk instance over the network: `
      + 'Ingot has no image service to read them from the image.');
  }
  return { kernel: [String(ii.kernel), join(dir, 'kernel')], ramdisk: [String(ii.ramdisk), join(dir, 'ramdisk')] };
}

/** driver_utils.get_kernel_append_params. */
export function kernelAppendParams(node: NodeLike, dflt: string): string {
  for (const where of [node.instance_info, node.driver_info]) {
    const v = (where as Record<string, Json> | undefined)?.kernel_append_params;
    if (v !== undefined && v !== null) return String(v).replaceAll('%default%', dflt || '');
  }
  return dflt;
}

/**
 * pxe_utils.build_pxe_config_options. `service` leaves out the ramdisk paths (instance
 * configs of ramdisk deploys); `ramdiskParams` become `k=v` (or `k` when null).
 */
export function buildPxeOptions(node: NodeLike, info: ImageInfo, s: PxeSettings, opts: {
  ipxe: boolean; mode: RamdiskMode; service?: boolean; ramdiskParams?: Record<string, string | null>;
}): PxeOptions {
  const o: PxeOptions = {};
  const rel = (abs: string) => relative(s.tftpRoot, abs);
  const url = (label: string) => [s.httpUrl().replace(/\/+$/, ''), node.uuid, label].join('/');
  if (!opts.service) {
    for (const [label, key] of [[`${opts.mode}_kernel`, 'deployment_aki_path'], [`${opts.mode}_ramdisk`, 'deployment_ari_path']] as const) {
      const entry = info[label];
      if (!entry) continue;
      o[key] = opts.ipxe ? url(label) : rel(entry[1]);
    }
    if (opts.ipxe) o.initrd_filename = `${opts.mode}_ramdisk`;
  }
  for (const [label, key] of [['kernel', 'aki_path'], ['ramdisk', 'ari_path']] as const) {
    const entry = info[label];
    if (entry) o[key] = opts.ipxe ? url(label) : rel(entry[1]);
  }
  o.aki_path ??= 'no_kernel';
  o.ari_path ??= 'no_ramdisk';
  const ii = node.instance_info ?? {};
  if (ii.ramdisk_kernel_arguments !== undefined) o.ramdisk_opts = String(ii.ramdisk_kernel_arguments);
  if (ii.boot_iso) o.boot_iso_url = url('boot_iso');
  let append = kernelAppendParams(node, s.kernelAppendParams);
  if (s.debug && !append.includes('ipa-debug')) append += ' ipa-debug=1';
  const params = Object.entries(opts.ramdiskParams ?? {});
  if (params.length > 0) append += ` ${params.map(([k, val]) => (val === null ? k : `${k}=${val}`)).join(' ')}`;
  o.pxe_append_params = append;
  o.tftp_server = s.tftpServer;
  o.ipxe_timeout = s.ipxeTimeout * 1000;
  return o;
}

/** deploy_utils.get_pxe_boot_file / get_ipxe_boot_file. */
export function bootFileName(s: PxeSettings, ipxe: boolean, mode: BootMode): string {
  if (ipxe) return mode === 'uefi' ? s.uefiIpxeBootfileName : s.ipxeBootfileName;
  return mode === 'uefi' ? s.uefiPxeBootfileName : s.pxeBootfileName;
}

/** pxe_utils.dhcp_options_for_instance for IPv4 (Ingot's dnsmasq serves IPv4 only). */
export function dhcpOptions(s: PxeSettings, ipxe: boolean, mode: BootMode, ipxeTag: boolean): DhcpOption[] {
  const bootFile = bootFileName(s, ipxe, mode);
  const opts: [string, string][] = [];
  if (ipxe) {
    const script = `${s.httpUrl().replace(/\/+$/, '')}/${s.ipxeBootScript}`;
    if (ipxeTag) opts.push(['tag:!ipxe,67', bootFile], ['tag:ipxe,67', script]);
    else opts.push(['!175,67', bootFile], ['67', script]);
  } else {
    opts.push(['67', bootFile], ['210', `${s.tftpRoot.replace(/\/+$/, '')}/`]);
  }
  opts.push(['66', s.tftpServer], ['150', s.tftpServer], ['255', s.tftpServer]);
  return opts.map(([opt_name, opt_value]) => ({ opt_name, opt_value, ip_version: 4 }));
}

/** Per-MAC config paths (pxe_utils._get_pxe_mac_path / _get_pxe_grub_mac_path). */
export function macConfigPaths(s: PxeSettings, ipxe: boolean, mac: string, clientId?: unknown): string[] {
  const m = mac.toLowerCase();
  const root = rootDir(s, ipxe);
  const main = ipxe ? join(root, s.pxeConfigSubdir, m.replaceAll(':', '-'))
    : join(root, s.pxeConfigSubdir, `${clientId ? '20' : '01'}-${m.replaceAll(':', '-')}`);
  return [main, join(root, `grub.cfg-01-${m.replaceAll(':', '-')}`), join(root, `${mac}.conf`)];
}

/** pxe_utils.get_pxe_config_file_path. */
export const configFilePath = (s: PxeSettings, ipxe: boolean, uuid: string): string => join(rootDir(s, ipxe), uuid, 'config');
