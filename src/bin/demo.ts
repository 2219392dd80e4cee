/**
 * The main job: Ingot with an emulated lab, writing a real operating-system image to every
 * lab machine's disk.
 *
 * 1. Builds a small real whole-disk image once (GPT + ext4 holding a marker file, as raw and
 *    as qcow2; lab/demo-image.ts) and publishes it through the conductor's file server.
 * 2. Starts `ingot serve` (API + conductor, fresh SQLite) and the Redfish lab in this
 *    process; the lab runs what is on its machines: booting the agent ISO over virtual
 *    media starts a real `ingot agent` process on that machine, with a sparse disk file.
 * 3. Drives every machine through the real REST API as an operator would: enroll as
 *    `redfish` nodes with the `direct` deploy → manage → inspect (out of band: ports from
 *    the NICs) → provide (automated cleaning through the agent: the disk is erased) →
 *    deploy (the agent downloads, verifies and writes the image; half raw, half qcow2, the
 *    first one with a config drive) → active.
 * 4. Checks each machine's disk file itself: the image's partition is there byte for byte,
 *    the marker file reads back from the ext4 filesystem, and the config drive partition
 *    exists where one was asked for.
 *
 * The kernel and ramdisk put on the agent ISO are small stand-in files: the lab does not
 * execute them (it starts `ingot agent` itself when a machine boots that ISO);
 * `npm run demo:qemu` boots a real ramdisk once the network-boot issue lands.
 */
