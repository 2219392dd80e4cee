/**
 * The virtual-media agent ISO boots a real (virtual) machine, in BIOS mode (isolinux) and
 * in UEFI mode (OVMF, GRUB EFI from the ISO's El Torito EFI image).
 *
 * The ISO is made exactly as a deploy makes it: the redfish-virtual-media boot interface's
 * prepareRamdisk against the in-process Redfish lab (boot mode synced to the BMC, fresh
 * agent token, BOOTIF of the port with a VIF, `boot_method=vmedia`), from the kernel and
 * initramfs of `ingot ramdisk build`. The lab BMC only records the insertion; the ISO file
 * it was given is then booted by QEMU (software emulation, 1 GiB) as a CD, in the firmware
 * mode the BMC was set to, on a bridge in a network namespace where dnsmasq answers the
 * ramdisk's DHCP. The serial console must reach the agent start line with the conductor's
 * `ipa-api-url`, and the kernel must have received the whole command line (token, BOOTIF,
 * console=ttyS0 from kernel_append_params).
 *
 * Boot times on a loaded 2-core machine without KVM: BIOS ~20 s, UEFI ~55 s (OVMF and
 * GRUB's 5 s menu), plus the ramdisk build on first use (~40 s, cached in .data).
 * Needs root, qemu-system-x86, ovmf, dnsmasq-base, busybox-static, xorriso, isolinux,
 * mtools, dosfstools, grub-efi-amd64-signed (scripts/lib/deps.sh NETBOOT_PACKAGES).
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DriverContext, DriverPort } from '../../src/drivers/base.ts';
import { RedfishVirtualMediaBoot } from '../../src/drivers/redfish/index.ts';
import { findFile, GRUB_EFI_CANDIDATES, ISOLINUX_BIN_CANDIDATES } from '../../src/drivers/shared/iso.ts';
import { buildRamdisk } from '../../src/bin/ramdisk/build.ts';
import { netnsUnavailable } from '../../src/testing/netns.ts';
import { ovmfUnavailable, startPxeLab } from '../../src/testing/pxe-lab.ts';
import { redfishTestLab } from '../../src/testing/redfish-harness.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const dataDir = process.env.INGOT_DATA_DIR ?? join(root, '.data');

function missing(mode: 'bios' | 'uefi'): string | null {
  const why = netnsUnavailable();
  if (why) return why;
  for (const [bin, pkg] of [['qemu-system-x86_64', 'qemu-system-x86'], ['dnsmasq', 'dnsmasq-base'], ['busybox', 'busybox-static'], ['xorriso', 'xorriso']]) {
    if (spawnSync(bin, ['--help'], { stdio: 'ignore', timeout: 5000 }).error) return `${bin} is not installed (apt-get install ${pkg})`;
  }
  if (!existsSync('/dev/net/tun')) return 'no /dev/net/tun';
  if (mode === 'bios' && !findFile(undefined, ISOLINUX_BIN_CANDIDATES)) return 'isolinux.bin not found (apt-get install isolinux)';
  if (mode === 'uefi') {
    if (!findFile(undefined, GRUB_EFI_CANDIDATES)) return 'no GRUB EFI binary (apt-get install grub-efi-amd64-signed)';
    return ovmfUnavailable();
  }
  return null;
}
const skips = { bios: missing('bios'), uefi: missing('uefi') };
if ((skips.bios || skips.uefi) && process.env.CI) throw new Error(`QEMU virtual media test cannot run: ${skips.bios ?? skips.uefi}`);

const rx = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

async function bootIso(t: TestContext, mode: 'bios' | 'uefi', prefix24: string, mac: string): Promise<void> {
  const ramdisk = await buildRamdisk({ dataDir });
  const dir = await mkdtemp(join(tmpdir(), `ingot-qemu-vmedia-${mode}-`));
  await chmod(dir, 0o755); // dnsmasq drops to user nobody
  t.after(() => rm(dir, { recursive: true, force: true }));
  const tftpRoot = join(dir, 'tftpboot');
  const httpRoot = join(dir, 'httpboot');
  await mkdir(tftpRoot, { recursive: true });
  const lab = await startPxeLab({ dir, tftpRoot, httpRoot, prefix24 });
  t.after(() => lab.close());
  const apiUrl = `http://${lab.serverIp}:6385`;

  // The ISO, as a deploy builds it. BIOS: console=ttyS0 from the conductor's option
  // ([redfish] kernel_append_params); UEFI: from the node's driver_info with %default%.
  const { lab: bmc, cache, node, driverInfo } = await redfishTestLab(t, { machines: 1 });
  const boot = new RedfishVirtualMediaBoot(cache, {
    httpRoot, httpUrl: () => lab.httpUrl, apiUrl: () => apiUrl,
    kernelAppendParams: mode === 'bios' ? 'nofb nomodeset vga=normal console=ttyS0' : undefined,
  });
  const n = node(0, {
    provision_state: 'deploying',
    properties: { capabilities: `boot_mode:${mode}` },
    driver_info: {
      ...driverInfo(0), deploy_iso: undefined, deploy_kernel: ramdisk.kernel, deploy_ramdisk: ramdisk.initramfs,
      ...(mode === 'uefi' ? { kernel_append_params: '%default% console=ttyS0' } : {}),
    },
  });
  const ports: DriverPort[] = [{ uuid: 'p0', address: mac, pxe_enabled: true, physical_network: null, extra: { vif_port_id: 'vif-0' } }];
  const ctx = (): DriverContext => ({ ...n.ctx(), loadPorts: async () => ports });
  await boot.validate(ctx());
  await boot.prepareRamdisk(ctx(), 'deploy');
  const m = bmc.machines[0]!;
  const iso = join(httpRoot, 'redfish', `boot-${n.node.uuid}.iso`);
  assert.equal(m.virtualMedia[0]!.image, `${lab.httpUrl}/redfish/boot-${n.node.uuid}.iso`);
  assert.deepEqual([m.boot.target, m.boot.enabled, m.boot.mode], ['Cd', 'Once', mode === 'uefi' ? 'UEFI' : 'Legacy']);
  const token = n.node.driver_internal_info.agent_secret_token as string;

  // The network the ramdisk finds: dnsmasq knows the port (no boot options: vmedia needs none).
  await lab.dhcp.updateDhcpOpts(ctx(), []);
  const started = Date.now();
  const machine = await lab.startMachine({ mac, cdrom: iso, uefi: m.boot.mode === 'UEFI' });
  try {
    const log = await machine.waitFor(`ingot-ramdisk: starting agent: node /ingot.js agent --api-url ${apiUrl}`, 400_000);
    t.diagnostic(`${mode}: virtual-media ISO to agent start line in ${((Date.now() - started) / 1000).toFixed(0)} s`);
    // The firmware booted the CD (not the NIC), the boot loader of the mode ran, and it
    // handed the kernel the whole command line.
    assert.match(log, mode === 'uefi' ? /BdsDxe: starting Boot\d+ "UEFI QEMU DVD-ROM/ : /Booting from DVD\/CD/);
    assert.match(log, mode === 'uefi' ? /Welcome to GRUB!/ : /ISOLINUX \d/);
    const cmdline = /Command line: (.*)/.exec(log)?.[1] ?? '';
    assert.match(cmdline, /^BOOT_IMAGE=\/vmlinuz /);
    assert.match(cmdline, / nofb nomodeset vga=normal console=ttyS0 ir_pub_id=[0-9a-f-]{36} /);
    assert.match(cmdline, new RegExp(` ipa-api-url=${rx(apiUrl)} ipa-agent-token=${rx(token)} BOOTIF=${mac} boot_method=vmedia --`));
    assert.match(log, new RegExp(`ingot-ramdisk: DHCP on eth0 \\(${mac}\\)`));
    assert.match(log, new RegExp(`ingot-ramdisk: eth0 has ${rx(prefix24)}\\.1\\d\\d/24 from ${rx(lab.serverIp)}`));
  } finally {
    await machine.kill();
  }
  await boot.cleanUpRamdisk(ctx());
  assert.equal(existsSync(iso), false);
}

test('virtual media, BIOS: the agent ISO boots a QEMU machine through isolinux to the agent', { skip: skips.bios ?? false, timeout: 900_000 }, async (t) => {
  await bootIso(t, 'bios', '10.77.23', '52:54:00:23:00:01');
});

test('virtual media, UEFI: the agent ISO boots a QEMU machine (OVMF) through GRUB EFI to the agent', { skip: skips.uefi ?? false, timeout: 900_000 }, async (t) => {
  await bootIso(t, 'uefi', '10.77.24', '52:54:00:24:00:01');
});
