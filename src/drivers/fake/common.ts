/**
 * What every fake implementation shares: the name `fake`, no driver_info properties,
 * a validate() that always passes (Ironic's fakes never fail validation), the optional
 * artificial delay, and step dispatch.
 */
import type { Json } from '../../core/node.ts';
import { InvalidError } from '../../core/errors.ts';
import type { DriverContext, DriverInterface, StepOutcome } from '../base.ts';
import { FakeDelay } from './delay.ts';

export abstract class FakeBase implements DriverInterface {
  readonly name: string = 'fake';
  protected readonly delay: FakeDelay;

  /** @param delay Ironic's `[fake] <kind>_delay` spec ("a" or "a,b" seconds) or a parsed delay. */
  constructor(delay?: string | FakeDelay) {
    this.delay = FakeDelay.from(delay);
  }

  properties(): Readonly<Record<string, string>> { return {}; }

  async validate(_ctx: DriverContext): Promise<void> { /* Ironic's fakes always validate. */ }

  /** Sleep the configured delay, honouring ctx.signal. */
  protected pause(ctx: DriverContext, operation: string): Promise<void> {
    return this.delay.sleep(ctx, operation);
  }
}

/** A step handler: the step's Ironic method, called with the step's args. */
export type StepHandler = (ctx: DriverContext, args: Json) => Promise<StepOutcome>;

/**
 * Run `step` from `handlers`; an unknown step is an `InvalidError` (the conductor should
 * have refused it already: Ironic's "node does not support this clean step").
 */
export async function dispatchStep(kind: string, name: string, handlers: Readonly<Record<string, StepHandler>>,
  ctx: DriverContext, step: string, args: Json): Promise<StepOutcome> {
  const h = Object.hasOwn(handlers, step) ? handlers[step] : undefined;
  if (!h) throw new InvalidError(`The ${kind} interface '${name}' has no step '${step}'.`);
  return h(ctx, args ?? {});
}
