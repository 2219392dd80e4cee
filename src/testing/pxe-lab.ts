/**
 * A provisioning network for real (virtual) machines, inside one network namespace the
 * lab creates: bridge `br0` with the conductor-side address, dnsmasq (DHCP + TFTP) on it,
 * busybox httpd serving http_root, and QEMU machines (software emulation) whose NIC is a
 * tap device on the bridge, serial console logged to a file. Nothing touches the
 * machine's own network; `close()` stops everything and removes the namespace.
 *
 * Machines boot in BIOS mode (SeaBIOS, the NIC's iPXE ROM) or, with `uefi`, in UEFI mode
 * (OVMF: Debian's OVMF_CODE.fd read-only plus a private copy of OVMF_VARS.fd as pflash,
 * else the combined OVMF.fd as `-bios`; network boot by OVMF's own PXE client). They boot from the network, or from `cdrom` (an
 * ISO on an IDE CD drive, what `-cdrom` makes, written out to give it the first
 * `bootindex`: OVMF ignores `-boot`, it follows bootindex).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { copyFile, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DnsmasqDhcp, dnsmasqPathsIn } from '../drivers/dhcp/dnsmasq.ts';
import { renderDnsmasqConf, startDnsmasq, type DnsmasqProcess } from '../drivers/dhcp/dnsmasq-conf.ts';

const ip = (...args: string[]) => execFileSync('ip', args, { stdio: ['ignore', 'pipe', 'pipe'], timeout: 10_000 });

export interface PxeLabMachine {
  mac: string;
  serial: string;
  proc: ChildProcess;
  /** Resolves with the serial log once it contains `text`, or rejects at the deadline / exit. */
  waitFor(text: string, timeoutMs: number): Promise<string>;
  kill(): Promise<void>;
}

export interface PxeLab {
  ns: string;
  serverIp: string;
  httpUrl: string;
  dhcp: DnsmasqDhcp;
  dnsmasq: DnsmasqProcess;
  startMachine(opts: PxeLabMachineOptions): Promise<PxeLabMachine>;
  close(): Promise<void>;
}

export interface PxeLabMachineOptions {
  mac: string;
  /** Default 1024. */
  memoryMb?: number;
  /** UEFI firmware (OVMF) instead of SeaBIOS. */
  uefi?: boolean;
  /** Boot this ISO from a CD drive instead of the network (the NIC stays, for the ramdisk's DHCP). */
  cdrom?: string;
}

/** Debian's OVMF (package ovmf): split code/vars images, then the combined one. */
export const OVMF_CODE_CANDIDATES = ['/usr/share/OVMF/OVMF_CODE.fd', '/usr/share/OVMF/OVMF_CODE_4M.fd'];
export const OVMF_COMBINED_CANDIDATES = ['/usr/share/ovmf/OVMF.fd', '/usr/share/qemu/OVMF.fd'];

/** Why UEFI machines cannot start here, or null. */
export function ovmfUnavailable(): string | null {
  if (OVMF_CODE_CANDIDATES.some((p) => existsSync(p) && existsSync(varsFor(p)))) return null;
  if (OVMF_COMBINED_CANDIDATES.some((p) => existsSync(p))) return null;
  return 'no OVMF firmware (apt-get install ovmf)';
}

/** OVMF_CODE*.fd → its matching OVMF_VARS*.fd. */
const varsFor = (code: string): string => code.replace('OVMF_CODE', 'OVMF_VARS');

/** QEMU arguments for the firmware: nothing for SeaBIOS; OVMF as pflash (vars copied to `varsCopy`) or -bios. */
export async function firmwareArgs(uefi: boolean, varsCopy: string): Promise<string[]> {
  if (!uefi) return [];
  const code = OVMF_CODE_CANDIDATES.find((p) => existsSync(p) && existsSync(varsFor(p)));
  if (code) {
    await copyFile(varsFor(code), varsCopy);
    return ['-drive', `if=pflash,format=raw,unit=0,readonly=on,file=${code}`, '-drive', `if=pflash,format=raw,unit=1,file=${varsCopy}`];
  }
  const combined = OVMF_COMBINED_CANDIDATES.find((p) => existsSync(p));
  if (!combined) throw new Error(ovmfUnavailable()!);
  return ['-bios', combined];
}

/**
 * The NIC. BIOS: with QEMU's iPXE option ROM (SeaBIOS has no network boot of its own).
 * UEFI: without it (`romfile=`), so that OVMF's own UEFI PXE client (NetworkPkg over
 * VirtioNetDxe) boots, as a server's firmware would; iPXE's EFI ROM would announce itself
 * as iPXE (option 175) and be handed the iPXE script instead of the UEFI loader.
 */
export function nicDevice(mac: string, uefi: boolean): string {
  return `virtio-net-pci,netdev=n0,mac=${mac}${uefi ? ',romfile=' : ''}`;
}

