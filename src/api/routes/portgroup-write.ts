/**
 * Portgroup writes (POST, PATCH, DELETE /v1/portgroups) with Ironic 21.4's rules: schema
 * and validators, mode/properties from 1.26 (406), logical names, the node-state rule for
 * moving a portgroup to another node and the standalone-ports rule of the `flat` network
 * interface, which `ConductorApi.updatePortgroup` checks under the node lock
 * (conductor/node-resources.ts; deletion: `destroyPortgroup`). Creation takes no lock,
 * as in Ironic, whose API creates portgroups itself.
 *
 * Deviations from 21.4 (500s there): null standalone_ports_supported and a removed
 * node_uuid are 400; deleting a portgroup that has ports, or moving it to another node,
 * answers Ironic's PortgroupNotEmpty (400) — 21.4 compares the UUID with the integer
 * column, misses the ports and fails on the foreign key instead.
 */
import type { FastifyRequest } from 'fastify';
import type { ApiDeps } from '../server.ts';
import type { Json } from '../../core/node.ts';
import { ConflictError, ForbiddenError, InvalidError, NotAcceptableError, NotFoundError } from '../../core/errors.ts';
import { isUuidLike, newUuid } from '../../core/ids.ts';
import { ProvisionState as S } from '../../core/states.ts';
import { PortgroupRepo, type Portgroup, type PortgroupChanges } from '../../db/portgroups.ts';
import { supports } from '../context.ts';
import { validateSchema, type JSchema } from '../jsonschema.ts';
import { validatePatch, checkAllowedRoots, applyPatch, type PatchOp } from '../patch.ts';
import { isLogicalName } from '../listing.ts';
import { boolArg, uuidArg, macArg, pyStr, nodeForPatch, firstOpTouches, patchValues } from '../resource-args.ts';

export const PORTGROUP_PATCH_ALLOWED = ['address', 'extra', 'mode', 'name', 'node_uuid', 'properties', 'standalone_ports_supported'];

const PORTGROUP_SCHEMA: JSchema = {
  type: 'object',
  properties: {
    address: { type: ['string', 'null'] }, extra: { type: ['object', 'null'] }, mode: { type: ['string', 'null'] },
    name: { type: ['string', 'null'] }, node_uuid: { type: 'string' }, properties: { type: ['object', 'null'] },
    standalone_ports_supported: { type: ['string', 'boolean', 'null'] }, uuid: { type: ['string', 'null'] },
  },
  required: ['node_uuid'],
  additionalProperties: false,
};

/** PORTGROUP_VALIDATOR: schema (errors named `name`), then address, node_uuid, standalone_ports_supported, uuid. */
function validatePortgroup(name: string, body: unknown): Json {
  validateSchema(name, body, PORTGROUP_SCHEMA);
  const b = { ...(body as Json) };
  if ('address' in b) b.address = macArg('address', b.address) ?? null;
  if ('node_uuid' in b) b.node_uuid = uuidArg('node_uuid', b.node_uuid) ?? null;
  if ('standalone_ports_supported' in b) b.standalone_ports_supported = boolArg('standalone_ports_supported', b.standalone_ports_supported) ?? null;
  if ('uuid' in b) b.uuid = uuidArg('uuid', b.uuid) ?? null;
  return b;
}

/** `check_allowed_portgroup_fields`: mode and properties need 1.26. */
export function checkPortgroupFields(req: FastifyRequest, fields: Iterable<string> | undefined): void {
  if (!fields) return;
  const f = new Set(fields);
  if ((f.has('mode') || f.has('properties')) && !supports(req, 'portgroup_mode')) throw new NotAcceptableError('Request not acceptable.');
}

/** Portgroups exist from 1.23; below, the collection's own methods answer this fault 404. */
export function portgroupsGate(req: FastifyRequest): void {
  if (!supports(req, 'portgroups')) throw new NotFoundError('Resource could not be found.');
}

/** `objects.Portgroup.get`: an integer is the database id, then UUID, then name (exact). */
export async function portgroupByIdent(deps: ApiDeps, ident: string): Promise<Portgroup> {
  const repo = new PortgroupRepo(deps.db);
  let pg: Portgroup | undefined;
  if (/^(0|-?[1-9]\d*)$/.test(ident)) pg = await repo.getById(Number(ident));
  else if (isUuidLike(ident)) pg = await repo.getByUuid(ident);
  else pg = await repo.getByName(ident);
  if (!pg) throw new NotFoundError(`Portgroup ${ident} could not be found.`);
  return pg;
}

const NO_NULL_STANDALONE = "Field `standalone_ports_supported' cannot be None";

