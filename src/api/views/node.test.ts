/**
 * The node view: node_sanitize's masking rules (oslo mask_dict_password, configdrive,
 * image_url, agent token), version gating and legacy states, and that a Node, a row
 * object and a row array of the same node render to the same text.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nodeRenderer, renderNode, renderNodeJson, type NodeViewContext } from './node.ts';
import type { Node } from '../../core/node.ts';

const ctx = (version: number): NodeViewContext => ({
  version, base: 'http://h:6385', chassisUuid: (id) => (id === 3 ? 'c0ffee00-0000-4000-8000-000000000003' : null),
  allocationUuid: () => null, conductorFor: () => 'cond-1',
});

function node(over: Partial<Node> = {}): Node {
  return {
    id: 7, uuid: '1be26c0b-03f2-4d2e-ae87-c02d7f33c123', name: 'n1', driver: 'fake-hardware',
    driver_info: {}, driver_internal_info: {}, extra: {}, instance_info: {}, instance_uuid: null, chassis_id: 3,
    console_enabled: false, last_error: null, maintenance: false, maintenance_reason: null, fault: null,
    power_state: 'power off', target_power_state: null, provision_state: 'available', target_provision_state: null,
    provision_updated_at: null, properties: { cpus: 4 }, reservation: null, inspection_started_at: null,
    inspection_finished_at: null, clean_step: {}, deploy_step: {}, raid_config: {}, target_raid_config: {},
    resource_class: 'baremetal', bios_interface: 'fake', boot_interface: 'fake', console_interface: 'no-console',
    deploy_interface: 'fake', inspect_interface: 'fake', management_interface: 'fake', network_interface: 'noop',
    power_interface: 'fake', raid_interface: 'fake', rescue_interface: 'fake', storage_interface: 'noop',
    vendor_interface: 'fake', conductor_group: '', conductor_affinity: null, automated_clean: null, protected: false,
    protected_reason: null, owner: null, lessee: null, description: 'say "hi"\n', allocation_id: null, retired: false,
    retired_reason: null, network_data: {}, boot_mode: null, secure_boot: true, shard: null, traits: ['CUSTOM_B'],
    created_at: '2026-11-28T00:00:00+00:00', updated_at: null,
    ...over,
  } as Node;
}

/** The same node as the database holds it: JSON columns as text, booleans as 0/1. */
function rowOf(n: Node): Record<string, unknown> {
  const r: Record<string, unknown> = { ...n };
  delete r.traits;
  for (const k of ['driver_info', 'driver_internal_info', 'extra', 'instance_info', 'properties', 'clean_step', 'deploy_step', 'raid_config', 'target_raid_config', 'network_data']) {
    r[k] = JSON.stringify((n as unknown as Record<string, unknown>)[k]);
  }
  for (const k of ['console_enabled', 'maintenance', 'protected', 'retired']) r[k] = (n as unknown as Record<string, unknown>)[k] ? 1 : 0;
  r.secure_boot = n.secure_boot === null ? null : n.secure_boot ? 1 : 0;
  return r;
}

test('driver_info is masked like oslo mask_dict_password', () => {
  const out = renderNode(node({ driver_info: {
    ipmi_address: '10.0.0.1', ipmi_password: 'p', ipmi_username: 'admin', nested: { auth_token: 't', keep: 1 },
    cmd: '--password hunter2', redfish_key_file: '/k', list_secret: [1, 2],
  } }), ctx(82));
  assert.deepEqual(out.driver_info, {
    ipmi_address: '10.0.0.1', ipmi_password: '******', ipmi_username: 'admin', nested: { auth_token: '******', keep: 1 },
    cmd: '--password ******', redfish_key_file: '/k', list_secret: '******',
  });
});

test('instance_info hides configdrive and image_url when set (Python truthiness), the agent token too', () => {
  const a = renderNode(node({ instance_info: { image_source: 'glance://x', image_url: 'http://swift/temp?sig=1', configdrive: { meta_data: {} } }, driver_internal_info: { agent_secret_token: 'tok', agent_url: 'http://a' } }), ctx(82));
  assert.deepEqual(a.instance_info, { image_source: 'glance://x', image_url: '******', configdrive: '******' });
  assert.deepEqual(a.driver_internal_info, { agent_secret_token: '******', agent_url: 'http://a' });
  const b = renderNode(node({ instance_info: { image_url: '', configdrive: {} }, driver_internal_info: { agent_secret_token: null } }), ctx(82));
  // mask_dict_password recurses into the (empty) configdrive dict; both are falsy, so shown.
  assert.deepEqual(b.instance_info, { image_url: '', configdrive: {} });
  assert.deepEqual(b.driver_internal_info, { agent_secret_token: null });
});

test('fields below their version are hidden; available is null below 1.2, inspect wait is inspecting below 1.39', () => {
  const old = renderNode(node(), ctx(1));
  assert.equal(old.provision_state, null);
  assert.ok(!('driver_internal_info' in old) && !('name' in old) && !('traits' in old) && !('states' in old));
  assert.equal(old.chassis_uuid, 'c0ffee00-0000-4000-8000-000000000003');
  assert.equal(renderNode(node({ provision_state: 'inspect wait' }), ctx(38)).provision_state, 'inspecting');
  assert.equal(renderNode(node({ provision_state: 'inspect wait' }), ctx(39)).provision_state, 'inspect wait');
  const cur = renderNode(node(), ctx(82));
  assert.equal(cur.provision_state, 'available');
  assert.deepEqual(cur.traits, ['CUSTOM_B']);
  assert.equal(cur.conductor, 'cond-1');
  assert.equal(cur.secure_boot, true);
  assert.deepEqual(cur.portgroups, [
    { href: 'http://h:6385/v1/nodes/1be26c0b-03f2-4d2e-ae87-c02d7f33c123/portgroups', rel: 'self' },
    { href: 'http://h:6385/nodes/1be26c0b-03f2-4d2e-ae87-c02d7f33c123/portgroups', rel: 'bookmark' },
  ]);
});

test('fields= keeps only the asked fields plus links, in Ironic order', () => {
  const out = renderNode(node(), ctx(82), ['name', 'uuid', 'traits']);
  assert.deepEqual(Object.keys(out), ['uuid', 'name', 'traits', 'links']);
});

test('a Node, its row object and its row array render to the same text at every version', () => {
  const samples = [
    node(),
    node({ driver_info: { ipmi_password: 'x', a: 'b' }, instance_info: { image_url: 'u' }, maintenance: true, secure_boot: null, provision_state: 'inspect wait', traits: [] }),
  ];
  for (const n of samples) {
    const row = rowOf(n);
    const cols = Object.keys(row);
    const arr = cols.map((k) => row[k]);
    const index = new Map(cols.map((k, i) => [k, i]));
    for (let v = 1; v <= 82; v++) {
      for (const fields of [undefined, ['uuid', 'driver_info', 'maintenance', 'traits']]) {
        const f = fields && v >= 37 ? fields : fields && v >= 8 ? ['uuid', 'driver_info'] : v >= 8 ? fields : undefined;
        const fromNode = renderNodeJson(n, ctx(v), f);
        assert.equal(renderNodeJson(row, ctx(v), f, n.traits), fromNode, `row object at 1.${v}`);
        assert.equal(nodeRenderer(ctx(v), f, index)(arr, n.traits), fromNode, `row array at 1.${v}`);
        JSON.parse(fromNode);
      }
    }
  }
});
