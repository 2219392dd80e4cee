/**
 * The node record as the rest of the system sees it: Ironic's API field names, JSON
 * columns already parsed. Internal ids (`id`, `chassis_id`, `allocation_id`) never leave
 * the server; the API resolves them to UUIDs.
 */
import type { ProvisionState } from './states.ts';

export type Json = Record<string, unknown>;

/** The 12 interface kinds of Ironic 21.4, in the order Ironic lists them. */
export const INTERFACE_KINDS = [
  'bios', 'boot', 'console', 'deploy', 'inspect', 'management', 'network', 'power', 'raid',
  'rescue', 'storage', 'vendor',
] as const;
export type InterfaceKind = (typeof INTERFACE_KINDS)[number];
export type InterfaceField = `${InterfaceKind}_interface`;
export const INTERFACE_FIELDS: readonly InterfaceField[] = INTERFACE_KINDS.map((k) => `${k}_interface` as InterfaceField);

export interface Node {
  id: number;
  uuid: string;
  name: string | null;
  driver: string;
  driver_info: Json;
  driver_internal_info: Json;
  extra: Json;
  instance_info: Json;
  instance_uuid: string | null;
  chassis_id: number | null;
  console_enabled: boolean;
  last_error: string | null;
  maintenance: boolean;
  maintenance_reason: string | null;
  fault: string | null;
  power_state: string | null;
  target_power_state: string | null;
  provision_state: ProvisionState;
  target_provision_state: string | null;
  provision_updated_at: string | null;
  properties: Json;
  reservation: string | null;
  inspection_started_at: string | null;
  inspection_finished_at: string | null;
  clean_step: Json;
  deploy_step: Json;
  raid_config: Json;
  target_raid_config: Json;
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
  conductor_affinity: string | null;
  automated_clean: boolean | null;
  protected: boolean;
  protected_reason: string | null;
  owner: string | null;
  lessee: string | null;
  description: string | null;
  allocation_id: number | null;
  retired: boolean;
  retired_reason: string | null;
  network_data: Json;
  boot_mode: string | null;
  secure_boot: boolean | null;
  shard: string | null;
  traits: string[];
  created_at: string;
  updated_at: string | null;
}

/** Fields a caller may set on create/update (everything but identity and bookkeeping). */
export type NodeChanges = Partial<Omit<Node, 'id' | 'uuid' | 'traits' | 'created_at' | 'updated_at'>>;
