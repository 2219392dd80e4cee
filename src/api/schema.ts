/**
 * Request-body validation with the messages of Python's `jsonschema`, which Ironic uses:
 * clients and operators see the same "Schema error for node: …" texts. One validator
 * (`jsonschema.ts`, with jsonschema's best_match); this module is the body-level entry:
 * unlike `validateSchema` (an argument, where None passes), a body must match as given.
 */
import { InvalidError } from '../core/errors.ts';
import { pyRepr, schemaError, type JSchema } from './jsonschema.ts';

export type Schema = JSchema;

/** Python repr() of a JSON value (one implementation, in jsonschema.ts). */
export { pyRepr };

/** Returns the error message jsonschema would report, or null when `v` is valid. */
export function check(v: unknown, s: Schema): string | null {
  return schemaError(v, s);
}

/** Throw Ironic's 400 "Schema error for <name>: <message>". */
export function validate(name: string, v: unknown, s: Schema): void {
  const e = schemaError(v, s);
  if (e) throw new InvalidError(`Schema error for ${name}: ${e}`);
}
