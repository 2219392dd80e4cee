/**
 * Fault injection over real HTTP: latency, 5xx (count, rate, path prefix), timeouts, resets, dropped
 * sessions, slow power changes, per-machine isolation, the /lab/faults admin API and faults given at start.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FaultInjector } from './faults.ts';
import { call, client, messageIds, until, withLab } from './testkit.ts';

const sys = (id: string) => `/redfish/v1/Systems/${id}`;

test('latency is added only to the selected machine', async (t) => {
  const lab = await withLab(t);
  const [a, b] = lab.machines as [typeof lab.machines[0], typeof lab.machines[0]];
  lab.faults.add({ kind: 'latency', ms: 500, machines: [a.id] });
  const rf = client(lab);
  const timed = async (p: string) => { const t0 = Date.now(); const r = await rf.get(p); return { ms: Date.now() - t0, status: r.status }; };
  const slow = await timed(sys(a.id));
  const fast = await timed(sys(b.id));
  assert.equal(slow.status, 200);
  assert.ok(slow.ms >= 480, `slow took ${slow.ms} ms`);
  assert.ok(fast.ms < 400, `fast took ${fast.ms} ms`);
  assert.ok((await timed(`/redfish/v1/Managers/${a.managerId}/VirtualMedia`)).ms >= 480, 'the machine\'s manager is slow too');
  assert.ok((await timed('/redfish/v1/Systems')).ms < 400, 'service-wide paths are not selected by a machine rule');
});

test('5xx answers: a count, a path prefix and a per-machine rule; machine 2 keeps working', async (t) => {
  const lab = await withLab(t);
  const [a, b] = lab.machines as [typeof lab.machines[0], typeof lab.machines[0]];
  const rf = client(lab);
  const [rule] = lab.faults.add({ kind: 'error', status: 503, count: 2, machines: [0] });
  const first = await rf.get(sys(a.id));
  assert.equal(first.status, 503);
  assert.deepEqual(messageIds(first.body), ['ServiceTemporarilyUnavailable']);
  assert.equal(first.headers['retry-after'], '1');
  assert.equal((await rf.get(sys(b.id))).status, 200, 'machine 2 is not affected');
  assert.equal((await rf.post(`${sys(a.id)}/Actions/ComputerSystem.Reset`, { body: { ResetType: 'On' } })).status, 503);
  assert.equal(a.power, 'Off', 'a failed request changes nothing');
  assert.equal((await rf.get(sys(a.id))).status, 200, 'count exhausted');
  assert.equal(lab.faults.list().find((r) => r.id === rule!.id)!.fired, 2);

  lab.faults.clear();
  lab.faults.add({ kind: 'error', pathPrefix: `/redfish/v1/systems/${b.id}/bios`, methods: ['PATCH'] });
  assert.equal((await rf.get(`${sys(b.id)}/Bios`)).status, 200, 'GET is not selected');
  const patched = await rf.patch(`${sys(b.id)}/Bios/Settings`, { body: { Attributes: { ProcTurboMode: 'Disabled' } } });
  assert.equal(patched.status, 500);
  assert.deepEqual(messageIds(patched.body), ['InternalError']);
  assert.equal((await rf.patch(`${sys(a.id)}/Bios/Settings`, { body: { Attributes: { ProcTurboMode: 'Disabled' } } })).status, 200);
});

test('rate draws from a seeded generator: roughly the asked fraction fails', async (t) => {
  const lab = await withLab(t, { seed: 42 });
  lab.faults.add({ kind: 'error', rate: 0.5, machines: [1] });
  const rf = client(lab);
  let failed = 0;
  for (let i = 0; i < 40; i++) if ((await rf.get(sys(lab.machines[1]!.id))).status === 500) failed++;
  assert.ok(failed > 8 && failed < 32, `failed ${failed}/40`);
  const inj = new FaultInjector(() => 'x', 7);
  const inj2 = new FaultInjector(() => 'x', 7);
  inj.add({ kind: 'error', rate: 0.3 });
  inj2.add({ kind: 'error', rate: 0.3 });
  const seq = (f: FaultInjector) => Array.from({ length: 20 }, () => f.decide({ method: 'GET', path: '/redfish/v1', machineId: null }).error);
  assert.deepEqual(seq(inj), seq(inj2), 'same seed, same failures');
});

test('timeout: the request is never answered (client gives up), other machines answer', async (t) => {
  const lab = await withLab(t);
  const [a, b] = lab.machines as [typeof lab.machines[0], typeof lab.machines[0]];
  lab.faults.add({ kind: 'timeout', machines: [a.id], count: 1 });
  await assert.rejects(call(lab, 'GET', sys(a.id), { signal: AbortSignal.timeout(300) }), (e: Error) => /abort|timeout/i.test(`${e.name} ${e.message}`));
  assert.equal((await call(lab, 'GET', sys(b.id))).status, 200);
  assert.equal((await call(lab, 'GET', sys(a.id))).status, 200, 'count 1: the next request is answered');
  lab.faults.add({ kind: 'timeout', machines: [a.id] });
  const pending = call(lab, 'GET', sys(a.id)).then(() => 'answered', () => 'closed');
  await new Promise((r) => setTimeout(r, 100));
  await lab.close();
  assert.equal(await pending, 'closed', 'close() releases held requests');
});

test('reset: the connection is dropped without an answer; an injected 401 says NoValidSession', async (t) => {
  const lab = await withLab(t);
  const [a, b] = lab.machines as [typeof lab.machines[0], typeof lab.machines[0]];
  lab.faults.add({ kind: 'reset', machines: [a.id], count: 1 });
  await assert.rejects(call(lab, 'GET', sys(a.id)), (e: Error) => /socket|closed|reset|terminated/i.test(`${e.message} ${String((e as { cause?: unknown }).cause)}`));
  assert.equal((await call(lab, 'GET', sys(b.id))).status, 200, 'other machines answer');
  assert.equal((await call(lab, 'GET', sys(a.id))).status, 200, 'count 1: the next request is answered');
  lab.faults.add({ kind: 'error', status: 401, machines: [a.id], count: 1 });
  const refused = await call(lab, 'GET', sys(a.id));
  assert.equal(refused.status, 401);
  assert.deepEqual(messageIds(refused.body), ['NoValidSession']);
});

test('powerTransition: power changes take time, shown as PoweringOn/PoweringOff; a reset meanwhile is a 409', async (t) => {
  const lab = await withLab(t);
  const [a, b] = lab.machines as [typeof lab.machines[0], typeof lab.machines[0]];
  const rule = lab.faults.add({ kind: 'powerTransition', ms: 300, machines: [a.id] })[0]!;
  const events: string[] = [];
  lab.hooks.onPowerChange((id, state) => events.push(`${id === a.id ? 'a' : 'b'}:${state}`));
  const rf = client(lab);
  const reset = (id: string, type: string) => rf.post(`${sys(id)}/Actions/ComputerSystem.Reset`, { body: { ResetType: type } });
  const powerState = async (id: string) => (await rf.get(sys(id))).body.PowerState;
  assert.equal((await reset(a.id, 'On')).status, 204);
  assert.equal(await powerState(a.id), 'PoweringOn');
  assert.equal(a.power, 'Off', 'the settled state changes at the end');
  const refused = await reset(a.id, 'ForceOff');
  assert.equal(refused.status, 409);
  assert.deepEqual(messageIds(refused.body), ['ActionParameterValueConflict']);
  assert.deepEqual(refused.body.error['@Message.ExtendedInfo'][0].MessageArgs, ['ResetType', 'ForceOff']);
  assert.equal((await reset(b.id, 'On')).status, 204);
  assert.equal(await powerState(b.id), 'On', 'other machines change at once');
  assert.equal((await call(lab, 'GET', '/lab/machines')).body.machines[0].powerState, 'PoweringOn');
  await until(async () => (await powerState(a.id)) === 'On');
  assert.deepEqual(events, ['b:On', 'a:On']);
  assert.equal((await reset(a.id, 'On')).status, 204, 'On when on: no power change');
  assert.equal(await powerState(a.id), 'On');
  assert.equal((await reset(a.id, 'ForceRestart')).status, 204);
  assert.equal(await powerState(a.id), 'PoweringOff');
  await until(async () => (await powerState(a.id)) === 'PoweringOn');
  await until(async () => (await powerState(a.id)) === 'On');
  assert.deepEqual(events, ['b:On', 'a:On', 'a:Off', 'a:On']);
  assert.equal(lab.faults.list().find((r) => r.id === rule.id)!.fired, 2, 'counted per power change, not per request');
  assert.equal((await call(lab, 'POST', '/lab/faults', { auth: 'none', body: { kind: 'powerTransition' } })).status, 400, 'ms is required');
});

test('dropped sessions: global drop logs everyone out; a per-machine drop only fails that machine', async (t) => {
  const lab = await withLab(t);
  const [a, b] = lab.machines as [typeof lab.machines[0], typeof lab.machines[0]];
  const login = async () => (await call(lab, 'POST', '/redfish/v1/SessionService/Sessions', { auth: 'none', body: { UserName: 'admin', Password: 'password' } })).headers['x-auth-token']!;
  let token = await login();
  const as = (p: string) => call(lab, 'GET', p, { auth: { token } });
  assert.equal((await as(sys(a.id))).status, 200);

  lab.dropSessions([a.id]);
  assert.equal((await as(sys(a.id))).status, 401);
  assert.equal((await as(sys(b.id))).status, 200, 'the token still works on machine 2');
  assert.equal((await as(`/redfish/v1/Managers/${a.managerId}`)).status, 401, 'all of machine 1 is affected');
  token = await login();
  assert.equal((await as(sys(a.id))).status, 200, 'a fresh login works again');
  assert.equal((await call(lab, 'GET', sys(a.id))).status, 200, 'Basic auth is not affected');

  lab.faults.add({ kind: 'dropSessions', machines: [b.id], count: 1 });
  assert.equal((await as(sys(b.id))).status, 401, 'the rule drops sessions when it fires');
  assert.equal((await as(sys(a.id))).status, 200);

  const res = await call(lab, 'POST', '/lab/faults/drop-sessions', { auth: 'none', body: {} });
  assert.equal(res.status, 200);
  assert.equal((await as(sys(a.id))).status, 401);
  assert.equal((await as('/redfish/v1/SessionService/Sessions')).status, 401);
});

test('admin endpoint: list, add, replace, delete; bad specs are 400; faults given at start apply', async (t) => {
  const lab = await withLab(t, { faults: [{ kind: 'error', status: 502, machines: [1], count: 1 }] });
  const [a, b] = lab.machines as [typeof lab.machines[0], typeof lab.machines[0]];
  const admin = (method: string, path: string, body?: unknown) => call(lab, method, path, { auth: 'none', body });
  assert.equal((await call(lab, 'GET', sys(b.id))).status, 502);
  assert.equal((await call(lab, 'GET', sys(b.id))).status, 200);

  const list = await admin('GET', '/lab/faults');
  assert.equal(list.body.faults.length, 1);
  assert.deepEqual(list.body.faults[0].machines, [b.id]);
  const added = await admin('POST', '/lab/faults', [{ kind: 'error', machines: [a.id] }, { kind: 'latency', ms: 1 }]);
  assert.equal(added.status, 201);
  assert.equal(added.body.faults.length, 2);
  assert.equal((await call(lab, 'GET', sys(a.id))).status, 500);
  assert.equal((await admin('DELETE', `/lab/faults/${added.body.faults[0].id}`)).status, 204);
  assert.equal((await admin('DELETE', '/lab/faults/999')).status, 404);
  assert.equal((await call(lab, 'GET', sys(a.id))).status, 200);
  const replaced = await admin('PUT', '/lab/faults', [{ kind: 'error', status: 504, pathPrefix: '/redfish/v1/Managers' }]);
  assert.equal(replaced.body.faults.length, 1);
  assert.equal((await call(lab, 'GET', `/redfish/v1/Managers/${a.managerId}`)).status, 504);
  assert.equal((await admin('DELETE', '/lab/faults')).status, 204);
  assert.equal((await admin('GET', '/lab/faults')).body.faults.length, 0);
  for (const bad of [{ kind: 'meteor' }, { kind: 'latency' }, { kind: 'error', status: 200 }, { kind: 'error', machines: ['nope'] }, { kind: 'error', rate: 2 }, { kind: 'error', colour: 'red' }]) {
    const r = await admin('POST', '/lab/faults', bad);
    assert.equal(r.status, 400, JSON.stringify(bad));
    assert.ok(r.body.error);
  }
  assert.equal((await call(lab, 'PUT', '/lab/faults', { auth: 'none', raw: '{' })).status, 400);
  const machines = await admin('GET', '/lab/machines');
  assert.deepEqual(machines.body.machines.map((m: { id: string }) => m.id), [a.id, b.id]);
});
