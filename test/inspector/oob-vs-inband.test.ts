/**
 * Out-of-band and in-band inspection of the same lab machine agree. The machine (Redfish
 * lab) is inspected by the `redfish` inspect interface, then in-band through the
 * `inspector` interface (virtual-media ramdisk boot on the lab) with the report an agent on
 * that machine would send. NOTE: until the agent's lab mode produces that report, the test
 * builds the IPA inventory from the lab machine's model (its CPUs, memory, NICs, disks).
 *
 * Where the BMC knows less than the agent, the answers differ on purpose and the test says
 * so: in-band knows which NIC booted (pxe_enabled true on that one only; out-of-band every
 * port keeps the default true) and adds CPU-flag capabilities (cpu_vt, cpu_aes, …) that a
 * Redfish BMC does not report.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startRedfishLab, type RedfishLab } from '../../src/lab/redfish/index.ts';
import { startEnv, insp, ironic, until, type Env } from './support.ts';
import { parseCapabilities } from '../../src/inspector/hooks.ts';

let lab: RedfishLab;
let env: Env;
before(async () => {
  lab = await startRedfishLab({ machines: 1, port: 0, host: '127.0.0.1', taskDelayMs: 10 });
  env = await startEnv({ INGOT_ADD_PORTS: 'all', INGOT_CAPABILITIES_BOOT_MODE: 'true' });
});
after(async () => { await env.close(); await lab.close(); });

/** The IPA inventory an agent on lab machine 0 would report (built from the lab model; see the NOTE above). */
function inventoryOf(m: RedfishLab['machines'][number]): Record<string, any> {
  const storage = m.storage.flatMap((s) => (s.volumes.length ? s.volumes.map((v) => ({ name: v.name, size: v.capacityBytes })) : s.drives.map((d) => ({ name: d.id, size: d.capacityBytes }))));
  const nics = m.nics;
  return {
    inventory: {
      cpu: { count: m.hardware.threadCount, architecture: 'x86_64', model_name: m.hardware.cpuModel, flags: ['fpu', 'vmx', 'aes'] },
      memory: { physical_mb: m.hardware.memoryGiB * 1024, total: m.hardware.memoryGiB * 1024 ** 3 },
      disks: storage.map((d, i) => ({ name: `/dev/sd${String.fromCharCode(97 + i)}`, size: d.size, rotational: false, model: d.name })),
      interfaces: nics.map((n, i) => ({ name: `eth${i}`, mac_address: n.mac.toLowerCase(), ipv4_address: `10.5.0.${10 + i}`, has_carrier: true, lldp: [] })),
      system_vendor: { manufacturer: 'lab', product_name: m.name, serial_number: m.uuid },
      boot: { current_boot_mode: m.boot.mode === 'UEFI' ? 'uefi' : 'bios' },
      bmc_address: '127.0.0.1',
    },
    boot_interface: nics[0]!.mac.toLowerCase(),
  };
}

test('a lab machine inspected out-of-band (redfish) and in-band (inspector) yields the same properties and ports', async () => {
  const m = lab.machines[0]!;
  const c = await ironic(env.svc, 'POST', '/v1/nodes', {
    driver: 'redfish', name: 'both-ways', inspect_interface: 'redfish', boot_interface: 'redfish-virtual-media',
    driver_info: { redfish_address: lab.url, redfish_system_id: `/redfish/v1/Systems/${m.id}`, redfish_username: 'admin', redfish_password: 'password', redfish_verify_ca: false, deploy_iso: 'http://127.0.0.1:1/ipa.iso' },
  });
  assert.equal(c.status, 201, JSON.stringify(c.body));
  const uuid = c.body.uuid as string;
  const state = async (): Promise<any> => (await ironic(env.svc, 'GET', `/v1/nodes/${uuid}`)).body;
  await ironic(env.svc, 'PUT', `/v1/nodes/${uuid}/states/provision`, { target: 'manage' });
  await until(async () => (await state()).provision_state === 'manageable', 'manageable', 60_000);
  await ironic(env.svc, 'PUT', `/v1/nodes/${uuid}/states/provision`, { target: 'inspect' });
  await until(async () => ['manageable', 'inspect failed'].includes((await state()).provision_state), 'redfish inspection', 60_000);
  const oob = await state();
  assert.equal(oob.provision_state, 'manageable', oob.last_error);
  const oobPorts = (await ironic(env.svc, 'GET', `/v1/ports?node=${uuid}&detail=True`)).body.ports as any[];

  // In-band: the same node, the inspector interface, clean properties.
  const p = await ironic(env.svc, 'PATCH', `/v1/nodes/${uuid}`, [
    { op: 'replace', path: '/inspect_interface', value: 'inspector' }, { op: 'replace', path: '/properties', value: {} },
  ]);
  assert.equal(p.status, 200, JSON.stringify(p.body));
  assert.equal((await insp(env.svc, 'POST', `/v1/introspection/${uuid}`)).status, 202);
  await until(async () => ['inspect wait', 'inspect failed'].includes((await state()).provision_state), 'inspect wait', 60_000);
  assert.equal((await state()).provision_state, 'inspect wait', (await state()).last_error);
  const r = await insp(env.svc, 'POST', '/v1/continue', inventoryOf(m));
  assert.equal(r.status, 200, JSON.stringify(r.body));
  const inb = await state();
  assert.equal(inb.provision_state, 'manageable', inb.last_error);
  assert.equal(inb.power_state, 'power off');

  for (const k of ['cpus', 'memory_mb', 'local_gb', 'cpu_arch']) assert.equal(String(inb.properties[k]), String(oob.properties[k]), `${k}: in-band ${inb.properties[k]} vs redfish ${oob.properties[k]}`);
  const capsOob = parseCapabilities(oob.properties.capabilities);
  const capsIn = parseCapabilities(inb.properties.capabilities);
  assert.equal(capsIn.boot_mode, capsOob.boot_mode);
  // What only the agent knows: CPU flags.
  assert.equal(capsIn.cpu_vt, 'true');
  assert.equal(capsOob.cpu_vt, undefined);

  const inPorts = (await ironic(env.svc, 'GET', `/v1/ports?node=${uuid}&detail=True`)).body.ports as any[];
  assert.deepEqual(inPorts.map((x) => x.address).sort(), oobPorts.map((x) => x.address).sort());
  // What only the agent knows: which NIC booted.
  const boot = m.nics[0]!.mac.toLowerCase();
  for (const x of inPorts) assert.equal(x.pxe_enabled, x.address === boot, x.address);
  for (const x of oobPorts) assert.equal(x.pxe_enabled, true);
});
