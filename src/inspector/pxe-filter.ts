/**
 * PXE filter (ironic-inspector's dnsmasq filter): which MACs may PXE-boot.
 * - MACs of ports of nodes being inspected (inspecting / inspect wait): allowed;
 * - MACs of every other known port: denied PXE boot (the dnsmasq provider still leases to
 *   them, without a boot file: the same dnsmasq serves ramdisks booted from virtual media);
 * - unknown MACs: allowed while discovery is on (node_not_found_hook = enroll), else denied.
 * `computeFilter` is the rule; a {@link PxeFilterWriter} applies it. The writer is the
 * network-boot module's dnsmasq DHCP provider (drivers/dhcp/dnsmasq.ts `applyPxeFilter`,
 * wired in bin/inspector-wiring.ts): one owner of dnsmasq's host files, so the filter never
 * fights the host entries of nodes that pxe/ipxe boot.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';

export interface PxeFilterState {
  allow: ReadonlySet<string>;
  deny: ReadonlySet<string>;
  /** Everything not listed may boot (discovery on). */
  allowUnknown: boolean;
}

export interface PxeFilterWriter {
  apply(state: PxeFilterState): Promise<void>;
}

export const INSPECTING_STATES = ['inspecting', 'inspect wait'];

export function computeFilter(ports: readonly { address: string; provision_state: string }[], discovery: boolean): PxeFilterState {
  const allow = new Set<string>();
  const deny = new Set<string>();
  for (const p of ports) (INSPECTING_STATES.includes(p.provision_state) ? allow : deny).add(p.address.toLowerCase());
  for (const m of allow) deny.delete(m);
  return { allow, deny, allowUnknown: discovery };
}

/** The filter from the database now. */
export async function filterFromDb(db: Kysely<Database>, discovery: boolean): Promise<PxeFilterState> {
  const rows = await db.selectFrom('ports').innerJoin('nodes', 'nodes.id', 'ports.node_id').select(['ports.address', 'nodes.provision_state']).execute();
  return computeFilter(rows, discovery);
}
