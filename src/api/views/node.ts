/**
 * Node → JSON as Ironic renders it at a given microversion: fields hidden below their
 * version, secrets masked (node_sanitize), links, legacy state names.
 *
 * The renderer writes JSON text directly, because listing nodes is the API's hottest
 * read (a `?detail=True` page is 500–1000 nodes). It takes either a `Node` or a raw
 * database row: the JSON columns of a row are already JSON text (written by
 * JSON.stringify, so canonical), and are copied as they are unless masking could change
 * them. Which fields to write, and how, is planned once per (version, fields).
 */
import { NODE_FIELD_VERSIONS, supports as supportsAt } from '../../contracts/versions.ts';
import type { Node, Json } from '../../core/node.ts';
import { ProvisionState as S } from '../../core/states.ts';
import { maskDictPassword, mayHoldSecret, SECRET } from './secrets.ts';

export interface NodeViewContext {
  version: number;
  base: string;
  chassisUuid: (id: number | null) => string | null;
  allocationUuid: (id: number | null) => string | null;
  /** The conductor that owns a node (its `conductor` field): the hash ring's answer. */
  conductorFor: (node: { uuid: string; driver: string; conductor_group: string | null }) => string | null;
}

/**
 * What the renderer reads: a `Node`, a `nodes` row object, or a `nodes` row as an array
 * (with its column map, see NodeRepo.listRows). Rows hold JSON columns as text and
 * booleans as 0/1; their traits are passed alongside.
 */
export type NodeSource = Node | Readonly<Record<string, unknown>> | readonly unknown[];

/** How one field is written. */
type Kind = 'str' | 'bool' | 'boolOrNull' | 'json' | 'driver_info' | 'instance_info' | 'driver_internal_info' | 'state' | 'traits';

/** Stored node fields in the order 21.4 emits them (alphabetical, inspection quirk). */
const STORED_FIELDS: readonly (readonly [string, Kind])[] = [
  ['automated_clean', 'boolOrNull'], ['bios_interface', 'str'], ['boot_interface', 'str'], ['boot_mode', 'str'],
  ['clean_step', 'json'], ['conductor_group', 'str'], ['console_enabled', 'bool'], ['console_interface', 'str'],
  ['deploy_interface', 'str'], ['deploy_step', 'json'], ['description', 'str'], ['driver', 'str'],
  ['driver_info', 'driver_info'], ['driver_internal_info', 'driver_internal_info'], ['extra', 'json'], ['fault', 'str'],
  ['inspection_finished_at', 'str'], ['inspection_started_at', 'str'], ['inspect_interface', 'str'],
  ['instance_info', 'instance_info'], ['instance_uuid', 'str'], ['last_error', 'str'], ['lessee', 'str'],
  ['maintenance', 'bool'], ['maintenance_reason', 'str'], ['management_interface', 'str'], ['name', 'str'],
  ['network_data', 'json'], ['network_interface', 'str'], ['owner', 'str'], ['power_interface', 'str'],
  ['power_state', 'str'], ['properties', 'json'], ['protected', 'bool'], ['protected_reason', 'str'],
  ['provision_state', 'state'], ['provision_updated_at', 'str'], ['raid_config', 'json'], ['raid_interface', 'str'],
  ['rescue_interface', 'str'], ['reservation', 'str'], ['resource_class', 'str'], ['retired', 'bool'],
  ['retired_reason', 'str'], ['secure_boot', 'boolOrNull'], ['shard', 'str'], ['storage_interface', 'str'],
  ['target_power_state', 'str'], ['target_provision_state', 'state'], ['target_raid_config', 'json'],
  ['traits', 'traits'], ['vendor_interface', 'str'],
];

/**
 * The node fields `fields=` may name at a version (for its validation). As in 21.4
 * (_get_fields_for_node_query), the timestamps are shown but cannot be asked for.
 */
export function nodeFieldsAt(version: number): Set<string> {
  const s = new Set<string>();
  for (const [f, v] of Object.entries(NODE_FIELD_VERSIONS)) if (version >= v && f !== 'created_at' && f !== 'updated_at') s.add(f);
  return s;
}

