/**
 * Allocation → JSON as Ironic 21.4 renders it (`owner` only from 1.60), and the
 * `?fields=` rules shared by the allocation endpoints.
 */
import { supports as supportsAt } from '../../contracts/versions.ts';
import type { Allocation } from '../../db/allocations.ts';
import { makeLinks } from '../context.ts';

/** Every field an allocation has in the API (before version hiding), in Ironic's order. */
export const ALLOCATION_FIELDS = [
  'uuid', 'created_at', 'updated_at', 'candidate_nodes', 'extra', 'last_error', 'name', 'owner', 'resource_class',
  'state', 'traits', 'links', 'node_uuid',
] as const;

export interface AllocationViewContext {
  version: number;
  base: string;
  /** Node UUID for a node id (null when the node is gone). */
  nodeUuid: (id: number | null) => string | null;
}

/**
 * Render one allocation. `fields` (already validated) keeps only those keys plus links;
 * fields newer than the request version are never shown.
 */
export function renderAllocation(a: Allocation, ctx: AllocationViewContext, fields?: readonly string[]): Record<string, unknown> {
  const all: Record<string, unknown> = {
    uuid: a.uuid, created_at: a.created_at, updated_at: a.updated_at, candidate_nodes: a.candidate_nodes,
    extra: a.extra, last_error: a.last_error, name: a.name, owner: a.owner, resource_class: a.resource_class,
    state: a.state, traits: a.traits, links: makeLinks(ctx.base, 'allocations', a.uuid), node_uuid: ctx.nodeUuid(a.node_id),
  };
  if (!supportsAt(ctx.version, 'allocation_owner')) delete all.owner;
  if (!fields) return all;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(all)) if (k === 'links' || fields.includes(k)) out[k] = v;
  return out;
}
