/**
 * In-band inspection through the built-in inspector's API: start, the agent's report to
 * /v1/continue (ironic-inspector's sample report), what the default processing hooks set,
 * ports, stored data and Ironic's /inventory, rules from the shared samples, bad reports,
 * and a machine that never reports.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SHARED_DIR } from '../../src/testing/shared-data.ts';
import { startEnv, insp, ironic, sampleReport, manageableNode, until, type Env } from './support.ts';

let env: Env;
before(async () => { env = await startEnv({ INGOT_INSPECTOR_MAX_BODY: String(256 * 1024) }, { inspectWaitTimeout: 1 }); });
after(async () => { await env.close(); });

const ruleSample = (f: string): Record<string, unknown> =>
  JSON.parse(readFileSync(join(SHARED_DIR, 'data', 'introspection-rules', 'ironic-inspector', f), 'utf8')) as Record<string, unknown>;

test('versions: root, headers, 406 outside 1.0-1.18, error format', async () => {
  const r = await insp(env.svc, 'GET', '/');
  assert.equal(r.status, 200);
  assert.equal(r.body.versions[0].id, '1.18');
  assert.equal(r.headers.get('x-openstack-ironic-inspector-api-minimum-version'), '1.0');
  assert.equal(r.headers.get('x-openstack-ironic-inspector-api-maximum-version'), '1.18');
  const bad = await insp(env.svc, 'GET', '/v1/rules', undefined, { 'X-OpenStack-Ironic-Inspector-API-Version': '1.19' });
  assert.equal(bad.status, 406);
  assert.match(bad.body.error.message, /Unsupported API version 1\.19, supported range is 1\.0 to 1\.18/);
  const nf = await insp(env.svc, 'GET', '/v1/introspection/no-such-node');
  assert.equal(nf.status, 404);
  assert.equal(typeof nf.body.error.message, 'string');
});

test('start → inspect wait; the report sets properties, ports, data, inventory; rules act; powered off; manageable', async () => {
  const rule = await insp(env.svc, 'POST', '/v1/rules', ruleSample('api-v1-create-rule-request.json'));
  assert.equal(rule.status, 201, JSON.stringify(rule.body));
  assert.deepEqual(rule.body.conditions[0], { op: 'is-empty', field: 'node://driver_info.deploy_ramdisk', multiple: 'any', invert: false });
  const trait = await insp(env.svc, 'POST', '/v1/rules', {
    description: 'big memory', conditions: [{ op: 'ge', field: 'memory_mb', value: 2048 }, { op: 'in-net', field: 'interfaces.eth0.ip', value: '172.24.42.0/24' }],
    actions: [{ action: 'add-trait', name: 'CUSTOM_BIG' }, { action: 'set-capability', name: 'bmc', value: '{data[inventory][bmc_address]}' }],
  });
  assert.equal(trait.status, 201, JSON.stringify(trait.body));
  const never = await insp(env.svc, 'POST', '/v1/rules', { conditions: [{ op: 'eq', field: 'cpus', value: 64 }], actions: [{ action: 'fail', message: 'no' }] });
  assert.equal(never.status, 201);

  const report = sampleReport();
  // The sample rule is scoped (Delivery_1): it acts on nodes with that inspection_scope only.
  const uuid = await manageableNode(env.svc, 'insp-0', { properties: { inspection_scope: 'Delivery_1' } });
  await ironic(env.svc, 'POST', '/v1/ports', { node_uuid: uuid, address: report.inventory.interfaces[1].mac_address });
  const st = await insp(env.svc, 'POST', `/v1/introspection/${uuid}`);
  assert.equal(st.status, 202, JSON.stringify(st.body));
  await until(async () => (await ironic(env.svc, 'GET', `/v1/nodes/${uuid}`)).body.provision_state === 'inspect wait', 'inspect wait');
  const waiting = await insp(env.svc, 'GET', `/v1/introspection/insp-0`);
  assert.equal(waiting.body.state, 'waiting');
  assert.equal(waiting.body.finished, false);

  const cont = await insp(env.svc, 'POST', '/v1/continue', report);
  assert.equal(cont.status, 200, JSON.stringify(cont.body));
  assert.deepEqual(cont.body, { uuid });

  const node = (await ironic(env.svc, 'GET', `/v1/nodes/${uuid}`)).body;
  assert.equal(node.provision_state, 'manageable');
  assert.equal(node.power_state, 'power off');
  assert.equal(node.last_error, null);
  assert.equal(node.properties.cpus, '2');
  assert.equal(node.properties.memory_mb, '2048');
  assert.equal(node.properties.cpu_arch, 'x86_64');
  assert.equal(node.properties.local_gb, '12'); // 13958643712 B = 13 GiB, minus 1 as inspector
  assert.match(node.properties.capabilities, /bmc:192\.167\.2\.134/);
  assert.deepEqual(node.traits, ['CUSTOM_BIG']);
  assert.equal(node.driver_info.deploy_kernel, '8fd65-c97b-4d00-aa8b-7ed166a60971');
  assert.equal(node.driver_info.deploy_ramdisk, '09e5420c-6932-4199-996e-9485c56b3394');

  const ports = (await ironic(env.svc, 'GET', `/v1/ports?node=${uuid}&detail=True`)).body.ports as { address: string; pxe_enabled: boolean }[];
  assert.deepEqual(ports.map((p) => [p.address, p.pxe_enabled]).sort(), [['52:54:00:4e:3d:30', true]]);

  const status = (await insp(env.svc, 'GET', `/v1/introspection/${uuid}`)).body;
  assert.equal(status.state, 'finished');
  assert.equal(status.finished, true);
  assert.equal(status.error, null);
  const data = (await insp(env.svc, 'GET', `/v1/introspection/${uuid}/data`)).body;
  assert.equal(data.local_gb, 12);
  assert.equal(data.root_disk.name, '/dev/vda');
  assert.deepEqual(data.macs, ['52:54:00:4e:3d:30']);
  assert.equal(data.inventory.bmc_address, '192.167.2.134');
  const unprocessed = (await insp(env.svc, 'GET', `/v1/introspection/${uuid}/data/unprocessed`)).body;
  assert.equal(unprocessed.macs, undefined);
  const inv = await ironic(env.svc, 'GET', `/v1/nodes/${uuid}/inventory`);
  assert.equal(inv.status, 200);
  assert.equal(inv.body.inventory.cpu.count, 2);
  assert.equal(inv.body.plugin_data.root_disk.name, '/dev/vda');

  const list = (await insp(env.svc, 'GET', '/v1/introspection')).body.introspection as { uuid: string }[];
  assert.ok(list.some((s) => s.uuid === uuid));

  // Reapply over the stored data with one more rule.
  await insp(env.svc, 'POST', '/v1/rules', { conditions: [], actions: [{ action: 'set-attribute', path: '/extra/reapplied', value: 'yes' }] });
  const re = await insp(env.svc, 'POST', `/v1/introspection/${uuid}/data/unprocessed`);
  assert.equal(re.status, 202, JSON.stringify(re.body));
  await until(async () => (await ironic(env.svc, 'GET', `/v1/nodes/${uuid}`)).body.extra.reapplied === 'yes', 'reapply');
  assert.equal((await ironic(env.svc, 'GET', `/v1/nodes/${uuid}`)).body.provision_state, 'manageable');
  assert.equal((await insp(env.svc, 'DELETE', '/v1/rules')).status, 204);

  // Inspected again, now started through Ironic's API (`baremetal node inspect`).
  assert.equal((await ironic(env.svc, 'PUT', `/v1/nodes/${uuid}/states/provision`, { target: 'inspect' })).status, 202);
  await until(async () => (await ironic(env.svc, 'GET', `/v1/nodes/${uuid}`)).body.provision_state === 'inspect wait', 'inspect wait (Ironic API)');
  assert.equal((await insp(env.svc, 'GET', `/v1/introspection/${uuid}`)).body.state, 'waiting');
  const again = await insp(env.svc, 'POST', '/v1/continue', { ...sampleReport(), inventory: { ...sampleReport().inventory, memory: { physical_mb: 4096 } } });
  assert.equal(again.status, 200, JSON.stringify(again.body));
  const n2 = (await ironic(env.svc, 'GET', `/v1/nodes/${uuid}`)).body;
  assert.equal(n2.provision_state, 'manageable');
  assert.equal(n2.properties.memory_mb, '4096');
});

test('malformed and huge reports are refused with a 4xx and change nothing', async () => {
  const uuid = await manageableNode(env.svc, 'insp-bad');
  const report = sampleReport();
  report.inventory.interfaces = [{ name: 'eth0', mac_address: '52:54:00:00:00:77', ipv4_address: '10.1.1.1' }];
  report.boot_interface = '52:54:00:00:00:77';
  await ironic(env.svc, 'POST', '/v1/ports', { node_uuid: uuid, address: '52:54:00:00:00:77' });
  await insp(env.svc, 'POST', `/v1/introspection/${uuid}`);
  await until(async () => (await ironic(env.svc, 'GET', `/v1/nodes/${uuid}`)).body.provision_state === 'inspect wait', 'inspect wait');
  const before = (await ironic(env.svc, 'GET', `/v1/nodes/${uuid}`)).body;

  const cases: unknown[] = [
    '{"inventory": ', '[1, 2]', 'null', { ...report, inventory: 'x' }, { ...report, inventory: { ...report.inventory, interfaces: 'eth0' } },
    { ...report, inventory: { ...report.inventory, disks: [{ name: '/dev/sda', size: 'big' }] } },
  ];
  for (const c of cases) {
    const r = await insp(env.svc, 'POST', '/v1/continue', c);
    assert.equal(r.status, 400, `${JSON.stringify(c).slice(0, 80)} → ${r.status} ${JSON.stringify(r.body)}`);
    assert.equal(typeof r.body.error.message, 'string');
  }
  const huge = { ...report, inventory: { ...report.inventory, disks: Array.from({ length: 5000 }, (_, i) => ({ name: `/dev/sd${i}`, size: 1e12, model: 'x'.repeat(64) })) } };
  const h = await insp(env.svc, 'POST', '/v1/continue', huge);
  assert.equal(h.status, 413);
  assert.match(h.body.error.message, /too large/);

  const after = (await ironic(env.svc, 'GET', `/v1/nodes/${uuid}`)).body;
  assert.equal(after.provision_state, 'inspect wait');
  assert.deepEqual(after.properties, before.properties);
  assert.equal((await insp(env.svc, 'GET', `/v1/introspection/${uuid}`)).body.state, 'waiting');
  assert.equal((await insp(env.svc, 'GET', `/v1/introspection/${uuid}/data/unprocessed`)).status, 404);
  await insp(env.svc, 'POST', `/v1/introspection/${uuid}/abort`);
});

test('a machine that never reports ends in inspect failed with a last_error after inspect_wait_timeout', async () => {
  const uuid = await manageableNode(env.svc, 'insp-silent');
  assert.equal((await insp(env.svc, 'POST', `/v1/introspection/${uuid}`)).status, 202);
  await until(async () => (await ironic(env.svc, 'GET', `/v1/nodes/${uuid}`)).body.provision_state === 'inspect wait', 'inspect wait');
  // The timeout check is a periodic (off in tests): run it until it has acted (a lock held
  // by a concurrent sweep makes one round skip the node).
  await until(async () => {
    await env.svc.conductor.runPeriodicsOnce();
    return (await ironic(env.svc, 'GET', `/v1/nodes/${uuid}`)).body.provision_state !== 'inspect wait';
  }, 'the inspect wait timeout', 60_000);
  const node = (await ironic(env.svc, 'GET', `/v1/nodes/${uuid}`)).body;
  assert.equal(node.provision_state, 'inspect failed');
  assert.match(node.last_error, /timeout/i);
  const st = (await insp(env.svc, 'GET', `/v1/introspection/${uuid}`)).body;
  assert.equal(st.state, 'error');
  assert.equal(st.finished, true);
  assert.match(st.error, /timeout/i);
});

test('a report nobody waits for is a 400 naming its attributes when discovery is off (as inspector)', async () => {
  const report = sampleReport();
  report.inventory.interfaces = [{ name: 'eth0', mac_address: '52:54:00:aa:bb:cc', ipv4_address: '10.9.9.9' }];
  report.boot_interface = '52:54:00:aa:bb:cc';
  report.inventory.bmc_address = '10.200.0.1';
  const r = await insp(env.svc, 'POST', '/v1/continue', report);
  assert.equal(r.status, 400);
  assert.equal(r.body.error.message, "The following failures happened during running pre-processing hooks:\nLook up error: Could not find a node for attributes {'bmc_address': ['10.200.0.1'], 'mac': ['52:54:00:aa:bb:cc']}");
});
