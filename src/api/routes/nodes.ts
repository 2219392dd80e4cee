/**
 * /v1/nodes: list, detail, show, create, update (PATCH), delete.
 * Sub-resources live in node-*.ts route modules.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ApiDeps } from '../server.ts';
import { InvalidError, NotAcceptableError, ConflictError, NotFoundError, IngotError } from '../../core/errors.ts';
import { isUuidLike, canonicalUuid, isValidLogicalName, newUuid } from '../../core/ids.ts';
import { INTERFACE_FIELDS, INTERFACE_KINDS, type Node } from '../../core/node.ts';
import { ProvisionState as S, ALL_FAULTS, ALL_PROVISION_STATES } from '../../core/states.ts';
import { UPDATE_ALLOWED_STATES } from '../../core/fsm.ts';
import { NODE_FIELD_VERSIONS, supports as supportsAt } from '../../contracts/versions.ts';
import type { NodeFilters } from '../../db/nodes.ts';
import { supports, publicUrl } from '../context.ts';
import { queryOf, parseBool, parseUuid, parseStringList } from '../params.ts';
import { validateLimit, validateSortDir, validateSortKey, nextLink, parseFields } from '../collection.ts';
import { validate, type Schema } from '../schema.ts';
import { validatePatch, checkAllowedRoots, applyPatch, type PatchOp } from '../patch.ts';
import { getNode } from '../lookup.ts';
import { renderNode, nodeFieldsAt, type NodeViewContext } from '../views/node.ts';
import { RoutingError } from '../errors.ts';

const RESERVED_NAMES = ['maintenance', 'management', 'states', 'vendor_passthru', 'detail', 'validate'];

export const PATCH_ALLOWED_FIELDS = [
  'automated_clean', 'bios_interface', 'boot_interface', 'chassis_uuid', 'conductor_group', 'console_interface',
  'deploy_interface', 'description', 'driver', 'driver_info', 'extra', 'inspect_interface', 'instance_info',
  'instance_uuid', 'lessee', 'maintenance', 'management_interface', 'name', 'network_data', 'network_interface',
  'owner', 'power_interface', 'properties', 'protected', 'protected_reason', 'raid_interface', 'rescue_interface',
  'resource_class', 'retired', 'retired_reason', 'shard', 'storage_interface', 'vendor_interface',
];

const S_OR_NULL: Schema = { type: ['string', 'null'] };
const BOOLISH: Schema = { type: ['string', 'boolean', 'null'] };
const OBJ_OR_NULL: Schema = { type: ['object', 'null'] };
export const NODE_SCHEMA: Schema = {
  type: 'object',
  properties: {
    automated_clean: BOOLISH, bios_interface: S_OR_NULL, boot_interface: S_OR_NULL, boot_mode: S_OR_NULL,
    chassis_uuid: S_OR_NULL, conductor_group: S_OR_NULL, console_enabled: BOOLISH, console_interface: S_OR_NULL,
    deploy_interface: S_OR_NULL, description: { type: ['string', 'null'], maxLength: 4096 }, driver: { type: 'string' },
    driver_info: OBJ_OR_NULL, extra: OBJ_OR_NULL, inspect_interface: S_OR_NULL, instance_info: OBJ_OR_NULL,
    instance_uuid: S_OR_NULL, lessee: S_OR_NULL, management_interface: S_OR_NULL, maintenance: BOOLISH,
    name: S_OR_NULL, network_data: OBJ_OR_NULL, network_interface: S_OR_NULL, owner: S_OR_NULL,
    power_interface: S_OR_NULL, properties: OBJ_OR_NULL, raid_interface: S_OR_NULL, rescue_interface: S_OR_NULL,
    resource_class: { type: ['string', 'null'], maxLength: 80 }, retired: BOOLISH, retired_reason: S_OR_NULL,
    secure_boot: BOOLISH, shard: S_OR_NULL, storage_interface: S_OR_NULL, uuid: S_OR_NULL, vendor_interface: S_OR_NULL,
  },
  required: ['driver'],
  additionalProperties: false,
};
const NODE_PATCH_SCHEMA: Schema = {
  ...NODE_SCHEMA,
  required: [],
  properties: { ...NODE_SCHEMA.properties, protected: BOOLISH, protected_reason: S_OR_NULL },
};

/** Boolean-ish node values from JSON (Ironic accepts "true"/"false" strings). */
function boolValue(name: string, v: unknown): boolean {
  if (typeof v === 'boolean') return v;
  const s = String(v).trim().toLowerCase();
  if (['1', 't', 'true', 'on', 'y', 'yes'].includes(s)) return true;
  if (['0', 'f', 'false', 'off', 'n', 'no'].includes(s)) return false;
  throw new InvalidError(`Invalid ${name}: Unrecognized value '${String(v)}', acceptable values are: '0', '1', 'f', 'false', 'n', 'no', 'off', 'on', 't', 'true', 'y', 'yes'`);
}

