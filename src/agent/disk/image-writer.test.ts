/**
 * Image writes through the agent's commands, with real HTTP, real qemu-img and sparse
 * disk files: raw streamed byte for byte, qcow2 converted, checksums (sha256, sha512,
 * md5, checksum URLs) good and bad, backing files refused, an image too large for the
 * disk refused, a download cut mid-way retried, then failed cleanly.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { writeFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { LabMachine } from '../hardware/lab.ts';
import { makeMachine, readRange, requireTools, serveFiles, testAgent } from '../test-support.ts';
import type { CommandResult } from '../commands/executor.ts';

const MiB = 1024 * 1024;
const hash = (algo: string, b: Buffer) => createHash(algo).update(b).digest('hex');

async function setup(diskMiB = 32) {
  requireTools('qemu-img', 'blkid', 'sgdisk');
  const m = await makeMachine([diskMiB * MiB]);
  const agent = testAgent(new LabMachine(m.desc));
  agent.ctx.node = { uuid: 'n1', instance_info: {}, properties: { root_device: { name: '/dev/sda' } } };
  return { m, ...agent, disk: m.desc.disks[0]!.path };
}

async function prepare(executor: ReturnType<typeof testAgent>['executor'], imageInfo: Record<string, unknown>, configdrive: string | null = null): Promise<CommandResult> {
  const r = await executor.execute('standby.prepare_image', { image_info: imageInfo, configdrive });
  assert.equal(r.status, 'RUNNING', 'prepare_image is asynchronous');
  await r.done;
  return r;
}

test('raw image streamed onto the disk byte for byte (sha256)', async (t) => {
  const s = await setup();
  const image = randomBytes(5 * MiB + 123);
  const files = await serveFiles({ '/img.raw': image });
  t.after(async () => { await files.close(); await s.m.close(); });
  const r = await prepare(s.executor, {
    id: 'img.raw', urls: [`${files.url}/img.raw`], disk_format: 'raw', stream_raw_images: true,
    os_hash_algo: 'sha256', os_hash_value: hash('sha256', image), node_uuid: 'n1',
  });
  assert.equal(r.status, 'SUCCEEDED', JSON.stringify(r.toJSON().command_error));
  const root = `0x${image.readUInt32LE(440).toString(16).padStart(8, '0')}`;
  assert.deepEqual(r.toJSON().command_result, { result: `prepare_image: image (img.raw) written to device /dev/sda root_uuid=${root}` });
  assert.ok((await readRange(s.disk, 0, image.length)).equals(image));
  assert.equal((await stat(s.disk)).size, 32 * MiB, 'the disk file keeps its size');
  const uuids = await s.executor.execute('standby.get_partition_uuids', {});
  assert.deepEqual(uuids.toJSON().command_result, { 'root uuid': root });
});

test('checksum mismatch: the command FAILS with an error naming the checksum, after the retries', async (t) => {
  const s = await setup();
  const image = randomBytes(MiB);
  const files = await serveFiles({ '/img.raw': image });
  t.after(async () => { await files.close(); await s.m.close(); });
  const wrong = hash('sha256', Buffer.from('something else'));
  const r = await prepare(s.executor, { id: 'img.raw', urls: [`${files.url}/img.raw`], disk_format: 'raw', stream_raw_images: true, os_hash_algo: 'sha256', os_hash_value: wrong });
  const j = r.toJSON();
  assert.equal(j.command_status, 'FAILED');
  assert.equal(j.command_error?.type, 'ImageChecksumError');
  assert.match(j.command_error!.details, new RegExp(`image checksum: ${wrong}; verification checksum: ${hash('sha256', image)}`));
  assert.equal(files.hits.get('/img.raw'), 3, 'IPA retries a checksum failure (2 retries)');
});

test('sha512 via os_hash, md5 and sha512 via the legacy checksum, and a checksum URL', async (t) => {
  const s = await setup();
  const image = randomBytes(2 * MiB);
  const files = await serveFiles({
    '/img.raw': image,
    '/SHA256SUMS': `${hash('sha256', Buffer.from('x'))}  other.raw\n${hash('sha256', image)} *img.raw\n`,
  });
  t.after(async () => { await files.close(); await s.m.close(); });
  const base = { id: 'img.raw', urls: [`${files.url}/img.raw`], disk_format: 'raw', stream_raw_images: true };
  for (const extra of [
    { os_hash_algo: 'sha512', os_hash_value: hash('sha512', image) },
    { checksum: hash('md5', image) },
    { checksum: hash('sha512', image) },
    { checksum: `${files.url}/SHA256SUMS` },
  ]) {
    const r = await prepare(s.executor, { ...base, ...extra });
    assert.equal(r.status, 'SUCCEEDED', `${JSON.stringify(extra)}: ${JSON.stringify(r.toJSON().command_error)}`);
  }
  s.ctx.download.md5Allowed = false;
  const r = await prepare(s.executor, { ...base, checksum: hash('md5', image) });
  assert.equal(r.status, 'FAILED');
  assert.match(r.toJSON().command_error!.details, /MD5 is disabled/);
});

test('image_info without a checksum or urls is a 400 before anything runs', async (t) => {
  const s = await setup();
  t.after(() => s.m.close());
  await assert.rejects(s.executor.execute('standby.prepare_image', { image_info: { id: 'x', urls: ['http://h/x'] } }),
    (e: { code?: number; details?: string }) => e.code === 400 && /checksum is not available/.test(e.details ?? ''));
  await assert.rejects(s.executor.execute('standby.prepare_image', { image_info: { id: 'x', urls: [] , checksum: 'a' } }),
    (e: { code?: number }) => e.code === 400);
  assert.equal(s.executor.list().length, 0, 'refused commands are not recorded');
});

test('a download cut mid-way is retried and succeeds; cut every time it fails cleanly', async (t) => {
  const s = await setup();
  const image = randomBytes(3 * MiB);
  const files = await serveFiles({ '/img.raw': image });
  t.after(async () => { await files.close(); await s.m.close(); });
  const info = { id: 'img.raw', urls: [`${files.url}/img.raw`], disk_format: 'raw', stream_raw_images: true, os_hash_algo: 'sha256', os_hash_value: hash('sha256', image) };
  files.cut.set('/img.raw', { after: MiB, times: 1 });
  const ok = await prepare(s.executor, info);
  assert.equal(ok.status, 'SUCCEEDED', JSON.stringify(ok.toJSON().command_error));
  assert.equal(files.hits.get('/img.raw'), 2);
  assert.ok((await readRange(s.disk, 0, image.length)).equals(image));

  files.hits.clear();
  files.cut.set('/img.raw', { after: MiB, times: 99 });
  const bad = await prepare(s.executor, info);
  const j = bad.toJSON();
  assert.equal(j.command_status, 'FAILED');
  assert.equal(j.command_error?.type, 'ImageDownloadError');
  assert.match(j.command_error!.details, /Download of image img.raw failed/);
  assert.equal(files.hits.get('/img.raw'), 3, 'first try + 2 retries');
});

test('an image larger than the disk is refused before writing', async (t) => {
  const s = await setup(4);
  const image = randomBytes(5 * MiB);
  const files = await serveFiles({ '/big.raw': image });
  t.after(async () => { await files.close(); await s.m.close(); });
  const r = await prepare(s.executor, { id: 'big.raw', urls: [`${files.url}/big.raw`], disk_format: 'raw', stream_raw_images: true, os_hash_algo: 'sha256', os_hash_value: hash('sha256', image) });
  assert.equal(r.status, 'FAILED');
  assert.match(r.toJSON().command_error!.details, /does not fit on the install device \/dev\/sda \(4194304 bytes\)/);
  assert.ok((await readRange(s.disk, 0, MiB)).every((b) => b === 0), 'nothing written');
  assert.equal((await stat(s.disk)).size, 4 * MiB);
});

test('qcow2 converted with qemu-img; backing files and disguised formats refused', async (t) => {
  const s = await setup();
  const raw = randomBytes(3 * MiB);
  const rawPath = join(s.m.dir, 'src.raw');
  await writeFile(rawPath, raw);
  const qcow = join(s.m.dir, 'src.qcow2');
  execFileSync('qemu-img', ['convert', '-f', 'raw', '-O', 'qcow2', rawPath, qcow]);
  const overlay = join(s.m.dir, 'overlay.qcow2');
  execFileSync('qemu-img', ['create', '-f', 'qcow2', '-F', 'qcow2', '-b', qcow, overlay]);
  const { readFileSync } = await import('node:fs');
  const qbytes = readFileSync(qcow);
  const files = await serveFiles({ '/img.qcow2': { file: qcow }, '/overlay.qcow2': { file: overlay } });
  t.after(async () => { await files.close(); await s.m.close(); });

  const r = await prepare(s.executor, { id: 'img.qcow2', urls: [`${files.url}/img.qcow2`], disk_format: 'qcow2', stream_raw_images: true, os_hash_algo: 'sha256', os_hash_value: hash('sha256', qbytes) });
  assert.equal(r.status, 'SUCCEEDED', JSON.stringify(r.toJSON().command_error));
  assert.ok((await readRange(s.disk, 0, raw.length)).equals(raw), 'the converted image is on the disk byte for byte');
  assert.equal((await stat(s.disk)).size, 32 * MiB);

  const ob = readFileSync(overlay);
  const b = await prepare(s.executor, { id: 'overlay', urls: [`${files.url}/overlay.qcow2`], disk_format: 'qcow2', os_hash_algo: 'sha256', os_hash_value: hash('sha256', ob) });
  assert.equal(b.status, 'FAILED');
  assert.match(b.toJSON().command_error!.details, /has a backing file/);

  const d = await prepare(s.executor, { id: 'img.qcow2', urls: [`${files.url}/img.qcow2`], disk_format: 'raw', stream_raw_images: true, os_hash_algo: 'sha256', os_hash_value: hash('sha256', qbytes) });
  assert.equal(d.status, 'FAILED');
  assert.match(d.toJSON().command_error!.details, /declared raw but its content is qcow2/);

  const p = await prepare(s.executor, { id: 'img.vmdk', urls: [`${files.url}/img.qcow2`], disk_format: 'vmdk', os_hash_algo: 'sha256', os_hash_value: 'x' });
  assert.match(p.toJSON().command_error!.details, /format vmdk .* is not permitted/);
});

test('write_image deploy step answers as IPA, echoing the step', async (t) => {
  const s = await setup();
  const image = randomBytes(MiB);
  const files = await serveFiles({ '/i.raw': image });
  t.after(async () => { await files.close(); await s.m.close(); });
  const step = { interface: 'deploy', step: 'write_image', args: { image_info: { id: 'i.raw', urls: [`${files.url}/i.raw`], disk_format: 'raw', stream_raw_images: true, os_hash_algo: 'sha256', os_hash_value: hash('sha256', image) }, configdrive: null } };
  const r = await s.executor.execute('deploy.execute_deploy_step', { step, node: s.ctx.node, ports: [], deploy_version: { generic_hardware_manager: '1.1' } });
  await r.done;
  const j = r.toJSON();
  assert.equal(j.command_status, 'SUCCEEDED', JSON.stringify(j.command_error));
  assert.equal(j.command_name, 'execute_deploy_step');
  assert.deepEqual((j.command_result as { deploy_step: unknown }).deploy_step, step);
  assert.match((j.command_result as { deploy_result: { result: string } }).deploy_result.result, /^prepare_image: image \(i.raw\) written to device \/dev\/sda root_uuid=0x[0-9a-f]{8}$/);
});
