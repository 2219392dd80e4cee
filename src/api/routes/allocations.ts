/**
 * /v1/allocations (API 1.52): create (matching runs in the conductor), list, show by
 * UUID or name, PATCH name/extra (1.57), delete; `owner` from 1.60, backfill with `node`
 * from 1.58. Also /v1/nodes/{ident}/allocation (GET, DELETE).
 *
 * Below 1.52 the resource does not exist: GET → 404, other methods → 405 (routing errors
 * whose description is "The API version does not allow allocations").
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ApiDeps } from '../server.ts';
import { IngotError, InvalidError, NotAcceptableError, NotFoundError } from '../../core/errors.ts';
import { canonicalUuid, isUuidLike, newUuid } from '../../core/ids.ts';
import type { Json, Node } from '../../core/node.ts';
import { AllocationRepo, ALLOCATION_COLUMNS, type Allocation } from '../../db/allocations.ts';
import { supports, publicUrl } from '../context.ts';
import { queryOf } from '../params.ts';
import { validateSortDir, nextLink } from '../collection.ts';
import { validate, pyRepr, type Schema } from '../schema.ts';
import { validatePatch, checkAllowedRoots, applyPatch } from '../patch.ts';
import { getNode } from '../lookup.ts';
import { RoutingError } from '../errors.ts';
import { checkRoutingIdent } from './node-args.ts';
import { traitSchemaError } from '../trait-schema.ts';
import { fieldsArg, checkInvalidFields, limitArg, sortKeyArg, uuidOrNameArg, uuidArg, isLogicalName } from '../listing.ts';
import { renderAllocation, ALLOCATION_FIELDS, type AllocationViewContext } from '../views/allocation.ts';

const TOO_OLD = 'The API version does not allow allocations';
const PATCH_ALLOWED = ['name', 'extra'];
const INVALID_SORT_KEYS = ['extra', 'candidate_nodes', 'traits'];

const S_OR_NULL: Schema = { type: ['string', 'null'] };
/** Ironic's ALLOCATION_SCHEMA; trait items are checked by traitSchemaError for exact messages. */
const ALLOCATION_SCHEMA: Schema = {
  type: 'object',
  properties: {
    candidate_nodes: { type: ['array', 'null'], items: { type: 'string' } },
    extra: { type: ['object', 'null'] }, name: S_OR_NULL, node: S_OR_NULL, owner: S_OR_NULL,
    resource_class: { type: ['string', 'null'], maxLength: 80 },
    traits: { type: ['array', 'null'] }, uuid: S_OR_NULL,
  },
  additionalProperties: false,
};

function gate(req: FastifyRequest): void {
  if (!supports(req, 'allocations')) throw new RoutingError(req.method === 'GET' ? 404 : 405, TOO_OLD);
}

/** Python's str() of a JSON value, for "invalid name '%s'" messages. */
function pyStr(v: unknown): string { return typeof v === 'string' ? v : pyRepr(v); }

/** The allocation schema plus trait rules: 400 "Schema error for <name>: …". */
function validateAllocation(name: string, body: unknown): void {
  validate(name, body, ALLOCATION_SCHEMA);
  const traits = (body as { traits?: unknown }).traits;
  if (Array.isArray(traits)) for (const t of traits) { const e = traitSchemaError(t); if (e) throw new InvalidError(`Schema error for ${name}: ${e}`); }
  const uuid = (body as { uuid?: unknown }).uuid;
  if (uuid !== undefined && uuid !== null) uuidArg('uuid', uuid as string);
}

function checkOwnerField(req: FastifyRequest, fields: Iterable<string> | undefined): void {
  if (fields && [...fields].includes('owner') && !supports(req, 'allocation_owner')) throw new NotAcceptableError('Request not acceptable.');
}

async function viewContext(req: FastifyRequest, deps: ApiDeps, allocations: Allocation[]): Promise<AllocationViewContext> {
  const ids = [...new Set(allocations.map((a) => a.node_id).filter((x): x is number => x !== null))];
  const m = new Map<number, string>();
  if (ids.length) for (const r of await deps.db.selectFrom('nodes').select(['id', 'uuid']).where('id', 'in', ids).execute()) m.set(r.id, r.uuid);
  return { version: req.apiVersion, base: publicUrl(req, deps.config.publicUrl), nodeUuid: (id) => (id === null ? null : m.get(id) ?? null) };
}

