/**
 * In-band inspection end to end, then the same lab machine inspected out of band.
 *
 * 1. `ingot serve` (in process) + the Redfish lab with its hosts: a `redfish` node with
 *    `inspect_interface=inspector` and `redfish-virtual-media` boot goes `inspect`; the
 *    boot interface builds the agent ISO with `ipa-inspection-callback-url` (and the
 *    `[inspector] extra_kernel_params`) on its kernel command line; the lab machine boots
 *    it and runs the real `ingot agent` (this checkout's bin/ingot.mjs), which posts its
 *    inventory to the built-in inspector's /v1/continue; the node ends `manageable` with
 *    properties and ports, and the machine is powered off (the agent process ends).
 * 2. The same node, ports deleted and properties cleared, inspected by `redfish`: the
 *    properties and the port addresses agree. Where the BMC knows less, the answers
 *    differ on purpose and the test lists it: in-band knows which NIC booted (pxe_enabled
 *    on that port only; out of band every port keeps pxe_enabled true) and the CPU flags
 *    (capabilities cpu_vt, cpu_aes, …, not in a Redfish ComputerSystem).
 *
 * The lab's disk file is sized as the BMC's smallest disk of at least 4 GiB (sparse), so
 * that both ways see the same root disk.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startRedfishLab, type RedfishLab } from '../../src/lab/redfish/index.ts';
import { startEnv, insp, ironic, until, type Env } from './support.ts';
import { parseCapabilities } from '../../src/inspector/hooks.ts';

const GiB = 1024 ** 3;
let lab: RedfishLab;
let env: Env;
let dir: string;

/** The BMC's root disk as Ironic's redfish inspection picks it: the smallest volume (else drive) of at least 4 GiB. */
function bmcRootDisk(m: RedfishLab['machines'][number]): number {
  const vols = m.storage.flatMap((s) => s.volumes.map((v) => v.capacityBytes)).filter((n) => n >= 4 * GiB);
  const drives = m.storage.flatMap((s) => s.drives.map((d) => d.capacityBytes)).filter((n) => n >= 4 * GiB);
  const pick = (vols.length ? vols : drives).sort((a, b) => a - b)[0];
  return pick ?? 8 * GiB;
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ingot-inband-'));
  writeFileSync(join(dir, 'kernel'), 'stand-in kernel (not executed: the lab starts ingot agent)');
  writeFileSync(join(dir, 'ramdisk'), 'stand-in ramdisk');
  lab = await startRedfishLab({
    machines: 1, port: 0, host: '127.0.0.1', taskDelayMs: 10,
    agents: { dataDir: join(dir, 'lab'), diskSizeBytes: (m) => bmcRootDisk(m), stopTimeoutMs: 2000, agentEnv: { INGOT_AGENT_INSPECTION_RETRY_WAIT: '0.2' } },
  });
  env = await startEnv({
    INGOT_CAPABILITIES_BOOT_MODE: 'true', INGOT_ADD_PORTS: 'all',
    INGOT_INSPECTOR_EXTRA_KERNEL_PARAMS: 'ipa-inspection-collectors=default,logs ipa-collect-lldp=1',
  }, { dataDir: dir, db: join(dir, 'ingot.db') });
});
after(async () => { await env?.close(); await lab?.close(); rmSync(dir, { recursive: true, force: true }); });