export async function createPortgroup(req: FastifyRequest, deps: ApiDeps, nested: boolean): Promise<Portgroup> {
  const v = validatePortgroup('portgroup', req.body ?? {});
  portgroupsGate(req);
  const node = await deps.nodes.getByUuid(v.node_uuid as string);
  if (!node) throw new InvalidError(`Node ${String(v.node_uuid)} could not be found.`);
  if (nested) throw new ForbiddenError();
  if (!supports(req, 'portgroup_mode') && (v.mode || (v.properties && Object.keys(v.properties as Json).length))) {
    throw new NotAcceptableError('Request not acceptable.');
  }
  if (v.name && !isLogicalName(v.name)) throw new InvalidError(`Cannot create portgroup with invalid name '${pyStr(v.name)}'`);
  if ('standalone_ports_supported' in v && v.standalone_ports_supported === null) throw new InvalidError(NO_NULL_STANDALONE);
  return new PortgroupRepo(deps.db).create({
    uuid: (v.uuid as string | null) || newUuid(), name: (v.name as string | null | undefined) ?? null,
    address: (v.address as string | null | undefined) ?? null, node_id: node.id, mode: (v.mode as string | null | undefined) ?? null,
    properties: (v.properties as Json | null) ?? {}, standalone_ports_supported: (v.standalone_ports_supported as boolean | undefined) ?? true,
    extra: (v.extra as Json | null) ?? {},
  });
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

export async function patchPortgroup(req: FastifyRequest, deps: ApiDeps, ident: string, nested: boolean): Promise<Portgroup> {
  const ops: PatchOp[] = validatePatch(req.body);
  portgroupsGate(req);
  const pg = await portgroupByIdent(deps, ident);
  if (nested) throw new ForbiddenError();
  if (!supports(req, 'portgroup_mode') && (firstOpTouches(ops, '/mode') || firstOpTouches(ops, '/properties'))) {
    throw new NotAcceptableError('Request not acceptable.');
  }
  checkAllowedRoots(ops, PORTGROUP_PATCH_ALLOWED);
  for (const name of patchValues(ops, '/name')) {
    if (name && !isLogicalName(name)) throw new InvalidError(`Portgroup ${ident}: Cannot change name to invalid name '${pyStr(name)}'`);
  }
  let node = await deps.nodes.getById(pg.node_id);
  if (!node) throw new NotFoundError(`Portgroup ${ident} could not be found.`);
  const before: Json = {
    uuid: pg.uuid, name: pg.name, address: pg.address, mode: pg.mode, properties: pg.properties,
    standalone_ports_supported: pg.standalone_ports_supported, internal_info: pg.internal_info, extra: pg.extra,
    created_at: pg.created_at, updated_at: pg.updated_at, node_uuid: node.uuid,
  };
  const doc = applyPatch(before, ops);
  if (!('mode' in doc)) throw new InvalidError("'mode' is a mandatory attribute and can not be removed");
  if ('node_uuid' in doc && doc.node_uuid !== node.uuid) node = await nodeForPatch(deps, doc.node_uuid);
  const v = validatePortgroup('patch', Object.fromEntries(Object.entries(doc).filter(([k]) => k in PORTGROUP_SCHEMA.properties!)));
  const next: Json = {
    address: v.address ?? null, extra: v.extra ?? null, mode: v.mode ?? null, name: v.name ?? null,
    properties: v.properties ?? null, standalone_ports_supported: v.standalone_ports_supported ?? null, node_id: node.id,
  };
  const changes: PortgroupChanges = {};
  for (const [k, val] of Object.entries(next)) if (!same(val, (pg as unknown as Json)[k] ?? null)) (changes as Json)[k] = val;
  if ('standalone_ports_supported' in changes && changes.standalone_ports_supported === null) throw new InvalidError(NO_NULL_STANDALONE);
  if (node.provision_state === S.INSPECTING && supports(req, 'inspect_wait')) {
    throw new ConflictError(`Cannot update portgroup "${pg.uuid}" on node "${node.uuid}" while it is in state "${S.INSPECTING}".`);
  }
  if (changes.extra === null) changes.extra = {};
  if (changes.properties === null) changes.properties = {};
  // The conductor locks the portgroup's (new) node and makes the move and standalone-port
  // checks Ironic's update_portgroup makes there; `changes` carries node_id only on a move.
  return deps.conductor.updatePortgroup(pg.id, changes);
}

export async function deletePortgroup(req: FastifyRequest, deps: ApiDeps, ident: string, nested: boolean): Promise<void> {
  portgroupsGate(req);
  const pg = await portgroupByIdent(deps, ident);
  if (nested) throw new ForbiddenError();
  await deps.conductor.destroyPortgroup(pg.id);
}
