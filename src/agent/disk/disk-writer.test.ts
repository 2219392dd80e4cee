/**
 * DiskWriter on real files: bytes land in place byte for byte whatever the chunking and the
 * length (aligned or not), the file keeps its size and its bytes past the image, the caller
 * is told to wait when both buffers are busy, and ordinary writes work where direct I/O is
 * off or refused.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DiskWriter, WRITE_BUFFER } from './disk-writer.ts';

const MiB = 1024 * 1024;

function disk(t: { after(fn: () => void): void }, size: number, dir = tmpdir()): string {
  const d = mkdtempSync(join(dir, 'ingot-disk-writer-'));
  t.after(() => rmSync(d, { recursive: true, force: true }));
  const path = join(d, 'disk0.img');
  writeFileSync(path, Buffer.alloc(size, 0xee));
  return path;
}

async function writeAll(path: string, data: Buffer, chunk: number, direct?: boolean): Promise<{ bytes: number; direct: boolean }> {
  const w = await DiskWriter.open(path, direct === undefined ? {} : { direct });
  try {
    for (let off = 0; off < data.length; off += chunk) {
      const p = w.write(data.subarray(off, off + chunk));
      if (p) await p;
    }
    return { bytes: await w.finish(), direct: w.direct };
  } finally {
    await w.close();
  }
}

test('any length, any chunking: the bytes land in place and nothing past them changes', async (t) => {
  const size = 24 * MiB;
  for (const [len, chunk] of [[0, 65536], [1, 1], [4095, 1000], [4096, 4096], [WRITE_BUFFER, 65536], [WRITE_BUFFER + 1, 65536],
    [9 * MiB + 123, 65536], [9 * MiB + 123, 9 * MiB + 123], [2 * WRITE_BUFFER, 3 * MiB], [5 * MiB + 4096, 7 * MiB]] as const) {
    const path = disk(t, size);
    const data = randomBytes(len);
    const r = await writeAll(path, data, chunk);
    assert.equal(r.bytes, len, `${len} bytes in chunks of ${chunk}`);
    const back = readFileSync(path);
    assert.equal(back.length, size, 'the disk keeps its size');
    assert.ok(back.subarray(0, len).equals(data), `${len} bytes in chunks of ${chunk}: written byte for byte`);
    assert.ok(back.subarray(len).every((b) => b === 0xee), `${len} bytes: nothing written past the image`);
  }
});

test('direct I/O where the file system has it, ordinary writes when asked or refused', async (t) => {
  const data = randomBytes(6 * MiB + 7);
  const path = disk(t, 16 * MiB);
  const d = await writeAll(path, data, 65536);
  // /tmp here is ext4 (the lab's disks live there); elsewhere direct may be off, the bytes are right either way.
  assert.ok(readFileSync(path).subarray(0, data.length).equals(data));
  t.diagnostic(`direct I/O on ${tmpdir()}: ${d.direct}`);
  const p2 = disk(t, 16 * MiB);
  const o = await writeAll(p2, data, 65536, false);
  assert.equal(o.direct, false, 'direct: false gives ordinary writes');
  assert.ok(readFileSync(p2).subarray(0, data.length).equals(data));
  if (existsSync('/dev/shm') && statSync('/dev/shm').isDirectory()) {
    // Another file system (tmpfs: O_DIRECT refused by older kernels, taken by newer ones).
    const p3 = disk(t, 16 * MiB, '/dev/shm');
    const s = await writeAll(p3, data, 65536);
    assert.ok(readFileSync(p3).subarray(0, data.length).equals(data), 'tmpfs: written byte for byte');
    t.diagnostic(`direct I/O on /dev/shm: ${s.direct}`);
  }
});

test('the caller waits when both buffers are busy; at most two buffers of the image in memory', async (t) => {
  const path = disk(t, 16 * MiB);
  const w = await DiskWriter.open(path);
  t.after(() => w.close());
  const a = randomBytes(WRITE_BUFFER);
  const b = randomBytes(WRITE_BUFFER);
  const c = randomBytes(100);
  assert.equal(w.write(a), null, 'the first full buffer is being written; the other one takes the next bytes');
  assert.equal(w.write(b), null, 'the second buffer is full; its bytes are held');
  const wait = w.write(c);
  assert.ok(wait instanceof Promise, 'both buffers are busy: the caller must wait before more bytes');
  await wait;
  assert.equal(await w.finish(), 2 * WRITE_BUFFER + 100);
  assert.ok(readFileSync(path).subarray(0, 2 * WRITE_BUFFER + 100).equals(Buffer.concat([a, b, c])));
});

test('a write error reaches the caller (/dev/full: every write fails with ENOSPC)', async (t) => {
  if (!existsSync('/dev/full')) { t.skip('no /dev/full'); return; }
  const full = await DiskWriter.open('/dev/full', { direct: false });
  try {
    const feed = async () => {
      for (let i = 0; i < 3; i++) await (full.write(randomBytes(WRITE_BUFFER)) ?? Promise.resolve());
      await full.finish();
    };
    await assert.rejects(feed(), (e: NodeJS.ErrnoException) => e.code === 'ENOSPC');
  } finally {
    await full.close();
  }
});
