/**
 * `npm run demo:qemu`: real (virtual) machines deployed end to end. A QEMU machine
 * (software emulation, SeaBIOS, 1 GiB) behind the lab's Redfish BMC boots the agent
 * ramdisk of `ingot ramdisk build`, the real `ingot agent` in it writes the demo image to
 * the machine's disk, and the disk file is read afterwards on this side.
 *
 * 1. Builds (or reuses) the agent ramdisk and the demo image (GPT + ext4 + marker file).
 * 2. Creates the lab network (a network namespace with a bridge, lab/qemu/netns.ts) and
 *    runs itself again inside it: everything that talks to the machines lives there.
 * 3. Inside: dnsmasq on the bridge (DHCP + TFTP, fed by Ingot's dnsmasq provider), the
 *    Redfish lab with QEMU-backed machines (`qemu` option), `ingot serve` in-process on
 *    the bridge address (API, conductor, file server).
 * 4. Per path, one machine each, in turn: enroll a `redfish` node with the `direct`
 *    deploy and the path's boot interface (`ipxe`: network boot through iPXE and
 *    dnsmasq; `redfish-virtual-media`: the agent ISO as the BMC's CD), a port with the
 *    machine's MAC, manage → provide (automated cleaning off) → deploy the raw demo image
 *    → active; power off; read the marker file from the machine's disk file.
 *
 * Options: `--only pxe|vmedia`, `--data-dir DIR` (kept; default a temporary folder removed
 * at the end), `--prefix 10.77.30` (the lab network), `--timeout S` per deploy
 * (INGOT_QEMU_DEPLOY_TIMEOUT, default 1200), `--memory MiB` (default 1024),
 * `--boot-interface ipxe|pxe` for the network path (default ipxe).
 * A line `RESULT {json}` per path says what happened (tests read it); the last line is
 * `qemu: deployed over pxe and virtual-media, marker found on disk` or names what failed.
 */
