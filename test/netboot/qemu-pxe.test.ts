/**
 * End to end network boot of a QEMU machine (software emulation, 1 GiB) on a bridge in a
 * network namespace: the `ipxe` (HTTP) and `pxe` (PXELINUX over TFTP) boot interfaces
 * prepare the node with the agent ramdisk of `ingot ramdisk build`; dnsmasq answers the
 * NIC's iPXE ROM with the node's boot file; the machine loads the kernel and initramfs,
 * gets an address from dnsmasq again in the ramdisk and reaches the agent start line with
 * the `ipa-api-url` the boot interface put on its kernel command line.
 * Needs root, qemu-system-x86 (+ ipxe-qemu ROMs), dnsmasq-base, busybox-static, pxelinux.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmod, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ComposedDriver, DriverContext } from '../../src/drivers/base.ts';
import { PxeBoot, pxeSettings } from '../../src/drivers/pxe/index.ts';
import { placeLoaders } from '../../src/drivers/pxe/loaders.ts';
import { buildRamdisk } from '../../src/bin/ramdisk/build.ts';
import { makeTestNode } from '../../src/testing/driver-conformance.ts';
import { netnsUnavailable } from '../../src/testing/netns.ts';
import { startPxeLab } from '../../src/testing/pxe-lab.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const dataDir = process.env.INGOT_DATA_DIR ?? join(root, '.data');

function missing(): string | null {
  const why = netnsUnavailable();
  if (why) return why;
  for (const [bin, pkg] of [['qemu-system-x86_64', 'qemu-system-x86'], ['dnsmasq', 'dnsmasq-base'], ['busybox', 'busybox-static']]) {
    if (spawnSync(bin, ['--help'], { stdio: 'ignore', timeout: 5000 }).error) return `${bin} is not installed (apt-get install ${pkg})`;
  }
  if (!existsSync('/dev/net/tun')) return 'no /dev/net/tun';
  return null;
}
const skip = missing();
if (skip && process.env.CI) throw new Error(`QEMU network boot test cannot run: ${skip}`);

async function bootOnce(name: 'ipxe' | 'pxe', prefix24: string, mac: string): Promise<void> {
  const ramdisk = await buildRamdisk({ dataDir });
  const dir = await mkdtemp(join(tmpdir(), `ingot-qemu-${name}-`));
  await chmod(dir, 0o755); // dnsmasq serves TFTP as user nobody
  const tftpRoot = join(dir, 'tftpboot');
  const httpRoot = join(dir, 'httpboot');
  await mkdir(tftpRoot, { recursive: true });
  await mkdir(httpRoot, { recursive: true });
  if (name === 'pxe') {
    const { missing: absent } = await placeLoaders(tftpRoot);
    assert.ok(!absent.includes('pxelinux.0') && !absent.includes('ldlinux.c32'), 'pxelinux is not installed (apt-get install pxelinux syslinux-common)');
  }
  const lab = await startPxeLab({ dir, tftpRoot, httpRoot, prefix24 });
  try {
    const s = pxeSettings({
      tftpRoot, httpRoot, httpUrl: () => lab.httpUrl, apiUrl: () => `http://${lab.serverIp}:6385`, tftpServer: lab.serverIp,
      dhcp: lab.dhcp, defaultBootMode: 'bios', kernelAppendParams: 'nofb nomodeset vga=normal console=ttyS0 quiet',
    });
    const node = makeTestNode({ provision_state: 'cleaning', driver_info: { deploy_kernel: ramdisk.kernel, deploy_ramdisk: ramdisk.initramfs } });
    const boots: string[] = [];
    const ctx: DriverContext = {
      node, loadPorts: async () => [{ uuid: 'p', address: mac, pxe_enabled: true, physical_network: null, extra: {} }],
      signal: new AbortController().signal, logger: { info() {}, warn() {}, error() {}, debug() {} },
      setInternalInfo(v) { Object.assign(node.driver_internal_info, v); },
      driver: { management: { async setBootDevice(_c: DriverContext, d: string) { boots.push(d); } } } as unknown as ComposedDriver,
    };
    const boot = new PxeBoot(name, s);
    await boot.validate(ctx);
    await boot.prepareRamdisk(ctx, 'clean');
    assert.deepEqual(boots, ['pxe']);
    const machine = await lab.startMachine({ mac });
    try {
      const log = await machine.waitFor(`ingot-ramdisk: starting agent: node /ingot.js agent --api-url http://${lab.serverIp}:6385`, 300_000);
      assert.match(log, new RegExp(`ingot-ramdisk: DHCP on eth0 \\(${mac}\\)`));
      assert.match(log, new RegExp(`ingot-ramdisk: eth0 has ${prefix24.replaceAll('.', '\\.')}\\.1\\d\\d/24 from ${lab.serverIp.replaceAll('.', '\\.')}`));
      assert.match(log, /ingot-ramdisk: node v\d+/);
    } finally {
      await machine.kill();
    }
    await boot.cleanUpRamdisk(ctx);
    await boot.cleanUpInstance(ctx);
  } finally {
    await lab.close();
    await rm(dir, { recursive: true, force: true });
  }
}

test('ipxe: a QEMU machine boots the agent ramdisk over iPXE/HTTP with dnsmasq', { skip: skip ?? false, timeout: 1_200_000 }, async () => {
  await bootOnce('ipxe', '10.77.21', '52:54:00:21:00:01');
});

test('pxe: a QEMU machine boots the agent ramdisk over PXELINUX/TFTP with dnsmasq', { skip: skip ?? false, timeout: 1_200_000 }, async () => {
  await bootOnce('pxe', '10.77.22', '52:54:00:22:00:01');
});
