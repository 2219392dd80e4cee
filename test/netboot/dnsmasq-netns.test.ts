/**
 * The real dnsmasq (Debian dnsmasq-base) driven by Ingot: started inside a network
 * namespace this test creates, fed by the pxe boot interface's host/option files, it
 * answers a DHCP request from busybox udhcpc in another namespace with the node's boot
 * file and TFTP server, serves the node's PXELINUX config over TFTP, and stops answering
 * once the node is cleaned up. Also: the boot interface's validate with dnsmasq not
 * configured, badly configured, not running, and running.
 * Needs root, iproute2, dnsmasq-base and busybox-static (scripts/lib/deps.sh installs them).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InvalidError } from '../../src/core/errors.ts';
import type { ComposedDriver, DriverContext, DriverPort } from '../../src/drivers/base.ts';
import { DnsmasqDhcp, dnsmasqPathsIn } from '../../src/drivers/dhcp/dnsmasq.ts';
import { renderDnsmasqConf, startDnsmasq } from '../../src/drivers/dhcp/dnsmasq-conf.ts';
import { PxeBoot, pxeSettings } from '../../src/drivers/pxe/index.ts';
import { makeTestNode } from '../../src/testing/driver-conformance.ts';
import { makeTestNet, netnsUnavailable } from '../../src/testing/netns.ts';

function missingTools(): string | null {
  const why = netnsUnavailable();
  if (why) return why;
  for (const [bin, pkg] of [['dnsmasq', 'dnsmasq-base'], ['busybox', 'busybox-static']]) {
    if (spawnSync(bin, ['--help'], { stdio: 'ignore', timeout: 5000 }).error) return `${bin} is not installed (apt-get install ${pkg})`;
  }
  return null;
}
const skip = missingTools();
if (skip && process.env.CI) throw new Error(`netboot test cannot run: ${skip}`);

const MAC = '52:54:00:77:00:01';

function ctxFor(node: ReturnType<typeof makeTestNode>, ports: DriverPort[]): DriverContext {
  return {
    node, loadPorts: async () => ports, signal: new AbortController().signal, logger: { info() {}, warn() {}, error() {}, debug() {} },
    setInternalInfo(v) { Object.assign(node.driver_internal_info, v); },
    driver: { management: { async setBootDevice() {} } } as unknown as ComposedDriver,
  };
}

/** One DHCP exchange with busybox udhcpc in `ns`: the variables udhcpc hands its script, or null when nobody answered. */
async function dhcpRequest(dir: string, ns: string, iface: string): Promise<Record<string, string> | null> {
  const out = join(dir, `udhcpc-${Date.now()}.env`);
  const script = join(dir, 'udhcpc.sh');
  await writeFile(script, `#!/bin/sh\n[ "$1" = bound ] && env > "${out}"\nexit 0\n`);
  await chmod(script, 0o755);
  // Asynchronously: dnsmasq's log pipe must keep draining meanwhile. 3 tries 3 s apart: dnsmasq
  // pings a new address (ARP, ~3 s unanswered) before offering it.
  const ok = await new Promise<boolean>((resolve) => {
    execFile('ip', ['netns', 'exec', ns, 'busybox', 'udhcpc', '-i', iface, '-f', '-q', '-n', '-t', '3', '-T', '3', '-O', 'bootfile', '-O', 'tftp', '-s', script],
      { timeout: 30_000 }, (err) => resolve(!err));
  });
  if (!ok) return null;
  const env: Record<string, string> = {};
  for (const line of (await readFile(out, 'utf8')).split('\n')) {
    const i = line.indexOf('=');
    if (i > 0) env[line.slice(0, i)] = line.slice(i + 1);
  }
  return env;
}

