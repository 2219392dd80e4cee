/**
 * The instance image as the `direct` deploy hands it to the agent (Ironic's
 * build_instance_info_for_deploy and AgentDeploy.write_image for non-Glance images):
 * - validation: `image_source` plus a checksum (`image_checksum`, or `image_os_hash_algo`
 *   and `image_os_hash_value`) in instance_info; whole-disk images only (partition
 *   images are not supported yet);
 * - `[agent] image_download_source`: `http` gives the agent `image_source` itself (after
 *   a HEAD check, as Ironic's validate_href); `local` downloads it once into the
 *   conductor's HTTP root (`<httpRoot>/images/<sha256 of the URL>`), verifies its
 *   checksum and gives the agent `<httpUrl>/images/<that name>`; `swift` is refused.
 */
import { createHash } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { DriverError, InvalidError } from '../../core/errors.ts';
import type { Json, Node } from '../../core/node.ts';
import type { AgentConfig, ImageDownloadSource } from '../../core/agent-config.ts';
import { pyRepr } from '../shared/py-repr.ts';

export interface ImageServing {
  /** Folder the conductor's file server serves (config.httpRoot). */
  httpRoot: string;
  /** URL of that folder as agents reach it (config.httpUrl). */
  httpUrl: string;
}

const truthy = (v: unknown) => v !== undefined && v !== null && v !== '' && v !== false;

/** The node's download source: driver_info.image_download_source overrides the option. */
export function downloadSource(node: Readonly<Node>, cfg: AgentConfig): ImageDownloadSource {
  const v = node.driver_info.image_download_source ?? cfg.imageDownloadSource;
  if (v !== 'http' && v !== 'local' && v !== 'swift') {
    throw new InvalidError(`Node ${node.uuid}: invalid driver_info.image_download_source ${pyRepr(v as Json[string])}; expected one of 'http', 'local', 'swift'.`);
  }
  return v;
}

/** True unless the image is a partition image (Ironic: kernel+ramdisk, or image_type "partition"). */
export function isWholeDisk(node: Readonly<Node>): boolean {
  const ii = node.instance_info;
  if (ii.image_type === 'partition') return false;
  if (ii.image_type === 'whole-disk') return true;
  return !(truthy(ii.kernel) && truthy(ii.ramdisk));
}

/** AgentDeploy.validate's image checks (InvalidError with Ironic's texts). */
export function validateImageInfo(node: Readonly<Node>, cfg: AgentConfig): void {
  const ii = node.instance_info;
  if (!truthy(ii.image_source)) {
    throw new InvalidError(`Node ${node.uuid} failed to validate deploy image info. Some parameters were missing. Missing are: ['instance_info.image_source']`);
  }
  const src = String(ii.image_source);
  if (!/^https?:\/\//i.test(src)) {
    throw new InvalidError(`Node ${node.uuid}: instance_info.image_source ${src} is not an HTTP(S) URL; Ingot has no Image service (Glance), so give the image's URL.`);
  }
  if (!truthy(ii.image_checksum) && !(truthy(ii.image_os_hash_algo) && truthy(ii.image_os_hash_value))) {
    throw new InvalidError(`image_source's "image_checksum", or "image_os_hash_algo" and "image_os_hash_value" must be provided in instance_info for node ${node.uuid}`);
  }
  if (!isWholeDisk(node)) {
    throw new InvalidError(`Node ${node.uuid}: partition images (instance_info.kernel/ramdisk or image_type "partition") are not supported by this Ingot build yet; use a whole-disk image.`);
  }
  if (downloadSource(node, cfg) === 'swift') {
    throw new InvalidError(`Node ${node.uuid}: image_download_source "swift" needs OpenStack Object Storage, which Ingot does not have; set [agent] image_download_source (INGOT_IMAGE_DOWNLOAD_SOURCE) or driver_info.image_download_source to "http" or "local".`);
  }
}

/** HEAD the URL as Ironic's HttpImageService.validate_href does. */
async function validateHref(href: string, signal: AbortSignal): Promise<void> {
  let status: number;
  try {
    const res = await fetch(href, { method: 'HEAD', signal: AbortSignal.any([signal, AbortSignal.timeout(60_000)]) });
    status = res.status;
  } catch (err) {
    throw new DriverError(`Validation of image href ${href} failed, reason: ${err instanceof Error ? err.message : String(err)}. Check that the image server is up and reachable from the conductor.`, { reason: 'image' });
  }
  if (status !== 200) {
    throw new DriverError(`Validation of image href ${href} failed, reason: Got HTTP code ${status} instead of 200 in response to HEAD request.`, { reason: 'image' });
  }
}

