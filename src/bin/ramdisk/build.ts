/**
 * `ingot ramdisk build`: the agent ramdisk (a kernel and an initramfs) from Debian packages.
 *
 * - kernel: the package `linux-image-amd64` depends on, fetched with `apt-get download`
 *   (kept under `<dataDir>/ramdisk/debs`) and unpacked with `dpkg-deb -x` into a work
 *   folder: nothing is installed on this machine. Its NIC/disk modules for QEMU and common
 *   hardware (virtio, e1000, ata_piix, ahci, sd_mod... with their dependencies, read from
 *   each module's `depends=`) go into the initramfs with the order to load them.
 * - userland: busybox-static (applets, udhcpc), /usr/bin/node, the tools the agent runs
 *   (qemu-img, lsblk, blkid, dmidecode, sgdisk, sfdisk, wipefs, parted...: those present
 *   here) with the libraries `ldd` names; `src/bin/ingot.ts` bundled by esbuild into
 *   `/ingot.js` (agent/bundle.ts; the lab's machines run the same bundle); `/init` from
 *   init.ts.
 * - output: `<dataDir>/ramdisk/<hash>/{vmlinuz,initramfs.img}` (newc cpio, gzip), where
 *   hash covers every input (kernel package name, binaries' size and mtime, the sources of the bundle,
 *   /init, the module list). A second build with the same inputs is a cache hit; a new
 *   build removes the older ones.
 */
import { createHash } from 'node:crypto';
import { execFileSync, spawnSync } from 'node:child_process';
import { chmod, copyFile, mkdir, mkdtemp, readdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { existsSync, statSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { INIT_SCRIPT, UDHCPC_SCRIPT } from './init.ts';
import { bundleIngot, sourcesHash } from '../../agent/bundle.ts';

/** Modules /init loads, in this order (dependencies first, added automatically). */
export const RAMDISK_MODULES = [
  'virtio_pci', 'virtio_net', 'virtio_blk', 'virtio_scsi', 'e1000', 'e1000e', 'libata', 'ata_piix', 'ahci', 'sd_mod', 'sr_mod',
];
/** Tools the agent runs, taken from this machine when present. */
export const RAMDISK_TOOLS = ['qemu-img', 'lsblk', 'blkid', 'dmidecode', 'sgdisk', 'sfdisk', 'wipefs', 'parted', 'partprobe', 'mkfs.ext4', 'mkfs.vfat', 'efibootmgr'];

export interface RamdiskResult {
  kernel: string;
  initramfs: string;
  kernelPackage: string;
  /** initramfs bytes (compressed). */
  size: number;
  seconds: number;
  cached: boolean;
}

const sh = (cmd: string, args: string[], opts: { cwd?: string } = {}): string =>
  execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 << 20, timeout: 600_000, ...opts });

function which(bin: string): string | null {
  for (const dir of ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin']) {
    const p = join(dir, bin);
    if (existsSync(p)) return p;
  }
  return null;
}

/** The concrete kernel package behind linux-image-amd64. */
export function kernelPackageName(): string {
  const out = sh('apt-cache', ['depends', 'linux-image-amd64']);
  const m = /Depends:\s*(linux-image-[0-9][^\s]*)/.exec(out);
  if (!m) throw new Error(`apt-cache does not know which kernel linux-image-amd64 depends on:\n${out}`);
  return m[1]!;
}

