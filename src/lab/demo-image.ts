/**
 * The demo's operating-system image: a small but real whole-disk image, built from Debian
 * tools without root (no loop mounts):
 *
 *   - an ext4 filesystem made by `mkfs.ext4 -d` from a folder that holds a marker file
 *     (`/ingot-marker.txt`, whose text names the image and a random nonce);
 *   - a GPT disk (`sgdisk`) with one Linux partition at 1 MiB, the filesystem copied in;
 *   - the same disk as qcow2 (`qemu-img convert -O qcow2`).
 *
 * `readMarker` reads the marker back from any disk file (a lab machine's disk after a
 * deploy) with `sgdisk` (where the partition is) and `debugfs` (the file in it), so the
 * check does not trust anything the deploy said about itself.
 *
 * @module
 */
import { execFile } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, mkdtemp, open, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const MiB = 1024 * 1024;
export const MARKER_PATH = '/ingot-marker.txt';
/** Debian packages the builder and the reader need. */
export const DEMO_IMAGE_PACKAGES = ['e2fsprogs', 'gdisk', 'qemu-utils'];

export interface DemoImage {
  /** Whole-disk raw image (GPT + ext4). */
  raw: string;
  /** The same disk as qcow2. */
  qcow2: string;
  rawSize: number;
  rawSha256: string;
  qcow2Sha256: string;
  /** The text of the marker file inside the image. */
  marker: string;
}

async function need(tool: string): Promise<void> {
  try {
    await run('sh', ['-c', `command -v ${tool}`]);
  } catch {
    throw new Error(`${tool} is not installed; install the Debian packages ${DEMO_IMAGE_PACKAGES.join(', ')}`);
  }
}

/** sha256 of a file, streamed. */
export async function sha256File(path: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(path)) h.update(chunk as Buffer);
  return h.digest('hex');
}

/**
 * Build the image in `dir` (created if missing). `sizeMiB` is the whole disk (at least 8);
 * the filesystem fills it but for the GPT's first and last MiB.
 */
