/**
 * Redfish BIOS against the lab: caching with registry facts, apply_configuration (pending
 * until the reboot the step performs, then verified), factory_reset, failures.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DriverError, InvalidError } from '../../core/errors.ts';
import { RedfishBios } from './bios.ts';
import { redfishTestLab } from '../../testing/redfish-harness.ts';

test('cacheSettings: attributes as Ironic shows them, with the registry facts', async (t) => {
  const { cache, node } = await redfishTestLab(t);
  const settings = await new RedfishBios(cache).cacheSettings(node(0).ctx());
  const by = new Map(settings.map((s) => [s.name, s]));
  assert.equal(settings.length, 13);
  assert.deepEqual(by.get('ProcTurboMode'), {
    name: 'ProcTurboMode', value: 'Enabled', attribute_type: 'Enumeration', allowable_values: ['Enabled', 'Disabled'],
    lower_bound: null, upper_bound: null, min_length: null, max_length: null, read_only: false, reset_required: null, unique: null,
  });
  assert.equal(by.get('PxeRetries')!.value, '3');
  assert.deepEqual([by.get('PxeRetries')!.lower_bound, by.get('PxeRetries')!.upper_bound], [0, 10]);
  assert.equal(by.get('SriovGlobalEnable')!.value, '0', 'the reference Ironic lists a false attribute as "0"');
  assert.equal(by.get('SystemModelName')!.read_only, true);
});

test('apply_configuration: settings stay pending until the reboot the step performs, then are verified and cached', async (t) => {
  const { lab, cache, node } = await redfishTestLab(t);
  const bios = new RedfishBios(cache);
  const n = node(0);
  const m = lab.machines[0]!;
  const seen: string[] = [];
  lab.hooks.onEvent((e) => {
    if (e.type === 'biosPending') seen.push(`pending:${JSON.stringify(e.pending)}`);
    if (e.type === 'biosApplied') seen.push('applied');
    if (e.type === 'power') seen.push(`power:${e.state}`);
  });
  const out = await bios.executeStep(n.ctx(), 'apply_configuration', {
    settings: [{ name: 'ProcTurboMode', value: 'Disabled' }, { name: 'PxeRetries', value: '5' }, { name: 'SriovGlobalEnable', value: 'True' }],
  });
  assert.equal(out, 'done');
  assert.deepEqual(seen, ['pending:{"ProcTurboMode":"Disabled","PxeRetries":5,"SriovGlobalEnable":true}', 'applied', 'power:On'],
    'string values typed by the registry; pending until the power on the step performs');
  assert.deepEqual([m.bios!.current.ProcTurboMode, m.bios!.current.PxeRetries, m.bios!.current.SriovGlobalEnable], ['Disabled', 5, true]);
  assert.equal(m.power, 'On', 'the node was rebooted to apply them');
  assert.equal(n.node.driver_internal_info.post_config_reboot_requested, null);
  assert.equal(n.node.driver_internal_info.requested_bios_attrs, null);
  assert.equal(n.bios.find((s) => s.name === 'ProcTurboMode')!.value, 'Disabled', 'the cache was refreshed');
  assert.deepEqual(bios.steps.map((s) => s.step), ['apply_configuration', 'factory_reset']);
});

test('apply_configuration: the BMC refusing a value and a value that never applies are clear failures', async (t) => {
  const { lab, cache, node } = await redfishTestLab(t);
  const bios = new RedfishBios(cache);
  const n = node(0);
  await assert.rejects(bios.applyConfiguration(n.ctx(), [{ name: 'ProcTurboMode', value: 'Sideways' }]), (e: unknown) => {
    assert.ok(e instanceof DriverError && !e.retryable);
    assert.match(e.message, /^Redfish BIOS apply configuration failed for node .*: Redfish BMC at http:\/\/127\.0\.0\.1:\d+: PATCH \/redfish\/v1\/Systems\/.*\/Bios\/Settings failed with HTTP 400: .*Sideways/);
    return true;
  });
  lab.hooks.onEvent((e) => { if (e.type === 'biosApplied' && !e.reset) lab.machines[0]!.bios!.current.NicBoot2 = 'Disabled'; });
  await assert.rejects(bios.applyConfiguration(n.ctx(), [{ name: 'NicBoot2', value: 'NetworkBoot' }]), (e: unknown) =>
    e instanceof DriverError
    && e.message.endsWith(`Redfish BIOS apply_configuration step failed for node ${n.node.uuid}. Attributes {'NicBoot2': 'NetworkBoot'} are not updated.`));
  assert.equal(n.node.driver_internal_info.post_config_reboot_requested, null, 'flags cleared after the failure');
  await assert.rejects(bios.applyConfiguration(n.ctx(), 'nope'), InvalidError);
});

test('apply_configuration re-entered after the reboot only verifies', async (t) => {
  const { lab, cache, node } = await redfishTestLab(t);
  const n = node(1, { driver_internal_info: { post_config_reboot_requested: true, requested_bios_attrs: { PowerProfile: 'Balanced' } } });
  let patched = false;
  lab.hooks.onEvent((e) => { if (e.type === 'biosPending') patched = true; });
  await new RedfishBios(cache).applyConfiguration(n.ctx(), [{ name: 'PowerProfile', value: 'Balanced' }]);
  assert.equal(patched, false);
  assert.equal(n.node.driver_internal_info.post_config_reboot_requested, null);
});

test('factory_reset restores the registry defaults and caches them', async (t) => {
  const { lab, cache, node } = await redfishTestLab(t);
  const bios = new RedfishBios(cache);
  const n = node(0);
  await bios.applyConfiguration(n.ctx(), [{ name: 'PowerProfile', value: 'MaxPerf' }]);
  assert.equal(lab.machines[0]!.bios!.current.PowerProfile, 'MaxPerf');
  await bios.executeStep(n.ctx(), 'factory_reset', {});
  assert.equal(lab.machines[0]!.bios!.current.PowerProfile, 'Balanced');
  assert.equal(n.bios.find((s) => s.name === 'PowerProfile')!.value, 'Balanced');
  assert.equal(n.node.driver_internal_info.post_factory_reset_reboot_requested, null);
});
