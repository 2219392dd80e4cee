/**
 * ipmitool-socat / ipmitool-shellinabox consoles: Ironic's validation messages, the
 * programs they need, and a clear refusal to start when the BMC has no Serial-over-LAN
 * (the lab's pyghmi BMCs have none), leaving no process or password file behind.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
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

test('socat console on a BMC without Serial-over-LAN: start says so and leaves nothing behind', { timeout: 120_000 }, async (t) => {
  if (!findProgram('socat')) throw new Error('socat is not installed (scripts/lib/deps.sh installs it)');
  const env = await ipmiTestLab(t, { machines: 1 });
  const consoles = new IpmiConsoles(new Ipmitool(env.tool.options), { portRange: '20000:20100' });
  t.after(() => consoles.close());
  const socat = new IpmiSocatConsole(consoles);
  const n = env.node(0);
  const before = readdirSync(env.tool.options.tempDir).filter((f) => f.startsWith(n.node.uuid));
  await assert.rejects(socat.startConsole(n.ctx()), (e: unknown) => {
    assert.ok(e instanceof DriverError);
    assert.match(e.message, new RegExp(`^Cannot start the serial console of node ${n.node.uuid}: the BMC does not offer Serial-over-LAN \\(IPMI call failed: sol info\\.`));
    return true;
  });
  assert.equal(consoles.running.size, 0, 'no console process left');
  assert.equal(consoles.allocated.size, 0, 'the allocated port is released');
  assert.deepEqual(readdirSync(env.tool.options.tempDir).filter((f) => f.startsWith(n.node.uuid)), before, 'no password file left');
  assert.ok(!existsSync(`${env.tool.options.tempDir}/${n.node.uuid}.pw`));
});
