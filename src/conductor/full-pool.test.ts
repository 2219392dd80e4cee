/**
 * A full worker pool (INGOT_WORKERS=1, one slow job running): every verb that needs a
 * worker answers 503 "No free conductor workers available" and leaves its node exactly as
 * it was and unlocked; the same request succeeds once the worker is free.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startHarness, waitState, type Harness } from '../../test/support/api-harness.ts';

const FIELDS = ['provision_state', 'target_provision_state', 'power_state', 'target_power_state', 'reservation', 'last_error', 'boot_mode'];

async function snapshot(h: Harness, id: string): Promise<Record<string, unknown>> {
  const b = (await h.req('GET', `/v1/nodes/${id}`)).body;
  return Object.fromEntries(FIELDS.map((f) => [f, b[f]]));
}

async function node(h: Harness, name: string, version = '1.82'): Promise<string> {
  const r = await h.req('POST', '/v1/nodes', { driver: 'fake-hardware', name }, { version });
  assert.equal(r.status, 201, r.text);
  return r.body.uuid;
}

test('a full pool answers 503 and leaves the node unchanged and unlocked; a retry succeeds', async () => {
  // The fake power delay keeps verify (enroll → manageable) busy for a while.
  const h = await startHarness({ workers: 1, fakeDelays: { power: '0.6' } });
  try {
    const busy = await node(h, 'busy');
    const enrolled = await node(h, 'enrolled');
    const active = await node(h, 'active-one', '1.10');
    const before = { enrolled: await snapshot(h, enrolled), active: await snapshot(h, active) };

    assert.equal((await h.req('PUT', `/v1/nodes/${busy}/states/provision`, { target: 'manage' })).status, 202);
    assert.equal((await h.req('GET', `/v1/nodes/${busy}`)).body.provision_state, 'verifying');

    const refused = [
      await h.req('PUT', `/v1/nodes/${enrolled}/states/provision`, { target: 'manage' }),
      await h.req('PUT', `/v1/nodes/${active}/states/provision`, { target: 'active' }),
      await h.req('PUT', `/v1/nodes/${active}/states/power`, { target: 'power on' }),
      await h.req('PUT', `/v1/nodes/${active}/states/boot_mode`, { target: 'uefi' }, { version: '1.76' }),
    ];
    for (const r of refused) {
      assert.equal(r.status, 503, r.text);
      assert.match(h.fault(r.body), /No free conductor workers available/);
    }
    assert.deepEqual(await snapshot(h, enrolled), before.enrolled);
    assert.deepEqual(await snapshot(h, active), before.active);

    // Once the worker is free, the same requests go through.
    await h.svc.conductor.idle();
    assert.equal((await h.req('PUT', `/v1/nodes/${enrolled}/states/provision`, { target: 'manage' })).status, 202);
    const done = await waitState(h, enrolled, 'manageable');
    assert.equal(done.reservation, null);
    assert.equal((await h.req('PUT', `/v1/nodes/${active}/states/power`, { target: 'power on' })).status, 202);
    await h.svc.conductor.idle();
    const powered = await snapshot(h, active);
    assert.equal(powered.power_state, 'power on');
    assert.equal(powered.reservation, null);
    assert.equal(h.svc.conductor.deps.workers.active, 0);
  } finally {
    await h.close();
  }
});
