/**
 * Base of the PLACEHOLDER implementations: names Ironic 21.4's configuration enables
 * whose real versions (agent ramdisk, PXE/iPXE boot server, neutron) come in later work.
 *
 * NOT IMPLEMENTED, on purpose and honestly:
 * - `properties()` reports Ironic's real driver_info keys and texts (clients read them);
 * - `validate()` throws `InvalidError` with a message saying what is missing and which
 *   interface to use instead (after any Ironic check that only reads the node record);
 * - every operation throws a non-retryable `DriverError` (reason `not_implemented`) with
 *   the same message, in case the conductor reaches one without validating.
 * They carry `placeholder: true` (see `isPlaceholder` in fake/types.ts).
 */
import { DriverError, InvalidError } from '../../core/errors.ts';
import type { InterfaceKind, Json } from '../../core/node.ts';
import type { DriverContext, DriverInterface, StepDef, StepOutcome } from '../base.ts';
import type { PlaceholderMarker } from '../shared/extensions.ts';

/** What a placeholder needs and what to use instead. */
export interface PlaceholderSpec {
  kind: InterfaceKind;
  name: string;
  /** Noun phrase: what the real implementation requires ("the ironic-python-agent deploy ramdisk"). */
  requires: string;
  /** Interface names to use instead, e.g. ['fake'] or ['fake', 'no-rescue']. */
  alternatives: string[];
  properties?: Readonly<Record<string, string>>;
  steps?: readonly StepDef[];
}

/** "Node <uuid>: <kind> interface '<name>' is not implemented in this Ingot build (...); use ..." */
export function notImplementedMessage(spec: PlaceholderSpec, nodeUuid: string): string {
  const alts = spec.alternatives.map((a) => `'${a}'`).join(' or ');
  return `Node ${nodeUuid}: ${spec.kind} interface '${spec.name}' is not implemented in this Ingot build `
    + `(it requires ${spec.requires}, which Ingot does not provide yet); use ${spec.kind}_interface ${alts} instead.`;
}

export abstract class Placeholder implements DriverInterface, PlaceholderMarker {
  readonly placeholder = true as const;
  readonly name: string;
  readonly steps?: readonly StepDef[];

  constructor(protected readonly spec: PlaceholderSpec) {
    this.name = spec.name;
    if (spec.steps) this.steps = spec.steps;
  }

  properties(): Readonly<Record<string, string>> { return { ...(this.spec.properties ?? {}) }; }

  async validate(ctx: DriverContext): Promise<void> {
    throw new InvalidError(notImplementedMessage(this.spec, ctx.node.uuid));
  }

  async executeStep(ctx: DriverContext, _step: string, _args: Json): Promise<StepOutcome> {
    throw this.fail(ctx);
  }

  /** The error every operation throws. */
  protected fail(ctx: DriverContext): DriverError {
    return new DriverError(notImplementedMessage(this.spec, ctx.node.uuid), { reason: 'not_implemented' });
  }
}
