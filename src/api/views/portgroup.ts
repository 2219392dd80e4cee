/**
 * Portgroup → JSON as Ironic 21.4 renders it. No field is hidden by version (mode and
 * properties appear even at 1.23–1.25, as in Ironic); `ports` links to its port list.
 */
import type { Portgroup } from '../../db/portgroups.ts';
import { makeLinks } from '../context.ts';

/** Every key of a portgroup (what `?fields=` names are checked against). */
export function portgroupDict(pg: Portgroup, base: string, nodeUuid: string | null): Record<string, unknown> {
  return {
    uuid: pg.uuid, created_at: pg.created_at, updated_at: pg.updated_at, address: pg.address, extra: pg.extra,
    internal_info: pg.internal_info, mode: pg.mode, name: pg.name, properties: pg.properties,
    standalone_ports_supported: pg.standalone_ports_supported, node_uuid: nodeUuid,
    links: makeLinks(base, 'portgroups', pg.uuid), ports: makeLinks(base, 'portgroups', `${pg.uuid}/ports`),
  };
}
