/**
 * Ironic's UnsupportedDriverExtension: "Driver <driver> does not support <extension>
 * (disabled or not implemented)." — an Invalid error (HTTP 400).
 *
 * `driver` is the node's hardware type (Ironic passes task.node.driver); `extension` is
 * the interface kind for the no-op interfaces (`bios`, `console`, ...) or the method name
 * for optional methods an implementation lacks (`set_boot_mode`, `inject_nmi`,
 * `set_indicator_state`, `abort`, ...). Callers of optional members of base.ts use this
 * to report a missing method with Ironic's text.
 */
import { InvalidError } from '../../core/errors.ts';

export function unsupportedExtension(driver: string, extension: string): InvalidError {
  return new InvalidError(`Driver ${driver} does not support ${extension} (disabled or not implemented).`);
}
