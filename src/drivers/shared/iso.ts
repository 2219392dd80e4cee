/**
 * Bootable ISOs from a kernel and a ramdisk, built with `xorriso` (its mkisofs emulation,
 * with the arguments Ironic 21.4 passes to mkisofs in ironic/common/images.py):
 *
 * - BIOS: `/vmlinuz`, `/initrd`, `isolinux/isolinux.bin` (El Torito, no emulation, boot
 *   info table), `isolinux/ldlinux.c32` when found, `isolinux/isolinux.cfg`.
 * - UEFI: `/vmlinuz`, `/initrd`, the EFI system partition image `boot/grub/efiboot.img`
 *   (El Torito EFI entry) and `EFI/BOOT/grub.cfg` (Ironic's `[DEFAULT] grub_config_path`).
 *
 * Volume label `VMEDIA_BOOT_ISO`, publisher id as given. Files are grafted in place
 * (`-graft-points`): nothing is copied to a staging tree. The output is written to a
 * temporary name and renamed, so a reader never sees half an ISO.
 *
 * Ironic needs an ESP image for UEFI (driver_info `bootloader` or `[conductor]
 * bootloader`); when there is none, Ingot builds one (`buildEspImage`) from a GRUB EFI
 * binary with dosfstools + mtools: `EFI/BOOT/BOOTX64.EFI` plus a small grub.cfg that
 * finds the ISO by its label and reads the ISO's `EFI/BOOT/grub.cfg`.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { rename, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { DriverError } from '../../core/errors.ts';
import { GRUB_CONFIG_PATH, ISOLINUX_CONFIG_PATH, renderGrubCfg, renderIsolinuxCfg } from './boot-config.ts';

export const ISO_LABEL = 'VMEDIA_BOOT_ISO';
export const EFIBOOT_PATH = 'boot/grub/efiboot.img';

/** Debian's places (then syslinux's upstream ones) for the BIOS loader files. */
export const ISOLINUX_BIN_CANDIDATES = ['/usr/lib/ISOLINUX/isolinux.bin', '/usr/lib/syslinux/isolinux.bin', '/usr/share/syslinux/isolinux.bin'];
export const LDLINUX_C32_CANDIDATES = ['/usr/lib/syslinux/modules/bios/ldlinux.c32', '/usr/share/syslinux/ldlinux.c32'];
/** GRUB EFI binaries for x86_64 (Debian's signed monolithic image first). */
export const GRUB_EFI_CANDIDATES = ['/usr/lib/grub/x86_64-efi-signed/grubx64.efi.signed', '/usr/lib/grub/x86_64-efi/monolithic/grubx64.efi'];

/** The first existing file of `candidates` (or `configured` when set), else null. */
export function findFile(configured: string | undefined, candidates: readonly string[]): string | null {
  if (configured) return existsSync(configured) ? configured : null;
  return candidates.find((p) => existsSync(p)) ?? null;
}

/** Runs a tool; rejects with a DriverError carrying its stderr. */
export function run(cmd: string, args: readonly string[], signal?: AbortSignal): Promise<string> {
  return new Promise((ok, fail) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], signal });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { err = (err + d.toString()).slice(-4000); });
    child.on('error', (e: NodeJS.ErrnoException) => fail(new DriverError(e.code === 'ENOENT'
      ? `${cmd} is not installed (needed to build boot ISOs).` : `${cmd} failed: ${e.message}`, { reason: 'image' })));
    child.on('close', (code) => {
      if (code === 0) ok(out);
      else fail(new DriverError(`${cmd} ${args[0] ?? ''} failed (exit ${code}): ${err.trim().split('\n').slice(-3).join(' ')}`, { reason: 'image' }));
    });
  });
}

/** `mkfs.vfat` may sit in /usr/sbin, which is not on every user's PATH. */
function mkfsVfat(): string {
  return ['/usr/sbin/mkfs.vfat', '/sbin/mkfs.vfat'].find((p) => existsSync(p)) ?? 'mkfs.vfat';
}

/** The grub.cfg inside Ingot's ESP: find the ISO by label, read its grub.cfg. */
export function espBootstrapCfg(): string {
  return [`search --no-floppy --set=root --label ${ISO_LABEL}`, 'set prefix=($root)/EFI/BOOT', `configfile ($root)/${GRUB_CONFIG_PATH}`, ''].join('\n');
}

