/**
 * The agent ISO really built with xorriso and read back: files, boot loader config, El
 * Torito entry, the ESP Ingot makes from GRUB; downloads (http with revalidation, file://,
 * paths) and the errors an operator sees. Needs xorriso, mtools, dosfstools, isolinux,
 * syslinux-common, grub-efi-amd64-signed (scripts/lib/deps.sh BOOT_ISO_PACKAGES).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DriverError, InvalidError } from '../../core/errors.ts';
import { makeTestNode } from '../../testing/driver-conformance.ts';
import { bootModeOf, prepareAgentIso, removeAgentIso, requestedBootMode, type AgentIsoSettings } from './agent-iso.ts';
import { renderGrubCfg, renderIsolinuxCfg } from './boot-config.ts';
import { GRUB_EFI_CANDIDATES, ISOLINUX_BIN_CANDIDATES } from './iso.ts';

function need(): void {
  const missing: string[] = [];
  for (const tool of ['xorriso', 'mcopy', 'mdir']) {
    try { execFileSync('which', [tool], { stdio: 'ignore' }); } catch { missing.push(tool); }
  }
  if (!existsSync('/usr/sbin/mkfs.vfat') && !existsSync('/sbin/mkfs.vfat')) missing.push('mkfs.vfat (dosfstools)');
  if (!ISOLINUX_BIN_CANDIDATES.some(existsSync)) missing.push('isolinux.bin (isolinux)');
  if (!GRUB_EFI_CANDIDATES.some(existsSync)) missing.push('a GRUB EFI binary (grub-efi-amd64-signed)');
  assert.deepEqual(missing, [], `missing tools for ISO tests: ${missing.join(', ')}; scripts/lib/deps.sh installs them`);
}

/** Extracts one file of an ISO (as a machine's firmware would read it). */
function extract(iso: string, path: string, out: string): Buffer {
  execFileSync('xorriso', ['-osirrox', 'on', '-indev', iso, '-extract', path, out], { stdio: 'ignore' });
  return readFileSync(out);
}

