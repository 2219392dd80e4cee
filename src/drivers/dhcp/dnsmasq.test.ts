/** dnsmasq host/option files as nodes come and go; PXE filter rules; leases. (The real dnsmasq: test/netboot.) */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvalidError } from '../../core/errors.ts';
import type { DriverContext, DriverPort } from '../base.ts';
import { makeTestNode } from '../../testing/driver-conformance.ts';
import { DnsmasqDhcp, dnsmasqPathsIn } from './dnsmasq.ts';
import { renderDnsmasqConf } from './dnsmasq-conf.ts';

const port = (address: string, pxe = true): DriverPort => ({ uuid: address, address, pxe_enabled: pxe, physical_network: null, extra: {} });
function ctx(node: ReturnType<typeof makeTestNode>, ports: DriverPort[]): DriverContext {
  return {
    node, loadPorts: async () => ports, signal: new AbortController().signal, logger: { info() {}, warn() {}, error() {}, debug() {} },
    setInternalInfo(v) { Object.assign(node.driver_internal_info, v); },
  };
}
const OPTS = [{ opt_name: '67', opt_value: 'pxelinux.0', ip_version: 4 as const }, { opt_name: '59', opt_value: 'tftp://x/pxelinux.0', ip_version: 6 as const }];

test('host and option files follow nodes: one opts file per node, one host file per PXE port, ignore after clean-up', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'ingot-dnsmasq-files-'));
  try {
    const d = new DnsmasqDhcp(dnsmasqPathsIn(dir));
    const a = makeTestNode();
    const b = makeTestNode();
    const ca = ctx(a, [port('52:54:00:00:0A:01'), port('52:54:00:00:0a:02'), port('52:54:00:00:0a:03', false)]);
    const cb = ctx(b, [port('52:54:00:00:0b:01')]);
    await d.updateDhcpOpts(ca, OPTS);
    await d.updateDhcpOpts(cb, OPTS);
    const ta = a.driver_internal_info.dnsmasq_tag as string;
    const tb = b.driver_internal_info.dnsmasq_tag as string;
    assert.notEqual(ta, tb);
    assert.deepEqual((await readdir(d.paths.hostsdir)).sort(),
      ['ironic-52:54:00:00:0a:01.conf', 'ironic-52:54:00:00:0a:02.conf', 'ironic-52:54:00:00:0b:01.conf']);
    assert.deepEqual((await readdir(d.paths.optsdir)).sort(), [`ironic-${a.uuid}.conf`, `ironic-${b.uuid}.conf`].sort());
    assert.equal(await readFile(d.optsFile(a.uuid), 'utf8'), `tag:${ta},67,pxelinux.0\n`, 'IPv4 options only');
    // A second update keeps the node's tag (hosts keep matching the options).
    await d.updateDhcpOpts(ca, [{ opt_name: '67', opt_value: 'other.0', ip_version: 4 }]);
    assert.equal(a.driver_internal_info.dnsmasq_tag, ta);
    assert.equal(await readFile(d.optsFile(a.uuid), 'utf8'), `tag:${ta},67,other.0\n`);
    // Node A goes: its hosts are ignored, its options gone; B is untouched.
    await d.cleanDhcpOpts(ca);
    assert.equal(await readFile(d.hostFile('52:54:00:00:0a:01'), 'utf8'), '52:54:00:00:0a:01,ignore\n');
    assert.equal(await readFile(d.hostFile('52:54:00:00:0a:02'), 'utf8'), '52:54:00:00:0a:02,ignore\n');
    assert.deepEqual(await readdir(d.paths.optsdir), [`ironic-${b.uuid}.conf`]);
    assert.equal(await readFile(d.hostFile('52:54:00:00:0b:01'), 'utf8'), `52:54:00:00:0b:01,set:${tb},set:ironic\n`);
    assert.equal(a.driver_internal_info.dnsmasq_tag, null);
    // A comes back: a new tag, hosts served again.
    await d.updateDhcpOpts(ca, OPTS);
    assert.notEqual(a.driver_internal_info.dnsmasq_tag, ta);
    assert.match(await readFile(d.hostFile('52:54:00:00:0a:01'), 'utf8'), /,set:ironic\n$/);
    assert.equal((await readdir(d.paths.hostsdir)).some((n) => n.startsWith('.')), false, 'no temp files left');
  } finally { await rm(dir, { recursive: true, force: true }); }
});

