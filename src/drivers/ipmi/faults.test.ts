/**
 * Ironic's care around ipmitool, against the lab's pyghmi BMCs with the real ipmitool run
 * through a recording wrapper (a shell script that logs each call, the password file's mode
 * and content, start and end, then runs /usr/bin/ipmitool): password only through a 0600
 * file removed afterwards; one command at a time per BMC; "Node busy" retried; a wrong
 * password refused once, not retried; a silent BMC fails within the retry window while
 * another BMC keeps working; a missing ipmitool makes validate say so.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DriverError, InvalidError } from '../../core/errors.ts';
import { ipmiTestLab } from '../../testing/ipmi-harness.ts';
import { Ipmitool } from './ipmitool.ts';
import { IpmiManagement } from './management.ts';
import { IpmiPower } from './power.ts';
import { IpmiVendor } from './vendor.ts';

interface Call { args: string[]; pwMode: string; pwContent: string; pwFile: string; start: bigint; end: bigint }

/** A wrapper ipmitool that records its calls in `dir`/calls.log. */
function recorder(t: { after(fn: () => unknown): void }): { path: string; tempDir: string; calls(): Call[] } {
  const dir = mkdtempSync(join(tmpdir(), 'ingot-ipmi-rec-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const real = execFileSync('sh', ['-c', 'command -v ipmitool']).toString().trim();
  const path = join(dir, 'ipmitool');
  writeFileSync(path, `#!/bin/sh
pw=""; prev=""
for a in "$@"; do [ "$prev" = "-f" ] && pw="$a"; prev="$a"; done
case " $* " in *" -h "*) exec ${real} "$@";; esac
start=$(date +%s%N)
mode=$(stat -c %a "$pw" 2>/dev/null); content=$(cat "$pw" 2>/dev/null)
${real} "$@"; rc=$?
printf '%s\\t%s\\t%s\\t%s\\t%s\\t%s\\n' "$*" "$mode" "$content" "$pw" "$start" "$(date +%s%N)" >> ${dir}/calls.log
exit $rc
`);
  chmodSync(path, 0o755);
  const tempDir = join(dir, 'tmp');
  execFileSync('mkdir', [tempDir]);
  return {
    path, tempDir,
    calls: () => (existsSync(join(dir, 'calls.log')) ? readFileSync(join(dir, 'calls.log'), 'utf8').trim().split('\n').filter(Boolean) : []).map((l) => {
      const [args, pwMode, pwContent, pwFile, start, end] = l.split('\t');
      return { args: args!.split(' '), pwMode: pwMode!, pwContent: pwContent!, pwFile: pwFile!, start: BigInt(start!), end: BigInt(end!) };
    }),
  };
}

test('the password goes only through a 0600 file, removed after; one command at a time per BMC', { timeout: 120_000 }, async (t) => {
  const rec = recorder(t);
  const env = await ipmiTestLab(t, {}, {});
  const tool = new Ipmitool({ ...env.tool.options, ipmitoolPath: rec.path, tempDir: rec.tempDir });
  const power = new IpmiPower(tool);
  const n = env.node(0);
  await Promise.all([1, 2, 3].map(() => power.getPowerState(n.ctx())));
  const calls = rec.calls();
  assert.equal(calls.length, 3);
  for (const c of calls) {
    assert.ok(!c.args.includes('password'), `password on the command line: ${c.args.join(' ')}`);
    assert.equal(c.args[c.args.indexOf('-f') + 1], c.pwFile);
    assert.equal(c.pwMode, '600');
    assert.equal(c.pwContent, 'password');
    assert.ok(!existsSync(c.pwFile), 'the password file is removed');
  }
  const sorted = [...calls].sort((a, b) => (a.start < b.start ? -1 : 1));
  for (let i = 1; i < sorted.length; i++) assert.ok(sorted[i]!.start >= sorted[i - 1]!.end, 'commands to one BMC never overlap');
});

test('"Node busy" is retried within the window; a wrong password is refused once, not retried', { timeout: 120_000 }, async (t) => {
  const rec = recorder(t);
  const env = await ipmiTestLab(t);
  const tool = new Ipmitool({ ...env.tool.options, ipmitoolPath: rec.path, tempDir: rec.tempDir });
  const power = new IpmiPower(tool);

  env.ipmi.control.busy[0] = 2;
  assert.equal(await power.getPowerState(env.node(0).ctx()), 'power off');
  assert.equal(rec.calls().length, 3, 'two busy answers, then success');

  const wrong = env.node(1, { driver_info: { ...env.driverInfo(1), ipmi_password: 'wrong' } });
  await assert.rejects(power.setPowerState(wrong.ctx(), 'power on'), (e: unknown) => {
    assert.ok(e instanceof DriverError);
    assert.match(e.message, /^IPMI call failed: power on\. The BMC at 127\.0\.0\.1:\d+ refused the IPMI session/);
    assert.match(e.message, /ipmi_password/);
    return true;
  });
  assert.equal(rec.calls().length, 4, 'one attempt for the wrong password, no retry storm');
  assert.equal(env.lab.machines[1]!.power, 'Off');
});

test('a silent BMC fails within the retry window; another BMC keeps working meanwhile', { timeout: 120_000 }, async (t) => {
  const env = await ipmiTestLab(t, {}, { commandRetryTimeoutS: 3 });
  const power = new IpmiPower(env.tool);
  env.ipmi.pause(0);
  t.after(() => env.ipmi.resume(0));
  const silent = power.getPowerState(env.node(0).ctx()).then(() => 'answered', (e: Error) => e);
  await power.setPowerState(env.node(1).ctx(), 'power on');
  assert.equal(await power.getPowerState(env.node(1).ctx()), 'power on');
  assert.equal(env.lab.machines[1]!.power, 'On');
  const err = await silent;
  assert.ok(err instanceof DriverError, `expected a failure, got ${String(err)}`);
  assert.match(err.message, /^IPMI call failed: power status\. /);
  assert.match(err.message, /did not answer|does not answer/);
});

test('ipmitool missing: validate says so, and what to install', { timeout: 60_000 }, async (t) => {
  const env = await ipmiTestLab(t, { machines: 1 });
  const tool = new Ipmitool({ ipmitoolPath: 'ipmitool-not-installed-here' });
  for (const iface of [new IpmiPower(tool), new IpmiManagement(tool), new IpmiVendor(tool)]) {
    await assert.rejects(iface.validate(env.node(0).ctx()), (e: unknown) => {
      assert.ok(e instanceof InvalidError);
      assert.match(e.message, /Unable to locate usable ipmitool command/);
      assert.match(e.message, /'ipmitool-not-installed-here' was not found/);
      assert.match(e.message, /Debian package ipmitool/);
      return true;
    });
  }
});

test('management and vendor passthru reach the machine: boot device, NMI, send_raw, bmc_reset, soft power off', { timeout: 120_000 }, async (t) => {
  const env = await ipmiTestLab(t, { machines: 1 });
  const m = env.lab.machines[0]!;
  const events: string[] = [];
  env.lab.hooks.onEvent((e) => { events.push(e.type); });
  const power = new IpmiPower(env.tool);
  const mgmt = new IpmiManagement(env.tool);
  const vendor = new IpmiVendor(env.tool);
  const n = env.node(0);

  await mgmt.setBootDevice(n.ctx(), 'pxe', true);
  assert.deepEqual([m.boot.target, m.boot.enabled, m.boot.mode], ['Pxe', 'Continuous', 'UEFI']);
  assert.deepEqual(await mgmt.getBootDevice(n.ctx()), { boot_device: 'pxe', persistent: true });
  n.set({ properties: { capabilities: 'boot_mode:bios' } });
  await mgmt.setBootDevice(n.ctx(), 'cdrom', false);
  assert.deepEqual([m.boot.target, m.boot.enabled], ['Cd', 'Once']);
  assert.deepEqual(await mgmt.getBootDevice(n.ctx()), { boot_device: 'cdrom', persistent: false });
  await assert.rejects(mgmt.setBootDevice(n.ctx(), 'floppy', false), /Invalid boot device floppy specified\./);

  await power.setPowerState(n.ctx(), 'power on');
  assert.equal(m.lastBoot?.device, 'Cd', 'the one-time device was used by the boot');
  await mgmt.injectNmi(n.ctx());
  assert.ok(events.includes('nmi'));

  await assert.rejects(vendor.validateCall(n.ctx(), 'send_raw', 'POST', {}), (e: unknown) => e instanceof InvalidError && e.message === 'Parameter raw_bytes (string of bytes) was not specified.');
  await assert.rejects(vendor.validateCall(n.ctx(), 'send_raw', 'GET', { raw_bytes: '0x00 0x01' }), /The method send_raw does not support HTTP GET/);
  await vendor.call(n.ctx(), 'send_raw', 'POST', { raw_bytes: '0x00 0x08 0x05 0xe0 0x08 0x00 0x00 0x00' });
  assert.deepEqual([m.boot.target, m.boot.enabled], ['Hdd', 'Continuous']);
  await vendor.call(n.ctx(), 'bmc_reset', 'POST', { warm: 'false' });
  await vendor.call(n.ctx(), 'bmc_reset', 'POST', {});
  assert.equal(env.ipmi.control.bmcResets[0], 2);

  await power.setPowerState(n.ctx(), 'soft power off');
  assert.equal(m.power, 'Off');
  assert.equal(await power.getPowerState(n.ctx()), 'power off');
});

test('ipmi_force_boot_device: the device is remembered and set again before each power-on; ipmi_disable_boot_timeout', { timeout: 120_000 }, async (t) => {
  const rec = recorder(t);
  const env = await ipmiTestLab(t, { machines: 1 });
  const tool = new Ipmitool({ ...env.tool.options, ipmitoolPath: rec.path, tempDir: rec.tempDir });
  const power = new IpmiPower(tool);
  const mgmt = new IpmiManagement(tool);
  const m = env.lab.machines[0]!;
  const n = env.node(0, { driver_info: { ...env.driverInfo(0), ipmi_force_boot_device: 'True', ipmi_disable_boot_timeout: 'False' } });

  await mgmt.setBootDevice(n.ctx(), 'pxe', true);
  assert.equal(n.node.driver_internal_info.persistent_boot_device, 'pxe');
  assert.deepEqual([m.boot.target, m.boot.enabled], ['Pxe', 'Once'], 'the BMC is only asked for one boot');
  assert.deepEqual(await mgmt.getBootDevice(n.ctx()), { boot_device: 'pxe', persistent: true });
  await power.setPowerState(n.ctx(), 'power on');
  assert.equal(m.lastBoot?.device, 'Pxe');
  await power.reboot(n.ctx(), false);
  assert.equal(m.lastBoot?.device, 'Pxe', 'set again before the next power-on');
  const commands = rec.calls().map((c) => c.args.slice(c.args.indexOf(c.pwFile) + 1).join(' '));
  assert.ok(!commands.includes('raw 0x00 0x08 0x03 0x08'), 'ipmi_disable_boot_timeout=False: no boot-timeout command');
  assert.ok(commands.filter((c) => c === 'raw 0x00 0x08 0x05 0xa0 0x04 0x00 0x00 0x00').length >= 3, commands.join('\n'));

  const plain = env.node(0);
  await mgmt.setBootDevice(plain.ctx(), 'disk', false);
  const after = rec.calls().map((c) => c.args.slice(c.args.indexOf(c.pwFile) + 1).join(' '));
  assert.deepEqual(after.slice(-2), ['raw 0x00 0x08 0x03 0x08', 'raw 0x00 0x08 0x05 0xa0 0x08 0x00 0x00 0x00'], 'by default the boot timeout is disabled first');
});