/** Every node field `fields=` may name at some version. */
export const NODE_QUERY_FIELDS: ReadonlySet<string> = nodeFieldsAt(Number.MAX_SAFE_INTEGER);

interface Plan {
  head: { prefix: string; at: string | number }[];
  stored: { key: string; prefix: string; kind: Kind; at: string | number }[];
  conductor: boolean;
  allocation: boolean;
  chassis: boolean;
  /** Sub-resource link names (only without `fields`). */
  subs: string[];
}

const plans = new Map<string, Plan>();

function planFor(version: number, fields: readonly string[] | undefined): Plan {
  const key = `${version}|${fields ? fields.join(',') : '*'}`;
  let p = plans.get(key);
  if (p) return p;
  const want = (f: string) => (!fields || fields.includes(f)) && version >= (NODE_FIELD_VERSIONS[f] ?? 999);
  const subs: string[] = [];
  if (!fields) {
    subs.push('ports');
    if (supportsAt(version, 'states_links')) subs.push('states');
    if (supportsAt(version, 'portgroup_subresources')) subs.push('portgroups');
    if (supportsAt(version, 'volume')) subs.push('volume');
  }
  p = {
    head: ['uuid', 'created_at', 'updated_at'].filter(want).map((f) => ({ prefix: `"${f}":`, at: f })),
    stored: STORED_FIELDS.filter(([f]) => want(f)).map(([f, kind]) => ({ key: f, prefix: `"${f}":`, kind, at: f })),
    conductor: want('conductor'),
    allocation: want('allocation_uuid'),
    chassis: want('chassis_uuid'),
    subs,
  };
  // The key space is small (versions × the field lists clients actually send); bound it anyway.
  if (plans.size > 1000) plans.clear();
  plans.set(key, p);
  return p;
}

const str = (v: unknown): string => (v === null || v === undefined ? 'null' : JSON.stringify(v));
const bool = (v: unknown): string => (v === true || v === 1 ? 'true' : 'false');
const boolOrNull = (v: unknown): string => (v === null || v === undefined ? 'null' : bool(v));

/** JSON text of a JSON column: raw text from a row, or an object from a Node; NULL is {}. */
function jsonText(v: unknown): string {
  if (typeof v === 'string') return v === '' ? '{}' : v;
  return v === null || v === undefined ? '{}' : JSON.stringify(v);
}
function jsonValue(v: unknown): Json {
  if (typeof v === 'string') return v === '' ? {} : (JSON.parse(v) as Json);
  return (v ?? {}) as Json;
}

/** Python truthiness of a JSON value (an empty dict, list or string is false). */
function pyTruthy(v: unknown): boolean {
  if (v === null || v === undefined || v === false || v === 0 || v === '') return false;
  if (Array.isArray(v)) return v.length > 0;
  if (typeof v === 'object') return Object.keys(v).length > 0;
  return true;
}

/** driver_info: oslo mask_dict_password. */
function driverInfo(v: unknown): string {
  const t = jsonText(v);
  return mayHoldSecret(t) ? JSON.stringify(maskDictPassword(jsonValue(v))) : t;
}

/** instance_info: mask_dict_password, then configdrive and image_url hidden when set. */
function instanceInfo(v: unknown): string {
  const t = jsonText(v);
  if (!mayHoldSecret(t) && !t.includes('"image_url"')) return t;
  const ii = maskDictPassword(jsonValue(v));
  if (pyTruthy(ii.configdrive)) ii.configdrive = SECRET;
  if (pyTruthy(ii.image_url)) ii.image_url = SECRET;
  return JSON.stringify(ii);
}

/** driver_internal_info: the agent token is hidden when set. */
function driverInternalInfo(v: unknown): string {
  const t = jsonText(v);
  if (!t.includes('"agent_secret_token"')) return t;
  const d = { ...jsonValue(v) };
  if (pyTruthy(d.agent_secret_token)) d.agent_secret_token = SECRET;
  return JSON.stringify(d);
}