import { chmod, copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import pino from 'pino';
import { loadConfig } from '../config/config.ts';
import { renderDnsmasqConf, startDnsmasq } from '../drivers/dhcp/dnsmasq-conf.ts';
import { placeLoaders } from '../drivers/pxe/loaders.ts';
import { IngotClient } from '../client/index.ts';
import { buildDemoImage, readMarker } from '../lab/demo-image.ts';
import { startRedfishLab } from '../lab/redfish/index.ts';
import { labNetworkUnavailable, NETNS_ENV, reexecInNetns } from '../lab/qemu/netns.ts';
import { buildRamdisk } from './ramdisk/build.ts';
import { dnsmasqPaths } from './netboot.ts';
import { startService } from './service.ts';

type PathName = 'pxe' | 'vmedia';
export interface PathResult { path: PathName; state: string; machine: string; disk: string; marker: string | null; expected: string; seconds: number; error?: string }

const args = process.argv.slice(2);
const flag = (name: string, dflt: string): string => { const i = args.indexOf(name); return i >= 0 && args[i + 1] ? args[i + 1]! : dflt; };
const only = flag('--only', 'pxe,vmedia').split(',').map((s) => s.trim()) as PathName[];
const prefix24 = flag('--prefix', process.env.INGOT_QEMU_PREFIX ?? '10.77.30');
const timeoutS = Number(flag('--timeout', process.env.INGOT_QEMU_DEPLOY_TIMEOUT ?? '1200'));
const memoryMb = Number(flag('--memory', process.env.INGOT_QEMU_MEMORY_MB ?? '1024'));
const netBoot = flag('--boot-interface', 'ipxe');
const givenDataDir = args.includes('--data-dir') ? resolve(flag('--data-dir', '')) : null;
const projectData = resolve(process.env.INGOT_DATA_DIR ?? join(process.cwd(), '.data'));

const t0 = Date.now();
const log = (msg: string): void => console.log(`[${((Date.now() - t0) / 1000).toFixed(1).padStart(6)}s] ${msg}`);
const PATHS: Record<PathName, string> = { pxe: 'pxe', vmedia: 'virtual-media' };

async function outside(): Promise<number> {
  const why = labNetworkUnavailable();
  if (why) { console.log(`qemu: cannot run: ${why}`); return 1; }
  for (const p of only) if (p !== 'pxe' && p !== 'vmedia') { console.log(`qemu: --only takes pxe and/or vmedia, got "${p}"`); return 1; }
  log('building the agent ramdisk (Debian kernel, busybox, node, ingot agent; cached by its inputs)');
  const r = await buildRamdisk({ dataDir: projectData, log: (l) => log(l) });
  log(`ramdisk: ${(r.size / 1048576).toFixed(1)} MiB initramfs, ${r.cached ? 'cached' : `built in ${r.seconds.toFixed(0)} s`}`);
  await reexecInNetns({ prefix24 });
  return 1; // not reached: reexecInNetns exits with the child's status
}

async function inside(): Promise<number> {
  const net = await reexecInNetns({ prefix24 });
  const dataDir = givenDataDir ?? await mkdtemp(join(tmpdir(), 'ingot-qemu-demo-'));
  await mkdir(dataDir, { recursive: true });
  await chmod(dataDir, 0o755); // dnsmasq serves TFTP as user nobody
  const env = process.env;
  env.INGOT_DHCP_PROVIDER ??= 'dnsmasq';
  env.INGOT_DEFAULT_BOOT_MODE ??= 'bios';
  env.INGOT_AUTOMATED_CLEAN ??= 'false';
  // The agent heartbeats every 0.3–0.6 × this: progress within seconds, not minutes.
  env.INGOT_RAMDISK_HEARTBEAT_TIMEOUT ??= '20';
  env.INGOT_PXE_KERNEL_APPEND_PARAMS ??= 'nofb nomodeset vga=normal console=ttyS0';
  env.INGOT_REDFISH_KERNEL_APPEND_PARAMS ??= 'nofb nomodeset vga=normal console=ttyS0';
  env.INGOT_POWER_STATE_CHANGE_TIMEOUT ??= '120';
  // The inspector's PXE filter stays on (the default with the dnsmasq provider): enrolled ports
  // outside inspection get a lease without a boot file, which the virtual-media ramdisk needs.
  const config = loadConfig(env, { host: net.serverIp, port: 0, httpPort: 0, dataDir, db: join(dataDir, 'ingot.db') });
  config.netboot.tftpServer = net.serverIp;
  const logger = pino({ level: env.INGOT_LOG_LEVEL ?? 'error' });

  const ramdisk = await buildRamdisk({ dataDir: projectData });
  log('building the demo image (GPT disk, ext4 with a marker file)');
  const image = await buildDemoImage(join(dataDir, 'image'), { sizeMiB: 16, name: 'qemu-demo' });
  await mkdir(join(config.httpRoot, 'demo-images'), { recursive: true });
  await copyFile(image.raw, join(config.httpRoot, 'demo-images', 'demo-disk.raw'));

  const lab = await startRedfishLab({ machines: only.length, host: net.serverIp, port: 0, qemu: { network: net, dataDir: join(dataDir, 'lab'), memoryMb } });
  const svc = await startService(config, { logger });
  // dnsmasq as `ingot dnsmasq --serve-unknown` runs it: known ports get their per-node
  // boot files (pxe/ipxe), and any machine gets an address (a ramdisk booted from virtual
  // media takes its lease like any host on the provisioning network).
  const paths = dnsmasqPaths(config);
  const n = config.netboot;
  for (const d of [n.dnsmasqDir, paths.hostsdir, paths.optsdir, n.tftpRoot]) await mkdir(d, { recursive: true });
  await placeLoaders(n.tftpRoot, n.loaderFilePaths);
  await writeFile(paths.confFile, renderDnsmasqConf({
    paths, interface: net.bridge, dhcpRange: `${prefix24}.100,${prefix24}.150,1h`, tftpRoot: n.tftpRoot,
    serveUnknown: { bios: n.ipxeBootfileName, uefi: n.uefiIpxeBootfileName, ipxe: `${config.httpUrl}/boot.ipxe` },
  }));
  const dnsmasq = await startDnsmasq({ conf: paths.confFile, pidfile: paths.pidfile });
  log(`lab network: namespace ${net.ns}, ${net.bridge} ${net.serverIp}/24, dnsmasq (DHCP ${prefix24}.100-150, TFTP ${n.tftpRoot})`);
  log(`Redfish lab at ${lab.url} (QEMU machines, ${memoryMb} MiB, BIOS); Ingot API ${svc.url}, file server ${config.httpUrl}`);
  const api = new IngotClient({ endpoint: svc.url });
  const results: PathResult[] = [];
  try {
    for (const [i, path] of only.entries()) {
      const m = lab.machines[i]!;
      const q = lab.qemu!.status(m.id);
      const started = Date.now();
      const res: PathResult = { path, state: 'failed', machine: m.id, disk: q.disk, marker: null, expected: image.marker, seconds: 0 };
      results.push(res);
      const name = `qemu-${path}`;
      const say = (s: string) => log(`${name}: ${s}`);
      try {
        const boot = path === 'pxe' ? netBoot : 'redfish-virtual-media';
        await api.createNode({
          name, driver: 'redfish', boot_interface: boot, deploy_interface: 'direct', inspect_interface: 'no-inspect',
          driver_info: {
            redfish_address: lab.url, redfish_system_id: `/redfish/v1/Systems/${m.id}`, redfish_username: 'admin', redfish_password: 'password',
            deploy_kernel: ramdisk.kernel, deploy_ramdisk: ramdisk.initramfs,
          },
          properties: { capabilities: 'boot_mode:bios' },
        });
        const node = await api.getNode(name);
        await api.call('POST', '/v1/ports', { node_uuid: node.uuid, address: q.mac, pxe_enabled: true });
        say(`enrolled (redfish, ${boot} boot, direct deploy), port ${q.mac}, QEMU disk ${q.disk}`);
        const progress = (n: { provision_state: string; target_provision_state: string | null; deploy_step?: { step?: string } }) =>
          say(`${n.provision_state}${n.target_provision_state ? ` → ${n.target_provision_state}` : ''}${n.deploy_step?.step ? ` (deploy step ${n.deploy_step.step})` : ''}`);
        await api.setProvisionState(name, 'manage');
        await api.waitForState(name, 'manageable', { onProgress: progress, timeoutMs: 120_000 });
        await api.setProvisionState(name, 'provide');
        await api.waitForState(name, 'available', { onProgress: progress, timeoutMs: 120_000 });
        await api.patchNode(name, [
          { op: 'add', path: '/instance_info/image_source', value: `${config.httpUrl}/demo-images/demo-disk.raw` },
          { op: 'add', path: '/instance_info/image_os_hash_algo', value: 'sha256' },
          { op: 'add', path: '/instance_info/image_os_hash_value', value: image.rawSha256 },
          { op: 'add', path: '/instance_info/image_disk_format', value: 'raw' },
        ]);
        await api.setProvisionState(name, 'active');
        const follow = followConsole(q.serialLog, (l) => say(`console: ${l}`));
        try {
          await api.waitForState(name, 'active', { onProgress: progress, timeoutMs: timeoutS * 1000, intervalMs: 1000 });
        } finally {
          follow.stop();
        }
        say(`ACTIVE after ${((Date.now() - started) / 1000).toFixed(0)} s; powering off`);
        await api.setPowerState(name, 'power off');
        for (let n = await api.getNode(name); n.power_state !== 'power off' || n.target_power_state; n = await api.getNode(name)) {
          if (Date.now() - started > timeoutS * 1000) throw new Error('the node did not power off');
          await new Promise((r) => setTimeout(r, 500));
        }
        res.marker = await readMarker(q.disk);
        if (res.marker !== image.marker) throw new Error(`marker not found on the disk file ${q.disk} (read ${JSON.stringify(res.marker)})`);
        res.state = 'active';
        say(`powered off; marker found on the disk file: "${res.marker.trim()}"`);
      } catch (err) {
        const n = await api.getNode(name).catch(() => null);
        res.error = `${(err as Error).message}${n?.last_error ? ` (last_error: ${n.last_error})` : ''}`;
        say(`FAILED: ${res.error}\n${await lab.qemu!.explain(m.id)}`);
        await api.setPowerState(name, 'power off').catch(() => {});
      } finally {
        res.seconds = Math.round((Date.now() - started) / 1000);
        console.log(`RESULT ${JSON.stringify(res)}`);
      }
    }
  } finally {
    await svc.close();
    await lab.close();
    await dnsmasq.stop();
    if (!givenDataDir) await rm(dataDir, { recursive: true, force: true });
  }
  console.log('\npath           state    seconds');
  for (const r of results) console.log(`${PATHS[r.path].padEnd(14)} ${r.state.padEnd(8)} ${String(r.seconds).padStart(7)}${r.error ? `  ${r.error}` : ''}`);
  const failed = results.filter((r) => r.state !== 'active');
  if (failed.length === 0 && only.length === 2) console.log('qemu: deployed over pxe and virtual-media, marker found on disk');
  else if (failed.length === 0) console.log(`qemu: deployed over ${only.map((p) => PATHS[p]).join(' and ')}, marker found on disk`);
  else console.log(`qemu: FAILED over ${failed.map((r) => PATHS[r.path]).join(' and ')}${failed.length < results.length ? ` (${results.filter((r) => r.state === 'active').map((r) => PATHS[r.path]).join(', ')} deployed)` : ''}`);
  return failed.length === 0 ? 0 : 1;
}

/** Prints the machine's `ingot-ramdisk:` / `ingot agent:` console lines as they appear (polled once a second). */
function followConsole(file: string, print: (line: string) => void): { stop(): void } {
  let offset = -1;
  let partial = '';
  let busy = false;
  const poll = async () => {
    if (busy) return;
    busy = true;
    try {
      const buf = await readFile(file).catch(() => Buffer.alloc(0));
      if (offset < 0) offset = buf.length; // only what this boot prints
      const text = partial + buf.subarray(offset).toString('utf8');
      offset = buf.length;
      const lines = text.split('\n');
      partial = lines.pop() ?? '';
      for (const l of lines) if (/^(ingot-ramdisk|ingot agent):/.test(l.trim())) print(l.trim());
    } finally {
      busy = false;
    }
  };
  void poll();
  const timer = setInterval(() => void poll(), 1000);
  return { stop() { clearInterval(timer); void poll(); } };
}

(process.env[NETNS_ENV] ? inside() : outside()).then((code) => process.exit(code), (err) => {
  console.error(`qemu demo failed: ${err instanceof Error ? err.stack : String(err)}`);
  process.exit(1);
});
