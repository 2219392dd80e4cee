/**
 * Sequential writing of a byte stream onto a disk (a block device, or a lab machine's disk
 * file) from offset 0, as an image is downloaded.
 *
 * Contracts:
 * - `write(chunk)` copies the chunk into one of two 4 MiB buffers; a full buffer is written
 *   with one positional write while the other fills. It returns a promise only when the
 *   caller must wait (both buffers busy): at most 8 MiB of the image is ever in memory.
 * - Writes bypass the page cache (`O_DIRECT`) when the device accepts it: the bytes go
 *   from the buffer to the device with no copy into the page cache and no write-back of
 *   gigabytes of dirty pages later (the copy and the write-back cost more CPU than the
 *   write itself; 16 machines deployed from one host write 8 GiB at once). The buffers are
 *   page-aligned for it (`alignedBuffers`). A file system that refuses `O_DIRECT` (tmpfs,
 *   some FUSE), or a direct write the device refuses, falls back to ordinary writes.
 * - `finish()` writes what is left: the 4 KiB-aligned part directly, the last partial
 *   block through an ordinary descriptor, then fsyncs (the device's cache too), so the
 *   image is durable when it returns, as IPA's fsync after writing makes it. Returns the
 *   bytes written.
 * - `close()` releases the descriptors (always call it, also after an error).
 */
import { constants, type promises as fsp } from 'node:fs';
import { open } from 'node:fs/promises';

export const WRITE_BUFFER = 4 * 1024 * 1024;
/** Alignment of direct writes' offsets and lengths (covers 512-byte and 4Kn devices). */
const ALIGN = 4096;

type FileHandle = fsp.FileHandle;

/**
 * Two WRITE_BUFFER-long buffers at page-aligned addresses, as direct I/O needs. Node has
 * no aligned allocation (a Buffer's memory comes from malloc, 16-byte aligned), but a
 * WebAssembly memory is mapped whole pages at a time; a device that still refuses a
 * direct write from it gets ordinary writes (see `writeAt`).
 */
function alignedBuffers(): Buffer[] {
  // (The project's TypeScript lib has no WebAssembly values; Node 20 has them.)
  const wasm = (globalThis as unknown as { WebAssembly: { Memory: new (d: { initial: number; maximum: number }) => { buffer: ArrayBuffer } } }).WebAssembly;
  const mem = new wasm.Memory({ initial: (2 * WRITE_BUFFER) / 65536, maximum: (2 * WRITE_BUFFER) / 65536 });
  return [Buffer.from(mem.buffer, 0, WRITE_BUFFER), Buffer.from(mem.buffer, WRITE_BUFFER, WRITE_BUFFER)];
}

export class DiskWriter {
  private bufs: Buffer[];
  private cur = 0;
  private fill = 0;
  private pos = 0;
  /** The write of the other buffer, until it is done (a failed one stays, to be reported). */
  private inFlight: Promise<void> | null = null;
  private plain: FileHandle | null = null;

  private constructor(private readonly path: string, private fh: FileHandle, private isDirect: boolean, bufs: Buffer[]) {
    this.bufs = bufs;
  }

  /** True while writes bypass the page cache. */
  get direct(): boolean { return this.isDirect; }

  /** Bytes handed to `write` so far. */
  get bytes(): number { return this.pos + this.fill; }

  /** Opens `path` for writing in place (no truncation), direct when the device allows it. */
  static async open(path: string, opts: { direct?: boolean } = {}): Promise<DiskWriter> {
    if (opts.direct !== false && constants.O_DIRECT) {
      try {
        return new DiskWriter(path, await open(path, constants.O_RDWR | constants.O_DIRECT), true, alignedBuffers());
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EINVAL') throw err;
        // This file system has no O_DIRECT: ordinary writes below.
      }
    }
    return new DiskWriter(path, await open(path, 'r+'), false, [Buffer.allocUnsafeSlow(WRITE_BUFFER), Buffer.allocUnsafeSlow(WRITE_BUFFER)]);
  }

  /** Takes `chunk` (copied); a promise when the caller must wait before the next write. */
  write(chunk: Buffer): Promise<void> | null {
    let off = 0;
    while (off < chunk.length) {
      if (this.fill === WRITE_BUFFER) {
        // The current buffer is full. Its write starts once the other buffer's is done:
        // now, or after waiting for it, then the rest of the chunk goes on.
        if (this.inFlight) {
          const rest = chunk.subarray(off);
          return this.inFlight.then(() => { this.startWrite(); return this.write(rest) ?? undefined; });
        }
        this.startWrite();
      }
      const n = Math.min(chunk.length - off, WRITE_BUFFER - this.fill);
      chunk.copy(this.bufs[this.cur]!, this.fill, off, off + n);
      this.fill += n;
      off += n;
      if (this.fill === WRITE_BUFFER && !this.inFlight) this.startWrite();
    }
    return null;
  }

  /** Writes the rest, fsyncs; resolves with the bytes written. */
  async finish(): Promise<number> {
    if (this.inFlight) await this.inFlight;
    if (this.fill === WRITE_BUFFER) {
      this.startWrite();
      await this.inFlight;
    }
    const buf = this.bufs[this.cur]!;
    const aligned = this.isDirect ? this.fill - (this.fill % ALIGN) : this.fill;
    if (aligned > 0) await this.writeAt(buf, 0, aligned, this.pos);
    if (aligned < this.fill) {
      this.plain ??= await open(this.path, 'r+');
      await writeAll(this.plain, buf, aligned, this.fill - aligned, this.pos + aligned);
      await this.plain.sync();
    }
    this.pos += this.fill;
    this.fill = 0;
    await this.fh.sync();
    return this.pos;
  }

  async close(): Promise<void> {
    await this.inFlight?.catch(() => undefined);
    await this.fh.close().catch(() => undefined);
    await this.plain?.close().catch(() => undefined);
  }

  /** Starts writing the (full) current buffer and switches to the other one. */
  private startWrite(): void {
    const at = this.pos;
    const p: Promise<void> = this.writeAt(this.bufs[this.cur]!, 0, WRITE_BUFFER, at)
      .then(() => { if (this.inFlight === p) this.inFlight = null; });
    p.catch(() => undefined);
    this.inFlight = p;
    this.pos += WRITE_BUFFER;
    this.fill = 0;
    this.cur ^= 1;
  }

  private async writeAt(buf: Buffer, off: number, len: number, at: number): Promise<void> {
    if (this.isDirect) {
      try {
        await writeAll(this.fh, buf, off, len, at);
        return;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EINVAL') throw err;
        // The device refused this direct write: from here on, ordinary writes.
        await this.fh.close().catch(() => undefined);
        this.fh = await open(this.path, 'r+');
        this.isDirect = false;
      }
    }
    await writeAll(this.fh, buf, off, len, at);
  }
}

async function writeAll(fh: FileHandle, buf: Buffer, off: number, len: number, at: number): Promise<void> {
  let done = 0;
  while (done < len) {
    const { bytesWritten } = await fh.write(buf, off + done, len - done, at + done);
    if (bytesWritten <= 0) throw Object.assign(new Error(`short write at byte ${at + done}`), { code: 'EIO' });
    done += bytesWritten;
  }
}
