/** Resolving identifiers in URLs to records, with Ironic's rules and messages. */
import type { FastifyRequest } from 'fastify';
import { InvalidError, NotFoundError } from '../core/errors.ts';
import { isUuidLike, isValidLogicalName, isHostnameSafe, canonicalUuid } from '../core/ids.ts';
import type { Node } from '../core/node.ts';
import type { NodeRepo } from '../db/nodes.ts';
import { supports } from './context.ts';

/**
 * `api_utils.is_valid_logical_name`: which names a request may use depends on its version
 * (below 1.10 only host-name-safe ones; then RFC 3986 unreserved characters).
 */
export function isValidNameAt(req: FastifyRequest, v: unknown): v is string {
  return supports(req, 'rfc3986_names') ? isValidLogicalName(v) : isHostnameSafe(v) && !isUuidLike(v);
}

/** Node by UUID, or by name from API 1.5 on. */
export async function getNode(req: FastifyRequest, nodes: NodeRepo, ident: string): Promise<Node> {
  let n: Node | undefined;
  if (isUuidLike(ident)) n = await nodes.getByUuid(canonicalUuid(ident));
  else if (supports(req, 'node_name')) {
    if (!isValidNameAt(req, ident)) throw new InvalidError(`Expected a logical name or UUID but received ${ident}.`);
    n = await nodes.getByName(ident);
  }
  if (!n) throw new NotFoundError(`Node ${ident} could not be found.`);
  return n;
}
