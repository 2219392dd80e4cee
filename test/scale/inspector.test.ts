/**
 * `ingot api` serves ironic-inspector's API too (issue 11, item 0), in the scale-out mode:
 * one `ingot api` (with --inspector-port) and one `ingot conductor` on PostgreSQL. Reads
 * (status, data, rules) are answered by the API process from the database; start and abort
 * go through the provision RPC to the node's conductor; ramdisk reports (/v1/continue) are
 * processed by a conductor (inspectorContinue over JSON-RPC), which takes the node lock,
 * writes properties and ports and ends the inspection; inspector's 4xx statuses come back
 * unchanged across the RPC. Discovery (enroll) works the same way.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Cluster, call, freePort, postgresDb } from './cluster.ts';
import { sampleReport } from '../inspector/support.ts';

async function insp(base: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: any; text: string }> {
  const r = await fetch(`${base}${path}`, { method, headers: { 'content-type': 'application/json' }, ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }) });
  const text = await r.text();
  let parsed: unknown = null;
  try { parsed = text ? JSON.parse(text) : null; } catch { /* text */ }
  return { status: r.status, body: parsed, text };
}

async function until(what: string, fn: () => Promise<boolean>, ms = 60_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await fn())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

test('ingot api serves the inspector API; reports are processed by a conductor over JSON-RPC', { timeout: 300_000 }, async (t) => {
  const db = await postgresDb();
  if (typeof db === 'string') { t.skip(db); return; }
  const inspPort = await freePort();
  const insUrl = `http://127.0.0.1:${inspPort}`;
  const cluster = new Cluster(db, {
    INGOT_HEARTBEAT_INTERVAL: '1', INGOT_HASH_RING_RESET_INTERVAL: '1', INGOT_SYNC_POWER_STATE_INTERVAL: '0',
    INGOT_ENABLED_INSPECT_INTERFACES: 'fake,no-inspect,inspector', INGOT_INSPECTOR_CALLBACK_URL: `${insUrl}/v1/continue`,
    INGOT_NODE_NOT_FOUND_HOOK: 'enroll', INGOT_ADD_PORTS: 'all',
  });
  try {
    await cluster.conductor('c1');
    const api = await cluster.api('api', ['--inspector-port', String(inspPort)]);
    const root = await insp(insUrl, 'GET', '/');
    assert.equal(root.status, 200, root.text);
    assert.ok(Array.isArray(root.body.versions), root.text);

    const c = await call(api, 'POST', '/v1/nodes', { driver: 'fake-hardware', name: 'split-insp', inspect_interface: 'inspector' });
    assert.equal(c.status, 201, c.text);
    const uuid = c.body.uuid as string;
    const report = sampleReport();
    const mac = report.inventory.interfaces[0].mac_address as string;
    assert.equal((await call(api, 'POST', '/v1/ports', { node_uuid: uuid, address: mac })).status, 201);
    assert.equal((await call(api, 'PUT', `/v1/nodes/${uuid}/states/provision`, { target: 'manage' })).status, 202);
    await until('manageable', async () => (await call(api, 'GET', `/v1/nodes/${uuid}`)).body.provision_state === 'manageable');

    // Start through the inspector API (provision RPC to the conductor).
    const s = await insp(insUrl, 'POST', `/v1/introspection/${uuid}`);
    assert.equal(s.status, 202, s.text);
    await until('inspect wait', async () => (await call(api, 'GET', `/v1/nodes/${uuid}`)).body.provision_state === 'inspect wait');
    const st = await insp(insUrl, 'GET', `/v1/introspection/${uuid}`);
    assert.equal(st.status, 200, st.text);
    assert.equal(st.body.finished, false);

    // Malformed: inspector's 400 comes back through the RPC, nothing changes.
    const bad = await insp(insUrl, 'POST', '/v1/continue', '[]');
    assert.equal(bad.status, 400, bad.text);
    assert.match(bad.body.error.message, /Invalid data: expected a JSON object, got list/);
    assert.equal((await call(api, 'GET', `/v1/nodes/${uuid}`)).body.provision_state, 'inspect wait');

    // The report: processed on the conductor.
    const r = await insp(insUrl, 'POST', '/v1/continue', report);
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.body, { uuid });
    const n = (await call(api, 'GET', `/v1/nodes/${uuid}`)).body;
    assert.equal(n.provision_state, 'manageable', n.last_error);
    assert.equal(String(n.properties.cpus), String(report.inventory.cpu.count));
    assert.equal(n.properties.cpu_arch, report.inventory.cpu.architecture);
    const ports = (await call(api, 'GET', `/v1/ports?node=${uuid}`)).body.ports as any[];
    assert.deepEqual(ports.map((p) => p.address).sort(), (report.inventory.interfaces as any[]).map((i) => i.mac_address).sort());
    const done = await insp(insUrl, 'GET', `/v1/introspection/${uuid}`);
    assert.equal(done.body.finished, true);
    assert.equal(done.body.error, null);
    const data = await insp(insUrl, 'GET', `/v1/introspection/${uuid}/data`);
    assert.equal(data.status, 200);
    assert.equal(data.body.inventory.cpu.count, report.inventory.cpu.count);

    // A second report for a finished node: 404 or 400 as inspector, not a 500.
    const again = await insp(insUrl, 'POST', '/v1/continue', report);
    assert.ok(again.status >= 400 && again.status < 500, again.text);

    // Rules through the API process.
    const rule = await insp(insUrl, 'POST', '/v1/rules', { description: 'split', conditions: [], actions: [{ action: 'set-attribute', path: '/extra/split', value: 'yes' }] });
    assert.equal(rule.status, 201, rule.text);
    assert.equal((await insp(insUrl, 'GET', '/v1/rules')).body.rules.length, 1);

    // Reapply (by node, on its conductor): the rule now acts.
    const re = await insp(insUrl, 'POST', `/v1/introspection/${uuid}/data/unprocessed`);
    assert.equal(re.status, 202, re.text);
    await until('reapplied', async () => (await call(api, 'GET', `/v1/nodes/${uuid}`)).body.extra?.split === 'yes');

    // Discovery: an unknown machine's report enrolls a node, on the conductor.
    const unknown = sampleReport();
    unknown.inventory.interfaces = [{ name: 'eth0', mac_address: '52:54:00:de:ad:01', ipv4_address: '192.0.2.77' }];
    unknown.inventory.bmc_address = '192.0.2.200';
    delete unknown.boot_interface;
    const d = await insp(insUrl, 'POST', '/v1/continue', unknown);
    assert.equal(d.status, 200, d.text);
    const enrolled = await call(api, 'GET', `/v1/nodes/${d.body.uuid}`);
    assert.equal(enrolled.status, 200, enrolled.text);
    assert.equal(enrolled.body.driver, 'fake-hardware');
  } catch (err) {
    throw new Error(`${(err as Error).message}\n${cluster.logs()}`);
  } finally {
    await cluster.close();
  }
});
