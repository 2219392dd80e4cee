/**
 * The records of a node's network and storage resources (ports, portgroups, volume
 * connectors and targets) as the rest of the system sees them: Ironic's field names, JSON
 * columns already parsed, internal ids (`id`, `node_id`, `portgroup_id`) that the API
 * resolves to UUIDs. Shared by the repositories (db) and the API↔conductor contract.
 */
import type { Json } from './node.ts';

/** Columns every stored record has beside its own fields. */
interface Stored {
  id: number;
  /** Driver-owned data, never written through the API. */
  internal_info: Json;
  created_at: string;
  updated_at: string | null;
}

/** Values of a new port (API already validated and normalised them). */
export interface NewPort {
  uuid: string;
  address: string;
  node_id: number;
  portgroup_id: number | null;
  local_link_connection: Json;
  pxe_enabled: boolean;
  physical_network: string | null;
  is_smartnic: boolean;
  extra: Json;
}

export interface Port extends NewPort, Stored {}

export type PortChanges = Partial<Omit<NewPort, 'uuid'>>;

export interface NewPortgroup {
  uuid: string;
  name: string | null;
  address: string | null;
  node_id: number;
  mode: string | null;
  properties: Json;
  standalone_ports_supported: boolean;
  extra: Json;
}

export interface Portgroup extends NewPortgroup, Stored {}

export type PortgroupChanges = Partial<Omit<NewPortgroup, 'uuid'>>;

export interface VolumeConnector {
  id: number;
  uuid: string;
  node_id: number;
  type: string;
  connector_id: string;
  extra: Json;
  created_at: string;
  updated_at: string | null;
}

export interface VolumeTarget {
  id: number;
  uuid: string;
  node_id: number;
  volume_type: string;
  properties: Json;
  boot_index: number;
  volume_id: string;
  extra: Json;
  created_at: string;
  updated_at: string | null;
}

export type NewConnector = Omit<VolumeConnector, 'id' | 'created_at' | 'updated_at'>;
export type NewTarget = Omit<VolumeTarget, 'id' | 'created_at' | 'updated_at'>;
export type ConnectorChanges = Partial<Omit<NewConnector, 'uuid'>>;
export type TargetChanges = Partial<Omit<NewTarget, 'uuid'>>;
