/**
 * The 21.4 quirk for `/v1/nodes/{ident}/<word>` where <word> is not a sub-resource:
 * Pecan hands the word to the node controller's methods as an extra positional argument.
 *
 * - GET = GET one node with `?fields=<word>`: unknown field → 400 "Field <word> is not a
 *   valid field.", `fields` below 1.8 or a field newer than the request → 406, a real
 *   field name → just that field (plus links). This is what `children`, `firmware`,
 *   `vmedia` (later Ironic sub-resources) get from 21.4, and `traits` below 1.37.
 * - DELETE = node delete with an extra argument → 404 "Resource could not be found."
 *   (405 for the attribute controllers `states` and `management`).
 * - PUT → 405 (webob).
 *
 * Sub-resource words (ports, portgroups, vifs, volume, traits, bios, allocation, history,
 * inventory) have their own routes, which Fastify prefers to this parametric one; if one
 * lands here anyway (its route is version-gated or not registered) the answer is
 * Ironic's routing 404. Deviation: Ironic answers 500 when `?fields=` is also given or
 * the word has more path segments; we answer 400 / 404.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ApiDeps } from '../server.ts';
import { InvalidError, NotAcceptableError, NotFoundError } from '../../core/errors.ts';
import { supports } from '../context.ts';
import { RoutingError } from '../errors.ts';
import { nodeFieldsAt, NODE_QUERY_FIELDS } from '../views/node.ts';
import { renderOne } from './nodes.ts';
import type { JsonText } from '../views/json-text.ts';
import { mergedArgs, checkRoutingIdent, loadNode } from './node-args.ts';

/** Words the node controller routes to sub-controllers (never read as fields). */
export const NODE_SUBCONTROLLERS = ['ports', 'portgroups', 'vifs', 'volume', 'traits', 'bios', 'allocation', 'history', 'inventory'];

/** Attribute controllers without a DELETE method: 405 rather than the delete quirk. */
const ATTRIBUTE_CONTROLLERS = ['states', 'management'];

/** Ironic's string_list: split on commas, trim, lower-case, drop empties and duplicates. */
function stringList(v: string): string[] {
  const out: string[] = [];
  for (const s of v.split(',')) {
    const t = s.trim().toLowerCase();
    if (t && !out.includes(t)) out.push(t);
  }
  return out;
}

/**
 * GET one node with `fields=<word>` (ident already checked at routing level), in Ironic's
 * order: arguments, node, fields allowed at all (1.8), fields allowed at this version,
 * fields known.
 */
export async function nodeWordAsFields(req: FastifyRequest, deps: ApiDeps, ident: string, word: string): Promise<JsonText> {
  mergedArgs(req, []);
  const n = await loadNode(req, deps, ident);
  const fields = stringList(word);
  if (!supports(req, 'fields')) throw new NotAcceptableError('Request not acceptable.');
  const atVersion = nodeFieldsAt(req.apiVersion);
  if (fields.some((f) => NODE_QUERY_FIELDS.has(f) && !atVersion.has(f))) throw new NotAcceptableError('Request not acceptable.');
  for (const f of fields) if (!NODE_QUERY_FIELDS.has(f)) throw new InvalidError(`Field ${f} is not a valid field.`);
  return renderOne(req, deps, n, fields);
}

export function nodeFieldRoutes(app: FastifyInstance, deps: ApiDeps): void {
  type P = { Params: { ident: string; word: string } };
  const W = '/v1/nodes/:ident/:word';
  app.get<P>(W, async (req) => {
    checkRoutingIdent(req.params.ident);
    if (NODE_SUBCONTROLLERS.includes(req.params.word)) throw new RoutingError(404);
    return nodeWordAsFields(req, deps, req.params.ident, req.params.word);
  });
  app.delete<P>(W, async (req) => {
    checkRoutingIdent(req.params.ident);
    if (NODE_SUBCONTROLLERS.includes(req.params.word)) throw new RoutingError(404);
    if (ATTRIBUTE_CONTROLLERS.includes(req.params.word)) throw new RoutingError(405);
    mergedArgs(req, []);
    throw new NotFoundError('Resource could not be found.');
  });
  app.put<P>(W, async (req) => {
    checkRoutingIdent(req.params.ident);
    if (NODE_SUBCONTROLLERS.includes(req.params.word)) throw new RoutingError(404);
    throw new RoutingError(405);
  });
}
