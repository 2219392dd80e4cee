/**
 * /v1/ports: list (default fields uuid, address), detail, show, create, PATCH, delete; the
 * read-only sub-collections /v1/nodes/{ident}/ports[/detail] and (1.24)
 * /v1/portgroups/{ident}/ports[/detail]. Writes are in port-write.ts.
 *
 * As in Ironic 21.4: GET one, POST, PATCH and DELETE through a nested path answer 403
 * "Operation not permitted."; `next` links always point at /v1/ports[/detail] and keep only
 * sort_key, sort_dir, detail and fields. Two 21.4 quirks are reproduced on purpose: a node
 * named (not UUID-addressed) in /v1/nodes/{name}/ports, or an unknown node UUID there,
 * answers 404 "Portgroup None could not be found."; /v1/portgroups/{name}/ports answers
 * 404 "Portgroup {name} could not be found." (only UUIDs are looked up there).
 */
import type { FastifyInstance, FastifyRequest, FastifyReply } from 'fastify';
import type { ApiDeps } from '../server.ts';
import { ForbiddenError, InvalidError, NotAcceptableError, NotFoundError } from '../../core/errors.ts';
import { isUuidLike } from '../../core/ids.ts';
import { PortRepo, PORT_SORT_COLUMNS, type Port, type PortFilters } from '../../db/ports.ts';
import { PortgroupRepo, type Portgroup } from '../../db/portgroups.ts';
import { supports, publicUrl } from '../context.ts';
import { listQuery, pagingArgs, openPage, pageOptions, renderCollection, type CollectionSpec } from '../resource-list.ts';
import { RoutingError } from '../errors.ts';
import { isLogicalName } from '../listing.ts';
import { portDict, sanitizePort, type RefViewContext } from '../views/port.ts';
import { checkRoutingIdent } from './node-args.ts';
import {
  queryArgs, boolArg, uuidArg, uuidOrNameArg, macArg, stringListArg, returnFields, checkFieldsAllowed, checkFieldNames, rpcNode,
} from '../resource-args.ts';
import { createPort, patchPort, deletePort, checkPortFields } from './port-write.ts';

const DEFAULT_FIELDS = ['uuid', 'address'];
const COLLECTION: CollectionSpec = {
  key: 'ports', resource: 'Port', sortColumns: PORT_SORT_COLUMNS, invalidSortKeys: ['extra', 'internal_info', 'local_link_connection'],
  /** Columns of Ironic's ports table we do not have. */
  idLikeColumns: ['name', 'version'],
};

/** Where a list is reached from. */
interface Parent { node?: string; portgroup?: string }

/** View context with node and portgroup UUIDs of `ports` loaded in two queries. */
export async function portViewContext(req: FastifyRequest, deps: ApiDeps, ports: Port[]): Promise<RefViewContext> {
  const nodeIds = [...new Set(ports.map((p) => p.node_id))];
  const pgIds = [...new Set(ports.map((p) => p.portgroup_id).filter((x): x is number => x !== null))];
  const nodes = new Map<number, string>();
  if (nodeIds.length) for (const r of await deps.db.selectFrom('nodes').select(['id', 'uuid']).where('id', 'in', nodeIds).execute()) nodes.set(r.id, r.uuid);
  const pgs = await new PortgroupRepo(deps.db).uuidsByIds(pgIds);
  return {
    version: req.apiVersion, base: publicUrl(req, deps.config.publicUrl),
    nodeUuid: (id) => nodes.get(id) ?? null, portgroupUuid: (id) => (id === null ? null : pgs.get(id) ?? null),
  };
}

export async function renderPort(req: FastifyRequest, deps: ApiDeps, p: Port, fields?: string[]): Promise<Record<string, unknown>> {
  const d = portDict(p, await portViewContext(req, deps, [p]));
  checkFieldNames(fields, d);
  return sanitizePort(d, req.apiVersion, fields);
}

/** `api_utils.get_rpc_portgroup`: UUID, else logical name, else 400; 404 when missing. */
async function rpcPortgroup(deps: ApiDeps, ident: string): Promise<Portgroup> {
  const repo = new PortgroupRepo(deps.db);
  let pg: Portgroup | undefined;
  if (isUuidLike(ident)) pg = await repo.getByUuid(ident);
  else if (isLogicalName(ident)) pg = await repo.getByName(ident);
  else throw new InvalidError(`Expected a logical name or UUID but received ${ident}.`);
  if (!pg) throw new NotFoundError(`Portgroup ${ident} could not be found.`);
  return pg;
}