/** Builds a FAT EFI system partition image holding `grubEfi` as the removable-media loader. */
export async function buildEspImage(grubEfi: string, output: string, signal?: AbortSignal): Promise<void> {
  const tmp = `${output}.${process.pid}-${Math.random().toString(16).slice(2)}.part`;
  const cfg = `${tmp}.grub.cfg`;
  try {
    await rm(tmp, { force: true });
    await writeFile(tmp, '');
    // Room for the loader plus FAT overhead (at least 8 MiB, which FAT16 formats comfortably).
    const MiB = 1024 * 1024;
    await truncate(tmp, Math.max(8 * MiB, Math.ceil(((await stat(grubEfi)).size + 2 * MiB) / MiB) * MiB));
    await run(mkfsVfat(), ['-n', 'ESP', tmp], signal);
    await writeFile(cfg, espBootstrapCfg());
    await run('mmd', ['-i', tmp, '::/EFI', '::/EFI/BOOT', '::/EFI/debian'], signal);
    await run('mcopy', ['-i', tmp, grubEfi, '::/EFI/BOOT/BOOTX64.EFI'], signal);
    await run('mcopy', ['-i', tmp, cfg, '::/EFI/BOOT/grub.cfg'], signal);
    await run('mcopy', ['-i', tmp, cfg, '::/EFI/debian/grub.cfg'], signal);
    await rename(tmp, output);
  } finally {
    await rm(tmp, { force: true });
    await rm(cfg, { force: true });
  }
}

/** A `-graft-points` operand: `=` and `\\` in paths are escaped. */
const graft = (target: string, source: string): string => `${target}=${source.replace(/[\\=]/g, (c) => `\\${c}`)}`;

export interface BootIsoRequest {
  output: string;
  kernel: string;
  ramdisk: string;
  bootMode: 'uefi' | 'bios';
  /** The whole kernel command line (see boot-config.ts `kernelCommandLine`). */
  kernelParams: string;
  publisherId: string | null;
  /** UEFI: the ESP image (local path). */
  espImage?: string;
  /** BIOS: isolinux.bin and, when found, ldlinux.c32. */
  isolinuxBin?: string;
  ldlinuxC32?: string | null;
  signal?: AbortSignal;
}

/** Builds the ISO; the boot loader config is written beside `output` while building. */
export async function buildBootIso(req: BootIsoRequest): Promise<void> {
  const tmp = `${req.output}.part`;
  const cfgFile = `${req.output}.cfg`;
  const args = ['-as', 'mkisofs', '-r', '-V', ISO_LABEL];
  const grafts = [graft('vmlinuz', req.kernel), graft('initrd', req.ramdisk)];
  if (req.bootMode === 'uefi') {
    if (!req.espImage) throw new DriverError('A UEFI boot ISO needs an EFI system partition image.', { reason: 'image' });
    await writeFile(cfgFile, renderGrubCfg(req.kernelParams));
    args.push('-l');
    if (req.publisherId) args.push('-publisher', req.publisherId);
    args.push('-e', EFIBOOT_PATH, '-no-emul-boot');
    grafts.push(graft(EFIBOOT_PATH, req.espImage), graft(GRUB_CONFIG_PATH, cfgFile));
  } else {
    if (!req.isolinuxBin) throw new DriverError('A BIOS boot ISO needs isolinux.bin.', { reason: 'image' });
    await writeFile(cfgFile, renderIsolinuxCfg(req.kernelParams));
    args.push('-J', '-l', '-publisher', String(req.publisherId), '-no-emul-boot', '-boot-load-size', '4', '-boot-info-table', '-b', 'isolinux/isolinux.bin');
    grafts.push(graft('isolinux/isolinux.bin', req.isolinuxBin), graft(ISOLINUX_CONFIG_PATH, cfgFile));
    if (req.ldlinuxC32) grafts.push(graft('isolinux/ldlinux.c32', req.ldlinuxC32));
  }
  try {
    await rm(tmp, { force: true });
    await run('xorriso', [...args, '-o', tmp, '-graft-points', ...grafts], req.signal);
    await rename(tmp, req.output);
  } finally {
    await rm(tmp, { force: true });
    await rm(cfgFile, { force: true });
  }
}
