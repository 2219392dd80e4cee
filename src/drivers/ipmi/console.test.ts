/**
 * ipmitool-socat / ipmitool-shellinabox consoles: Ironic's validation messages, the
 * programs they need; a socat console to a lab machine's SOL (its serial console echoes);
 * a clear refusal to start when the BMC has no Serial-over-LAN. Nothing is left behind.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DriverError, InvalidError } from '../../core/errors.ts';
import { ipmiTestLab } from '../../testing/ipmi-harness.ts';
import { findProgram, IpmiConsoles, IpmiShellinaboxConsole, IpmiSocatConsole } from './console.ts';
import { Ipmitool } from './ipmitool.ts';

test('console validate: a terminal port or a port range, IPMI 2.0, and the program installed', { timeout: 60_000 }, async (t) => {
  const env = await ipmiTestLab(t, { machines: 1 });
  const consoles = new IpmiConsoles(env.tool);
  const socat = new IpmiSocatConsole(consoles);
  assert.equal(socat.properties().ipmi_terminal_port, "node's UDP port to connect to. Only required for console access.");
  await assert.rejects(socat.validate(env.node(0).ctx()), (e: unknown) => e instanceof InvalidError
    && e.message === "Either missing 'ipmi_terminal_port' parameter in node's driver_info or [console]port_range is not configured");
  const v15 = env.node(0, { driver_info: { ...env.driverInfo(0), ipmi_terminal_port: 8023, ipmi_protocol_version: '1.5' } });
  await assert.rejects(socat.validate(v15.ctx()), (e: unknown) => e instanceof InvalidError
    && e.message === "Serial over lan only works with IPMI protocol version 2.0. Check the 'ipmi_protocol_version' parameter in node's driver_info");
  const withPort = env.node(0, { driver_info: { ...env.driverInfo(0), ipmi_terminal_port: 8023 } });
  if (findProgram('socat')) await socat.validate(withPort.ctx());
  else await assert.rejects(socat.validate(withPort.ctx()), /Debian package socat/);
  const sib = new IpmiShellinaboxConsole(new IpmiConsoles(env.tool, { terminal: 'shellinaboxd-not-installed' }));
  await assert.rejects(sib.validate(withPort.ctx()), (e: unknown) => e instanceof InvalidError
    && /needs 'shellinaboxd-not-installed', which is not installed on this conductor \(install the Debian package shellinabox\)/.test(e.message));
});

test('socat console: start, a TCP client talks to the machine serial console over SOL, stop leaves nothing behind', { timeout: 120_000 }, async (t) => {
  if (!findProgram('socat')) throw new Error('socat is not installed (scripts/lib/deps.sh installs it)');
  const env = await ipmiTestLab(t, { machines: 1, initialPower: 'On' });
  const consoles = new IpmiConsoles(new Ipmitool(env.tool.options), { portRange: '20000:20100' });
  t.after(() => consoles.close());
  const socat = new IpmiSocatConsole(consoles);
  const n = env.node(0);
  await socat.startConsole(n.ctx());
  const port = n.node.driver_internal_info.allocated_ipmi_terminal_port as number;
  assert.ok(port >= 20000 && port < 20100, `allocated port ${port}`);
  assert.deepEqual(await socat.getConsole(n.ctx()), { type: 'socat', url: `tcp://127.0.0.1:${port}` });
  const pwFile = join(env.tool.options.tempDir, `${n.node.uuid}.pw`);
  assert.equal(statSync(pwFile).mode & 0o777, 0o600);

  const sock = connect(port, '127.0.0.1');
  t.after(() => sock.destroy());
  let seen = '';
  sock.setEncoding('utf8').on('data', (d: string) => { seen += d; });
  const waitFor = async (re: RegExp): Promise<void> => {
    for (let i = 0; i < 150 && !re.test(seen); i++) await new Promise((r) => setTimeout(r, 100));
    assert.match(seen, re);
  };
  await waitFor(new RegExp(`Ingot lab machine ${env.lab.machines[0]!.id} serial console`));
  sock.write('ping-from-test\r');
  await waitFor(/ping-from-test/);
  sock.destroy();

  await socat.stopConsole(n.ctx());
  assert.equal(consoles.running.size, 0);
  assert.equal(consoles.allocated.size, 0, 'the port is released');
  assert.ok(!existsSync(pwFile), 'the password file is removed');
});

test('a BMC without Serial-over-LAN: start says so and leaves nothing behind', { timeout: 120_000 }, async (t) => {
  if (!findProgram('socat')) throw new Error('socat is not installed (scripts/lib/deps.sh installs it)');
  const env = await ipmiTestLab(t, { machines: 1 });
  // sol info answered "Invalid command" through the recording wrapper stands for a BMC without SOL.
  const dir = mkdtempSync(join(tmpdir(), 'ingot-nosol-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const fake = join(dir, 'ipmitool');
  writeFileSync(fake, `#!/bin/sh\ncase " $* " in *" sol info "*) echo "Error requesting SOL parameter 'Set In Progress (0)': Invalid command" >&2; exit 1;; esac\nexec ipmitool "$@"\n`);
  chmodSync(fake, 0o755);
  const consoles = new IpmiConsoles(new Ipmitool({ ...env.tool.options, ipmitoolPath: fake }), { portRange: '20100:20200' });
  t.after(() => consoles.close());
  const n = env.node(0);
  await assert.rejects(new IpmiSocatConsole(consoles).startConsole(n.ctx()), (e: unknown) => {
    assert.ok(e instanceof DriverError);
    assert.match(e.message, new RegExp(`^Cannot start the serial console of node ${n.node.uuid}: the BMC does not offer Serial-over-LAN \\(IPMI call failed: sol info\\.`));
    assert.match(e.message, /Invalid command/);
    return true;
  });
  assert.equal(consoles.running.size, 0, 'no console process left');
  assert.equal(consoles.allocated.size, 0, 'the allocated port is released');
  assert.ok(!existsSync(join(env.tool.options.tempDir, `${n.node.uuid}.pw`)));
});
