/**
 * Discovery: with `[processing] node_not_found_hook = enroll`, an unknown machine's report
 * enrolls it (driver from `[discovery] enroll_node_driver`, BMC address into driver_info,
 * ports, properties, then the rules), exactly once with 3 reporters racing. The PXE filter
 * follows, written by the netboot module's dnsmasq DHCP provider into its hostsdir (the
 * service wired with INGOT_DHCP_PROVIDER=dnsmasq): while discovery is on unknown hosts may
 * boot, known ports of nodes not being inspected are denied, nodes being inspected are
 * allowed, and a MAC the provider serves (a node pxe-booting) is left to its host file.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEnv, insp, ironic, sampleReport, manageableNode, until, type Env } from './support.ts';
import { computeFilter } from '../../src/inspector/pxe-filter.ts';
import { DnsmasqDhcp, dnsmasqPathsIn } from '../../src/drivers/dhcp/dnsmasq.ts';

let env: Env;
let hostsdir: string;
let tmp: string;
before(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'ingot-pxefilter-'));
  hostsdir = join(tmp, 'hostsdir.d');
  env = await startEnv({ INGOT_NODE_NOT_FOUND_HOOK: 'enroll', INGOT_ENROLL_NODE_DRIVER: 'fake-hardware', INGOT_DHCP_PROVIDER: 'dnsmasq', INGOT_DHCP_HOSTSDIR: hostsdir });
});
after(async () => { await env.close(); rmSync(tmp, { recursive: true, force: true }); });
const rule = (mac: string): string | null => { try { return readFileSync(join(hostsdir, `filter-${mac}.conf`), 'utf8'); } catch { return null; } };

function unknownMachine(): Record<string, any> {
  const r = sampleReport();
  r.inventory.bmc_address = '10.77.0.9';
  r.inventory.interfaces = [
    { name: 'eth0', mac_address: '52:54:00:12:34:01', ipv4_address: '10.1.0.21', has_carrier: true },
    { name: 'eth1', mac_address: '52:54:00:12:34:02', ipv4_address: null, has_carrier: false },
  ];
  r.boot_interface = '01-52-54-00-12-34-01';
  return r;
}

test('an unknown machine is enrolled exactly once with 3 concurrent reporters', async () => {
  const rule = await insp(env.svc, 'POST', '/v1/rules', {
    description: 'discovered', conditions: [{ op: 'eq', field: 'data://auto_discovered', value: true }],
    actions: [{ action: 'set-attribute', path: '/name', value: 'found-{data[inventory][bmc_address]}' }, { action: 'add-trait', name: 'CUSTOM_DISCOVERED' }],
  });
  assert.equal(rule.status, 201, JSON.stringify(rule.body));
  const answers = await Promise.all([0, 1, 2].map(() => insp(env.svc, 'POST', '/v1/continue', unknownMachine())));
  const ok = answers.filter((a) => a.status === 200);
  assert.equal(ok.length, 1, JSON.stringify(answers.map((a) => [a.status, a.body])));
  // A loser either lost the claim (409) or came after the winner's ports existed (400).
  for (const a of answers.filter((x) => x.status !== 200)) {
    assert.ok(a.status === 409 || a.status === 400, JSON.stringify(a.body));
    assert.match(a.body.error.message, /enrolled as node|already exists/);
  }
  const nodes = (await ironic(env.svc, 'GET', '/v1/nodes?detail=True')).body.nodes as any[];
  assert.equal(nodes.length, 1);
  const n = nodes[0];
  assert.equal(n.uuid, ok[0]!.body.uuid);
  assert.equal(n.driver, 'fake-hardware');
  assert.equal(n.provision_state, 'enroll');
  assert.equal(n.driver_info.ipmi_address, '10.77.0.9');
  assert.equal(n.name, 'found-10.77.0.9');
  assert.deepEqual(n.traits, ['CUSTOM_DISCOVERED']);
  assert.equal(n.properties.memory_mb, '2048');
  const ports = (await ironic(env.svc, 'GET', `/v1/ports?node=${n.uuid}&detail=True`)).body.ports as any[];
  assert.deepEqual(ports.map((p) => [p.address, p.pxe_enabled]), [['52:54:00:12:34:01', true]]);

  // Sent again later: the machine is known now (its port exists), not enrolled twice.
  const again = await insp(env.svc, 'POST', '/v1/continue', unknownMachine());
  assert.equal(again.status, 400, JSON.stringify(again.body));
  assert.match(again.body.error.message, /already exists/);
  assert.equal((await ironic(env.svc, 'GET', '/v1/nodes')).body.nodes.length, 1);
  await insp(env.svc, 'DELETE', '/v1/rules');
});

test('PXE filter through the dnsmasq provider: nodes come and go; inspected allowed, others denied, MACs with a provider host file left to it', async () => {
  const uuid = await manageableNode(env.svc, 'pxe-a');
  await ironic(env.svc, 'POST', '/v1/ports', { node_uuid: uuid, address: '52:54:00:99:00:01' });
  await env.svc.inspector.inspector.syncPxeFilter();
  assert.equal(rule('52:54:00:99:00:01'), '52:54:00:99:00:01,set:ironic\n', 'enrolled, not inspected: a lease, no boot file');
  assert.equal(rule('52:54:00:12:34:01'), '52:54:00:12:34:01,set:ironic\n', 'the node discovered above is not being inspected');
  assert.equal(rule('unknown'), '*:*:*:*:*:*\n', 'discovery on: unknown machines may boot');

  assert.equal((await insp(env.svc, 'POST', `/v1/introspection/${uuid}`)).status, 202);
  await until(async () => rule('52:54:00:99:00:01') === '52:54:00:99:00:01\n', 'allowed while inspecting');
  await insp(env.svc, 'POST', `/v1/introspection/${uuid}/abort`);
  await until(async () => rule('52:54:00:99:00:01') === '52:54:00:99:00:01,set:ironic\n', 'denied after abort');

  // A MAC with a host file of the provider (a node pxe-booting): the filter does not override it.
  const served = '52:54:00:99:00:02';
  const uuid2 = await manageableNode(env.svc, 'pxe-b');
  await ironic(env.svc, 'POST', '/v1/ports', { node_uuid: uuid2, address: served });
  writeFileSync(join(hostsdir, `ironic-${served}.conf`), `${served},set:tag-1,set:ironic\n`);
  await env.svc.inspector.inspector.syncPxeFilter();
  assert.equal(rule(served), null);

  // Ports and nodes going away: their filter lines follow the unknown-hosts rule (dnsmasq cannot forget them).
  const port = (await ironic(env.svc, 'GET', '/v1/ports?address=52:54:00:99:00:01')).body.ports[0];
  await ironic(env.svc, 'DELETE', `/v1/ports/${port.uuid}`);
  assert.equal((await ironic(env.svc, 'DELETE', `/v1/nodes/${uuid2}`)).status, 204);
  await env.svc.inspector.inspector.syncPxeFilter();
  assert.equal(rule('52:54:00:99:00:01'), '52:54:00:99:00:01\n');
  assert.equal(rule(served), null);
  assert.ok(readdirSync(hostsdir).includes(`ironic-${served}.conf`));
});

test('PXE filter without discovery denies unknown hosts with the wildcard line; discovery on allows them', async () => {
  const s = computeFilter([{ address: 'AA:BB:CC:DD:EE:01', provision_state: 'inspect wait' }, { address: 'aa:bb:cc:dd:ee:02', provision_state: 'active' }], false);
  assert.deepEqual([...s.allow], ['aa:bb:cc:dd:ee:01']);
  assert.deepEqual([...s.deny], ['aa:bb:cc:dd:ee:02']);
  const d = new DnsmasqDhcp(dnsmasqPathsIn(join(tmp, 'other')));
  await d.applyPxeFilter(s);
  assert.equal(readFileSync(join(d.paths.hostsdir, 'filter-unknown.conf'), 'utf8'), '*:*:*:*:*:*,ignore\n');
  assert.equal(readFileSync(d.filterFile('aa:bb:cc:dd:ee:01'), 'utf8'), 'aa:bb:cc:dd:ee:01\n');
  assert.equal(readFileSync(d.filterFile('aa:bb:cc:dd:ee:02'), 'utf8'), 'aa:bb:cc:dd:ee:02,set:ironic\n');
  await d.applyPxeFilter({ ...s, allowUnknown: true });
  assert.equal(readFileSync(join(d.paths.hostsdir, 'filter-unknown.conf'), 'utf8'), '*:*:*:*:*:*\n');
});

test('the discovery claim holds across connections (the DB guard, not a lock in memory)', async () => {
  const { openDb } = await import('../../src/db/connect.ts');
  const { InspectorStore } = await import('../../src/inspector/store.ts');
  const other = await openDb(join(env.dir, 'ingot.db'));
  try {
    const a = new InspectorStore(env.svc.db.kysely);
    const b = new InspectorStore(other.kysely);
    const key = 'bmc:10.123.0.1';
    const results = await Promise.all([a.claim(key, 'uuid-a'), b.claim(key, 'uuid-b'), a.claim(key, 'uuid-c'), b.claim(key, 'uuid-d')]);
    assert.equal(results.filter((r) => r.won).length, 1);
    const holder = (await env.svc.db.kysely.selectFrom('discovery_claims').select('node_uuid').where('claim_key', '=', key).executeTakeFirstOrThrow()).node_uuid;
    for (const r of results) if (!r.won) assert.equal(r.holder, holder);
  } finally { await other.close(); }
});
