/**
 * /v1/volume (API 1.32): the links document, /v1/volume/connectors and /v1/volume/targets
 * (list, show, create, PATCH, delete), and the read-only /v1/nodes/{ident}/volume[/…].
 * Connectors and targets share one implementation driven by a descriptor.
 *
 * As in 21.4: updates and deletes go to the conductor (`ConductorApi.updateVolumeConnector`
 * etc.), which takes the node lock and needs the node powered off (400 otherwise); creation
 * takes no lock; nested GET one/POST/PATCH/DELETE answer 403; nested lists find the node by
 * UUID only (a name → 404 "Node {name} could not be found."); `next` links point at
 * /v1/volume/… and carry `detail` only when true. Below 1.32: GET /v1/volume is a fault
 * 404, anything under it a routing 404. Deviations (500s in 21.4): unexpected query
 * arguments on /v1/volume are 400; a removed node_uuid is a 400 schema error.
 */
import type { FastifyInstance, FastifyRequest, FastifyReply } from 'fastify';
import type { ApiDeps } from '../server.ts';
import type { ConductorApi } from '../../contracts/rpc.ts';
import type { Json } from '../../core/node.ts';
import { ForbiddenError, InvalidError, NotFoundError } from '../../core/errors.ts';
import { isUuidLike, newUuid } from '../../core/ids.ts';
import {
  VolumeConnectorRepo, VolumeTargetRepo, CONNECTOR_SORT_COLUMNS, TARGET_SORT_COLUMNS,
} from '../../db/volume.ts';
import { supports, publicUrl } from '../context.ts';
import { nextLink } from '../collection.ts';
import { RoutingError } from '../errors.ts';
import { validateSchema, type JSchema } from '../jsonschema.ts';
import { validatePatch, checkAllowedRoots, applyPatch } from '../patch.ts';
import { connectorDict, targetDict, maskTarget, volumeRoot } from '../views/volume.ts';
import { checkRoutingIdent } from './node-args.ts';
import {
  queryArgs, stringArg, intArg, boolArg, uuidArg, uuidOrNameArg, stringListArg, limitOf, sortDirOf, checkFieldNames,
  sanitize, rpcNode, pyStr, nodeForPatch, patchValues,
} from '../resource-args.ts';

/** A stored connector or target, as the routes see it. */
type Row = { id: number; uuid: string; node_id: number } & Record<string, unknown>;

interface Repo {
  getByUuid(uuid: string): Promise<Row | undefined>;
  list(f: { node_id?: number }, opts: { limit: number; sortKey: string; sortDir: 'asc' | 'desc'; marker?: { id: number; sortValue: unknown } }): Promise<Row[]>;
  create(v: Row): Promise<Row>;
}

/** What differs between connectors and targets. */
interface Kind {
  /** URL segment and collection key. */
  plural: 'connectors' | 'targets';
  /** Body / argument name: "connector" or "target". */
  name: string;
  /** "Volume connector" / "Volume target" (not-found texts). */
  title: string;
  schema: JSchema;
  patchAllowed: string[];
  defaults: string[];
  invalidSort: string[];
  columns: readonly string[];
  /** Stored fields the API writes (besides node_id). */
  fields: string[];
  jsonFields: string[];
  repo: (deps: ApiDeps) => Repo;
  /** The conductor's locked update (`changes`: differing fields, node_id only on a move) and delete. */
  update: (c: ConductorApi, id: number, changes: Json) => Promise<Row>;
  destroy: (c: ConductorApi, id: number) => Promise<void>;
  dict: (r: Row, base: string, nodeUuid: string | null) => Record<string, unknown>;
  /** Applied after ?fields= (target properties masking). */
  finish: (d: Record<string, unknown>) => Record<string, unknown>;
}