test('in-band inspection through the lab: the machine boots the ISO, ingot agent posts, the node is manageable with properties and ports; redfish agrees', { timeout: 240_000 }, async () => {
  const m = lab.machines[0]!;
  const c = await ironic(env.svc, 'POST', '/v1/nodes', {
    driver: 'redfish', name: 'both-ways', inspect_interface: 'inspector', boot_interface: 'redfish-virtual-media',
    driver_info: {
      redfish_address: lab.url, redfish_system_id: `/redfish/v1/Systems/${m.id}`, redfish_username: 'admin', redfish_password: 'password',
      redfish_verify_ca: false, deploy_kernel: join(dir, 'kernel'), deploy_ramdisk: join(dir, 'ramdisk'),
    },
  });
  assert.equal(c.status, 201, JSON.stringify(c.body));
  const uuid = c.body.uuid as string;
  const node = async (): Promise<any> => (await ironic(env.svc, 'GET', `/v1/nodes/${uuid}`)).body;
  const ports = async (): Promise<any[]> => (await ironic(env.svc, 'GET', `/v1/ports?node=${uuid}&detail=True`)).body.ports as any[];
  await ironic(env.svc, 'PUT', `/v1/nodes/${uuid}/states/provision`, { target: 'manage' });
  await until(async () => (await node()).provision_state === 'manageable', 'manageable', 60_000);

  // 1. In band.
  const r = await ironic(env.svc, 'PUT', `/v1/nodes/${uuid}/states/provision`, { target: 'inspect' });
  assert.equal(r.status, 202, JSON.stringify(r.body));
  let sawAgent = false;
  await until(async () => {
    sawAgent ||= lab.hosts!.status(m.id).state === 'agent';
    return ['manageable', 'inspect failed'].includes((await node()).provision_state);
  }, 'in-band inspection', 180_000);
  const host = lab.hosts!.status(m.id);
  const inb = await node();
  assert.equal(inb.provision_state, 'manageable', `${inb.last_error}; lab host: ${host.state} ${host.reason ?? ''} | ${host.log.join(' | ')}`);
  assert.equal(inb.last_error, null);
  assert.ok(sawAgent || host.agent, 'the lab machine ran the agent');
  // The ISO's command line: the callback first, the extra parameters, no ipa-api-url (Ironic's inspector interface).
  const cmdline = host.bootEntry?.cmdline ?? '';
  assert.match(cmdline, new RegExp(` ipa-inspection-callback-url=${env.svc.inspector.url.replace(/[.]/g, '\\.')}/v1/continue `));
  assert.match(cmdline, / ipa-inspection-collectors=default,logs ipa-collect-lldp=1 /);
  assert.match(cmdline, / ipa-agent-token=\S+ /);
  assert.doesNotMatch(cmdline, /ipa-api-url=/);
  // Powered off by the inspector; the lab stopped the agent.
  assert.equal(inb.power_state, 'power off');
  await until(async () => lab.hosts!.status(m.id).state === 'off', 'the lab machine off', 30_000);
  assert.ok(lab.hosts!.status(m.id).agent?.exit, 'the agent process ended');

  // What the agent reported is what the inspector stored.
  const data = await insp(env.svc, 'GET', `/v1/introspection/${uuid}/data`);
  assert.equal(data.status, 200);
  assert.equal(data.body.inventory.bmc_address, new URL(lab.url).hostname);
  assert.deepEqual(data.body.inventory.interfaces.map((i: any) => i.mac_address).sort(), m.nics.map((n) => n.mac.toLowerCase()).sort());
  assert.equal(data.body.configuration.collectors.join(','), 'default,logs');
  assert.equal(typeof data.body.logs, 'string', 'the logs collector ran');
  const status = await insp(env.svc, 'GET', `/v1/introspection/${uuid}`);
  assert.equal(status.body.finished, true);
  assert.equal(status.body.error, null);

  const inPorts = await ports();
  assert.equal(inPorts.length, m.nics.length);
  const boot = m.nics[0]!.mac.toLowerCase();
  for (const p of inPorts) assert.equal(p.pxe_enabled, p.address === boot, p.address);
  assert.equal(String(inb.properties.local_gb), String(Math.floor(bmcRootDisk(m) / GiB) - 1));

  // 2. Out of band, from a clean slate.
  for (const p of inPorts) assert.equal((await ironic(env.svc, 'DELETE', `/v1/ports/${p.uuid}`)).status, 204);
  const p = await ironic(env.svc, 'PATCH', `/v1/nodes/${uuid}`, [
    { op: 'replace', path: '/inspect_interface', value: 'redfish' }, { op: 'replace', path: '/properties', value: {} },
  ]);
  assert.equal(p.status, 200, JSON.stringify(p.body));
  await ironic(env.svc, 'PUT', `/v1/nodes/${uuid}/states/provision`, { target: 'inspect' });
  await until(async () => ['manageable', 'inspect failed'].includes((await node()).provision_state), 'redfish inspection', 60_000);
  const oob = await node();
  assert.equal(oob.provision_state, 'manageable', oob.last_error);
  const oobPorts = await ports();

  for (const k of ['cpus', 'memory_mb', 'local_gb', 'cpu_arch']) {
    assert.equal(String(inb.properties[k]), String(oob.properties[k]), `${k}: in-band ${inb.properties[k]} vs redfish ${oob.properties[k]}`);
  }
  const capsIn = parseCapabilities(inb.properties.capabilities);
  const capsOob = parseCapabilities(oob.properties.capabilities);
  assert.equal(capsIn.boot_mode, capsOob.boot_mode);
  assert.ok(capsIn.boot_mode === 'uefi' || capsIn.boot_mode === 'bios');
  assert.deepEqual(inPorts.map((x) => x.address).sort(), oobPorts.map((x) => x.address).sort());

  // The differences, on purpose: what only the agent knows.
  assert.equal(capsIn.cpu_vt, 'true', 'CPU flags (vmx) become cpu_vt in band');
  assert.equal(capsOob.cpu_vt, undefined, 'a Redfish BMC reports no CPU flags');
  for (const x of oobPorts) assert.equal(x.pxe_enabled, true, 'out of band does not know which NIC boots');
  assert.equal(inPorts.filter((x) => x.pxe_enabled).length, 1, 'in band: only the booted NIC');
});
