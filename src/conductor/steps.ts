/**
 * Clean and deploy steps: collecting them from a node's interfaces, ordering them, and
 * running them one by one with progress recorded on the node (clean_step/deploy_step,
 * driver_internal_info.{clean,deploy}_steps and *_step_index), so a step that answers
 * `wait` can be resumed later from the same index (agent heartbeat).
 */
import type { ComposedDriver, StepDef } from '../drivers/base.ts';
import type { InterfaceKind, Json, Node, NodeChanges } from '../core/node.ts';
import { InvalidError, DriverError, messageOf } from '../core/errors.ts';
import type { Task } from './task.ts';
import type { ContextHandle } from './driver-context.ts';
import { pyRepr } from '../drivers/shared/py-repr.ts';

/** Interfaces that may carry steps in 21.4, and their tie-break order (higher first). */
export const STEP_INTERFACE_PRIORITY: Readonly<Record<string, number>> = {
  power: 5, management: 4, deploy: 3, bios: 2, raid: 1,
};
export const STEP_INTERFACES = Object.keys(STEP_INTERFACE_PRIORITY) as InterfaceKind[];

export interface Step {
  interface: string;
  step: string;
  priority: number;
  args: Json;
  abortable?: boolean;
}

export type Phase = 'clean' | 'deploy';

function defs(driver: ComposedDriver, kind: InterfaceKind): readonly StepDef[] {
  return (driver[kind] as { steps?: readonly StepDef[] }).steps ?? [];
}

/** All steps the driver offers for a phase (priority 0 included), unsorted. */
export function availableSteps(driver: ComposedDriver, phase: Phase): Step[] {
  const out: Step[] = [];
  for (const kind of STEP_INTERFACES) {
    for (const d of defs(driver, kind)) {
      // An undefined priority means the step does not belong to this phase at all.
      const declared = phase === 'clean' ? d.cleanPriority : d.deployPriority;
      if (declared === undefined) continue;
      const priority = declared;
      out.push({ interface: kind, step: d.step, priority, args: {}, abortable: d.abortable ?? false });
    }
  }
  return out;
}

export function sortSteps(steps: Step[]): Step[] {
  return [...steps].sort((a, b) => b.priority - a.priority
    || (STEP_INTERFACE_PRIORITY[b.interface] ?? 0) - (STEP_INTERFACE_PRIORITY[a.interface] ?? 0));
}

/** Steps automated cleaning runs: priority > 0, highest first. */
export function automatedCleanSteps(driver: ComposedDriver): Step[] {
  return sortSteps(availableSteps(driver, 'clean').filter((s) => s.priority > 0));
}

/**
 * Check user-requested steps (manual clean, or deploy_steps/templates) against what the
 * driver offers. Throws 400 naming the unknown step.
 */
export function validateRequestedSteps(driver: ComposedDriver, phase: Phase, requested: Json[]): Step[] {
  const avail = availableSteps(driver, phase === 'clean' ? 'clean' : 'deploy');
  const all = phase === 'deploy' ? [...avail, ...availableSteps(driver, 'clean')] : avail;
  return requested.map((r) => {
    const iface = String(r.interface);
    const name = String(r.step);
    const found = all.find((s) => s.interface === iface && s.step === name);
    if (!found) {
      throw new InvalidError(`${phase === 'clean' ? 'Clean' : 'Deploy'} step ${JSON.stringify({ interface: iface, step: name, args: r.args ?? {} })} is not supported by the node's driver interfaces.`);
    }
    const priority = r.priority === undefined ? found.priority : Number(r.priority);
    return { interface: iface, step: name, args: (r.args as Json) ?? {}, priority, abortable: found.abortable ?? false };
  });
}

/**
 * Ironic's _validate_user_steps for user-given steps (manual clean, deploy_steps, deploy
 * templates), with its texts; the step is shown as given, as a Python dict. Unknown steps
 * are errors unless `skipMissing` (deploy validation, where they may come from the ramdisk).
 */
