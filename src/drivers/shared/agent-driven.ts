/**
 * Optional extension of the driver contract for interfaces driven by an agent's heartbeats
 * (Ironic's HeartbeatMixin / AgentBaseMixin): the conductor's heartbeat handling
 * (conductor/agent-heartbeat.ts) calls these on the node's deploy and rescue interfaces.
 *
 * The driver talks to the agent; the conductor keeps the state machine, the lock and the
 * step bookkeeping. Everything the driver learns goes through `ctx.setInternalInfo`.
 */
import type { DriverContext, DriverInterface } from '../base.ts';

export type Phase = 'clean' | 'deploy';

/** Where the current in-band step stands, from the agent's command list (Ironic's process_next_step). */
export type InbandStatus =
  /** The agent has run no step yet (freshly booted, or only get_*_steps): go on with the next step. */
  | { kind: 'fresh' }
  /** The current step still runs, or another command is last: wait for the next heartbeat. */
  | { kind: 'running' }
  | { kind: 'succeeded' }
  | { kind: 'failed'; error: string }
  /** The agent's hardware managers changed (CLEAN_VERSION_MISMATCH): steps refreshed. */
  | { kind: 'version_mismatch' };

export interface AgentDriven {
  /**
   * Ask the agent for its steps of `phase` and cache them in driver_internal_info
   * (`agent_cached_<phase>_steps`, `hardware_manager_version`). Does nothing when the agent
   * is busy (Ironic retries on the next heartbeat).
   */
  refreshSteps(ctx: DriverContext, phase: Phase): Promise<void>;
  /** Status of the node's current clean/deploy step on the agent. */
  stepStatus(ctx: DriverContext, phase: Phase): Promise<InbandStatus>;
  /** Fetch the agent's logs and keep them ([agent] deploy_logs_collect); never throws. */
  collectLogs?(ctx: DriverContext, label: string): Promise<void>;
}

export function isAgentDriven(impl: DriverInterface): impl is DriverInterface & AgentDriven {
  const a = impl as Partial<AgentDriven>;
  return typeof a.refreshSteps === 'function' && typeof a.stepStatus === 'function';
}

/** A rescue interface that finishes rescue through the agent (Ironic's AgentRescue). */
export interface AgentRescueFinalizer {
  /** Send the hashed rescue password to the agent; throws DriverError if the agent refuses. */
  finalizeRescue(ctx: DriverContext): Promise<void>;
  /** After a successful finalize: clean up the rescue ramdisk boot. */
  cleanUpRescue?(ctx: DriverContext): Promise<void>;
}

export function isRescueFinalizer(impl: DriverInterface): impl is DriverInterface & AgentRescueFinalizer {
  return typeof (impl as Partial<AgentRescueFinalizer>).finalizeRescue === 'function';
}
