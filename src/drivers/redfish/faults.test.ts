/**
 * BMC faults (lab fault injection and unreachable addresses) surface as DriverErrors an
 * operator can act on, retryable where waiting may help; sessions dropped by the BMC are
 * re-established transparently; broken clients are not reused.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { DriverError, IngotError } from '../../core/errors.ts';
import { RedfishManagement } from './management.ts';
import { RedfishPower } from './power.ts';
import { redfishTestLab } from '../../testing/redfish-harness.ts';

/** A local port nobody listens on. */
async function closedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

const driverError = (check: (e: DriverError) => void) => (e: unknown): boolean => {
  assert.ok(e instanceof DriverError, `expected a DriverError, got ${String(e)}`);
  check(e);
  return true;
};

test('connection refused: retryable, names the address and what to check; the client is discarded', async (t) => {
  const { cache, node, driverInfo } = await redfishTestLab(t, { machines: 1 });
  const address = `http://127.0.0.1:${await closedPort()}`;
  const n = node(0, { driver_info: { ...driverInfo(0), redfish_address: address } });
  await assert.rejects(new RedfishPower(cache).getPowerState(n.ctx()), driverError((e) => {
    assert.equal(e.message, `Getting the power state failed for node ${n.node.uuid}: Redfish BMC at ${address}: connection refused — check redfish_address and that the BMC is reachable`);
    assert.equal(e.retryable, true);
  }));
  assert.equal(cache.size, 0, 'a client that failed to connect is not kept');
});

test('5xx: the BMC\'s message, retryable; a transient 503 is retried by the client and succeeds', async (t) => {
  const { lab, cache, node } = await redfishTestLab(t);
  const power = new RedfishPower(cache);
  const n = node(0);
  const rule = lab.faults.add({ kind: 'error', status: 500, machines: [0], pathPrefix: '/redfish/v1/Systems', methods: ['POST'] })[0]!;
  await assert.rejects(power.setPowerState(n.ctx(), 'power on'), driverError((e) => {
    assert.match(e.message, new RegExp(`^Setting power state to power on failed for node ${n.node.uuid}: Redfish BMC at ${lab.url}: `
      + 'POST /redfish/v1/Systems/[^ ]+/Actions/ComputerSystem.Reset failed with HTTP 500: The request failed because of an internal service error\. Resolution: .* — the BMC reported an internal problem; retry later$', 'i'));
    assert.equal(e.retryable, true);
  }));
  lab.faults.remove(rule.id);
  lab.faults.add({ kind: 'error', status: 503, machines: [0], count: 1 });
  assert.equal(await power.getPowerState(n.ctx()), 'power off');
});

test('no answer: a retryable timeout error; other machines of the lab are unaffected', async (t) => {
  const { lab, cache, node } = await redfishTestLab(t);
  lab.faults.add({ kind: 'timeout', machines: [0] });
  const power = new RedfishPower(cache);
  const n = node(0);
  const t0 = Date.now();
  await assert.rejects(power.getPowerState(n.ctx()), driverError((e) => {
    assert.match(e.message, new RegExp(`^Getting the power state failed for node ${n.node.uuid}: Redfish BMC at ${lab.url}: no answer to GET /redfish/v1/Systems/\\S+ in time \\(.*\\) — the BMC may be overloaded or hung; retry later or reset the BMC$`));
    assert.equal(e.retryable, true);
  }));
  assert.ok(Date.now() - t0 < 8000);
  assert.equal(await power.getPowerState(node(1).ctx()), 'power off');
});

test('a dropped session is re-established without the operation noticing', async (t) => {
  const { lab, cache, node } = await redfishTestLab(t);
  const mgmt = new RedfishManagement(cache);
  const n = node(0);
  await mgmt.setBootDevice(n.ctx(), 'pxe', false);
  assert.equal(lab.dropSessions(), 1, 'one session for the whole lab (one BMC address and account)');
  await mgmt.setBootDevice(n.ctx(), 'cdrom', false);
  lab.faults.add({ kind: 'dropSessions', count: 1 });
  assert.deepEqual(await mgmt.getBootDevice(n.ctx()), { boot_device: 'cdrom', persistent: false });
});

test('bad credentials and a wrong system id: not retryable, saying what to fix', async (t) => {
  const { lab, cache, node, driverInfo } = await redfishTestLab(t, { machines: 1 });
  const power = new RedfishPower(cache);
  const bad = node(0, { driver_info: { ...driverInfo(0), redfish_password: 'wrong' } });
  await assert.rejects(power.getPowerState(bad.ctx()), driverError((e) => {
    assert.match(e.message, /Redfish BMC at .*: the credentials were rejected \(HTTP 401 to GET \/redfish\/v1\/Systems\/\S+\) — check redfish_username and redfish_password$/);
    assert.equal(e.retryable, false);
  }));
  const missing = node(0, { driver_info: { ...driverInfo(0), redfish_system_id: '/redfish/v1/Systems/nope' } });
  await assert.rejects(power.getPowerState(missing.ctx()), driverError((e) => {
    assert.match(e.message, /: GET \/redfish\/v1\/Systems\/nope found nothing \(HTTP 404\): .* — check redfish_system_id and that the BMC firmware supports this feature$/);
    assert.equal(e.retryable, false);
  }));
  const byId = node(0, { driver_info: { ...driverInfo(0), redfish_system_id: 'other' } });
  await assert.rejects(power.getPowerState(byId.ctx()), driverError((e) => assert.match(e.message, /No system "other" at .* — check redfish_system_id$/)));
  const none = node(0, { driver_info: { ...driverInfo(0), redfish_system_id: undefined } });
  assert.equal(await power.getPowerState(none.ctx()), 'power off', 'the only system is used when none is named');
  await assert.rejects(power.getPowerState(node(0, { driver_info: {} }).ctx()), (e: unknown) => e instanceof IngotError && e.code === 'Invalid');
  assert.ok(lab.url);
});
