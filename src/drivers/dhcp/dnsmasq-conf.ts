/**
 * The dnsmasq configuration `ingot dnsmasq` runs with, and the dnsmasq process itself.
 *
 * dnsmasq serves DHCP (no DNS: `port=0`) on one interface and TFTP from the TFTP root;
 * what each node gets comes from the host/option files the dnsmasq DHCP provider writes
 * (dnsmasq.ts). Clients are tagged `ipxe` when they send option 175 or user class iPXE
 * (what Ironic's options filter on) and `efi-x86_64` for UEFI x86-64 firmware.
 * Machines without a host entry are ignored unless `serveUnknown` gives them default
 * boot files (what in-band inspection of unknown machines needs): every machine the
 * provider does not serve (no `set:ironic` host line), so that the inspector's PXE filter
 * lines (`<mac>`, `*:*:*:*:*:*`: matched, hence "known", but not tagged `ironic`) let
 * machines boot the default files, `<mac>,set:ironic` lines lease without a boot file and
 * `,ignore` lines stop them.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import type { DnsmasqPaths } from './dnsmasq.ts';

export interface DnsmasqConfOptions {
  paths: Required<Omit<DnsmasqPaths, 'binary' | 'confFile'>>;
  /** Interface to serve (`interface=`, with `bind-interfaces`). */
  interface: string;
  /** `<first>,<last>[,<netmask>][,<lease time>]`, e.g. `192.0.2.100,192.0.2.200,12h`. */
  dhcpRange: string;
  tftpRoot: string;
  /** Boot files for machines Ingot does not know (no host entry); undefined = ignore them. */
  serveUnknown?: { bios: string; uefi: string; ipxe: string };
}

const BAD = /[\n\r]/;

/** dnsmasq.conf text. Throws on values that would break the file (newlines). */
export function renderDnsmasqConf(o: DnsmasqConfOptions): string {
  for (const [k, val] of Object.entries({ interface: o.interface, dhcpRange: o.dhcpRange, tftpRoot: o.tftpRoot, ...o.paths })) {
    if (BAD.test(val)) throw new Error(`dnsmasq configuration: ${k} must be one line`);
  }
  const lines = [
    '# Written by "ingot dnsmasq": DHCP and TFTP for network boot; per-node entries live in',
    '# dhcp-hostsdir / dhcp-optsdir, written by Ingot\'s dnsmasq DHCP provider.',
    'port=0',
    `interface=${o.interface}`,
    'bind-interfaces',
    `dhcp-range=${o.dhcpRange}`,
    `dhcp-hostsdir=${o.paths.hostsdir}`,
    `dhcp-optsdir=${o.paths.optsdir}`,
    `dhcp-leasefile=${o.paths.leasefile}`,
    `pid-file=${o.paths.pidfile}`,
    'dhcp-match=set:ipxe,175',
    'dhcp-userclass=set:ipxe,iPXE',
    'dhcp-match=set:efi-x86_64,option:client-arch,7',
    'dhcp-match=set:efi-x86_64,option:client-arch,9',
    'enable-tftp',
    `tftp-root=${o.tftpRoot}`,
    'log-dhcp',
  ];
  if (o.serveUnknown) {
    lines.push(
      `dhcp-boot=tag:!ironic,tag:ipxe,${o.serveUnknown.ipxe}`,
      `dhcp-boot=tag:!ironic,tag:!ipxe,tag:efi-x86_64,${o.serveUnknown.uefi}`,
      `dhcp-boot=tag:!ironic,tag:!ipxe,tag:!efi-x86_64,${o.serveUnknown.bios}`,
    );
  } else {
    lines.push('dhcp-ignore=tag:!known');
  }
  return `${lines.join('\n')}\n`;
}

export interface DnsmasqProcess {
  child: ChildProcess;
  /** Everything dnsmasq printed so far. */
  output(): string;
  /** Stop it (SIGTERM, then SIGKILL after 3 s) and wait for its exit. */
  stop(): Promise<void>;
}

/**
 * Start `dnsmasq -k -C conf` (foreground) behind an optional `prefix` (e.g.
 * `ip netns exec NS`); resolves once its pid file names a live process, or rejects with
 * dnsmasq's own words when it exits or does not come up within `timeoutMs`.
 */
export async function startDnsmasq(opts: { conf: string; pidfile: string; binary?: string; prefix?: string[]; timeoutMs?: number; echo?: boolean }): Promise<DnsmasqProcess> {
  const argv = [...(opts.prefix ?? []), opts.binary ?? 'dnsmasq', '-k', '--log-facility=-', '-C', opts.conf];
  const child = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const onData = (b: Buffer) => { out += b.toString(); if (opts.echo) process.stderr.write(b); };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  let exitedFlag = false;
  void exited.then(() => { exitedFlag = true; });
  const stop = async () => {
    if (exitedFlag) return;
    child.kill('SIGTERM');
    const t = setTimeout(() => child.kill('SIGKILL'), 3000);
    await exited;
    clearTimeout(t);
  };
  const deadline = Date.now() + (opts.timeoutMs ?? 10_000);
  child.on('error', (err) => { out += `\n${err.message}`; });
  for (;;) {
    if (exitedFlag) throw new Error(`dnsmasq exited at start: ${out.trim() || `(${argv.join(' ')})`}`);
    try {
      const pid = Number((await readFile(opts.pidfile, 'utf8')).trim());
      if (pid > 0 && (await readFile(`/proc/${pid}/comm`, 'utf8')).trim() === 'dnsmasq') break;
    } catch { /* not yet */ }
    if (Date.now() > deadline) { await stop(); throw new Error(`dnsmasq did not start within ${(opts.timeoutMs ?? 10_000) / 1000} s: ${out.trim()}`); }
    await new Promise((r) => setTimeout(r, 50));
  }
  return { child, output: () => out, stop };
}
