/**
 * /v1/nodes: list, detail, show, create, update (PATCH), delete.
 * Sub-resources live in node-*.ts route modules.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ApiDeps } from '../server.ts';
import { InvalidError, NotAcceptableError, ConflictError, IngotError } from '../../core/errors.ts';
import { isUuidLike, canonicalUuid, newUuid } from '../../core/ids.ts';
import { INTERFACE_FIELDS, INTERFACE_KINDS, type Node } from '../../core/node.ts';
import { ProvisionState as S } from '../../core/states.ts';
import { UPDATE_ALLOWED_STATES } from '../../core/fsm.ts';
import { NODE_FIELD_VERSIONS } from '../../contracts/versions.ts';
import { supports, publicUrl } from '../context.ts';
import { ironicArgs } from '../params.ts';
import { validate, pyRepr, type Schema } from '../schema.ts';
import { plainSchemaError } from '../jsonschema.ts';
import { NETWORK_DATA_DEFINITIONS, NETWORK_DATA_SCHEMA } from '../network-data-schema.ts';
import { validatePatch, checkAllowedRoots, applyPatch, type PatchOp } from '../patch.ts';
import { getNode, isValidNameAt } from '../lookup.ts';
import { renderNodeJson, NODE_QUERY_FIELDS, type NodeViewContext } from '../views/node.ts';
import { JsonText } from '../views/json-text.ts';
import { RoutingError } from '../errors.ts';
import { boolArg, checkRoutingIdent, pyStr } from './node-args.ts';

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
    name: S_OR_NULL,
    // null, {} or a document of Ironic's network-data schema (node_schema() embeds it).
    network_data: { anyOf: [{ type: 'null' }, { type: 'object', additionalProperties: false }, NETWORK_DATA_SCHEMA] },
    network_interface: S_OR_NULL, owner: S_OR_NULL,
    power_interface: S_OR_NULL, properties: OBJ_OR_NULL, raid_interface: S_OR_NULL, rescue_interface: S_OR_NULL,
    resource_class: { type: ['string', 'null'], maxLength: 80 }, retired: BOOLISH, retired_reason: S_OR_NULL,
    secure_boot: BOOLISH, shard: S_OR_NULL, storage_interface: S_OR_NULL, uuid: S_OR_NULL, vendor_interface: S_OR_NULL,
  },
  required: ['driver'],
  additionalProperties: false,
  definitions: NETWORK_DATA_DEFINITIONS,
};
const NODE_PATCH_SCHEMA: Schema = {
  ...NODE_SCHEMA,
  required: [],
  properties: { ...NODE_SCHEMA.properties, protected: BOOLISH, protected_reason: S_OR_NULL },
};

export function viewContext(req: FastifyRequest, deps: ApiDeps, chassis: Map<number, string>, allocations: Map<number, string>): NodeViewContext {
  return {
    version: req.apiVersion,
    base: publicUrl(req, deps.config.publicUrl),
    chassisUuid: (id) => (id === null ? null : chassis.get(id) ?? null),
    allocationUuid: (id) => (id === null ? null : allocations.get(id) ?? null),
    conductorFor: (n) => (deps.conductor.conductorFor ? deps.conductor.conductorFor(n) : deps.conductor.hostname),
  };
}

/** Load chassis and allocation UUIDs referenced by nodes (one query each). */
export async function refMaps(deps: ApiDeps, nodes: readonly { chassis_id: number | null; allocation_id: number | null }[]): Promise<[Map<number, string>, Map<number, string>]> {
  const cids = [...new Set(nodes.map((n) => n.chassis_id).filter((x): x is number => x !== null))];
  const aids = [...new Set(nodes.map((n) => n.allocation_id).filter((x): x is number => x !== null))];
  const c = new Map<number, string>();
  const a = new Map<number, string>();
  if (cids.length) for (const r of await deps.db.selectFrom('chassis').select(['id', 'uuid']).where('id', 'in', cids).execute()) c.set(r.id, r.uuid);
  if (aids.length) for (const r of await deps.db.selectFrom('allocations').select(['id', 'uuid']).where('id', 'in', aids).execute()) a.set(r.id, r.uuid);
  return [c, a];
}