const S: JSchema = { type: 'string' };
const OBJ: JSchema = { type: ['object', 'null'] };
const KINDS: Kind[] = [
  {
    plural: 'connectors', name: 'connector', title: 'Volume connector',
    schema: {
      type: 'object', properties: { connector_id: S, extra: OBJ, node_uuid: S, type: S, uuid: { type: ['string', 'null'] } },
      required: ['connector_id', 'node_uuid', 'type'], additionalProperties: false,
    },
    patchAllowed: ['connector_id', 'extra', 'node_uuid', 'type'],
    defaults: ['uuid', 'node_uuid', 'type', 'connector_id'], invalidSort: ['extra'], columns: CONNECTOR_SORT_COLUMNS,
    fields: ['connector_id', 'extra', 'type'], jsonFields: ['extra'],
    repo: (deps) => new VolumeConnectorRepo(deps.db) as unknown as Repo,
    update: async (c, id, changes) => await c.updateVolumeConnector(id, changes) as unknown as Row,
    destroy: (c, id) => c.destroyVolumeConnector(id),
    dict: (r, base, n) => connectorDict(r as never, base, n), finish: (d) => d,
  },
  {
    plural: 'targets', name: 'target', title: 'Volume target',
    schema: {
      type: 'object',
      properties: { boot_index: { type: 'integer' }, extra: OBJ, node_uuid: S, properties: OBJ, volume_id: S, volume_type: S, uuid: { type: ['string', 'null'] } },
      required: ['boot_index', 'node_uuid', 'volume_id', 'volume_type'], additionalProperties: false,
    },
    patchAllowed: ['boot_index', 'extra', 'node_uuid', 'properties', 'volume_id', 'volume_type'],
    defaults: ['uuid', 'node_uuid', 'volume_type', 'boot_index', 'volume_id'], invalidSort: ['extra', 'properties'],
    columns: TARGET_SORT_COLUMNS, fields: ['boot_index', 'extra', 'properties', 'volume_id', 'volume_type'], jsonFields: ['extra', 'properties'],
    repo: (deps) => new VolumeTargetRepo(deps.db) as unknown as Repo,
    update: async (c, id, changes) => await c.updateVolumeTarget(id, changes) as unknown as Row,
    destroy: (c, id) => c.destroyVolumeTarget(id),
    dict: (r, base, n) => targetDict(r as never, base, n), finish: maskTarget,
  },
];

/** The schema, then node_uuid and uuid as UUIDs. */
function validateBody(k: Kind, name: string, body: unknown): Json {
  validateSchema(name, body, k.schema);
  const b = { ...(body as Json) };
  if ('node_uuid' in b) b.node_uuid = uuidArg('node_uuid', b.node_uuid) ?? null;
  if ('uuid' in b) b.uuid = uuidArg('uuid', b.uuid) ?? null;
  return b;
}

async function nodeUuids(deps: ApiDeps, rows: Row[]): Promise<Map<number, string>> {
  const ids = [...new Set(rows.map((r) => r.node_id))];
  const m = new Map<number, string>();
  if (ids.length) for (const r of await deps.db.selectFrom('nodes').select(['id', 'uuid']).where('id', 'in', ids).execute()) m.set(r.id, r.uuid);
  return m;
}

async function render(req: FastifyRequest, deps: ApiDeps, k: Kind, r: Row, fields?: string[]): Promise<Record<string, unknown>> {
  const d = k.dict(r, publicUrl(req, deps.config.publicUrl), (await nodeUuids(deps, [r])).get(r.node_id) ?? null);
  checkFieldNames(fields, d);
  return k.finish(sanitize(d, fields));
}

async function getRow(deps: ApiDeps, k: Kind, id: string): Promise<Row> {
  const r = await k.repo(deps).getByUuid(id);
  if (!r) throw new NotFoundError(`${k.title} ${id} could not be found.`);
  return r;
}

