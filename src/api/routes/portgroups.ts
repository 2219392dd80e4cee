/**
 * /v1/portgroups (API 1.23): list (default fields uuid, address, name), detail, show by
 * UUID or name, create, PATCH, delete; /v1/nodes/{ident}/portgroups[/detail] (1.24,
 * read-only). Writes are in portgroup-write.ts.
 *
 * Below 1.23 the list and POST answer a fault 404 "Resource could not be found."; any path
 * below /v1/portgroups/{ident} is a routing 404 (webob body), as is the node sub-collection
 * below 1.24. As in 21.4, /v1/nodes/{ident}/portgroups only finds nodes by UUID (a name or
 * an unknown node: 404 "Portgroup None could not be found.").
 */
import type { FastifyInstance, FastifyRequest, FastifyReply } from 'fastify';
import type { ApiDeps } from '../server.ts';
import { ForbiddenError, InvalidError, NotFoundError } from '../../core/errors.ts';
import { isUuidLike } from '../../core/ids.ts';
import { PortgroupRepo, PORTGROUP_SORT_COLUMNS, type Portgroup } from '../../db/portgroups.ts';
import { supports, publicUrl } from '../context.ts';
import { listQuery, pagingArgs, openPage, pageOptions, renderCollection, type CollectionSpec } from '../resource-list.ts';
import { RoutingError } from '../errors.ts';
import { isLogicalName } from '../listing.ts';
import { portgroupDict } from '../views/portgroup.ts';
import { checkRoutingIdent } from './node-args.ts';
import {
  queryArgs, boolArg, uuidOrNameArg, macArg, stringListArg, returnFields, checkFieldNames, sanitize, rpcNode,
} from '../resource-args.ts';
import { createPortgroup, patchPortgroup, deletePortgroup, checkPortgroupFields, portgroupsGate } from './portgroup-write.ts';

const DEFAULT_FIELDS = ['uuid', 'address', 'name'];
const COLLECTION: CollectionSpec = {
  key: 'portgroups', resource: 'Portgroup', sortColumns: PORTGROUP_SORT_COLUMNS,
  invalidSortKeys: ['extra', 'internal_info', 'properties'], idLikeColumns: ['version'],
};

async function nodeUuids(deps: ApiDeps, pgs: Portgroup[]): Promise<Map<number, string>> {
  const ids = [...new Set(pgs.map((p) => p.node_id))];
  const m = new Map<number, string>();
  if (ids.length) for (const r of await deps.db.selectFrom('nodes').select(['id', 'uuid']).where('id', 'in', ids).execute()) m.set(r.id, r.uuid);
  return m;
}

export async function renderPortgroup(req: FastifyRequest, deps: ApiDeps, pg: Portgroup, fields?: string[]): Promise<Record<string, unknown>> {
  const d = portgroupDict(pg, publicUrl(req, deps.config.publicUrl), (await nodeUuids(deps, [pg])).get(pg.node_id) ?? null);
  checkFieldNames(fields, d);
  return sanitize(d, fields);
}

async function listPortgroups(req: FastifyRequest, deps: ApiDeps, detailPath: boolean, parentNode?: string): Promise<Record<string, unknown>> {
  const q = listQuery(req, detailPath, ['node', 'address']);
  let node = uuidOrNameArg('node', q.node);
  const address = macArg('address', q.address);
  const args = pagingArgs(q);
  let fields = args.fields;
  const detail = boolArg('detail', q.detail);
  portgroupsGate(req);
  if (parentNode !== undefined) {
    node = parentNode;
    if (!(await deps.nodes.getByUuid(parentNode))) throw new NotFoundError('Portgroup None could not be found.');
  }
  if (!detailPath) checkPortgroupFields(req, fields);
  checkPortgroupFields(req, [args.sortKey]);
  if (!detailPath) fields = returnFields(req, fields, detail, DEFAULT_FIELDS);

  const repo = new PortgroupRepo(deps.db);
  const page = await openPage(COLLECTION, args, deps.config.maxLimit, (uuid) => repo.getByUuid(uuid));
  let pgs: Portgroup[];
  if (!node && address !== undefined) {
    const pg = await repo.getByAddress(address);
    pgs = pg ? [pg] : [];
  } else {
    const nodeId = node ? (await rpcNode(req, deps, node)).id : undefined;
    pgs = await repo.list(nodeId === undefined ? {} : { node_id: nodeId }, pageOptions(COLLECTION, page));
  }
  const base = publicUrl(req, deps.config.publicUrl);
  const uuids = await nodeUuids(deps, pgs);
  const dicts = pgs.map((pg) => portgroupDict(pg, base, uuids.get(pg.node_id) ?? null));
  return renderCollection(COLLECTION, page, { base, detailPath, detail, fields }, pgs, dicts, (d) => sanitize(d, fields));
}

