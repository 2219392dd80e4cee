/**
 * /v1/chassis: list (default fields uuid, description), detail, show, create, PATCH
 * (description, extra; uuid is listed as patchable but any change is refused), delete (400
 * while nodes belong to it); /v1/chassis/{uuid}/nodes[/detail] lists the chassis' nodes
 * with the node list's rules (its `next` link points at /v1/nodes, as in 21.4).
 *
 * Nested node paths answer as 21.4 does: GET one → 403 "Operation not permitted."; POST,
 * PATCH and DELETE reach the node controller with shifted arguments and fail with the
 * messages reproduced below. `?chassis_uuid=` on the nested list is a 500 in 21.4; 400 here.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ApiDeps } from '../server.ts';
import { ForbiddenError, InvalidError, NotFoundError } from '../../core/errors.ts';
import { newUuid } from '../../core/ids.ts';
import type { Json } from '../../core/node.ts';
import { ChassisRepo, CHASSIS_SORT_COLUMNS, type Chassis } from '../../db/chassis.ts';
import { publicUrl } from '../context.ts';
import { listQuery, pagingArgs, openPage, pageOptions, renderCollection, type CollectionSpec } from '../resource-list.ts';
import { RoutingError } from '../errors.ts';
import { validateSchema, type JSchema } from '../jsonschema.ts';
import { validatePatch, checkAllowedRoots, applyPatch } from '../patch.ts';
import { chassisDict } from '../views/chassis.ts';
import { listNodes } from './nodes.ts';
import type { JsonText } from '../views/json-text.ts';
import { checkRoutingIdent } from './node-args.ts';
import {
  queryArgs, boolArg, uuidArg, stringListArg, returnFields, checkFieldsAllowed, checkFieldNames, sanitize,
} from '../resource-args.ts';

const DEFAULT_FIELDS = ['uuid', 'description'];
const COLLECTION: CollectionSpec = {
  key: 'chassis', resource: 'Chassis', sortColumns: CHASSIS_SORT_COLUMNS, invalidSortKeys: ['extra'], idLikeColumns: ['version'],
};

const CHASSIS_SCHEMA: JSchema = {
  type: 'object',
  properties: { uuid: { type: ['string', 'null'] }, extra: { type: ['object', 'null'] }, description: { type: ['string', 'null'], maxLength: 255 } },
  additionalProperties: false,
};
/** Ironic joins the schema's property names: "uuid, extra, description". */
const PATCH_ALLOWED = Object.keys(CHASSIS_SCHEMA.properties!);

function validateChassis(name: string, body: unknown): Json {
  validateSchema(name, body, CHASSIS_SCHEMA);
  const b = { ...(body as Json) };
  if ('uuid' in b) b.uuid = uuidArg('uuid', b.uuid) ?? null;
  return b;
}

function render(req: FastifyRequest, deps: ApiDeps, c: Chassis, fields?: string[]): Record<string, unknown> {
  const d = chassisDict(c, publicUrl(req, deps.config.publicUrl));
  checkFieldNames(fields, d);
  return sanitize(d, fields);
}

async function getChassis(deps: ApiDeps, uuid: string): Promise<Chassis> {
  const c = await new ChassisRepo(deps.db).getByUuid(uuid);
  if (!c) throw new NotFoundError(`Chassis ${uuid} could not be found.`);
  return c;
}

async function listChassis(req: FastifyRequest, deps: ApiDeps, detailPath: boolean): Promise<Record<string, unknown>> {
  const q = listQuery(req, detailPath, []);
  const args = pagingArgs(q);
  let fields = args.fields;
  const detail = boolArg('detail', q.detail);
  if (!detailPath) {
    checkFieldsAllowed(req, fields);
    fields = returnFields(req, fields, detail, DEFAULT_FIELDS);
  }
  const page = await openPage(COLLECTION, args, deps.config.maxLimit, (uuid) => new ChassisRepo(deps.db).getByUuid(uuid));
  const rows = await new ChassisRepo(deps.db).list(pageOptions(COLLECTION, page));
  const base = publicUrl(req, deps.config.publicUrl);
  const dicts = rows.map((c) => chassisDict(c, base));
  return renderCollection(COLLECTION, page, { base, detailPath, detail, fields }, rows, dicts, (d) => sanitize(d, fields));
}

