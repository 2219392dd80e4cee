/**
 * Cleaning: automated (provide, tear down) and manual (clean verb with clean_steps).
 * Ends in `available` (automated) or `manageable` (manual); failures → `clean failed`.
 */
import { ProvisionState as S } from '../../core/states.ts';
import { messageOf } from '../../core/errors.ts';
import type { Json } from '../../core/node.ts';
import type { Task } from '../task.ts';
import { type FlowDeps, prepare, failTask } from '../deps.ts';
import type { ComposedDriver } from '../../drivers/base.ts';
import type { ContextHandle } from '../driver-context.ts';
import { automatedCleanSteps, runSteps, userStepErrors, validateRequestedSteps, type Step } from '../steps.ts';

/** Keys Ironic's wipe_cleaning_internal_info drops (clean_steps is kept, as None). */
const CLEANING_KEYS = ['agent_cached_clean_steps', 'clean_step_index', 'cleaning_reboot', 'cleaning_polling',
  'cleaning_disable_ramdisk', 'skip_current_clean_step', 'steps_validated',
  // wipe_token_and_url: the agent session of the cleaning ramdisk ends with it.
  'agent_secret_token', 'agent_secret_token_pregenerated', 'agent_url', 'agent_verify_ca'];

export function wipeCleaningInfo(dii: Json): Json {
  const out: Json = { ...dii, clean_steps: null };
  for (const k of CLEANING_KEYS) delete out[k];
  return out;
}

/** A failed manual clean still targets manageable (Ironic's cleaning_error_handler). */
function failTarget(manual: boolean): typeof S.MANAGEABLE | undefined {
  return manual ? S.MANAGEABLE : undefined;
}

function automatedCleanEnabled(deps: FlowDeps, task: Task): boolean {
  const n = task.node.automated_clean;
  return n === null ? deps.config.automatedClean : n;
}

/** Entered in state `cleaning`. `manualSteps` set = manual cleaning. */
export async function doNodeClean(deps: FlowDeps, task: Task, manualSteps?: Json[], disableRamdisk = false): Promise<void> {
  const manual = manualSteps !== undefined;
  const { driver, handle } = await prepare(deps, task);
  // Validate what cleaning needs before touching the hardware.
  try {
    await driver.power.validate(handle.ctx);
    await driver.network.validate(handle.ctx);
  } catch (err) {
    await failTask(deps, task, `Validation of node ${task.node.uuid} for cleaning failed: ${messageOf(err)}`, { event: 'fail', eventType: 'cleaning', target: failTarget(manual) });
    return;
  }
  // Like Ironic, the requested steps are recorded before they are checked, and stay
  // recorded when the check fails. Automated cleaning has nothing to check and records
  // its kind in the same write (continueCleaning then has nothing to write).
  const dii = wipeCleaningInfo(task.node.driver_internal_info);
  if (manual) Object.assign(dii, { clean_steps: manualSteps, cleaning_disable_ramdisk: disableRamdisk });
  else dii.cleaning_manual = false;
  await task.save({ driver_internal_info: dii });
  if (!manual && !automatedCleanEnabled(deps, task)) {
    deps.logger.info({ node: task.node.uuid }, 'Automated cleaning is disabled, skipping cleaning');
    await finishCleaning(deps, task, false);
    return;
  }
  // Agent-based cleaning boots the ramdisk; the steps are known once its agent heartbeats
  // (flows/agent-wait.ts), so they are chosen and checked then.
  if (!disableRamdisk && driver.deploy.prepareCleaning) {
    let outcome: 'done' | 'wait';
    try {
      outcome = await driver.deploy.prepareCleaning(handle.ctx);
      await handle.flush();
    } catch (err) {
      await failTask(deps, task, `Failed to prepare node ${task.node.uuid} for cleaning: ${messageOf(err)}`, { event: 'fail', eventType: 'cleaning', target: failTarget(manual) });
      return;
    }
    if (outcome === 'wait') {
      await task.applyAndRelease('wait', {}, manual ? S.MANAGEABLE : undefined);
      return;
    }
  }
  let steps: Step[];
  if (manual) {
    try {
      const errors = userStepErrors(driver, 'clean', manualSteps, false, disableRamdisk);
      if (errors.length) throw new Error(errors.join('; '));
      steps = validateRequestedSteps(driver, 'clean', manualSteps);
    } catch (err) {
      await failTask(deps, task, `Cannot clean node ${task.node.uuid}: ${messageOf(err)}`, { event: 'fail', eventType: 'cleaning', target: failTarget(manual) });
      return;
    }
  } else {
    steps = automatedCleanSteps(driver, handle.ctx);
  }
  await continueCleaning(deps, task, steps, 0, manual);
}

