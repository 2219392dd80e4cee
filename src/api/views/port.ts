/**
 * Port → JSON as Ironic 21.4 renders it: fields newer than the request are hidden
 * (internal_info 1.18; pxe_enabled, local_link_connection 1.19; portgroup_uuid 1.24;
 * physical_network 1.34; is_smartnic 1.53), then `?fields=` keeps the asked ones + links.
 */
import { supports as supportsAt, type Feature } from '../../contracts/versions.ts';
import type { Port } from '../../db/ports.ts';
import { makeLinks } from '../context.ts';

export interface RefViewContext {
  version: number;
  base: string;
  /** Node UUID for a node id (null when the node is gone). */
  nodeUuid: (id: number) => string | null;
  /** Portgroup UUID for a portgroup id. */
  portgroupUuid: (id: number | null) => string | null;
}

/** Port fields and the feature that introduced them; the rest exist at every version. */
export const PORT_FIELD_FEATURES: Readonly<Record<string, Feature>> = {
  internal_info: 'port_internal_info', pxe_enabled: 'port_llc', local_link_connection: 'port_llc',
  portgroup_uuid: 'portgroup_subresources', physical_network: 'physical_network', is_smartnic: 'smartnic',
};

/** Every key of a port before version hiding (what `?fields=` names are checked against). */
export function portDict(p: Port, ctx: RefViewContext): Record<string, unknown> {
  return {
    uuid: p.uuid, created_at: p.created_at, updated_at: p.updated_at, address: p.address, extra: p.extra,
    internal_info: p.internal_info, is_smartnic: p.is_smartnic, local_link_connection: p.local_link_connection,
    physical_network: p.physical_network, pxe_enabled: p.pxe_enabled, node_uuid: ctx.nodeUuid(p.node_id),
    links: makeLinks(ctx.base, 'ports', p.uuid), portgroup_uuid: ctx.portgroupUuid(p.portgroup_id),
  };
}

/** Hide fields newer than the version, then keep only `fields` (+ links) when given. */
export function sanitizePort(d: Record<string, unknown>, version: number, fields?: readonly string[]): Record<string, unknown> {
  for (const [f, feature] of Object.entries(PORT_FIELD_FEATURES)) if (!supportsAt(version, feature)) delete d[f];
  if (fields) for (const k of Object.keys(d)) if (k !== 'links' && !fields.includes(k)) delete d[k];
  return d;
}
