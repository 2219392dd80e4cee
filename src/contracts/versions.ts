/**
 * Microversions: the one ordered table of "feature → first API minor version".
 *
 * Versions are handled as the minor number only (major is always 1): 1.82 → 82.
 * Handlers ask `supports(version, 'feature')`; nothing else compares version numbers.
 */

export const MIN_VERSION = 1;
/** The highest version Ingot speaks: Ironic 21.4 (2023.1). */
export const MAX_VERSION = 82;

export const FEATURES = {
  available_state: 2,
  driver_internal_info: 3,
  manageable_verbs: 4,
  node_name: 5,
  inspect: 6,
  clean_step: 7,
  fields: 8,
  provision_state_filter: 9,
  rfc3986_names: 10,
  enroll_initial: 11,
  raid: 12,
  abort: 13,
  states_links: 14,
  manual_clean: 15,
  driver_filter: 16,
  adopt: 17,
  port_internal_info: 18,
  port_llc: 19,
  network_interface: 20,
  resource_class: 21,
  ramdisk_endpoints: 22,
  portgroups: 23,
  portgroup_subresources: 24,
  unset_chassis: 25,
  portgroup_mode: 26,
  soft_power: 27,
  vifs: 28,
  inject_nmi: 29,
  dynamic_drivers: 30,
  dynamic_interfaces: 31,
  volume: 32,
  storage_interface: 33,
  physical_network: 34,
  rebuild_configdrive: 35,
  agent_version: 36,
  traits: 37,
  rescue: 38,
  inspect_wait: 39,
  bios: 40,
  abort_inspect: 41,
  fault: 42,
  detail_param: 43,
  deploy_step: 44,
  reset_interfaces: 45,
  conductor_group: 46,
  automated_clean: 47,
  protected: 48,
  conductors: 49,
  owner: 50,
  description: 51,
  allocations: 52,
  smartnic: 53,
  events: 54,
  deploy_templates: 55,
  configdrive_dict: 56,
  allocation_update: 57,
  allocation_backfill: 58,
  configdrive_vendor_data: 59,
  allocation_owner: 60,
  retired: 61,
  agent_token: 62,
  indicators: 63,
  network_type: 64,
  lessee: 65,
  network_data: 66,
  vif_port_uuid: 67,
  agent_verify_ca: 68,
  deploy_steps_on_deploy: 69,
  disable_ramdisk: 70,
  rbac_scope: 71,
  agent_status: 72,
  deploy_verbs: 73,
  bios_registry: 74,
  boot_mode_fields: 75,
  change_boot_mode: 76,
  driver_fields: 77,
  history: 78,
  allocation_name_match: 79,
  project_create: 80,
  inventory: 81,
  shards: 82,
} as const;
export type Feature = keyof typeof FEATURES;

export function supports(version: number, feature: Feature): boolean {
  return version >= FEATURES[feature];
}

/** Node fields (API names) and the version that introduced them. */
export const NODE_FIELD_VERSIONS: Readonly<Record<string, number>> = {
  uuid: 1, created_at: 1, updated_at: 1, driver: 1, driver_info: 1, extra: 1, instance_info: 1,
  instance_uuid: 1, chassis_uuid: 1, console_enabled: 1, last_error: 1, maintenance: 1,
  maintenance_reason: 1, power_state: 1, target_power_state: 1, provision_state: 1,
  target_provision_state: 1, provision_updated_at: 1, properties: 1, reservation: 1,
  driver_internal_info: 3, name: 5, inspection_started_at: 6, inspection_finished_at: 6,
  clean_step: 7, raid_config: 12, target_raid_config: 12, network_interface: 20, resource_class: 21,
  boot_interface: 31, console_interface: 31, deploy_interface: 31, inspect_interface: 31,
  management_interface: 31, power_interface: 31, raid_interface: 31, vendor_interface: 31,
  storage_interface: 33, traits: 37, rescue_interface: 38, bios_interface: 40, fault: 42,
  deploy_step: 44, conductor_group: 46, automated_clean: 47, protected: 48, protected_reason: 48,
  conductor: 49, owner: 50, description: 51, allocation_uuid: 52, retired: 61, retired_reason: 61,
  lessee: 65, network_data: 66, boot_mode: 75, secure_boot: 75, shard: 82,
};

/**
 * Targets of PUT /states/provision and their minimum versions (Ironic's MIN_VERB_VERSIONS).
 * NOTE: Ironic keys that table by FSM event and looks it up by target, so `undeploy`
 * (event `delete`) is never gated while the target word `delete` is (1.73).
 */
export const MIN_VERB_VERSIONS: Readonly<Record<string, number>> = {
  manage: 4, provide: 4, inspect: 6, abort: 13, clean: 15, adopt: 17, rescue: 38, unrescue: 38,
  deploy: 73, delete: 73,
};

export type ParsedVersion = { ok: true; minor: number } | { ok: false; reason: 'invalid' | 'range'; text: string };

/**
 * Parse the X-OpenStack-Ironic-API-Version header. Absent → 1.1; `latest` → max.
 * Returns `invalid` for syntax errors and `range` for versions we do not serve.
 */
export function parseVersionHeader(value: string | undefined, max = MAX_VERSION): ParsedVersion {
  if (value === undefined || value === '') return { ok: true, minor: MIN_VERSION };
  const v = value.trim();
  if (v.toLowerCase() === 'latest') return { ok: true, minor: max };
  const m = /^(\d+)\.(\d+)$/.exec(v);
  if (!m) return { ok: false, reason: 'invalid', text: v };
  const major = Number(m[1]);
  const minor = Number(m[2]);
  if (major !== 1 || minor < MIN_VERSION || minor > max) return { ok: false, reason: 'range', text: v };
  return { ok: true, minor };
}

export const versionString = (minor: number): string => `1.${minor}`;
