/** Agent session wipes around reboots, and the boot mode rule. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadAgentConfig } from '../../core/agent-config.ts';
import { makeTestContext, makeTestNode } from '../../testing/driver-conformance.ts';
import { builtinFactories } from '../implementations.ts';
import { DriverRegistry } from '../registry.ts';
import { DEFAULT_ENABLED } from '../../config/config.ts';
import { bootModeOf, rebootIntoRamdisk } from './power-flow.ts';

const registry = new DriverRegistry({ enabledHardwareTypes: ['manual-management'], enabledInterfaces: DEFAULT_ENABLED, defaultInterfaces: {} }, builtinFactories());
const fields = { driver: 'manual-management', power_interface: 'fake', management_interface: 'noop', deploy_interface: 'direct' };

test('reboot into the ramdisk: a new session, except a token the boot media carries', async () => {
  const driver = registry.compose(fields);
  const plain = makeTestContext({ driver, node: makeTestNode({ ...fields, power_state: 'power on', driver_internal_info: { agent_secret_token: 't', agent_url: 'http://a', agent_cached_clean_steps: {} } }) });
  await rebootIntoRamdisk(plain, 'deploy');
  assert.ok('agent_secret_token' in plain.internalInfo && plain.internalInfo.agent_secret_token === undefined);
  assert.ok('agent_url' in plain.internalInfo && plain.internalInfo.agent_url === undefined);
  assert.ok('agent_cached_clean_steps' in plain.internalInfo);
  const pre = makeTestContext({ driver, node: makeTestNode({ ...fields, power_state: 'power off', driver_internal_info: { agent_secret_token: 't', agent_secret_token_pregenerated: true } }) });
  await rebootIntoRamdisk(pre, 'deploy');
  assert.equal('agent_secret_token' in pre.internalInfo, false, 'a pre-generated token stays');
  assert.equal(pre.node.power_state, 'power on');
});

test('boot mode: instance_info, then capabilities, then [deploy] default_boot_mode', () => {
  const cfg = loadAgentConfig({}, '/tmp');
  assert.equal(bootModeOf(makeTestNode(), cfg), 'uefi');
  assert.equal(bootModeOf(makeTestNode(), loadAgentConfig({ INGOT_DEFAULT_BOOT_MODE: 'bios' }, '/tmp')), 'bios');
  assert.equal(bootModeOf(makeTestNode({ properties: { capabilities: 'boot_mode:bios,x:y' } }), cfg), 'bios');
  assert.equal(bootModeOf(makeTestNode({ properties: { capabilities: 'boot_mode:bios' }, instance_info: { deploy_boot_mode: 'uefi' } }), cfg), 'uefi');
  assert.equal(bootModeOf(makeTestNode({ instance_info: { capabilities: { secure_boot: 'true' } }, properties: { capabilities: 'boot_mode:bios' } }), cfg), 'uefi');
  assert.throws(() => loadAgentConfig({ INGOT_IMAGE_DOWNLOAD_SOURCE: 'ftp' }, '/tmp'), /INGOT_IMAGE_DOWNLOAD_SOURCE: invalid value "ftp"; expected one of http, local, swift/);
});