test('dnsmasq in a namespace serves a node prepared for PXE boot, then forgets it', { skip: skip ?? false, timeout: 120_000 }, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'ingot-dnsmasq-'));
  await chmod(dir, 0o755); // dnsmasq drops to user nobody before serving TFTP
  const net = makeTestNet({ prefix24: '10.77.9', clientMac: MAC });
  let proc: Awaited<ReturnType<typeof startDnsmasq>> | undefined;
  try {
    const paths = dnsmasqPathsIn(join(dir, 'dnsmasq'));
    const dhcp = new DnsmasqDhcp(paths);
    const tftpRoot = join(dir, 'tftpboot');
    await mkdir(tftpRoot, { recursive: true });
    await writeFile(join(dir, 'k'), 'KERNEL');
    await writeFile(join(dir, 'r'), 'RAMDISK');
    const s = pxeSettings({ tftpRoot, httpRoot: join(dir, 'http'), httpUrl: () => 'http://10.77.9.1:8080', apiUrl: () => 'http://10.77.9.1:6385', tftpServer: net.serverIp, dhcp });
    const boot = new PxeBoot('pxe', s);
    const node = makeTestNode({ provision_state: 'cleaning', properties: { capabilities: 'boot_mode:bios' }, driver_info: { deploy_kernel: join(dir, 'k'), deploy_ramdisk: join(dir, 'r') } });
    const ctx = ctxFor(node, [{ uuid: 'p1', address: MAC, pxe_enabled: true, physical_network: null, extra: {} }]);

    // Not configured, then a configuration dnsmasq rejects, then valid but not running.
    await assert.rejects(boot.validate(ctx), (e: unknown) => e instanceof InvalidError && /no dnsmasq configuration at .*ingot dnsmasq/.test(e.message));
    await mkdir(join(dir, 'dnsmasq'), { recursive: true });
    await writeFile(paths.confFile, 'dhcp-range=bogus\n');
    await assert.rejects(boot.validate(ctx), (e: unknown) => e instanceof InvalidError && /configuration .* is invalid: .*bad dhcp-range/.test(e.message));
    await writeFile(paths.confFile, renderDnsmasqConf({ paths, interface: net.serverIf, dhcpRange: '10.77.9.100,10.77.9.150,1h', tftpRoot }));
    await assert.rejects(boot.validate(ctx), (e: unknown) => e instanceof InvalidError && /dnsmasq is not running/.test(e.message));

    await dhcp.ensureDirs();
    proc = await startDnsmasq({ conf: paths.confFile, pidfile: paths.pidfile, prefix: net.exec(net.server) });
    await boot.validate(ctx);

    // Unknown to Ingot yet: dnsmasq ignores the machine.
    assert.equal(await dhcpRequest(dir, net.client, net.clientIf), null, 'a machine without host entry gets no answer');

    await boot.prepareRamdisk(ctx, 'clean');
    const lease = await dhcpRequest(dir, net.client, net.clientIf);
    assert.ok(lease, `no DHCP answer after prepareRamdisk; dnsmasq said:\n${proc.output()}`);
    assert.match(lease.ip!, /^10\.77\.9\.(1[0-4]\d|150)$/);
    assert.equal(lease.bootfile, 'pxelinux.0');
    assert.equal(lease.tftp, net.serverIp);
    assert.equal(lease.siaddr, net.serverIp);

    // The per-MAC PXELINUX config comes over dnsmasq's TFTP.
    execFileSync('ip', ['-n', net.client, 'addr', 'add', `${lease.ip}/24`, 'dev', net.clientIf]);
    const got = join(dir, 'tftp-got');
    execFileSync('ip', ['netns', 'exec', net.client, 'busybox', 'tftp', '-g', '-r', `pxelinux.cfg/01-${MAC.replaceAll(':', '-')}`, '-l', got, net.serverIp], { timeout: 20_000 });
    assert.match(await readFile(got, 'utf8'), new RegExp(`^default deploy\\n\\nlabel deploy\\nkernel ${node.uuid}/deploy_kernel\\n.*ipa-api-url=http://10\\.77\\.9\\.1:6385\\n`));
    execFileSync('ip', ['-n', net.client, 'addr', 'flush', 'dev', net.clientIf]);

    // Clean-up: the host entry turns to ignore and dnsmasq stops answering, without a restart.
    await boot.cleanUpInstance(ctx);
    assert.equal(await dhcpRequest(dir, net.client, net.clientIf), null, `still answered after clean-up; dnsmasq said:\n${proc.output()}`);
    await proc.stop();
    proc = undefined;
    await assert.rejects(boot.validate(ctx), /dnsmasq is not running/);
  } finally {
    await proc?.stop();
    net.close();
    await rm(dir, { recursive: true, force: true });
  }
});

