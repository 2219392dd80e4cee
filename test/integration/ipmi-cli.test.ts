/**
 * Issue acceptance through the real `baremetal` CLI (python-ironicclient) against
 * `ingot serve` and the lab: a lab machine enrolled as an `ipmi` node is validated,
 * powered on and off through its pyghmi IPMI BMC with ipmitool, and its boot device set;
 * the lab's Redfish BMC shows the same machine on. Faults: a wrong password and a silent
 * BMC become clear last_errors on their nodes while another node keeps working; without
 * ipmitool, validate says so.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:net';
import { promisify } from 'node:util';
import pino from 'pino';
import { loadConfig } from '../../src/config/config.ts';
import { startService, type Service } from '../../src/bin/service.ts';
import { startRedfishLab, type RedfishLab } from '../../src/lab/redfish/index.ts';
import { startIpmiLab, type IpmiLab } from '../../src/lab/ipmi/index.ts';
import { requireIpmiTools } from '../../src/testing/ipmi-harness.ts';

const run = promisify(execFile);
const BAREMETAL = '/usr/bin/baremetal';
const skip = existsSync(BAREMETAL) ? false : 'python3-ironicclient (the baremetal CLI) is not installed';
/** Ironic's [ipmi] options, shortened for a lab that answers at once. */
const FAST_ENV = { INGOT_MIN_COMMAND_INTERVAL: '0.05', INGOT_COMMAND_RETRY_TIMEOUT: '3', INGOT_POWER_STATE_CHANGE_TIMEOUT: '10' };
/** The main service also enables the socat console (Ironic's reference enables only no-console). */
const CONSOLE_ENV = { INGOT_ENABLED_CONSOLE_INTERFACES: 'no-console,ipmitool-socat', INGOT_DEFAULT_CONSOLE_INTERFACE: 'no-console', INGOT_CONSOLE_PORT_RANGE: '21000:21100' };

let lab: RedfishLab;
let ipmi: IpmiLab;
let svc: Service;
let dir: string;

async function bm(url: string, ...args: string[]): Promise<string> {
  const { stdout } = await run(BAREMETAL, ['--os-endpoint', url, '--os-auth-type', 'none', ...args], { timeout: 120_000 });
  return stdout.trim();
}
const field = (node: string, f: string): Promise<string> => bm(svc.url, 'node', 'show', node, '-f', 'value', '-c', f);
async function until(node: string, f: string, ok: (v: string) => boolean, tries = 150): Promise<string> {
  let v = '';
  for (let i = 0; i < tries; i++) {
    v = await field(node, f);
    if (ok(v)) return v;
    await new Promise((r) => setTimeout(r, 200));
  }
  return v;
}
async function enroll(name: string, i: number, password = 'password'): Promise<void> {
  const b = ipmi.bmcs[i]!;
  await bm(svc.url, 'node', 'create', '--driver', 'ipmi', '--name', name, '--driver-info', `ipmi_address=${b.host}`,
    '--driver-info', `ipmi_port=${b.port}`, '--driver-info', 'ipmi_username=admin', '--driver-info', `ipmi_password=${password}`);
}

before(async () => {
  if (skip) return;
  requireIpmiTools();
  dir = mkdtempSync(join(tmpdir(), 'ingot-ipmi-cli-'));
  lab = await startRedfishLab({ machines: 3, port: 0 });
  ipmi = await startIpmiLab({ machines: lab.machines, basePort: 0 });
  svc = await startService(loadConfig({ ...FAST_ENV, ...CONSOLE_ENV }, { port: 0, host: '127.0.0.1', dataDir: dir, db: join(dir, 'ingot.db') }),
    { logger: pino({ level: 'silent' }), periodics: false });
});
after(async () => {
  if (skip) return;
  await svc?.close();
  await ipmi?.close();
  await lab?.close();
  rmSync(dir, { recursive: true, force: true });
});

test('ipmi node through the baremetal CLI: validate, power on/off, boot device; Redfish sees the same machine', { skip, timeout: 300_000 }, async () => {
  const m = lab.machines[0]!;
  await enroll('ipmi-0', 0);
  const validate = JSON.parse(await bm(svc.url, 'node', 'validate', 'ipmi-0', '-f', 'json')) as { Interface: string; Result: boolean; Reason: string }[];
  const byIface = Object.fromEntries(validate.map((v) => [v.Interface, v]));
  assert.equal(byIface.power?.Result, true, byIface.power?.Reason);
  assert.equal(byIface.management?.Result, true, byIface.management?.Reason);

  await bm(svc.url, 'node', 'manage', 'ipmi-0', '--wait', '60');
  await bm(svc.url, 'node', 'power', 'on', 'ipmi-0', '--power-timeout', '30');
  assert.equal(await until('ipmi-0', 'power_state', (v) => v === 'power on'), 'power on');
  assert.equal(m.power, 'On');
  const auth = { Authorization: `Basic ${Buffer.from('admin:password').toString('base64')}` };
  const sys = await (await fetch(`${lab.url}/redfish/v1/Systems/${m.id}`, { headers: auth })).json() as { PowerState: string };
  assert.equal(sys.PowerState, 'On', 'the Redfish BMC shows the machine IPMI powered on');

  await bm(svc.url, 'node', 'boot', 'device', 'set', 'ipmi-0', 'pxe', '--persistent');
  const bd = JSON.parse(await bm(svc.url, 'node', 'boot', 'device', 'show', 'ipmi-0', '-f', 'json')) as { boot_device: string; persistent: boolean };
  assert.deepEqual([bd.boot_device, bd.persistent], ['pxe', true]);
  assert.deepEqual([m.boot.target, m.boot.enabled], ['Pxe', 'Continuous']);
  const supported = JSON.parse(await bm(svc.url, 'node', 'boot', 'device', 'show', 'ipmi-0', '--supported', '-f', 'json'));
  const devices = supported.supported_boot_devices as string[] | string;
  assert.deepEqual((Array.isArray(devices) ? devices : devices.split(/,\s*/)).sort(), ['bios', 'cdrom', 'disk', 'pxe', 'safe']);

  await bm(svc.url, 'node', 'power', 'off', 'ipmi-0');
  assert.equal(await until('ipmi-0', 'power_state', (v) => v === 'power off'), 'power off');
  assert.equal(m.power, 'Off');
  assert.equal(await field('ipmi-0', 'last_error'), 'None');
});

