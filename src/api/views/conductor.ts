/** Conductor → JSON (API 1.49): hostname, group, alive, drivers, timestamps, links. */
import type { Selectable } from 'kysely';
import type { ConductorsTable } from '../../db/schema.ts';
import { fromJson } from '../../db/connect.ts';
import { makeLinks } from '../context.ts';

export const CONDUCTOR_FIELDS = ['created_at', 'updated_at', 'hostname', 'conductor_group', 'drivers', 'links', 'alive'] as const;
export const CONDUCTOR_DEFAULT_FIELDS = ['hostname', 'conductor_group', 'alive'] as const;

/**
 * `alive`: the last heartbeat (updated_at) is newer than `heartbeatTimeout` seconds
 * (Ironic 21.4 does not look at the `online` flag here).
 */
export function isAlive(updatedAt: string | null, heartbeatTimeout: number, now = Date.now()): boolean {
  if (!updatedAt) return false;
  const t = Date.parse(updatedAt);
  return Number.isFinite(t) && now - t <= heartbeatTimeout * 1000;
}

export function renderConductor(c: Selectable<ConductorsTable>, base: string, heartbeatTimeout: number, fields?: readonly string[]): Record<string, unknown> {
  const all: Record<string, unknown> = {
    created_at: c.created_at, updated_at: c.updated_at, hostname: c.hostname, conductor_group: c.conductor_group,
    drivers: [...fromJson<string[]>(c.drivers, [])].sort(), links: makeLinks(base, 'conductors', c.hostname),
    alive: isAlive(c.updated_at ?? c.created_at, heartbeatTimeout),
  };
  if (!fields) return all;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(all)) if (k === 'links' || fields.includes(k)) out[k] = v;
  return out;
}
