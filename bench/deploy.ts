/**
 * Deploy benchmark (issue 8): N lab machines (default 16) deployed at once with a raw image
 * of SIZE MiB (default 512) through the agent, beside `dd` writing the same bytes to the
 * same filesystem, N copies at once.
 *
 *   node --import tsx bench/deploy.ts [--machines 16] [--size-mib 512] [--out FILE]
 *
 * Prints the time from the `deploy` requests to the last node `active`, the aggregate write
 * rate of the deploys (N × image bytes / that time, so it includes booting the agent ISO,
 * download, checksum, write and the reboot), the same for `dd` (conv=fsync), and their ratio.
 * Every disk is checked afterwards (the marker file read back) so that a fast wrong deploy
 * does not count.
 */
import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pino from 'pino';
import { loadConfig } from '../src/config/config.ts';
import { startService } from '../src/bin/service.ts';
import { startRedfishLab } from '../src/lab/redfish/index.ts';
import { machinePaths } from '../src/lab/redfish/machine-files.ts';
import { buildDemoImage, readMarker } from '../src/lab/demo-image.ts';
import { IngotClient } from '../src/client/index.ts';

const run = promisify(execFile);
const args = process.argv.slice(2);
const flag = (name: string, d: string) => { const i = args.indexOf(name); return i >= 0 && args[i + 1] ? args[i + 1]! : d; };
const machines = Number(flag('--machines', '16'));
const sizeMiB = Number(flag('--size-mib', '512'));
const out = flag('--out', '');
const say = (s: string) => console.log(`  ${s}`);

process.env.INGOT_RAMDISK_HEARTBEAT_TIMEOUT ??= '10';

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'ingot-bench-deploy-'));
  try {
    say(`building a ${sizeMiB} MiB raw image`);
    const image = await buildDemoImage(join(dir, 'image'), { sizeMiB, name: 'bench' });

    // dd: the same bytes, the same filesystem, N copies at once.
    const ddDir = join(dir, 'dd');
    mkdirSync(ddDir);
    const d0 = Date.now();
    await Promise.all(Array.from({ length: machines }, (_, i) =>
      run('dd', [`if=${image.raw}`, `of=${join(ddDir, `copy${i}`)}`, 'bs=4M', 'conv=fsync', 'status=none'])));
    const ddSeconds = (Date.now() - d0) / 1000;
    rmSync(ddDir, { recursive: true, force: true });

    writeFileSync(join(dir, 'vmlinuz'), 'stand-in kernel\n');
    writeFileSync(join(dir, 'initrd'), 'stand-in ramdisk\n');
    const lab = await startRedfishLab({ machines, port: 0, taskDelayMs: 100, agents: { dataDir: join(dir, 'lab'), diskSizeBytes: 8 * 1024 ** 3 } });
    const config = loadConfig(process.env, { port: 0, httpPort: 0, host: '127.0.0.1', dataDir: dir, db: join(dir, 'ingot.db'), workers: 100 });
    const svc = await startService(config, { logger: pino({ level: 'silent' }) });
    mkdirSync(join(config.httpRoot, 'images'), { recursive: true });
    copyFileSync(image.raw, join(config.httpRoot, 'images', 'disk.raw'));
    const api = new IngotClient({ endpoint: svc.url });
    try {
      say(`enrolling ${machines} redfish nodes (direct deploy), manage + provide (automated cleaning off)`);
      await Promise.all(lab.machines.map(async (m, i) => {
        const name = `bench-${i}`;
        const node = await api.createNode({
          name, driver: 'redfish', boot_interface: 'redfish-virtual-media', deploy_interface: 'direct', automated_clean: false,
          driver_info: {
            redfish_address: lab.url, redfish_system_id: `/redfish/v1/Systems/${m.id}`, redfish_username: 'admin', redfish_password: 'password',
            deploy_kernel: join(dir, 'vmlinuz'), deploy_ramdisk: join(dir, 'initrd'),
          },
          properties: { capabilities: 'boot_mode:uefi' },
          instance_info: { image_source: `${config.httpUrl}/images/disk.raw`, image_os_hash_algo: 'sha256', image_os_hash_value: image.rawSha256, image_disk_format: 'raw' },
        });
        for (const nic of m.nics) await api.call('POST', '/v1/ports', { node_uuid: node.uuid, address: nic.mac.toLowerCase() });
        await api.setProvisionState(name, 'manage');
        await api.waitForState(name, 'manageable', { timeoutMs: 300_000 });
        await api.setProvisionState(name, 'provide');
        await api.waitForState(name, 'available', { timeoutMs: 300_000 });
      }));
      say(`deploying ${machines} nodes at once`);
      const t0 = Date.now();
      const times = await Promise.all(lab.machines.map(async (_m, i) => {
        await api.setProvisionState(`bench-${i}`, 'active');
        await api.waitForState(`bench-${i}`, 'active', { timeoutMs: 1_800_000, intervalMs: 500 });
        return (Date.now() - t0) / 1000;
      }));
      const deploySeconds = Math.max(...times);
      for (const m of lab.machines) {
        if ((await readMarker(machinePaths(lab.hosts!.dataDir, m).disk)) !== image.marker) throw new Error(`machine ${m.id}: the image is not on its disk`);
      }
      const bytes = machines * image.rawSize;
      const deployRate = bytes / deploySeconds / 1024 / 1024;
      const ddRate = bytes / ddSeconds / 1024 / 1024;
      const result = {
        machines, imageBytes: image.rawSize, deploySeconds, firstActiveSeconds: Math.min(...times),
        deployMiBps: deployRate, ddSeconds, ddMiBps: ddRate, ratio: deployRate / ddRate,
      };
      say(`deploy → active: all ${machines} in ${deploySeconds.toFixed(1)} s (first ${result.firstActiveSeconds.toFixed(1)} s); aggregate ${deployRate.toFixed(1)} MiB/s`);
      say(`dd of the same bytes (${machines} at once, conv=fsync): ${ddSeconds.toFixed(1)} s, ${ddRate.toFixed(1)} MiB/s`);
      say(`ratio deploy/dd: ${result.ratio.toFixed(2)} (goal ≥ 0.8); every disk checked (marker file read back)`);
      if (out) writeFileSync(out, JSON.stringify(result, null, 2));
    } finally {
      await svc.close();
      await lab.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().then(() => process.exit(0), (err) => { console.error(`bench/deploy failed: ${err instanceof Error ? err.stack : String(err)}`); process.exit(1); });
