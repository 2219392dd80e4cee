/**
 * What an agent heartbeat moves on, per wait state (Ironic's _heartbeat_deploy_wait,
 * _heartbeat_clean_wait, _heartbeat_rescue_wait and process_next_step). Called under the
 * node lock, after the heartbeat was recorded; every failure ends in the state's failed
 * state with a last_error naming the step and the agent's error.
 */
import { messageOf } from '../../core/errors.ts';
import type { Json, NodeChanges } from '../../core/node.ts';
import { ProvisionState as S } from '../../core/states.ts';
import { isoNow } from '../../core/ids.ts';
import type { ComposedDriver } from '../../drivers/base.ts';
import { isAgentDriven, isRescueFinalizer, type AgentDriven, type InbandStatus } from '../../drivers/shared/agent-driven.ts';
import type { Task } from '../task.ts';
import type { ContextHandle } from '../driver-context.ts';
import { type FlowDeps, prepare, failTask } from '../deps.ts';
import { automatedCleanSteps, stepsFinished, userStepErrors, validateRequestedSteps, type Step } from '../steps.ts';
import { continueDeploy, deploymentSteps, templateRequests } from './deploy.ts';
import { continueCleaning, cleaningFailed, wipeCleaningInfo } from './clean.ts';
import { rebootIntoRamdisk } from '../../drivers/agent/power-flow.ts';

type Agent = ComposedDriver['deploy'] & AgentDriven;

export async function continueAfterHeartbeat(deps: FlowDeps, task: Task): Promise<void> {
  const { driver, handle } = await prepare(deps, task);
  const n = task.node;
  if (n.maintenance) return heartbeatInMaintenance(deps, task, driver, handle);
  if (n.provision_state === S.DEPLOYWAIT) return deployWait(deps, task, driver, handle);
  if (n.provision_state === S.CLEAN_WAIT) return cleanWait(deps, task, driver, handle);
  if (n.provision_state === S.RESCUEWAIT) return rescueWait(deps, task, driver, handle);
}

const stepId = (s: Json) => `${String(s.interface)}.${String(s.step)}`;
const storedSteps = (task: Task, phase: 'clean' | 'deploy') => (task.node.driver_internal_info[`${phase}_steps`] ?? []) as Step[];
const storedIndex = (task: Task, phase: 'clean' | 'deploy') => Number(task.node.driver_internal_info[`${phase}_step_index`] ?? -1);

async function heartbeatInMaintenance(deps: FlowDeps, task: Task, driver: ComposedDriver, handle: ContextHandle): Promise<void> {
  const st = task.node.provision_state;
  if (st === S.CLEAN_WAIT) return cleaningFailed(deps, task, driver, handle, 'Cleaning aborted as node is in maintenance mode');
  if (st === S.DEPLOYWAIT) return deployFailed(deps, task, driver, handle, 'Deploy aborted as node is in maintenance mode', false);
  if (st === S.RESCUEWAIT) await failTask(deps, task, 'Rescue aborted as node is in maintenance mode', { event: 'fail', eventType: 'rescuing' });
}

/** deploying_error_handler after an agent-side failure: logs collected, deploy cleaned up, `deploy failed`. */
async function deployFailed(deps: FlowDeps, task: Task, driver: ComposedDriver, handle: ContextHandle, msg: string, collect = true): Promise<void> {
  const d = driver.deploy as Partial<AgentDriven>;
  if (collect && deps.config.agent.deployLogsCollect !== 'never' && d.collectLogs) await d.collectLogs(handle.ctx, 'deploy');
  const extra: NodeChanges = { deploy_step: {} };
  if (deps.config.agent.powerOffAfterDeployFailure) {
    try {
      await driver.power.setPowerState(handle.ctx, 'power off');
      extra.power_state = 'power off';
    } catch (err) { deps.logger.warn({ node: task.node.uuid, err: messageOf(err) }, 'power off after deploy failure failed'); }
  }
  try { await driver.deploy.cleanUp(handle.ctx); await handle.flush(); } catch (err) { deps.logger.warn({ node: task.node.uuid, err: messageOf(err) }, 'deploy clean up after failure failed'); }
  await failTask(deps, task, msg, { event: 'fail', eventType: 'deploying', extra });
}

/**
 * No callback within the wait state's timeout (periodics.checkTimeouts), as Ironic's
 * cleanup_after_timeout / cleanup_cleanwait_timeout: `wait call-back` → the deploy's
 * clean-up (boot files, ISO, DHCP; no power action), the agent session and deploy step
 * wiped, `deploy failed`; `clean wait` → cleaning torn down (power off, ramdisk boot
 * cleaned up), cleaning info and agent session wiped, `clean failed` (manual cleaning
 * keeps its manageable target), maintenance with the `clean failure` fault only when a
 * clean step was running. A clean-up that fails is added to the message; the node fails
 * all the same. Other wait states: `fail` with the message.
 */