/** Self and bookmark links; `base` is JSON-escaped already, `path` needs no escaping. */
function linksText(base: string, path: string): string {
  return `[{"href":"${base}/v1/${path}","rel":"self"},{"href":"${base}/${path}","rel":"bookmark"}]`;
}

/**
 * A renderer for one request: plans the fields once, then renders each node as JSON
 * text. `fields` (already validated) restricts the output. With `columns`, the nodes
 * are row arrays and `columns` maps column names to positions; `traits` must then be
 * given per node (a Node carries its own).
 */
export function nodeRenderer(ctx: NodeViewContext, fields?: readonly string[], columns?: ReadonlyMap<string, number>): (n: NodeSource, traits?: readonly string[]) => string {
  const v = ctx.version;
  const p = planFor(v, fields);
  // Where each value is: a property name of a Node/row object, or a row array index.
  const at = (k: string): string | number => (columns ? columns.get(k) ?? -1 : k);
  const head = columns ? p.head.map((f) => ({ ...f, at: at(f.at as string) })) : p.head;
  const stored = columns ? p.stored.map((f) => ({ ...f, at: at(f.key) })) : p.stored;
  const uuidAt = at('uuid');
  const chassisAt = at('chassis_id');
  const allocationAt = at('allocation_id');
  const driverAt = at('driver');
  const groupAt = at('conductor_group');
  const base = JSON.stringify(ctx.base).slice(1, -1);
  return (n, traits) => {
    const src = n as Readonly<Record<string | number, unknown>>;
    // A stored uuid is canonical (hex and dashes), so it goes into links unescaped.
    const uuid = src[uuidAt] as string;
    let out = '{';
    let sep = '';
    for (const h of head) { out += sep + h.prefix + str(src[h.at]); sep = ','; }
    for (const { prefix, kind, at: i } of stored) {
      const val = src[i];
      let text: string;
      switch (kind) {
        case 'str': text = str(val); break;
        case 'bool': text = bool(val); break;
        case 'boolOrNull': text = boolOrNull(val); break;
        case 'json': text = jsonText(val); break;
        case 'driver_info': text = driverInfo(val); break;
        case 'instance_info': text = instanceInfo(val); break;
        case 'driver_internal_info': text = driverInternalInfo(val); break;
        case 'state': text = str(legacyState(val as string | null, v)); break;
        case 'traits': text = JSON.stringify(traits ?? (val as string[] | undefined) ?? []); break;
      }
      out += sep + prefix + text;
      sep = ',';
    }
    out += `${sep}"links":${linksText(base, `nodes/${uuid}`)}`;
    if (p.conductor) out += `,"conductor":${str(ctx.conductorFor({ uuid, driver: src[driverAt] as string, conductor_group: src[groupAt] as string | null }))}`;
    if (p.allocation) out += `,"allocation_uuid":${str(ctx.allocationUuid(src[allocationAt] as number | null))}`;
    if (p.chassis) out += `,"chassis_uuid":${str(ctx.chassisUuid(src[chassisAt] as number | null))}`;
    for (const s of p.subs) out += `,"${s}":${linksText(base, `nodes/${uuid}/${s}`)}`;
    return out + '}';
  };
}

/** Render one node (a Node or a row object) as JSON text. */
export function renderNodeJson(n: NodeSource, ctx: NodeViewContext, fields?: readonly string[], traits?: readonly string[]): string {
  return nodeRenderer(ctx, fields)(n, traits);
}

/** Render one node as an object (for callers that change or embed it). */
export function renderNode(n: NodeSource, ctx: NodeViewContext, fields?: readonly string[], traits?: readonly string[]): Record<string, unknown> {
  return JSON.parse(renderNodeJson(n, ctx, fields, traits)) as Record<string, unknown>;
}

/** Below 1.2 `available` is shown as null; below 1.39 `inspect wait` as `inspecting`. */
export function legacyState(s: string | null, version: number): string | null {
  if (s === S.AVAILABLE && !supportsAt(version, 'available_state')) return null;
  if (s === S.INSPECT_WAIT && !supportsAt(version, 'inspect_wait')) return S.INSPECTING;
  return s;
}