test('ingot dnsmasq --check writes the configuration and the loaders, and refuses what dnsmasq rejects', { skip: skip ?? false, timeout: 120_000 }, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'ingot-dnsmasq-cli-'));
  const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
  const run = (args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', join(root, 'src', 'bin', 'ingot.ts'), 'dnsmasq', '--check', ...args],
    { encoding: 'utf8', timeout: 60_000, cwd: root, env: { ...process.env, INGOT_DATA_DIR: dir } });
  try {
    const ok = run(['--interface', 'lo', '--dhcp-range', '10.79.0.10,10.79.0.20,1h']);
    assert.equal(ok.status, 0, ok.stderr);
    assert.match(ok.stdout, /syntax check OK/);
    const conf = await readFile(join(dir, 'dnsmasq', 'dnsmasq.conf'), 'utf8');
    assert.match(conf, /^dhcp-range=10\.79\.0\.10,10\.79\.0\.20,1h$/m);
    assert.match(conf, new RegExp(`^tftp-root=${join(dir, 'tftpboot')}$`, 'm'));
    const bad = run(['--interface', 'lo', '--dhcp-range', 'bogus']);
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /ingot: dnsmasq rejects .*dnsmasq\.conf: dnsmasq: bad dhcp-range/);
    const none = run([]);
    assert.equal(none.status, 1);
    assert.match(none.stderr, /needs --interface and --dhcp-range/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('the real dnsmasq follows the inspector\'s PXE filter lines: the wildcard deny holds unknown machines, an exact line wins over it, a rewrite to deny leases without a boot file, a removed MAC is ignored, discovery lets unknown machines boot', { skip: skip ?? false, timeout: 180_000 }, async () => {
  const FMAC = '52:54:00:77:00:02';
  const dir = await mkdtemp(join(tmpdir(), 'ingot-dnsmasq-filter-'));
  await chmod(dir, 0o755);
  const net = makeTestNet({ prefix24: '10.77.10', clientMac: FMAC });
  let proc: Awaited<ReturnType<typeof startDnsmasq>> | undefined;
  try {
    const paths = dnsmasqPathsIn(join(dir, 'dnsmasq'));
    const dhcp = new DnsmasqDhcp(paths);
    const tftpRoot = join(dir, 'tftpboot');
    await mkdir(tftpRoot, { recursive: true });
    await mkdir(join(dir, 'dnsmasq'), { recursive: true });
    // Discovery set-up: unknown machines get default boot files (--serve-unknown); the filter decides who may.
    await writeFile(paths.confFile, renderDnsmasqConf({
      paths, interface: net.serverIf, dhcpRange: '10.77.10.100,10.77.10.150,1h', tftpRoot,
      serveUnknown: { bios: 'undionly.kpxe', uefi: 'snponly.efi', ipxe: 'http://10.77.10.1:8080/boot.ipxe' },
    }));
    await dhcp.applyPxeFilter({ allow: new Set(), deny: new Set(), allowUnknown: false });
    proc = await startDnsmasq({ conf: paths.confFile, pidfile: paths.pidfile, prefix: net.exec(net.server) });

    assert.equal(await dhcpRequest(dir, net.client, net.clientIf), null, `the wildcard deny line holds an unknown machine; dnsmasq said:\n${proc.output()}`);

    // Being inspected: an exact allow line wins over the wildcard; the machine gets the default boot file.
    await dhcp.applyPxeFilter({ allow: new Set([FMAC]), deny: new Set(), allowUnknown: false });
    const lease = await dhcpRequest(dir, net.client, net.clientIf);
    assert.ok(lease, `no answer for an allowed MAC; dnsmasq said:\n${proc.output()}`);
    assert.equal(lease.bootfile, 'undionly.kpxe');

    // Inspection over, the node still enrolled: the same file rewritten to deny (dnsmasq re-reads
    // it; nothing is deleted): a lease (a ramdisk booted from virtual media needs one) but no boot file.
    await dhcp.applyPxeFilter({ allow: new Set(), deny: new Set([FMAC]), allowUnknown: false });
    const denied = await dhcpRequest(dir, net.client, net.clientIf);
    assert.ok(denied, `no lease for an enrolled MAC outside inspection; dnsmasq said:\n${proc.output()}`);
    assert.equal(denied.bootfile ?? '', '', `an enrolled MAC outside inspection got a boot file; dnsmasq said:\n${proc.output()}`);
    assert.equal(denied.boot_file ?? '', '');

    // Its port deleted: the filter no longer names it, it follows the unknown-hosts rule (ignore).
    await dhcp.applyPxeFilter({ allow: new Set(), deny: new Set(), allowUnknown: false });
    assert.equal(await dhcpRequest(dir, net.client, net.clientIf), null, `still answered after the port went away; dnsmasq said:\n${proc.output()}`);

    // Discovery turned on: the wildcard line rewritten to allow; a machine nobody knows boots the default file.
    execFileSync('ip', ['-n', net.client, 'link', 'set', net.clientIf, 'address', '52:54:00:77:00:03']);
    await dhcp.applyPxeFilter({ allow: new Set(), deny: new Set([FMAC]), allowUnknown: true });
    const discovered = await dhcpRequest(dir, net.client, net.clientIf);
    assert.ok(discovered, `no answer for an unknown machine with discovery on; dnsmasq said:\n${proc.output()}`);
    assert.equal(discovered.bootfile, 'undionly.kpxe');
  } finally {
    await proc?.stop();
    net.close();
    await rm(dir, { recursive: true, force: true });
  }
});