export async function waitTimedOut(deps: FlowDeps, task: Task, msg: string, eventType: string): Promise<void> {
  const st = task.node.provision_state;
  if (st !== S.DEPLOYWAIT && st !== S.CLEAN_WAIT) {
    await failTask(deps, task, msg, { event: 'fail', eventType });
    return;
  }
  let prepared: Awaited<ReturnType<typeof prepare>>;
  try { prepared = await prepare(deps, task); } catch (err) {
    await failTask(deps, task, `${msg} Also failed to clean up: ${messageOf(err)}`, { event: 'fail', eventType });
    return;
  }
  const { driver, handle } = prepared;
  const attempt = async (what: string, fn: () => Promise<void>): Promise<string> => {
    try { await fn(); await handle.flush(); return ''; } catch (err) {
      deps.logger.warn({ node: task.node.uuid, err: messageOf(err) }, `${what} after a callback timeout failed`);
      return ` Also failed to ${what}: ${messageOf(err)}`;
    }
  };
  if (st === S.DEPLOYWAIT) {
    const also = await attempt('clean up the deploy', () => driver.deploy.cleanUp(handle.ctx));
    await failTask(deps, task, msg + also, { event: 'fail', eventType, extra: stepsFinished(task.node, 'deploy') });
    return;
  }
  const manual = task.node.target_provision_state === S.MANAGEABLE;
  const step = task.node.clean_step ?? {};
  const running = Object.keys(step).length > 0;
  const tearDown = driver.deploy.tearDownCleaning?.bind(driver.deploy);
  const also = tearDown ? await attempt('tear down cleaning', () => tearDown(handle.ctx)) : '';
  const message = `${msg}${running ? ` Failed on clean step ${stepId(step)}.` : ''}${also}`;
  const extra: NodeChanges = { clean_step: {}, driver_internal_info: wipeCleaningInfo(task.node.driver_internal_info) };
  if (running) Object.assign(extra, { fault: 'clean failure', maintenance: true, maintenance_reason: task.node.maintenance_reason ?? message });
  await failTask(deps, task, message, { event: 'fail', eventType, target: manual ? S.MANAGEABLE : undefined, extra });
}

async function deployWait(deps: FlowDeps, task: Task, driver: ComposedDriver, handle: ContextHandle): Promise<void> {
  if (!isAgentDriven(driver.deploy)) return;
  const agent = driver.deploy as Agent;
  let msg = 'Failed checking if deploy is done';
  try {
    if (!task.node.driver_internal_info.agent_cached_deploy_steps) {
      msg = 'Failed to load in-band deploy steps';
      await agent.refreshSteps(handle.ctx, 'deploy');
      await handle.flush();
    }
    await task.save({ provision_updated_at: isoNow() });
    if (task.node.driver_internal_info.deployment_polling) return;
    msg = 'Failed to process the next deploy step';
    const status = await agent.stepStatus(handle.ctx, 'deploy');
    await handle.flush();
    await nextStep(deps, task, driver, handle, 'deploy', status);
  } catch (err) {
    if (task.isReleased) throw err;
    await deployFailed(deps, task, driver, handle, `${msg}: ${messageOf(err)}`);
  }
}

async function cleanWait(deps: FlowDeps, task: Task, driver: ComposedDriver, handle: ContextHandle): Promise<void> {
  if (!isAgentDriven(driver.deploy)) return;
  const agent = driver.deploy as Agent;
  const manual = task.node.target_provision_state === S.MANAGEABLE;
  let msg = 'Failed checking if cleaning is done';
  try {
    await task.save({ provision_updated_at: isoNow() });
    const current = task.node.clean_step as Json;
    if (!current || Object.keys(current).length === 0) {
      // The ramdisk just booted for cleaning: learn its steps, then start.
      msg = 'Node failed to start the first cleaning step';
      await agent.refreshSteps(handle.ctx, 'clean');
      await handle.flush();
      const steps = cleaningSteps(task, driver, handle, manual);
      await task.apply('resume', {}, manual ? S.MANAGEABLE : undefined);
      await continueCleaning(deps, task, steps, 0, manual);
      return;
    }
    if (task.node.driver_internal_info.cleaning_polling) return;
    msg = 'Node failed to check cleaning progress';
    const status = await agent.stepStatus(handle.ctx, 'clean');
    await handle.flush();
    await nextStep(deps, task, driver, handle, 'clean', status);
  } catch (err) {
    if (task.isReleased) throw err;
    await cleaningFailed(deps, task, driver, handle, `${msg}: ${messageOf(err)}`);
  }
}

