/** The placeholders: real properties, honest failures. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DriverError, InvalidError } from '../../core/errors.ts';
import { makeTestContext, makeTestNode } from '../../testing/driver-conformance.ts';
import { isPlaceholder } from '../shared/extensions.ts';
import {
  AgentInspectPlaceholder, AgentRaidPlaceholder, FlatNetworkPlaceholder, PxeBootPlaceholder,
} from './index.ts';
import { DirectDeploy } from '../agent/index.ts';
import { loadAgentConfig } from '../../core/agent-config.ts';

const PORT = { uuid: 'p1', address: '52:54:00:12:34:56', pxe_enabled: true, physical_network: null, extra: {} };
const node = makeTestNode({ driver: 'manual-management', driver_info: { deploy_kernel: 'k', deploy_ramdisk: 'r' } });
const ctx = makeTestContext({ node, ports: [PORT] });

test('messages say what is missing and what to use instead', async () => {
  const cases = [
    [new PxeBootPlaceholder('pxe'), "boot interface 'pxe' is not implemented in this Ingot build (it requires a PXE/TFTP boot server and the ironic-python-agent deploy ramdisk, which Ingot does not provide yet); use boot_interface 'fake' instead."],
    [new PxeBootPlaceholder('ipxe'), "boot interface 'ipxe' is not implemented in this Ingot build (it requires an iPXE/HTTP boot server and the ironic-python-agent deploy ramdisk, which Ingot does not provide yet); use boot_interface 'fake' instead."],
    [new AgentRaidPlaceholder(), "raid interface 'agent' is not implemented in this Ingot build (it requires the ironic-python-agent ramdisk to build RAID in-band, which Ingot does not provide yet); use raid_interface 'fake' or 'no-raid' instead."],
    [new AgentInspectPlaceholder(), "inspect interface 'agent' is not implemented in this Ingot build (it requires the ironic-python-agent ramdisk for in-band inspection, which Ingot does not provide yet); use inspect_interface 'fake' or 'no-inspect' instead."],
    [new FlatNetworkPlaceholder(), "network interface 'flat' is not implemented in this Ingot build (it requires OpenStack Networking (neutron) to bind ports, which Ingot does not provide yet); use network_interface 'noop' instead."],
  ] as const;
  for (const [impl, text] of cases) {
    assert.equal(isPlaceholder(impl), true);
    await assert.rejects(impl.validate(ctx), (e: unknown) => e instanceof InvalidError && e.message === `Node ${node.uuid}: ${text}`);
  }
});

test('operations throw a non-retryable not_implemented DriverError', async () => {
  const isNotImpl = (e: unknown) => e instanceof DriverError && e.reason === 'not_implemented' && !e.retryable && e.message.includes('is not implemented');
  await assert.rejects(new PxeBootPlaceholder('ipxe').prepareRamdisk(ctx, 'deploy'), isNotImpl);
  await assert.rejects(new AgentInspectPlaceholder().inspect(ctx), isNotImpl);
  await assert.rejects(new AgentRaidPlaceholder().executeStep(ctx, 'create_configuration', {}), isNotImpl);
});

test('pxe/ipxe validate runs Ironic node checks first', async () => {
  const b = new PxeBootPlaceholder('ipxe');
  const bare = makeTestNode();
  await assert.rejects(b.validate(makeTestContext({ node: bare })), (e: unknown) =>
    e instanceof InvalidError && e.message === `Node ${bare.uuid} does not have any port associated with it`);
  await assert.rejects(b.validate(makeTestContext({ node: bare, ports: [PORT] })), (e: unknown) =>
    e instanceof InvalidError && e.message === "Cannot validate PXE bootloader. Some parameters were missing in node's driver_info and configuration. Missing are: ['deploy_kernel', 'deploy_ramdisk']");
  const ramdisk = makeTestNode({ deploy_interface: 'ramdisk' });
  await assert.rejects(b.validate(makeTestContext({ node: ramdisk, ports: [PORT] })), /is not implemented/);
});

test('properties are Ironic 21.4 texts', () => {
  const pxe = new PxeBootPlaceholder('pxe').properties();
  assert.deepEqual(Object.keys(pxe), ['deploy_kernel', 'deploy_ramdisk', 'force_persistent_boot_device', 'rescue_kernel', 'rescue_ramdisk', 'kernel_append_params']);
  assert.deepEqual(new PxeBootPlaceholder('ipxe').properties(), pxe);
  assert.equal(pxe.deploy_ramdisk, 'UUID (from Glance) of the ramdisk that is mounted at boot time. Required.');
  for (const impl of [new AgentRaidPlaceholder(), new AgentInspectPlaceholder(), new FlatNetworkPlaceholder()]) {
    assert.deepEqual(impl.properties(), {}, impl.name);
  }
});

test('steps are Ironic declarations (the real direct deploy too); agent RAID validates configs for real', async () => {
  const direct = new DirectDeploy(loadAgentConfig({}, '/tmp'), { httpRoot: '/tmp', httpUrl: 'http://127.0.0.1:1' });
  assert.deepEqual(direct.steps.map((s) => [s.step, s.deployPriority]),
    [['boot_instance', 20], ['deploy', 100], ['prepare_instance_boot', 60], ['switch_to_tenant_network', 30], ['tear_down_agent', 40], ['write_image', 80]]);
  assert.equal(direct.properties().deploy_ramdisk, 'UUID (from Glance) of the ramdisk with agent that is used at deploy time. Required.');
  assert.equal(Object.keys(direct.properties()).length, 8);
  const raid = new AgentRaidPlaceholder();
  assert.deepEqual(raid.steps?.map((s) => [s.step, s.cleanPriority, s.deployPriority]),
    [['apply_configuration', undefined, 0], ['create_configuration', 0, undefined], ['delete_configuration', 0, undefined]]);
  await raid.validateRaidConfig(ctx, { logical_disks: [{ size_gb: 'MAX', raid_level: '5' }] });
  await assert.rejects(raid.validateRaidConfig(ctx, { logical_disks: [{ size_gb: 10 }] }), /'raid_level' is a required property/);
  assert.equal(Object.keys(raid.logicalDiskProperties()).length, 10);
});
