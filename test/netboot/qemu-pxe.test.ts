/**
 * End to end network boot of a QEMU machine (software emulation, 1 GiB) on a bridge in a
 * network namespace: the `ipxe` (HTTP) and `pxe` (TFTP) boot interfaces prepare the node
 * with the agent ramdisk of `ingot ramdisk build`; dnsmasq answers the firmware with the
 * node's boot file; the machine loads the kernel and initramfs, gets an address from
 * dnsmasq again in the ramdisk and reaches the agent start line with the `ipa-api-url` the
 * boot interface put on its kernel command line.
 *
 * - BIOS (SeaBIOS, the NIC's iPXE ROM): `ipxe` chains undionly.kpxe → boot.ipxe → the
 *   node's script; `pxe` loads pxelinux.0 → pxelinux.cfg/01-<mac>.
 * - UEFI (OVMF's own PXE client, no iPXE ROM): `ipxe` chains snponly.efi → boot.ipxe → the node's script; `pxe`
 *   loads bootx64.efi (Debian's grubnetx64.efi, prefix /grub) → grub/grub.cfg →
 *   /<mac>.conf, the node's GRUB config (linuxefi/initrdefi over TFTP).
 *
 * Boot times on a loaded 2-core machine without KVM (firmware to agent start line): see
 * README "Network boot"; UEFI adds OVMF's start (~15 s) and GRUB's TFTP is the slowest path.
 * Needs root, qemu-system-x86 (+ ipxe-qemu ROMs), ovmf, dnsmasq-base, busybox-static,
 * pxelinux, ipxe, grub-efi-amd64-bin.
 */
import { test, type TestContext } from 'node:test';
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
import { ovmfUnavailable, startPxeLab } from '../../src/testing/pxe-lab.ts';

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
const skipUefi = skip ?? ovmfUnavailable();
if (skipUefi && process.env.CI) throw new Error(`QEMU UEFI network boot test cannot run: ${skipUefi}`);

/** The loaders each path needs in the TFTP root. */
const LOADERS = { ipxe: { bios: 'undionly.kpxe', uefi: 'snponly.efi' }, pxe: { bios: 'pxelinux.0', uefi: 'bootx64.efi' } } as const;

async function bootOnce(t: TestContext, name: 'ipxe' | 'pxe', prefix24: string, mac: string, mode: 'bios' | 'uefi' = 'bios'): Promise<void> {
  const ramdisk = await buildRamdisk({ dataDir });
  const dir = await mkdtemp(join(tmpdir(), `ingot-qemu-${name}-`));
  await chmod(dir, 0o755); // dnsmasq serves TFTP as user nobody
  const tftpRoot = join(dir, 'tftpboot');
  const httpRoot = join(dir, 'httpboot');
  await mkdir(tftpRoot, { recursive: true });
  await mkdir(httpRoot, { recursive: true });
  const { missing: absent } = await placeLoaders(tftpRoot);
  const loader = LOADERS[name][mode];
  assert.ok(!absent.includes(loader), `${loader} not found (apt-get install ${{ 'pxelinux.0': 'pxelinux', 'undionly.kpxe': 'ipxe', 'snponly.efi': 'ipxe', 'bootx64.efi': 'grub-efi-amd64-bin' }[loader]})`);
  if (loader === 'pxelinux.0') assert.ok(!absent.includes('ldlinux.c32'), 'ldlinux.c32 not found (apt-get install syslinux-common)');
  const lab = await startPxeLab({ dir, tftpRoot, httpRoot, prefix24 });
  try {
    const s = pxeSettings({
      tftpRoot, httpRoot, httpUrl: () => lab.httpUrl, apiUrl: () => `http://${lab.serverIp}:6385`, tftpServer: lab.serverIp,
      dhcp: lab.dhcp, defaultBootMode: 'bios', kernelAppendParams: 'nofb nomodeset vga=normal console=ttyS0',
    });
    const node = makeTestNode({
      provision_state: 'cleaning', properties: { capabilities: `boot_mode:${mode}` },
      driver_info: { deploy_kernel: ramdisk.kernel, deploy_ramdisk: ramdisk.initramfs },
    });
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
    const started = Date.now();
    const machine = await lab.startMachine({ mac, uefi: mode === 'uefi' });
    try {
      const log = await machine.waitFor(`ingot-ramdisk: starting agent: node /ingot.js agent --api-url http://${lab.serverIp}:6385`, 600_000);
      t.diagnostic(`${name} ${mode}: firmware to agent start line in ${((Date.now() - started) / 1000).toFixed(0)} s`);
      // The firmware of the mode fetched the loader of the mode from dnsmasq's TFTP (except
      // QEMU's BIOS iPXE ROM, which announces iPXE and is handed boot.ipxe at once).
      if (!(name === 'ipxe' && mode === 'bios')) assert.match(lab.dnsmasq.output(), new RegExp(`sent ${tftpRoot}/${loader.replace('.', '\\.')} to `));
      if (mode === 'uefi') assert.match(log, />>Start PXE over IPv4/, 'OVMF\'s own PXE client booted');
      // Ironic's boot file for the path reached the kernel (GRUB's adds boot_server; PXELINUX's `ipappend 2` adds BOOTIF).
      const cmdline = /Command line: (.*)/.exec(log)?.[1] ?? '';
      assert.match(cmdline, / ipa-api-url=http:\/\/\S+:6385/);
      if (name === 'pxe' && mode === 'bios') assert.match(cmdline, new RegExp(` BOOTIF=01-${mac.replaceAll(':', '-')}( |$)`));
      if (name === 'pxe' && mode === 'uefi') assert.match(cmdline, new RegExp(`^BOOT_IMAGE=${node.uuid}/deploy_kernel selinux=0 troubleshoot=0 text .* boot_server=${lab.serverIp.replaceAll('.', '\\.')}$`));
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

test('ipxe: a QEMU machine boots the agent ramdisk over iPXE/HTTP with dnsmasq', { skip: skip ?? false, timeout: 1_200_000 }, async (t) => {
  await bootOnce(t, 'ipxe', '10.77.21', '52:54:00:21:00:01');
});

test('pxe: a QEMU machine boots the agent ramdisk over PXELINUX/TFTP with dnsmasq', { skip: skip ?? false, timeout: 1_200_000 }, async (t) => {
  await bootOnce(t, 'pxe', '10.77.22', '52:54:00:22:00:01');
});

test('ipxe, UEFI: a QEMU machine (OVMF) boots the agent ramdisk over snponly.efi and HTTP', { skip: skipUefi ?? false, timeout: 1_200_000 }, async (t) => {
  await bootOnce(t, 'ipxe', '10.77.25', '52:54:00:25:00:01', 'uefi');
});

test('pxe, UEFI: a QEMU machine (OVMF) boots the agent ramdisk over GRUB EFI and TFTP', { skip: skipUefi ?? false, timeout: 1_200_000 }, async (t) => {
  await bootOnce(t, 'pxe', '10.77.26', '52:54:00:26:00:01', 'uefi');
});
