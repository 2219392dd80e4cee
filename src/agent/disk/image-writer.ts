/**
 * Writing a whole-disk image onto the install device, as IPA's standby extension does:
 * - `disk_format: raw` with `stream_raw_images`: the HTTP body is written to the device
 *   as it arrives (disk-writer.ts: two 4 MiB buffers, direct I/O where the device allows
 *   it, fsync at the end), hashed on the way, verified at the end; a cut or a checksum
 *   mismatch restarts the download (IPA's retries).
 * - anything else (qcow2, raw without streaming): downloaded to a temporary file,
 *   verified, inspected with `qemu-img info --output=json` (backing files and formats
 *   other than the declared one are refused), then `qemu-img convert -n -O raw` onto the
 *   device (`-n`: the device/sparse file keeps its size).
 * An image larger than the device is refused before a byte is written.
 * Afterwards a GPT whose backup header is not at the disk's end is fixed (`sgdisk -e`,
 * as ironic-lib's fix_gpt_partition).
 */
import { open, mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { finished, type Readable } from 'node:stream';
import { run } from '../proc.ts';
import { DiskWriter } from './disk-writer.ts';
import { AgentError, imageDownloadError, imageWriteError, invalidImage } from '../errors.ts';
import type { Disk } from '../hardware/types.ts';
import {
  expectedHash, HashCheck, openImage, withDownloadRetries, type DownloadOptions, type ImageInfo,
} from './download.ts';

const QCOW2_MAGIC = Buffer.from([0x51, 0x46, 0x49, 0xfb]);

export interface WriteImageOptions {
  download: DownloadOptions;
  /** Where qcow2 images are downloaded before conversion. */
  tmpDir: string;
  /** From the lookup config; null = no restriction. */
  permittedFormats: string[] | null;
  /** False when the conductor sets disable_deep_image_inspection. */
  deepInspection: boolean;
  log: (msg: string) => void;
}

function tooLarge(info: ImageInfo, disk: Disk, bytes: number | string): AgentError {
  return invalidImage(`Image ${info.id} (${bytes} bytes) does not fit on the install device ${disk.name} ` +
    `(${disk.size} bytes). Use a smaller image or choose a larger disk with root device hints.`);
}

/**
 * Calls `onChunk` with each chunk of `body` as it arrives (no re-buffering: an async
 * iterator over a Readable joins what is buffered into one new Buffer, a copy of every
 * byte); a promise returned by `onChunk` pauses the body until it settles.
 */
function pump(body: Readable, onChunk: (chunk: Buffer) => Promise<void> | null): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let failed = false;
    const fail = (err: unknown) => {
      if (failed) return;
      failed = true;
      body.off('data', onData);
      body.destroy();
      reject(err);
    };
    const onData = (chunk: Buffer) => {
      let p: Promise<void> | null;
      try { p = onChunk(chunk); } catch (err) { fail(err); return; }
      if (p) {
        body.pause();
        p.then(() => { if (!failed) body.resume(); }, fail);
      }
    };
    body.on('data', onData);
    // `finished`: 'end' (after every 'data'; none come while paused), an error, or a
    // close before the end (a cut connection).
    finished(body, (err) => {
      if (err) fail(err);
      else if (!failed) resolve();
    });
  });
}

/** Streams a raw image onto the device; returns the bytes written. */
export async function streamRawImage(info: ImageInfo, disk: Disk, o: WriteImageOptions): Promise<number> {
  const expected = await expectedHash(info, o.download, o.log);
  return withDownloadRetries(o.download, o.log, async () => {
    const img = await openImage(info, o.download, o.log);
    if (img.contentLength !== null && img.contentLength > disk.size) { await img.close(); throw tooLarge(info, disk, img.contentLength); }
    const check = new HashCheck(expected);
    let writer: DiskWriter;
    try {
      writer = await DiskWriter.open(disk.path);
    } catch (err) {
      await img.close();
      throw imageWriteError(disk.name, (err as Error).message);
    }
    let t0 = 0;
    let tSync = 0;
    let bytes = 0;
    try {
      try {
        await pump(img.body, (chunk) => {
          if (t0 === 0) {
            t0 = performance.now();
            if (o.deepInspection && chunk.length >= 4 && chunk.subarray(0, 4).equals(QCOW2_MAGIC)) {
              throw invalidImage(`Image ${info.id} is declared raw but its content is qcow2; set the image's disk_format to qcow2.`);
            }
          }
          check.update(chunk);
          if (writer.bytes + chunk.length > disk.size) throw tooLarge(info, disk, `more than ${disk.size}`);
          return writer.write(chunk);
        });
        tSync = performance.now();
        bytes = await writer.finish();
      } catch (err) {
        if (err instanceof AgentError) throw err;
        throw imageDownloadError(info.id, `Unable to write image to device ${disk.name}. Error: ${(err as Error).message}`);
      }
    } finally {
      await writer.close();
      await img.close();
    }
    check.verify(disk.name, info.id);
    const secs = (performance.now() - t0) / 1000;
    o.log(`Image ${info.id} streamed onto ${disk.name}: ${bytes} bytes in ${secs.toFixed(3)} s from the first byte ` +
      `(${(bytes / 1024 / 1024 / secs).toFixed(1)} MiB/s, ${writer.direct ? 'direct I/O' : 'through the page cache'}; ` +
      `written out and fsync ${((performance.now() - tSync) / 1000).toFixed(3)} s)`);
    return bytes;
  });
}

