/**
 * Deployment (deploy/rebuild) and tear down (delete/undeploy).
 * deploy: `deploying` → deploy steps → `active` (or `wait call-back` for agent deploys).
 * tear down: `deleting` → driver tear_down → instance cleared → automated cleaning.
 */
import { ProvisionState as S } from '../../core/states.ts';
import { messageOf } from '../../core/errors.ts';
import type { Json } from '../../core/node.ts';
import type { Task } from '../task.ts';
import { type FlowDeps, prepare, failTask } from '../deps.ts';
import { InvalidError } from '../../core/errors.ts';
import { availableSteps, runSteps, sortSteps, stepsFinished, userStepErrors, validateRequestedSteps, type Step } from '../steps.ts';
import type { ComposedDriver, DriverContext } from '../../drivers/base.ts';
import { isAgentDriven } from '../../drivers/shared/agent-driven.ts';
import { doNodeClean } from './clean.ts';

/** The node's power state as the driver reads it now (recorded after deploy/tear down). */
async function readPower(driver: Awaited<ReturnType<typeof prepare>>['driver'], handle: Awaited<ReturnType<typeof prepare>>['handle']): Promise<{ power_state?: string | null }> {
  try {
    return { power_state: (await driver.power.getPowerState(handle.ctx)) ?? null };
  } catch {
    return {};
  }
}

/**
 * Ironic's synchronous part of do_node_deploy (start_deploy): power and deploy interface
 * validation, instance traits present on the node, then the steps of matching deploy
 * templates and the user's deploy_steps (unknown ones skipped: the ramdisk may add them).
 * Any failure is a 400 "Failed to validate deploy or power info for node …" and the node
 * stays where it was.
 */
export async function validateDeploy(deps: FlowDeps, task: Task, deploySteps?: Json[]): Promise<void> {
  const { driver, handle } = await prepare(deps, task);
  const node = task.node;
  try {
    await driver.power.validate(handle.ctx);
    await driver.deploy.validate(handle.ctx);
    const wanted = node.instance_info.traits;
    if (wanted !== undefined && wanted !== null && !(Array.isArray(wanted) && wanted.length === 0)) {
      if (!Array.isArray(wanted) || !wanted.every((t) => typeof t === 'string')) {
        throw new Error(`Error parsing traits from Node ${node.uuid} instance_info field. A list of strings is expected.`);
      }
      const missing = [...new Set(wanted as string[])].filter((t) => !node.traits.includes(t));
      if (missing.length) throw new Error(`Cannot specify instance traits that are not also set on the node. Node ${node.uuid} is missing traits ${missing.join(', ')}`);
      const rows = await deps.db.selectFrom('deploy_templates').innerJoin('deploy_template_steps', 'deploy_template_steps.deploy_template_id', 'deploy_templates.id')
        .select(['deploy_templates.name', 'deploy_template_steps.interface', 'deploy_template_steps.step', 'deploy_template_steps.args', 'deploy_template_steps.priority'])
        .where('deploy_templates.name', 'in', wanted as string[]).execute();
      const errors = userStepErrors(driver, 'deploy', rows.map((r) => ({ interface: r.interface, step: r.step, args: r.args ? JSON.parse(r.args) : {}, priority: r.priority })), true);
      if (errors.length) {
        const names = [...new Set(rows.map((r) => r.name))].join(',');
        throw new Error(`Validation of deploy steps from deploy templates matching this node's instance traits failed. Matching deploy templates: ${names}. Errors: ${errors.join('; ')}`);
      }
    }
    const errors = deploySteps?.length ? userStepErrors(driver, 'deploy', deploySteps, true) : [];
    if (errors.length) throw new Error(`Validation of deploy steps from "deploy steps" argument failed.${errors.join('; ')}`);
  } catch (err) {
    throw new InvalidError(`Failed to validate deploy or power info for node ${node.uuid}: ${messageOf(err)}`);
  }
}

/** Entered in state `deploying`. */
export async function doNodeDeploy(deps: FlowDeps, task: Task, opts: { configdrive?: unknown; deploySteps?: Json[] }): Promise<void> {
  const { driver, handle } = await prepare(deps, task);
  // A new deploy starts without the previous agent session's step cache; the config drive
  // is stored first so that prepare() sees it (Ironic's do_node_deploy order).
  const dii = { ...task.node.driver_internal_info };
  for (const k of ['agent_cached_deploy_steps', 'agent_cached_deploy_steps_refreshed', 'steps_validated', 'deployment_reboot', 'deployment_polling']) delete dii[k];
  await task.save({ driver_internal_info: dii, ...(opts.configdrive !== undefined ? { instance_info: { ...task.node.instance_info, configdrive: opts.configdrive } } : {}) });
  let steps: Step[];
  try {
    await driver.deploy.prepare(handle.ctx);
    await handle.flush();
    if (opts.deploySteps?.length) await task.save({ driver_internal_info: { ...task.node.driver_internal_info, user_deploy_steps: opts.deploySteps } });
    // An agent-driven deploy learns the agent's steps at its first heartbeat: requested
    // steps unknown until then are checked (and placed) when it resumes (revalidateDeploySteps).
    const lenient = isAgentDriven(driver.deploy) && !task.node.driver_internal_info.agent_cached_deploy_steps;
    steps = deploymentSteps(driver, handle.ctx, [...await templateRequests(deps, task), ...(opts.deploySteps ?? [])], lenient);
  } catch (err) {
    await failTask(deps, task, `Failed to prepare to deploy: ${messageOf(err)}`, { event: 'fail', eventType: 'deploying' });
    return;
  }
  // This conductor now holds the node's local state (boot files, image cache): as Ironic's
  // start_deploy, conductor_affinity names it, so that the takeover periodic (takeover.ts)
  // leaves the node alone until the ring gives it to another conductor.
  if (task.node.conductor_affinity !== deps.host) await task.save({ conductor_affinity: deps.host });
  await continueDeploy(deps, task, steps, 0);
}

