/**
 * Several machines behind one BMC address and account share one Redfish client (and so one
 * session). A fault on one machine must stay with that machine: its failure must not close
 * the client under the other machines' requests in flight, and the messages must tell a
 * rejected login (credentials) from a session the BMC dropped right after a good re-login.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { DriverError } from '../../core/errors.ts';
import { RedfishPower } from './power.ts';
import { FAST, redfishTestLab } from '../../testing/redfish-harness.ts';
import { RedfishConnectionCache } from './connection.ts';

const isDriverError = (check: (e: DriverError) => void) => (e: unknown): boolean => {
  assert.ok(e instanceof DriverError, `expected a DriverError, got ${String(e)}`);
  check(e);
  return true;
};

test('a session the BMC keeps dropping for one machine fails only that machine; the others\' requests in flight complete', async (t) => {
  const { lab, cache, node } = await redfishTestLab(t, { machines: 3 });
  const power = new RedfishPower(cache);
  const [n0, n1, n2] = [node(0), node(1), node(2)];
  assert.equal(await power.getPowerState(n2.ctx()), 'power off', 'logged in once; one client for the lab');
  assert.equal(cache.size, 1);
  // Machines 1 and 2 answer slowly, so their requests are in flight while machine 0 fails.
  lab.faults.add({ kind: 'latency', ms: 400, machines: [1, 2] });
  const slow = [power.getPowerState(n1.ctx()), power.setPowerState(n2.ctx(), 'power on')];
  await sleep(50);
  const drop = lab.faults.add({ kind: 'dropSessions', machines: [0] })[0]!;
  await assert.rejects(power.getPowerState(n0.ctx()), isDriverError((e) => {
    assert.match(e.message, new RegExp(`^Getting the power state failed for node ${n0.node.uuid}: Redfish BMC at ${lab.url}: `
      + 'the BMC dropped the session: GET /redfish/v1/Systems/\\S+ was refused \\(HTTP 401\\) right after a successful re-login as "admin"'));
    assert.doesNotMatch(e.message, /password|credentials were rejected/i, 'the password is not to blame');
    assert.equal(e.retryable, true);
  }));
  assert.deepEqual(await Promise.all(slow), ['power off', undefined], 'the other machines\' operations are not failed');
  assert.equal(lab.machine(2).power, 'On');
  assert.equal(cache.size, 1, 'the shared client is kept');
  lab.faults.remove(drop.id);
  assert.equal(await power.getPowerState(n0.ctx()), 'power off', 'machine 0 recovers: the next call logs in again');
  lab.faults.add({ kind: 'dropSessions', machines: [0], count: 1 });
  assert.equal(await power.getPowerState(n0.ctx()), 'power off', 'a single dropped session is re-established transparently');
});

test('a connection failure on one machine discards the shared client without failing the others\' requests in flight', async (t) => {
  const { lab, cache, node } = await redfishTestLab(t, { machines: 2 });
  const power = new RedfishPower(cache);
  assert.equal(await power.getPowerState(node(1).ctx()), 'power off');
  lab.faults.add({ kind: 'latency', ms: 400, machines: [1] });
  const slow = power.getPowerState(node(1).ctx());
  await sleep(50);
  const reset = lab.faults.add({ kind: 'reset', machines: [0] })[0]!;
  await assert.rejects(power.getPowerState(node(0).ctx()), isDriverError((e) => {
    assert.match(e.message, /: connection reset during GET \/redfish\/v1\/Systems\/\S+ — check redfish_address and that the BMC is reachable$/);
    assert.equal(e.retryable, true);
  }));
  assert.equal(cache.size, 0, 'the client that failed to connect is no longer handed out');
  assert.equal(await slow, 'power off', 'a request already in flight on the discarded client completes');
  lab.faults.remove(reset.id);
  assert.equal(await power.getPowerState(node(0).ctx()), 'power off');
});

test('a rejected login blames the credentials, whether at first login or at a re-login after a dropped session', async (t) => {
  const users = { admin: 'password' };
  const { lab, cache, node, driverInfo } = await redfishTestLab(t, { machines: 1, users });
  const power = new RedfishPower(cache);
  const bad = node(0, { driver_info: { ...driverInfo(0), redfish_auth_type: 'session', redfish_password: 'wrong' } });
  const loginRefused = (e: DriverError): void => {
    assert.match(e.message, /: the BMC refused the login as "admin" \(HTTP 401 to POST \/redfish\/v1\/SessionService\/Sessions\) — check redfish_username and redfish_password$/);
    assert.equal(e.retryable, false);
  };
  await assert.rejects(power.getPowerState(bad.ctx()), isDriverError(loginRefused));
  const good = node(0, { driver_info: { ...driverInfo(0), redfish_auth_type: 'session' } });
  assert.equal(await power.getPowerState(good.ctx()), 'power off');
  users.admin = 'rotated'; // the BMC's password changed behind Ingot's back
  lab.dropSessions();
  await assert.rejects(power.getPowerState(good.ctx()), isDriverError(loginRefused));
});

test('a client evicted from a full cache is closed only after the requests in flight on it complete', async (t) => {
  const { lab, node, driverInfo } = await redfishTestLab(t, { machines: 2, users: { admin: 'password', ops: 'secret' } });
  const cache = new RedfishConnectionCache({ ...FAST, maxClients: 1 });
  t.after(() => cache.close());
  const power = new RedfishPower(cache);
  assert.equal(await power.getPowerState(node(0).ctx()), 'power off');
  lab.faults.add({ kind: 'latency', ms: 300, machines: [0] });
  const slow = power.getPowerState(node(0).ctx());
  await sleep(50);
  const other = node(1, { driver_info: { ...driverInfo(1), redfish_username: 'ops', redfish_password: 'secret' } });
  assert.equal(await power.getPowerState(other.ctx()), 'power off', 'another account needs a client of its own');
  assert.equal(cache.size, 1, 'the first client was evicted');
  assert.equal(await slow, 'power off', 'the evicted client\'s request in flight completes');
});