/** GET one: by UUID or name (get_rpc_portgroup; the .json suffix retry is the server's). */
async function showPortgroup(req: FastifyRequest, deps: ApiDeps, ident: string, nested: boolean): Promise<Record<string, unknown>> {
  const q = queryArgs(req, ['fields']);
  const fields = stringListArg('fields', q.fields);
  portgroupsGate(req);
  const repo = new PortgroupRepo(deps.db);
  const pg = isUuidLike(ident) ? await repo.getByUuid(ident) : await repo.getByName(ident);
  if (!pg) throw new NotFoundError(`Portgroup ${ident} could not be found.`);
  if (nested) throw new ForbiddenError();
  checkPortgroupFields(req, fields);
  return renderPortgroup(req, deps, pg, fields);
}

type Id = { Params: { ident: string } };
type NodeP = { Params: { ident: string } };
type NodeId = { Params: { ident: string; pg: string } };

/** Routing checks of /v1/portgroups/{ident}[/…]: 1.23, then a syntactically valid ident. */
function identGate(req: FastifyRequest, ident: string): void {
  if (!supports(req, 'portgroups')) throw new RoutingError(404);
  if (!isUuidLike(ident) && !isLogicalName(ident)) throw new RoutingError(400, `Expected UUID or name for portgroup: ${ident}`);
}

/** /v1/nodes/{ident}/portgroups[/…]: a valid node ident, then 1.24. */
function nodeGate(req: FastifyRequest<NodeP>): void {
  checkRoutingIdent(req.params.ident);
  if (!supports(req, 'portgroup_subresources')) throw new RoutingError(404);
}

export function portgroupRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const created = async (req: FastifyRequest, reply: FastifyReply, nested: boolean) => {
    queryArgs(req, []);
    const pg = await createPortgroup(req, deps, nested);
    reply.code(201).header('Location', `${publicUrl(req, deps.config.publicUrl)}/v1/portgroups/${pg.uuid}`);
    return renderPortgroup(req, deps, pg);
  };
  const patched = async (req: FastifyRequest, ident: string, nested: boolean) => {
    queryArgs(req, []);
    return renderPortgroup(req, deps, await patchPortgroup(req, deps, ident, nested));
  };
  const deleted = async (req: FastifyRequest, reply: FastifyReply, ident: string, nested: boolean) => {
    queryArgs(req, []);
    await deletePortgroup(req, deps, ident, nested);
    return reply.code(204).send();
  };
  const missingId = async () => { throw new InvalidError('Missing mandatory parameter: portgroup_ident'); };
  const notAllowed = async () => { throw new RoutingError(405); };

  app.get('/v1/portgroups', (req) => listPortgroups(req, deps, false));
  app.get('/v1/portgroups/detail', (req) => { identGate(req, 'detail'); return listPortgroups(req, deps, true); });
  app.get<Id>('/v1/portgroups/:ident', (req) => { identGate(req, req.params.ident); return showPortgroup(req, deps, req.params.ident, false); });
  app.post('/v1/portgroups', (req, reply) => created(req, reply, false));
  app.patch<Id>('/v1/portgroups/:ident', (req) => { identGate(req, req.params.ident); return patched(req, req.params.ident, false); });
  app.delete<Id>('/v1/portgroups/:ident', (req, reply) => { identGate(req, req.params.ident); return deleted(req, reply, req.params.ident, false); });
  app.post<Id>('/v1/portgroups/:ident', async (req) => {
    identGate(req, req.params.ident);
    throw new InvalidError(`Schema error for portgroup: '${req.params.ident}' is not of type 'object'`);
  });
  app.patch('/v1/portgroups', missingId);
  app.delete('/v1/portgroups', missingId);
  app.put('/v1/portgroups', notAllowed);
  app.put<Id>('/v1/portgroups/:ident', (req) => { identGate(req, req.params.ident); return notAllowed(); });

  const N = '/v1/nodes/:ident/portgroups';
  app.get<NodeP>(N, (req) => { nodeGate(req); return listPortgroups(req, deps, false, req.params.ident); });
  app.get<NodeP>(`${N}/detail`, (req) => { nodeGate(req); return listPortgroups(req, deps, true, req.params.ident); });
  app.get<NodeId>(`${N}/:pg`, (req) => { nodeGate(req); identGate(req, req.params.pg); return showPortgroup(req, deps, req.params.pg, true); });
  app.post<NodeP>(N, (req, reply) => { nodeGate(req); return created(req, reply, true); });
  app.patch<NodeId>(`${N}/:pg`, (req) => { nodeGate(req); identGate(req, req.params.pg); return patched(req, req.params.pg, true); });
  app.delete<NodeId>(`${N}/:pg`, (req, reply) => { nodeGate(req); identGate(req, req.params.pg); return deleted(req, reply, req.params.pg, true); });
  app.put<NodeP>(N, (req) => { nodeGate(req); return notAllowed(); });
}
