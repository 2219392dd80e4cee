/** Resolving identifiers in URLs to records, with Ironic's rules and messages. */
import type { FastifyRequest } from 'fastify';
import { InvalidError, NotFoundError } from '../core/errors.ts';
import { isUuidLike, isValidLogicalName, canonicalUuid } from '../core/ids.ts';
import type { Node } from '../core/node.ts';
import type { NodeRepo } from '../db/nodes.ts';
import { supports } from './context.ts';

/** Node by UUID, or by name from API 1.5 on. */
export async function getNode(req: FastifyRequest, nodes: NodeRepo, ident: string): Promise<Node> {
  let n: Node | undefined;
  if (isUuidLike(ident)) n = await nodes.getByUuid(canonicalUuid(ident));
  else if (supports(req, 'node_name')) {
    if (!isValidLogicalName(ident)) throw new InvalidError(`Expected a logical name or UUID but received ${ident}.`);
    n = await nodes.getByName(ident);
  }
  if (!n) throw new NotFoundError(`Node ${ident} could not be found.`);
  return n;
}