async function patchChassis(req: FastifyRequest, deps: ApiDeps, uuid: string): Promise<Chassis> {
  queryArgs(req, []);
  const ops = validatePatch(req.body);
  checkAllowedRoots(ops, PATCH_ALLOWED);
  const c = await getChassis(deps, uuid);
  const before: Json = { id: c.id, uuid: c.uuid, description: c.description, extra: c.extra, created_at: c.created_at, updated_at: c.updated_at };
  const doc = applyPatch(before, ops);
  const v = validateChassis('patch', Object.fromEntries(Object.entries(doc).filter(([k]) => k in CHASSIS_SCHEMA.properties!)));
  if ((v.uuid ?? null) !== c.uuid) throw new InvalidError('Cannot overwrite UUID for an existing Chassis.');
  const description = (v.description as string | null | undefined) ?? null;
  const extra = (v.extra as Json | null | undefined) ?? null;
  const changes: { description?: string | null; extra?: Json } = {};
  if (description !== c.description) changes.description = description;
  if (JSON.stringify(extra) !== JSON.stringify(c.extra)) changes.extra = extra ?? {};
  return new ChassisRepo(deps.db).update(c.id, changes);
}

type Id = { Params: { id: string } };
type NodeId = { Params: { id: string; node: string } };

/** The chassis of a nested node path (`args.uuid` on chassis_uuid, exact lookup). */
async function chassisOfPath(deps: ApiDeps, id: string): Promise<Chassis> {
  uuidArg('chassis_uuid', id);
  return getChassis(deps, id);
}

async function chassisNodes(req: FastifyRequest<Id>, deps: ApiDeps, detail: boolean): Promise<JsonText> {
  uuidArg('chassis_uuid', req.params.id);
  if (req.query && 'chassis_uuid' in (req.query as object)) throw new InvalidError("NodesController.get_all() got multiple values for argument 'chassis_uuid'");
  const c = await getChassis(deps, req.params.id);
  return listNodes(req, deps, detail, { chassis_id: c.id }, detail ? 'nodes/detail' : 'nodes');
}

export function chassisRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const missingId = async () => { throw new InvalidError('Missing mandatory parameter: chassis_uuid'); };
  const notAllowed = async () => { throw new RoutingError(405); };

  app.get('/v1/chassis', (req) => listChassis(req, deps, false));
  app.get('/v1/chassis/detail', (req) => listChassis(req, deps, true));
  app.get<Id>('/v1/chassis/:id', async (req) => {
    const q = queryArgs(req, ['fields']);
    uuidArg('chassis_uuid', req.params.id);
    const fields = stringListArg('fields', q.fields);
    checkFieldsAllowed(req, fields);
    return render(req, deps, await getChassis(deps, req.params.id), fields);
  });
  app.post('/v1/chassis', async (req, reply) => {
    queryArgs(req, []);
    const v = validateChassis('chassis', req.body ?? {});
    const c = await new ChassisRepo(deps.db).create({
      uuid: (v.uuid as string | null) || newUuid(), description: (v.description as string | null | undefined) ?? null,
      extra: (v.extra as Json | null | undefined) ?? {},
    });
    reply.code(201).header('Location', `${publicUrl(req, deps.config.publicUrl)}/v1/chassis/${c.uuid}`);
    return render(req, deps, c);
  });
  app.patch<Id>('/v1/chassis/:id', async (req) => render(req, deps, await patchChassis(req, deps, req.params.id)));
  app.delete<Id>('/v1/chassis/:id', async (req, reply) => {
    queryArgs(req, []);
    uuidArg('chassis_uuid', req.params.id);
    await new ChassisRepo(deps.db).delete(await getChassis(deps, req.params.id));
    return reply.code(204).send();
  });
  app.post<Id>('/v1/chassis/:id', async (req) => { throw new InvalidError(`Schema error for chassis: '${req.params.id}' is not of type 'object'`); });
  app.patch('/v1/chassis', missingId);
  app.delete('/v1/chassis', missingId);
  app.put('/v1/chassis', notAllowed);
  app.put<Id>('/v1/chassis/:id', notAllowed);

  const N = '/v1/chassis/:id/nodes';
  app.get<Id>(N, (req) => chassisNodes(req, deps, false));
  app.get<Id>(`${N}/detail`, (req) => chassisNodes(req, deps, true));
  app.get<NodeId>(`${N}/:node`, async (req) => { checkRoutingIdent(req.params.node); throw new ForbiddenError(); });
  app.post<Id>(N, async (req) => { throw new InvalidError(`Schema error for node: '${req.params.id}' is not of type 'object'`); });
  app.patch<NodeId>(`${N}/:node`, async (req) => {
    checkRoutingIdent(req.params.node);
    throw new InvalidError(`Invalid reset_interfaces: Unrecognized value '${req.params.node}', acceptable values are: '0', '1', 'f', 'false', 'n', 'no', 'off', 'on', 't', 'true', 'y', 'yes'`);
  });
  app.delete<NodeId>(`${N}/:node`, async (req) => { checkRoutingIdent(req.params.node); throw new NotFoundError('Resource could not be found.'); });
  app.put<Id>(N, async (req) => { await chassisOfPath(deps, req.params.id); throw new RoutingError(405); });
}
