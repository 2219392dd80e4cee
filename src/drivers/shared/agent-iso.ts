/**
 * The per-node agent ISO (Ironic's image_utils.prepare_deploy_iso / _prepare_iso_image /
 * ImageHandler.publish_image for a kernel/ramdisk pair), shared by the boot interfaces
 * that hand a machine an ISO (redfish-virtual-media now; others may follow).
 *
 * - Inputs: driver_info `<mode>_kernel`, `<mode>_ramdisk` (mode `deploy` or `rescue`), and
 *   for UEFI an ESP image: driver_info `bootloader`, else `[conductor] bootloader`, else
 *   one Ingot builds from a GRUB EFI binary on this host (see iso.ts). Downloads go to
 *   `<http_root>/master_images` (image-fetch.ts).
 * - Boot mode: the caller's (the boot interface syncs it with the BMC first), else Ironic's
 *   boot_mode_utils.get_boot_mode (`requestedBootMode`, else `[deploy] default_boot_mode`).
 * - Published as `<http_root>/<subdir>/boot-<node uuid>.iso`, reachable at
 *   `<http_url>/<subdir>/boot-<node uuid>.iso` (driver_info `external_http_url` wins over
 *   http_url, as Ironic). `removeAgentIso` deletes it (a missing file is fine).
 */