/** Run (or resume) clean steps from `index`; used by doNodeClean and the agent heartbeat. */
export async function continueCleaning(deps: FlowDeps, task: Task, steps: Step[], index: number, manual: boolean): Promise<void> {
  const { driver, handle } = await prepare(deps, task);
  if (task.node.driver_internal_info.cleaning_manual !== manual) {
    await task.save({ driver_internal_info: { ...task.node.driver_internal_info, cleaning_manual: manual } });
  }
  const r = await runSteps(task, driver, handle, 'clean', steps, index);
  if (r.outcome === 'wait') {
    if (task.node.provision_state === S.CLEANING) await task.applyAndRelease('wait', {}, manual ? S.MANAGEABLE : undefined);
    return;
  }
  if (r.outcome === 'fail') {
    // A failing clean step puts the node in maintenance with a fault (Ironic's cleaning_error_handler).
    await failTask(deps, task, r.error, {
      event: 'fail', eventType: 'cleaning', target: failTarget(manual),
      extra: { fault: 'clean failure', maintenance: true, maintenance_reason: task.node.maintenance_reason ?? r.error, clean_step: {} },
    });
    return;
  }
  await finishCleaning(deps, task, manual);
}

/**
 * The end of cleaning, in one write with the lock's release. It also records the steps
 * as over (runSteps leaves that to us): its wipe covers what `stepsFinished` changes.
 */
async function finishCleaning(deps: FlowDeps, task: Task, manual: boolean): Promise<void> {
  const usedRamdisk = task.node.driver_internal_info.cleaning_disable_ramdisk !== true;
  const { driver, handle } = await prepare(deps, task);
  // Tear down only a ramdisk that was booted for this cleaning: its agent heartbeated
  // (agent_url is recorded; deploy and clean ends wipe it).
  if (usedRamdisk && driver.deploy.tearDownCleaning && task.node.driver_internal_info.agent_url !== undefined) {
    try {
      await driver.deploy.tearDownCleaning(handle.ctx);
      await handle.flush();
    } catch (err) {
      await failTask(deps, task, `Failed to tear down from cleaning for node ${task.node.uuid}, reason: ${messageOf(err)}`, { event: 'fail', eventType: 'cleaning', target: failTarget(manual) });
      return;
    }
  }
  const dii = wipeCleaningInfo(task.node.driver_internal_info);
  delete dii.cleaning_manual;
  const extra = { clean_step: {}, driver_internal_info: dii };
  if (task.node.provision_state === S.CLEAN_WAIT) await task.apply('resume', {}, manual ? S.MANAGEABLE : undefined);
  // Manual cleaning and retired nodes go back to manageable.
  await task.applyAndRelease(manual || task.node.retired ? 'manage' : 'done', extra);
}

/**
 * Ironic's cleaning_error_handler after an agent-side failure: the agent's logs collected,
 * cleaning torn down (power off), `clean failed` with the node in maintenance and a fault.
 */
export async function cleaningFailed(deps: FlowDeps, task: Task, driver: ComposedDriver, handle: ContextHandle, msg: string): Promise<void> {
  const manual = task.node.target_provision_state === S.MANAGEABLE;
  const d = driver.deploy as { collectLogs?: (c: ContextHandle['ctx'], label: string) => Promise<void> };
  if (deps.config.agent.deployLogsCollect !== 'never' && d.collectLogs) await d.collectLogs(handle.ctx, 'cleaning');
  if (driver.deploy.tearDownCleaning) {
    try { await driver.deploy.tearDownCleaning(handle.ctx); await handle.flush(); } catch (err) { deps.logger.warn({ node: task.node.uuid, err: messageOf(err) }, 'tear down after a cleaning failure failed'); }
  }
  await failTask(deps, task, msg, {
    event: 'fail', eventType: 'cleaning', target: failTarget(manual),
    extra: { fault: 'clean failure', maintenance: true, maintenance_reason: task.node.maintenance_reason ?? msg, clean_step: {} },
  });
}
