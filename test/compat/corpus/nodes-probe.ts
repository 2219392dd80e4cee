/**
 * Node probes the other node files do not cover: nested PATCH paths (driver_info secrets,
 * properties, instance_info, missing parents and bad indexes), read-only fields, list
 * pagination with fields and sorting, boolean spellings of filters, sub-resources around
 * their version gates (indicators, history, bios, vifs, validate, console) and updates
 * refused in the active state.
 */
import type { Scenario, Step } from '../runner.ts';

const N = '/v1/nodes/${n}';
const patch = (ops: unknown, version = '1.82', path = N): Step => ({ method: 'PATCH', path, version, body: ops });
const prov = (target: string, extra: Record<string, unknown> = {}): Step =>
  ({ method: 'PUT', path: `${N}/states/provision`, body: { target, ...extra } });
const settle: Step = { wait: '${n}' };
const RC = 'resource_class=cmp-probe';
const mk = (i: number): Step => ({
  method: 'POST', path: '/v1/nodes',
  // Fixed UUIDs: sorting by uuid must give the same order on both servers.
  body: { driver: 'fake-hardware', name: `cmp-probe-${i}`, uuid: `7d1e0a2e-2222-4333-8444-${String(i * 104729).padStart(12, '0')}`, resource_class: 'cmp-probe' },
  capture: { [`p${i}`]: 'uuid' },
});