/** Shared libraries (and the ELF interpreter) `ldd` lists for `bin`. */
function librariesOf(bin: string): string[] {
  const r = spawnSync('ldd', [bin], { encoding: 'utf8' });
  if (r.status !== 0) return []; // static
  const libs: string[] = [];
  for (const line of r.stdout.split('\n')) {
    const m = /=>\s*(\/\S+)/.exec(line) ?? /^\s*(\/\S+)\s+\(/.exec(line);
    if (m) libs.push(m[1]!);
  }
  return libs;
}

const fileKey = (p: string): string => { const s = statSync(p); return `${p}:${s.size}:${s.mtimeMs}`; };

/** Each wanted module and its dependencies, dependencies first (paths relative to lib/modules/<ver>). */
async function moduleOrder(modRoot: string, wanted: readonly string[]): Promise<string[]> {
  const byName = new Map<string, string>();
  const walk = async (dir: string): Promise<void> => {
    for (const e of await readdir(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) await walk(p);
      else if (e.name.endsWith('.ko')) byName.set(e.name.slice(0, -3).replaceAll('-', '_'), p);
    }
  };
  await walk(join(modRoot, 'kernel'));
  const order: string[] = [];
  const seen = new Set<string>();
  const visit = async (name: string): Promise<void> => {
    const n = name.replaceAll('-', '_');
    if (seen.has(n)) return;
    seen.add(n);
    const path = byName.get(n);
    if (!path) return; // built in
    const text = (await readFile(path)).toString('latin1');
    const dep = /depends=([^\0]*)\0/.exec(text)?.[1] ?? '';
    for (const d of dep.split(',').filter(Boolean)) await visit(d);
    order.push(relative(modRoot, path));
  };
  for (const w of wanted) await visit(w);
  return order;
}

async function copyWithLibs(root: string, bin: string, dest: string, libs: Set<string>): Promise<void> {
  await mkdir(dirname(join(root, dest)), { recursive: true });
  await copyFile(bin, join(root, dest));
  await chmod(join(root, dest), 0o755);
  for (const l of librariesOf(bin)) libs.add(l);
}

export async function buildRamdisk(opts: { dataDir: string; log?: (line: string) => void; force?: boolean }): Promise<RamdiskResult> {
  const t0 = Date.now();
  const log = opts.log ?? (() => {});
  const base = join(opts.dataDir, 'ramdisk');
  const kernelPackage = kernelPackageName();
  const busybox = which('busybox');
  if (!busybox || spawnSync('ldd', [busybox]).status === 0) throw new Error('a static busybox is needed: apt-get install busybox-static');
  const node = which('node') ?? process.execPath;
  const tools = RAMDISK_TOOLS.map((t) => [t, which(t)] as const).filter((x): x is readonly [string, string] => x[1] !== null);
  const hash = createHash('sha256').update(JSON.stringify({
    kernelPackage, busybox: fileKey(busybox), node: fileKey(node), tools: tools.map(([, p]) => fileKey(p)),
    sources: await sourcesHash(), init: INIT_SCRIPT, udhcpc: UDHCPC_SCRIPT, modules: RAMDISK_MODULES,
  })).digest('hex').slice(0, 16);
  const out = join(base, hash);
  const kernel = join(out, 'vmlinuz');
  const initramfs = join(out, 'initramfs.img');
  if (!opts.force && existsSync(kernel) && existsSync(initramfs)) {
    log(`ramdisk: cached ${out}`);
    return { kernel, initramfs, kernelPackage, size: (await stat(initramfs)).size, seconds: (Date.now() - t0) / 1000, cached: true };
  }

  // The kernel package, downloaded once.
  const debs = join(base, 'debs');
  await mkdir(debs, { recursive: true });
  let deb = (await readdir(debs)).find((f) => f.startsWith(`${kernelPackage}_`) && f.endsWith('.deb'));
  if (!deb) {
    log(`ramdisk: apt-get download ${kernelPackage}`);
    sh('apt-get', ['download', kernelPackage], { cwd: debs });
    deb = (await readdir(debs)).find((f) => f.startsWith(`${kernelPackage}_`) && f.endsWith('.deb'));
    if (!deb) throw new Error(`apt-get download ${kernelPackage} left no .deb in ${debs}`);
  }
  const bundle = await bundleIngot();
  const work = await mkdtemp(join(base, 'work-'));
  try {
    const kdir = join(work, 'kernel');
    sh('dpkg-deb', ['-x', join(debs, deb), kdir]);
    const kver = (await readdir(join(kdir, 'lib', 'modules')))[0]!;
    const root = join(work, 'root');
    for (const d of ['bin', 'sbin', 'usr/bin', 'usr/sbin', 'etc', 'proc', 'sys', 'dev', 'tmp', 'run', 'mnt', 'lib/modules']) await mkdir(join(root, d), { recursive: true });
    await copyFile(busybox, join(root, 'bin', 'busybox'));
    await chmod(join(root, 'bin', 'busybox'), 0o755);
    await symlink('busybox', join(root, 'bin', 'sh'));
    const libs = new Set<string>();
    await copyWithLibs(root, node, 'usr/bin/node', libs);
    for (const [name, p] of tools) await copyWithLibs(root, p, join(p.includes('/sbin/') ? 'usr/sbin' : 'usr/bin', name), libs);
    for (const l of libs) {
      await mkdir(dirname(join(root, l)), { recursive: true });
      await copyFile(l, join(root, l)); // follows symlinks: the soname path gets the real library
    }
    const modRoot = join(kdir, 'lib', 'modules', kver);
    const order = await moduleOrder(modRoot, RAMDISK_MODULES);
    for (const m of order) {
      await mkdir(dirname(join(root, 'lib', 'modules', m)), { recursive: true });
      await copyFile(join(modRoot, m), join(root, 'lib', 'modules', m));
    }
    await writeFile(join(root, 'etc', 'ingot-modules'), `${order.join('\n')}\n`);
    await writeFile(join(root, 'init'), INIT_SCRIPT, { mode: 0o755 });
    await writeFile(join(root, 'etc', 'udhcpc.script'), UDHCPC_SCRIPT, { mode: 0o755 });
    await writeFile(join(root, 'etc', 'passwd'), 'root:x:0:0:root:/:/bin/sh\n');
    await writeFile(join(root, 'etc', 'group'), 'root:x:0:\n');
    await writeFile(join(root, 'ingot.js'), bundle);
    await writeFile(join(root, 'package.json'), '{"type":"module"}\n');
    await mkdir(out, { recursive: true });
    log(`ramdisk: cpio + gzip of ${root}`);
    execFileSync('sh', ['-c', `cd "${root}" && find . | LC_ALL=C sort | cpio -o -H newc --quiet | gzip -6 > "${initramfs}.part"`], { stdio: 'inherit', timeout: 600_000 });
    await copyFile(join(kdir, 'boot', `vmlinuz-${kver}`), kernel);
    await rm(`${initramfs}`, { force: true });
    execFileSync('mv', [`${initramfs}.part`, initramfs]);
    await writeFile(join(out, 'manifest.json'), JSON.stringify({ kernelPackage, kernelVersion: kver, modules: order, tools: tools.map(([n]) => n), node }, null, 2));
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  // Older builds (other input hashes) are dropped: only the newest is kept.
  for (const e of await readdir(base)) if (/^[0-9a-f]{16}$/.test(e) && e !== hash) await rm(join(base, e), { recursive: true, force: true });
  const size = (await stat(initramfs)).size;
  const seconds = (Date.now() - t0) / 1000;
  log(`ramdisk: ${basename(out)}: kernel ${kernel}, initramfs ${initramfs} (${(size / 1048576).toFixed(1)} MiB) in ${seconds.toFixed(1)} s`);
  return { kernel, initramfs, kernelPackage, size, seconds, cached: false };
}

/** Names in the initramfs (cpio -t). */
export function initramfsListing(initramfs: string): string[] {
  const out = execFileSync('sh', ['-c', `gzip -dc "${initramfs}" | cpio -t --quiet`], { encoding: 'utf8', maxBuffer: 64 << 20, timeout: 120_000 });
  return out.split('\n').filter(Boolean);
}
