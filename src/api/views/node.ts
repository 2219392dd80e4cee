/**
 * Node → JSON as Ironic renders it at a given microversion: fields hidden below their
 * version, secrets masked, links, legacy state names.
 */
import { NODE_FIELD_VERSIONS, supports as supportsAt } from '../../contracts/versions.ts';
import type { Node, Json } from '../../core/node.ts';
import { ProvisionState as S } from '../../core/states.ts';
import { makeLinks } from '../context.ts';

const SECRET_RE = /(password|secret|token|_key|passphrase|credential)/i;

/** oslo's mask_dict_password, recursively. */
export function maskSecrets(d: Json): Json {
  const out: Json = {};
  for (const [k, v] of Object.entries(d)) {
    if (SECRET_RE.test(k) && (typeof v === 'string' || typeof v === 'number')) out[k] = '******';
    else if (v && typeof v === 'object' && !Array.isArray(v)) out[k] = maskSecrets(v as Json);
    else out[k] = v;
  }
  return out;
}

export interface NodeViewContext {
  version: number;
  base: string;
  chassisUuid: (id: number | null) => string | null;
  allocationUuid: (id: number | null) => string | null;
  conductorFor: (n: Node) => string | null;
}

/** Stored node fields in the order 21.4 emits them (alphabetical, inspection quirk). */
const STORED_FIELDS = [
  'automated_clean', 'bios_interface', 'boot_interface', 'boot_mode', 'clean_step', 'conductor_group',
  'console_enabled', 'console_interface', 'deploy_interface', 'deploy_step', 'description', 'driver',
  'driver_info', 'driver_internal_info', 'extra', 'fault', 'inspection_finished_at', 'inspection_started_at',
  'inspect_interface', 'instance_info', 'instance_uuid', 'last_error', 'lessee', 'maintenance',
  'maintenance_reason', 'management_interface', 'name', 'network_data', 'network_interface', 'owner',
  'power_interface', 'power_state', 'properties', 'protected', 'protected_reason', 'provision_state',
  'provision_updated_at', 'raid_config', 'raid_interface', 'rescue_interface', 'reservation',
  'resource_class', 'retired', 'retired_reason', 'secure_boot', 'shard', 'storage_interface',
  'target_power_state', 'target_provision_state', 'target_raid_config', 'traits', 'vendor_interface',
] as const;

/** All API field names of a node at a version (for `fields=` validation). */
export function nodeFieldsAt(version: number): Set<string> {
  const s = new Set<string>();
  for (const [f, v] of Object.entries(NODE_FIELD_VERSIONS)) if (version >= v) s.add(f);
  return s;
}

/** Render one node. `fields` (already validated) restricts the output. */
export function renderNode(n: Node, ctx: NodeViewContext, fields?: readonly string[]): Record<string, unknown> {
  const v = ctx.version;
  const want = (f: string) => (!fields || fields.includes(f)) && v >= (NODE_FIELD_VERSIONS[f] ?? 999);
  const out: Record<string, unknown> = {};
  if (want('uuid')) out.uuid = n.uuid;
  if (want('created_at')) out.created_at = n.created_at;
  if (want('updated_at')) out.updated_at = n.updated_at;
  const src = n as unknown as Record<string, unknown>;
  for (const f of STORED_FIELDS) {
    if (!want(f)) continue;
    let val = src[f];
    if (f === 'driver_info') val = maskSecrets(n.driver_info);
    else if (f === 'instance_info') {
      const ii = maskSecrets(n.instance_info);
      if (ii.configdrive) ii.configdrive = '******';
      if (ii.image_url) ii.image_url = '******';
      val = ii;
    } else if (f === 'driver_internal_info' && n.driver_internal_info.agent_secret_token) {
      val = { ...n.driver_internal_info, agent_secret_token: '******' };
    } else if (f === 'provision_state' || f === 'target_provision_state') {
      val = legacyState(val as string | null, v);
    }
    out[f] = val;
  }
  out.links = makeLinks(ctx.base, 'nodes', n.uuid);
  if (want('conductor')) out.conductor = ctx.conductorFor(n);
  if (want('allocation_uuid')) out.allocation_uuid = ctx.allocationUuid(n.allocation_id);
  if (want('chassis_uuid')) out.chassis_uuid = ctx.chassisUuid(n.chassis_id);
  if (!fields) {
    const sub = (name: string) => makeLinks(ctx.base, 'nodes', `${n.uuid}/${name}`);
    out.ports = sub('ports');
    if (supportsAt(v, 'states_links')) out.states = sub('states');
    if (supportsAt(v, 'portgroup_subresources')) out.portgroups = sub('portgroups');
    if (supportsAt(v, 'volume')) out.volume = sub('volume');
  }
  return out;
}

/** Below 1.2 `available` is shown as null; below 1.39 `inspect wait` as `inspecting`. */
export function legacyState(s: string | null, version: number): string | null {
  if (s === S.AVAILABLE && !supportsAt(version, 'available_state')) return null;
  if (s === S.INSPECT_WAIT && !supportsAt(version, 'inspect_wait')) return S.INSPECTING;
  return s;
}
