/**
 * The main job: Ingot with an emulated lab, provisioning machines end to end.
 *
 * Starts `ingot serve` (API + conductor, fresh SQLite) and an emulated Redfish lab in this
 * process, then drives every machine through the real REST API exactly as an operator
 * would: enroll as `redfish` nodes → manage (verify the BMC) → inspect (ports from NICs)
 * → manual clean (a BIOS setting and a RAID-1 volume) → provide (automated cleaning) →
 * deploy (boot an ISO over virtual media) → active. Prints progress and a summary, then
 * keeps both services up for `baremetal` to explore unless `--once` is given.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { loadConfig } from '../config/config.ts';
import { startService } from './service.ts';
import { startRedfishLab } from '../lab/redfish/index.ts';
import { IngotClient, ApiError } from '../client/index.ts';

const args = process.argv.slice(2);
const flag = (name: string, dflt: string) => { const i = args.indexOf(name); return i >= 0 && args[i + 1] ? args[i + 1]! : dflt; };
const once = args.includes('--once') || process.env.CI === 'true';
const machines = Number(flag('--machines', process.env.INGOT_DEMO_MACHINES ?? '4'));
const port = Number(flag('--port', process.env.INGOT_PORT ?? '6385'));
const labPort = Number(flag('--lab-port', process.env.INGOT_LAB_PORT ?? '8000'));
const dataDir = flag('--data-dir', mkdtempSync(join(tmpdir(), 'ingot-demo-')));

const t0 = Date.now();
const log = (msg: string) => console.log(`[${((Date.now() - t0) / 1000).toFixed(1).padStart(5)}s] ${msg}`);

async function main(): Promise<number> {
  const logger = pino({ level: process.env.INGOT_LOG_LEVEL ?? 'warn' });
  const lab = await startRedfishLab({ machines, port: labPort, host: '127.0.0.1', taskDelayMs: 300 });
  log(`lab: ${machines} emulated Redfish BMC(s) at ${lab.url}/redfish/v1 (admin/password)`);
  const config = loadConfig(process.env, { port, host: '127.0.0.1', dataDir, db: join(dataDir, 'ingot.db') });
  const svc = await startService(config, { logger });
  log(`ingot: API + conductor at ${svc.url} (data in ${dataDir})`);
  const api = new IngotClient({ endpoint: svc.url });
  const results: { name: string; state: string; ports: number; seconds: number; error?: string }[] = [];

  await Promise.all(lab.machines.map(async (m, i) => {
    const name = `lab-${i}`;
    const started = Date.now();
    const say = (s: string) => log(`${name}: ${s}`);
    try {
      const node = await api.createNode({
        // A ramdisk deploy needs no agent; like Ironic, it still asks for one when automated
        // cleaning is on, so these nodes clean manually (BIOS + RAID below) instead.
        name, driver: 'redfish', boot_interface: 'redfish-virtual-media', deploy_interface: 'ramdisk', automated_clean: false,
        driver_info: {
          redfish_address: lab.url, redfish_system_id: `/redfish/v1/Systems/${m.id}`,
          redfish_username: 'admin', redfish_password: 'password', redfish_verify_ca: false,
        },
        properties: { capabilities: 'boot_mode:uefi' },
      });
      say(`enrolled ${node.uuid} (driver redfish)`);
      const progress = (n: any) => say(`${n.provision_state}${n.target_provision_state ? ` → ${n.target_provision_state}` : ''}`);
      await api.setProvisionState(name, 'manage');
      await api.waitForState(name, 'manageable', { onProgress: progress });
      await api.setProvisionState(name, 'inspect');
      const inspected = await api.waitForState(name, 'manageable', { onProgress: progress });
      const ports = (await api.call('GET', `/v1/nodes/${node.uuid}/ports`)).ports.length;
      say(`inspected: ${inspected.properties.cpus} CPUs, ${inspected.properties.memory_mb} MiB, ${inspected.properties.local_gb} GiB disk, ${ports} port(s)`);
      await api.setRaidConfig(name, { logical_disks: [{ size_gb: 100, raid_level: '1', is_root_volume: true }] });
      await api.setProvisionState(name, 'clean', {
        clean_steps: [
          { interface: 'bios', step: 'apply_configuration', args: { settings: [{ name: 'ProcTurboMode', value: 'Disabled' }] } },
          { interface: 'raid', step: 'create_configuration', args: {} },
        ],
      });
      await api.waitForState(name, 'manageable', { onProgress: progress, timeoutMs: 180_000 });
      const bios = (await api.call('GET', `/v1/nodes/${name}/bios/ProcTurboMode`)).ProcTurboMode;
      say(`BIOS ProcTurboMode=${bios?.value}; RAID ${JSON.stringify((await api.getNode(name)).raid_config.logical_disks?.map((d: any) => `${d.raid_level}:${d.size_gb}GB`))}`);
      await api.setProvisionState(name, 'provide');
      await api.waitForState(name, 'available', { onProgress: progress, timeoutMs: 180_000 });
      await api.patchNode(name, [{ op: 'add', path: '/instance_info/boot_iso', value: `http://images.lab/demo-${i}.iso` }]);
      await api.setProvisionState(name, 'active');
      const active = await api.waitForState(name, 'active', { onProgress: progress, timeoutMs: 180_000 });
      const snap = lab.machine(m.id);
      say(`ACTIVE: power ${active.power_state}; BMC shows power ${snap.power}, boot ${snap.boot.target}/${snap.boot.enabled}, media ${snap.virtualMedia.filter((v) => v.inserted).map((v) => v.image).join(',')}`);
      results.push({ name, state: active.provision_state, ports, seconds: (Date.now() - started) / 1000 });
    } catch (err) {
      const msg = err instanceof ApiError || err instanceof Error ? err.message : String(err);
      say(`FAILED: ${msg}`);
      results.push({ name, state: 'failed', ports: 0, seconds: (Date.now() - started) / 1000, error: msg });
    }
  }));

  const ok = results.filter((r) => r.state === 'active').length;
  console.log('\nnode      state     ports  seconds');
  for (const r of results.sort((a, b) => a.name.localeCompare(b.name))) console.log(`${r.name.padEnd(9)} ${r.state.padEnd(9)} ${String(r.ports).padStart(5)}  ${r.seconds.toFixed(1).padStart(7)}${r.error ? `  ${r.error}` : ''}`);
  console.log(`\n${ok}/${results.length} machines provisioned end to end (enroll → manage → inspect → clean → provide → deploy → active).`);
  if (once) {
    await svc.close();
    await lab.close();
    return ok === results.length ? 0 : 1;
  }
  console.log(`\nIngot keeps running. Try:\n  baremetal --os-endpoint ${svc.url} --os-auth-type none node list\n  curl -u admin:password ${lab.url}/redfish/v1/Systems\nCtrl-C to stop.`);
  await new Promise<void>((resolve) => { process.on('SIGINT', resolve); process.on('SIGTERM', resolve); });
  await svc.close();
  await lab.close();
  return 0;
}

main().then((code) => process.exit(code), (err) => { console.error(`demo failed: ${err instanceof Error ? err.stack : String(err)}`); process.exit(1); });
