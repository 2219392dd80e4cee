/**
 * do_provisioning_action: checks a verb against the node, advances the FSM while
 * holding the lock, and hands the rest to a worker that keeps the lock until it ends.
 */
import { ProvisionState as S } from '../core/states.ts';
import { InvalidError, InvalidStateError, ForbiddenError, NodeLockedError, IngotError } from '../core/errors.ts';
import { nextState, type FsmEvent } from '../core/fsm.ts';
import { isoNow } from '../core/ids.ts';
import type { ProvisionArgs } from '../contracts/rpc.ts';
import { MAX_VERSION } from '../contracts/versions.ts';
import type { Task } from './task.ts';
import { type FlowDeps, spawnWithTask, failTask } from './deps.ts';
import { doNodeClean } from './flows/clean.ts';
import { doNodeDeploy, doNodeTearDown, validateDeploy } from './flows/deploy.ts';
import { doNodeVerify, doInspect, doAdopt, doRescue, doUnrescue, withoutRescuePassword } from './flows/other.ts';

function invalidState(task: Task, event: string): never {
  throw new InvalidStateError(`The requested action "${event}" can not be performed on node "${task.node.uuid}" while it is in state "${task.node.provision_state}".`);
}

export async function doProvisioningAction(deps: FlowDeps, nodeId: number, args: ProvisionArgs): Promise<void> {
  // `abort` while this conductor runs the node's provisioning job: fire the job's signal.
  // The job stops at its next driver call or transition and fails the node (last_error
  // says it was aborted); the request is accepted without waiting for that.
  const running = deps.jobs.get(nodeId);
  if (args.event === 'abort' && running && !running.isReleased && running.purpose.startsWith('provision ')) {
    running.abort(`Operation aborted by request: "${running.purpose.slice('provision '.length)}" on node ${running.node.uuid} was stopped in state "${running.node.provision_state}".`);
    return;
  }
  if (args.event === 'abort') {
    // Held by someone else in a state without an abort edge: the API's answer (409 at once).
    const n = await deps.nodes.getById(nodeId);
    if (n?.reservation && !nextState(n.provision_state, 'abort', MAX_VERSION)) throw new NodeLockedError(n.uuid, n.reservation);
  }
  let task: Task;
  try {
    task = await deps.tasks.acquire(nodeId, `provision ${args.event}`);
  } catch (err) {
    throw err instanceof NodeLockedError ? err : err;
  }
  let handedOff = false;
  try {
    const node = task.node;
    const event = args.event as FsmEvent;
    if (!nextState(node.provision_state, event, MAX_VERSION)) invalidState(task, args.target === 'deleted' || args.target === 'undeploy' ? 'deleted' : args.target);
    if (node.protected && ['delete', 'rebuild'].includes(event)) {
      throw new ForbiddenError(`Node ${node.uuid} is protected and cannot be undeployed, rebuilt or deleted`);
    }
    // A worker is reserved before the event is applied: a full pool answers 503 and the
    // node stays as it was, unlocked (the finally below releases it).
    const start = async (ev: FsmEvent, job: (t: Task) => Promise<void>, extra: Parameters<Task['apply']>[1] = {}, target?: Parameters<Task['apply']>[2]) => {
      const slot = deps.workers.reserve();
      try {
        await task.apply(ev, { last_error: null, ...extra }, target);
      } catch (err) { slot.cancel(); throw err; }
      handedOff = true;
      spawnWithTask(deps, task, job, slot);
    };
    switch (event) {
      case 'manage':
        if (node.provision_state === S.ENROLL) return await start('manage', (t) => doNodeVerify(deps, t));
        // available / clean failed / inspect failed / adopt failed → manageable directly.
        await task.applyAndRelease('manage', node.provision_state === S.CLEAN_FAILED ? {} : { last_error: null });
        return;
      case 'provide':
        if (node.retired) throw new InvalidError(`The providing operation can't be performed on node ${node.uuid} because it is retired.`);
        return await start('provide', (t) => doNodeClean(deps, t));
      case 'clean':
        return await start('clean', (t) => doNodeClean(deps, t, args.cleanSteps ?? [], args.disableRamdisk ?? false), {}, S.MANAGEABLE);
      case 'inspect':
        return await start('inspect', (t) => doInspect(deps, t), { inspection_started_at: isoNow(), inspection_finished_at: null });
      case 'deploy':
      case 'rebuild': {
        if (node.maintenance) throw new InvalidError(`The provisioning operation can't be performed on node ${node.uuid} because it's in maintenance mode.`);
        await validateDeploy(deps, task, args.deploySteps);
        return await start(event, (t) => doNodeDeploy(deps, t, { configdrive: args.configdrive, deploySteps: args.deploySteps }));
      }
      case 'delete':
        return await start('delete', (t) => doNodeTearDown(deps, t));
      case 'adopt':
        return await start('adopt', (t) => doAdopt(deps, t));
      case 'rescue':
        return await start('rescue', (t) => doRescue(deps, t, args.rescuePassword ?? ''));
      case 'unrescue':
        return await start('unrescue', (t) => doUnrescue(deps, t));
      case 'abort':
        return await abort(deps, task);
      default:
        invalidState(task, args.target);
    }
  } finally {
    if (!handedOff) await task.release();
  }
}

async function abort(deps: FlowDeps, task: Task): Promise<void> {
  const st = task.node.provision_state;
  if (st === S.CLEAN_WAIT) {
    const step = task.node.clean_step;
    if (step && (step as { abortable?: boolean }).abortable === false && Object.keys(step).length) {
      throw new IngotError('InvalidState', `The clean step ${JSON.stringify(step)} for node ${task.node.uuid} is not abortable.`);
    }
    await failTask(deps, task, `Clean operation aborted for node ${task.node.uuid} on step "${(step as { step?: string }).step ?? 'unknown'}".`, {
      event: 'abort', eventType: 'cleaning', extra: { clean_step: {} },
    });
    return;
  }
  if (st === S.INSPECT_WAIT) {
    await failTask(deps, task, 'Inspection was aborted by request.', { event: 'abort', eventType: 'inspecting' });
    return;
  }
  if (st === S.RESCUEWAIT) {
    await failTask(deps, task, 'Rescue operation was aborted.', { event: 'abort', eventType: 'rescuing', extra: { instance_info: withoutRescuePassword(task.node.instance_info) } });
    return;
  }
  invalidState(task, 'abort');
}
