/**
 * /v1/shards (API 1.82): node counts per shard, largest first; nodes without a shard are
 * counted under the name "None". Not paged, takes no arguments. Below 1.82: GET → 404,
 * other methods → 405 (routing errors with Ironic's description).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ApiDeps } from '../server.ts';
import { NotFoundError } from '../../core/errors.ts';
import { supports } from '../context.ts';
import { queryOf } from '../params.ts';
import { RoutingError } from '../errors.ts';

const TOO_OLD = 'The API version does not allow shards';

function gate(req: FastifyRequest): void {
  if (!supports(req, 'shards')) throw new RoutingError(req.method === 'GET' ? 404 : 405, TOO_OLD);
}

export function shardRoutes(app: FastifyInstance, deps: ApiDeps): void {
  app.get('/v1/shards', async (req) => {
    gate(req);
    queryOf(req, []);
    const rows = await deps.db.selectFrom('nodes').select((eb) => ['shard', eb.fn.countAll<number>().as('count')])
      .groupBy('shard').execute();
    // Group order as SQLite returns it (NULL first, then by name), then a stable sort by count.
    rows.sort((a, b) => (a.shard === null ? -1 : b.shard === null ? 1 : a.shard < b.shard ? -1 : a.shard > b.shard ? 1 : 0));
    rows.sort((a, b) => Number(b.count) - Number(a.count));
    return { shards: rows.map((r) => ({ name: r.shard === null ? 'None' : r.shard, count: Number(r.count) })) };
  });
  app.get('/v1/shards/:name', async (req) => {
    gate(req);
    throw new NotFoundError('The resource could not be found.');
  });
  const notAllowed = async (req: FastifyRequest) => { gate(req); throw new RoutingError(405); };
  app.route({ method: ['POST', 'PUT', 'PATCH', 'DELETE'], url: '/v1/shards', handler: notAllowed });
  app.route({ method: ['POST', 'PUT', 'PATCH', 'DELETE'], url: '/v1/shards/:name', handler: notAllowed });
}
