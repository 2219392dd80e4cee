import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync, openSync, writeSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildDemoImage, compareBytes, readMarker } from './demo-image.ts';

test('demo image: GPT + ext4 marker, raw and qcow2 hold the same disk', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'demo-image-test-'));
  try {
    const img = await buildDemoImage(dir, { sizeMiB: 12, name: 't' });
    assert.equal(img.rawSize, 12 * 1024 * 1024);
    assert.match(img.marker, /^Ingot demo image t /);
    assert.equal(await readMarker(img.raw), img.marker);
    // qcow2 → raw with qemu-img gives back the same bytes.
    const back = join(dir, 'back.raw');
    execFileSync('qemu-img', ['convert', '-f', 'qcow2', '-O', 'raw', img.qcow2, back]);
    assert.equal(await compareBytes(back, img.raw, img.rawSize), img.rawSize);
    // A copy with one byte changed inside the filesystem is caught at that offset.
    const bad = join(dir, 'bad.raw');
    copyFileSync(img.raw, bad);
    const fd = openSync(bad, 'r+');
    writeSync(fd, Buffer.from([0xff]), 0, 1, 5 * 1024 * 1024 + 3);
    closeSync(fd);
    assert.equal(await compareBytes(bad, img.raw, img.rawSize), 5 * 1024 * 1024 + 3);
    // A blank disk has no marker.
    const blank = join(dir, 'blank.raw');
    writeFileSync(blank, Buffer.alloc(4 * 1024 * 1024));
    assert.equal(await readMarker(blank), null);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