export function viewContext(req: FastifyRequest, deps: ApiDeps, chassis: Map<number, string>, allocations: Map<number, string>): NodeViewContext {
  return {
    version: req.apiVersion,
    base: publicUrl(req, deps.config.publicUrl),
    chassisUuid: (id) => (id === null ? null : chassis.get(id) ?? null),
    allocationUuid: (id) => (id === null ? null : allocations.get(id) ?? null),
    conductorFor: () => deps.conductor.hostname,
  };
}

/** Load chassis and allocation UUIDs referenced by nodes (one query each). */
export async function refMaps(deps: ApiDeps, nodes: Node[]): Promise<[Map<number, string>, Map<number, string>]> {
  const cids = [...new Set(nodes.map((n) => n.chassis_id).filter((x): x is number => x !== null))];
  const aids = [...new Set(nodes.map((n) => n.allocation_id).filter((x): x is number => x !== null))];
  const c = new Map<number, string>();
  const a = new Map<number, string>();
  if (cids.length) for (const r of await deps.db.selectFrom('chassis').select(['id', 'uuid']).where('id', 'in', cids).execute()) c.set(r.id, r.uuid);
  if (aids.length) for (const r of await deps.db.selectFrom('allocations').select(['id', 'uuid']).where('id', 'in', aids).execute()) a.set(r.id, r.uuid);
  return [c, a];
}

export async function renderOne(req: FastifyRequest, deps: ApiDeps, n: Node, fields?: string[]): Promise<Record<string, unknown>> {
  const [c, a] = await refMaps(deps, [n]);
  return renderNode(n, viewContext(req, deps, c, a), fields);
}

/** 406 if the body sets fields newer than the request's version. */
function rejectNewerFields(req: FastifyRequest, body: Record<string, unknown>): void {
  for (const k of Object.keys(body)) {
    const v = NODE_FIELD_VERSIONS[k];
    if (v !== undefined && req.apiVersion < v && body[k] !== undefined) {
      throw new NotAcceptableError(`Request not acceptable.`);
    }
  }
}

function checkFields(req: FastifyRequest, fields: string[] | undefined): void {
  if (!fields) return;
  if (!supports(req, 'fields')) throw new NotAcceptableError('Request not acceptable.');
  const valid = nodeFieldsAt(999);
  for (const f of fields) if (!valid.has(f)) throw new InvalidError(`Field ${f} is not a valid field.`);
  const atVersion = nodeFieldsAt(req.apiVersion);
  for (const f of fields) if (!atVersion.has(f)) throw new NotAcceptableError('Request not acceptable.');
}

export { listNodes, type ListScope } from './nodes-list.ts';

function checkName(req: FastifyRequest, name: unknown, msg: string): void {
  if (name === null || name === undefined) return;
  if (!supports(req, 'node_name')) throw new NotAcceptableError('Request not acceptable.');
  if (!isValidLogicalName(name) || RESERVED_NAMES.includes(name as string)) throw new InvalidError(msg.replace('%s', String(name)));
}

