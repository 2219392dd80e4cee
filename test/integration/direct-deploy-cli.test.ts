/**
 * Issue 8's acceptance through the real `baremetal` CLI (python-ironicclient): a lab
 * machine enrolled as a `redfish` node with the `direct` deploy is managed, inspected,
 * provided and deployed with `baremetal node deploy --wait`; the lab machine boots the
 * agent ISO, runs `ingot agent`, and the image lands on its disk file, where the test reads
 * the marker file back itself. A second node whose image checksum is wrong ends in
 * `deploy failed` with a last_error that names the checksum, and never in `active`.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pino from 'pino';
import { loadConfig } from '../../src/config/config.ts';
import { startService, type Service } from '../../src/bin/service.ts';
import { startRedfishLab, type RedfishLab } from '../../src/lab/redfish/index.ts';
import { machinePaths } from '../../src/lab/redfish/machine-files.ts';
import { buildDemoImage, readMarker, type DemoImage } from '../../src/lab/demo-image.ts';

const run = promisify(execFile);
const BAREMETAL = '/usr/bin/baremetal';
const skip = existsSync(BAREMETAL) ? false : 'python3-ironicclient (the baremetal CLI) is not installed';

let lab: RedfishLab;
let svc: Service;
let dir: string;
let image: DemoImage;
const saved: Record<string, string | undefined> = {};

async function bm(...args: string[]): Promise<string> {
  const { stdout } = await run(BAREMETAL, ['--os-endpoint', svc.url, '--os-auth-type', 'none', '--os-baremetal-api-version', '1.82', ...args], { timeout: 300_000 });
  return stdout.trim();
}
async function field(node: string, f: string): Promise<string> { return bm('node', 'show', node, '-f', 'value', '-c', f); }

async function enroll(name: string, i: number): Promise<void> {
  const m = lab.machines[i]!;
  await bm('node', 'create', '--driver', 'redfish', '--name', name,
    '--boot-interface', 'redfish-virtual-media', '--deploy-interface', 'direct', '--inspect-interface', 'redfish',
    '--driver-info', `redfish_address=${lab.url}`, '--driver-info', `redfish_system_id=/redfish/v1/Systems/${m.id}`,
    '--driver-info', 'redfish_username=admin', '--driver-info', 'redfish_password=password', '--driver-info', 'redfish_verify_ca=False',
    '--driver-info', `deploy_kernel=${join(dir, 'vmlinuz')}`, '--driver-info', `deploy_ramdisk=${join(dir, 'initrd')}`,
    '--property', 'capabilities=boot_mode:uefi');
  await bm('node', 'set', name, '--no-automated-clean');
  await bm('node', 'manage', name, '--wait', '120');
  await bm('node', 'inspect', name, '--wait', '120');
  await bm('node', 'provide', name, '--wait', '120');
}

before(async () => {
  if (skip) return;
  // The agent heartbeats every 0.3–0.6 × this; Ironic's 300 s default would make the test wait minutes.
  for (const k of ['INGOT_RAMDISK_HEARTBEAT_TIMEOUT']) saved[k] = process.env[k];
  process.env.INGOT_RAMDISK_HEARTBEAT_TIMEOUT = '6';
  dir = mkdtempSync(join(tmpdir(), 'ingot-direct-cli-'));
  writeFileSync(join(dir, 'vmlinuz'), 'stand-in kernel (the lab starts ingot agent itself)\n');
  writeFileSync(join(dir, 'initrd'), 'stand-in ramdisk (the lab starts ingot agent itself)\n');
  image = await buildDemoImage(join(dir, 'image'), { sizeMiB: 12, name: 'cli' });
  lab = await startRedfishLab({ machines: 2, port: 0, taskDelayMs: 100, agents: { dataDir: join(dir, 'lab'), diskSizeBytes: 8 * 1024 ** 3 } });
  const config = loadConfig(process.env, { port: 0, httpPort: 0, host: '127.0.0.1', dataDir: dir, db: join(dir, 'ingot.db') });
  svc = await startService(config, { logger: pino({ level: 'silent' }) });
  mkdirSync(join(config.httpRoot, 'images'), { recursive: true });
  copyFileSync(image.raw, join(config.httpRoot, 'images', 'disk.raw'));
});
after(async () => {
  if (skip) return;
  await svc?.close();
  await lab?.close();
  rmSync(dir, { recursive: true, force: true });
  for (const [k, v] of Object.entries(saved)) { if (v === undefined) delete process.env[k]; else process.env[k] = v; }
});

test('baremetal node deploy --wait writes the image to a lab machine through ingot agent; a bad checksum ends in deploy failed', { skip, timeout: 600_000 }, async () => {
  await Promise.all([enroll('cli-0', 0), enroll('cli-1', 1)]);
  const url = `${svc.files!.url}/images/disk.raw`;
  await bm('node', 'set', 'cli-0', '--instance-info', `image_source=${url}`, '--instance-info', 'image_os_hash_algo=sha256',
    '--instance-info', `image_os_hash_value=${image.rawSha256}`, '--instance-info', 'image_disk_format=raw');
  await bm('node', 'set', 'cli-1', '--instance-info', `image_source=${url}`, '--instance-info', 'image_os_hash_algo=sha256',
    '--instance-info', `image_os_hash_value=${'0'.repeat(64)}`, '--instance-info', 'image_disk_format=raw');

  const [good, bad] = await Promise.allSettled([bm('node', 'deploy', 'cli-0', '--wait', '300'), bm('node', 'deploy', 'cli-1', '--wait', '300')]);
  assert.equal(good.status, 'fulfilled', good.status === 'rejected' ? String(good.reason) : '');
  assert.equal(await field('cli-0', 'provision_state'), 'active');
  const disk = machinePaths(lab.hosts!.dataDir, lab.machines[0]!).disk;
  assert.equal(await readMarker(disk), image.marker, 'the image\'s marker file is on the machine\'s disk');

  assert.equal(bad.status, 'rejected', 'deploy --wait of the node with the wrong checksum fails');
  assert.equal(await field('cli-1', 'provision_state'), 'deploy failed');
  assert.match(await field('cli-1', 'last_error'), /checksum|hash/i);
});