async function render(req: FastifyRequest, deps: ApiDeps, a: Allocation, fields?: string[]): Promise<Record<string, unknown>> {
  checkInvalidFields(fields, ALLOCATION_FIELDS);
  return renderAllocation(a, await viewContext(req, deps, [a]), fields);
}

/** get_rpc_allocation: UUID, else logical name, else 400; 404 when missing. */
async function lookup(deps: ApiDeps, ident: string): Promise<Allocation> {
  const repo = new AllocationRepo(deps.db);
  let a: Allocation | undefined;
  if (isUuidLike(ident)) a = await repo.getByUuid(canonicalUuid(ident));
  else if (isLogicalName(ident)) a = await repo.getByName(ident);
  else throw new InvalidError(`Expected a logical name or UUID but received ${ident}.`);
  if (!a) throw new NotFoundError(`Allocation ${ident} could not be found.`);
  return a;
}

/** Resolve candidate node names/UUIDs to UUIDs, keeping order; 400 "Nodes cannot be found: …". */
async function resolveCandidates(deps: ApiDeps, idents: string[]): Promise<string[]> {
  const unique = [...new Set(idents)];
  const bad = unique.filter((i) => !isUuidLike(i) && !isLogicalName(i));
  if (bad.length) throw new InvalidError(`Nodes cannot be found: ${bad.join(', ')}`);
  const uuids = unique.filter((i) => isUuidLike(i)).map(canonicalUuid);
  const names = unique.filter((i) => !isUuidLike(i));
  const rows = await deps.db.selectFrom('nodes').select(['uuid', 'name'])
    .where((eb) => eb.or([eb('uuid', 'in', uuids.length ? uuids : ['']), eb('name', 'in', names.length ? names : [''])])).execute();
  const map = new Map<string, string>();
  for (const r of rows) {
    for (const i of unique) if ((isUuidLike(i) && canonicalUuid(i) === r.uuid) || i === r.name) map.set(i, r.uuid);
  }
  const missing = unique.filter((i) => !map.has(i));
  if (missing.length) throw new InvalidError(`Nodes cannot be found: ${missing.join(', ')}`);
  return idents.map((i) => map.get(i)!);
}

async function create(req: FastifyRequest, deps: ApiDeps): Promise<{ allocation: Allocation; node: Node | null }> {
  const body = req.body === undefined || req.body === null ? {} : req.body;
  validateAllocation('allocation', body);
  const b = body as Record<string, unknown>;
  checkOwnerField(req, Object.keys(b));
  if (b.name && !isLogicalName(b.name)) throw new InvalidError(`Cannot create allocation with invalid name '${pyStr(b.name)}'`);
  let node: Node | null = null;
  if (b.node) {
    if (!supports(req, 'allocation_backfill')) throw new InvalidError('Cannot set node when creating an allocation in this API version');
    try { node = await getNode(req, deps.nodes, b.node as string); } catch (e) {
      if (e instanceof NotFoundError) throw new InvalidError(e.message);
      throw e;
    }
  }
  let rc = b.resource_class as string | null | undefined;
  if (!rc) {
    if (!node) throw new InvalidError('The resource_class field is mandatory when not backfilling');
    rc = node.resource_class;
  }
  const candidates = Array.isArray(b.candidate_nodes) && b.candidate_nodes.length ? await resolveCandidates(deps, b.candidate_nodes as string[]) : [];
  const uuid = b.uuid ? canonicalUuid(b.uuid as string) : node?.instance_uuid ?? newUuid();
  const conductor = await deps.db.selectFrom('conductors').select('id').where('hostname', '=', deps.conductor.hostname).executeTakeFirst();
  const repo = new AllocationRepo(deps.db);
  const allocation = await repo.create({
    uuid, name: (b.name as string | null | undefined) ?? null, owner: (b.owner as string | null | undefined) ?? null,
    resource_class: rc ?? null, traits: (b.traits as string[] | null | undefined) ?? [], candidate_nodes: candidates,
    extra: (b.extra as Json | null | undefined) ?? {}, conductor_affinity: conductor?.id ?? null,
  });
  if (node) {
    await deps.conductor.processAllocation(allocation.id, { backfillNodeId: node.id });
    return { allocation: (await repo.getById(allocation.id)) ?? allocation, node };
  }
  await deps.conductor.processAllocation(allocation.id);
  return { allocation, node };
}