/** Translate unique-constraint failures into Ironic's 409 texts. */
export function uniqueViolation(err: unknown): string | null {
  const m = String((err as Error)?.message ?? '');
  if (/UNIQUE|unique constraint|Duplicate entry/i.test(m)) {
    const col = /nodes\.(\w+)|key '?(?:nodes\.)?(\w+)/i.exec(m);
    return col ? (col[1] ?? col[2] ?? 'unknown') : 'unknown';
  }
  return null;
}

async function createNode(req: FastifyRequest, deps: ApiDeps): Promise<Node> {
  const body = req.body;
  if (body === undefined) throw new InvalidError("Missing argument: \"node\"");
  validate('node', body, NODE_SCHEMA);
  const b = body as Record<string, unknown>;
  rejectNewerFields(req, b);
  if (b.uuid !== undefined && b.uuid !== null && !isUuidLike(b.uuid)) throw new InvalidError(`Expected UUID for uuid: ${String(b.uuid)}`);
  checkName(req, b.name, "Cannot create node with invalid name '%s'");
  const driver = b.driver as string;
  try { await deps.conductor.getDriver(driver); } catch (e) {
    if (e instanceof IngotError && e.code === 'NotFound') throw new InvalidError(`No valid host was found. Reason: No conductor service registered which supports driver ${driver} for conductor group "${(b.conductor_group as string) ?? ''}".`);
    throw e;
  }
  const ifaces = await deps.conductor.resolveInterfaces(driver, Object.fromEntries(INTERFACE_FIELDS.map((f) => [f, b[f] as string | null | undefined])));
  let chassisId: number | null = null;
  if (b.chassis_uuid) {
    const cu = b.chassis_uuid as string;
    if (!isUuidLike(cu)) throw new InvalidError(`Expected UUID for chassis_uuid: ${cu}`);
    const c = await deps.db.selectFrom('chassis').select('id').where('uuid', '=', canonicalUuid(cu)).executeTakeFirst();
    if (!c) throw new InvalidError(`Chassis ${cu} could not be found.`);
    chassisId = c.id;
  }
  if (b.instance_uuid !== undefined && b.instance_uuid !== null && !isUuidLike(b.instance_uuid)) throw new InvalidError(`Expected UUID for instance_uuid: ${String(b.instance_uuid)}`);
  const uuid = b.uuid ? canonicalUuid(b.uuid as string) : newUuid();
  const values: Partial<Node> = {
    uuid, name: (b.name as string | null) ?? null, driver,
    driver_info: (b.driver_info as Node['driver_info']) ?? {}, extra: (b.extra as Node['extra']) ?? {},
    instance_info: (b.instance_info as Node['instance_info']) ?? {}, properties: (b.properties as Node['properties']) ?? {},
    instance_uuid: b.instance_uuid ? canonicalUuid(b.instance_uuid as string) : null, chassis_id: chassisId,
    provision_state: supports(req, 'enroll_initial') ? S.ENROLL : S.AVAILABLE,
    resource_class: (b.resource_class as string | null) || deps.config.defaultResourceClass,
    conductor_group: ((b.conductor_group as string | null) ?? '').toLowerCase(),
    automated_clean: b.automated_clean === undefined || b.automated_clean === null ? null : boolValue('automated_clean', b.automated_clean),
    console_enabled: b.console_enabled === undefined || b.console_enabled === null ? false : boolValue('console_enabled', b.console_enabled),
    maintenance: b.maintenance === undefined || b.maintenance === null ? false : boolValue('maintenance', b.maintenance),
    retired: b.retired === undefined || b.retired === null ? false : boolValue('retired', b.retired),
    retired_reason: (b.retired_reason as string | null) ?? null,
    description: (b.description as string | null) ?? null, owner: (b.owner as string | null) ?? null,
    lessee: (b.lessee as string | null) ?? null, network_data: (b.network_data as Node['network_data']) ?? {},
    boot_mode: (b.boot_mode as string | null) ?? null, secure_boot: b.secure_boot === undefined || b.secure_boot === null ? null : boolValue('secure_boot', b.secure_boot),
    shard: (b.shard as string | null) ?? null,
  };
  for (const k of INTERFACE_KINDS) (values as Record<string, unknown>)[`${k}_interface`] = ifaces[k];
  try {
    return await deps.nodes.create(values as Parameters<typeof deps.nodes.create>[0]);
  } catch (err) {
    const col = uniqueViolation(err);
    if (col === 'name') throw new ConflictError(`A node with name ${String(values.name)} already exists.`);
    if (col === 'instance_uuid') throw new ConflictError(`Instance ${String(values.instance_uuid)} is already associated with a node, it cannot be associated with this other node ${uuid}`);
    if (col) throw new ConflictError(`A node with UUID ${uuid} already exists.`);
    throw err;
  }
}

