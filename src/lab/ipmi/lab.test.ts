/**
 * The lab's IPMI BMCs with the real ipmitool: they drive the same machines the Redfish BMC
 * serves (power, boot flags both ways, NMI, BMC reset), refuse a wrong password, and a
 * paused BMC stops answering while the other machine's BMC answers.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { requireIpmiTools } from '../../testing/ipmi-harness.ts';
import { startRedfishLab } from '../redfish/index.ts';
import { startIpmiLab } from './index.ts';

const run = promisify(execFile);

test('IPMI BMCs drive the lab machines that the Redfish BMC serves', { timeout: 120_000 }, async (t) => {
  requireIpmiTools();
  const lab = await startRedfishLab({ machines: 2, port: 0 });
  t.after(() => lab.close());
  const ipmi = await startIpmiLab({ machines: lab.machines, basePort: 0 });
  t.after(() => ipmi.close());
  const events: string[] = [];
  lab.hooks.onEvent((e) => { events.push(`${e.machineId}:${e.type}`); });
  const tool = async (i: number, ...cmd: string[]): Promise<string> => {
    const b = ipmi.bmcs[i]!;
    const { stdout } = await run('ipmitool', ['-I', 'lanplus', '-H', b.host, '-p', String(b.port), '-U', 'admin', '-P', 'password', '-R', '1', '-N', '1', ...cmd]);
    return stdout;
  };
  const [m0, m1] = lab.machines as [typeof lab.machines[0], typeof lab.machines[0]];

  assert.equal(await tool(0, 'power', 'status'), 'Chassis Power is off\n');
  await tool(0, 'power', 'on');
  assert.equal(m0.power, 'On');
  assert.equal(m1.power, 'Off', 'the other machine is untouched');
  const sys = await fetch(`${lab.url}/redfish/v1/Systems/${m0.id}`, { headers: { Authorization: `Basic ${Buffer.from('admin:password').toString('base64')}` } });
  assert.equal(((await sys.json()) as { PowerState: string }).PowerState, 'On', 'Redfish shows the machine on');

  await tool(0, 'chassis', 'bootdev', 'pxe', 'options=persistent');
  assert.deepEqual([m0.boot.target, m0.boot.enabled], ['Pxe', 'Continuous']);
  let flags = await tool(0, 'chassis', 'bootparam', 'get', '5');
  assert.match(flags, /Boot Device Selector : Force PXE/);
  assert.match(flags, /Options apply to all future boots/);

  // Ironic's UEFI one-time raw command: safe mode reads back as set (Redfish cannot name it).
  await tool(0, 'raw', '0x00', '0x08', '0x05', '0xa0', '0x0c', '0x00', '0x00', '0x00');
  assert.deepEqual([m0.boot.target, m0.boot.enabled, m0.boot.mode], ['Hdd', 'Once', 'UEFI']);
  flags = await tool(0, 'chassis', 'bootparam', 'get', '5');
  assert.match(flags, /Safe-Mode/);
  assert.match(flags, /BIOS EFI boot/);
  assert.match(flags, /Options apply to only next boot/);

  // A change made through Redfish is what IPMI reads next.
  m0.setBootOverride({ BootSourceOverrideTarget: 'Cd', BootSourceOverrideEnabled: 'Continuous' });
  assert.match(await tool(0, 'chassis', 'bootparam', 'get', '5'), /Force Boot from CD\/DVD/);

  await tool(0, 'power', 'diag');
  assert.ok(events.includes(`${m0.id}:nmi`), 'NMI reached the machine');
  await tool(0, 'bmc', 'reset', 'warm');
  assert.equal(ipmi.control.bmcResets[0], 1);
  await tool(0, 'power', 'soft');
  assert.equal(m0.power, 'Off');

  await assert.rejects(run('ipmitool', ['-I', 'lanplus', '-H', '127.0.0.1', '-p', String(ipmi.bmcs[1]!.port), '-U', 'admin', '-P', 'wrong', '-R', '1', '-N', '1', 'power', 'on']),
    /Unable to establish IPMI v2/);
  assert.equal(m1.power, 'Off', 'a wrong password changes nothing');

  ipmi.pause(1);
  try {
    await assert.rejects(tool(1, 'power', 'status'), /Unable to establish IPMI v2/);
    assert.equal(await tool(0, 'power', 'status'), 'Chassis Power is off\n', 'the other BMC still answers');
  } finally {
    ipmi.resume(1);
  }
  // Once resumed it first answers the requests queued while it was stopped: a client may
  // see a stale answer ("Unexpected Open Session Response"), then it answers again.
  let status = '';
  for (let i = 0; i < 5 && status === ''; i++) status = await tool(1, 'power', 'status').catch(() => '');
  assert.equal(status, 'Chassis Power is off\n');
});
