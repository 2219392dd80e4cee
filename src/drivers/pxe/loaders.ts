/**
 * Boot loaders placed into the TFTP root (Ironic's pxe_utils.place_loaders_for_boot with
 * `[pxe] loader_file_paths`): explicit `dest → source` pairs, or else Debian's files that
 * are installed (packages pxelinux + syslinux-common, ipxe, grub-efi-amd64-bin). Returns
 * what was placed and what was looked for but not found, so `ingot dnsmasq` can say which
 * clients cannot boot yet.
 */
import { copyFile, mkdir, stat } from 'node:fs/promises';
import { dirname, isAbsolute, join } from 'node:path';

/** Debian's locations of the boot files Ironic's default names refer to. */
export const DEBIAN_LOADERS: Readonly<Record<string, readonly string[]>> = {
  'pxelinux.0': ['/usr/lib/PXELINUX/pxelinux.0'],
  'ldlinux.c32': ['/usr/lib/syslinux/modules/bios/ldlinux.c32'],
  'chain.c32': ['/usr/lib/syslinux/modules/bios/chain.c32'],
  'libutil.c32': ['/usr/lib/syslinux/modules/bios/libutil.c32'],
  'undionly.kpxe': ['/usr/lib/ipxe/undionly.kpxe'],
  'snponly.efi': ['/usr/lib/ipxe/snponly.efi', '/usr/lib/ipxe/ipxe.efi'],
  'bootx64.efi': ['/usr/lib/grub/x86_64-efi/monolithic/grubnetx64.efi'],
};

const exists = (p: string) => stat(p).then((s) => s.isFile(), () => false);

export async function placeLoaders(root: string, explicit: Readonly<Record<string, string>> = {}): Promise<{ placed: string[]; missing: string[] }> {
  const placed: string[] = [];
  const missing: string[] = [];
  const wanted: [string, readonly string[]][] = Object.keys(explicit).length > 0
    ? Object.entries(explicit).map(([d, s]) => [d, [s]])
    : Object.entries(DEBIAN_LOADERS);
  for (const [dest, sources] of wanted) {
    if (isAbsolute(dest)) throw new Error(`File paths configured for [pxe]loader_file_paths must be relative paths. Entry: ${dest}`);
    let src: string | undefined;
    for (const c of sources) if (await exists(c)) { src = c; break; }
    if (!src) { missing.push(dest); continue; }
    const full = join(root, dest);
    await mkdir(dirname(full), { recursive: true });
    await copyFile(src, full);
    placed.push(dest);
  }
  return { placed, missing };
}