test('wrong password and a silent BMC become clear last_errors on their nodes only', { skip, timeout: 300_000 }, async () => {
  await enroll('ipmi-bad-pw', 1, 'wrong');
  await enroll('ipmi-silent', 2);
  await bm(svc.url, 'node', 'manage', 'ipmi-silent', '--wait', '60');
  // manage verifies the BMC (reads the power state): the wrong password fails it back to enroll.
  await bm(svc.url, 'node', 'manage', 'ipmi-bad-pw');
  const badPw = await until('ipmi-bad-pw', 'last_error', (v) => v !== 'None');
  assert.match(badPw, /IPMI call failed: power status\. The BMC at 127\.0\.0\.1:\d+ refused the IPMI session/);
  assert.match(badPw, /ipmi_password/);
  assert.equal(await until('ipmi-bad-pw', 'provision_state', (v) => v === 'enroll'), 'enroll');
  assert.equal(lab.machines[1]!.power, 'Off');

  ipmi.pause(2);
  try {
    await bm(svc.url, 'node', 'power', 'on', 'ipmi-silent');
    await bm(svc.url, 'node', 'power', 'on', 'ipmi-0');
    assert.equal(await until('ipmi-0', 'power_state', (v) => v === 'power on'), 'power on', 'another node is unaffected');
    assert.equal(await field('ipmi-0', 'last_error'), 'None');
    const silent = await until('ipmi-silent', 'last_error', (v) => v !== 'None');
    assert.match(silent, /^Failed to change power state to 'power on'/);
    assert.match(silent, /IPMI call failed: power status\./);
    assert.match(silent, /did not answer|does not answer/);
    assert.equal(lab.machines[2]!.power, 'Off');
    for (const n of ['ipmi-bad-pw', 'ipmi-silent']) assert.equal(await field(n, 'reservation'), 'None', `${n} is unlocked`);
  } finally {
    ipmi.resume(2);
  }
});

test('serial console through the baremetal CLI: ipmitool-socat over the lab machine SOL', { skip, timeout: 300_000 }, async () => {
  await bm(svc.url, 'node', 'set', 'ipmi-0', '--console-interface', 'ipmitool-socat');
  await bm(svc.url, 'node', 'power', 'on', 'ipmi-0');
  assert.equal(await until('ipmi-0', 'power_state', (v) => v === 'power on'), 'power on');
  await bm(svc.url, 'node', 'console', 'enable', 'ipmi-0');
  const info = JSON.parse(await bm(svc.url, 'node', 'console', 'show', 'ipmi-0', '-f', 'json')) as { console_enabled: boolean; console_info: { type: string; url: string } };
  assert.equal(info.console_enabled, true);
  assert.equal(info.console_info.type, 'socat');
  const m = /^tcp:\/\/127\.0\.0\.1:(\d+)$/.exec(info.console_info.url);
  assert.ok(m, info.console_info.url);
  const sock = connect(Number(m[1]), '127.0.0.1');
  let seen = '';
  sock.setEncoding('utf8').on('data', (d: string) => { seen += d; });
  try {
    for (let i = 0; i < 150 && !seen.includes('serial console'); i++) await new Promise((r) => setTimeout(r, 100));
    assert.match(seen, new RegExp(`Ingot lab machine ${lab.machines[0]!.id} serial console`));
  } finally {
    sock.destroy();
  }
  await bm(svc.url, 'node', 'console', 'disable', 'ipmi-0');
  assert.equal(await field('ipmi-0', 'console_enabled'), 'False');
});

test('without ipmitool, validate says so', { skip, timeout: 120_000 }, async () => {
  const dir2 = mkdtempSync(join(tmpdir(), 'ingot-ipmi-missing-'));
  const svc2 = await startService(loadConfig({ ...FAST_ENV, INGOT_IPMITOOL_PATH: join(dir2, 'no-ipmitool') },
    { port: 0, host: '127.0.0.1', dataDir: dir2, db: join(dir2, 'ingot.db') }), { logger: pino({ level: 'silent' }), periodics: false });
  try {
    await bm(svc2.url, 'node', 'create', '--driver', 'ipmi', '--name', 'no-tool', '--driver-info', 'ipmi_address=127.0.0.1');
    const validate = JSON.parse(await bm(svc2.url, 'node', 'validate', 'no-tool', '-f', 'json')) as { Interface: string; Result: boolean; Reason: string }[];
    const power = validate.find((v) => v.Interface === 'power')!;
    assert.equal(power.Result, false);
    assert.match(power.Reason, /Unable to locate usable ipmitool command/);
    assert.match(power.Reason, /Debian package ipmitool/);
  } finally {
    await svc2.close();
    rmSync(dir2, { recursive: true, force: true });
  }
});
