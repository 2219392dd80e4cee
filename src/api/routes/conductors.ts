/**
 * /v1/conductors (API 1.49): list (default fields hostname, conductor_group, alive;
 * `?detail=True` or `?fields=`), GET one by hostname. Paged with the hostname as marker.
 * Below 1.49 every GET answers 404 "Resource could not be found." (a fault body).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ApiDeps } from '../server.ts';
import { InvalidError, NotFoundError } from '../../core/errors.ts';
import { supports, publicUrl } from '../context.ts';
import { queryOf, parseBool } from '../params.ts';
import { validateSortDir, nextLink } from '../collection.ts';
import { RoutingError } from '../errors.ts';
import { page } from '../../db/paging.ts';
import { fieldsArg, checkInvalidFields, limitArg, sortKeyArg, nameArg } from '../listing.ts';
import { renderConductor, CONDUCTOR_FIELDS, CONDUCTOR_DEFAULT_FIELDS } from '../views/conductor.ts';

const COLUMNS = ['id', 'hostname', 'conductor_group', 'online', 'drivers', 'created_at', 'updated_at'];
const INVALID_SORT_KEYS = ['alive', 'drivers'];

function gate(req: FastifyRequest): void {
  if (!supports(req, 'conductors')) throw new NotFoundError('Resource could not be found.');
}

/** ?fields= needs 1.8 like every resource (always true at ≥1.49); names must exist. */
function fieldsOf(v: string | undefined): string[] | undefined {
  const fields = fieldsArg(v);
  checkInvalidFields(fields, CONDUCTOR_FIELDS);
  return fields;
}

async function list(req: FastifyRequest, deps: ApiDeps): Promise<Record<string, unknown>> {
  const q = queryOf(req, ['marker', 'limit', 'sort_key', 'sort_dir', 'fields', 'detail']);
  const marker = nameArg('marker', q.marker);
  const detail = parseBool('detail', q.detail);
  const limit = limitArg(q.limit, deps.config.maxLimit);
  gate(req);
  let fields = fieldsOf(q.fields);
  if (detail !== undefined && !supports(req, 'detail_param')) throw new InvalidError(`Invalid query parameter ?detail=${String(detail)} received.`);
  if (fields !== undefined && detail) throw new InvalidError('Can not specify ?detail=True and fields in the same request.');
  if (fields === undefined && !detail) fields = [...CONDUCTOR_DEFAULT_FIELDS];
  const sortDir = validateSortDir(q.sort_dir);
  const sortKey = sortKeyArg(q.sort_key, COLUMNS, INVALID_SORT_KEYS);
  let m: { id: number; sortValue: unknown } | undefined;
  if (marker !== undefined) {
    const row = await deps.db.selectFrom('conductors').selectAll().where('hostname', '=', marker).executeTakeFirst();
    if (!row) throw new NotFoundError(`Conductor ${marker} could not be found.`);
    m = { id: row.id, sortValue: (row as Record<string, unknown>)[sortKey] };
  }
  const rows = await page(deps.db.selectFrom('conductors').selectAll(), { limit, sortKey, sortDir, marker: m }).execute();
  const base = publicUrl(req, deps.config.publicUrl);
  const items = rows.map((c) => renderConductor(c, base, deps.config.heartbeatTimeout, fields));
  const params: [string, unknown][] = [['sort_key', sortKey], ['sort_dir', sortDir]];
  if (detail !== undefined) params.push(['detail', detail]);
  if (fields) params.push(['fields', fields.join(',')]);
  const next = nextLink(base, 'conductors', items, limit, rows.at(-1)?.hostname, params);
  return next ? { conductors: items, next } : { conductors: items };
}

export function conductorRoutes(app: FastifyInstance, deps: ApiDeps): void {
  app.get('/v1/conductors', async (req) => list(req, deps));
  app.get<{ Params: { hostname: string } }>('/v1/conductors/:hostname', async (req) => {
    const q = queryOf(req, ['fields']);
    const hostname = nameArg('hostname', req.params.hostname)!;
    gate(req);
    const fields = fieldsOf(q.fields);
    const row = await deps.db.selectFrom('conductors').selectAll().where('hostname', '=', hostname).executeTakeFirst();
    if (!row) throw new NotFoundError(`Conductor ${hostname} could not be found.`);
    return renderConductor(row, publicUrl(req, deps.config.publicUrl), deps.config.heartbeatTimeout, fields);
  });
  const notAllowed = async () => { throw new RoutingError(405); };
  app.route({ method: ['POST', 'PUT', 'PATCH', 'DELETE'], url: '/v1/conductors', handler: notAllowed });
  app.route({ method: ['POST', 'PUT', 'PATCH', 'DELETE'], url: '/v1/conductors/:hostname', handler: notAllowed });
}