import { mkdirSync, mkdtempSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { loadConfig } from '../config/config.ts';
import { startService } from './service.ts';
import { startRedfishLab } from '../lab/redfish/index.ts';
import { machinePaths } from '../lab/redfish/machine-files.ts';
import { buildConfigDrive, buildDemoImage, compareBytes, isoVolumeId, readMarker } from '../lab/demo-image.ts';
import { IngotClient, ApiError } from '../client/index.ts';

const args = process.argv.slice(2);
const flag = (name: string, dflt: string) => { const i = args.indexOf(name); return i >= 0 && args[i + 1] ? args[i + 1]! : dflt; };
const once = args.includes('--once') || process.env.CI === 'true';
const machines = Number(flag('--machines', process.env.INGOT_DEMO_MACHINES ?? '4'));
const port = Number(flag('--port', process.env.INGOT_PORT ?? '6385'));
const labPort = Number(flag('--lab-port', process.env.INGOT_LAB_PORT ?? '8000'));
const dataDir = flag('--data-dir', mkdtempSync(join(tmpdir(), 'ingot-demo-')));
const diskMiB = Number(flag('--disk-mib', '8192')); // IPA skips disks under 4 GiB; the files are sparse

// The agent heartbeats every 0.3–0.6 × ramdisk_heartbeat_timeout (Ironic's default 300 s):
// a demo wants to see progress within seconds.
process.env.INGOT_RAMDISK_HEARTBEAT_TIMEOUT ??= '10';

const t0 = Date.now();
const log = (msg: string) => console.log(`[${((Date.now() - t0) / 1000).toFixed(1).padStart(5)}s] ${msg}`);
const SECTOR = 512;

interface Result { name: string; state: string; format: string; configdrive: boolean; verified: number; seconds: number; error?: string }

async function main(): Promise<number> {
  const logger = pino({ level: process.env.INGOT_LOG_LEVEL ?? 'error' });
  const config = loadConfig(process.env, { port, host: '127.0.0.1', dataDir, db: join(dataDir, 'ingot.db'), ...(port === 0 ? { httpPort: 0 } : {}) });

  log('building the demo image (GPT disk, ext4 with a marker file; raw and qcow2)');
  const image = await buildDemoImage(join(dataDir, 'image'), { sizeMiB: 16, name: 'demo' });
  const published = join(config.httpRoot, 'demo-images');
  mkdirSync(published, { recursive: true });
  copyFileSync(image.raw, join(published, 'demo-disk.raw'));
  copyFileSync(image.qcow2, join(published, 'demo-disk.qcow2'));
  log(`image: ${image.rawSize} bytes raw (sha256 ${image.rawSha256.slice(0, 12)}…), marker "${image.marker.trim()}"`);

  // Stand-ins for the agent ramdisk's kernel and initramfs: the lab does not execute them.
  const bootDir = join(dataDir, 'agent-boot');
  mkdirSync(bootDir, { recursive: true });
  writeFileSync(join(bootDir, 'vmlinuz'), 'stand-in kernel: the lab starts ingot agent itself\n');
  writeFileSync(join(bootDir, 'initrd'), 'stand-in ramdisk: the lab starts ingot agent itself\n');

  const lab = await startRedfishLab({
    machines, port: labPort, host: '127.0.0.1', taskDelayMs: 300,
    agents: { dataDir: join(dataDir, 'lab'), diskSizeBytes: diskMiB * 1024 * 1024 },
  });
  log(`lab: ${machines} emulated Redfish BMC(s) at ${lab.url}/redfish/v1 (admin/password), each machine with a ${diskMiB} MiB disk file`);
  const svc = await startService(config, { logger });
  log(`ingot: API + conductor at ${svc.url}, file server at ${config.httpUrl} (data in ${dataDir})`);
  const api = new IngotClient({ endpoint: svc.url });
  const results: Result[] = [];

  await Promise.all(lab.machines.map(async (m, i) => {
    const name = `lab-${i}`;
    const format = i % 2 === 0 ? 'raw' : 'qcow2';
    const withConfigDrive = i === 0;
    const started = Date.now();
    const say = (s: string) => log(`${name}: ${s}`);
    const result: Result = { name, state: 'failed', format, configdrive: withConfigDrive, verified: 0, seconds: 0 };
    results.push(result);
    try {
      const node = await api.createNode({
        name, driver: 'redfish', boot_interface: 'redfish-virtual-media', deploy_interface: 'direct', inspect_interface: 'redfish',
        driver_info: {
          redfish_address: lab.url, redfish_system_id: `/redfish/v1/Systems/${m.id}`,
          redfish_username: 'admin', redfish_password: 'password', redfish_verify_ca: false,
          deploy_kernel: join(bootDir, 'vmlinuz'), deploy_ramdisk: join(bootDir, 'initrd'),
        },
        properties: { capabilities: 'boot_mode:uefi' },
      });
      say(`enrolled ${node.uuid} (redfish, direct deploy)`);
      const progress = (n: any) => say(`${n.provision_state}${n.target_provision_state ? ` → ${n.target_provision_state}` : ''}${n.clean_step?.step ? ` (clean step ${n.clean_step.step})` : ''}${n.deploy_step?.step ? ` (deploy step ${n.deploy_step.step})` : ''}`);
      await api.setProvisionState(name, 'manage');
      await api.waitForState(name, 'manageable', { onProgress: progress });
      await api.setProvisionState(name, 'inspect');
      const inspected = await api.waitForState(name, 'manageable', { onProgress: progress });
      const ports = (await api.call('GET', `/v1/nodes/${node.uuid}/ports`)).ports.length;
      say(`inspected: ${inspected.properties.cpus} CPUs, ${inspected.properties.memory_mb} MiB, ${ports} port(s)`);
      await api.setProvisionState(name, 'provide');
      await api.waitForState(name, 'available', { onProgress: progress, timeoutMs: 300_000, intervalMs: 500 });
      say('cleaned by the agent (disk erased)');
      const file = format === 'raw' ? 'demo-disk.raw' : 'demo-disk.qcow2';
      await api.patchNode(name, [
        { op: 'add', path: '/instance_info/image_source', value: `${config.httpUrl}/demo-images/${file}` },
        { op: 'add', path: '/instance_info/image_os_hash_algo', value: 'sha256' },
        { op: 'add', path: '/instance_info/image_os_hash_value', value: format === 'raw' ? image.rawSha256 : image.qcow2Sha256 },
        { op: 'add', path: '/instance_info/image_disk_format', value: format },
      ]);
      const extra = withConfigDrive ? { configdrive: await buildConfigDrive({ uuid: node.uuid, hostname: name }, '#!/bin/sh\necho hello from the demo\n') } : {};
      await api.setProvisionState(name, 'active', extra);
      const active = await api.waitForState(name, 'active', { onProgress: progress, timeoutMs: 300_000, intervalMs: 500 });
      say(`ACTIVE (power ${active.power_state}); checking the disk file`);

      // The check reads the machine's disk file itself. The partition area is compared byte
      // for byte: the GPT header (sector 1) and the backup table at the disk's end are
      // rewritten when a smaller image lands on a bigger disk (the agent moves the backup
      // table to the end, as IPA does), and a config drive adds a partition entry.
      const disk = machinePaths(lab.hosts!.dataDir, m).disk;
      const from = 34 * SECTOR;
      const to = image.rawSize - 33 * SECTOR;
      const same = await compareBytes(disk, image.raw, to, from);
      if (same !== to) throw new Error(`the disk differs from the image at byte ${same}`);
      const marker = await readMarker(disk);
      if (marker !== image.marker) throw new Error(`marker file not found on the disk (read ${JSON.stringify(marker)})`);
      const report = await lab.hosts!.disk(m.id);
      const parts = report.disks[0]?.partitionTable?.partitions ?? [];
      if (withConfigDrive) {
        const labels = await Promise.all(parts.map((p) => isoVolumeId(disk, p.start * SECTOR)));
        if (!labels.includes('config-2')) throw new Error(`no config-2 partition on the disk (partitions: ${JSON.stringify(parts)})`);
      }
      if (!report.nvramHasBootEntry) throw new Error('the agent recorded no UEFI boot entry in the machine\'s NVRAM');
      result.verified = to - from;
      result.state = 'active';
      say(`disk verified: ${to - from} bytes identical to the image, marker found, ${parts.length} partition(s)${withConfigDrive ? ' incl. config-2' : ''}, UEFI boot entry in NVRAM`);
    } catch (err) {
      const msg = err instanceof ApiError || err instanceof Error ? err.message : String(err);
      say(`FAILED: ${msg}`);
      result.error = msg;
    } finally {
      result.seconds = (Date.now() - started) / 1000;
    }
  }));

  const ok = results.filter((r) => r.state === 'active');
  console.log('\nnode      state     image  configdrive  verified bytes  seconds');
  for (const r of results.sort((a, b) => a.name.localeCompare(b.name))) {
    console.log(`${r.name.padEnd(9)} ${r.state.padEnd(9)} ${r.format.padEnd(6)} ${(r.configdrive ? 'yes' : 'no').padEnd(12)} ${String(r.verified).padStart(14)}  ${r.seconds.toFixed(1).padStart(7)}${r.error ? `  ${r.error}` : ''}`);
  }
  const bytes = ok.reduce((s, r) => s + r.verified, 0);
  console.log(`\n${ok.length}/${results.length} machines deployed, ${bytes} bytes verified on disk`);
  if (once) {
    await svc.close();
    await lab.close();
    return ok.length === results.length ? 0 : 1;
  }
  console.log(`\nIngot keeps running. Try:\n  baremetal --os-endpoint ${svc.url} --os-auth-type none node list\n  curl -u admin:password ${lab.url}/redfish/v1/Systems\nCtrl-C to stop.`);
  await new Promise<void>((resolve) => { process.on('SIGINT', resolve); process.on('SIGTERM', resolve); });
  await svc.close();
  await lab.close();
  return 0;
}

main().then((code) => process.exit(code), (err) => { console.error(`demo failed: ${err instanceof Error ? err.stack : String(err)}`); process.exit(1); });
