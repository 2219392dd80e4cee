/**
 * PXE filter (ironic-inspector's dnsmasq filter): which MACs may PXE-boot.
 * - MACs of ports of nodes being inspected (inspecting / inspect wait): allowed;
 * - MACs of every other known port: denied;
 * - unknown MACs: allowed while discovery is on (node_not_found_hook = enroll), else denied.
 * `computeFilter` is the rule; a {@link PxeFilterWriter} applies it. The built-in writer
 * uses inspector's dnsmasq hostsdir format: one file per MAC named by the MAC, holding
 * `<mac>` (allow) or `<mac>,ignore` (deny), plus `unknown_hosts_filter` holding
 * `*:*:*:*:*:*,ignore` while unknown hosts are denied. dnsmasq re-reads the folder itself
 * (`--dhcp-hostsdir`). The network-boot module may take its place through the same interface.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
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

const UNKNOWN = 'unknown_hosts_filter';
const MAC_FILE = /^([0-9a-f]{2}:){5}[0-9a-f]{2}$/;

export class DnsmasqHostsDirFilter implements PxeFilterWriter {
  constructor(readonly dir: string) {}

  private put(name: string, text: string): void {
    const p = join(this.dir, name);
    try { if (readFileSync(p, 'utf8') === text) return; } catch { /* new */ }
    writeFileSync(`${p}.tmp`, text);
    renameSync(`${p}.tmp`, p);
  }

  async apply(state: PxeFilterState): Promise<void> {
    mkdirSync(this.dir, { recursive: true });
    const want = new Map<string, string>();
    for (const m of state.allow) want.set(m, `${m}\n`);
    for (const m of state.deny) want.set(m, `${m},ignore\n`);
    for (const name of readdirSync(this.dir)) {
      if (MAC_FILE.test(name) && !want.has(name)) rmSync(join(this.dir, name), { force: true });
    }
    for (const [m, text] of want) this.put(m, text);
    if (state.allowUnknown) rmSync(join(this.dir, UNKNOWN), { force: true });
    else this.put(UNKNOWN, '*:*:*:*:*:*,ignore\n');
  }
}
