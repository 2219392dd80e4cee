/**
 * Chassis → JSON as Ironic 21.4 renders it.
 *
 * NOTE: `nodes` is a list holding the two-link list (`[[self, bookmark]]`), not the link
 * list itself: 21.4's convert_with_links builds it with a stray trailing comma, and the
 * reference service answers exactly that. Kept for byte-level compatibility.
 */
import type { Chassis } from '../../db/chassis.ts';
import { makeLinks } from '../context.ts';

/** Every key of a chassis (what `?fields=` names are checked against). */
export function chassisDict(c: Chassis, base: string): Record<string, unknown> {
  return {
    uuid: c.uuid, created_at: c.created_at, updated_at: c.updated_at, description: c.description, extra: c.extra,
    links: makeLinks(base, 'chassis', c.uuid), nodes: [makeLinks(base, 'chassis', `${c.uuid}/nodes`)],
  };
}