export const nodeProbeScenarios: Scenario[] = [
  {
    name: 'probe-node-patch-nested',
    steps: [
      { method: 'POST', path: '/v1/nodes', body: { driver: 'fake-hardware', name: 'cmp-probe-patch', properties: { cpus: 2, capabilities: 'boot_mode:bios' } }, capture: { n: 'uuid' } },
      patch([{ op: 'add', path: '/driver_info/ipmi_password', value: 'secret' }, { op: 'add', path: '/driver_info/ipmi_username', value: 'admin' }]),
      { path: `${N}?fields=driver_info` },
      patch([{ op: 'remove', path: '/driver_info/ipmi_password' }]),
      patch([{ op: 'add', path: '/extra/a/b', value: 1 }]),
      patch([{ op: 'add', path: '/extra/a', value: { b: 1 } }, { op: 'add', path: '/extra/a/c', value: [1] }]),
      patch([{ op: 'replace', path: '/extra/a/c', value: { d: null } }]),
      patch([{ op: 'replace', path: '/extra/zz/y', value: 1 }]),
      patch([{ op: 'add', path: '/extra/lst', value: [1, 'two'] }, { op: 'add', path: '/extra/lst/1', value: 'one' }]),
      patch([{ op: 'add', path: '/extra/lst/5/x', value: 1 }]),
      patch([{ op: 'add', path: '/extra/lst/x', value: 1 }]),
      patch([{ op: 'add', path: '/extra/a/b/x', value: 1 }]),
      patch([{ op: 'add', path: '/properties/capabilities', value: 'boot_mode:uefi,secure_boot:true' }, { op: 'replace', path: '/properties/cpus', value: '8' }]),
      patch([{ op: 'remove', path: '/properties' }]),
      patch([{ op: 'add', path: '/properties/local_gb', value: 10 }]),
      patch([{ op: 'add', path: '/instance_info/image_source', value: 'http://x/img' }, { op: 'add', path: '/instance_info/root_gb', value: '10' }]),
      patch([{ op: 'remove', path: '/instance_info' }]),
      patch([{ op: 'remove', path: '/extra' }]),
      patch([{ op: 'replace', path: '/driver_info', value: 'str' }]),
      patch([{ op: 'replace', path: '/maintenance_reason', value: 'r' }]),
      patch([{ op: 'replace', path: '/fault', value: 'power failure' }]),
      patch([{ op: 'replace', path: '/allocation_uuid', value: '1be26c0b-03f2-4d2e-ae87-c02d7f33c123' }]),
      patch([{ op: 'replace', path: '/power_state', value: 'power on' }]),
      patch([{ op: 'replace', path: '/console_enabled', value: true }]),
      patch([{ op: 'replace', path: '/automated_clean', value: null }]),
      patch([{ op: 'replace', path: '/owner', value: 42 }]),
      patch([{ op: 'replace', path: '/network_data', value: { links: [], networks: [], services: [] } }]),
      patch([{ op: 'replace', path: '/shard', value: 'cmp-probe-shard' }, { op: 'remove', path: '/shard' }]),
      patch([{ op: 'replace', path: '/chassis_uuid', value: 'not-a-uuid' }]),
      patch([{ op: 'replace', path: '/name', value: 'cmp-probe-patch-2' }], '1.4'),
      patch([{ op: 'add', path: '/extra/byname', value: 1 }], '1.5', '/v1/nodes/cmp-probe-patch'),
      { method: 'DELETE', path: '/v1/nodes/cmp-probe-patch', version: '1.4' },
      { method: 'DELETE', path: '/v1/nodes/cmp-probe-patch' },
    ],
  },
  {
    name: 'probe-node-lists',
    steps: [
      mk(1), mk(2), mk(3),
      { path: `/v1/nodes?${RC}&limit=1&fields=uuid,name` },
      { path: `/v1/nodes?${RC}&limit=2&sort_key=name&sort_dir=desc`, capture: { m: 'nodes.1.uuid' } },
      { path: `/v1/nodes?${RC}&limit=2&sort_key=name&sort_dir=desc&marker=\${m}` },
      { path: `/v1/nodes/detail?${RC}&limit=1&fields=uuid,provision_state` },
      { path: `/v1/nodes?${RC}&sort_key=id` },
      { path: `/v1/nodes?${RC}&sort_dir=ASC` },
      { path: `/v1/nodes?${RC}&maintenance=1` },
      { path: `/v1/nodes?${RC}&associated=no` },
      { path: `/v1/nodes?${RC}&retired=bogus` },
      { path: `/v1/nodes?${RC}&limit=1`, version: '1.1' },
      { path: `/v1/nodes?${RC}&driver=fake-hardware&maintenance=false&associated=false&provision_state=enroll&fields=name` },
      ...[1, 2, 3].map((i): Step => ({ method: 'DELETE', path: `/v1/nodes/\${p${i}}` })),
    ],
  },
  {
    name: 'probe-node-subresources',
    steps: [
      { method: 'POST', path: '/v1/nodes', body: { driver: 'fake-hardware', name: 'cmp-probe-sub' }, capture: { n: 'uuid' } },
      { method: 'POST', path: '/v1/ports', body: { node_uuid: '${n}', address: '52:54:00:12:34:56' }, capture: { port: 'uuid' } },
      { path: `${N}/management/indicators`, version: '1.62' },
      { path: `${N}/management/indicators/led@system` },
      { method: 'PUT', path: `${N}/management/indicators/led@system`, body: { state: 'PURPLE' } },
      { method: 'PUT', path: `${N}/management/boot_device`, body: { boot_device: 'disk', persistent: 'maybe' } },
      { method: 'POST', path: `${N}/vifs`, body: { id: 'vif-a' } },
      { method: 'POST', path: `${N}/vifs`, body: { id: 'vif-b' } },
      { method: 'POST', path: `${N}/vifs`, body: { id: 'vif-probe', bogus: 1 } },
      { path: `${N}/vifs` },
      { method: 'DELETE', path: `${N}/vifs/vif-a`, version: '1.27' },
      { method: 'DELETE', path: `${N}/vifs/vif-a` },
      { method: 'DELETE', path: `${N}/vifs/not-attached` },
      { path: `${N}/history?fields=uuid,event` },
      { path: `${N}/history/00000000-0000-0000-0000-000000000000` },
      { path: `${N}/bios/nope`, version: '1.40' },
      { path: '/v1/nodes/validate?node=cmp-probe-sub', version: '1.4' },
      { method: 'PUT', path: `${N}/states/console`, body: { enabled: true }, version: '1.1' },
      { method: 'PUT', path: `${N}/traits`, body: { traits: ['CUSTOM_A', 'CUSTOM_A'] } },
      { method: 'DELETE', path: `${N}/traits/CUSTOM_NOPE` },
      prov('abort'),
      prov('manage'), settle,
      prov('provide'), settle,
      prov('active'), settle,
      // Refused in active: the state check comes before the interface's validity.
      patch([{ op: 'replace', path: '/network_interface', value: 'flat' }]),
      patch([{ op: 'remove', path: '/boot_interface' }]),
      { method: 'PUT', path: `${N}/states/boot_mode`, body: { target: 'uefi' } },
      prov('deleted'), settle,
      { method: 'DELETE', path: '/v1/ports/${port}' },
      { method: 'DELETE', path: N },
    ],
  },
];
