/**
 * GET /v1/nodes and /v1/nodes/detail (also reached through /v1/chassis/{id}/nodes), with
 * 21.4's order of checks, because the first failing check decides the answer:
 * argument types (`@args.validate`, in declaration order) → `fields` version checks →
 * `sort_key` newer than the request (406) → filter version gates and values →
 * `detail` rules → limit → sort_dir → unsortable keys → marker lookup.
 */
import type { FastifyRequest } from 'fastify';
import type { ApiDeps } from '../server.ts';
import { InvalidError, NotAcceptableError, NotFoundError } from '../../core/errors.ts';
import { canonicalUuid } from '../../core/ids.ts';
import { NODE_FIELD_VERSIONS, supports as supportsAt, versionString, FEATURES, type Feature } from '../../contracts/versions.ts';
import type { NodeFilters } from '../../db/nodes.ts';
import { ironicArgs, type ArgKind } from '../params.ts';
import { nextLink } from '../collection.ts';
import { nodeRenderer, NODE_QUERY_FIELDS } from '../views/node.ts';
import { JsonBytes, type JsonText } from '../views/json-text.ts';
import { refMaps, viewContext } from './nodes.ts';

/** The 24 provision states of 21.4's state machine (valid `provision_state` filters). */
const STATES_21_4 = ['active', 'adopt failed', 'adopting', 'available', 'clean failed', 'clean wait', 'cleaning',
  'deleting', 'deploy failed', 'deploying', 'enroll', 'error', 'inspect failed', 'inspect wait', 'inspecting',
  'manageable', 'rescue', 'rescue failed', 'rescue wait', 'rescuing', 'unrescue failed', 'unrescuing', 'verifying',
  'wait call-back'];
/** 21.4's faults.VALID_FAULTS, rendered as the Python tuple it prints. */
const VALID_FAULTS = ['power failure', 'clean failure', 'rescue abort failure'];

/** JSON blobs the node list refuses to sort by (NodesController.invalid_sort_key_list). */
export const INVALID_SORT_KEYS = ['properties', 'driver_info', 'extra', 'instance_info', 'driver_internal_info', 'clean_step',
  'deploy_step', 'raid_config', 'target_raid_config', 'traits', 'network_data'];
/** Node table columns that can be sorted on (API names that are not columns are refused). */
const SORT_COLUMNS = new Set([...Object.keys(NODE_FIELD_VERSIONS), 'id'].filter((f) => !['chassis_uuid', 'conductor', 'allocation_uuid'].includes(f)));

const DEFAULT_LIST_FIELDS = ['instance_uuid', 'maintenance', 'power_state', 'provision_state', 'uuid', 'name'];

/** get_all's arguments in declaration order; detail drops `fields` and `detail`. */
const LIST_ARGS: [string, ArgKind][] = [
  ['chassis_uuid', 'uuid'], ['instance_uuid', 'uuid'], ['associated', 'boolean'], ['maintenance', 'boolean'],
  ['retired', 'boolean'], ['provision_state', 'string'], ['marker', 'uuid'], ['limit', 'integer'], ['sort_key', 'string'],
  ['sort_dir', 'string'], ['driver', 'string'], ['fields', 'string_list'], ['resource_class', 'string'], ['fault', 'string'],
  ['conductor_group', 'string'], ['detail', 'boolean'], ['conductor', 'string'], ['owner', 'string'],
  ['description_contains', 'string'], ['lessee', 'string'], ['project', 'string'], ['shard', 'string_list'],
  ['sharded', 'boolean'],
];

export interface ListScope { chassis_id?: number }

/** 406 "…minimal required API version should be 1.N" when `value` is given below `feature`. */
function gate(version: number, value: unknown, feature: Feature): void {
  if (value !== undefined && !supportsAt(version, feature)) {
    throw new NotAcceptableError(`Request not acceptable. The minimal required API version should be ${versionString(FEATURES[feature])}`);
  }
}