/** Which hash the instance_info asks for: os_hash_algo, else md5/sha* by the legacy checksum's length. */
function expectedHash(node: Readonly<Node>): { algo: string; value: string } | null {
  const ii = node.instance_info;
  if (truthy(ii.image_os_hash_algo) && truthy(ii.image_os_hash_value)) return { algo: String(ii.image_os_hash_algo), value: String(ii.image_os_hash_value).toLowerCase() };
  const c = String(ii.image_checksum ?? '');
  if (/^https?:\/\//.test(c) || !c) return null;
  const algo = ({ 32: 'md5', 40: 'sha1', 64: 'sha256', 128: 'sha512' } as Record<number, string>)[c.length];
  return algo ? { algo, value: c.toLowerCase() } : null;
}

/** Download once into `<httpRoot>/images/`, verify, and return the URL agents use. */
async function cacheLocally(node: Readonly<Node>, serving: ImageServing, signal: AbortSignal): Promise<string> {
  const src = String(node.instance_info.image_source);
  const name = createHash('sha256').update(src).digest('hex');
  const dir = join(serving.httpRoot, 'images');
  const path = join(dir, name);
  const url = `${serving.httpUrl.replace(/\/$/, '')}/images/${name}`;
  if (existsSync(path)) return url;
  mkdirSync(dir, { recursive: true });
  const want = expectedHash(node);
  const tmp = `${path}.part-${process.pid}-${Date.now()}`;
  try {
    const res = await fetch(src, { signal });
    if (res.status !== 200 || !res.body) throw new DriverError(`Failed to download image ${src} into the conductor's image cache: HTTP ${res.status}.`, { reason: 'image' });
    const hash = want ? createHash(want.algo) : null;
    const body = Readable.fromWeb(res.body as import('node:stream/web').ReadableStream<Uint8Array>);
    if (hash) body.on('data', (chunk: Buffer) => hash.update(chunk));
    await pipeline(body, createWriteStream(tmp), { signal });
    if (hash && want) {
      const got = hash.digest('hex');
      if (got !== want.value) {
        throw new DriverError(`Image ${src} downloaded into the conductor's cache failed checksum verification: ${want.algo} is ${got}, instance_info says ${want.value}. Fix the checksum in instance_info or the image.`, { reason: 'image_checksum' });
      }
    }
    renameSync(tmp, path);
    return url;
  } catch (err) {
    rmSync(tmp, { force: true });
    if (err instanceof DriverError) throw err;
    throw new DriverError(`Failed to download image ${src} into the conductor's image cache: ${err instanceof Error ? err.message : String(err)}`, { reason: 'image' });
  }
}

/** The `image_url` for the agent (instance_info.image_url), by download source. */
export async function imageUrlFor(node: Readonly<Node>, cfg: AgentConfig, serving: ImageServing, signal: AbortSignal): Promise<string> {
  const src = String(node.instance_info.image_source);
  if (downloadSource(node, cfg) === 'local') return cacheLocally(node, serving, signal);
  await validateHref(src, signal);
  return src;
}

/** image_info of the write_image step (AgentDeploy.write_image for whole-disk images). */
export function imageInfo(node: Readonly<Node>, cfg: AgentConfig): Json {
  const ii = node.instance_info;
  const src = String(ii.image_source);
  const info: Json = {
    id: src.split('/').at(-1) ?? src,
    urls: [ii.image_url ?? src],
    disk_format: ii.image_disk_format ?? null,
    container_format: ii.image_container_format ?? null,
    stream_raw_images: cfg.streamRawImages,
  };
  if (truthy(ii.image_checksum)) info.checksum = ii.image_checksum;
  if (truthy(ii.image_os_hash_algo) && truthy(ii.image_os_hash_value)) {
    info.os_hash_algo = ii.image_os_hash_algo;
    info.os_hash_value = ii.image_os_hash_value;
  }
  const proxies: Json = {};
  for (const scheme of ['http', 'https']) {
    const p = node.driver_info[`image_${scheme}_proxy`];
    if (truthy(p)) proxies[scheme] = p;
  }
  if (Object.keys(proxies).length) {
    info.proxies = proxies;
    if (node.driver_info.image_no_proxy !== undefined && node.driver_info.image_no_proxy !== null) info.no_proxy = node.driver_info.image_no_proxy;
  }
  info.node_uuid = node.uuid;
  const cd = ii.configdrive;
  if (truthy(cd)) info.configdrive = cd;
  return info;
}
