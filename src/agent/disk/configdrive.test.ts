/**
 * Config drives on sparse disk files with real sgdisk / parted / sfdisk / blkid:
 * a new partition at the end of a GPT disk and of an MBR disk, an existing
 * `config-2` partition reused, the 64 MiB limit, an MBR with 4 primaries refused.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { gzipSync } from 'node:zlib';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { LabMachine } from '../hardware/lab.ts';
import { makeMachine, readRange, requireTools, serveFiles } from '../test-support.ts';
import { writeConfigDrive, decodeConfigDrive } from './configdrive.ts';
import { readPartitionTable } from './partitions.ts';
import { AgentError } from '../errors.ts';

const MiB = 1024 * 1024;
const sh = (cmd: string, args: string[]) => execFileSync(cmd, args, { encoding: 'utf8' });

/** A small ISO9660 image labelled config-2, as Ironic builds config drives. */
function makeIso(dir: string): Buffer {
  const src = join(dir, 'cd');
  execFileSync('mkdir', ['-p', join(src, 'openstack', 'latest')]);
  execFileSync('sh', ['-c', `echo '{"uuid": "n1"}' > ${join(src, 'openstack', 'latest', 'meta_data.json')}`]);
  const iso = join(dir, 'cd.iso');
  execFileSync('xorriso', ['-as', 'mkisofs', '-quiet', '-V', 'config-2', '-J', '-r', '-o', iso, src], { stdio: 'ignore' });
  return execFileSync('cat', [iso], { maxBuffer: 64 * MiB });
}

const encode = (b: Buffer) => gzipSync(b).toString('base64');

test('GPT disk: a new partition at the end, the config drive written into it', async (t) => {
  requireTools('sgdisk', 'sfdisk', 'blkid', 'xorriso');
  const m = await makeMachine([256 * MiB]);
  t.after(() => m.close());
  const disk = (await new LabMachine(m.desc).disks())[0]!;
  sh('sgdisk', ['-n', '1:2048:+32M', '-t', '1:8300', disk.path]);
  const iso = makeIso(m.dir);
  const name = await writeConfigDrive(disk, encode(iso), 'n1', () => {});
  assert.equal(name, '/dev/sda2');
  const table = await readPartitionTable(disk.path);
  assert.equal(table?.label, 'gpt');
  const p2 = table!.partitions.find((p) => p.number === 2)!;
  assert.ok(p2.offset + p2.size > 256 * MiB - 2 * MiB, 'at the end of the disk');
  assert.ok(p2.size >= 64 * MiB && p2.size <= 66 * MiB, `sgdisk's -64MB partition (got ${p2.size})`);
  assert.match(sh('sgdisk', ['-p', disk.path]), /^\s+2\s+\d+\s+\d+/m);
  const label = sh('blkid', ['-p', '-o', 'value', '-s', 'LABEL', '-O', String(p2.offset), disk.path]).trim();
  assert.equal(label, 'config-2');
  assert.ok((await readRange(disk.path, p2.offset, iso.length)).equals(iso));
});

test('MBR disk: parted makes a primary partition at the end; an existing config-2 partition is reused', async (t) => {
  requireTools('parted', 'sfdisk', 'blkid', 'xorriso');
  const m = await makeMachine([128 * MiB]);
  t.after(() => m.close());
  const disk = (await new LabMachine(m.desc).disks())[0]!;
  sh('parted', ['-s', disk.path, 'mklabel', 'msdos', 'mkpart', 'primary', 'ext4', '1MiB', '20MiB']);
  const iso = makeIso(m.dir);
  assert.equal(await writeConfigDrive(disk, encode(iso), 'n1', () => {}), '/dev/sda2');
  const table = await readPartitionTable(disk.path);
  assert.equal(table?.label, 'dos');
  assert.equal(table!.partitions.length, 2);
  const p2 = table!.partitions[1]!;
  assert.ok(p2.offset >= 128 * MiB - 65 * MiB, 'near the end');
  assert.equal(sh('blkid', ['-p', '-o', 'value', '-s', 'LABEL', '-O', String(p2.offset), disk.path]).trim(), 'config-2');
  // Again: the existing config-2 partition is reused, no third partition.
  const logs: string[] = [];
  assert.equal(await writeConfigDrive(disk, encode(iso), 'n1', (l) => logs.push(l)), '/dev/sda2');
  assert.equal((await readPartitionTable(disk.path))!.partitions.length, 2);
  assert.match(logs.join('\n'), /Reusing config drive partition/);
});

