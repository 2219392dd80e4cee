/**
 * Ironic's TRAITS_SCHEMA ({type: string, minLength 1, maxLength 255, anyOf: [custom
 * pattern, standard enum]}) with the exact messages python-jsonschema gives for it,
 * including the ". Possible root cause: …" suffix Ironic appends for the anyOf failure:
 *   5        → "5 is not of type 'string'"
 *   ''       → "'' is too short"
 *   'foo'    → "'foo' is not valid under any of the given schemas. Possible root cause:
 *               'foo' does not match '^CUSTOM_[A-Z0-9_]+$'"
 * Callers prefix "Schema error for <name>: ". Only the top-level error of a document gets
 * the root-cause suffix in Ironic, which is the case for every caller here.
 */
import { CUSTOM_TRAIT_PATTERN, MAX_TRAIT_LENGTH, isValidTrait } from '../core/traits.ts';
import { pyRepr } from './schema.ts';

/** The jsonschema message for one trait value, or null when it is valid. */
export function traitSchemaError(v: unknown): string | null {
  if (typeof v !== 'string') return `${pyRepr(v)} is not of type 'string'`;
  if (v.length < 1) return `${pyRepr(v)} is too short`;
  if (v.length > MAX_TRAIT_LENGTH) return `${pyRepr(v)} is too long`;
  if (isValidTrait(v)) return null;
  return `${pyRepr(v)} is not valid under any of the given schemas. Possible root cause: ${pyRepr(v)} does not match ${pyRepr(CUSTOM_TRAIT_PATTERN)}`;
}