/** `check_port_list_policy`: the parent portgroup (by UUID only) or parent node (by UUID only). */
async function checkParents(deps: ApiDeps, parent: Parent): Promise<void> {
  if (parent.portgroup !== undefined) {
    if (!(await new PortgroupRepo(deps.db).getByUuid(parent.portgroup))) throw new NotFoundError(`Portgroup ${parent.portgroup} could not be found.`);
  } else if (parent.node !== undefined && !(await deps.nodes.getByUuid(parent.node))) {
    throw new NotFoundError('Portgroup None could not be found.');
  }
}

async function listPorts(req: FastifyRequest, deps: ApiDeps, detailPath: boolean, parent: Parent = {}): Promise<Record<string, unknown>> {
  const q = listQuery(req, detailPath, ['node', 'node_uuid', 'address', 'portgroup', 'shard']);
  let node = uuidOrNameArg('node', q.node);
  const nodeUuid = uuidArg('node_uuid', q.node_uuid);
  const address = macArg('address', q.address);
  const args = pagingArgs(q);
  let fields = args.fields;
  let portgroup = uuidOrNameArg('portgroup', q.portgroup);
  const detail = boolArg('detail', q.detail);
  const shard = stringListArg('shard', q.shard);
  await checkParents(deps, parent);
  if (parent.node !== undefined) node = parent.node;
  if (parent.portgroup !== undefined) portgroup = parent.portgroup;
  if (!detailPath) {
    checkFieldsAllowed(req, fields);
    checkPortFields(req, fields);
  }
  checkPortFields(req, [args.sortKey]);
  if (portgroup && !supports(req, 'portgroup_subresources')) throw new NotAcceptableError('Request not acceptable.');
  if (shard !== undefined && !supports(req, 'shards')) throw new NotAcceptableError('Request not acceptable. The minimal required API version should be 1.82');
  if (!detailPath) fields = returnFields(req, fields, detail, DEFAULT_FIELDS);
  if (!nodeUuid && node && !supports(req, 'node_name') && !isUuidLike(node)) throw new NotAcceptableError('Request not acceptable.');

  const repo = new PortRepo(deps.db);
  const page = await openPage(COLLECTION, args, deps.config.maxLimit, (uuid) => repo.getByUuid(uuid));
  const nodeIdent = parent.node ?? (nodeUuid || node);
  if ([nodeIdent, portgroup, shard?.length ? shard : undefined].filter((x) => x).length > 1) throw new ForbiddenError();

  const filters: PortFilters = {};
  let byAddress = false;
  if (portgroup) filters.portgroup_id = (await rpcPortgroup(deps, portgroup)).id;
  else if (nodeIdent) filters.node_id = (await rpcNode(req, deps, nodeIdent)).id;
  else if (address !== undefined) byAddress = true;
  else if (shard?.length) filters.shards = shard;
  let ports: Port[];
  if (byAddress) {
    const p = await repo.getByAddress(address!);
    ports = p ? [p] : [];
  } else {
    ports = await repo.list(filters, pageOptions(COLLECTION, page));
  }
  const ctx = await portViewContext(req, deps, ports);
  const dicts = ports.map((p) => portDict(p, ctx));
  return renderCollection(COLLECTION, page, { base: ctx.base, detailPath, detail, fields }, ports, dicts, (d) => sanitizePort(d, req.apiVersion, fields));
}

async function showPort(req: FastifyRequest, deps: ApiDeps, id: string, nested: boolean): Promise<Record<string, unknown>> {
  const q = queryArgs(req, ['fields']);
  uuidArg('port_uuid', id);
  const fields = stringListArg('fields', q.fields);
  if (nested) throw new ForbiddenError();
  const p = await new PortRepo(deps.db).getByUuid(id);
  if (!p) throw new NotFoundError(`Port ${id} could not be found.`);
  checkFieldsAllowed(req, fields);
  checkPortFields(req, fields);
  return renderPort(req, deps, p, fields);
}

type Id = { Params: { id: string } };
type NodeP = { Params: { ident: string } };
type NodeId = { Params: { ident: string; id: string } };
type PgP = { Params: { ident: string } };
type PgId = { Params: { ident: string; id: string } };

/** Ironic's routing-level checks for /v1/portgroups/{pg}/ports: 1.23 for portgroups, a valid ident, 1.24 for ports. */
function pgPortsGate(req: FastifyRequest, pg: string): void {
  if (!supports(req, 'portgroups')) throw new RoutingError(404);
  if (!isUuidLike(pg) && !isLogicalName(pg)) throw new RoutingError(400, `Expected UUID or name for portgroup: ${pg}`);
  if (!supports(req, 'portgroup_subresources')) throw new RoutingError(404);
}

/** /v1/nodes/{ident}/portgroups/{pg}/ports: node ident, portgroups (1.24), portgroup ident. */
function nodePgPortsGate(req: FastifyRequest, ident: string, pg: string): void {
  checkRoutingIdent(ident);
  if (!supports(req, 'portgroup_subresources')) throw new RoutingError(404);
  pgPortsGate(req, pg);
}