export async function renderOne(req: FastifyRequest, deps: ApiDeps, n: Node, fields?: string[]): Promise<JsonText> {
  const [c, a] = n.chassis_id === null && n.allocation_id === null ? [new Map<number, string>(), new Map<number, string>()] : await refMaps(deps, [n]);
  return new JsonText(renderNodeJson(n, viewContext(req, deps, c, a), fields));
}

/**
 * 406 if the body sets fields newer than the request's version (reject_fields_in_newer_versions):
 * null is allowed, and conductor_group counts as unset only when "".
 */
function rejectNewerFields(req: FastifyRequest, body: Record<string, unknown>): void {
  for (const [k, since] of Object.entries(NODE_FIELD_VERSIONS)) {
    if (since <= 1 || req.apiVersion >= since) continue;
    const v = body[k];
    const unset = k === 'conductor_group' ? v === undefined || v === '' : v === undefined || v === null;
    if (!unset) throw new NotAcceptableError('Request not acceptable.');
  }
}

/** `fields=` on GET one: version checks (406) first, then unknown names (400). */
function checkFields(req: FastifyRequest, fields: string[] | undefined): void {
  if (!fields) return;
  if (!supports(req, 'fields')) throw new NotAcceptableError('Request not acceptable.');
  checkAllowedFields(req.apiVersion, fields);
  for (const f of fields) if (!NODE_QUERY_FIELDS.has(f)) throw new InvalidError(`Field ${f} is not a valid field.`);
}

import { listNodes, checkAllowedFields } from './nodes-list.ts';

export { listNodes, type ListScope } from './nodes-list.ts';

/**
 * _check_names_acceptable: 406 below 1.5, then the name rule, then reserved words. `msg`
 * gets the name where `%s` is; values are rendered with Python's str().
 */
function checkNames(req: FastifyRequest, names: unknown[], msg: string): void {
  if (!supports(req, 'node_name')) throw new NotAcceptableError('Request not acceptable.');
  for (const name of names) {
    if (!isValidNameAt(req, name)) throw new InvalidError(msg.replace('%s', pyStr(name)));
    if (RESERVED_NAMES.includes(name)) {
      throw new InvalidError(`The word "${name}" is reserved and can not be used as a node name. Reserved words are: ${RESERVED_NAMES.join(', ')}.`);
    }
  }
}

