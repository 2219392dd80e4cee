/**
 * Power changes that take time, as on iDRAC and other BMCs: while a change is under way the
 * system reports `PowerState` `PoweringOn` / `PoweringOff`, and the machine refuses another
 * reset (409, see `LabMachine.reset`). A change is a list of steps (a restart is "off, then
 * on"); each step is shown for `ms` milliseconds, then applied.
 *
 * @module
 */

export type TransitionState = 'PoweringOn' | 'PoweringOff';

/** One step of a power change: what the BMC reports meanwhile, and the change to apply. */
export interface PowerStep { shown: TransitionState; apply: () => void }

export class PowerTransition {
  /** The state reported while a change is under way; null when settled. */
  state: TransitionState | null = null;
  private timer: NodeJS.Timeout | null = null;

  /** Shows each step for `ms`, then applies it. Steps apply at once when `ms` <= 0. */
  run(steps: PowerStep[], ms: number): void {
    if (ms <= 0) {
      for (const s of steps) s.apply();
      return;
    }
    const next = (i: number): void => {
      const step = steps[i];
      if (!step) {
        this.state = null;
        this.timer = null;
        return;
      }
      this.state = step.shown;
      this.timer = setTimeout(() => {
        step.apply();
        next(i + 1);
      }, ms);
    };
    next(0);
  }

  /** Stops a change under way (the lab is closing); the machine keeps its settled state. */
  cancel(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.state = null;
  }
}
