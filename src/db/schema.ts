/**
 * Table shapes as Kysely sees them. Portable across SQLite, PostgreSQL and MariaDB:
 * - JSON documents are TEXT we (de)serialize ourselves (`JsonText`).
 * - Timestamps are TEXT in Ironic's wire form (`2024-01-01T12:00:00.123000+00:00`), which
 *   sorts correctly and needs no per-dialect date handling.
 * - Booleans are integers 0/1 (SQLite and MariaDB have no real boolean).
 */
import type { Generated } from 'kysely';

/** A column holding JSON text (or NULL). */
export type JsonText = string | null;
export type Bool = number;

export interface NodesTable {
  id: Generated<number>;
  uuid: string;
  name: string | null;
  driver: string;
  driver_info: JsonText;
  driver_internal_info: JsonText;
  extra: JsonText;
  instance_info: JsonText;
  instance_uuid: string | null;
  chassis_id: number | null;
  console_enabled: Bool;
  last_error: string | null;
  maintenance: Bool;
  maintenance_reason: string | null;
  fault: string | null;
  power_state: string | null;
  target_power_state: string | null;
  provision_state: string;
  target_provision_state: string | null;
  provision_updated_at: string | null;
  properties: JsonText;
  /** Hostname of the conductor holding the exclusive lock, or NULL. */
  reservation: string | null;
  inspection_started_at: string | null;
  inspection_finished_at: string | null;
  clean_step: JsonText;
  deploy_step: JsonText;
  raid_config: JsonText;
  target_raid_config: JsonText;
  resource_class: string | null;
  bios_interface: string | null;
  boot_interface: string | null;
  console_interface: string | null;
  deploy_interface: string | null;
  inspect_interface: string | null;
  management_interface: string | null;
  network_interface: string | null;
  power_interface: string | null;
  raid_interface: string | null;
  rescue_interface: string | null;
  storage_interface: string | null;
  vendor_interface: string | null;
  conductor_group: string;
  /** Hostname of the conductor that owns the node (the `conductor` API field). */
  conductor_affinity: string | null;
  automated_clean: Bool | null;
  protected: Bool;
  protected_reason: string | null;
  owner: string | null;
  lessee: string | null;
  description: string | null;
  allocation_id: number | null;
  retired: Bool;
  retired_reason: string | null;
  network_data: JsonText;
  boot_mode: string | null;
  secure_boot: Bool | null;
  shard: string | null;
  created_at: string;
  updated_at: string | null;
}

export interface NodeTraitsTable { node_id: number; trait: string; created_at: string }
export interface NodeTagsTable { node_id: number; tag: string; created_at: string }

export interface PortsTable {
  id: Generated<number>;
  uuid: string;
  address: string;
  node_id: number;
  portgroup_id: number | null;
  local_link_connection: JsonText;
  pxe_enabled: Bool;
  physical_network: string | null;
  internal_info: JsonText;
  is_smartnic: Bool;
  extra: JsonText;
  created_at: string;
  updated_at: string | null;
}

export interface PortgroupsTable {
  id: Generated<number>;
  uuid: string;
  name: string | null;
  address: string | null;
  node_id: number;
  mode: string | null;
  properties: JsonText;
  standalone_ports_supported: Bool;
  internal_info: JsonText;
  extra: JsonText;
  created_at: string;
  updated_at: string | null;
}

export interface ChassisTable {
  id: Generated<number>;
  uuid: string;
  description: string | null;
  extra: JsonText;
  created_at: string;
  updated_at: string | null;
}

export interface ConductorsTable {
  id: Generated<number>;
  hostname: string;
  conductor_group: string;
  online: Bool;
  /** JSON list of hardware type names this conductor serves. */
  drivers: JsonText;
  created_at: string;
  /** Heartbeat: refreshed periodically; `alive` = updated_at newer than heartbeat_timeout. */
  updated_at: string | null;
  /** JSON-RPC listener (`http(s)://host:port`) of a separate conductor process; null in `ingot serve`. */
  rpc_address: string | null;
}