/** The node as a patchable document (API field names). */
function patchDoc(n: Node, chassisUuid: string | null): Record<string, unknown> {
  const d: Record<string, unknown> = {};
  for (const f of PATCH_ALLOWED_FIELDS) d[f] = f === 'chassis_uuid' ? chassisUuid : (n as unknown as Record<string, unknown>)[f];
  return d;
}

async function patchNode(req: FastifyRequest, deps: ApiDeps, ident: string): Promise<Node> {
  const q = queryOf(req, ['reset_interfaces']);
  const ops: PatchOp[] = validatePatch(req.body);
  const reset = parseBool('reset_interfaces', q.reset_interfaces);
  if (reset !== undefined && !supports(req, 'reset_interfaces')) throw new NotAcceptableError('Request not acceptable.');
  checkAllowedRoots(ops, PATCH_ALLOWED_FIELDS);
  for (const p of ops) {
    const root = p.path.split('/')[1]!;
    const v = NODE_FIELD_VERSIONS[root];
    if (v !== undefined && req.apiVersion < v) throw new NotAcceptableError('Request not acceptable.');
  }
  const drivers = ops.filter((p) => p.path === '/driver' && p.op !== 'remove');
  if (reset && drivers.length === 0) throw new InvalidError("The reset_interfaces parameter can only be used when changing the node's driver.");
  const n = await getNode(req, deps.nodes, ident);
  // A node in maintenance may always drop its instance_uuid (one op).
  const onlyInstanceRemoval = n.maintenance && ops.length === 1 && ops[0]!.op === 'remove' && ops[0]!.path === '/instance_uuid';
  if (!onlyInstanceRemoval) {
    if (n.provision_state === S.INSPECTING && supports(req, 'inspect_wait')) {
      throw new ConflictError(`Node ${n.uuid} can not be updated while a state transition is in progress.`);
    }
    if (n.target_provision_state && !UPDATE_ALLOWED_STATES.has(n.provision_state)) {
      throw new ConflictError(`Node ${n.uuid} can not be updated while a state transition is in progress.`);
    }
  }
  const [c] = await refMaps(deps, [n]);
  const before = patchDoc(n, n.chassis_id === null ? null : c.get(n.chassis_id) ?? null);
  const after = applyPatch(before, ops);
  // Removed root fields fall back to their defaults.
  const json = ['driver_info', 'extra', 'instance_info', 'properties', 'network_data'];
  for (const f of PATCH_ALLOWED_FIELDS) if (!(f in after)) after[f] = json.includes(f) ? {} : null;
  for (const f of json) if (after[f] === null) after[f] = {};
  validate('node', Object.fromEntries(Object.entries(after).filter(([k]) => k in NODE_PATCH_SCHEMA.properties!)), { ...NODE_PATCH_SCHEMA, required: ['driver'] });
  const changes: Partial<Node> = {};
  for (const f of PATCH_ALLOWED_FIELDS) {
    if (JSON.stringify(after[f]) === JSON.stringify(before[f])) continue;
    (changes as Record<string, unknown>)[f] = after[f];
  }
  if ('name' in changes) checkName(req, changes.name, "Node %s can not be updated with invalid name '%s'".replace('%s', n.uuid));
  for (const f of ['automated_clean', 'maintenance', 'protected', 'retired'] as const) {
    if (f in changes) {
      const v = (changes as Record<string, unknown>)[f];
      (changes as Record<string, unknown>)[f] = v === null ? (f === 'automated_clean' ? null : false) : boolValue(f, v);
    }
  }
  if ('instance_uuid' in changes && changes.instance_uuid !== null) {
    if (!isUuidLike(changes.instance_uuid)) throw new InvalidError(`Expected UUID for instance_uuid: ${String(changes.instance_uuid)}`);
    changes.instance_uuid = canonicalUuid(changes.instance_uuid as string);
  }
  if ('chassis_uuid' in changes) {
    const cu = (changes as Record<string, unknown>).chassis_uuid as string | null;
    delete (changes as Record<string, unknown>).chassis_uuid;
    if (cu === null) {
      if (!supports(req, 'unset_chassis')) throw new NotAcceptableError('Request not acceptable.');
      changes.chassis_id = null;
    } else {
      if (!isUuidLike(cu)) throw new InvalidError(`Expected UUID for chassis_uuid: ${cu}`);
      const row = await deps.db.selectFrom('chassis').select('id').where('uuid', '=', canonicalUuid(cu)).executeTakeFirst();
      if (!row) throw new InvalidError(`Chassis ${cu} could not be found.`);
      changes.chassis_id = row.id;
    }
  }
  if ('conductor_group' in changes) changes.conductor_group = ((changes.conductor_group as string | null) ?? '').toLowerCase();
  if ('maintenance' in changes && changes.maintenance === false) { changes.maintenance_reason = null; changes.fault = null; }
  if ('driver' in changes) {
    try { await deps.conductor.getDriver(changes.driver as string); } catch (e) {
      if (e instanceof IngotError && e.code === 'NotFound') throw new InvalidError(`No valid host was found. Reason: No conductor service registered which supports driver ${String(changes.driver)} for conductor group "${n.conductor_group}".`);
      throw e;
    }
  }
  if (Object.keys(changes).length === 0) return n;
  try {
    return await deps.conductor.updateNode(n.id, changes, reset ? { resetInterfaces: true } : {});
  } catch (err) {
    const col = uniqueViolation(err);
    if (col === 'name') throw new ConflictError(`A node with name ${String(changes.name)} already exists.`);
    if (col === 'instance_uuid') throw new ConflictError(`Instance ${String(changes.instance_uuid)} is already associated with a node, it cannot be associated with this other node ${n.uuid}`);
    throw err;
  }
}

