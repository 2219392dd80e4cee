/**
 * redfish-virtual-media with a kernel/ramdisk pair against the lab BMC: the ISO is built,
 * published under http_root/redfish, inserted and booted once; the agent token is
 * pregenerated and on the ISO's command line; clean-ups eject and delete the ISO.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvalidError } from '../../core/errors.ts';
import { redfishTestLab } from '../../testing/redfish-harness.ts';
import { RedfishVirtualMediaBoot } from './boot.ts';
import { RedfishPower } from './power.ts';

test('prepareRamdisk builds the agent ISO from deploy_kernel/deploy_ramdisk, inserts it and boots once from it', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'ingot-vmedia-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await writeFile(join(dir, 'kernel'), 'stand-in kernel');
  await writeFile(join(dir, 'ramdisk'), 'stand-in ramdisk');
  const { lab, cache, node, driverInfo } = await redfishTestLab(t);
  const httpRoot = join(dir, 'httpboot');
  const boot = new RedfishVirtualMediaBoot(cache, {
    httpRoot, httpUrl: () => 'http://192.0.2.10:8080', apiUrl: () => 'http://192.0.2.10:6385', debug: true,
  });
  const di = { ...driverInfo(0), deploy_iso: undefined, deploy_kernel: join(dir, 'kernel'), deploy_ramdisk: join(dir, 'ramdisk') };
  const n = node(0, { driver_info: di });
  await boot.validate(n.ctx());
  await new RedfishPower(cache).setPowerState(n.ctx(), 'power on');
  await boot.prepareRamdisk(n.ctx(), 'clean');

  const m = lab.machines[0]!;
  const url = `http://192.0.2.10:8080/redfish/boot-${n.node.uuid}.iso`;
  assert.equal(m.power, 'Off', 'powered off first, as Ironic does');
  assert.deepEqual([m.virtualMedia[0]!.image, m.virtualMedia[0]!.inserted], [url, true]);
  assert.deepEqual([m.boot.target, m.boot.enabled], ['Cd', 'Once']);
  const token = n.node.driver_internal_info.agent_secret_token as string;
  assert.match(token, /^[A-Za-z0-9_-]{43}$/);
  assert.equal(n.node.driver_internal_info.agent_secret_token_pregenerated, true);

  const iso = join(httpRoot, 'redfish', `boot-${n.node.uuid}.iso`);
  const cfg = join(dir, 'grub.cfg');
  execFileSync('xorriso', ['-osirrox', 'on', '-indev', iso, '-extract', '/EFI/BOOT/grub.cfg', cfg], { stdio: 'ignore' });
  const linux = readFileSync(cfg, 'utf8').split('\n').find((l) => l.startsWith('linuxefi'))!;
  assert.match(linux, new RegExp(`^linuxefi /vmlinuz nofb nomodeset vga=normal ir_pub_id=\\S+ ipa-api-url=http://192\\.0\\.2\\.10:6385 ipa-agent-token=${token} ipa-debug=1 boot_method=vmedia --$`));

  await boot.cleanUpRamdisk(n.ctx());
  assert.equal(m.virtualMedia[0]!.inserted, false);
  assert.equal(existsSync(iso), false, 'the ISO is deleted with the eject, as Ironic does');

  // A port with a VIF: its MAC goes on the command line as BOOTIF (Ironic's get_single_nic_with_vif_port_id).
  const withVif = { ...n.ctx(), loadPorts: async () => [
    { uuid: 'p0', address: '52:54:00:00:00:0a', pxe_enabled: true, physical_network: null, extra: {} },
    { uuid: 'p1', address: '52:54:00:00:00:0b', pxe_enabled: true, physical_network: null, extra: { vif_port_id: 'vif-1' } },
  ] };
  await boot.prepareRamdisk(withVif, 'deploy');
  execFileSync('xorriso', ['-osirrox', 'on', '-indev', iso, '-extract', '/EFI/BOOT/grub.cfg', `${cfg}.2`], { stdio: 'ignore' });
  assert.match(readFileSync(`${cfg}.2`, 'utf8'), / ipa-agent-token=\S+ BOOTIF=52:54:00:00:00:0b ipa-debug=1 boot_method=vmedia --\n/);
  await boot.prepareInstance(n.ctx());
  assert.equal(existsSync(iso), false, 'prepareInstance ejects and deletes too');
  assert.deepEqual([m.boot.target, m.boot.enabled], ['Hdd', 'Continuous']);
});

test('a kernel/ramdisk pair without http_root settings is refused at validate with what is missing', async (t) => {
  const { cache, node, driverInfo } = await redfishTestLab(t);
  const boot = new RedfishVirtualMediaBoot(cache);
  const n = node(0, { driver_info: { ...driverInfo(0), deploy_iso: undefined, deploy_kernel: '/k', deploy_ramdisk: '/r' } });
  await assert.rejects(boot.validate(n.ctx()), (e: unknown) => e instanceof InvalidError && /needs driver_info\/deploy_iso.*no http_root\/http_url/.test(e.message));
});

test('boot mode is synced with the BMC before the ISO is built (requested → BMC; none → the BMC\'s)', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'ingot-vmedia-mode-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await writeFile(join(dir, 'kernel'), 'k');
  await writeFile(join(dir, 'ramdisk'), 'r');
  const { lab, cache, node, driverInfo } = await redfishTestLab(t);
  const httpRoot = join(dir, 'httpboot');
  const boot = new RedfishVirtualMediaBoot(cache, { httpRoot, httpUrl: () => 'http://files.test', apiUrl: () => 'http://api.test' });
  const di = (i: number) => ({ ...driverInfo(i), deploy_iso: undefined, deploy_kernel: join(dir, 'kernel'), deploy_ramdisk: join(dir, 'ramdisk') });
  const files = (uuid: string): string => execFileSync('xorriso', ['-indev', join(httpRoot, 'redfish', `boot-${uuid}.iso`), '-find', '/', '-type', 'f'],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });

  // Requested bios on a machine in UEFI mode: the BMC is switched, the ISO is a BIOS one.
  const a = node(0, { driver_info: di(0), properties: { capabilities: 'boot_mode:bios' } });
  assert.equal(lab.machines[0]!.boot.mode, 'UEFI');
  await boot.prepareRamdisk(a.ctx(), 'deploy');
  assert.equal(lab.machines[0]!.boot.mode, 'Legacy');
  assert.match(files(a.node.uuid), /'\/isolinux\/isolinux\.cfg'/);

  // Nothing requested, the BMC says Legacy: adopted (deploy_boot_mode), BIOS ISO.
  lab.machines[1]!.setBootOverride({ BootSourceOverrideMode: 'Legacy' });
  const b = node(1, { driver_info: di(1) });
  await boot.prepareRamdisk(b.ctx(), 'deploy');
  assert.equal(b.node.driver_internal_info.deploy_boot_mode, 'bios');
  assert.equal(lab.machines[1]!.boot.mode, 'Legacy');
  assert.match(files(b.node.uuid), /'\/isolinux\/isolinux\.cfg'/);
  assert.doesNotMatch(files(b.node.uuid), /grub\.cfg/);
});

test('inspection: the caller\'s kernel parameters lead the ISO\'s command line, without ipa-api-url (Ironic\'s inspector interface); a prebuilt ISO cannot take them', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'ingot-vmedia-inspect-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await writeFile(join(dir, 'kernel'), 'k');
  await writeFile(join(dir, 'ramdisk'), 'r');
  const { lab, cache, node, driverInfo } = await redfishTestLab(t);
  const httpRoot = join(dir, 'httpboot');
  const boot = new RedfishVirtualMediaBoot(cache, { httpRoot, httpUrl: () => 'http://files.test', apiUrl: () => 'http://api.test' });
  const n = node(0, { driver_info: { ...driverInfo(0), deploy_iso: undefined, deploy_kernel: join(dir, 'kernel'), deploy_ramdisk: join(dir, 'ramdisk') } });
  const kernelParams = { 'ipa-inspection-callback-url': 'http://192.0.2.7:5050/v1/continue', 'ipa-inspection-collectors': 'default,logs', 'ipa-debug-bare': null };
  const grub = async (): Promise<string> => {
    const cfg = join(dir, `grub-${Math.random()}.cfg`);
    execFileSync('xorriso', ['-osirrox', 'on', '-indev', join(httpRoot, 'redfish', `boot-${n.node.uuid}.iso`), '-extract', '/EFI/BOOT/grub.cfg', cfg], { stdio: 'ignore' });
    return readFileSync(cfg, 'utf8').split('\n').find((l) => l.startsWith('linuxefi'))!;
  };
  await boot.prepareRamdisk(n.ctx(), 'inspect', { kernelParams });
  const token = n.node.driver_internal_info.agent_secret_token as string;
  assert.match(await grub(), new RegExp('^linuxefi /vmlinuz nofb nomodeset vga=normal ir_pub_id=\\S+ ipa-inspection-callback-url=http://192\\.0\\.2\\.7:5050/v1/continue '
    + `ipa-inspection-collectors=default,logs ipa-debug-bare ipa-agent-token=${token} boot_method=vmedia --$`));
  assert.deepEqual([lab.machines[0]!.boot.target, lab.machines[0]!.boot.enabled], ['Cd', 'Once']);

  // Deploy and clean keep ipa-api-url first.
  await boot.prepareRamdisk(n.ctx(), 'clean', { kernelParams: { extra: '1' } });
  assert.match(await grub(), / ir_pub_id=\S+ ipa-api-url=http:\/\/api\.test extra=1 ipa-agent-token=/);

  // A prebuilt deploy_iso is inserted as is; the parameters are dropped with a warning.
  const warnings: string[] = [];
  const pre = node(1, { driver_info: { ...driverInfo(1), deploy_iso: 'http://files.test/prebuilt.iso' } });
  const ctx = { ...pre.ctx(), logger: { info() {}, debug() {}, error() {}, warn: (_o: unknown, m: string) => { warnings.push(m); } } };
  await boot.prepareRamdisk(ctx, 'inspect', { kernelParams });
  assert.equal(lab.machines[1]!.virtualMedia[0]!.image, 'http://files.test/prebuilt.iso');
  assert.match(warnings.join('\n'), /prebuilt deploy_iso is booted as is: the inspect kernel parameters cannot reach it/);
});