/** 406 when a field (or sort key) is newer than the request (utils.check_allowed_fields). */
export function checkAllowedFields(version: number, fields: readonly string[] | undefined): void {
  if (!fields) return;
  for (const f of fields) {
    const since = NODE_FIELD_VERSIONS[f];
    if (since !== undefined && since > 1 && version < since) throw new NotAcceptableError('Request not acceptable.');
  }
}

/** The list as JSON text (`{"nodes": [...], "next": ...}`), rendered straight from the rows. */
export async function listNodes(req: FastifyRequest, deps: ApiDeps, detail: boolean, scope: ListScope = {}, path = 'nodes'): Promise<JsonText> {
  const v = req.apiVersion;
  const q = ironicArgs(req, detail ? LIST_ARGS.filter(([k]) => k !== 'fields' && k !== 'detail') : LIST_ARGS);
  const str = (k: string) => q[k] as string | undefined;
  let fields = q.fields as string[] | undefined;
  if (fields !== undefined && !supportsAt(v, 'fields')) throw new NotAcceptableError('Request not acceptable.');
  checkAllowedFields(v, fields);
  const sortKey = str('sort_key') ?? 'id';
  checkAllowedFields(v, [sortKey]);
  const provisionState = str('provision_state');
  if (provisionState !== undefined) {
    if (!supportsAt(v, 'provision_state_filter')) throw new NotAcceptableError('Request not acceptable.');
    if (!STATES_21_4.includes(provisionState)) throw new InvalidError(`Provision state "${provisionState}" is not valid`);
  }
  gate(v, q.driver, 'driver_filter');
  gate(v, q.resource_class, 'resource_class');
  gate(v, q.fault, 'fault');
  if (q.fault !== undefined && !VALID_FAULTS.includes(str('fault')!)) {
    throw new InvalidError(`Unrecognized fault "${str('fault')}" is specified, allowed faults are (${VALID_FAULTS.map((f) => `'${f}'`).join(', ')})`);
  }
  gate(v, q.conductor_group, 'conductor_group');
  gate(v, q.conductor, 'conductors');
  gate(v, q.owner, 'owner');
  gate(v, q.lessee, 'lessee');
  gate(v, q.shard, 'shards');
  gate(v, q.sharded, 'shards');
  const detailParam = q.detail as boolean | undefined;
  if (detailParam !== undefined && !supportsAt(v, 'detail_param')) {
    throw new InvalidError(`Invalid query parameter ?detail=${detailParam ? 'True' : 'False'} received.`);
  }
  if (fields !== undefined && detailParam) throw new InvalidError('Can not specify ?detail=True and fields in the same request.');
  const isDetail = detail || detailParam === true;
  if (fields === undefined && !isDetail) fields = DEFAULT_LIST_FIELDS;
  const limitArg = q.limit as number | undefined;
  if (limitArg !== undefined && limitArg <= 0) throw new InvalidError('Limit must be positive');
  const limit = limitArg === undefined ? deps.config.maxLimit : Math.min(deps.config.maxLimit, limitArg);
  const sortDir = str('sort_dir') ?? 'asc';
  if (sortDir !== 'asc' && sortDir !== 'desc') throw new InvalidError(`Invalid sort direction: ${sortDir}. Acceptable values are 'asc' or 'desc'`);
  if (INVALID_SORT_KEYS.includes(sortKey)) throw new InvalidError(`The sort_key value ${sortKey} is an invalid field for sorting`);
  if (!SORT_COLUMNS.has(sortKey)) throw new InvalidError(`The sort_key value "${sortKey}" is an invalid field for sorting`);
  // NOTE: 21.4 answers 500 for a `fields` name the node object lacks; 400 as on GET one.
  if (fields) for (const f of fields) if (!NODE_QUERY_FIELDS.has(f)) throw new InvalidError(`Field ${f} is not a valid field.`);
  let marker: { id: number; sortValue: unknown } | undefined;
  if (q.marker !== undefined) {
    const m = await deps.nodes.getByUuid(canonicalUuid(str('marker')!));
    if (!m) throw new NotFoundError(`Node ${str('marker')} could not be found.`);
    marker = { id: m.id, sortValue: (m as unknown as Record<string, unknown>)[sortKey] };
    if (typeof marker.sortValue === 'boolean') marker.sortValue = marker.sortValue ? 1 : 0;
  }
  const f = await filtersOf(deps, q, scope);
  const page = await deps.nodes.listRows(f, { limit, marker, sortKey, sortDir });
  const col = (name: string) => page.columns.get(name) ?? -1;
  // As Ironic's _filter_by_conductor: the page is filtered after it is read.
  const owner = (r: unknown[]) => (deps.conductor.conductorFor
    ? deps.conductor.conductorFor({ uuid: r[col('uuid')] as string, driver: r[col('driver')] as string, conductor_group: r[col('conductor_group')] as string | null })
    : deps.conductor.hostname);
  const nodes = q.conductor === undefined ? page.rows : page.rows.filter((r) => owner(r) === q.conductor);
  const [idAt, uuidAt, chassisAt, allocationAt] = [col('id'), col('uuid'), col('chassis_id'), col('allocation_id')];
  const [c, a] = await refMaps(deps, nodes.map((r) => ({ chassis_id: r[chassisAt] as number | null, allocation_id: r[allocationAt] as number | null })));
  const ctx = viewContext(req, deps, c, a);
  const render = nodeRenderer(ctx, isDetail ? undefined : fields, page.columns);
  const out = new JsonBytes(nodes.length * (isDetail ? 2600 : 400) + 256);
  out.write('{"nodes":[');
  for (let i = 0; i < nodes.length; i++) {
    const r = nodes[i]!;
    if (i) out.write(',');
    out.write(render(r, page.traits.get(r[idAt] as number) ?? []));
  }
  const params: [string, unknown][] = [['sort_key', sortKey], ['sort_dir', sortDir]];
  if (f.associated) params.push(['associated', true]);
  if (f.maintenance) params.push(['maintenance', true]);
  if (f.retired) params.push(['retired', true]);
  if (detailParam !== undefined) params.push(['detail', detailParam]);
  if (!isDetail && fields) params.push(['fields', fields.join(',')]);
  const next = f.instance_uuid ? undefined : nextLink(ctx.base, path, nodes, limit, nodes.at(-1)?.[uuidAt] as string | undefined, params);
  out.write(next ? `],"next":${JSON.stringify(next)}}` : ']}');
  return out.toJsonText();
}

async function filtersOf(deps: ApiDeps, q: Record<string, unknown>, scope: ListScope): Promise<NodeFilters> {
  const f: NodeFilters = {};
  if (scope.chassis_id !== undefined) f.chassis_id = scope.chassis_id;
  if (q.chassis_uuid !== undefined) {
    const cu = canonicalUuid(q.chassis_uuid as string);
    const c = await deps.db.selectFrom('chassis').select('id').where('uuid', '=', cu).executeTakeFirst();
    if (!c) throw new NotFoundError(`Chassis ${q.chassis_uuid as string} could not be found.`);
    f.chassis_id = c.id;
  }
  if (q.instance_uuid !== undefined) f.instance_uuid = canonicalUuid(q.instance_uuid as string);
  for (const k of ['associated', 'maintenance', 'retired', 'sharded'] as const) if (q[k] !== undefined) f[k] = q[k] as boolean;
  for (const k of ['provision_state', 'driver', 'resource_class', 'fault', 'conductor_group', 'owner', 'lessee', 'project', 'description_contains'] as const) {
    if (q[k] !== undefined) (f as Record<string, unknown>)[k] = q[k];
  }
  if (q.shard !== undefined) f.shard_in = q.shard as string[];
  return f;
}
