/**
 * Staging of kernels and ramdisks into the TFTP/HTTP root (Ironic's
 * pxe_utils.cache_ramdisk_kernel with its TFTPImageCache): each source is fetched once
 * into `<root>/master_images/<sha256 of the source>` and hard-linked (copied across file
 * systems) to `<root>/<node uuid>/<label>`, so a hundred nodes share one ramdisk on disk.
 *
 * Sources: an absolute path, a `file://` URL or an `http(s)://` URL. A local file is
 * fetched again when its size or modification time changed. Glance UUIDs are refused
 * (Ingot has no image service). Downloads honour the abort signal and go to a temp file
 * renamed into place, so a cut download never counts as cached.
 */
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { copyFile, link, mkdir, rename, rm, stat } from 'node:fs/promises';
import { dirname, isAbsolute, join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { DriverError } from '../../core/errors.ts';
import type { ImageInfo } from './options.ts';

function localPath(href: string): string | null {
  if (href.startsWith('file://')) return fileURLToPath(href);
  if (isAbsolute(href)) return href;
  return null;
}

async function fetchToMaster(href: string, masterDir: string, signal: AbortSignal): Promise<string> {
  await mkdir(masterDir, { recursive: true });
  const local = localPath(href);
  let key = href;
  if (local) {
    const st = await stat(local).catch(() => { throw new DriverError(`Image ${href} does not exist on the conductor.`); });
    key = `${local}\0${st.size}\0${st.mtimeMs}`;
  } else if (!/^https?:\/\//.test(href)) {
    throw new DriverError(`Cannot fetch image ${href}: Ingot has no image service; give an http(s) URL, a file:// URL or an absolute path.`);
  }
  const master = join(masterDir, createHash('sha256').update(key).digest('hex'));
  if (await stat(master).then(() => true, () => false)) return master;
  const tmp = `${master}.${process.pid}.${Date.now()}.part`;
  try {
    if (local) {
      await copyFile(local, tmp);
    } else {
      const res = await fetch(href, { signal });
      if (!res.ok || !res.body) throw new DriverError(`Downloading ${href} failed: HTTP ${res.status} ${res.statusText}`);
      await pipeline(Readable.fromWeb(res.body as import('node:stream/web').ReadableStream), createWriteStream(tmp), { signal });
    }
    await rename(tmp, master);
  } catch (err) {
    await rm(tmp, { force: true });
    if (err instanceof DriverError) throw err;
    throw new DriverError(`Fetching image ${href} failed: ${(err as Error).message}`, { cause: err });
  }
  return master;
}

/** Fetch every image of `info` and put it at its destination (replacing what was there). */
export async function stageImages(info: ImageInfo, root: string, signal: AbortSignal): Promise<void> {
  const masterDir = join(root, 'master_images');
  for (const [href, dest] of Object.values(info)) {
    const master = await fetchToMaster(href, masterDir, signal);
    await mkdir(dirname(dest), { recursive: true });
    await rm(dest, { force: true });
    try {
      await link(master, dest);
    } catch {
      await copyFile(master, dest);
    }
  }
}

/** Remove the staged copies of `info` (the master copies stay for other nodes). */
export async function unstageImages(info: ImageInfo): Promise<void> {
  for (const [, dest] of Object.values(info)) await rm(dest, { force: true });
}
