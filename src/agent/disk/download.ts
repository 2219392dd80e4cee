/**
 * Downloading an image as IPA's ImageDownload does: each URL of `image_info.urls` in
 * turn, each with `image_download_connection_retries` reconnects (5xx and network
 * errors only; a 4xx fails at once) `image_download_connection_retry_interval` apart,
 * the checksum computed while the bytes flow. The body is consumed chunk by chunk by
 * the caller and is never held in memory.
 *
 * Checksums: `os_hash_algo` + `os_hash_value` when both are set and the algorithm is
 * known; else the legacy `checksum` (a URL to a checksums file is fetched first), whose
 * length picks md5 / sha256 / sha512. md5 is refused when the lookup config says
 * `agent_md5_checksum_enable: false` (Ironic 21.4 does not send it: md5 allowed).
 */
import { createHash, getHashes, type Hash } from 'node:crypto';
import { basename } from 'node:path';
import type { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { Agent, ProxyAgent, request, type Dispatcher } from 'undici';
import { imageChecksumError, imageDownloadError, invalidParams, AgentError } from '../errors.ts';

export interface ImageInfo {
  id: string;
  urls: string[];
  disk_format?: string | null;
  container_format?: string | null;
  checksum?: string | null;
  os_hash_algo?: string | null;
  os_hash_value?: string | null;
  stream_raw_images?: boolean;
  proxies?: { http?: string; https?: string } | null;
  no_proxy?: string | null;
  image_type?: string | null;
  node_uuid?: string;
  [k: string]: unknown;
}

export interface DownloadOptions {
  /** IPA's image_download_connection_retries (default 2). */
  retries: number;
  /** IPA's image_download_connection_retry_interval, seconds (default 5). */
  retryInterval: number;
  /** IPA's image_download_connection_timeout, seconds (default 60). */
  timeout: number;
  md5Allowed: boolean;
}

export const DEFAULT_DOWNLOAD_OPTIONS: DownloadOptions = { retries: 2, retryInterval: 5, timeout: 60, md5Allowed: true };

/** IPA's _validate_image_info: `id`, `urls`, and a checksum of some kind (400 otherwise). */
export function validateImageInfo(info: unknown): asserts info is ImageInfo {
  const ii = (info ?? {}) as Record<string, unknown>;
  for (const field of ['id', 'urls']) {
    if (!(field in ii)) throw invalidParams(`Image is missing '${field}' field.`);
  }
  if (!Array.isArray(ii.urls) || ii.urls.length === 0) {
    throw invalidParams("Image 'urls' must be a list with at least one element.");
  }
  let ok = false;
  if (ii.checksum !== undefined && ii.checksum !== null) {
    if (typeof ii.checksum !== 'string' || !ii.checksum) throw invalidParams("Image 'checksum' must be a non-empty string.");
    ok = true;
  }
  if (ii.os_hash_algo || ii.os_hash_value) {
    if (typeof ii.os_hash_algo !== 'string' || !ii.os_hash_algo) throw invalidParams("Image 'os_hash_algo' must be a non-empty string.");
    if (typeof ii.os_hash_value !== 'string' || !ii.os_hash_value) throw invalidParams("Image 'os_hash_value' must be a non-empty string.");
    ok = true;
  }
  if (!ok) {
    throw invalidParams("Image checksum is not available, either the 'checksum' field or the 'os_hash_algo' and " +
      "'os_hash_value' fields pair must be set for image verification.");
  }
}

function dispatcherFor(url: string, info: ImageInfo, timeoutMs: number): Dispatcher {
  const scheme = new URL(url).protocol.replace(':', '') as 'http' | 'https';
  const proxy = info.proxies?.[scheme];
  const host = new URL(url).hostname;
  const bypass = (info.no_proxy ?? '').split(',').map((s) => s.trim()).filter(Boolean)
    .some((p) => p === '*' || host === p || host.endsWith(p.startsWith('.') ? p : `.${p}`));
  const timeouts = { headersTimeout: timeoutMs, bodyTimeout: timeoutMs, connectTimeout: timeoutMs };
  return proxy && !bypass ? new ProxyAgent({ uri: proxy, ...timeouts }) : new Agent(timeouts);
}

export interface OpenedImage {
  body: Readable;
  contentLength: number | null;
  url: string;
  close(): Promise<void>;
}

/** GET one URL with IPA's connection retries; the response must be 200. */
async function openUrl(url: string, info: ImageInfo, logId: string, opts: DownloadOptions, log: (m: string) => void): Promise<OpenedImage> {
  for (let attempt = 0; ; attempt++) {
    const dispatcher = dispatcherFor(url, info, opts.timeout * 1000);
    let status: number | null = null;
    try {
      const res = await request(url, { dispatcher, method: 'GET', highWaterMark: 4 * 1024 * 1024 });
      status = res.statusCode;
      if (res.statusCode !== 200) {
        const text = (await res.body.text()).slice(0, 500);
        throw imageDownloadError(logId, `Received status code ${res.statusCode} from ${url}, expected 200. Response body: ${text}`);
      }
      const len = res.headers['content-length'];
      return {
        body: res.body,
        contentLength: typeof len === 'string' ? Number(len) : null,
        url,
        close: async () => { res.body.destroy(); await dispatcher.close().catch(() => {}); },
      };
    } catch (err) {
      await dispatcher.close().catch(() => {});
      const e = err instanceof AgentError ? err : imageDownloadError(logId, `Unable to connect to ${url}: ${(err as Error).message}`);
      if (attempt >= opts.retries || (status !== null && status < 500)) throw e;
      log(`${e.details}; retrying in ${opts.retryInterval}s (${attempt + 1}/${opts.retries})`);
      await sleep(opts.retryInterval * 1000);
    }
  }
}

/** The first URL that answers 200 (IPA tries them in order and lists every failure). */
export async function openImage(info: ImageInfo, opts: DownloadOptions, log: (m: string) => void): Promise<OpenedImage> {
  const details: string[] = [];
  for (const url of info.urls) {
    try {
      return await openUrl(url, info, info.id, opts, log);
    } catch (err) {
      const msg = err instanceof AgentError ? err.details.replace(/^Download of image .*? failed: /, '') : (err as Error).message;
      details.push(`URL: ${url}; Error: ${msg}`);
    }
  }
  throw imageDownloadError(info.id, details.join('\n '));
}

export interface ExpectedHash { algo: string; value: string }

/** A checksums file's entry for the image (`<hash>  <name>`, or a lone hash). */
async function fetchChecksum(checksum: string, info: ImageInfo, opts: DownloadOptions, log: (m: string) => void): Promise<string> {
  if (!/^https?:\/\//.test(checksum)) return checksum;
  const opened = await openUrl(checksum, info, checksum, opts, log);
  let text = '';
  for await (const chunk of opened.body) {
    text += chunk.toString('utf8');
    if (text.length > 1024 * 1024) { await opened.close(); throw imageDownloadError(checksum, 'Checksum file is larger than 1 MiB'); }
  }
  await opened.close();
  const lines = text.split('\n').map((l) => l.trim()).filter(Boolean);
  if (lines.length === 0) throw imageDownloadError(checksum, 'Empty checksum file');
  if (lines.length === 1 && !lines[0]!.includes(' ')) return lines[0]!;
  const expected = basename(new URL(info.urls[0]!).pathname);
  for (const line of lines) {
    const [sum, ...rest] = line.split(/\s+/);
    if (rest.join(' ').trim().replace(/^\*/, '') === expected) return sum!.trim();
  }
  throw imageDownloadError(checksum, `Checksum file does not contain name ${expected}`);
}

export async function expectedHash(info: ImageInfo, opts: DownloadOptions, log: (m: string) => void): Promise<ExpectedHash> {
  const algo = info.os_hash_algo?.toLowerCase();
  if (algo && info.os_hash_value && getHashes().includes(algo)) {
    return { algo, value: (await fetchChecksum(info.os_hash_value, info, opts, log)).toLowerCase() };
  }
  if (info.checksum) {
    const value = (await fetchChecksum(info.checksum, info, opts, log)).toLowerCase();
    const byLength: Record<number, string> = { 32: 'md5', 64: 'sha256', 128: 'sha512' };
    const guessed = byLength[value.length] ?? 'md5';
    if (guessed === 'md5' && !opts.md5Allowed) {
      throw new AgentError('ImageChecksumError', 500, 'Error verifying image checksum',
        `Image ${info.id} has only an MD5 checksum and MD5 is disabled by the conductor (agent_md5_checksum_enable); ` +
        'set the image\'s os_hash_algo/os_hash_value (sha256 or sha512).');
    }
    return { algo: guessed, value };
  }
  throw new AgentError('RESTError', 500, 'An error occurred',
    `Unable to verify image ${info.id} with available checksums. Please make sure the specified 'os_hash_algo' ` +
    `(currently ${info.os_hash_algo ?? null}) is supported by this ramdisk, or provide a md5 checksum via the 'checksum' field`);
}

/** Hashes bytes as they pass and checks the digest at the end. */
export class HashCheck {
  private readonly hash: Hash;
  constructor(readonly expected: ExpectedHash) { this.hash = createHash(expected.algo); }
  update(chunk: Buffer): void { this.hash.update(chunk); }
  verify(location: string, imageId: string): void {
    const actual = this.hash.digest('hex');
    if (actual !== this.expected.value) throw imageChecksumError(location, imageId, this.expected.value, actual);
  }
}

/**
 * Runs `attempt` up to retries+1 times while it fails with a download or checksum error,
 * as IPA's download loops do; any other error ends at once.
 */
export async function withDownloadRetries<T>(opts: DownloadOptions, log: (m: string) => void, attempt: () => Promise<T>): Promise<T> {
  for (let i = 0; ; i++) {
    try {
      return await attempt();
    } catch (err) {
      const retryable = err instanceof AgentError && (err.type === 'ImageDownloadError' || err.type === 'ImageChecksumError');
      if (!retryable || i >= opts.retries) throw err;
      log(`Image download failed, ${i} of ${opts.retries}: ${(err as AgentError).details}`);
      await sleep(opts.retryInterval * 1000);
    }
  }
}