/** get_topic_for: the node's driver must be served by a conductor of its group. */
async function checkTopic(deps: ApiDeps, driver: string, group: string | null | undefined): Promise<void> {
  const g = group ?? '';
  // Separate conductors: the hash ring answers (uuid plays no part in the check).
  if (deps.conductor.checkTopic) return deps.conductor.checkTopic({ uuid: '', driver, conductor_group: g });
  let ok = g.toLowerCase() === deps.config.conductorGroup.toLowerCase();
  if (ok) {
    try { await deps.conductor.getDriver(driver); } catch (e) {
      if (e instanceof IngotError && e.code === 'NotFound') ok = false;
      else throw e;
    }
  }
  if (!ok) throw new InvalidError(`No valid host was found. Reason: No conductor service registered which supports driver ${driver} for conductor group "${g}".`);
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

/** NODE_VALIDATE_EXTRA: the boolean and UUID fields after the schema. */
function validateExtra(b: Record<string, unknown>): void {
  for (const k of ['automated_clean', 'console_enabled', 'protected', 'maintenance', 'retired']) if (b[k] !== undefined && b[k] !== null) boolArg(k, b[k]);
  for (const k of ['chassis_uuid', 'instance_uuid', 'uuid']) {
    if (b[k] !== undefined && b[k] !== null && !isUuidLike(b[k])) throw new InvalidError(`Expected UUID for ${k}: ${pyStr(b[k])}`);
  }
}

/**
 * POST /v1/nodes in 21.4's order: schema and field validators, newer fields (406), name,
 * owner (a noauth request is a project-scoped admin without a project, so any owner is
 * refused and the owner stays unset), chassis, conductor/driver, interfaces.
 */
async function createNode(req: FastifyRequest, deps: ApiDeps): Promise<Node> {
  // No body is an empty one (schema: 'driver' is required).
  // NOTE: 21.4 answers a JSON null body with a 500 (AttributeError); 400 here.
  const body = req.body === undefined ? {} : req.body;
  validate('node', body, NODE_SCHEMA);
  const b = body as Record<string, unknown>;
  validateExtra(b);
  rejectNewerFields(req, b);
  if (b.name !== undefined && b.name !== null) checkNames(req, [b.name], "Cannot create node with invalid name '%s'");
  if (b.owner) throw new InvalidError('Cannot create a node as a project scoped admin with an owner other than your own project.');
  let chassisId: number | null = null;
  if (b.chassis_uuid) {
    const cu = canonicalUuid(b.chassis_uuid as string);
    const c = await deps.db.selectFrom('chassis').select('id').where('uuid', '=', cu).executeTakeFirst();
    if (!c) throw new InvalidError(`Chassis ${b.chassis_uuid as string} could not be found.`);
    chassisId = c.id;
  }
  const driver = b.driver as string;
  await checkTopic(deps, driver, b.conductor_group as string | null | undefined);
  const ifaces = await deps.conductor.resolveInterfaces(driver, Object.fromEntries(INTERFACE_FIELDS.map((f) => [f, b[f] as string | null | undefined])));
  const uuid = b.uuid ? canonicalUuid(b.uuid as string) : newUuid();
  const flag = (k: string, d: boolean | null) => (b[k] === undefined || b[k] === null ? d : boolArg(k, b[k])!);
  const values: Partial<Node> = {
    uuid, name: (b.name as string | null) ?? null, driver,
    driver_info: (b.driver_info as Node['driver_info']) ?? {}, extra: (b.extra as Node['extra']) ?? {},
    instance_info: (b.instance_info as Node['instance_info']) ?? {}, properties: (b.properties as Node['properties']) ?? {},
    instance_uuid: b.instance_uuid ? canonicalUuid(b.instance_uuid as string) : null, chassis_id: chassisId,
    provision_state: supports(req, 'enroll_initial') ? S.ENROLL : S.AVAILABLE,
    resource_class: (b.resource_class as string | null) || deps.config.defaultResourceClass,
    conductor_group: ((b.conductor_group as string | null) ?? '').toLowerCase(),
    automated_clean: flag('automated_clean', null), console_enabled: flag('console_enabled', false)!,
    maintenance: flag('maintenance', false)!, retired: flag('retired', false)!,
    retired_reason: (b.retired_reason as string | null) ?? null,
    description: (b.description as string | null) ?? null, owner: null,
    lessee: (b.lessee as string | null) ?? null, network_data: (b.network_data as Node['network_data']) ?? {},
    boot_mode: (b.boot_mode as string | null) ?? null, secure_boot: flag('secure_boot', null),
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

/** Values of the non-remove ops on exactly `path` (get_patch_values). */
function patchValues(ops: PatchOp[], path: string): unknown[] {
  return ops.filter((p) => p.path === path && p.op !== 'remove').map((p) => p.value);
}

/** NodesController.patch, check for check; `ident` is the identifier as the client gave it. */
async function patchNode(req: FastifyRequest, deps: ApiDeps, ident: string): Promise<Node> {
  const q = ironicArgs(req, [['reset_interfaces', 'boolean']]);
  const ops: PatchOp[] = validatePatch(req.body === undefined ? {} : req.body);
  const reset = q.reset_interfaces as boolean | undefined;
  if (reset !== undefined && !supports(req, 'reset_interfaces')) throw new NotAcceptableError('Request not acceptable.');
  checkAllowedRoots(ops, PATCH_ALLOWED_FIELDS);
  for (const [f, since] of Object.entries(NODE_FIELD_VERSIONS)) {
    if (since > 1 && req.apiVersion < since && patchValues(ops, `/${f}`).length) throw new NotAcceptableError('Request not acceptable.');
  }
  if (reset && !patchValues(ops, '/driver').length) throw new InvalidError("The reset_interfaces parameter can only be used when changing the node's driver.");
  const desc = patchValues(ops, '/description');
  if (desc.length && typeof desc[0] === 'string' && desc[0].length > 4096) throw new InvalidError('Cannot update node with description exceeding 4096 characters');
  // validate_network_data: each value given for /network_data itself, against the bare
  // network-data schema (the trailing space is 21.4's).
  for (const nd of patchValues(ops, '/network_data')) {
    const e = plainSchemaError(nd, NETWORK_DATA_SCHEMA);
    if (e) throw new InvalidError(`Invalid network_data: ${e} `);
  }
  const n = await getNode(req, deps.nodes, ident);
  // A node in maintenance may always drop its instance_uuid (exactly this one op).
  const onlyInstanceRemoval = n.maintenance && ops.length === 1 && ops[0]!.op === 'remove' && ops[0]!.path === '/instance_uuid' && Object.keys(ops[0]!).length === 2;
  if (!onlyInstanceRemoval) {
    if (n.target_provision_state && !UPDATE_ALLOWED_STATES.has(n.provision_state)) {
      throw new ConflictError(`Node ${ident} can not be updated while a state transition is in progress.`);
    }
    if (n.provision_state === S.INSPECTING && supports(req, 'inspect_wait')) {
      throw new ConflictError(`Cannot update node "${n.uuid}" while it is in state "inspecting".`);
    }
  }
  const names = patchValues(ops, '/name');
  if (names.length) checkNames(req, names, `Node ${ident}: Cannot change name to invalid name '%s'`);
  const [c] = await refMaps(deps, [n]);
  const before = patchDoc(n, n.chassis_id === null ? null : c.get(n.chassis_id) ?? null);
  const after = applyPatch(before, ops);
  validate('patch', Object.fromEntries(Object.entries(after).filter(([k]) => k in NODE_PATCH_SCHEMA.properties!)), NODE_PATCH_SCHEMA);
  validateExtra(after);
  // Removed root fields fall back to their defaults.
  const json = ['driver_info', 'extra', 'instance_info', 'properties', 'network_data'];
  for (const f of PATCH_ALLOWED_FIELDS) if (!(f in after)) after[f] = json.includes(f) ? {} : null;
  for (const f of json) if (after[f] === null) after[f] = {};
  const changes: Partial<Node> = {};
  for (const f of PATCH_ALLOWED_FIELDS) {
    if (JSON.stringify(after[f]) === JSON.stringify(before[f])) continue;
    (changes as Record<string, unknown>)[f] = after[f];
  }
  for (const f of ['automated_clean', 'maintenance', 'protected', 'retired'] as const) {
    if (f in changes) {
      const v = (changes as Record<string, unknown>)[f];
      (changes as Record<string, unknown>)[f] = v === null ? (f === 'automated_clean' ? null : false) : boolArg(f, v);
    }
  }
  if ('instance_uuid' in changes && changes.instance_uuid !== null) changes.instance_uuid = canonicalUuid(changes.instance_uuid as string);
  if ('chassis_uuid' in changes) {
    const cu = (changes as Record<string, unknown>).chassis_uuid as string | null;
    delete (changes as Record<string, unknown>).chassis_uuid;
    if (cu === null) {
      changes.chassis_id = null;
    } else {
      const row = await deps.db.selectFrom('chassis').select('id').where('uuid', '=', canonicalUuid(cu)).executeTakeFirst();
      if (!row) throw new InvalidError(`Chassis ${cu} could not be found.`);
      changes.chassis_id = row.id;
    }
    if (changes.chassis_id === null && n.chassis_id !== null && !supports(req, 'unset_chassis')) throw new NotAcceptableError('Request not acceptable.');
  }
  if ('conductor_group' in changes) changes.conductor_group = ((changes.conductor_group as string | null) ?? '').toLowerCase();
  if ('maintenance' in changes && changes.maintenance === false) { changes.maintenance_reason = null; changes.fault = null; }
  await checkTopic(deps, (changes.driver as string | undefined) ?? n.driver, changes.conductor_group ?? n.conductor_group);
  if ('driver' in changes && n.console_enabled) {
    throw new ConflictError(`Node ${ident} can not update the driver while the console is enabled. Please stop the console first.`);
  }
  try {
    // Like Ironic, every accepted PATCH goes through the conductor under the node lock, so
    // the answer shows the reservation and a fresh updated_at even when nothing changed.
    return await deps.conductor.updateNode(n.id, changes, reset ? { resetInterfaces: true } : {});
  } catch (err) {
    const col = uniqueViolation(err);
    if (col === 'name') throw new ConflictError(`A node with name ${String(changes.name)} already exists.`);
    if (col === 'instance_uuid') throw new ConflictError(`Instance ${String(changes.instance_uuid)} is already associated with a node, it cannot be associated with this other node ${n.uuid}`);
    throw err;
  }
}

type Ident = { Params: { ident: string } };

export function nodeRoutes(app: FastifyInstance, deps: ApiDeps): void {
  app.get('/v1/nodes', async (req) => {
    // `/v1/nodes//` reaches get_one with an empty identifier.
    if (/\/nodes\/\/+$/.test(req.url.split('?')[0]!)) throw new InvalidError('Missing mandatory parameter: node_ident');
    return listNodes(req, deps, false);
  });
  app.get('/v1/nodes/detail', async (req) => listNodes(req, deps, true, {}, 'nodes/detail'));
  app.get<Ident>('/v1/nodes/:ident', async (req) => {
    checkRoutingIdent(req.params.ident);
    const q = ironicArgs(req, [['fields', 'string_list']]);
    const fields = q.fields as string[] | undefined;
    const n = await getNode(req, deps.nodes, req.params.ident);
    checkFields(req, fields);
    return renderOne(req, deps, n, fields);
  });
  app.post('/v1/nodes', async (req, reply) => {
    ironicArgs(req, []);
    const n = await createNode(req, deps);
    const base = publicUrl(req, deps.config.publicUrl);
    reply.code(201).header('Location', `${base}/v1/nodes/${n.uuid}`);
    return renderOne(req, deps, n);
  });
  app.patch<Ident>('/v1/nodes/:ident', async (req) => {
    checkRoutingIdent(req.params.ident);
    const n = await patchNode(req, deps, req.params.ident);
    return renderOne(req, deps, n);
  });
  app.delete<Ident>('/v1/nodes/:ident', async (req, reply) => {
    checkRoutingIdent(req.params.ident);
    ironicArgs(req, []);
    const n = await getNode(req, deps.nodes, req.params.ident);
    await deps.conductor.destroyNode(n.id);
    return reply.code(204).send();
  });
  // Pecan hands the path segment to post() as its `node` argument, which then fails the schema.
  app.post<Ident>('/v1/nodes/:ident', async (req) => {
    checkRoutingIdent(req.params.ident);
    throw new InvalidError(`Schema error for node: ${pyRepr(req.params.ident)} is not of type 'object'`);
  });
  app.put<Ident>('/v1/nodes/:ident', async (req) => { checkRoutingIdent(req.params.ident); throw new RoutingError(405); });
  app.put('/v1/nodes', async () => { throw new RoutingError(405); });
  app.delete('/v1/nodes', async () => { throw new RoutingError(405); });
}
