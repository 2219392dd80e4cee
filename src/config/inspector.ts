/**
 * Configuration of the built-in inspector: ironic-inspector's options under Ingot's
 * `INGOT_<OPTION>` names (section in brackets):
 * - INGOT_INSPECTOR_PORT (5050 when the Ironic API is on its default 6385, else a free port; 0 = a free
 *   port): where the inspector API listens (`--inspector-port`);
 * - INGOT_INSPECTOR_CALLBACK_URL: the URL agents post to (default http://<host>:<port>/v1/continue);
 * - INGOT_PROCESSING_HOOKS ([processing] processing_hooks, "$default_processing_hooks"; the
 *   token expands to ramdisk_error,root_disk_selection,scheduler,validate_interfaces,capabilities,pci_devices);
 * - INGOT_NODE_NOT_FOUND_HOOK ([processing] node_not_found_hook; "enroll" = discovery on);
 * - INGOT_ENROLL_NODE_DRIVER ([discovery] enroll_node_driver, fake-hardware);
 * - INGOT_ADD_PORTS ([processing] add_ports, pxe), INGOT_OVERWRITE_EXISTING (true),
 *   INGOT_UPDATE_PXE_ENABLED (true), INGOT_DISK_PARTITIONING_SPACING (true),
 *   INGOT_POWER_OFF ([processing] power_off, true);
 * - INGOT_CAPABILITIES_BOOT_MODE ([capabilities] boot_mode, false);
 * - INGOT_PHYSNET_CIDR_MAP ([port_physnet] cidr_map, "10.0.0.0/24:physnet_a,…");
 * - INGOT_PCI_DEVICES_ALIAS ([pci_devices] alias: JSON objects with vendor_id, product_id, name; a JSON list);
 * - INGOT_PXE_FILTER_DRIVER ([pxe_filter] driver: noop, or dnsmasq when INGOT_DHCP_PROVIDER=dnsmasq
 *   or INGOT_DHCP_HOSTSDIR is set): the filter is written by the dnsmasq DHCP provider into its
 *   hostsdir (INGOT_DHCP_HOSTSDIR, [dnsmasq_pxe_filter] dhcp_hostsdir, shared with the
 *   netboot module); INGOT_PXE_FILTER_SYNC_PERIOD ([pxe_filter] sync_period, 15 s);
 * - INGOT_INSPECTOR_EXTRA_KERNEL_PARAMS ([inspector] extra_kernel_params, "k=v k2=v2");
 * - INGOT_INSPECTOR_MAX_BODY (Ingot's own: largest report accepted, bytes, 10 MiB).
 */

import { envBool, envNum } from '../core/env.ts';export interface InspectorConfig {
  port: number;
  callbackUrl?: string;
  processingHooks: string[];
  nodeNotFoundHook: string | null;
  enrollNodeDriver: string;
  addPorts: 'pxe' | 'active' | 'all' | 'disabled';
  overwriteExisting: boolean;
  updatePxeEnabled: boolean;
  diskPartitioningSpacing: boolean;
  powerOff: boolean;
  bootModeCapability: boolean;
  physnetCidrMap: [string, string][];
  pciAliases: { vendor_id: string; product_id: string; name: string }[];
  pxeFilterDriver: 'noop' | 'dnsmasq';
  dhcpHostsdir: string | null;
  pxeFilterSyncPeriod: number;
  extraKernelParams: Record<string, string | null>;
  maxBody: number;
}

export const DEFAULT_PROCESSING_HOOKS = ['ramdisk_error', 'root_disk_selection', 'scheduler', 'validate_interfaces', 'capabilities', 'pci_devices'];


export function loadInspectorConfig(env: Record<string, string | undefined>): InspectorConfig {
  const hooks = (env.INGOT_PROCESSING_HOOKS ?? '$default_processing_hooks').split(',').map((s) => s.trim()).filter(Boolean)
    .flatMap((h) => (h === '$default_processing_hooks' ? DEFAULT_PROCESSING_HOOKS : [h]));
  const addPorts = (env.INGOT_ADD_PORTS ?? 'pxe') as InspectorConfig['addPorts'];
  let aliases: InspectorConfig['pciAliases'] = [];
  if (env.INGOT_PCI_DEVICES_ALIAS) {
    const v = JSON.parse(env.INGOT_PCI_DEVICES_ALIAS) as unknown;
    aliases = (Array.isArray(v) ? v : [v]) as InspectorConfig['pciAliases'];
  }
  const hostsdir = env.INGOT_DHCP_HOSTSDIR || null;
  return {
    port: envNum(env.INGOT_INSPECTOR_PORT, 5050),
    callbackUrl: env.INGOT_INSPECTOR_CALLBACK_URL || undefined,
    processingHooks: [...new Set(hooks)],
    nodeNotFoundHook: env.INGOT_NODE_NOT_FOUND_HOOK || null,
    enrollNodeDriver: env.INGOT_ENROLL_NODE_DRIVER || 'fake-hardware',
    addPorts: ['pxe', 'active', 'all', 'disabled'].includes(addPorts) ? addPorts : 'pxe',
    overwriteExisting: envBool(env.INGOT_OVERWRITE_EXISTING, true),
    updatePxeEnabled: envBool(env.INGOT_UPDATE_PXE_ENABLED, true),
    diskPartitioningSpacing: envBool(env.INGOT_DISK_PARTITIONING_SPACING, true),
    powerOff: envBool(env.INGOT_POWER_OFF, true),
    bootModeCapability: envBool(env.INGOT_CAPABILITIES_BOOT_MODE, false),
    physnetCidrMap: (env.INGOT_PHYSNET_CIDR_MAP ?? '').split(',').map((s) => s.trim()).filter(Boolean).map((s) => {
      const i = s.lastIndexOf(':');
      return [s.slice(0, i), s.slice(i + 1)] as [string, string];
    }),
    pciAliases: aliases,
    pxeFilterDriver: (env.INGOT_PXE_FILTER_DRIVER as 'noop' | 'dnsmasq' | undefined) ?? (hostsdir || env.INGOT_DHCP_PROVIDER === 'dnsmasq' ? 'dnsmasq' : 'noop'),
    dhcpHostsdir: hostsdir,
    pxeFilterSyncPeriod: envNum(env.INGOT_PXE_FILTER_SYNC_PERIOD, 15),
    extraKernelParams: Object.fromEntries((env.INGOT_INSPECTOR_EXTRA_KERNEL_PARAMS ?? '').split(/\s+/).filter(Boolean).map((kv) => {
      const i = kv.indexOf('=');
      // Ironic's _parse_kernel_params: a bare word is a key without value.
      return i < 0 ? [kv, null] : [kv.slice(0, i), kv.slice(i + 1)];
    })),
    maxBody: envNum(env.INGOT_INSPECTOR_MAX_BODY, 10 * 1024 * 1024),
  };
}