/** Ironic's set_node_cleaning_steps once the agent's steps are known. */
function cleaningSteps(task: Task, driver: ComposedDriver, handle: ContextHandle, manual: boolean): Step[] {
  if (!manual) return automatedCleanSteps(driver, handle.ctx);
  const requested = (task.node.driver_internal_info.clean_steps ?? []) as Json[];
  const errors = userStepErrors(driver, 'clean', requested, false, false, handle.ctx);
  if (errors.length) throw new Error(errors.join('; '));
  return validateRequestedSteps(driver, 'clean', requested, handle.ctx);
}

/** Ironic's process_next_step, given where the agent's current step stands. */
async function nextStep(deps: FlowDeps, task: Task, driver: ComposedDriver, handle: ContextHandle, phase: 'clean' | 'deploy', status: InbandStatus): Promise<void> {
  const current = ((phase === 'clean' ? task.node.clean_step : task.node.deploy_step) ?? {}) as Json;
  const manual = task.node.target_provision_state === S.MANAGEABLE;
  const steps = storedSteps(task, phase);
  const index = storedIndex(task, phase);
  switch (status.kind) {
    case 'running':
      return;
    case 'failed': {
      const msg = `${phase === 'clean' ? 'Clean' : 'Deploy'} step ${stepId(current)} failed on node ${task.node.uuid}. ${status.error}`;
      if (phase === 'clean') return cleaningFailed(deps, task, driver, handle, msg);
      return deployFailed(deps, task, driver, handle, msg);
    }
    case 'version_mismatch':
      // Automated cleaning starts over with the new steps; manual cleaning and deploy re-run the step.
      if (phase === 'clean' && !manual) {
        await task.apply('resume');
        return continueCleaning(deps, task, cleaningSteps(task, driver, handle, false), 0, false);
      }
      return resume(deps, task, phase, steps, Math.max(index, 0), manual);
    case 'succeeded':
      if (current.reboot_requested) {
        // The step wants the node back in the ramdisk: a new agent session, wait for it.
        await rebootIntoRamdisk(handle.ctx, phase);
        handle.ctx.setInternalInfo({ [phase === 'clean' ? 'cleaning_reboot' : 'deployment_reboot']: true });
        await handle.flush();
        return;
      }
      return resume(deps, task, phase, steps, index + 1, manual);
    case 'fresh': {
      const dii = { ...task.node.driver_internal_info };
      delete dii[phase === 'clean' ? 'cleaning_reboot' : 'deployment_reboot'];
      await task.save({ driver_internal_info: dii });
      return resume(deps, task, phase, steps, index + 1, manual);
    }
  }
}

async function resume(deps: FlowDeps, task: Task, phase: 'clean' | 'deploy', steps: Step[], index: number, manual: boolean): Promise<void> {
  if (phase === 'clean') {
    await task.apply('resume', {}, manual ? S.MANAGEABLE : undefined);
    return continueCleaning(deps, task, steps, index, manual);
  }
  const dii = task.node.driver_internal_info;
  if (dii.steps_validated) {
    await task.apply('resume');
    return continueDeploy(deps, task, steps, index);
  }
  // The agent is up: now every requested step must exist; the list may gain agent steps.
  const { driver, handle } = await prepare(deps, task);
  let all: Step[];
  try {
    all = deploymentSteps(driver, handle.ctx, [...await templateRequests(deps, task), ...((dii.user_deploy_steps ?? []) as Json[])], false);
  } catch (err) {
    return deployFailed(deps, task, driver, handle, `Failed to validate the deploy steps once the agent was up: ${messageOf(err)}`, false);
  }
  // Keep our place: the step that just ran is found in the new list by interface+step.
  const cur = task.node.deploy_step as Json;
  const at = all.findIndex((s) => s.interface === cur.interface && s.step === cur.step);
  const next = at < 0 ? index : at + (index - storedIndex(task, 'deploy'));
  await task.apply('resume', { driver_internal_info: { ...dii, steps_validated: true, deploy_steps: all } });
  return continueDeploy(deps, task, all, next);
}

/** rescue wait: finalize_rescue with the hashed password, then `rescue`. */
async function rescueWait(deps: FlowDeps, task: Task, driver: ComposedDriver, handle: ContextHandle): Promise<void> {
  const rescue = driver.rescue;
  if (!isRescueFinalizer(rescue)) return;
  try {
    await rescue.finalizeRescue(handle.ctx);
    await task.apply('resume');
    if (rescue.cleanUpRescue) await rescue.cleanUpRescue(handle.ctx);
    await handle.flush();
    await task.applyAndRelease('done');
  } catch (err) {
    await failTask(deps, task, `Node failed to perform rescue operation: ${messageOf(err)}`, { event: 'fail', eventType: 'rescuing' });
  }
}