async function fixture(t: { after(fn: () => unknown): void }) {
  need();
  const dir = await mkdtemp(join(tmpdir(), 'ingot-iso-'));
  const kernel = Buffer.from('stand-in kernel\n'.repeat(100));
  const ramdisk = Buffer.from('stand-in ramdisk\n'.repeat(300));
  await writeFile(join(dir, 'k'), kernel);
  await writeFile(join(dir, 'r'), ramdisk);
  const requests: string[] = [];
  const http = createServer((req, res) => {
    requests.push(`${req.method} ${req.url} ${req.headers['if-none-match'] ?? ''}`);
    if (req.url === '/ramdisk') {
      if (req.headers['if-none-match'] === '"v1"') return res.writeHead(304).end();
      return res.writeHead(200, { etag: '"v1"' }).end(ramdisk);
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((ok) => http.listen(0, '127.0.0.1', ok));
  const base = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  t.after(async () => { http.close(); await rm(dir, { recursive: true, force: true }); });
  const settings: AgentIsoSettings = {
    httpRoot: join(dir, 'httpboot'), httpUrl: () => 'http://files.test:8080/', apiUrl: () => 'http://192.0.2.1:6385/',
  };
  const node = (driver_info: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
    makeTestNode({ uuid: '1be26c0b-03f2-4d2e-ae87-c02d7f33c123', driver_info, ...extra });
  return { dir, kernel, ramdisk, base, requests, settings, node };
}

test('UEFI ISO: vmlinuz, initrd, EFI/BOOT/grub.cfg as Ironic renders it, efiboot.img with GRUB; published under http_root/redfish', async (t) => {
  const f = await fixture(t);
  const n = f.node({ deploy_kernel: pathToFileURL(join(f.dir, 'k')).href, deploy_ramdisk: `${f.base}/ramdisk` });
  const iso = await prepareAgentIso(f.settings, {
    node: n, mode: 'deploy', subdir: 'redfish', params: [['ipa-agent-token', 'T0K'], ['boot_method', 'vmedia']],
  });
  assert.equal(iso.url, 'http://files.test:8080/redfish/boot-1be26c0b-03f2-4d2e-ae87-c02d7f33c123.iso');
  assert.equal(iso.path, join(f.settings.httpRoot, 'redfish', 'boot-1be26c0b-03f2-4d2e-ae87-c02d7f33c123.iso'));
  assert.equal(iso.bootMode, 'uefi');
  assert.match(iso.kernelParams, /^nofb nomodeset vga=normal ir_pub_id=[0-9a-f-]{36} ipa-api-url=http:\/\/192\.0\.2\.1:6385 ipa-agent-token=T0K boot_method=vmedia$/);

  assert.deepEqual(extract(iso.path, '/vmlinuz', join(f.dir, 'x1')), f.kernel);
  assert.deepEqual(extract(iso.path, '/initrd', join(f.dir, 'x2')), f.ramdisk);
  assert.equal(extract(iso.path, '/EFI/BOOT/grub.cfg', join(f.dir, 'x3')).toString(), renderGrubCfg(iso.kernelParams));
  const report = execFileSync('xorriso', ['-indev', iso.path, '-report_el_torito', 'plain'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  assert.match(report, /El Torito boot img :\s+1\s+UEFI/);
  assert.match(report, /El Torito img path :\s+1\s+\/boot\/grub\/efiboot\.img/);
  const pvd = execFileSync('xorriso', ['-indev', iso.path, '-pvd_info'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  assert.match(pvd, /Volume Id\s*:\s*VMEDIA_BOOT_ISO/);
  assert.match(pvd, new RegExp(`Publisher Id\\s*:\\s*${iso.kernelParams.match(/ir_pub_id=(\S+)/)![1]}`, 'i'), 'xorriso stores it upper-cased');
  const esp = join(f.dir, 'esp.img');
  extract(iso.path, '/boot/grub/efiboot.img', esp);
  const listing = execFileSync('mdir', ['-i', esp, '-b', '::/EFI/BOOT'], { encoding: 'utf8' });
  assert.match(listing, /BOOTX64\.EFI/i);
  assert.match(listing, /grub\.cfg/i);

  // Second build: the http ramdisk is revalidated (304), not downloaded again.
  await prepareAgentIso(f.settings, { node: n, mode: 'deploy', subdir: 'redfish', params: [] });
  assert.deepEqual(f.requests, ['GET /ramdisk ', 'GET /ramdisk "v1"']);

  await removeAgentIso(f.settings, 'redfish', n.uuid);
  assert.equal(existsSync(iso.path), false);
  await removeAgentIso(f.settings, 'redfish', n.uuid);
});

test('BIOS ISO: isolinux.bin, ldlinux.c32 and isolinux.cfg as Ironic renders it; rescue mode reads rescue_*', async (t) => {
  const f = await fixture(t);
  const n = f.node({ rescue_kernel: join(f.dir, 'k'), rescue_ramdisk: join(f.dir, 'r'), kernel_append_params: '%default% console=ttyS0' },
    { properties: { capabilities: 'boot_mode:bios' } });
  assert.equal(bootModeOf(n), 'bios');
  const iso = await prepareAgentIso(f.settings, { node: n, mode: 'rescue', subdir: 'redfish', params: [['boot_method', 'vmedia']] });
  assert.equal(iso.bootMode, 'bios');
  assert.match(iso.kernelParams, /^nofb nomodeset vga=normal console=ttyS0 ir_pub_id=\S+ ipa-api-url=\S+ boot_method=vmedia$/);
  assert.equal(extract(iso.path, '/isolinux/isolinux.cfg', join(f.dir, 'c')).toString(), renderIsolinuxCfg(iso.kernelParams));
  assert.deepEqual(extract(iso.path, '/vmlinuz', join(f.dir, 'k2')), f.kernel);
  const bin = ISOLINUX_BIN_CANDIDATES.find(existsSync)!;
  assert.equal(extract(iso.path, '/isolinux/isolinux.bin', join(f.dir, 'b')).length, (await readFile(bin)).length);
  const report = execFileSync('xorriso', ['-indev', iso.path, '-report_el_torito', 'plain'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  assert.match(report, /El Torito boot img :\s+1\s+BIOS/);
  assert.match(report, /boot-info-table/);
});

test('boot mode (Ironic\'s get_boot_mode): secure boot forces uefi; instance_info, properties, driver_internal_info, the default', () => {
  const n = (f: Record<string, unknown>) => makeTestNode(f);
  assert.equal(bootModeOf(n({}), 'bios'), 'bios');
  assert.equal(requestedBootMode(n({})), null);
  assert.equal(bootModeOf(n({ instance_info: { capabilities: '{"secure_boot": "true", "boot_mode": "bios"}' } })), 'uefi');
  assert.equal(bootModeOf(n({ instance_info: { capabilities: { boot_mode: 'bios' } }, properties: { capabilities: 'boot_mode:uefi' } })), 'bios');
  assert.equal(bootModeOf(n({ instance_info: { deploy_boot_mode: 'bios' }, properties: { capabilities: 'boot_mode:uefi' } })), 'bios');
  assert.equal(bootModeOf(n({ properties: { capabilities: 'cpu_vt:true,boot_mode:bios' } })), 'bios');
  assert.equal(bootModeOf(n({ driver_internal_info: { deploy_boot_mode: 'bios' } })), 'bios');
});

test('errors name what is missing: no EFI loader, an unreachable or unknown href, no kernel', async (t) => {
  const f = await fixture(t);
  const good = { deploy_kernel: join(f.dir, 'k'), deploy_ramdisk: join(f.dir, 'r') };
  await assert.rejects(prepareAgentIso({ ...f.settings, grubEfi: '/nonexistent/grubx64.efi' }, { node: f.node(good), mode: 'deploy', subdir: 'redfish', params: [] }),
    (e: unknown) => e instanceof DriverError && /no EFI boot loader\. Set driver_info\/bootloader or \[conductor\] bootloader/.test(e.message));
  await assert.rejects(prepareAgentIso(f.settings, { node: f.node({ ...good, deploy_ramdisk: `${f.base}/missing` }), mode: 'deploy', subdir: 'redfish', params: [] }),
    (e: unknown) => e instanceof DriverError && e.message.includes(`Cannot download boot file ${f.base}/missing: HTTP 404`));
  await assert.rejects(prepareAgentIso(f.settings, { node: f.node({ ...good, deploy_kernel: '8a81f3b6-0f62-4b8b-8a57-3a5e9d3c1f00' }), mode: 'deploy', subdir: 'redfish', params: [] }),
    (e: unknown) => e instanceof InvalidError && /no image service \(Glance\)/.test(e.message));
  await assert.rejects(prepareAgentIso(f.settings, { node: f.node({ deploy_kernel: join(f.dir, 'k') }), mode: 'deploy', subdir: 'redfish', params: [] }),
    (e: unknown) => e instanceof InvalidError && /Unable to find kernel, ramdisk/.test(e.message));
  assert.equal(existsSync(join(f.settings.httpRoot, 'redfish', 'boot-1be26c0b-03f2-4d2e-ae87-c02d7f33c123.iso')), false, 'no ISO left behind');
});
