/**
 * Volume connectors, targets and the /v1/volume link documents as Ironic 21.4 renders
 * them. Target `properties` go through oslo's mask_dict_password (after `?fields=`).
 */
import type { Json } from '../../core/node.ts';
import type { VolumeConnector, VolumeTarget } from '../../db/volume.ts';
import { makeLinks, type Link } from '../context.ts';
import { maskDictPassword } from './secrets.ts';

export function connectorDict(c: VolumeConnector, base: string, nodeUuid: string | null): Record<string, unknown> {
  return {
    uuid: c.uuid, created_at: c.created_at, updated_at: c.updated_at, connector_id: c.connector_id, extra: c.extra,
    type: c.type, links: makeLinks(base, 'volume/connectors', c.uuid), node_uuid: nodeUuid,
  };
}

export function targetDict(t: VolumeTarget, base: string, nodeUuid: string | null): Record<string, unknown> {
  return {
    uuid: t.uuid, created_at: t.created_at, updated_at: t.updated_at, boot_index: t.boot_index, extra: t.extra,
    properties: t.properties, volume_id: t.volume_id, volume_type: t.volume_type,
    links: makeLinks(base, 'volume/targets', t.uuid), node_uuid: nodeUuid,
  };
}

/** Mask target properties after sanitizing (only when non-empty, as Ironic). */
export function maskTarget(d: Record<string, unknown>): Record<string, unknown> {
  const p = d.properties as Json | undefined;
  if (p && Object.keys(p).length) d.properties = maskDictPassword(p);
  return d;
}

/** GET /v1/volume and /v1/nodes/{ident}/volume: links to the volume root and its lists. */
export function volumeRoot(base: string, nodeIdent?: string): Record<string, Link[]> {
  const [resource, args] = nodeIdent === undefined ? ['volume', ''] : ['nodes', `${nodeIdent}/volume/`];
  return {
    links: makeLinks(base, resource, args),
    connectors: makeLinks(base, resource, `${args}connectors`),
    targets: makeLinks(base, resource, `${args}targets`),
  };
}
