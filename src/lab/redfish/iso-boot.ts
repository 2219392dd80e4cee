/**
 * What a lab machine's firmware and boot loader would do with a virtual-media ISO, short of
 * executing it: download the image from the inserted URL, check that it has an El Torito
 * entry for the machine's boot mode, read the boot loader configuration (grub.cfg for
 * UEFI, isolinux.cfg for Legacy), pick the default entry and return its kernel command
 * line as the kernel would see it (`BOOT_IMAGE=<kernel> <args>`).
 *
 * Nothing here knows about Ingot's ISO builder: any ISO laid out like a Linux live/installer
 * image is read the same way. Failures are `NoBootError`s whose message says why the
 * machine boots into nothing.
 *
 * @module
 */
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { readFile, rename, rm } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/** Why a machine boots into nothing (shown in the lab's API). */
export class NoBootError extends Error {}

export interface BootEntry {
  /** `grub` (UEFI) or `isolinux` (Legacy). */
  loader: 'grub' | 'isolinux';
  /** Path of the configuration on the ISO. */
  configPath: string;
  title: string;
  kernel: string;
  initrd: string | null;
  /** The kernel command line as /proc/cmdline would show it. */
  cmdline: string;
}

/** Where boot loaders look for their configuration, in order. */
export const GRUB_CONFIGS = ['/EFI/BOOT/grub.cfg', '/boot/grub/grub.cfg', '/EFI/debian/grub.cfg', '/EFI/ubuntu/grub.cfg'];
export const ISOLINUX_CONFIGS = ['/isolinux/isolinux.cfg', '/isolinux.cfg', '/syslinux/syslinux.cfg', '/boot/isolinux/isolinux.cfg'];

interface ParsedEntry { title: string; kernel: string; initrd: string | null; args: string }

/** Splits a boot loader line into words, honouring double and single quotes. */
function words(line: string): string[] {
  return [...line.matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2] ?? m[3]!);
}

/** The default menu entry of a grub.cfg (`set default=` index or title; 0 when absent). */
export function parseGrubCfg(text: string): ParsedEntry | null {
  const entries: ParsedEntry[] = [];
  let dflt = '0';
  let cur: ParsedEntry | null = null;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const set = /^set\s+default=["']?([^"']*)["']?$/.exec(line);
    if (set && !cur) { dflt = set[1]!; continue; }
    if (/^menuentry\s/.test(line)) {
      cur = { title: words(line)[1] ?? '', kernel: '', initrd: null, args: '' };
      continue;
    }
    if (!cur) continue;
    if (line.startsWith('}')) { entries.push(cur); cur = null; continue; }
    const w = words(line);
    if (/^linux(efi|16)?$/.test(w[0]!)) {
      cur.kernel = w[1] ?? '';
      cur.args = line.replace(/^\S+\s+\S+\s*/, '');
    } else if (/^initrd(efi|16)?$/.test(w[0]!)) {
      cur.initrd = w[1] ?? null;
    }
  }
  const chosen = /^\d+$/.test(dflt) ? entries[Number(dflt)] : entries.find((e) => e.title === dflt);
  return chosen && chosen.kernel ? chosen : null;
}

/** The default label of an isolinux.cfg (`default`, else the first label). */
export function parseIsolinuxCfg(text: string): ParsedEntry | null {
  const labels: ParsedEntry[] = [];
  let dflt: string | null = null;
  let cur: ParsedEntry | null = null;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const [kw, ...rest] = line.split(/\s+/);
    const value = line.slice(kw!.length).trim();
    switch (kw!.toLowerCase()) {
      case 'default': dflt = rest[0] ?? null; break;
      case 'label': cur = { title: value, kernel: '', initrd: null, args: '' }; labels.push(cur); break;
      case 'kernel': case 'linux': if (cur) cur.kernel = rest[0] ?? ''; break;
      case 'initrd': if (cur) cur.initrd = rest[0] ?? null; break;
      case 'append':
        if (cur) {
          cur.args = value;
          const initrd = /(?:^|\s)initrd=(\S+)/.exec(value)?.[1];
          if (initrd) cur.initrd = initrd.split(',')[0]!;
        }
        break;
      default: break;
    }
  }
  const chosen = dflt === null ? labels[0] : labels.find((l) => l.title === dflt);
  return chosen && chosen.kernel ? chosen : null;
}

