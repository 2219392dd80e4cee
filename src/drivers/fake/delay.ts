/**
 * Artificial delays of the fake interfaces (Ironic's `[fake] <kind>_delay` options).
 *
 * A spec is "a" (sleep a seconds) or "a,b" (a random time between a and b, drawn from a
 * triangular distribution whose mode is a, i.e. weighted towards a; `random.triangular(a,
 * b, a)` in Ironic). Empty / undefined / "0" means no delay.
 *
 * Differences from Ironic, on purpose: decimals are accepted (Ironic requires integers)
 * and malformed specs are rejected when the spec is parsed (at startup) rather than on
 * the first call. Sleeps honour `ctx.signal`.
 */
import { setTimeout as sleepMs } from 'node:timers/promises';
import { DriverError, InvalidError } from '../../core/errors.ts';
import type { DriverContext } from '../base.ts';

export class FakeDelay {
  /** No delay at all. */
  static readonly NONE = new FakeDelay(0, 0);

  /**
   * @param earliest seconds (the mode of the distribution)
   * @param latest seconds; equal to `earliest` for a constant delay
   * @param random source of uniform numbers in [0, 1), replaceable in tests
   */
  constructor(readonly earliest: number, readonly latest: number, private readonly random: () => number = Math.random) {}

  /** Parse a delay spec; throws `InvalidError` naming the option when malformed. */
  static parse(spec: string | undefined, option = 'fake delay', random?: () => number): FakeDelay {
    if (spec === undefined || spec.trim() === '') return FakeDelay.NONE;
    const parts = spec.split(',').map((s) => s.trim());
    const nums = parts.map(Number);
    if (parts.length > 2 || parts.some((p) => p === '') || nums.some((n) => !Number.isFinite(n) || n < 0)) {
      throw new InvalidError(`Invalid ${option} "${spec}": expected "a" or "a,b" with a and b non-negative numbers of seconds.`);
    }
    const a = nums[0]!;
    const b = nums.length === 2 ? nums[1]! : a;
    if (a === 0 && b === 0) return FakeDelay.NONE;
    return new FakeDelay(a, b, random);
  }

  /** Accept either a spec or an already parsed delay (factories parse specs once). */
  static from(delay: string | FakeDelay | undefined, option?: string): FakeDelay {
    return delay instanceof FakeDelay ? delay : FakeDelay.parse(delay, option);
  }

  get isNone(): boolean { return this.earliest === 0 && this.latest === 0; }

  /** Seconds to sleep for one call. */
  pick(): number {
    const low = this.earliest;
    const high = this.latest;
    if (low === high) return low;
    // Triangular distribution with mode == low (same formula as Python's random.triangular).
    const u = this.random();
    return high + (low - high) * Math.sqrt(1 - u);
  }

  /**
   * Sleep for `pick()` seconds. Rejects with a retryable `DriverError` (reason `aborted`)
   * when `ctx.signal` aborts before or during the sleep. A zero delay never waits and
   * never checks the signal (same as no delay configured).
   */
  async sleep(ctx: Pick<DriverContext, 'signal' | 'node'>, operation: string): Promise<void> {
    if (this.isNone) return;
    const ms = Math.round(this.pick() * 1000);
    try {
      await sleepMs(ms, undefined, { signal: ctx.signal });
    } catch (err) {
      if (ctx.signal.aborted) {
        throw new DriverError(`Fake ${operation} on node ${ctx.node.uuid} was aborted.`,
          { reason: 'aborted', retryable: true, cause: ctx.signal.reason ?? err });
      }
      throw err;
    }
  }
}
