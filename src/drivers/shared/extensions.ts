/**
 * Optional extensions of the driver contract used by the fake and no-op implementations.
 *
 * base.ts is shared and not ours to change, so everything here is OPTIONAL: an
 * implementation checks for a member before using it, and a conductor that does not
 * provide it still works (with the documented, narrower behaviour).
 *
 * What the conductor should provide (see the report of the issue that introduced this):
 * - `loadBiosSettings` / `replaceBiosSettings` on every context passed to a BIOS interface;
 * - a call of `validateCall` before answering 202 to an asynchronous vendor passthru.
 */
import type { BiosSetting, DriverContext, VendorInterface } from '../base.ts';

/**
 * Access to the node's `bios_settings` rows.
 *
 * Why: Ironic's fake BIOS writes the bios_settings table itself (apply_configuration
 * replaces the rows with the given settings, factory_reset deletes them all) and its
 * cache_bios_settings leaves the table untouched. Ingot's `cacheSettings()` instead
 * RETURNS the full list the conductor stores, so a fake must know the current rows to
 * return them unchanged.
 */
export interface BiosSettingsAccess {
  /** The node's current bios_settings rows, as the conductor last stored them. */
  loadBiosSettings?(): Promise<readonly BiosSetting[]>;
  /**
   * Replace ALL of the node's bios_settings rows with `settings` (persisted by the
   * conductor after the call, like `setInternalInfo`). Rows not listed are deleted.
   */
  replaceBiosSettings?(settings: BiosSetting[]): void;
}

/** A context that may carry the optional extensions above. */
export type ExtendedDriverContext = DriverContext & BiosSettingsAccess;

/**
 * The synchronous half of a vendor passthru call (Ironic's conductor does it before
 * spawning an asynchronous method): route lookup ("No handler for method X"), HTTP
 * method check and the interface's argument validation. Throws `InvalidError`.
 *
 * `call()` repeats these checks, so a conductor that skips `validateCall` stays correct;
 * it only loses the ability to answer 400 before 202 for asynchronous methods.
 */
export interface VendorCallValidator {
  validateCall(ctx: DriverContext, method: string, httpMethod: string, body: unknown): Promise<void>;
}

/** True when `vendor` implements `validateCall`. */
export function hasValidateCall(vendor: VendorInterface): vendor is VendorInterface & VendorCallValidator {
  return typeof (vendor as Partial<VendorCallValidator>).validateCall === 'function';
}

/**
 * Marker of implementations that exist only so that configuration naming them resolves
 * (the real ones come later): `validate()` fails and every operation throws.
 */
export interface PlaceholderMarker {
  readonly placeholder: true;
}

/** True for placeholder (not implemented) implementations. */
export function isPlaceholder(impl: object): impl is PlaceholderMarker {
  return (impl as Partial<PlaceholderMarker>).placeholder === true;
}
