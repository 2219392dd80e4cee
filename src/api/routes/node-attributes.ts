/**
 * The internal route behind `/v1/nodes/<attribute>/…` forms that are not served as the
 * `/v1/nodes/{n}/…` path they name (see attribute-paths.ts): a missing or malformed
 * `node_ident`, or a method the attribute controller does not have.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ApiDeps } from '../server.ts';
import { InvalidError } from '../../core/errors.ts';
import { RoutingError } from '../errors.ts';
import { ATTRIBUTE_ROUTE, attributeMark, attributeOriginalPath } from '../attribute-paths.ts';
import { controllerMethods } from '../pecan-allow.ts';

export function nodeAttributeRoutes(app: FastifyInstance, _deps: ApiDeps): void {
  const answer = async (req: FastifyRequest): Promise<never> => {
    const mark = attributeMark(req.raw);
    if (mark?.kind === 'missing') throw new InvalidError('Missing mandatory parameter: node_ident');
    if (mark?.kind === 'bad-ident') throw new InvalidError(`Expected UUID or name for node_ident: ${mark.ident}`);
    const original = attributeOriginalPath(req.raw);
    const methods = original === undefined ? undefined : controllerMethods(original, req.apiVersion);
    if (mark?.kind === 'unrouted' && methods && !methods.includes(req.method)) throw new RoutingError(405);
    throw new RoutingError(404);
  };
  app.route({ method: ['GET', 'PUT', 'POST', 'PATCH', 'DELETE'], url: ATTRIBUTE_ROUTE, handler: answer });
}