async function list(req: FastifyRequest, deps: ApiDeps, k: Kind, parentNode?: string): Promise<Record<string, unknown>> {
  const q = queryArgs(req, ['node', 'marker', 'limit', 'sort_key', 'sort_dir', 'fields', 'detail', 'project']);
  let node = uuidOrNameArg('node', q.node);
  const marker = uuidArg('marker', q.marker);
  intArg('limit', q.limit);
  const sortKey = stringArg('sort_key', q.sort_key) ?? 'id';
  const sortDir = stringArg('sort_dir', q.sort_dir);
  let fields = stringListArg('fields', q.fields);
  const detail = boolArg('detail', q.detail);
  if (parentNode !== undefined) {
    if (!(await deps.nodes.getByUuid(parentNode))) throw new NotFoundError(`Node ${parentNode} could not be found.`);
    node = parentNode;
  }
  if (fields === undefined && !detail) fields = [...k.defaults];
  if (fields?.length && detail) throw new InvalidError("Can't fetch a subset of fields with 'detail' set");
  const limit = limitOf(q.limit, deps.config.maxLimit);
  const dir = sortDirOf(sortDir);
  const repo = k.repo(deps);
  const markerRow = marker === undefined ? undefined : await getRow(deps, k, marker);
  if (k.invalidSort.includes(sortKey)) throw new InvalidError(`The sort_key value ${sortKey} is an invalid field for sorting`);
  const nodeId = node ? (await rpcNode(req, deps, node)).id : undefined;
  const column = sortKey === 'version' ? 'id' : sortKey;
  if (!k.columns.includes(column)) throw new InvalidError(`The sort_key value "${sortKey}" is an invalid field for sorting`);
  const mv = markerRow ? { id: markerRow.id, sortValue: markerRow[column] } : undefined;
  const rows = await repo.list(nodeId === undefined ? {} : { node_id: nodeId }, { limit, sortKey: column, sortDir: dir, marker: mv });
  const base = publicUrl(req, deps.config.publicUrl);
  const uuids = await nodeUuids(deps, rows);
  const dicts = rows.map((r) => k.dict(r, base, uuids.get(r.node_id) ?? null));
  for (const d of dicts) checkFieldNames(fields, d);
  const params: [string, unknown][] = [['sort_key', sortKey], ['sort_dir', dir]];
  if (detail) params.push(['detail', detail]);
  if (fields?.length) params.push(['fields', fields.join(',')]);
  const next = nextLink(base, `volume/${k.plural}`, dicts, limit, rows.at(-1)?.uuid, params);
  const items = dicts.map((d) => k.finish(sanitize(d, fields)));
  return next ? { [k.plural]: items, next } : { [k.plural]: items };
}

async function create(req: FastifyRequest, deps: ApiDeps, k: Kind, nested: boolean): Promise<Row> {
  const v = validateBody(k, k.name, req.body ?? {});
  const node = await deps.nodes.getByUuid(v.node_uuid as string);
  if (!node) throw new InvalidError(`Invalid input for field/attribute node_uuid. Value: '${pyStr(v.node_uuid)}'. `);
  if (nested) throw new ForbiddenError();
  const row: Json = { uuid: (v.uuid as string | null) || newUuid(), node_id: node.id };
  for (const f of k.fields) row[f] = k.jsonFields.includes(f) ? (v[f] ?? {}) : v[f];
  return k.repo(deps).create(row as Row);
}

async function patch(req: FastifyRequest, deps: ApiDeps, k: Kind, id: string, nested: boolean): Promise<Row> {
  const ops = validatePatch(req.body);
  const row = await getRow(deps, k, id);
  if (nested) throw new ForbiddenError();
  checkAllowedRoots(ops, k.patchAllowed);
  for (const v of patchValues(ops, '/node_uuid')) {
    if (!isUuidLike(v)) throw new InvalidError(`Expected a UUID for node_uuid, but received ${pyStr(v)}.`);
  }
  let node = await deps.nodes.getById(row.node_id);
  if (!node) throw new InvalidError(`Node ${row.node_id} could not be found.`);
  const before: Json = { uuid: row.uuid, created_at: row.created_at, updated_at: row.updated_at, node_uuid: node.uuid };
  for (const f of k.fields) before[f] = row[f];
  const doc = applyPatch(before, ops);
  if ('node_uuid' in doc && doc.node_uuid !== node.uuid) node = await nodeForPatch(deps, doc.node_uuid);
  const v = validateBody(k, 'patch', Object.fromEntries(Object.entries(doc).filter(([f]) => f in k.schema.properties!)));
  const changes: Json = {};
  for (const f of k.fields) {
    const val = k.jsonFields.includes(f) ? (v[f] ?? {}) : v[f];
    if (JSON.stringify(val) !== JSON.stringify(row[f])) changes[f] = val;
  }
  if (node.id !== row.node_id) changes.node_id = node.id;
  // The conductor locks the (new) node and requires it powered off (400), as Ironic's.
  return k.update(deps.conductor, row.id, changes);
}

async function remove(deps: ApiDeps, k: Kind, id: string, nested: boolean): Promise<void> {
  const row = await getRow(deps, k, id);
  if (nested) throw new ForbiddenError();
  await k.destroy(deps.conductor, row.id);
}