function xorriso(args: string[], signal?: AbortSignal): Promise<string> {
  return new Promise((ok, fail) => {
    const child = spawn('xorriso', args, { stdio: ['ignore', 'pipe', 'pipe'], signal });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { err = (err + d.toString()).slice(-2000); });
    child.on('error', (e: NodeJS.ErrnoException) => fail(new NoBootError(e.code === 'ENOENT' ? 'xorriso is not installed: the lab cannot read ISOs' : e.message)));
    child.on('close', (code) => (code === 0 ? ok(out + err) : fail(new NoBootError(`the image is not a readable ISO 9660 image (${err.trim().split('\n').pop()})`))));
  });
}

/** Reads an ISO's boot entry for `mode` (`UEFI` or `Legacy`). */
export async function readIsoBoot(iso: string, mode: string, workDir: string, signal?: AbortSignal): Promise<BootEntry> {
  const report = await xorriso(['-indev', iso, '-report_el_torito', 'plain', '-find', '/', '-type', 'f'], signal);
  if (/No ISO 9660 image/.test(report)) throw new NoBootError('the image is not a readable ISO 9660 image');
  const files = new Set([...report.matchAll(/^'(\/[^']*)'$/gm)].map((m) => m[1]!));
  const platforms = [...report.matchAll(/^El Torito boot img :\s+\d+\s+(\S+)/gm)].map((m) => m[1]!);
  const uefi = mode === 'UEFI';
  if (!platforms.includes(uefi ? 'UEFI' : 'BIOS')) {
    throw new NoBootError(`the ISO has no El Torito ${uefi ? 'UEFI' : 'BIOS'} boot image (found: ${platforms.join(', ') || 'none'}), so it does not boot in ${mode} mode`);
  }
  const candidates = uefi ? GRUB_CONFIGS : ISOLINUX_CONFIGS;
  const configPath = candidates.find((p) => files.has(p));
  if (!configPath) throw new NoBootError(`no ${uefi ? 'grub.cfg' : 'isolinux.cfg'} on the ISO (looked for ${candidates.join(', ')})`);
  const out = `${workDir}/boot-${process.pid}-${Math.random().toString(16).slice(2)}.cfg`;
  let text: string;
  try {
    await xorriso(['-osirrox', 'on', '-indev', iso, '-extract', configPath, out], signal);
    text = await readFile(out, 'utf8');
  } finally {
    await rm(out, { force: true });
  }
  const entry = uefi ? parseGrubCfg(text) : parseIsolinuxCfg(text);
  if (!entry) throw new NoBootError(`${configPath} has no default entry with a kernel`);
  const abs = (p: string): string => (p.startsWith('/') ? p : `/${p}`);
  if (!files.has(abs(entry.kernel))) throw new NoBootError(`${configPath} boots ${entry.kernel}, which is not on the ISO`);
  if (entry.initrd && !files.has(abs(entry.initrd))) throw new NoBootError(`${configPath} loads ${entry.initrd}, which is not on the ISO`);
  return {
    loader: uefi ? 'grub' : 'isolinux', configPath, title: entry.title, kernel: entry.kernel, initrd: entry.initrd,
    cmdline: `BOOT_IMAGE=${entry.kernel}${entry.args ? ` ${entry.args}` : ''}`,
  };
}

/** Streams `url` (http or https, as a BMC's virtual media fetches it) to `dest`. */
export async function downloadIso(url: string, dest: string, signal?: AbortSignal): Promise<number> {
  if (!/^https?:\/\//i.test(url)) throw new NoBootError(`cannot fetch ${url}: the lab's virtual media reads http(s) URLs only`);
  let res: Response;
  try {
    res = await fetch(url, { signal });
  } catch (err) {
    if (signal?.aborted) throw err;
    const cause = (err as Error & { cause?: Error }).cause;
    throw new NoBootError(`cannot download ${url}: ${cause?.message ?? (err as Error).message}`);
  }
  if (res.status !== 200 || !res.body) {
    await res.body?.cancel();
    throw new NoBootError(`cannot download ${url}: HTTP ${res.status}`);
  }
  // A unique name: a stale boot's download may still be cleaning up its own.
  const part = `${dest}.${process.pid}-${Math.random().toString(16).slice(2)}.part`;
  let bytes = 0;
  try {
    const body = Readable.fromWeb(res.body as import('node:stream/web').ReadableStream);
    body.on('data', (c: Buffer) => { bytes += c.length; });
    await pipeline(body, createWriteStream(part), { signal });
    await rename(part, dest);
  } catch (err) {
    await rm(part, { force: true });
    if (signal?.aborted) throw err;
    throw new NoBootError(`download of ${url} broke off: ${(err as Error).message}`);
  }
  return bytes;
}
