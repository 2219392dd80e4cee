/**
 * Full deploys of real (virtual) machines: `src/bin/demo-qemu.ts` (what `npm run
 * demo:qemu` runs) enrolls a `redfish` node backed by a QEMU machine of the lab (BIOS,
 * 1 GiB, software emulation, NIC on a bridge in a network namespace, dnsmasq serving it)
 * and deploys the demo image with the `direct` deploy, once over the network (`ipxe` boot
 * interface: iPXE, dnsmasq, the agent ramdisk) and once over virtual media (the agent ISO
 * as the BMC's CD). Each must end `active`, the machine powered off. This test then reads
 * the machine's disk file itself and finds the image's marker file on it.
 *
 * Needs root, qemu-system-x86 + ipxe-qemu, dnsmasq-base, busybox-static, xorriso, isolinux,
 * e2fsprogs, gdisk, qemu-utils. Time per deploy here (2 busy cores): see docs/netboot.md.
 * INGOT_QEMU_DEPLOY_TIMEOUT (s, default 1200) bounds each deploy.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readMarker } from '../../src/lab/demo-image.ts';
import { labNetworkUnavailable } from '../../src/lab/qemu/netns.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const deployTimeoutS = Number(process.env.INGOT_QEMU_DEPLOY_TIMEOUT ?? 1200);

function missing(): string | null {
  const why = labNetworkUnavailable();
  if (why) return why;
  for (const [bin, pkg] of [['qemu-system-x86_64', 'qemu-system-x86'], ['dnsmasq', 'dnsmasq-base'], ['busybox', 'busybox-static'], ['xorriso', 'xorriso'], ['sgdisk', 'gdisk'], ['debugfs', 'e2fsprogs']]) {
    if (spawnSync(bin, ['--help'], { stdio: 'ignore', timeout: 5000 }).error) return `${bin} is not installed (apt-get install ${pkg})`;
  }
  return null;
}
const skip = missing();
if (skip && process.env.CI) throw new Error(`QEMU deploy test cannot run: ${skip}`);

interface PathResult { path: string; state: string; disk: string; seconds: number; error?: string }

async function deploy(path: 'pxe' | 'vmedia', prefix24: string): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), `ingot-qemu-deploy-${path}-`));
  try {
    const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'src/bin/demo-qemu.ts'), '--only', path, '--data-dir', dir, '--prefix', prefix24, '--timeout', String(deployTimeoutS)],
      { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { out += d.toString(); });
    const code = await new Promise<number | null>((r) => child.once('close', r));
    const line = /^RESULT (.*)$/m.exec(out)?.[1];
    assert.ok(line, `no RESULT line from demo-qemu.ts (exit ${code}):\n${out.slice(-6000)}`);
    const res = JSON.parse(line) as PathResult;
    assert.equal(res.state, 'active', `${path}: ${res.error}\n${out.slice(-6000)}`);
    assert.equal(code, 0, out.slice(-3000));
    // The disk file, read here: the marker of the image the demo published is on it.
    const want = await readMarker(join(dir, 'image', 'demo-disk.raw'));
    assert.ok(want, 'the demo image has no marker');
    assert.equal(await readMarker(res.disk), want);
    // The agent's soft power off worked (the ramdisk's PID 1 powered the guest off, the lab
    // saw QEMU's guest-shutdown), then the BMC booted the disk.
    const serial = await readFile(join(dirname(res.disk), 'serial.log'), 'utf8');
    assert.match(serial, /ingot-ramdisk: power off[\s\S]*reboot: Power down[\s\S]*ingot lab: power on, boot Hdd/);
    console.log(`${path}: active and marker found on ${res.disk} after ${res.seconds} s`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const budget = (deployTimeoutS + 900) * 1000;

test('pxe: a QEMU machine behind the lab\'s Redfish BMC is deployed over iPXE (direct deploy) and its disk holds the image', { skip: skip ?? false, timeout: budget }, async () => {
  await deploy('pxe', '10.77.41');
});

test('virtual media: a QEMU machine boots the agent ISO from the BMC\'s CD, is deployed, and its disk holds the image', { skip: skip ?? false, timeout: budget }, async () => {
  await deploy('vmedia', '10.77.42');
});