/**
 * The deploy step list (Ironic's _get_all_deployment_steps): the driver's steps with
 * priority > 0 (runtime ones too), overridden by deploy templates' and then the user's
 * steps of the same interface+step; sorted. `lenient` leaves out requested steps the
 * driver does not know yet.
 */
export function deploymentSteps(driver: ComposedDriver, ctx: DriverContext, requested: Json[], lenient: boolean): Step[] {
  const builtin = availableSteps(driver, 'deploy', ctx).filter((s) => s.priority > 0);
  const known = new Set([...availableSteps(driver, 'deploy', ctx), ...availableSteps(driver, 'clean', ctx)].map((s) => `${s.interface}.${s.step}`));
  const wanted = lenient ? requested.filter((r) => known.has(`${String(r.interface)}.${String(r.step)}`)) : requested;
  const key = (s: Step) => `${s.interface}.${s.step}`;
  const merged = new Map<string, Step>();
  for (const s of [...builtin, ...validateRequestedSteps(driver, 'deploy', wanted, ctx)]) merged.set(key(s), s);
  return sortSteps([...merged.values()].filter((s) => s.priority > 0));
}

/** Requested steps of the deploy templates whose name matches one of instance_info.traits. */
export async function templateRequests(deps: FlowDeps, task: Task): Promise<Json[]> {
  const traits = task.node.instance_info.traits;
  if (!Array.isArray(traits) || traits.length === 0) return [];
  const rows = await deps.db.selectFrom('deploy_templates').innerJoin('deploy_template_steps', 'deploy_template_steps.deploy_template_id', 'deploy_templates.id')
    .select(['deploy_template_steps.interface', 'deploy_template_steps.step', 'deploy_template_steps.args', 'deploy_template_steps.priority'])
    .where('deploy_templates.name', 'in', traits as string[]).execute();
  return rows.map((r) => ({ interface: r.interface, step: r.step, args: r.args ? JSON.parse(r.args) : {}, priority: r.priority }));
}

export async function continueDeploy(deps: FlowDeps, task: Task, steps: Step[], index: number): Promise<void> {
  const { driver, handle } = await prepare(deps, task);
  const r = await runSteps(task, driver, handle, 'deploy', steps, index);
  if (r.outcome === 'wait') {
    if (task.node.provision_state === S.DEPLOYING) await task.applyAndRelease('wait');
    return;
  }
  if (r.outcome === 'fail') {
    await failTask(deps, task, r.error, { event: 'fail', eventType: 'deploying' });
    return;
  }
  // As Ironic, the finished steps are cleared in a write of their own before the deploy
  // ends: the power read below may take a while and the API shows them meanwhile.
  await task.save(stepsFinished(task.node, 'deploy'));
  if (task.node.provision_state === S.DEPLOYWAIT) await task.apply('resume');
  await task.applyAndRelease('done', { deploy_step: {}, ...(await readPower(driver, handle)) });
}

/** Entered in state `deleting`. */
export async function doNodeTearDown(deps: FlowDeps, task: Task): Promise<void> {
  const { driver, handle } = await prepare(deps, task);
  try {
    await driver.deploy.tearDown(handle.ctx);
    await driver.deploy.cleanUp(handle.ctx);
    await handle.flush();
  } catch (err) {
    await failTask(deps, task, `Failed to tear down. Error: ${messageOf(err)}`, { event: 'fail', eventType: 'deleting' });
    return;
  }
  const ii = task.node.instance_info;
  const dii = { ...task.node.driver_internal_info };
  // wipe_deploy_internal_info: deploy_steps stays as None.
  dii.deploy_steps = null; delete dii.deploy_step_index;
  await task.save({ instance_info: {}, instance_uuid: null, driver_internal_info: dii, deploy_step: {}, ...(await readPower(driver, handle)) });
  if (task.node.allocation_id !== null) {
    await deps.db.deleteFrom('allocations').where('id', '=', task.node.allocation_id).execute();
    await task.save({ allocation_id: null });
  }
  void ii;
  await task.apply('clean');
  await doNodeClean(deps, task);
}