export async function buildDemoImage(dir: string, opts: { sizeMiB?: number; name?: string } = {}): Promise<DemoImage> {
  for (const t of ['mkfs.ext4', 'sgdisk', 'qemu-img', 'debugfs']) await need(t);
  const sizeMiB = Math.max(8, opts.sizeMiB ?? 16);
  await mkdir(dir, { recursive: true });
  const work = await mkdtemp(join(tmpdir(), 'ingot-image-'));
  try {
    const marker = `Ingot demo image ${opts.name ?? 'demo'} ${randomUUID()}\n`;
    const root = join(work, 'root');
    await mkdir(join(root, 'etc'), { recursive: true });
    await writeFile(join(root, MARKER_PATH.slice(1)), marker);
    await writeFile(join(root, 'etc', 'hostname'), 'ingot-demo\n');
    const fsSizeMiB = sizeMiB - 2;
    const fs = join(work, 'root.ext4');
    await run('mkfs.ext4', ['-q', '-F', '-L', 'ingot-root', '-d', root, fs, `${fsSizeMiB}M`]);
    const raw = join(dir, 'demo-disk.raw');
    await rm(raw, { force: true });
    const fh = await open(raw, 'w');
    await fh.truncate(sizeMiB * MiB);
    await fh.close();
    // Partition 1 from sector 2048 (1 MiB) for fsSizeMiB; the GPT backup takes the end.
    await run('sgdisk', ['-n', `1:2048:+${fsSizeMiB}M`, '-t', '1:8300', '-c', '1:ingot-root', raw]);
    // Copy the filesystem into the partition without truncating the disk file.
    await run('dd', [`if=${fs}`, `of=${raw}`, 'bs=1M', 'seek=1', 'conv=notrunc,sparse', 'status=none']);
    const qcow2 = join(dir, 'demo-disk.qcow2');
    await rm(qcow2, { force: true });
    await run('qemu-img', ['convert', '-f', 'raw', '-O', 'qcow2', raw, qcow2]);
    return {
      raw, qcow2, rawSize: (await stat(raw)).size,
      rawSha256: await sha256File(raw), qcow2Sha256: await sha256File(qcow2), marker,
    };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** First partition's start and size in bytes, read with `sgdisk -i 1`. */
async function firstPartition(disk: string): Promise<{ start: number; size: number }> {
  const { stdout } = await run('sgdisk', ['-i', '1', disk]);
  const first = /First sector: (\d+)/.exec(stdout);
  const last = /Last sector: (\d+)/.exec(stdout);
  if (!first || !last) throw new Error(`no partition 1 in the GPT of ${disk}: ${stdout.trim().split('\n').pop()}`);
  const start = Number(first[1]) * 512;
  return { start, size: (Number(last[1]) - Number(first[1]) + 1) * 512 };
}

/** The marker text in the ext4 filesystem of `disk`'s first GPT partition, or null if absent. */
export async function readMarker(disk: string): Promise<string | null> {
  let part: { start: number; size: number };
  try {
    part = await firstPartition(disk);
  } catch {
    return null;
  }
  const work = await mkdtemp(join(tmpdir(), 'ingot-marker-'));
  try {
    const fs = join(work, 'part');
    await run('dd', [`if=${disk}`, `of=${fs}`, 'bs=1M', `skip=${part.start / MiB}`, `count=${Math.ceil(part.size / MiB)}`, 'status=none']);
    const { stdout } = await run('debugfs', ['-R', `cat ${MARKER_PATH}`, fs]);
    return stdout.length ? stdout : null;
  } catch {
    return null;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/**
 * Compare bytes `from`…`length` of `disk` with the same range of `image` (a raw image),
 * streamed. Returns the offset of the first difference (= length when equal).
 */
export async function compareBytes(disk: string, image: string, length: number, from = 0): Promise<number> {
  const a = await open(disk, 'r');
  const b = await open(image, 'r');
  try {
    const bufA = Buffer.alloc(MiB);
    const bufB = Buffer.alloc(MiB);
    let off = from;
    while (off < length) {
      const n = Math.min(MiB, length - off);
      const ra = await a.read(bufA, 0, n, off);
      const rb = await b.read(bufB, 0, n, off);
      if (ra.bytesRead !== n || rb.bytesRead !== n) return off + Math.min(ra.bytesRead, rb.bytesRead);
      const c = bufA.subarray(0, n).compare(bufB.subarray(0, n));
      if (c !== 0) {
        for (let i = 0; i < n; i++) if (bufA[i] !== bufB[i]) return off + i;
      }
      off += n;
    }
    return length;
  } finally {
    await a.close();
    await b.close();
  }
}

/**
 * A config drive as Nova/Ironic hand it over: an ISO 9660 volume labelled `config-2` with
 * `openstack/latest/meta_data.json` (and user data), gzipped and base64-encoded.
 */
export async function buildConfigDrive(meta: { uuid: string; hostname: string }, userData: string): Promise<string> {
  await need('xorriso');
  const work = await mkdtemp(join(tmpdir(), 'ingot-configdrive-'));
  try {
    const latest = join(work, 'root', 'openstack', 'latest');
    await mkdir(latest, { recursive: true });
    await writeFile(join(latest, 'meta_data.json'), JSON.stringify({ uuid: meta.uuid, hostname: meta.hostname, name: meta.hostname }));
    await writeFile(join(latest, 'user_data'), userData);
    const iso = join(work, 'cd.iso');
    await run('xorriso', ['-as', 'mkisofs', '-quiet', '-o', iso, '-V', 'config-2', '-J', '-R', join(work, 'root')]);
    return gzipSync(await readFile(iso)).toString('base64');
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** The ISO 9660 volume identifier of a filesystem starting at `offset` in `file`, or null. */
export async function isoVolumeId(file: string, offset: number): Promise<string | null> {
  const fh = await open(file, 'r');
  try {
    const pvd = Buffer.alloc(72);
    const { bytesRead } = await fh.read(pvd, 0, pvd.length, offset + 16 * 2048);
    if (bytesRead < pvd.length || pvd[0] !== 1 || pvd.subarray(1, 6).toString('latin1') !== 'CD001') return null;
    return pvd.subarray(40, 72).toString('latin1').trim();
  } finally {
    await fh.close();
  }
}
