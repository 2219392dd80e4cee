/**
 * A provisioning network for real (virtual) machines, inside one network namespace the
 * lab creates: bridge `br0` with the conductor-side address, dnsmasq (DHCP + TFTP) on it,
 * busybox httpd serving http_root, and QEMU machines (software emulation) whose NIC is a
 * tap device on the bridge, serial console logged to a file. Nothing touches the
 * machine's own network; `close()` stops everything and removes the namespace.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
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
  startMachine(opts: { mac: string; memoryMb?: number; uefi?: boolean }): PxeLabMachine;
  close(): Promise<void>;
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
    const startMachine = (m: { mac: string; memoryMb?: number }): PxeLabMachine => {
      const tap = `tap${taps++}`;
      ip('-n', ns, 'tuntap', 'add', 'dev', tap, 'mode', 'tap');
      ip('-n', ns, 'link', 'set', tap, 'master', 'br0');
      ip('-n', ns, 'link', 'set', tap, 'up');
      const serial = join(opts.dir, `serial-${m.mac.replaceAll(':', '')}.log`);
      const proc = spawn('ip', ['netns', 'exec', ns, 'qemu-system-x86_64', '-m', String(m.memoryMb ?? 1024), '-nographic', '-no-reboot',
        '-display', 'none', '-monitor', 'none', '-serial', `file:${serial}`, '-boot', 'n',
        '-netdev', `tap,id=n0,ifname=${tap},script=no,downscript=no`, '-device', `virtio-net-pci,netdev=n0,mac=${m.mac}`], { stdio: 'ignore' });
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
              throw new Error(`machine ${m.mac}: "${text}" not on the serial console (${proc.exitCode !== null ? 'QEMU exited' : 'timeout'}); serial log:\n${log.slice(-3000)}\ndnsmasq:\n${dnsmasq?.output().slice(-3000)}`);
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
