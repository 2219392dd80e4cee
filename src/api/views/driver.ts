/**
 * Driver (hardware type) → JSON at a microversion: `properties` links from 1.14, `type`
 * and the per-kind `default_<kind>_interface` / `enabled_<kind>_interfaces` from 1.30
 * (storage from 1.33, rescue 1.38, bios 1.40).
 */
import type { DriverDetail } from '../../contracts/rpc.ts';
import { supports as supportsAt, type Feature } from '../../contracts/versions.ts';
import { INTERFACE_KINDS } from '../../core/node.ts';
import { makeLinks } from '../context.ts';

/** Interface kinds that appeared after 1.30 in the driver view. */
const KIND_FEATURE: Partial<Record<string, Feature>> = { storage: 'storage_interface', rescue: 'rescue', bios: 'bios' };

export function renderDriver(d: DriverDetail, base: string, version: number, detail: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = { name: d.name, hosts: d.hosts, links: makeLinks(base, 'drivers', d.name) };
  if (supportsAt(version, 'states_links')) out.properties = makeLinks(base, 'drivers', `${d.name}/properties`);
  if (supportsAt(version, 'dynamic_drivers')) {
    out.type = 'dynamic';
    if (detail) {
      for (const kind of INTERFACE_KINDS) {
        const f = KIND_FEATURE[kind];
        if (f && !supportsAt(version, f)) continue;
        out[`default_${kind}_interface`] = d.defaults[kind] ?? null;
        out[`enabled_${kind}_interfaces`] = [...(d.enabled[kind] ?? [])].sort();
      }
    }
  }
  return out;
}

/** Keep `fields` (plus links) — applied before the invalid-field check, as Ironic does. */
export function pickDriverFields(d: Record<string, unknown>, fields: readonly string[] | undefined): Record<string, unknown> {
  if (!fields) return d;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(d)) if (k === 'links' || fields.includes(k)) out[k] = v;
  return out;
}
