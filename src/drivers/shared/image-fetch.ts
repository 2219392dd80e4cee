/**
 * A download cache for boot files (deploy kernels, ramdisks, ESP images): Ironic's master
 * image cache, reduced to what ISO building needs.
 *
 * Contracts:
 * - `href` is `http(s)://…`, `file://…` or an absolute local path. Glance UUIDs and other
 *   schemes are refused with an InvalidError naming the href.
 * - Files are streamed to `<cacheDir>/<sha256(href)>` through a temporary name and renamed
 *   when complete, so readers never see a partial file and nothing is held in memory.
 * - HTTP entries are revalidated on every use with `If-None-Match` / `If-Modified-Since`
 *   (a 304 reuses the file); local files are re-copied when their size or mtime changed.
 * - Failures are `DriverError`s that name the href and what went wrong.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { DriverError, InvalidError } from '../../core/errors.ts';

interface Meta { href: string; etag?: string; lastModified?: string; size?: number; mtimeMs?: number }

/** Where `href` is cached (whether or not it was fetched yet). */
export function cachePath(cacheDir: string, href: string): string {
  return join(cacheDir, createHash('sha256').update(href).digest('hex'));
}

function localPath(href: string): string | null {
  if (href.startsWith('file://')) return fileURLToPath(href);
  if (href.startsWith('/')) return href;
  return null;
}

/**
 * Makes sure `href` is in the cache and up to date; resolves to the cached file's path.
 * `signal` aborts a download in progress.
 */
/** Replace the metadata file in one rename, so that a concurrent reader never sees half of it. */
async function writeMeta(metaFile: string, meta: Meta): Promise<void> {
  const tmp = `${metaFile}.${randomBytes(4).toString('hex')}.tmp`;
  await writeFile(tmp, JSON.stringify(meta));
  await rename(tmp, metaFile);
}

export async function fetchToCache(cacheDir: string, href: string, signal?: AbortSignal): Promise<string> {
  await mkdir(cacheDir, { recursive: true });
  const dest = cachePath(cacheDir, href);
  const metaFile = `${dest}.json`;
  // Concurrent fetches of the same file share the cache: a metadata file is replaced
  // atomically (rename), and one that cannot be read or parsed counts as absent.
  const old: Meta | null = await readFile(metaFile, 'utf8').then((t) => { try { return JSON.parse(t) as Meta; } catch { return null; } }, () => null);
  const have = old !== null && (await stat(dest).then(() => true, () => false));
  const tmp = `${dest}.${randomBytes(4).toString('hex')}.part`;
  try {
    const local = localPath(href);
    if (local !== null) {
      const st = await stat(local).catch(() => null);
      if (!st || !st.isFile()) throw new DriverError(`Cannot read boot file ${href}: no such file.`, { reason: 'image' });
      if (have && old.size === st.size && old.mtimeMs === st.mtimeMs) return dest;
      await pipeline(createReadStream(local), createWriteStream(tmp), { signal });
      await rename(tmp, dest);
      await writeMeta(metaFile, { href, size: st.size, mtimeMs: st.mtimeMs });
      return dest;
    } else if (/^https?:\/\//i.test(href)) {
      const headers: Record<string, string> = {};
      if (have && old.etag) headers['if-none-match'] = old.etag;
      if (have && old.lastModified) headers['if-modified-since'] = old.lastModified;
      let res: Response;
      try {
        res = await fetch(href, { headers, signal });
      } catch (err) {
        throw new DriverError(`Cannot download boot file ${href}: ${(err as Error).cause ? String((err as Error & { cause: Error }).cause.message) : (err as Error).message}.`, { reason: 'image' });
      }
      if (res.status === 304 && have) {
        await res.body?.cancel();
        return dest;
      }
      if (res.status !== 200 || !res.body) {
        await res.body?.cancel();
        throw new DriverError(`Cannot download boot file ${href}: HTTP ${res.status} ${res.statusText}.`, { reason: 'image' });
      }
      await pipeline(Readable.fromWeb(res.body as import('node:stream/web').ReadableStream), createWriteStream(tmp), { signal });
      const meta: Meta = { href };
      const etag = res.headers.get('etag');
      const lm = res.headers.get('last-modified');
      if (etag) meta.etag = etag;
      if (lm) meta.lastModified = lm;
      await rename(tmp, dest);
      await writeMeta(metaFile, meta);
      return dest;
    } else {
      throw new InvalidError(`Boot file ${JSON.stringify(href)} is not an http(s):// or file:// URL nor an absolute path: Ingot has no image service (Glance) to resolve it.`);
    }
  } catch (err) {
    await rm(tmp, { force: true });
    if (err instanceof DriverError || err instanceof InvalidError) throw err;
    throw new DriverError(`Cannot fetch boot file ${href}: ${(err as Error).message}.`, { reason: 'image' });
  }
}
