/**
 * The pxe/ipxe boot interfaces on real files: boot configs, per-MAC links, staged images
 * and dnsmasq host/option files as a node goes through ramdisk → instance → clean-up.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, readlink, readdir, rm, stat, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvalidError } from '../../core/errors.ts';
import type { Node } from '../../core/node.ts';
import { makeTestNode } from '../../testing/driver-conformance.ts';
import type { ComposedDriver, DriverContext, DriverPort } from '../base.ts';
import { DnsmasqDhcp, dnsmasqPathsIn } from '../dhcp/dnsmasq.ts';
import { PxeBoot } from './boot.ts';
import { pxeSettings, type PxeSettings } from './settings.ts';

const MAC = '52:54:00:AB:cd:01';
const mac = MAC.toLowerCase();
const port = (address: string, pxe = true): DriverPort => ({ uuid: `p-${address}`, address, pxe_enabled: pxe, physical_network: null, extra: {} });

interface Lab { dir: string; s: PxeSettings; dhcp: DnsmasqDhcp; kernel: string; ramdisk: string; close(): Promise<void> }

async function lab(over: Partial<PxeSettings> = {}): Promise<Lab> {
  const dir = await mkdtemp(join(tmpdir(), 'ingot-pxe-'));
  const dhcp = new DnsmasqDhcp({ ...dnsmasqPathsIn(join(dir, 'dnsmasq')), binary: join(dir, 'no-dnsmasq') }, 2000);
  const kernel = join(dir, 'src-kernel');
  const ramdisk = join(dir, 'src-ramdisk');
  await writeFile(kernel, 'KERNEL');
  await writeFile(ramdisk, 'RAMDISK');
  const s = pxeSettings({
    tftpRoot: join(dir, 'tftpboot'), httpRoot: join(dir, 'httpboot'), httpUrl: () => 'http://192.0.2.1:8080',
    apiUrl: () => 'http://192.0.2.1:6385/', tftpServer: '192.0.2.1', dhcp, ...over,
  });
  return { dir, s, dhcp, kernel, ramdisk, close: () => rm(dir, { recursive: true, force: true }) };
}

type Ctx = DriverContext & { internal: Record<string, unknown>; bootDevices: [string, boolean][] };
function context(node: Node, ports: DriverPort[]): Ctx {
  const internal: Record<string, unknown> = {};
  const bootDevices: [string, boolean][] = [];
  const management = { async setBootDevice(_c: DriverContext, d: string, p: boolean) { bootDevices.push([d, p]); } };
  return {
    node, internal, bootDevices, loadPorts: async () => ports, signal: new AbortController().signal,
    logger: { info() {}, warn() {}, error() {}, debug() {} },
    setInternalInfo(v) { Object.assign(internal, v); Object.assign(node.driver_internal_info, v); },
    driver: { management } as unknown as ComposedDriver,
  };
}

const exists = (p: string) => stat(p).then(() => true, () => false);

test('pxe and ipxe, inspection: the caller\'s kernel parameters on the command line, no ipa-api-url (Ironic\'s inspector interface passes none)', async () => {
  const l = await lab();
  try {
    const node = makeTestNode({
      provision_state: 'inspecting', properties: { capabilities: 'boot_mode:bios' },
      driver_info: { deploy_kernel: l.kernel, deploy_ramdisk: `file://${l.ramdisk}` },
    });
    const kernelParams = { 'ipa-inspection-callback-url': 'http://192.0.2.1:5050/v1/continue', 'ipa-collect-lldp': '1', nofb: null };
    await new PxeBoot('pxe', l.s).prepareRamdisk(context(node, [port(MAC)]), 'inspect', { kernelParams });
    const cfg = await readFile(join(l.s.tftpRoot, node.uuid, 'config'), 'utf8');
    const append = cfg.split('\n').find((x) => x.startsWith('append'))!;
    assert.match(append, / text nofb nomodeset vga=normal ipa-inspection-callback-url=http:\/\/192\.0\.2\.1:5050\/v1\/continue ipa-collect-lldp=1 nofb$/);
    assert.doesNotMatch(append, /ipa-api-url/);
    await new PxeBoot('ipxe', l.s).prepareRamdisk(context(node, [port(MAC)]), 'inspect', { kernelParams });
    const script = await readFile(join(l.s.httpRoot, node.uuid, 'config'), 'utf8');
    assert.match(script, /ipa-inspection-callback-url=http:\/\/192\.0\.2\.1:5050\/v1\/continue ipa-collect-lldp=1 nofb/);
    assert.doesNotMatch(script, /ipa-api-url|\[object Object\]/);
    // Other purposes keep ipa-api-url first, then the caller's.
    await new PxeBoot('pxe', l.s).prepareRamdisk(context(node, [port(MAC)]), 'clean', { kernelParams: { extra: 'x' } });
    assert.match(await readFile(join(l.s.tftpRoot, node.uuid, 'config'), 'utf8'), / ipa-api-url=http:\/\/192\.0\.2\.1:6385 extra=x\n/);
  } finally { await l.close(); }
});

test('pxe, BIOS: PXELINUX config with ipa-api-url, per-MAC link, staged images, DHCP files; clean-up removes them', async () => {
  const l = await lab();
  try {
    const node = makeTestNode({
      provision_state: 'cleaning', properties: { capabilities: 'boot_mode:bios' },
      driver_info: { deploy_kernel: l.kernel, deploy_ramdisk: `file://${l.ramdisk}` },
    });
    const ctx = context(node, [port(MAC), port('52:54:00:00:00:02', false)]);
    const boot = new PxeBoot('pxe', l.s);
    await boot.prepareRamdisk(ctx, 'clean');
    const cfg = await readFile(join(l.s.tftpRoot, node.uuid, 'config'), 'utf8');
    assert.equal(cfg.split('\n').slice(0, 6).join('\n'), [
      'default deploy', '', 'label deploy', `kernel ${node.uuid}/deploy_kernel`,
      `append initrd=${node.uuid}/deploy_ramdisk selinux=0 troubleshoot=0 text nofb nomodeset vga=normal ipa-api-url=http://192.0.2.1:6385`,
      'ipappend 2',
    ].join('\n'));
    const link = join(l.s.tftpRoot, 'pxelinux.cfg', `01-${mac.replaceAll(':', '-')}`);
    assert.equal(await readlink(link), `../${node.uuid}/config`);
    assert.equal(await readFile(link, 'utf8'), cfg);
    assert.equal(await readlink(join(l.s.tftpRoot, `grub.cfg-01-${mac.replaceAll(':', '-')}`)), `${node.uuid}/config`);
    assert.equal(await readFile(join(l.s.tftpRoot, node.uuid, 'deploy_kernel'), 'utf8'), 'KERNEL');
    assert.equal(await readFile(join(l.s.tftpRoot, node.uuid, 'deploy_ramdisk'), 'utf8'), 'RAMDISK');
    assert.deepEqual(ctx.bootDevices, [['pxe', false]]);
    // DHCP: options by node tag, one host file per PXE-enabled port.
    const tag = ctx.internal.dnsmasq_tag as string;
    assert.match(tag, /^[0-9a-f-]{36}$/);
    assert.equal(await readFile(l.dhcp.optsFile(node.uuid), 'utf8'), [
      `tag:${tag},67,pxelinux.0`, `tag:${tag},210,${l.s.tftpRoot}/`, `tag:${tag},66,192.0.2.1`,
      `tag:${tag},150,192.0.2.1`, `tag:${tag},255,192.0.2.1`, '',
    ].join('\n'));
    assert.equal(await readFile(l.dhcp.hostFile(MAC), 'utf8'), `${mac},set:${tag},set:ironic\n`);
    assert.deepEqual(await readdir(l.dhcp.paths.hostsdir), [`ironic-${mac}.conf`]);

    await boot.cleanUpRamdisk(ctx);
    assert.equal(await exists(join(l.s.tftpRoot, node.uuid)), false);
    assert.equal(await exists(link), false);
    assert.equal(await exists(join(l.s.tftpRoot, 'master_images')), true, 'master copies stay for other nodes');
    // Whole-disk instance: no network boot config, boot from disk persistently; clean-up withdraws DHCP.
    await boot.prepareInstance(ctx);
    assert.deepEqual(ctx.bootDevices.at(-1), ['disk', true]);
    await boot.cleanUpInstance(ctx);
    assert.equal(await readFile(l.dhcp.hostFile(MAC), 'utf8'), `${mac},ignore\n`);
    assert.equal(await exists(l.dhcp.optsFile(node.uuid)), false);
    assert.equal(ctx.internal.dnsmasq_tag, null);
  } finally { await l.close(); }
});

test('pxe, UEFI: GRUB config with boot_server, initial grub.cfg, rescue kernel', async () => {
  const l = await lab({ debug: true });
  try {
    const node = makeTestNode({
      provision_state: 'rescuing', driver_info: { rescue_kernel: l.kernel, rescue_ramdisk: l.ramdisk, kernel_append_params: '%default% console=ttyS0' },
    });
    const ctx = context(node, [port(MAC)]);
    await new PxeBoot('pxe', l.s).prepareRamdisk(ctx, 'rescue');
    const cfg = await readFile(join(l.s.tftpRoot, node.uuid, 'config'), 'utf8');
    assert.match(cfg, /^set default=deploy\n/);
    assert.ok(cfg.includes(`    linuxefi ${node.uuid}/rescue_kernel selinux=0 troubleshoot=0 text nofb nomodeset vga=normal console=ttyS0 ipa-debug=1 ipa-api-url=http://192.0.2.1:6385 boot_server=192.0.2.1\n    initrdefi ${node.uuid}/rescue_ramdisk\n`), cfg);
    assert.match(await readFile(join(l.s.tftpRoot, 'grub', 'grub.cfg'), 'utf8'), /configfile \/\$net_default_mac.conf/);
    assert.equal(await readlink(join(l.s.tftpRoot, `${MAC}.conf`)), `${node.uuid}/config`);
    assert.match(await readFile(l.dhcp.optsFile(node.uuid), 'utf8'), /,67,bootx64\.efi\n/);
    assert.equal(await readFile(join(l.s.tftpRoot, node.uuid, 'rescue_kernel'), 'utf8'), 'KERNEL');
  } finally { await l.close(); }
});

test('ipxe: script under http_root with URLs, boot.ipxe, DHCP split by the ipxe tag', async () => {
  const l = await lab({ ipxeTimeout: 60 });
  try {
    const node = makeTestNode({ provision_state: 'deploying', properties: { capabilities: 'boot_mode:bios' }, driver_info: { deploy_kernel: l.kernel, deploy_ramdisk: l.ramdisk } });
    const ctx = context(node, [port(MAC)]);
    await new PxeBoot('ipxe', l.s).prepareRamdisk(ctx, 'deploy');
    const cfg = await readFile(join(l.s.httpRoot, node.uuid, 'config'), 'utf8');
    assert.ok(cfg.includes(`kernel --timeout 60000 http://192.0.2.1:8080/${node.uuid}/deploy_kernel selinux=0 troubleshoot=0 text nofb nomodeset vga=normal ipa-api-url=http://192.0.2.1:6385 BOOTIF=\${mac} initrd=deploy_ramdisk || goto retry`), cfg);
    assert.equal(await readlink(join(l.s.httpRoot, 'pxelinux.cfg', mac.replaceAll(':', '-'))), `../${node.uuid}/config`);
    assert.match(await readFile(join(l.s.httpRoot, 'boot.ipxe'), 'utf8'), /chain pxelinux\.cfg\/\$\{mac:hexhyp\}/);
    const tag = ctx.internal.dnsmasq_tag as string;
    const opts = await readFile(l.dhcp.optsFile(node.uuid), 'utf8');
    assert.ok(opts.startsWith(`tag:${tag},tag:!ipxe,67,undionly.kpxe\ntag:${tag},tag:ipxe,67,http://192.0.2.1:8080/boot.ipxe\n`), opts);
    assert.equal(opts.includes(',210,'), false);
    assert.equal(await readFile(join(l.s.httpRoot, node.uuid, 'deploy_ramdisk'), 'utf8'), 'RAMDISK');
  } finally { await l.close(); }
});

test('ramdisk deploy: instance kernel/ramdisk staged and the config switched to boot_ramdisk', async () => {
  const l = await lab();
  try {
    const node = makeTestNode({
      provision_state: 'deploying', deploy_interface: 'ramdisk', automated_clean: false, properties: { capabilities: 'boot_mode:bios' },
      instance_info: { kernel: l.kernel, ramdisk: l.ramdisk, ramdisk_kernel_arguments: 'rd=1' },
    });
    const ctx = context(node, [port(MAC)]);
    const boot = new PxeBoot('pxe', l.s);
    await boot.prepareInstance(ctx);
    const cfg = await readFile(join(l.s.tftpRoot, node.uuid, 'config'), 'utf8');
    assert.match(cfg, /^default boot_ramdisk\n/);
    assert.ok(cfg.includes(`kernel ${node.uuid}/kernel\nappend initrd=${node.uuid}/ramdisk root=/dev/ram0 text nofb nomodeset vga=normal rd=1\n`), cfg);
    assert.deepEqual(ctx.bootDevices, [['pxe', true]]);
    assert.equal(await readFile(join(l.s.tftpRoot, node.uuid, 'ramdisk'), 'utf8'), 'RAMDISK');
    await boot.cleanUpInstance(ctx);
    assert.equal(await exists(join(l.s.tftpRoot, node.uuid)), false);
  } finally { await l.close(); }
});

test('validate: Ironic\'s messages, then dnsmasq not installed', async () => {
  const l = await lab();
  try {
    const boot = new PxeBoot('pxe', l.s);
    const bare = makeTestNode();
    const invalid = (re: RegExp) => (e: unknown) => e instanceof InvalidError && re.test(e.message);
    await assert.rejects(boot.validate(context(bare, [])), invalid(new RegExp(`^Node ${bare.uuid} does not have any port associated with it$`)));
    await assert.rejects(boot.validate(context(bare, [port(MAC)])), invalid(/^Cannot validate PXE bootloader\. Some parameters were missing in node's driver_info and configuration\. Missing are: \['deploy_kernel', 'deploy_ramdisk'\]$/));
    await assert.rejects(boot.validate(context(makeTestNode({ driver_info: { deploy_kernel: 'k' } }), [port(MAC)])), invalid(/Missing are: \['deploy_ramdisk'\]$/));
    const both = makeTestNode({ driver_info: { deploy_kernel: 'k', deploy_ramdisk: 'r' }, instance_info: { image_source: 'a', boot_iso: 'b' } });
    await assert.rejects(boot.validate(context(both, [port(MAC)])), invalid(/^An 'image_source' and 'boot_iso' parameter may not be specified at the same time$/));
    const clash = makeTestNode({ driver_info: { deploy_kernel: 'k', deploy_ramdisk: 'r' }, properties: { capabilities: 'boot_mode:bios' }, instance_info: { deploy_boot_mode: 'uefi' } });
    await assert.rejects(boot.validate(context(clash, [port(MAC)])), invalid(/boot mode uefi violates node properties\/capabilities bios/));
    const ok = makeTestNode({ driver_info: { deploy_kernel: 'k', deploy_ramdisk: 'r' } });
    await assert.rejects(boot.validate(context(ok, [port(MAC)])), invalid(/dnsmasq is not installed.*dnsmasq-base/));
    await assert.rejects(new PxeBoot('ipxe', pxeSettings({ ...l.s, httpUrl: () => '' })).validate(context(ok, [port(MAC)])),
      invalid(/^iPXE boot is enabled but no HTTP URL or HTTP root was specified$/));
    // A ramdisk deploy without automated cleaning needs no agent kernel/ramdisk.
    const ramdisk = makeTestNode({ deploy_interface: 'ramdisk', automated_clean: false });
    await assert.rejects(boot.validate(context(ramdisk, [port(MAC)])), invalid(/dnsmasq is not installed/));
  } finally { await l.close(); }
});

test('staging: a changed source is fetched again; http sources are downloaded; bad sources are clear errors', async () => {
  const l = await lab();
  const http = await import('node:http');
  const server = http.createServer((req, res) => {
    if (req.url === '/ramdisk') { res.end('HTTP-RAMDISK'); return; }
    res.statusCode = 404; res.end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  try {
    const node = makeTestNode({ provision_state: 'cleaning', properties: { capabilities: 'boot_mode:bios' }, driver_info: { deploy_kernel: l.kernel, deploy_ramdisk: `${base}/ramdisk` } });
    const ctx = context(node, [port(MAC)]);
    const boot = new PxeBoot('pxe', l.s);
    await boot.prepareRamdisk(ctx, 'clean');
    assert.equal(await readFile(join(l.s.tftpRoot, node.uuid, 'deploy_ramdisk'), 'utf8'), 'HTTP-RAMDISK');
    await writeFile(l.kernel, 'KERNEL-2-LONGER');
    await boot.prepareRamdisk(ctx, 'clean');
    assert.equal(await readFile(join(l.s.tftpRoot, node.uuid, 'deploy_kernel'), 'utf8'), 'KERNEL-2-LONGER');
    const missing = makeTestNode({ provision_state: 'cleaning', driver_info: { deploy_kernel: l.kernel, deploy_ramdisk: `${base}/nope` } });
    await assert.rejects(boot.prepareRamdisk(context(missing, [port(MAC)]), 'clean'), /Downloading .*\/nope failed: HTTP 404/);
    const glance = makeTestNode({ provision_state: 'cleaning', driver_info: { deploy_kernel: 'a0b1c2d3-glance-uuid', deploy_ramdisk: l.ramdisk } });
    await assert.rejects(boot.prepareRamdisk(context(glance, [port(MAC)]), 'clean'), /Ingot has no image service/);
    await mkdir(join(l.s.tftpRoot, 'master_images'), { recursive: true });
    assert.equal((await readdir(join(l.s.tftpRoot, 'master_images'))).filter((n) => n.endsWith('.part')).length, 0);
  } finally { server.close(); await l.close(); }
});

test('boot mode synced with the BMC through the management interface (Ironic\'s sync_boot_mode): adopted, set, or a clear error', async () => {
  const l = await lab();
  try {
    const bmc = { mode: 'bios' as string | null, sets: [] as string[], refuse: false };
    const withModes = (node: Node) => {
      const ctx = context(node, [port(MAC)]);
      const management = {
        async setBootDevice() {},
        async getBootMode() { return bmc.mode; },
        async setBootMode(_c: DriverContext, m: string) { if (bmc.refuse) throw new Error('BMC said no'); bmc.sets.push(m); bmc.mode = m; },
      };
      return { ...ctx, driver: { management } as unknown as ComposedDriver };
    };
    const di = { deploy_kernel: l.kernel, deploy_ramdisk: l.ramdisk };
    // Nothing requested: the BMC's mode (bios) is adopted and PXELINUX files are written, not GRUB.
    const adopt = makeTestNode({ provision_state: 'cleaning', driver_info: di });
    await new PxeBoot('pxe', l.s).prepareRamdisk(withModes(adopt), 'clean');
    assert.equal(adopt.driver_internal_info.deploy_boot_mode, 'bios');
    assert.match(await readFile(join(l.s.tftpRoot, adopt.uuid, 'config'), 'utf8'), /^default deploy\n/);
    assert.deepEqual(bmc.sets, []);
    // Requested uefi, BMC in bios: the BMC is switched before the files are written for uefi.
    const want = makeTestNode({ provision_state: 'cleaning', properties: { capabilities: 'boot_mode:uefi' }, driver_info: di });
    await new PxeBoot('pxe', l.s).prepareRamdisk(withModes(want), 'clean');
    assert.deepEqual(bmc.sets, ['uefi']);
    assert.match(await readFile(join(l.s.tftpRoot, want.uuid, 'config'), 'utf8'), /^set default=deploy\n/);
    // Requested bios, BMC in uefi and refusing: an error naming both modes, nothing booted.
    bmc.refuse = true;
    const refused = makeTestNode({ provision_state: 'cleaning', properties: { capabilities: 'boot_mode:bios' }, driver_info: di });
    const rctx = withModes(refused);
    await assert.rejects(new PxeBoot('pxe', l.s).prepareRamdisk(rctx, 'clean'),
      (e: unknown) => e instanceof Error && /Boot mode uefi currently configured on node .* does not match the boot mode bios requested for provisioning, and setting it failed: BMC said no/.test(e.message));
    // A management interface without boot modes (ipmitool, fake): the requested mode is trusted.
    const plain = makeTestNode({ provision_state: 'cleaning', driver_info: di });
    await new PxeBoot('pxe', { ...l.s, defaultBootMode: 'bios' }).prepareRamdisk(context(plain, [port(MAC)]), 'clean');
    assert.equal(plain.driver_internal_info.deploy_boot_mode, 'bios');
  } finally { await l.close(); }
});