test('PXE filter rules (for inspection) and leases', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'ingot-dnsmasq-filter-'));
  try {
    const d = new DnsmasqDhcp(dnsmasqPathsIn(dir));
    await d.setFilterRule('52:54:00:00:0C:01', 'ignore');
    assert.equal(await readFile(d.filterFile('52:54:00:00:0c:01'), 'utf8'), '52:54:00:00:0c:01,ignore\n');
    await d.setFilterRule('52:54:00:00:0C:01', 'deny');
    assert.equal(await readFile(d.filterFile('52:54:00:00:0c:01'), 'utf8'), '52:54:00:00:0c:01,set:ironic\n', 'deny: a lease without a boot file');
    await d.setFilterRule('52:54:00:00:0c:01', 'allow');
    assert.equal(await readFile(d.filterFile('52:54:00:00:0c:01'), 'utf8'), '52:54:00:00:0c:01\n');
    assert.deepEqual(await d.getIpAddresses([port('52:54:00:00:0c:01')]), []);
    await writeFile(d.paths.leasefile, '1700000000 52:54:00:00:0c:01 10.0.0.5 * 01:52:54:00:00:0c:01\n1700000000 52:54:00:00:0c:02 10.0.0.6 * *\n');
    assert.deepEqual(await d.getIpAddresses([port('52:54:00:00:0C:01'), port('52:54:00:00:0c:02', false)]), ['10.0.0.5']);
  } finally { await rm(dir, { recursive: true, force: true }); }
});

test('dnsmasq.conf: interface, range, directories, iPXE/UEFI tags; unknown machines ignored or given boot files', () => {
  const paths = dnsmasqPathsIn('/var/lib/ingot/dnsmasq');
  const conf = renderDnsmasqConf({ paths, interface: 'br0', dhcpRange: '192.0.2.10,192.0.2.99,1h', tftpRoot: '/srv/tftp' });
  for (const line of ['port=0', 'interface=br0', 'dhcp-range=192.0.2.10,192.0.2.99,1h', `dhcp-hostsdir=${paths.hostsdir}`,
    `dhcp-optsdir=${paths.optsdir}`, 'dhcp-match=set:ipxe,175', 'enable-tftp', 'tftp-root=/srv/tftp', 'dhcp-ignore=tag:!known']) {
    assert.ok(conf.split('\n').includes(line), line);
  }
  const open = renderDnsmasqConf({ paths, interface: 'br0', dhcpRange: 'r', tftpRoot: '/t', serveUnknown: { bios: 'undionly.kpxe', uefi: 'snponly.efi', ipxe: 'http://h/boot.ipxe' } });
  assert.ok(open.includes('dhcp-boot=tag:!ironic,tag:ipxe,http://h/boot.ipxe\n'));
  assert.equal(open.includes('dhcp-ignore'), false);
  assert.throws(() => renderDnsmasqConf({ paths, interface: 'br0\nevil', dhcpRange: 'r', tftpRoot: '/t' }), /one line/);
});

test('the PXE filter and the host files: one rule per MAC, files rewritten and never deleted (dnsmasq only adds host records)', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'ingot-dnsmasq-pxefilter-'));
  try {
    const d = new DnsmasqDhcp(dnsmasqPathsIn(dir));
    const a = '52:54:00:00:0d:01';
    const idle = '52:54:00:00:0d:02';
    const node = makeTestNode();
    const files = async () => Object.fromEntries(await Promise.all((await readdir(d.paths.hostsdir)).sort().map(async (n) => [n, await readFile(join(d.paths.hostsdir, n), 'utf8')])));
    await d.applyPxeFilter({ allow: new Set(), deny: new Set([a, idle]), allowUnknown: false });
    assert.deepEqual(await files(), { [`filter-${a}.conf`]: `${a},set:ironic\n`, [`filter-${idle}.conf`]: `${idle},set:ironic\n`, 'filter-unknown.conf': '*:*:*:*:*:*,ignore\n' });
    // The node pxe-boots: its host line, and the same line in its filter file.
    await d.updateDhcpOpts(ctx(node, [port(a)]), OPTS);
    const served = `${a},set:${node.driver_internal_info.dnsmasq_tag},set:ironic\n`;
    assert.equal((await files())[`ironic-${a}.conf`], served);
    assert.equal((await files())[`filter-${a}.conf`], served);
    // The filter still says deny: the provider's MAC is left alone.
    await d.applyPxeFilter({ allow: new Set(), deny: new Set([a, idle]), allowUnknown: false });
    assert.equal((await files())[`filter-${a}.conf`], served);
    // Cleaned up by the provider: both say ignore.
    await d.cleanDhcpOpts(ctx(node, [port(a)]));
    assert.equal((await files())[`filter-${a}.conf`], `${a},ignore\n`);
    // The idle MAC's port goes away: it follows the unknown-hosts rule, no answer at all (not a lease).
    await d.applyPxeFilter({ allow: new Set(), deny: new Set(), allowUnknown: false });
    assert.equal((await files())[`filter-${idle}.conf`], `${idle},ignore\n`);
    // Discovery turns on: rewritten to the unknown rule (allow), nothing deleted.
    await d.applyPxeFilter({ allow: new Set(), deny: new Set(), allowUnknown: true });
    const after = await files();
    assert.equal(after[`filter-${idle}.conf`], `${idle}\n`);
    assert.equal(after['filter-unknown.conf'], '*:*:*:*:*:*\n');
    assert.equal(after[`filter-${a}.conf`], `${a},ignore\n`);
    assert.deepEqual(Object.keys(after).sort(), [`filter-${a}.conf`, `filter-${idle}.conf`, 'filter-unknown.conf', `ironic-${a}.conf`]);
  } finally { await rm(dir, { recursive: true, force: true }); }
});