type Id = { Params: { id: string } };
type NodeP = { Params: { ident: string } };
type NodeId = { Params: { ident: string; id: string } };

function gate(req: FastifyRequest): void {
  if (!supports(req, 'volume')) throw new RoutingError(404);
}

function kindRoutes(app: FastifyInstance, deps: ApiDeps, k: Kind): void {
  const idArg = `${k.name}_uuid`;
  const show = async (req: FastifyRequest, id: string, nested: boolean) => {
    const q = queryArgs(req, ['fields']);
    uuidArg(idArg, id);
    const fields = stringListArg('fields', q.fields);
    const row = await getRow(deps, k, id);
    if (nested) throw new ForbiddenError();
    return render(req, deps, k, row, fields);
  };
  const created = async (req: FastifyRequest, reply: FastifyReply, nested: boolean) => {
    queryArgs(req, []);
    const row = await create(req, deps, k, nested);
    reply.code(201).header('Location', `${publicUrl(req, deps.config.publicUrl)}/v1/volume/${k.plural}/${row.uuid}`);
    return render(req, deps, k, row);
  };
  const patched = async (req: FastifyRequest, id: string, nested: boolean) => {
    queryArgs(req, []);
    uuidArg(idArg, id);
    return render(req, deps, k, await patch(req, deps, k, id, nested));
  };
  const deleted = async (req: FastifyRequest, reply: FastifyReply, id: string, nested: boolean) => {
    queryArgs(req, []);
    uuidArg(idArg, id);
    await remove(deps, k, id, nested);
    return reply.code(204).send();
  };
  const missingId = async () => { throw new InvalidError(`Missing mandatory parameter: ${idArg}`); };

  const V = `/v1/volume/${k.plural}`;
  app.get(V, (req) => { gate(req); return list(req, deps, k); });
  app.get<Id>(`${V}/:id`, (req) => { gate(req); return show(req, req.params.id, false); });
  app.post(V, (req, reply) => { gate(req); return created(req, reply, false); });
  app.patch<Id>(`${V}/:id`, (req) => { gate(req); return patched(req, req.params.id, false); });
  app.delete<Id>(`${V}/:id`, (req, reply) => { gate(req); return deleted(req, reply, req.params.id, false); });
  app.patch(V, (req) => { gate(req); return missingId(); });
  app.delete(V, (req) => { gate(req); return missingId(); });
  app.put(V, async (req) => { gate(req); throw new RoutingError(405); });
  app.put<Id>(`${V}/:id`, async (req) => { gate(req); throw new RoutingError(405); });

  const N = `/v1/nodes/:ident/volume/${k.plural}`;
  const nodeGate = (req: FastifyRequest<NodeP>) => { checkRoutingIdent(req.params.ident); gate(req); };
  app.get<NodeP>(N, (req) => { nodeGate(req); return list(req, deps, k, req.params.ident); });
  app.get<NodeId>(`${N}/:id`, (req) => { nodeGate(req); return show(req, req.params.id, true); });
  app.post<NodeP>(N, (req, reply) => { nodeGate(req); return created(req, reply, true); });
  app.patch<NodeId>(`${N}/:id`, (req) => { nodeGate(req); return patched(req, req.params.id, true); });
  app.delete<NodeId>(`${N}/:id`, (req, reply) => { nodeGate(req); return deleted(req, reply, req.params.id, true); });
}

export function volumeRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const root = (req: FastifyRequest, nodeIdent?: string) => {
    queryArgs(req, []);
    if (!supports(req, 'volume')) throw new NotFoundError('Resource could not be found.');
    return volumeRoot(publicUrl(req, deps.config.publicUrl), nodeIdent);
  };
  app.get('/v1/volume', async (req) => root(req));
  app.get<NodeP>('/v1/nodes/:ident/volume', async (req) => { checkRoutingIdent(req.params.ident); return root(req, req.params.ident); });
  for (const m of ['POST', 'PUT', 'PATCH', 'DELETE'] as const) {
    app.route({ method: m, url: '/v1/volume', handler: async () => { throw new RoutingError(405); } });
    app.route<NodeP>({ method: m, url: '/v1/nodes/:ident/volume', handler: async (req) => { checkRoutingIdent(req.params.ident); throw new RoutingError(405); } });
  }
  for (const k of KINDS) kindRoutes(app, deps, k);
}