export function portRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const created = async (req: FastifyRequest, reply: FastifyReply, nested: boolean) => {
    queryArgs(req, []);
    const p = await createPort(req, deps, nested);
    reply.code(201).header('Location', `${publicUrl(req, deps.config.publicUrl)}/v1/ports/${p.uuid}`);
    return renderPort(req, deps, p);
  };
  const patched = async (req: FastifyRequest, id: string, nested: boolean) => {
    queryArgs(req, []);
    uuidArg('port_uuid', id);
    return renderPort(req, deps, await patchPort(req, deps, id, nested));
  };
  const deleted = async (req: FastifyRequest, reply: FastifyReply, id: string, nested: boolean) => {
    queryArgs(req, []);
    uuidArg('port_uuid', id);
    await deletePort(deps, id, nested);
    return reply.code(204).send();
  };
  const missingId = async () => { throw new InvalidError('Missing mandatory parameter: port_uuid'); };
  const notAllowed = async () => { throw new RoutingError(405); };

  app.get('/v1/ports', (req) => listPorts(req, deps, false));
  app.get('/v1/ports/detail', (req) => listPorts(req, deps, true));
  app.get<Id>('/v1/ports/:id', (req) => showPort(req, deps, req.params.id, false));
  app.post('/v1/ports', (req, reply) => created(req, reply, false));
  app.patch<Id>('/v1/ports/:id', (req) => patched(req, req.params.id, false));
  app.delete<Id>('/v1/ports/:id', (req, reply) => deleted(req, reply, req.params.id, false));
  app.post<Id>('/v1/ports/:id', async (req) => { throw new InvalidError(`Schema error for port: '${req.params.id}' is not of type 'object'`); });
  app.patch('/v1/ports', missingId);
  app.delete('/v1/ports', missingId);
  app.put('/v1/ports', notAllowed);
  app.put<Id>('/v1/ports/:id', notAllowed);

  const N = '/v1/nodes/:ident/ports';
  const nodeGate = (req: FastifyRequest<NodeP>) => checkRoutingIdent(req.params.ident);
  app.get<NodeP>(N, (req) => { nodeGate(req); return listPorts(req, deps, false, { node: req.params.ident }); });
  app.get<NodeP>(`${N}/detail`, (req) => { nodeGate(req); return listPorts(req, deps, true, { node: req.params.ident }); });
  app.get<NodeId>(`${N}/:id`, (req) => { nodeGate(req); return showPort(req, deps, req.params.id, true); });
  app.post<NodeP>(N, (req, reply) => { nodeGate(req); return created(req, reply, true); });
  app.patch<NodeId>(`${N}/:id`, (req) => { nodeGate(req); return patched(req, req.params.id, true); });
  app.delete<NodeId>(`${N}/:id`, (req, reply) => { nodeGate(req); return deleted(req, reply, req.params.id, true); });
  app.patch<NodeP>(N, (req) => { nodeGate(req); return missingId(); });
  app.delete<NodeP>(N, (req) => { nodeGate(req); return missingId(); });
  app.put<NodeP>(N, (req) => { nodeGate(req); return notAllowed(); });

  const G = '/v1/portgroups/:ident/ports';
  app.get<PgP>(G, (req) => { pgPortsGate(req, req.params.ident); return listPorts(req, deps, false, { portgroup: req.params.ident }); });
  app.get<PgP>(`${G}/detail`, (req) => { pgPortsGate(req, req.params.ident); return listPorts(req, deps, true, { portgroup: req.params.ident }); });
  app.get<PgId>(`${G}/:id`, (req) => { pgPortsGate(req, req.params.ident); return showPort(req, deps, req.params.id, true); });
  app.post<PgP>(G, (req, reply) => { pgPortsGate(req, req.params.ident); return created(req, reply, true); });
  app.patch<PgId>(`${G}/:id`, (req) => { pgPortsGate(req, req.params.ident); return patched(req, req.params.id, true); });
  app.delete<PgId>(`${G}/:id`, (req, reply) => { pgPortsGate(req, req.params.ident); return deleted(req, reply, req.params.id, true); });

  const NG = '/v1/nodes/:ident/portgroups/:pg/ports';
  type NGP = { Params: { ident: string; pg: string } };
  app.get<NGP>(NG, (req) => { nodePgPortsGate(req, req.params.ident, req.params.pg); return listPorts(req, deps, false, { node: req.params.ident, portgroup: req.params.pg }); });
  app.get<NGP>(`${NG}/detail`, (req) => { nodePgPortsGate(req, req.params.ident, req.params.pg); return listPorts(req, deps, true, { node: req.params.ident, portgroup: req.params.pg }); });
}