test('validate never hangs and says what is wrong: not installed, a dnsmasq that does not answer, no live dnsmasq behind the pid file', { timeout: 30_000 }, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'ingot-dnsmasq-validate-'));
  const children: ChildProcess[] = [];
  try {
    const paths = { ...dnsmasqPathsIn(dir), confFile: undefined };
    // Not installed.
    await assert.rejects(new DnsmasqDhcp({ ...paths, binary: join(dir, 'absent', 'dnsmasq') }).validate(),
      (e: unknown) => e instanceof InvalidError && /^DHCP provider dnsmasq: dnsmasq is not installed \(tried .*absent\/dnsmasq\)\. Install Debian's dnsmasq-base/.test(e.message));
    // Installed but hanging: an error after the time limit, not a hang.
    const hung = join(dir, 'hung-dnsmasq');
    await writeFile(hung, '#!/bin/sh\nexec sleep 600\n', { mode: 0o755 });
    await assert.rejects(new DnsmasqDhcp({ ...paths, binary: hung }, 300).validate(),
      (e: unknown) => e instanceof InvalidError && /dnsmasq does not work \(.*hung-dnsmasq --version: \(no answer within 0\.3 s\)\)\. Reinstall/.test(e.message));
    // A program that answers; then what the pid file says. (A copy of sleep named dnsmasq stands in for the running daemon.)
    const fake = join(dir, 'dnsmasq');
    await writeFile(fake, '#!/bin/sh\necho "Dnsmasq version 2.90"\n', { mode: 0o755 });
    const d = new DnsmasqDhcp({ ...paths, binary: fake }, 2000);
    const notRunning = (e: unknown) => e instanceof InvalidError && /dnsmasq is not running \(no live process in .*dnsmasq\.pid\)\. Start it with "ingot dnsmasq"/.test(e.message);
    await assert.rejects(d.validate(), notRunning, 'no pid file');
    await writeFile(paths.pidfile, 'garbage\n');
    await assert.rejects(d.validate(), notRunning, 'a pid file without a pid');
    const gone = spawn('true');
    await new Promise((r) => gone.once('close', r));
    await writeFile(paths.pidfile, `${gone.pid}\n`);
    await assert.rejects(d.validate(), notRunning, 'a dead process');
    await writeFile(paths.pidfile, `${process.pid}\n`);
    await assert.rejects(d.validate(), notRunning, 'a live process that is not dnsmasq');
    const daemon = join(dir, 'bin', 'dnsmasq');
    await mkdir(join(dir, 'bin'));
    await copyFile('/bin/sleep', daemon);
    const live = spawn(daemon, ['600'], { stdio: 'ignore' });
    children.push(live);
    await writeFile(paths.pidfile, `${live.pid}\n`);
    for (let i = 0; i < 100 && (await readFile(`/proc/${live.pid}/comm`, 'utf8').catch(() => '')).trim() !== 'dnsmasq'; i++) await new Promise((r) => setTimeout(r, 20));
    await d.validate();
    assert.equal(await d.runningPid(), live.pid);
  } finally {
    for (const c of children) c.kill('SIGKILL');
    await rm(dir, { recursive: true, force: true });
  }
});