export interface NodeHistoryTable {
  id: Generated<number>;
  uuid: string;
  node_id: number;
  conductor: string | null;
  event_type: string | null;
  severity: string | null;
  event: string | null;
  user: string | null;
  created_at: string;
  updated_at: string | null;
}

export interface DeployTemplatesTable {
  id: Generated<number>;
  uuid: string;
  name: string;
  extra: JsonText;
  created_at: string;
  updated_at: string | null;
}

export interface DeployTemplateStepsTable {
  id: Generated<number>;
  deploy_template_id: number;
  interface: string;
  step: string;
  args: JsonText;
  priority: number;
  created_at: string;
  updated_at: string | null;
}

export interface AllocationsTable {
  id: Generated<number>;
  uuid: string;
  name: string | null;
  node_id: number | null;
  state: string;
  owner: string | null;
  last_error: string | null;
  resource_class: string | null;
  traits: JsonText;
  candidate_nodes: JsonText;
  extra: JsonText;
  conductor_affinity: number | null;
  created_at: string;
  updated_at: string | null;
}

export interface VolumeConnectorsTable {
  id: Generated<number>;
  uuid: string;
  node_id: number;
  type: string;
  connector_id: string;
  extra: JsonText;
  created_at: string;
  updated_at: string | null;
}

export interface VolumeTargetsTable {
  id: Generated<number>;
  uuid: string;
  node_id: number;
  volume_type: string;
  properties: JsonText;
  boot_index: number;
  volume_id: string;
  extra: JsonText;
  created_at: string;
  updated_at: string | null;
}

export interface BiosSettingsTable {
  node_id: number;
  name: string;
  value: string | null;
  attribute_type: string | null;
  allowable_values: JsonText;
  lower_bound: number | null;
  upper_bound: number | null;
  min_length: number | null;
  max_length: number | null;
  read_only: Bool | null;
  reset_required: Bool | null;
  unique: Bool | null;
  created_at: string;
  updated_at: string | null;
}

/** Built-in inspector (migration 003). */
export interface IntrospectionStatusTable {
  node_uuid: string;
  /** ironic-inspector's states: starting, waiting, processing, finished, error, reapplying, enrolling. */
  state: string;
  started_at: string;
  finished_at: string | null;
  error: string | null;
  manage_boot: number;
}
export interface IntrospectionDataTable {
  node_uuid: string;
  /** 1 = processed, 0 = as the ramdisk sent it. */
  processed: number;
  data: string;
}
export interface IntrospectionRuleTable {
  id: Generated<number>;
  uuid: string;
  description: string | null;
  scope: string | null;
  conditions: string;
  actions: string;
  created_at: string;
}
export interface DiscoveryClaimTable {
  claim_key: string;
  node_uuid: string;
  created_at: string;
}

export interface NodeInventoryTable {
  id: Generated<number>;
  node_id: number;
  inventory_data: JsonText;
  plugin_data: JsonText;
  created_at: string;
  updated_at: string | null;
}

export interface Database {
  nodes: NodesTable;
  node_traits: NodeTraitsTable;
  node_tags: NodeTagsTable;
  ports: PortsTable;
  portgroups: PortgroupsTable;
  chassis: ChassisTable;
  conductors: ConductorsTable;
  node_history: NodeHistoryTable;
  deploy_templates: DeployTemplatesTable;
  deploy_template_steps: DeployTemplateStepsTable;
  allocations: AllocationsTable;
  volume_connectors: VolumeConnectorsTable;
  volume_targets: VolumeTargetsTable;
  bios_settings: BiosSettingsTable;
  node_inventory: NodeInventoryTable;
  introspection_status: IntrospectionStatusTable;
  introspection_data: IntrospectionDataTable;
  introspection_rules: IntrospectionRuleTable;
  discovery_claims: DiscoveryClaimTable;
}