async function list(req: FastifyRequest, deps: ApiDeps): Promise<Record<string, unknown>> {
  const q = queryOf(req, ['node', 'resource_class', 'state', 'marker', 'limit', 'sort_key', 'sort_dir', 'fields', 'owner']);
  if (q.node !== undefined) uuidOrNameArg('node', q.node);
  uuidArg('marker', q.marker);
  const fields = fieldsArg(q.fields);
  const limit = limitArg(q.limit, deps.config.maxLimit);
  checkOwnerField(req, fields);
  if (q.owner !== undefined && !supports(req, 'allocation_owner')) throw new NotAcceptableError('Request not acceptable.');
  const sortDir = validateSortDir(q.sort_dir);
  const sortKey = sortKeyArg(q.sort_key, ALLOCATION_COLUMNS, INVALID_SORT_KEYS);
  const repo = new AllocationRepo(deps.db);
  let marker: { id: number; sortValue: unknown } | undefined;
  if (q.marker !== undefined) {
    const m = await repo.getByUuid(canonicalUuid(q.marker));
    if (!m) throw new NotFoundError(`Allocation ${q.marker} could not be found.`);
    const raw = await deps.db.selectFrom('allocations').selectAll().where('id', '=', m.id).executeTakeFirstOrThrow();
    marker = { id: m.id, sortValue: (raw as Record<string, unknown>)[sortKey] };
  }
  let nodeId: number | undefined;
  if (q.node !== undefined) {
    try { nodeId = (await getNode(req, deps.nodes, q.node)).id; } catch (e) {
      if (e instanceof NotFoundError) throw new InvalidError(e.message);
      throw e;
    }
  }
  const items = await repo.list({ node_id: nodeId, resource_class: q.resource_class, state: q.state, owner: q.owner }, { limit, sortKey, sortDir, marker });
  // Like Ironic, unknown `fields` are only noticed when there is an item to render.
  if (items.length) checkInvalidFields(fields, ALLOCATION_FIELDS);
  const ctx = await viewContext(req, deps, items);
  const out = items.map((a) => renderAllocation(a, ctx, fields));
  const params: [string, unknown][] = [['sort_key', sortKey], ['sort_dir', sortDir]];
  if (fields) params.push(['fields', fields.join(',')]);
  const next = nextLink(ctx.base, 'allocations', out, limit, items.at(-1)?.uuid, params);
  return next ? { allocations: out, next } : { allocations: out };
}

async function patch(req: FastifyRequest, deps: ApiDeps, ident: string): Promise<Allocation> {
  const ops = validatePatch(req.body);
  if (!supports(req, 'allocation_update')) throw new IngotError('MethodNotAllowed', 'The API version does not allow updating allocations');
  const a = await lookup(deps, ident);
  checkAllowedRoots(ops, PATCH_ALLOWED);
  for (const p of ops) {
    if (p.path === '/name' && p.op !== 'remove' && p.value && !isLogicalName(p.value)) {
      throw new InvalidError(`Cannot update allocation with invalid name '${pyStr(p.value)}'`);
    }
  }
  const doc: Record<string, unknown> = {
    candidate_nodes: a.candidate_nodes, extra: a.extra, name: a.name, owner: a.owner, resource_class: a.resource_class,
    traits: a.traits, uuid: a.uuid, state: a.state, last_error: a.last_error, node_id: a.node_id,
    created_at: a.created_at, updated_at: a.updated_at,
  };
  const after = applyPatch(doc, ops);
  const checked: Record<string, unknown> = {};
  for (const k of Object.keys(ALLOCATION_SCHEMA.properties!)) if (k in after) checked[k] = after[k];
  validateAllocation('patch', checked);
  const changes: { name?: string | null; extra?: Json } = {};
  const name = (after.name ?? null) as string | null;
  if (name !== a.name) changes.name = name;
  const extra = (after.extra ?? {}) as Json;
  if (JSON.stringify(extra) !== JSON.stringify(a.extra)) changes.extra = extra;
  if (Object.keys(changes).length === 0) return a;
  return new AllocationRepo(deps.db).update(a.id, changes);
}