/** QEMU arguments for the boot source: the CD first when there is one, else the NIC. */
export function bootArgs(nic: string, cdrom?: string): string[] {
  if (!cdrom) return ['-device', `${nic},bootindex=1`];
  if (/,/.test(cdrom)) throw new Error(`ISO path must not contain a comma: ${cdrom}`);
  return ['-drive', `if=none,id=cd0,media=cdrom,readonly=on,format=raw,file=${cdrom}`, '-device', 'ide-cd,drive=cd0,bootindex=1', '-device', nic];
}

export async function startPxeLab(opts: { dir: string; tftpRoot: string; httpRoot: string; prefix24: string; httpPort?: number }): Promise<PxeLab> {
  const ns = `ingot-${randomBytes(3).toString('hex')}-lab`;
  const serverIp = `${opts.prefix24}.1`;
  const httpPort = opts.httpPort ?? 8080;
  const children: ChildProcess[] = [];
  let dnsmasq: DnsmasqProcess | undefined;
  let taps = 0;
  const close = async () => {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    await dnsmasq?.stop();
    try { ip('netns', 'del', ns); } catch { /* gone */ }
  };
  try {
    ip('netns', 'add', ns);
    ip('-n', ns, 'link', 'set', 'lo', 'up');
    ip('-n', ns, 'link', 'add', 'br0', 'type', 'bridge');
    ip('-n', ns, 'addr', 'add', `${serverIp}/24`, 'dev', 'br0');
    ip('-n', ns, 'link', 'set', 'br0', 'up');
    const paths = dnsmasqPathsIn(join(opts.dir, 'dnsmasq'));
    const dhcp = new DnsmasqDhcp(paths);
    await dhcp.ensureDirs();
    const { writeFile } = await import('node:fs/promises');
    await writeFile(paths.confFile, renderDnsmasqConf({ paths, interface: 'br0', dhcpRange: `${opts.prefix24}.100,${opts.prefix24}.150,1h`, tftpRoot: opts.tftpRoot }));
    dnsmasq = await startDnsmasq({ conf: paths.confFile, pidfile: paths.pidfile, prefix: ['ip', 'netns', 'exec', ns] });
    const httpd = spawn('ip', ['netns', 'exec', ns, 'busybox', 'httpd', '-f', '-p', `${serverIp}:${httpPort}`, '-h', opts.httpRoot], { stdio: 'ignore' });
    children.push(httpd);
    const startMachine = async (m: PxeLabMachineOptions): Promise<PxeLabMachine> => {
      const tap = `tap${taps++}`;
      ip('-n', ns, 'tuntap', 'add', 'dev', tap, 'mode', 'tap');
      ip('-n', ns, 'link', 'set', tap, 'master', 'br0');
      ip('-n', ns, 'link', 'set', tap, 'up');
      const name = m.mac.replaceAll(':', '');
      const serial = join(opts.dir, `serial-${name}.log`);
      const firmware = await firmwareArgs(m.uefi ?? false, join(opts.dir, `ovmf-vars-${name}.fd`));
      const proc = spawn('ip', ['netns', 'exec', ns, 'qemu-system-x86_64', '-m', String(m.memoryMb ?? 1024), '-nographic', '-no-reboot',
        '-display', 'none', '-monitor', 'none', '-serial', `file:${serial}`, ...firmware,
        '-netdev', `tap,id=n0,ifname=${tap},script=no,downscript=no`, ...bootArgs(nicDevice(m.mac, m.uefi ?? false), m.cdrom)], { stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      proc.stderr!.on('data', (b: Buffer) => { stderr = (stderr + b.toString()).slice(-2000); });
      children.push(proc);
      const exited = new Promise<void>((r) => proc.once('close', () => r()));
      return {
        mac: m.mac, serial, proc,
        async waitFor(text, timeoutMs) {
          const deadline = Date.now() + timeoutMs;
          for (;;) {
            const log = await readFile(serial, 'utf8').catch(() => '');
            if (log.includes(text)) return log;
            if (proc.exitCode !== null || Date.now() > deadline) {
              throw new Error(`machine ${m.mac}: "${text}" not on the serial console (${proc.exitCode !== null ? `QEMU exited: ${stderr.trim() || `status ${proc.exitCode}`}` : 'timeout'}); serial log:\n${log.slice(-3000)}\ndnsmasq:\n${dnsmasq?.output().slice(-3000)}`);
            }
            await new Promise((r) => setTimeout(r, 1000));
          }
        },
        async kill() { if (proc.exitCode === null) proc.kill('SIGKILL'); await exited; },
      };
    };
    return { ns, serverIp, httpUrl: `http://${serverIp}:${httpPort}`, dhcp, dnsmasq, startMachine, close };
  } catch (err) {
    await close();
    throw err;
  }
}
