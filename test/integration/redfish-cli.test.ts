/**
 * Issue acceptance through the real `baremetal` CLI (python-ironicclient) against
 * `ingot serve` and the emulated Redfish lab: enroll a lab machine as a `redfish` node,
 * validate it, power it, set its boot device, inspect it (ports from its NICs), change a
 * BIOS setting and build a RAID volume by clean steps. Then a BMC fault on one machine
 * becomes that node's last_error while another node keeps working.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pino from 'pino';
import { loadConfig } from '../../src/config/config.ts';
import { startService, type Service } from '../../src/bin/service.ts';
import { startRedfishLab, type RedfishLab } from '../../src/lab/redfish/index.ts';

const run = promisify(execFile);
const BAREMETAL = '/usr/bin/baremetal';
const skip = existsSync(BAREMETAL) ? false : 'python3-ironicclient (the baremetal CLI) is not installed';

let lab: RedfishLab;
let svc: Service;
let dir: string;

async function bm(...args: string[]): Promise<string> {
  const { stdout } = await run(BAREMETAL, ['--os-endpoint', svc.url, '--os-auth-type', 'none', ...args], { timeout: 120_000 });
  return stdout.trim();
}
async function field(node: string, f: string): Promise<string> { return bm('node', 'show', node, '-f', 'value', '-c', f); }

before(async () => {
  if (skip) return;
  dir = mkdtempSync(join(tmpdir(), 'ingot-rf-cli-'));
  // Manual cleaning boots the agent (Ironic's prepare_cleaning): the lab machines run
  // `ingot agent` when they boot its ISO, and the stand-in kernel/ramdisk are not executed.
  writeFileSync(join(dir, 'vmlinuz'), 'stand-in kernel\n');
  writeFileSync(join(dir, 'initrd'), 'stand-in ramdisk\n');
  lab = await startRedfishLab({ machines: 2, port: 0, taskDelayMs: 100, agents: { dataDir: join(dir, 'lab'), diskSizeBytes: 8 * 1024 ** 3 } });
  svc = await startService(loadConfig({ INGOT_RAMDISK_HEARTBEAT_TIMEOUT: '6' }, { port: 0, httpPort: 0, host: '127.0.0.1', dataDir: dir, db: join(dir, 'ingot.db') }), { logger: pino({ level: 'silent' }), periodics: false });
});
after(async () => {
  if (skip) return;
  await svc.close();
  await lab.close();
  rmSync(dir, { recursive: true, force: true });
});

test('redfish node through the baremetal CLI: validate, power, boot device, inspect, BIOS and RAID by clean steps', { skip, timeout: 300_000 }, async () => {
  const m = lab.machines[0]!;
  await bm('node', 'create', '--driver', 'redfish', '--name', 'rf-0', '--boot-interface', 'redfish-virtual-media',
    '--driver-info', `redfish_address=${lab.url}`, '--driver-info', `redfish_system_id=/redfish/v1/Systems/${m.id}`,
    '--driver-info', 'redfish_username=admin', '--driver-info', 'redfish_password=password', '--driver-info', 'redfish_verify_ca=False',
    '--driver-info', `deploy_kernel=${join(dir, 'vmlinuz')}`, '--driver-info', `deploy_ramdisk=${join(dir, 'initrd')}`);
  const validate = JSON.parse(await bm('node', 'validate', 'rf-0', '-f', 'json')) as { Interface: string; Result: boolean; Reason: string }[];
  const byIface = Object.fromEntries(validate.map((v) => [v.Interface, v]));
  assert.equal(byIface.power?.Result, true, byIface.power?.Reason);
  assert.equal(byIface.management?.Result, true, byIface.management?.Reason);
  assert.equal(byIface.inspect?.Result, true, byIface.inspect?.Reason);

  await bm('node', 'manage', 'rf-0', '--wait', '60');
  await bm('node', 'power', 'on', 'rf-0', '--power-timeout', '30');
  for (let i = 0; i < 50 && (await field('rf-0', 'power_state')) !== 'power on'; i++) await new Promise((r) => setTimeout(r, 100));
  assert.equal(await field('rf-0', 'power_state'), 'power on');
  assert.equal(lab.machine(m.id)!.power, 'On');

  await bm('node', 'boot', 'device', 'set', 'rf-0', 'pxe', '--persistent');
  const bd = JSON.parse(await bm('node', 'boot', 'device', 'show', 'rf-0', '-f', 'json'));
  assert.equal(bd.boot_device, 'pxe');
  assert.equal(lab.machine(m.id)!.boot.target, 'Pxe');
  const supported = JSON.parse(await bm('node', 'boot', 'device', 'show', 'rf-0', '--supported', '-f', 'json'));
  assert.ok(supported.supported_boot_devices.includes('disk'));

  await bm('node', 'inspect', 'rf-0', '--wait', '60');
  const ports = JSON.parse(await bm('port', 'list', '--node', 'rf-0', '-f', 'json')) as { Address: string }[];
  const macs = lab.machine(m.id)!.nics.map((n) => n.mac.toLowerCase()).sort();
  assert.deepEqual(ports.map((p) => p.Address).sort(), macs);
  const props = JSON.parse(await bm('node', 'show', 'rf-0', '-f', 'json')).properties;
  assert.ok(Number(props.cpus) > 0 && Number(props.memory_mb) > 0, JSON.stringify(props));

  await bm('node', 'set', 'rf-0', '--target-raid-config', JSON.stringify({ logical_disks: [{ size_gb: 50, raid_level: '1' }] }));
  await bm('node', 'clean', 'rf-0', '--wait', '240', '--clean-steps', JSON.stringify([
    { interface: 'bios', step: 'apply_configuration', args: { settings: [{ name: 'ProcTurboMode', value: 'Disabled' }] } },
    { interface: 'raid', step: 'create_configuration' },
  ]));
  assert.equal(await field('rf-0', 'provision_state'), 'manageable');
  const bios = JSON.parse(await bm('node', 'bios', 'setting', 'show', 'rf-0', 'ProcTurboMode', '-f', 'json'));
  assert.equal(bios.value, 'Disabled');
  assert.equal(lab.machine(m.id).bios?.current.ProcTurboMode, 'Disabled');
  const raid = JSON.parse(await bm('node', 'show', 'rf-0', '-f', 'json')).raid_config;
  assert.equal(raid.logical_disks?.[0]?.raid_level, '1');
});

test('a BMC fault becomes a clear last_error on that node only', { skip, timeout: 300_000 }, async () => {
  const [a, b] = lab.machines;
  for (const [name, mm] of [['rf-a', a!], ['rf-b', b!]] as const) {
    await bm('node', 'create', '--driver', 'redfish', '--name', name,
      '--driver-info', `redfish_address=${lab.url}`, '--driver-info', `redfish_system_id=/redfish/v1/Systems/${mm.id}`,
      '--driver-info', 'redfish_username=admin', '--driver-info', 'redfish_password=password');
    await bm('node', 'manage', name, '--wait', '60');
  }
  lab.faults.add({ kind: 'error', status: 500, machines: [a!.id] });
  try {
    await bm('node', 'power', 'on', 'rf-a');
    await bm('node', 'power', 'on', 'rf-b');
    let err = '';
    for (let i = 0; i < 100; i++) {
      err = await field('rf-a', 'last_error');
      if (err && err !== 'None') break;
      await new Promise((r) => setTimeout(r, 200));
    }
    assert.match(err, /power/i);
    assert.match(err, /Redfish|BMC|500/);
    for (let i = 0; i < 50 && (await field('rf-b', 'power_state')) !== 'power on'; i++) await new Promise((r) => setTimeout(r, 100));
    assert.equal(await field('rf-b', 'power_state'), 'power on');
    assert.equal(await field('rf-b', 'last_error'), 'None');
  } finally {
    lab.faults.clear();
  }
});
