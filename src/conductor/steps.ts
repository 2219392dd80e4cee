/**
 * Clean and deploy steps: collecting them from a node's interfaces, ordering them, and
 * running them one by one with progress recorded on the node (clean_step/deploy_step,
 * driver_internal_info.{clean,deploy}_steps and *_step_index), so a step that answers
 * `wait` can be resumed later from the same index (agent heartbeat).
 */
import type { ComposedDriver, DriverContext, RuntimeStep, StepDef } from '../drivers/base.ts';
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
  /** Steps reported by an agent: reboot into the ramdisk after the step. */
  reboot_requested?: boolean;
}

export type Phase = 'clean' | 'deploy';

/**
 * An interface's steps: its fixed `steps`, plus (given a context) the steps it reports at
 * run time (`getSteps`, e.g. an agent's, with configured priority overrides), as Ironic's
 * conductor/steps.py gathers them. A fixed step wins over a runtime one of the same name.
 */
function defs(driver: ComposedDriver, kind: InterfaceKind, ctx?: DriverContext, phase?: Phase): readonly (StepDef & { rebootRequested?: boolean })[] {
  const impl = driver[kind] as { steps?: readonly StepDef[]; getSteps?: (c: DriverContext, p: Phase) => readonly RuntimeStep[] };
  const fixed = impl.steps ?? [];
  if (!ctx || !phase || !impl.getSteps) return fixed;
  const names = new Set(fixed.filter((d) => (phase === 'clean' ? d.cleanPriority : d.deployPriority) !== undefined).map((d) => d.step));
  const runtime = impl.getSteps(ctx, phase).filter((r) => r.interface === kind && !names.has(r.step)).map((r) => ({
    step: r.step, [phase === 'clean' ? 'cleanPriority' : 'deployPriority']: Number(r.priority),
    abortable: r.abortable ?? false, requiresRamdisk: r.requires_ramdisk ?? true, rebootRequested: r.reboot_requested ?? false,
    ...(r.argsinfo ? { argsinfo: r.argsinfo } : {}),
  } as StepDef & { rebootRequested?: boolean }));
  return [...fixed, ...runtime];
}

/** All steps the driver offers for a phase (priority 0 included), unsorted; with `ctx`, runtime steps too. */
export function availableSteps(driver: ComposedDriver, phase: Phase, ctx?: DriverContext): Step[] {
  const out: Step[] = [];
  for (const kind of STEP_INTERFACES) {
    for (const d of defs(driver, kind, ctx, phase)) {
      // An undefined priority means the step does not belong to this phase at all.
      const declared = phase === 'clean' ? d.cleanPriority : d.deployPriority;
      if (declared === undefined) continue;
      const priority = declared;
      const s: Step = { interface: kind, step: d.step, priority, args: {}, abortable: d.abortable ?? false };
      if (d.rebootRequested) s.reboot_requested = true;
      out.push(s);
    }
  }
  return out;
}

export function sortSteps(steps: Step[]): Step[] {
  return [...steps].sort((a, b) => b.priority - a.priority
    || (STEP_INTERFACE_PRIORITY[b.interface] ?? 0) - (STEP_INTERFACE_PRIORITY[a.interface] ?? 0));
}

/** Steps automated cleaning runs: priority > 0, highest first. */
export function automatedCleanSteps(driver: ComposedDriver, ctx?: DriverContext): Step[] {
  return sortSteps(availableSteps(driver, 'clean', ctx).filter((s) => s.priority > 0));
}

/**
 * Check user-requested steps (manual clean, or deploy_steps/templates) against what the
 * driver offers. Throws 400 naming the unknown step.
 */
export function validateRequestedSteps(driver: ComposedDriver, phase: Phase, requested: Json[], ctx?: DriverContext): Step[] {
  const avail = availableSteps(driver, phase === 'clean' ? 'clean' : 'deploy', ctx);
  const all = phase === 'deploy' ? [...avail, ...availableSteps(driver, 'clean', ctx)] : avail;
  return requested.map((r) => {
    const iface = String(r.interface);
    const name = String(r.step);
    const found = all.find((s) => s.interface === iface && s.step === name);
    if (!found) {
      throw new InvalidError(`${phase === 'clean' ? 'Clean' : 'Deploy'} step ${JSON.stringify({ interface: iface, step: name, args: r.args ?? {} })} is not supported by the node's driver interfaces.`);
    }
    const priority = r.priority === undefined ? found.priority : Number(r.priority);
    const s: Step = { interface: iface, step: name, args: (r.args as Json) ?? {}, priority, abortable: found.abortable ?? false };
    if (found.reboot_requested) s.reboot_requested = true;
    return s;
  });
}

/**
 * Ironic's _validate_user_steps for user-given steps (manual clean, deploy_steps, deploy
 * templates), with its texts; the step is shown as given, as a Python dict. Unknown steps
 * are errors unless `skipMissing` (deploy validation, where they may come from the ramdisk).
 */
export function userStepErrors(driver: ComposedDriver, phase: Phase, requested: Json[], skipMissing = false, disableRamdisk = false, ctx?: DriverContext): string[] {
  const errors: string[] = [];
  for (const u of requested) {
    const def = STEP_INTERFACES.includes(u.interface as InterfaceKind)
      ? defs(driver, u.interface as InterfaceKind, ctx, phase).find((d) => d.step === u.step && (phase === 'clean' ? d.cleanPriority : d.deployPriority) !== undefined)
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
      [stepField]: { interface: s.interface, step: s.step, args: s.args, priority: s.priority, abortable: s.abortable ?? false, ...(s.reboot_requested ? { reboot_requested: true } : {}) },
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
  if (phase === 'deploy') {
    // wipe_deploy_internal_info: the agent session ends with the deploy (token and URL too).
    for (const k of ['agent_cached_deploy_steps', 'agent_cached_deploy_steps_refreshed', 'deployment_reboot', 'deployment_polling',
      'skip_current_deploy_step', 'steps_validated', 'user_deploy_steps', 'agent_secret_token', 'agent_secret_token_pregenerated', 'agent_url', 'agent_verify_ca']) delete dii[k];
  }
  return { [phase === 'clean' ? 'clean_step' : 'deploy_step']: {}, driver_internal_info: dii };
}
