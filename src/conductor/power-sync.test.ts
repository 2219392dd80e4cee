/**
 * Power sync against the Redfish lab: one hung BMC does not stall the others (a power
 * change made on another machine through the lab's Redfish API is noticed within a sync
 * interval); force_power_state_during_sync puts the recorded state back on the hardware;
 * repeated failures put the node in maintenance with fault "power failure", and the
 * recovery task takes it out once the BMC answers again.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startRedfishLab, type RedfishLab } from '../lab/redfish/index.ts';
import { startHarness, waitState, type Harness } from '../../test/support/api-harness.ts';

const AUTH = { authorization: `Basic ${Buffer.from('admin:password').toString('base64')}`, 'content-type': 'application/json' };

async function redfishNode(h: Harness, lab: RedfishLab, i: number): Promise<string> {
  const r = await h.req('POST', '/v1/nodes', {
    driver: 'redfish', name: `m${i}`, power_interface: 'redfish', management_interface: 'redfish',
    driver_info: { redfish_address: lab.url, redfish_system_id: `/redfish/v1/Systems/${lab.machines[i]!.id}`, redfish_username: 'admin', redfish_password: 'password' },
  }, { version: '1.31' });
  assert.equal(r.status, 201, r.text);
  assert.equal((await h.req('PUT', `/v1/nodes/${r.body.uuid}/states/provision`, { target: 'manage' })).status, 202);
  await waitState(h, r.body.uuid, 'manageable');
  return r.body.uuid;
}

async function labPost(lab: RedfishLab, path: string, body: unknown): Promise<void> {
  const r = await fetch(`${lab.url}${path}`, { method: 'POST', headers: AUTH, body: JSON.stringify(body) });
  assert.ok(r.status < 300, `${path}: ${r.status} ${await r.text()}`);
}

/** Poll `check` every 100 ms until it holds; fail after `ms`. */
async function eventually(what: string, ms: number, check: () => Promise<boolean>): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) assert.fail(`${what}: not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

test('one hung BMC: a power change on another lab machine is noticed within a sync interval', { timeout: 60_000 }, async () => {
  const lab = await startRedfishLab({ machines: 3, initialPower: 'On' });
  // A hung read may take a minute: a sync that checks nodes one by one would stall that long.
  const h = await startHarness({ syncPowerStateInterval: 0.5, syncPowerStateTimeout: 60, forcePowerStateDuringSync: false, checkOrphanInterval: 0, checkProvisionStateInterval: 0 });
  try {
    const uuids = [await redfishNode(h, lab, 0), await redfishNode(h, lab, 1), await redfishNode(h, lab, 2)];
    await h.svc.conductor.periodics.syncPowerStates();
    for (const u of uuids) assert.equal((await h.req('GET', `/v1/nodes/${u}`)).body.power_state, 'power on');

    await labPost(lab, '/lab/faults', { kind: 'timeout', machines: [0] });
    h.svc.conductor.periodics.start();
    await new Promise((r) => setTimeout(r, 1200)); // a round has begun on the hung machine
    await labPost(lab, `/redfish/v1/Systems/${lab.machines[1]!.id}/Actions/ComputerSystem.Reset`, { ResetType: 'ForceOff' });
    // Several sync intervals, far below the hung read's minute.
    await eventually('the recorded power state of m1 follows the hardware', 10_000,
      async () => (await h.req('GET', `/v1/nodes/${uuids[1]}`)).body.power_state === 'power off');

    // Ironic's default: the recorded state is put back on the hardware.
    h.svc.conductor.deps.config.forcePowerStateDuringSync = true;
    await labPost(lab, `/redfish/v1/Systems/${lab.machines[2]!.id}/Actions/ComputerSystem.Reset`, { ResetType: 'ForceOff' });
    await eventually('m2 is powered on again by the sync', 10_000, async () => lab.machine(2).power === 'On');
    // The history entry follows once the driver has seen the BMC settle in the new state.
    await eventually('the forced change is in the node history', 10_000, async () => {
      const hist = (await h.req('GET', `/v1/nodes/${uuids[2]}/history`)).body.history as { event: string }[];
      return hist.some((e) => /does not match expected state. Changing hardware state to 'power on'/.test(e.event));
    });
    assert.equal((await h.req('GET', `/v1/nodes/${uuids[2]}`)).body.power_state, 'power on');
  } finally {
    await h.close();
    await lab.close();
  }
});

test('repeated failed checks: maintenance with fault "power failure"; recovery clears it when the BMC answers', { timeout: 60_000 }, async () => {
  const lab = await startRedfishLab({ machines: 2, initialPower: 'On' });
  const h = await startHarness({ syncPowerStateTimeout: 0.5, powerStateSyncMaxRetries: 2 });
  try {
    const bad = await redfishNode(h, lab, 0);
    const good = await redfishNode(h, lab, 1);
    const ps = h.svc.conductor.periodics;
    await ps.syncPowerStates();
    await labPost(lab, '/lab/faults', { kind: 'timeout', machines: [0] });
    for (let i = 0; i < 2; i++) {
      await ps.syncPowerStates();
      assert.equal((await h.req('GET', `/v1/nodes/${bad}`)).body.maintenance, false, `after failure ${i + 1}`);
    }
    await ps.syncPowerStates();
    const n = (await h.req('GET', `/v1/nodes/${bad}`)).body;
    assert.equal(n.maintenance, true);
    assert.equal(n.fault, 'power failure');
    assert.match(n.maintenance_reason, /^During sync_power_state, max retries exceeded for node .* Switching node to maintenance mode\. Error: .*did not answer within 0\.5 s/);
    assert.equal(n.last_error, n.maintenance_reason);
    assert.equal(n.power_state, null);
    assert.equal((await h.req('GET', `/v1/nodes/${good}`)).body.maintenance, false);

    // Still failing: recovery leaves it in maintenance.
    await ps.powerFailureRecovery();
    assert.equal((await h.req('GET', `/v1/nodes/${bad}`)).body.maintenance, true);
    await fetch(`${lab.url}/lab/faults`, { method: 'DELETE' });
    await ps.powerFailureRecovery();
    const r = (await h.req('GET', `/v1/nodes/${bad}`)).body;
    assert.equal(r.maintenance, false);
    assert.equal(r.fault, null);
    assert.equal(r.maintenance_reason, null);
    assert.equal(r.power_state, 'power on');
  } finally {
    await h.close();
    await lab.close();
  }
});