export function allocationRoutes(app: FastifyInstance, deps: ApiDeps): void {
  app.get('/v1/allocations', async (req) => { gate(req); return list(req, deps); });
  app.post('/v1/allocations', async (req, reply) => {
    gate(req);
    queryOf(req, []);
    const { allocation } = await create(req, deps);
    reply.code(201).header('Location', `${publicUrl(req, deps.config.publicUrl)}/v1/allocations/${allocation.uuid}`);
    return render(req, deps, allocation);
  });
  app.get<{ Params: { ident: string } }>('/v1/allocations/:ident', async (req) => {
    gate(req);
    const q = queryOf(req, ['fields']);
    uuidOrNameArg('allocation_ident', req.params.ident);
    const fields = fieldsArg(q.fields);
    const a = await lookup(deps, req.params.ident);
    checkOwnerField(req, fields);
    return render(req, deps, a, fields);
  });
  app.patch<{ Params: { ident: string } }>('/v1/allocations/:ident', async (req) => {
    gate(req);
    queryOf(req, []);
    return render(req, deps, await patch(req, deps, req.params.ident));
  });
  app.delete<{ Params: { ident: string } }>('/v1/allocations/:ident', async (req, reply) => {
    gate(req);
    queryOf(req, []);
    uuidOrNameArg('allocation_ident', req.params.ident);
    const a = await lookup(deps, req.params.ident);
    await deps.conductor.destroyAllocation(a.id);
    return reply.code(204).send();
  });
  // Ironic binds a trailing word on POST to the body argument, and misses the ident on PATCH/DELETE.
  app.post<{ Params: { ident: string } }>('/v1/allocations/:ident', async (req) => {
    gate(req);
    throw new InvalidError(`Schema error for allocation: ${pyRepr(req.params.ident)} is not of type 'object'`);
  });
  app.route({
    method: ['PATCH', 'DELETE'], url: '/v1/allocations',
    handler: async (req) => { gate(req); throw new InvalidError('Missing mandatory parameter: allocation_ident'); },
  });
  app.put('/v1/allocations', async (req) => { gate(req); throw new RoutingError(405); });
  app.put('/v1/allocations/:ident', async (req) => { gate(req); throw new RoutingError(405); });
  nodeAllocationRoutes(app, deps);
}

/** /v1/nodes/{ident}/allocation: the node's allocation (404 if none); below 1.52 404 for every method. */
function nodeAllocationRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const nodeGate = (req: FastifyRequest<{ Params: { ident: string } }>) => {
    checkRoutingIdent(req.params.ident);
    if (!supports(req, 'allocations')) throw new RoutingError(404);
  };
  app.get<{ Params: { ident: string } }>('/v1/nodes/:ident/allocation', async (req) => {
    nodeGate(req);
    const q = queryOf(req, ['fields']);
    const fields = fieldsArg(q.fields);
    let n: Node;
    try { n = await getNode(req, deps.nodes, req.params.ident); } catch (e) {
      if (e instanceof NotFoundError) throw new InvalidError(e.message);
      throw e;
    }
    const a = await new AllocationRepo(deps.db).getByNodeId(n.id);
    if (!a) throw new NotFoundError(`Allocation for node ${req.params.ident} was not found`);
    return render(req, deps, a, fields);
  });
  app.delete<{ Params: { ident: string } }>('/v1/nodes/:ident/allocation', async (req, reply) => {
    nodeGate(req);
    queryOf(req, []);
    const n = await getNode(req, deps.nodes, req.params.ident);
    const a = await new AllocationRepo(deps.db).getByNodeId(n.id);
    if (!a) throw new NotFoundError(`Allocation for node ${req.params.ident} was not found`);
    await deps.conductor.destroyAllocation(a.id);
    return reply.code(204).send();
  });
  const notAllowed = async (req: FastifyRequest<{ Params: { ident: string } }>) => { nodeGate(req); throw new RoutingError(405); };
  app.route({ method: ['POST', 'PUT', 'PATCH'], url: '/v1/nodes/:ident/allocation', handler: notAllowed });
  app.route({ method: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'], url: '/v1/nodes/:ident/allocation/*', handler: notAllowed });
}