interface QemuImgInfo { format: string; 'virtual-size': number; 'backing-filename'?: string; 'full-backing-filename'?: string }

/** Downloads to a temporary file, verifies, inspects and converts onto the device. */
export async function cacheAndWriteImage(info: ImageInfo, disk: Disk, o: WriteImageOptions): Promise<number> {
  const expected = await expectedHash(info, o.download, o.log);
  const dir = await mkdtemp(join(o.tmpDir, 'ingot-agent-image-'));
  const file = join(dir, 'image');
  try {
    await withDownloadRetries(o.download, o.log, async () => {
      const img = await openImage(info, o.download, o.log);
      const check = new HashCheck(expected);
      const fh = await open(file, 'w');
      let pos = 0;
      try {
        for await (const chunk of img.body) {
          check.update(chunk);
          let off = 0;
          while (off < chunk.length) off += (await fh.write(chunk, off, chunk.length - off, pos + off)).bytesWritten;
          pos += chunk.length;
        }
      } catch (err) {
        if (err instanceof AgentError) throw err;
        throw imageDownloadError(info.id, `Unable to download image to ${file}. Error: ${(err as Error).message}`);
      } finally {
        await fh.close();
        await img.close();
      }
      check.verify(file, info.id);
    });
    const { stdout } = await run('qemu-img', ['info', '--output=json', file]);
    const qi = JSON.parse(stdout) as QemuImgInfo;
    if (qi['backing-filename'] || qi['full-backing-filename']) {
      throw invalidImage(`Image ${info.id} has a backing file (${qi['backing-filename'] ?? qi['full-backing-filename']}); ` +
        'images with backing files are refused. Flatten it with qemu-img convert first.');
    }
    const declared = info.disk_format ?? null;
    if (o.deepInspection && declared && declared !== qi.format) {
      throw invalidImage(`Image ${info.id} is declared ${declared} but qemu-img detects ${qi.format}; fix the image's disk_format.`);
    }
    if (!['raw', 'qcow2'].includes(qi.format)) {
      throw invalidImage(`Image ${info.id} has format ${qi.format}; this agent writes raw and qcow2 whole-disk images.`);
    }
    if (qi['virtual-size'] > disk.size) throw tooLarge(info, disk, qi['virtual-size']);
    try {
      await run('qemu-img', ['convert', '-n', '-f', qi.format, '-O', 'raw', file, disk.path]);
    } catch (err) {
      throw imageWriteError(disk.name, (err as Error).message);
    }
    o.log(`Image ${info.id} (${qi.format}, ${qi['virtual-size']} bytes) converted onto ${disk.name}`);
    return qi['virtual-size'];
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Partition table type of a device or file: 'gpt', 'dos' or null. */
export async function partitionTableType(path: string): Promise<string | null> {
  const { stdout, code } = await run('blkid', ['-p', '-s', 'PTTYPE', '-o', 'value', path], { allowCodes: [2] });
  return code === 0 && stdout.trim() ? stdout.trim() : null;
}

/** ironic-lib's fix_gpt_partition: move a misplaced backup GPT header to the disk's end. */
export async function fixGpt(path: string): Promise<boolean> {
  if ((await partitionTableType(path)) !== 'gpt') return false;
  const { stdout } = await run('sgdisk', ['-v', path], { allowCodes: [1, 2, 3, 4] });
  if (!stdout.replace(/\s+/g, ' ').includes("it doesn't reside at the end of the disk")) return false;
  await run('sgdisk', ['-e', path]);
  return true;
}

/** ironic-lib's get_disk_identifier: the MBR disk signature at byte 440, as `0x%08x`. */
export async function diskIdentifier(path: string): Promise<string> {
  const fh = await open(path, 'r');
  try {
    const b = Buffer.alloc(4);
    await fh.read(b, 0, 4, 440);
    return `0x${b.readUInt32LE(0).toString(16).padStart(8, '0')}`;
  } finally {
    await fh.close();
  }
}