test('MBR disk with 4 primary partitions and no config-2: refused with a clear message', async (t) => {
  requireTools('parted', 'sfdisk');
  const m = await makeMachine([128 * MiB]);
  t.after(() => m.close());
  const disk = (await new LabMachine(m.desc).disks())[0]!;
  sh('parted', ['-s', disk.path, 'mklabel', 'msdos', 'mkpart', 'primary', '1MiB', '10MiB', 'mkpart', 'primary', '10MiB', '20MiB',
    'mkpart', 'primary', '20MiB', '30MiB', 'mkpart', 'primary', '30MiB', '40MiB']);
  await assert.rejects(writeConfigDrive(disk, encode(randomBytes(1000)), 'n1', () => {}),
    (e: unknown) => e instanceof AgentError && /uses MBR partitioning and already has 4 primary partitions/.test(e.details));
});

test('config drive decoding: gzip+base64, plain base64, URL; over 64 MiB refused', async (t) => {
  const data = randomBytes(4096);
  assert.ok((await decodeConfigDrive(encode(data), 'n1')).equals(data));
  assert.ok((await decodeConfigDrive(data.toString('base64'), 'n1')).equals(data));
  const files = await serveFiles({ '/cd': encode(data) });
  t.after(() => files.close());
  assert.ok((await decodeConfigDrive(`${files.url}/cd`, 'n1')).equals(data));
  const big = Buffer.alloc(65 * MiB);
  await assert.rejects(decodeConfigDrive(encode(big), 'n1'), (e: unknown) => e instanceof AgentError && /exceeds maximum limit of 64MiB/.test(e.details));
  await assert.rejects(decodeConfigDrive('not base64 !!', 'n1'), (e: unknown) => e instanceof AgentError && /not base64/.test(e.details));
});

test('prepare_image with a GPT image smaller than the disk: backup GPT moved to the end, config drive added', async (t) => {
  requireTools('sgdisk', 'sfdisk', 'blkid', 'xorriso');
  const { testAgent } = await import('../test-support.ts');
  const { createHash } = await import('node:crypto');
  const { readFileSync } = await import('node:fs');
  const m = await makeMachine([128 * MiB]);
  const imgPath = join(m.dir, 'gpt.img');
  execFileSync('truncate', ['-s', String(16 * MiB), imgPath]);
  sh('sgdisk', ['-n', '1:2048:0', '-t', '1:8300', imgPath]);
  const image = readFileSync(imgPath);
  const files = await serveFiles({ '/gpt.img': image });
  t.after(async () => { await files.close(); await m.close(); });
  const a = testAgent(new LabMachine(m.desc));
  a.ctx.node = { uuid: 'n1', instance_info: {}, properties: { root_device: { name: '/dev/sda' } } };
  const iso = makeIso(m.dir);
  const r = await a.executor.execute('standby.prepare_image', {
    image_info: { id: 'gpt.img', urls: [`${files.url}/gpt.img`], disk_format: 'raw', stream_raw_images: true, os_hash_algo: 'sha256', os_hash_value: createHash('sha256').update(image).digest('hex') },
    configdrive: encode(iso),
  });
  await r.done;
  assert.equal(r.status, 'SUCCEEDED', JSON.stringify(r.toJSON().command_error));
  const disk = m.desc.disks[0]!.path;
  assert.match(sh('sgdisk', ['-v', disk]), /No problems found/);
  const table = await readPartitionTable(disk);
  assert.equal(table!.partitions.length, 2);
  const p1 = table!.partitions[0]!;
  assert.ok((await readRange(disk, p1.offset, p1.size)).equals(image.subarray(p1.offset, p1.offset + p1.size)), 'partition 1 holds the image\'s bytes');
  assert.equal(sh('blkid', ['-p', '-o', 'value', '-s', 'LABEL', '-O', String(table!.partitions[1]!.offset), disk]).trim(), 'config-2');
});

test('a disk without a partition table gets no config drive (the image would be overwritten)', async (t) => {
  requireTools('sfdisk');
  const m = await makeMachine([128 * MiB]);
  t.after(() => m.close());
  const disk = (await new LabMachine(m.desc).disks())[0]!;
  await assert.rejects(writeConfigDrive(disk, encode(randomBytes(100)), 'n1', () => {}),
    (e: unknown) => e instanceof AgentError && /has no partition table/.test(e.details));
  assert.ok((await readRange(disk.path, 0, 4096)).every((b) => b === 0), 'nothing written');
});