export function nodeRoutes(app: FastifyInstance, deps: ApiDeps): void {
  app.get('/v1/nodes', async (req) => listNodes(req, deps, false));
  app.get('/v1/nodes/detail', async (req) => listNodes(req, deps, true, {}, 'nodes/detail'));
  app.get<{ Params: { ident: string } }>('/v1/nodes/:ident', async (req) => {
    const q = queryOf(req, ['fields']);
    const fields = parseFields(q.fields);
    checkFields(req, fields);
    const n = await getNode(req, deps.nodes, req.params.ident);
    return renderOne(req, deps, n, fields);
  });
  app.post('/v1/nodes', async (req, reply) => {
    queryOf(req, []);
    const n = await createNode(req, deps);
    const base = publicUrl(req, deps.config.publicUrl);
    reply.code(201).header('Location', `${base}/v1/nodes/${n.uuid}`);
    return renderOne(req, deps, n);
  });
  app.patch<{ Params: { ident: string } }>('/v1/nodes/:ident', async (req) => {
    const n = await patchNode(req, deps, req.params.ident);
    return renderOne(req, deps, n);
  });
  app.delete<{ Params: { ident: string } }>('/v1/nodes/:ident', async (req, reply) => {
    queryOf(req, []);
    const n = await getNode(req, deps.nodes, req.params.ident);
    await deps.conductor.destroyNode(n.id);
    return reply.code(204).send();
  });
  app.put('/v1/nodes', async () => { throw new RoutingError(405); });
  app.delete('/v1/nodes', async () => { throw new RoutingError(405); });
}
