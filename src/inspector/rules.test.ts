/** Rules, hooks, hints and LLDP parsing of the built-in inspector, as pure functions. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyRules, validateRule, formatValue, RuleError, type Rule } from './rules.ts';
import { findAll } from './jsonpath.ts';
import { matchRootDevice } from './hints.ts';
import { parseLldp, lldpLocalLink } from './lldp.ts';
import { DEFAULT_OPTIONS, runPostHooks, runPreHooks, ProcessingError } from './hooks.ts';

const GiB = 1024 ** 3;
const rule = (body: Record<string, unknown>): Rule => ({ ...validateRule(body), uuid: 'r' });

test('conditions: operators, coercion, multiple, invert, node:// and data://, missing fields', () => {
  const data = { memory_mb: '4096', cpus: 8, interfaces: { eth0: { ip: '10.0.0.5' }, eth1: { ip: '192.168.1.5' } }, inventory: { system_vendor: { product_name: 'PowerEdge R640' } } };
  const node = { driver_info: {}, properties: {} };
  const yes = (conds: unknown[]): boolean => applyRules([rule({ conditions: conds, actions: [{ action: 'add-trait', name: 'T' }] })], structuredClone(node), data).length === 1;
  assert.equal(yes([{ op: 'ge', field: 'memory_mb', value: 4096 }]), true); // '4096' coerced to a number
  assert.equal(yes([{ op: 'gt', field: 'memory_mb', value: 4096 }]), false);
  assert.equal(yes([{ op: 'lt', field: 'cpus', value: 16 }, { op: 'ne', field: 'cpus', value: 4 }]), true);
  assert.equal(yes([{ op: 'in-net', field: 'interfaces.*.ip', value: '192.168.1.0/24' }]), true); // any
  assert.equal(yes([{ op: 'in-net', field: 'interfaces.*.ip', value: '192.168.1.0/24', multiple: 'all' }]), false);
  assert.equal(yes([{ op: 'in-net', field: 'interfaces.*.ip', value: '192.168.1.0/24', multiple: 'first' }]), false);
  assert.equal(yes([{ op: 'matches', field: 'inventory.system_vendor.product_name', value: 'PowerEdge' }]), false); // anchored
  assert.equal(yes([{ op: 'matches', field: 'inventory.system_vendor.product_name', value: 'PowerEdge.*' }]), true);
  assert.equal(yes([{ op: 'contains', field: 'data://inventory.system_vendor.product_name', value: 'R6[0-9]0' }]), true);
  assert.equal(yes([{ op: 'is-empty', field: 'node://driver_info.ipmi_address' }]), true); // missing counts as empty
  assert.equal(yes([{ op: 'is-empty', field: 'node://driver_info.ipmi_address', invert: true }]), false);
  assert.equal(yes([{ op: 'eq', field: 'no.such.field', value: 1 }]), false); // missing: rule not applied
});

test('actions: set-attribute with formatting, set-capability, extend-attribute unique, traits, fail; scope', () => {
  const node: Record<string, any> = { driver_info: {}, properties: { capabilities: 'boot_mode:uefi', inspection_scope: 'rack1' }, extra: {}, traits: ['OLD'] };
  const data = { inventory: { bmc_address: '10.1.1.1' } };
  applyRules([
    rule({ conditions: [], actions: [
      { action: 'set-attribute', path: '/driver_info/ipmi_address', value: '{data[inventory][bmc_address]}' },
      { action: 'set-capability', name: 'rack', value: 'r1' },
      { action: 'extend-attribute', path: '/extra/tags', value: 'a', unique: true },
      { action: 'extend-attribute', path: '/extra/tags', value: 'a', unique: true },
      { action: 'add-trait', name: 'NEW' }, { action: 'remove-trait', name: 'OLD' },
    ] }),
    rule({ scope: 'other', conditions: [], actions: [{ action: 'set-attribute', path: '/extra/scoped', value: 1 }] }),
  ], node, data);
  assert.equal(node.driver_info.ipmi_address, '10.1.1.1');
  assert.equal(node.properties.capabilities, 'boot_mode:uefi,rack:r1');
  assert.deepEqual(node.extra.tags, ['a']);
  assert.equal(node.extra.scoped, undefined);
  assert.deepEqual(node.traits, ['NEW']);
  assert.throws(() => applyRules([rule({ conditions: [], actions: [{ action: 'fail', message: 'too small' }] })], node, data), (e: Error) => e instanceof ProcessingError && e.message === 'too small');
  assert.throws(() => formatValue('{data[nope]}', data), /Invalid formatting variable key/);
  assert.equal(formatValue('{{literal}}', data), '{literal}');
});

test('rule validation refuses what inspector refuses', () => {
  const bad = (b: unknown, re: RegExp): void => assert.throws(() => validateRule(b), (e: Error) => e instanceof RuleError && re.test(e.message));
  bad({ conditions: [], actions: [] }, /actions: \[\] is too short/);
  bad({ conditions: [{ op: 'eq', field: 'x' }], actions: [{ action: 'fail', message: 'm' }] }, /Invalid parameters for operator eq: missing required parameter\(s\): value/);
  bad({ conditions: [{ op: 'in-net', field: 'x', value: '300.0.0.0/8' }], actions: [{ action: 'fail', message: 'm' }] }, /operator in-net/);
  bad({ conditions: [{ op: 'matches', field: 'x', value: '(' }], actions: [{ action: 'fail', message: 'm' }] }, /invalid regular expression/);
  bad({ conditions: [{ op: 'eq', field: 'ftp://x', value: 1 }], actions: [{ action: 'fail', message: 'm' }] }, /Unsupported scheme for field: ftp/);
  bad({ conditions: [], actions: [{ action: 'set-attribute', path: '/x' }] }, /missing required parameter\(s\): value/);
  bad({ conditions: [], actions: [{ action: 'teleport' }] }, /is not one of/);
  bad({ uuid: 'x', conditions: [], actions: [{ action: 'fail', message: 'm' }] }, /Invalid UUID value/);
});

test('jsonpath subset', () => {
  const d = { a: { b: [{ c: 1 }, { c: 2 }] }, 'x-y': 3 };
  assert.deepEqual(findAll(d, 'a.b[*].c'), [1, 2]);
  assert.deepEqual(findAll(d, '$.a.b[1].c'), [2]);
  assert.deepEqual(findAll(d, 'x-y'), [3]);
  assert.deepEqual(findAll(d, 'a.zz'), []);
});

test('root device hints and local_gb (GiB − 1), overwrite, diskless', () => {
  const disks = [{ name: '/dev/sda', size: 500 * GiB, model: 'Big', rotational: true }, { name: '/dev/sdb', size: 100 * GiB, model: 'Small SSD', rotational: false }];
  assert.equal(matchRootDevice(disks, { size: '>= 200' })?.name, '/dev/sda');
  assert.equal(matchRootDevice(disks, { name: 'sdb' })?.name, '/dev/sdb');
  assert.equal(matchRootDevice(disks, { model: '<in> ssd' })?.name, '/dev/sdb');
  assert.equal(matchRootDevice(disks, { rotational: false, size: 100 })?.name, '/dev/sdb');
  assert.throws(() => matchRootDevice(disks, { colour: 'red' }), /No such root device hint/);
  const data = { inventory: { interfaces: [{ name: 'eth0', mac_address: '52:54:00:00:00:01', ipv4_address: '10.0.0.1' }], disks, cpu: { count: 4, architecture: 'aarch64', flags: ['aes'] }, memory: { physical_mb: 8192 } }, boot_interface: '52:54:00:00:00:01' };
  assert.deepEqual(runPreHooks(data, DEFAULT_OPTIONS), []);
  const patch = runPostHooks(data, { uuid: 'n', properties: { root_device: { size: '>= 200' } }, provision_state: 'inspect wait', ports: [] }, DEFAULT_OPTIONS);
  assert.deepEqual(patch.properties, { local_gb: '499', cpus: '4', cpu_arch: 'aarch64', memory_mb: '8192', capabilities: 'cpu_aes:true' });
  assert.deepEqual([...patch.ports], [['52:54:00:00:00:01', { create: true, pxe_enabled: true }]]);
  assert.throws(() => runPostHooks(structuredClone(data), { uuid: 'n', properties: { root_device: { size: 9999 } }, provision_state: 'inspect wait', ports: [] }, DEFAULT_OPTIONS), /No disks satisfied root device hints/);
  const diskless: Record<string, unknown> = { ...structuredClone(data), inventory: { ...structuredClone(data.inventory), disks: [] } };
  delete diskless.root_disk; // the first run stored its choice in the data
  runPreHooks(diskless, DEFAULT_OPTIONS);
  assert.equal(runPostHooks(diskless, { uuid: 'n', properties: {}, provision_state: 'manageable', ports: [] }, DEFAULT_OPTIONS).properties.local_gb, '0');
  assert.deepEqual(runPreHooks({ error: 'disk on fire', inventory: data.inventory }, DEFAULT_OPTIONS), ['Preprocessing hook ramdisk_error: Ramdisk reported error: disk on fire']);
});

test('LLDP: processed fields and the local_link_connection they give', () => {
  const tlvs: [number, string][] = [
    [1, '04' + '885a92ec5459'], // chassis id, MAC subtype
    [2, '05' + Buffer.from('Ethernet1/18').toString('hex')], // port id, interface name
    [5, Buffer.from('sw-01').toString('hex')],
  ];
  const p = parseLldp(tlvs);
  assert.deepEqual(p, { switch_chassis_id: '88:5a:92:ec:54:59', switch_port_id: 'Ethernet1/18', switch_system_name: 'sw-01' });
  assert.deepEqual(lldpLocalLink(tlvs, undefined), { switch_id: '88:5a:92:ec:54:59', port_id: 'Ethernet1/18' });
  assert.deepEqual(lldpLocalLink(tlvs, p), { switch_id: '88:5a:92:ec:54:59', port_id: 'Ethernet1/18' });
  const opts = { ...DEFAULT_OPTIONS, hooks: [...DEFAULT_OPTIONS.hooks, 'lldp_basic', 'local_link_connection', 'physnet_cidr_map'], physnetCidrMap: [['10.0.0.0/24', 'physnet-a']] as [string, string][] };
  const data = { inventory: { interfaces: [{ name: 'eth0', mac_address: '52:54:00:00:00:01', ipv4_address: '10.0.0.1', lldp: tlvs }], disks: [], cpu: { count: 1, architecture: 'x86_64' }, memory: { physical_mb: 1024 } }, boot_interface: '52:54:00:00:00:01' };
  runPreHooks(data, opts);
  const patch = runPostHooks(data, { uuid: 'n', properties: {}, provision_state: 'inspect wait', ports: [] }, opts);
  assert.deepEqual(patch.ports.get('52:54:00:00:00:01'), { create: true, pxe_enabled: true, local_link_connection: { switch_id: '88:5a:92:ec:54:59', port_id: 'Ethernet1/18' }, physical_network: 'physnet-a' });
});
