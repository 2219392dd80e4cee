/**
 * BMCs whose power changes take time (iDRAC and others): they report PoweringOn/PoweringOff
 * for a while and refuse a reset meanwhile with 409. A power action resolves only once the BMC
 * reports the target state, within the power-state-change timeout; a reset refused because of
 * a transition is retried until that timeout, not reported as a failure.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DriverError } from '../../core/errors.ts';
import { RedfishPower } from './power.ts';
import { redfishTestLab } from '../../testing/redfish-harness.ts';

const TIMINGS = { pollMs: 20, powerTimeoutS: 5, softPowerTimeoutS: 5, taskTimeoutS: 10, biosApplyTimeoutS: 1 };
const CLIENT = { retries: 1, retryDelayMs: 5, maxRetryDelayMs: 20, timeoutMs: 1500 };

test('a power action resolves only once the BMC reports the target state, never while it reports PoweringOn/Off', async (t) => {
  const { lab, cache, node } = await redfishTestLab(t, { faults: [{ kind: 'powerTransition', ms: 250, machines: [0] }] }, { client: CLIENT, timings: TIMINGS });
  const power = new RedfishPower(cache);
  const n = node(0);
  const m = lab.machine(0);
  await power.setPowerState(n.ctx(), 'power on');
  assert.equal(m.reportedPower, 'On', 'resolved only after the BMC reported On');
  await power.setPowerState(n.ctx(), 'power off');
  assert.equal(m.reportedPower, 'Off');
  await power.reboot(n.ctx(), false);
  assert.equal(m.reportedPower, 'On');
  await power.setPowerState(n.ctx(), 'rebooting');
  assert.equal(m.reportedPower, 'On');
  await power.setPowerState(n.ctx(), 'soft power off');
  assert.equal(m.reportedPower, 'Off');
});

test('getPowerState maps PoweringOn to power on and PoweringOff to power off, as Ironic does', async (t) => {
  const { lab, cache, node } = await redfishTestLab(t, { faults: [{ kind: 'powerTransition', ms: 400, machines: [0] }] }, { client: CLIENT, timings: TIMINGS });
  const power = new RedfishPower(cache);
  const m = lab.machine(0);
  m.reset('On', 400);
  assert.equal(m.reportedPower, 'PoweringOn');
  assert.equal(await power.getPowerState(node(0).ctx()), 'power on');
  m.transition.cancel();
  m.power = 'On';
  m.reset('ForceOff', 400);
  assert.equal(m.reportedPower, 'PoweringOff');
  assert.equal(await power.getPowerState(node(0).ctx()), 'power off');
});

test('a reset refused with 409 during a transition is retried until the BMC accepts it', async (t) => {
  const { lab, cache, node } = await redfishTestLab(t, { faults: [{ kind: 'powerTransition', ms: 250, machines: [0] }] }, { client: CLIENT, timings: TIMINGS });
  const power = new RedfishPower(cache);
  const m = lab.machine(0);
  const resets = lab.faults.add({ kind: 'latency', ms: 0, machines: [0], methods: ['POST'], pathPrefix: '/redfish/v1/Systems' })[0]!;
  m.reset('On', 250); // someone else powered it on a moment ago
  assert.equal(m.reportedPower, 'PoweringOn');
  await power.setPowerState(node(0).ctx(), 'power off');
  assert.equal(m.reportedPower, 'Off');
  const posted = lab.faults.list().find((r) => r.id === resets.id)!.fired;
  assert.ok(posted >= 2, `the refused ForceOff was sent again (${posted} resets)`);
  // Powering on while the machine is still powering on: nothing to send, just wait for On.
  m.reset('On', 250);
  await power.setPowerState(node(0).ctx(), 'power on');
  assert.equal(m.reportedPower, 'On');
});

test('a target state not reached within the timeout is a clear DriverError naming what the BMC reports', async (t) => {
  const { lab, cache, node } = await redfishTestLab(t, { faults: [{ kind: 'powerTransition', ms: 3000, machines: [0] }] }, { client: CLIENT, timings: { ...TIMINGS, powerTimeoutS: 0.3 } });
  const power = new RedfishPower(cache);
  const n = node(0);
  await assert.rejects(power.setPowerState(n.ctx(), 'power on'), (e: unknown) => {
    assert.ok(e instanceof DriverError, String(e));
    assert.equal(e.message, `Node ${n.node.uuid} did not reach power state power on within 0.3 s; the BMC reports PoweringOn (Redfish BMC at ${lab.url}).`);
    assert.equal(e.retryable, true);
    return true;
  });
  // The BMC keeps refusing the reset for the whole timeout: the refusal is named.
  await assert.rejects(power.setPowerState(n.ctx(), 'power off'), (e: unknown) => {
    assert.ok(e instanceof DriverError, String(e));
    assert.match(e.message, new RegExp(`^Node ${n.node.uuid} did not reach power state power off within 0\\.3 s; the BMC reports PoweringOn `
      + '\\(it refused ResetType ForceOff with HTTP 409: The value ForceOff for the parameter ResetType cannot be applied in the current state of the resource\\.\\) '
      + `\\(Redfish BMC at ${lab.url.replace(/[.]/g, '\\.')}\\)\\.$`));
    return true;
  });
});
