/**
 * Interop: the real Ironic 21.4 conductor deploys whole-disk raw images (MBR; GPT with a
 * config drive; over auto-TLS) through `ingot agent` onto lab machines' sparse disk files,
 * fails a deploy whose checksum does not match (last_error names it), and cleans a
 * disk through it (automated cleaning: erase_devices_metadata, erase_devices), with the setup of
 * ../shared/data/agent-samples/recorded-direct-deploy (manual-management, power fake,
 * management noop, deploy direct, boot pxe with [agent] manage_agent_boot = false,
 * boot mode bios, automated cleaning off, image_download_source = http).
 * The peer runs on free ports in its own temp dir. Skipped only when
 * ../shared/peer/ironic is absent.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import { createHash, randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { request } from 'undici';
import { PEER_DIR } from '../../src/testing/shared-data.ts';
import { startAgent, LabMachine } from '../../src/agent/index.ts';
import { makeMachine, readRange, serveFiles, requireTools } from '../../src/agent/test-support.ts';

const run = promisify(execFile);

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => { const p = (s.address() as { port: number }).port; s.close(() => resolve(p)); });
  });
}

const peerPresent = existsSync(join(PEER_DIR, 'start.sh'));

test('the real Ironic 21.4 conductor deploys images and cleans disks through ingot agent', {
  skip: peerPresent ? false : `skipped: the Ironic peer scripts are absent (${PEER_DIR})`,
  timeout: 420_000,
}, async (t) => {
  requireTools('sfdisk', 'blkid', 'sgdisk');
  const peerDir = await mkdtemp(join(tmpdir(), 'ingot-peer-agent-'));
  const apiPort = await freePort();
  const rpcPort = await freePort();
  const env = { ...process.env, IRONIC_PEER_DIR: peerDir, IRONIC_API_PORT: String(apiPort), IRONIC_RPC_PORT: String(rpcPort),
    IRONIC_EXTRA_CONFIG: join(peerDir, 'extra.ini'), IRONIC_RESET_DB: '1' };
  await writeFile(join(peerDir, 'extra.ini'), [
    '[DEFAULT]', 'enabled_deploy_interfaces = direct,fake,ramdisk', '',
    '[agent]', 'manage_agent_boot = false', 'image_download_source = http', '',
    '[api]', 'ramdisk_heartbeat_timeout = 10', '',
    '[conductor]', 'automated_clean = false', 'deploy_callback_timeout = 300', '',
    '[deploy]', 'default_boot_mode = bios', '',
  ].join('\n'));

  const machine = await makeMachine([64 * 1024 * 1024], { nics: [
    { name: 'eth0', macAddress: '52:54:00:1a:9e:01', ipv4Address: '127.0.0.1', pxe: true, speedMbps: 1000, lldp: [] },
  ] });
  // A 4 MiB raw image with an MBR whose disk signature becomes the root uuid.
  const image = randomBytes(4 * 1024 * 1024);
  image.writeUInt32LE(0x1badf00d, 440);
  image[510] = 0x55; image[511] = 0xaa;
  const files = await serveFiles({ '/disk.raw': image });
  let agent: Awaited<ReturnType<typeof startAgent>> | null = null;
  t.after(async () => {
    await agent?.close();
    await files.close();
    await run('bash', [join(PEER_DIR, 'stop.sh')], { env }).catch(() => {});
    await machine.close();
    await rm(peerDir, { recursive: true, force: true });
  });

  await run('bash', [join(PEER_DIR, 'start.sh')], { env, timeout: 120_000 });
  const api = `http://127.0.0.1:${apiPort}`;
  const call = async (method: 'GET' | 'POST' | 'PUT', path: string, body?: unknown) => {
    const res = await request(`${api}${path}`, {
      method, headers: { 'content-type': 'application/json', 'x-openstack-ironic-api-version': '1.82' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.body.text();
    if (res.statusCode >= 400) throw new Error(`${method} ${path} → ${res.statusCode}: ${text}`);
    return text ? JSON.parse(text) : null;
  };
  const waitState = async (uuid: string, want: string, timeoutS: number) => {
    const end = Date.now() + timeoutS * 1000;
    for (;;) {
      const n = await call('GET', `/v1/nodes/${uuid}`);
      if (n.provision_state === want && !n.target_provision_state) return n;
      if (/failed$/.test(n.provision_state)) throw new Error(`node went to ${n.provision_state}: ${n.last_error}`);
      if (Date.now() > end) throw new Error(`node still ${n.provision_state} after ${timeoutS}s (wanted ${want}); last_error ${n.last_error}`);
      await new Promise((r) => setTimeout(r, 1000));
    }
  };

  /** Enrolls a node for `mac` as in the recording, makes it available, deploys `img` (with `configdrive`). */
  const deploy = async (mac: string, path: string, img: Buffer, configdrive?: string, hashValue?: string) => {
    const node = await call('POST', '/v1/nodes', {
      driver: 'manual-management', deploy_interface: 'direct', power_interface: 'fake', management_interface: 'noop',
      boot_interface: 'pxe', network_interface: 'noop', driver_info: { deploy_forces_oob_reboot: true },
      properties: { capabilities: 'boot_mode:bios', cpu_arch: 'x86_64', root_device: { name: '/dev/sda' } },
      instance_info: { image_source: `${files.url}${path}`, image_os_hash_algo: 'sha256', image_os_hash_value: hashValue ?? createHash('sha256').update(img).digest('hex'), image_disk_format: 'raw' },
    });
    await call('POST', '/v1/ports', { address: mac, node_uuid: node.uuid, pxe_enabled: true });
    await call('PUT', `/v1/nodes/${node.uuid}/states/provision`, { target: 'manage' });
    await waitState(node.uuid, 'manageable', 60);
    await call('PUT', `/v1/nodes/${node.uuid}/states/provision`, { target: 'provide' });
    await waitState(node.uuid, 'available', 60);
    await call('PUT', `/v1/nodes/${node.uuid}/states/provision`, { target: 'active', ...(configdrive ? { configdrive } : {}) });
    return node.uuid as string;
  };

  await t.test('raw MBR image, as in the recording', async () => {
    const uuid = await deploy('52:54:00:1a:9e:01', '/disk.raw', image);
    agent = await startAgent({
      machine: new LabMachine(machine.desc), apiUrls: [api], host: '127.0.0.1', port: 0,
      lookupInterval: 1, lookupTimeout: 120, log: () => {},
    });
    const looked = await agent.ready;
    assert.equal(looked.node.uuid, uuid, 'lookup by MAC found the enrolled node');
    const done = await waitState(uuid, 'active', 240);
    assert.equal(done.last_error, null);

    // The disk file holds the image byte for byte, the rest of the disk untouched (zeros).
    const written = await readRange(machine.desc.disks[0]!.path, 0, image.length);
    assert.ok(written.equals(image), 'the image is on the disk byte for byte');
    const after = await readRange(machine.desc.disks[0]!.path, image.length, 1024 * 1024);
    assert.ok(after.every((b) => b === 0), 'nothing written past the image');
    const cmds = agent.executor.list().map((c) => `${c.name}:${c.status}`);
    assert.deepEqual(cmds, ['get_deploy_steps:SUCCEEDED', 'execute_deploy_step:SUCCEEDED', 'get_partition_uuids:SUCCEEDED', 'sync:SUCCEEDED']);
    assert.deepEqual(agent.ctx.partitionUuids, { 'root uuid': '0x1badf00d' });
    await agent.close();
  });

  await t.test('GPT image with a config drive', async () => {
    requireTools('xorriso', 'truncate');
    const m2 = await makeMachine([128 * 1024 * 1024], { nics: [
      { name: 'eth0', macAddress: '52:54:00:1a:9e:02', ipv4Address: '127.0.0.1', pxe: true, speedMbps: 1000, lldp: [] },
    ] });
    t.after(() => m2.close());
    const gpt = join(m2.dir, 'gpt.img');
    await run('truncate', ['-s', String(16 * 1024 * 1024), gpt]);
    await run('sgdisk', ['-n', '1:2048:0', '-t', '1:8300', gpt]);
    const gptImage = await readFile(gpt);
    files.add('/gpt.raw', gptImage);
    await mkdir(join(m2.dir, 'cd', 'openstack', 'latest'), { recursive: true });
    await writeFile(join(m2.dir, 'cd', 'openstack', 'latest', 'meta_data.json'), '{"uuid": "x"}');
    await run('xorriso', ['-as', 'mkisofs', '-quiet', '-V', 'config-2', '-J', '-r', '-o', join(m2.dir, 'cd.iso'), join(m2.dir, 'cd')]);
    const iso = await readFile(join(m2.dir, 'cd.iso'));
    const uuid = await deploy('52:54:00:1a:9e:02', '/gpt.raw', gptImage, gzipSync(iso).toString('base64'));
    const a2 = await startAgent({ machine: new LabMachine(m2.desc), apiUrls: [api], host: '127.0.0.1', port: 0, lookupInterval: 1, lookupTimeout: 120, log: () => {} });
    t.after(() => a2.close());
    assert.equal((await a2.ready).node.uuid, uuid);
    const done = await waitState(uuid, 'active', 240);
    assert.equal(done.last_error, null);
    const disk = m2.desc.disks[0]!.path;
    const { stdout: verify } = await run('sgdisk', ['-v', disk]);
    assert.match(verify, /No problems found/, 'backup GPT moved to the disk end');
    const table = JSON.parse((await run('sfdisk', ['--json', disk])).stdout).partitiontable;
    assert.equal(table.partitions.length, 2);
    const p1 = table.partitions[0];
    const p1bytes = await readRange(disk, p1.start * 512, p1.size * 512);
    assert.ok(p1bytes.equals(gptImage.subarray(p1.start * 512, (p1.start + p1.size) * 512)), 'partition 1 byte for byte');
    const p2 = table.partitions[1];
    const { stdout: label } = await run('blkid', ['-p', '-o', 'value', '-s', 'LABEL', '-O', String(p2.start * 512), disk]);
    assert.equal(label.trim(), 'config-2');
    assert.ok((await readRange(disk, p2.start * 512, iso.length)).equals(iso), 'the config drive Ironic sent is in partition 2');
  });

  await t.test('auto-TLS: Ironic verifies the agent with the certificate it sent as agent_verify_ca', async () => {
    const m4 = await makeMachine([64 * 1024 * 1024], { nics: [
      { name: 'eth0', macAddress: '52:54:00:1a:9e:04', ipv4Address: '127.0.0.1', pxe: true, speedMbps: 1000, lldp: [] },
    ] });
    t.after(() => m4.close());
    const uuid = await deploy('52:54:00:1a:9e:04', '/disk.raw', image);
    const a4 = await startAgent({ machine: new LabMachine(m4.desc), apiUrls: [api], host: '127.0.0.1', port: 0, autoTls: true, lookupInterval: 1, lookupTimeout: 120, log: () => {} });
    t.after(() => a4.close());
    assert.match(a4.url, /^https:/);
    await a4.ready;
    const done = await waitState(uuid, 'active', 240);
    assert.equal(done.last_error, null);
    // Ironic reached the HTTPS command API (verifying it with the PEM) for every step.
    assert.deepEqual(a4.executor.list().map((c) => c.name), ['get_deploy_steps', 'execute_deploy_step', 'get_partition_uuids', 'sync']);
    assert.ok((await readRange(m4.desc.disks[0]!.path, 0, image.length)).equals(image), 'the image is on the disk byte for byte');
  });

  await t.test('a checksum mismatch ends in deploy failed, last_error naming the checksum', async () => {
    const m5 = await makeMachine([64 * 1024 * 1024], { nics: [
      { name: 'eth0', macAddress: '52:54:00:1a:9e:05', ipv4Address: '127.0.0.1', pxe: true, speedMbps: 1000, lldp: [] },
    ] });
    t.after(() => m5.close());
    const wrong = createHash('sha256').update('not the image').digest('hex');
    const uuid = await deploy('52:54:00:1a:9e:05', '/disk.raw', image, undefined, wrong);
    const a5 = await startAgent({ machine: new LabMachine(m5.desc), apiUrls: [api], host: '127.0.0.1', port: 0, lookupInterval: 1, lookupTimeout: 120,
      download: { retries: 1, retryInterval: 0.1 }, log: () => {} });
    t.after(() => a5.close());
    await a5.ready;
    const end = Date.now() + 240_000;
    let n = await call('GET', `/v1/nodes/${uuid}`);
    while (n.provision_state !== 'deploy failed' && Date.now() < end) {
      assert.notEqual(n.provision_state, 'active');
      await new Promise((r) => setTimeout(r, 1000));
      n = await call('GET', `/v1/nodes/${uuid}`);
    }
    assert.equal(n.provision_state, 'deploy failed');
    assert.match(n.last_error, new RegExp(`image checksum: ${wrong}; verification checksum: ${createHash('sha256').update(image).digest('hex')}`));
  });

  await t.test('automated cleaning through the agent wipes the disk', async () => {
    const m3 = await makeMachine([32 * 1024 * 1024], { nics: [
      { name: 'eth0', macAddress: '52:54:00:1a:9e:03', ipv4Address: '127.0.0.1', pxe: true, speedMbps: 1000, lldp: [] },
    ] });
    t.after(() => m3.close());
    const disk = m3.desc.disks[0]!.path;
    await run('sgdisk', ['-n', '1:2048:+8M', '-t', '1:8300', disk]);
    const junk = randomBytes(1024 * 1024);
    await writeFile(join(m3.dir, 'junk'), junk);
    await run('dd', [`if=${join(m3.dir, 'junk')}`, `of=${disk}`, 'bs=1M', 'seek=4', 'conv=notrunc', 'status=none']);
    const node = await call('POST', '/v1/nodes', {
      driver: 'manual-management', deploy_interface: 'direct', power_interface: 'fake', management_interface: 'noop',
      boot_interface: 'pxe', network_interface: 'noop', automated_clean: true,
      properties: { capabilities: 'boot_mode:bios', cpu_arch: 'x86_64' },
    });
    await call('POST', '/v1/ports', { address: '52:54:00:1a:9e:03', node_uuid: node.uuid, pxe_enabled: true });
    await call('PUT', `/v1/nodes/${node.uuid}/states/provision`, { target: 'manage' });
    await waitState(node.uuid, 'manageable', 60);
    await call('PUT', `/v1/nodes/${node.uuid}/states/provision`, { target: 'provide' });
    const a3 = await startAgent({ machine: new LabMachine(m3.desc), apiUrls: [api], host: '127.0.0.1', port: 0, lookupInterval: 1, lookupTimeout: 120, log: () => {} });
    t.after(() => a3.close());
    assert.equal((await a3.ready).node.uuid, node.uuid);
    const done = await waitState(node.uuid, 'available', 240);
    assert.equal(done.last_error, null);
    const steps = a3.executor.list().map((c) => c.toJSON()).filter((c) => c.command_name === 'execute_clean_step')
      .map((c) => (c.command_result as { clean_step: { step: string } }).clean_step.step);
    assert.deepEqual(steps, ['erase_devices_metadata', 'erase_devices'], 'Ironic ran the agent\'s steps by priority (99, 10)');
    for (let off = 0; off < 32 * 1024 * 1024; off += 4 * 1024 * 1024) {
      assert.ok((await readRange(disk, off, 4 * 1024 * 1024)).every((b) => b === 0), `disk zeroed at ${off}`);
    }
  });
});
