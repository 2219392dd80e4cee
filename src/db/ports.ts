/**
 * Port repository (minimal core used by the conductor; the ports API extends it).
 */
import type { Kysely, Selectable } from 'kysely';
import type { Database, PortsTable } from './schema.ts';
import { fromJson, bool } from './connect.ts';
import type { Json } from '../core/node.ts';

export interface Port {
  id: number;
  uuid: string;
  address: string;
  node_id: number;
  portgroup_id: number | null;
  local_link_connection: Json;
  pxe_enabled: boolean;
  physical_network: string | null;
  internal_info: Json;
  is_smartnic: boolean;
  extra: Json;
  created_at: string;
  updated_at: string | null;
}

export function rowToPort(r: Selectable<PortsTable>): Port {
  return {
    ...r,
    local_link_connection: fromJson(r.local_link_connection, {}),
    internal_info: fromJson(r.internal_info, {}),
    extra: fromJson(r.extra, {}),
    pxe_enabled: bool(r.pxe_enabled),
    is_smartnic: bool(r.is_smartnic),
  };
}

export async function portsOfNode(db: Kysely<Database>, nodeId: number): Promise<Port[]> {
  const rows = await db.selectFrom('ports').selectAll().where('node_id', '=', nodeId).orderBy('id').execute();
  return rows.map(rowToPort);
}
