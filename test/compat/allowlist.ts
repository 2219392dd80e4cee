/**
 * Differences between Ingot and the real Ironic 21.4 that are known and accepted.
 *
 * - `deliberate`: Ingot differs on purpose (ironic-reference.md: where 21.4 answers a
 *   client's bad input with a 5xx, Ingot answers the 4xx that later Ironic answers).
 * - `pending`: the difference is real but the fix belongs to code another engineer owns
 *   (src/api/routes/node-*.ts except node-states.ts, src/drivers/**); remove the entry
 *   once it is fixed — the report lists entries that no longer match anything.
 */
import type { StepResult } from './runner.ts';

export interface Allowance {
  /** Matches the step id "scenario › label". */
  step: RegExp;
  /** Diff paths it covers (all when absent). */
  paths?: RegExp;
  kind: 'deliberate' | 'pending';
  reason: string;
}

export const ALLOWED: Allowance[] = [];

/** Entries covering every difference of a step, or undefined when something is not covered. */
export function allowancesFor(r: StepResult, list: Allowance[] = ALLOWED): Allowance[] | undefined {
  const used = new Set<Allowance>();
  for (const d of r.diffs) {
    const a = list.find((x) => x.step.test(r.id) && (!x.paths || x.paths.test(d.path)));
    if (!a) return undefined;
    used.add(a);
  }
  return [...used];
}
