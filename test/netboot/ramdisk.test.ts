/**
 * The agent ramdisk: built once from Debian packages (cached by a hash of its inputs under
 * the data dir: INGOT_DATA_DIR, else the project's .data), its initramfs holds what /init
 * needs, and it boots under QEMU (software emulation, 1 GiB, user-mode network whose
 * DHCP server is QEMU's own) through module loading, DHCP and Node up to the agent start
 * line on the serial console. First build: about a minute plus a 70 MB download; boot:
 * under a minute on a loaded 2-core machine.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildRamdisk, initramfsListing, type RamdiskResult } from '../../src/bin/ramdisk/build.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const dataDir = process.env.INGOT_DATA_DIR ?? join(root, '.data');

function missing(): string | null {
  for (const [bin, pkg] of [['apt-get', 'apt'], ['dpkg-deb', 'dpkg'], ['cpio', 'cpio'], ['busybox', 'busybox-static']]) {
    if (spawnSync(bin, ['--help'], { stdio: 'ignore', timeout: 5000 }).error) return `${bin} is not installed (${pkg})`;
  }
  return null;
}
const skip = missing();
if (skip && process.env.CI) throw new Error(`ramdisk test cannot run: ${skip}`);

let built: RamdiskResult | undefined;

test('ingot ramdisk build: kernel + initramfs with what /init needs; a second build is a cache hit', { skip: skip ?? false, timeout: 900_000 }, async () => {
  built = await buildRamdisk({ dataDir });
  const names = new Set(initramfsListing(built.initramfs).map((n) => n.replace(/^\.\//, '')));
  for (const need of ['init', 'bin/busybox', 'bin/sh', 'usr/bin/node', 'ingot.js', 'etc/ingot-modules', 'etc/udhcpc.script',
    'usr/bin/qemu-img', 'usr/bin/lsblk', 'usr/sbin/dmidecode', 'lib64/ld-linux-x86-64.so.2']) {
    assert.ok(names.has(need), `initramfs lacks ${need}`);
  }
  const mods = [...names].filter((n) => n.startsWith('lib/modules/') && n.endsWith('.ko')).map((n) => n.split('/').pop());
  for (const m of ['virtio_net.ko', 'virtio_blk.ko', 'virtio_pci.ko', 'virtio_ring.ko', 'net_failover.ko', 'e1000.ko', 'ata_piix.ko', 'libata.ko', 'sd_mod.ko']) {
    assert.ok(mods.includes(m), `initramfs lacks module ${m}`);
  }
  // Every library the node binary needs is inside.
  const ldd = spawnSync('ldd', ['/usr/bin/node'], { encoding: 'utf8' }).stdout;
  for (const m of ldd.matchAll(/=>\s*\/(\S+)/g)) assert.ok(names.has(m[1]!), `initramfs lacks ${m[1]} (node needs it)`);
  const again = await buildRamdisk({ dataDir });
  assert.equal(again.cached, true);
  assert.equal(again.initramfs, built.initramfs);
});

test('the ramdisk boots under QEMU up to the agent start line', { skip: (skip ?? (spawnSync('qemu-system-x86_64', ['--version'], { stdio: 'ignore' }).error ? 'qemu-system-x86 is not installed' : false)), timeout: 400_000 }, async () => {
  assert.ok(built, 'the build test must pass first');
  const dir = await mkdtemp(join(tmpdir(), 'ingot-ramdisk-boot-'));
  const serial = join(dir, 'serial.log');
  const qemu = spawn('qemu-system-x86_64', [
    '-m', '1024', '-nographic', '-no-reboot', '-display', 'none', '-monitor', 'none', '-serial', `file:${serial}`,
    '-kernel', built.kernel, '-initrd', built.initramfs,
    '-append', 'console=ttyS0 panic=-1 quiet BOOTIF=01-52-54-00-12-34-99 ipa-api-url=http://10.0.2.2:9',
    '-netdev', 'user,id=n0', '-device', 'virtio-net-pci,netdev=n0,mac=52:54:00:12:34:99',
  ], { stdio: 'ignore' });
  const exited = new Promise<void>((r) => qemu.once('close', () => r()));
  try {
    const want = 'ingot-ramdisk: starting agent: node /ingot.js agent --api-url http://10.0.2.2:9';
    const deadline = Date.now() + 360_000;
    let log = '';
    while (Date.now() < deadline && !log.includes(want) && qemu.exitCode === null) {
      await new Promise((r) => setTimeout(r, 1000));
      log = await readFile(serial, 'utf8').catch(() => '');
    }
    assert.ok(log.includes(want), `the serial log never reached the agent start line:\n${log.slice(-4000)}`);
    assert.match(log, /ingot-ramdisk: modules loaded: .*virtio_net/);
    assert.match(log, /ingot-ramdisk: DHCP on eth0 \(52:54:00:12:34:99\)/);
    assert.match(log, /ingot-ramdisk: eth0 has 10\.0\.2\.15\/24 from 10\.0\.2\.2/);
    assert.match(log, /ingot-ramdisk: node v\d+\.\d+\.\d+/);
  } finally {
    qemu.kill('SIGKILL');
    await exited;
    await rm(dir, { recursive: true, force: true });
  }
});