export function userStepErrors(driver: ComposedDriver, phase: Phase, requested: Json[], skipMissing = false, disableRamdisk = false): string[] {
  const errors: string[] = [];
  for (const u of requested) {
    const def = STEP_INTERFACES.includes(u.interface as InterfaceKind)
      ? defs(driver, u.interface as InterfaceKind).find((d) => d.step === u.step && (phase === 'clean' ? d.cleanPriority : d.deployPriority) !== undefined)
      : undefined;
    if (!def) {
      if (!skipMissing) errors.push(`node does not support this ${phase} step: ${pyRepr(u)}`);
      continue;
    }
    const argsinfo = def.argsinfo ?? {};
    const userArgs = (u.args ?? {}) as Json;
    const unexpected = Object.keys(userArgs).filter((k) => !(k in argsinfo));
    if (unexpected.length) errors.push(`${phase} step ${pyRepr(u)} has these unexpected arguments: ${unexpected.join(', ')}`);
    const priority = Number(u.priority ?? 0);
    if (phase === 'clean' || priority > 0) {
      const missing = Object.entries(argsinfo).filter(([n, i]) => i.required && !(n in userArgs)).map(([n, i]) => (i.description ? `${n} (${i.description})` : n));
      if (missing.length) errors.push(`${phase} step ${pyRepr(u)} is missing these required arguments: ${missing.join(', ')}`);
      if (disableRamdisk && def.requiresRamdisk !== false) errors.push(`clean step ${pyRepr(u)} requires booting a ramdisk`);
    }
    if (phase === 'deploy' && priority > 0 && u.interface === 'deploy' && u.step === 'deploy') {
      errors.push(`deploy step ${String(u.step)} on interface ${String(u.interface)} is a core step and cannot be overridden by user steps. It may be disabled by setting the priority to 0`);
    }
  }
  return errors;
}

export type RunResult = { outcome: 'done' } | { outcome: 'wait' } | { outcome: 'fail'; error: string };

/**
 * Run steps from `index` on. Records the current step on the node; returns at the first
 * `wait` (progress saved) or failure. Driver errors become `fail` with an operator message.
 * After the last step it writes nothing: the caller records the end (`stepsFinished`),
 * alone or as part of its next write.
 */
export async function runSteps(task: Task, driver: ComposedDriver, handle: ContextHandle, phase: Phase, steps: Step[], index = 0): Promise<RunResult> {
  const stepField = phase === 'clean' ? 'clean_step' : 'deploy_step';
  for (let i = index; i < steps.length; i++) {
    const s = steps[i]!;
    await task.save({
      [stepField]: { interface: s.interface, step: s.step, args: s.args, priority: s.priority, abortable: s.abortable ?? false },
      driver_internal_info: { ...task.node.driver_internal_info, [`${phase}_steps`]: steps, [`${phase}_step_index`]: i },
    });
    const impl = driver[s.interface as InterfaceKind] as { executeStep?: (c: unknown, n: string, a: Json) => Promise<'done' | 'wait'> };
    let outcome: 'done' | 'wait';
    try {
      if (!impl.executeStep) throw new DriverError(`Interface ${s.interface} of node ${task.node.uuid} cannot execute step ${s.step}.`);
      outcome = await impl.executeStep(handle.ctx, s.step, s.args);
      await handle.flush();
    } catch (err) {
      return { outcome: 'fail', error: `Node ${task.node.uuid} failed step ${JSON.stringify({ interface: s.interface, step: s.step, args: s.args })}: ${messageOf(err)}` };
    }
    if (outcome === 'wait') return { outcome: 'wait' };
  }
  return { outcome: 'done' };
}

/**
 * The node changes that record a phase's steps as over: no current step, and as in
 * Ironic's wipe_{clean,deploy}ing_internal_info the step list becomes None and the index goes.
 */
export function stepsFinished(node: Node, phase: Phase): NodeChanges {
  const dii: Json = { ...node.driver_internal_info, [`${phase}_steps`]: null };
  delete dii[`${phase}_step_index`];
  return { [phase === 'clean' ? 'clean_step' : 'deploy_step']: {}, driver_internal_info: dii };
}
