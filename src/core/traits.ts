/**
 * Trait name rules shared by node traits, deploy templates and allocations.
 *
 * Ironic validates every trait against `{type: string, minLength: 1, maxLength: 255,
 * anyOf: [{pattern: '^CUSTOM_[A-Z0-9_]+$'}, {enum: os_traits.get_traits()}]}`.
 * The standard names come from the generated data file `os-traits.ts`.
 */
import { STANDARD_TRAITS } from './os-traits.ts';

export { STANDARD_TRAITS } from './os-traits.ts';

/** Prefix reserved for operator-defined traits. */
export const CUSTOM_NAMESPACE = 'CUSTOM_';

/** The pattern Ironic publishes for custom traits (Python `re` syntax). */
export const CUSTOM_TRAIT_PATTERN = '^CUSTOM_[A-Z0-9_]+$';

/**
 * JS equivalent of CUSTOM_TRAIT_PATTERN as Python's `re.search` applies it: Python's `$` also
 * matches just before one trailing newline, so the real Ironic accepts "CUSTOM_X\n" (verified
 * against Ironic 21.4) and so do we.
 */
const CUSTOM_TRAIT_RE = /^CUSTOM_[A-Z0-9_]+\n?$/;

/** Maximum trait length (the DB column is 255 characters). */
export const MAX_TRAIT_LENGTH = 255;

const STANDARD_SET: ReadonlySet<string> = new Set(STANDARD_TRAITS);

/** True when `v` is one of the standard os-traits names (exact, case-sensitive). */
export function isStandardTrait(v: unknown): v is string {
  return typeof v === 'string' && STANDARD_SET.has(v);
}

/** True when `v` is a syntactically valid custom trait (CUSTOM_ followed by [A-Z0-9_]+). */
export function isCustomTrait(v: unknown): v is string {
  return typeof v === 'string' && CUSTOM_TRAIT_RE.test(v);
}

/**
 * True when `v` is a valid trait name for Ironic: a string of 1..255 characters that is either
 * a standard os-traits name or a custom trait. Pure; never throws.
 */
export function isValidTrait(v: unknown): v is string {
  if (typeof v !== 'string' || v.length < 1 || v.length > MAX_TRAIT_LENGTH) return false;
  return STANDARD_SET.has(v) || CUSTOM_TRAIT_RE.test(v);
}