import { createHash, randomUUID } from 'node:crypto';
import { mkdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { DriverError, InvalidError } from '../../core/errors.ts';
import type { Node } from '../../core/node.ts';
import { DEFAULT_KERNEL_APPEND_PARAMS, kernelAppendParams, kernelCommandLine } from './boot-config.ts';
import { fetchToCache } from './image-fetch.ts';
import { buildBootIso, buildEspImage, findFile, GRUB_EFI_CANDIDATES, ISOLINUX_BIN_CANDIDATES, LDLINUX_C32_CANDIDATES } from './iso.ts';

/** Conductor settings the ISO needs (Ironic option names in the comments). */
export interface AgentIsoSettings {
  /** `[deploy] http_root`. */
  httpRoot: string;
  /** `[deploy] http_url` (read at each build: it may be known only after the file server listens; throws when nothing serves http_root). */
  httpUrl(): string;
  /** The `ipa-api-url` handed to the agent. */
  apiUrl(): string;
  /** `[redfish] kernel_append_params` (default `nofb nomodeset vga=normal`). */
  kernelAppendParams?: string;
  /** `[conductor] bootloader`: URL or path of an ESP image for UEFI ISOs. */
  bootloader?: string;
  /** `[DEFAULT] debug`: the boot interface adds `ipa-debug=1`. */
  debug?: boolean;
  /** `[deploy] default_boot_mode` (default `uefi`). */
  defaultBootMode?: 'uefi' | 'bios';
  /** `[deploy] external_callback_url`: replaces `ipa-api-url` when set. */
  externalCallbackUrl?: string;
  /** `[DEFAULT] isolinux_bin` / `ldlinux_c32`; default: Debian's places. */
  isolinuxBin?: string;
  ldlinuxC32?: string;
  /** GRUB EFI binary to build an ESP from when no `bootloader` is given. */
  grubEfi?: string;
}

export type AgentIsoMode = 'deploy' | 'rescue';

type NodeLike = Pick<Node, 'uuid' | 'driver_info' | 'instance_info' | 'properties'> & { driver_internal_info?: Node['driver_internal_info'] };

const truthy = (v: unknown): boolean => v !== undefined && v !== null && v !== '' && v !== false;

function capability(properties: unknown, name: string): string | undefined {
  const caps = (properties as Record<string, unknown> | null)?.capabilities;
  if (typeof caps === 'string') {
    for (const part of caps.split(',')) {
      const [k, ...v] = part.split(':');
      if (k?.trim() === name) return v.join(':').trim();
    }
  } else if (caps && typeof caps === 'object') {
    const v = (caps as Record<string, unknown>)[name];
    if (v !== undefined && v !== null) return String(v);
  }
  return undefined;
}

/** instance_info.capabilities as a dict (Ironic's parse_instance_info_capabilities: a dict or a JSON string). */
function instanceCapabilities(ii: Record<string, unknown>): Record<string, unknown> {
  const caps = ii.capabilities;
  if (typeof caps === 'string') {
    try {
      const v = JSON.parse(caps) as unknown;
      return v && typeof v === 'object' && !Array.isArray(v) ? v as Record<string, unknown> : {};
    } catch {
      return {};
    }
  }
  return caps && typeof caps === 'object' && !Array.isArray(caps) ? caps as Record<string, unknown> : {};
}

type ModeNode = Pick<Node, 'instance_info' | 'properties'> & { driver_internal_info?: Node['driver_internal_info'] };

/**
 * Ironic's get_boot_mode_for_deploy: `uefi` when secure boot is requested, else
 * instance_info capabilities `boot_mode`, instance_info `deploy_boot_mode`, the
 * `boot_mode` capability of properties, driver_internal_info `deploy_boot_mode`; or null.
 */
export function requestedBootMode(node: ModeNode): 'uefi' | 'bios' | null {
  const ii = node.instance_info ?? {};
  const icaps = instanceCapabilities(ii);
  const secure = String(icaps.secure_boot ?? '').toLowerCase();
  if (secure === 'true') return 'uefi';
  const asked = icaps.boot_mode || ii.deploy_boot_mode || capability(node.properties, 'boot_mode') || node.driver_internal_info?.deploy_boot_mode;
  return asked === 'uefi' || asked === 'bios' ? asked : null;
}

/** Ironic's get_boot_mode: the requested boot mode, else `[deploy] default_boot_mode`. */
export function bootModeOf(node: ModeNode, dflt: 'uefi' | 'bios' = 'uefi'): 'uefi' | 'bios' {
  return requestedBootMode(node) ?? dflt;
}

/** Relative name of a node's ISO under http_root. */
export function isoName(subdir: string, uuid: string): string {
  return `${subdir}/boot-${uuid}.iso`;
}

/** The kernel/ramdisk pair of `mode`, or Ironic's "Missing are" error. */
export function kernelRamdiskOf(node: NodeLike, mode: AgentIsoMode): { kernel: string; ramdisk: string } | null {
  const di = node.driver_info ?? {};
  const kernel = di[`${mode}_kernel`];
  const ramdisk = di[`${mode}_ramdisk`];
  if (!truthy(kernel) || !truthy(ramdisk)) return null;
  return { kernel: String(kernel), ramdisk: String(ramdisk) };
}

export interface PrepareAgentIsoRequest {
  node: NodeLike;
  mode: AgentIsoMode;
  /** Folder under http_root (`redfish` for the redfish interfaces, as Ironic's IMAGE_SUBDIR). */
  subdir: string;
  /** Ramdisk parameters after `ipa-api-url` (`ipa-agent-token`, `BOOTIF`, `boot_method`...), in order. */
  params: ReadonlyArray<readonly [string, string | null]>;
  /**
   * Whether `ipa-api-url` leads the parameters (default true). False for inspection, as
   * Ironic's inspector interface passes none; `externalCallbackUrl` still adds it (override_api_url).
   */
  apiUrl?: boolean;
  /** The boot mode to build for (the boot interface's synced one); default `bootModeOf`. */
  bootMode?: 'uefi' | 'bios';
  signal?: AbortSignal;
}

export interface PreparedIso {
  url: string;
  path: string;
  bootMode: 'uefi' | 'bios';
  kernelParams: string;
}

/** Ironic's build_agent_options + override_api_url: the leading `ipa-api-url`. */
export function agentApiUrl(settings: AgentIsoSettings): string {
  return (settings.externalCallbackUrl || settings.apiUrl()).replace(/\/+$/, '');
}

/** Builds and publishes the node's ISO; resolves to its URL. */
export async function prepareAgentIso(settings: AgentIsoSettings, req: PrepareAgentIsoRequest): Promise<PreparedIso> {
  const { node, mode } = req;
  const pair = kernelRamdiskOf(node, mode);
  if (!pair) throw new InvalidError(`Unable to find kernel, ramdisk for building ISO, or explicit ISO for ${node.uuid}`);
  const external = node.driver_info?.external_http_url;
  // Read first: it throws when this conductor cannot serve the ISO at all.
  const base = (truthy(external) ? String(external) : settings.httpUrl()).replace(/\/+$/, '');
  const bootMode = req.bootMode ?? bootModeOf(node, settings.defaultBootMode);
  const cache = join(settings.httpRoot, 'master_images');
  const isolinuxBin = bootMode === 'bios' ? findFile(settings.isolinuxBin, ISOLINUX_BIN_CANDIDATES) : null;
  if (bootMode === 'bios' && !isolinuxBin) {
    throw new DriverError(`Cannot build a BIOS boot ISO for node ${node.uuid}: isolinux.bin not found `
      + `(${settings.isolinuxBin ?? ISOLINUX_BIN_CANDIDATES.join(', ')}); install Debian's isolinux package or set INGOT_ISOLINUX_BIN.`, { reason: 'image' });
  }
  const kernel = await fetchToCache(cache, pair.kernel, req.signal);
  const ramdisk = await fetchToCache(cache, pair.ramdisk, req.signal);
  const espImage = bootMode === 'uefi' ? await espFor(settings, node, cache, req.signal) : undefined;

  const append = kernelAppendParams(node, settings.kernelAppendParams ?? DEFAULT_KERNEL_APPEND_PARAMS);
  const withApi = req.apiUrl !== false || Boolean(settings.externalCallbackUrl);
  const params: Array<readonly [string, string | null]> = [...(withApi ? [['ipa-api-url', agentApiUrl(settings)] as const] : []), ...req.params];
  const publisherId = randomUUID();
  const kernelParams = kernelCommandLine(append, publisherId, params);

  const name = isoName(req.subdir, node.uuid);
  const path = join(settings.httpRoot, name);
  await mkdir(join(settings.httpRoot, req.subdir), { recursive: true });
  await buildBootIso({
    output: path, kernel, ramdisk, bootMode, kernelParams, publisherId,
    espImage, isolinuxBin: isolinuxBin ?? undefined, ldlinuxC32: findFile(settings.ldlinuxC32, LDLINUX_C32_CANDIDATES), signal: req.signal,
  });
  return { url: `${base}/${name}`, path, bootMode, kernelParams };
}

/** The ESP image: driver_info `bootloader`, `[conductor] bootloader`, or one built from GRUB. */
async function espFor(settings: AgentIsoSettings, node: NodeLike, cache: string, signal?: AbortSignal): Promise<string> {
  const href = node.driver_info?.bootloader ?? settings.bootloader;
  if (truthy(href)) return fetchToCache(cache, String(href), signal);
  const grub = findFile(settings.grubEfi, GRUB_EFI_CANDIDATES);
  if (!grub) {
    throw new DriverError(`Cannot build a UEFI boot ISO for node ${node.uuid}: no EFI boot loader. Set driver_info/bootloader `
      + `or [conductor] bootloader (INGOT_BOOTLOADER) to an EFI system partition image, or install a GRUB EFI binary `
      + `(Debian's grub-efi-amd64-signed: ${GRUB_EFI_CANDIDATES[0]}; or INGOT_GRUB_EFI), or boot the node in bios mode.`, { reason: 'image' });
  }
  const st = await stat(grub);
  const key = createHash('sha256').update(`${grub}:${st.size}:${st.mtimeMs}`).digest('hex').slice(0, 16);
  const esp = join(cache, `esp-${key}.img`);
  if (!(await stat(esp).then(() => true, () => false))) {
    await mkdir(cache, { recursive: true });
    await buildEspImage(grub, esp, signal);
  }
  return esp;
}

/** Ironic's cleanup_iso_image: removes the node's published ISO. */
export async function removeAgentIso(settings: Pick<AgentIsoSettings, 'httpRoot'>, subdir: string, uuid: string): Promise<void> {
  await rm(join(settings.httpRoot, isoName(subdir, uuid)), { force: true });
}
