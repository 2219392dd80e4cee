/**
 * The provision state machine as one table of data (Ironic's state_machine.py).
 *
 * Contract: provision_state changes only by applying an event from this table, and
 * that happens in exactly one place: `conductor/task.ts` (`Task.apply`). Everything
 * else asks `nextState()` / `canApply()`.
 *
 * `minVersion` marks edges that Ironic added after 21.4 (API 1.82): the API gates the
 * verbs behind them, and internal events (`hold`) are only emitted by steps that 21.4
 * does not have, so an Ingot pinned to 1.82 behaves like 21.4.
 */
import { ProvisionState as S, type ProvisionState } from './states.ts';

/** FSM events: API verbs (after alias mapping) and the conductor's internal events. */
export type FsmEvent =
  | 'manage' | 'provide' | 'inspect' | 'clean' | 'adopt' | 'deploy' | 'rebuild' | 'delete'
  | 'rescue' | 'unrescue' | 'abort' | 'unhold' | 'service'
  | 'done' | 'fail' | 'wait' | 'resume' | 'hold';

export interface StateInfo {
  /** A stable state is where a node rests; others are transient or failure states. */
  readonly stable: boolean;
  /** The `target_provision_state` shown while the node is in this state (null when stable). */
  readonly target: ProvisionState | null;
  /** True for the `* failed` states (and `error`). */
  readonly failure?: boolean;
}

export const STATES: Readonly<Record<ProvisionState, StateInfo>> = {
  [S.ENROLL]: { stable: true, target: null },
  [S.VERIFYING]: { stable: false, target: S.MANAGEABLE },
  [S.MANAGEABLE]: { stable: true, target: null },
  [S.INSPECTING]: { stable: false, target: S.MANAGEABLE },
  [S.INSPECT_WAIT]: { stable: false, target: S.MANAGEABLE },
  [S.INSPECT_FAILED]: { stable: false, target: S.MANAGEABLE, failure: true },
  [S.CLEANING]: { stable: false, target: S.AVAILABLE },
  [S.CLEAN_WAIT]: { stable: false, target: S.AVAILABLE },
  [S.CLEAN_HOLD]: { stable: false, target: S.AVAILABLE },
  [S.CLEAN_FAILED]: { stable: false, target: S.AVAILABLE, failure: true },
  [S.AVAILABLE]: { stable: true, target: null },
  [S.DEPLOYING]: { stable: false, target: S.ACTIVE },
  [S.DEPLOYWAIT]: { stable: false, target: S.ACTIVE },
  [S.DEPLOY_HOLD]: { stable: false, target: S.ACTIVE },
  [S.DEPLOYFAIL]: { stable: false, target: S.ACTIVE, failure: true },
  [S.ACTIVE]: { stable: true, target: null },
  [S.DELETING]: { stable: false, target: S.AVAILABLE },
  [S.ERROR]: { stable: true, target: null, failure: true },
  [S.ADOPTING]: { stable: false, target: S.ACTIVE },
  [S.ADOPTFAIL]: { stable: false, target: S.ACTIVE, failure: true },
  [S.RESCUING]: { stable: false, target: S.RESCUE },
  [S.RESCUEWAIT]: { stable: false, target: S.RESCUE },
  [S.RESCUE]: { stable: true, target: null },
  [S.RESCUEFAIL]: { stable: false, target: S.RESCUE, failure: true },
  [S.UNRESCUING]: { stable: false, target: S.ACTIVE },
  [S.UNRESCUEFAIL]: { stable: false, target: S.ACTIVE, failure: true },
  [S.SERVICING]: { stable: false, target: S.ACTIVE },
  [S.SERVICE_WAIT]: { stable: false, target: S.ACTIVE },
  [S.SERVICE_HOLD]: { stable: false, target: S.ACTIVE },
  [S.SERVICE_FAILED]: { stable: false, target: S.ACTIVE, failure: true },
};

export interface Transition {
  readonly from: ProvisionState;
  readonly event: FsmEvent;
  readonly to: ProvisionState;
  /** Set on edges Ironic added after 21.4: the first API minor version (1.N → N) whose verb reaches it. */
  readonly minVersion?: number;
}

const t = (from: ProvisionState, event: FsmEvent, to: ProvisionState, minVersion?: number): Transition =>
  minVersion === undefined ? { from, event, to } : { from, event, to, minVersion };

/** Every edge of Ironic's provision FSM (master: 93; 21.4: the 63 without `minVersion`). */
export const TRANSITIONS: readonly Transition[] = [
  // Enrollment: manage verifies the driver can talk to the BMC.
  t(S.ENROLL, 'manage', S.VERIFYING),
  t(S.VERIFYING, 'done', S.MANAGEABLE),
  t(S.VERIFYING, 'fail', S.ENROLL),
  // Manageable: the operator's workshop.
  t(S.MANAGEABLE, 'provide', S.CLEANING),
  t(S.MANAGEABLE, 'clean', S.CLEANING),
  t(S.MANAGEABLE, 'inspect', S.INSPECTING),
  t(S.MANAGEABLE, 'adopt', S.ADOPTING),
  // Inspection.
  t(S.INSPECTING, 'done', S.MANAGEABLE),
  t(S.INSPECTING, 'fail', S.INSPECT_FAILED),
  t(S.INSPECTING, 'wait', S.INSPECT_WAIT),
  t(S.INSPECT_WAIT, 'done', S.MANAGEABLE),
  t(S.INSPECT_WAIT, 'fail', S.INSPECT_FAILED),
  t(S.INSPECT_WAIT, 'abort', S.INSPECT_FAILED),
  t(S.INSPECT_WAIT, 'resume', S.INSPECTING, 84),
  t(S.INSPECT_FAILED, 'manage', S.MANAGEABLE),
  t(S.INSPECT_FAILED, 'inspect', S.INSPECTING),
  // Cleaning (automated after provide/delete, manual after clean).
  t(S.CLEANING, 'done', S.AVAILABLE),
  // Manual cleaning ends back in manageable.
  t(S.CLEANING, 'manage', S.MANAGEABLE),
  t(S.CLEANING, 'fail', S.CLEAN_FAILED),
  t(S.CLEANING, 'wait', S.CLEAN_WAIT),
  t(S.CLEANING, 'hold', S.CLEAN_HOLD, 85),
  t(S.CLEAN_WAIT, 'resume', S.CLEANING),
  t(S.CLEAN_WAIT, 'fail', S.CLEAN_FAILED),
  t(S.CLEAN_WAIT, 'abort', S.CLEAN_FAILED),
  t(S.CLEAN_WAIT, 'hold', S.CLEAN_HOLD, 85),
  t(S.CLEAN_HOLD, 'unhold', S.CLEAN_WAIT, 85),
  t(S.CLEAN_HOLD, 'abort', S.CLEAN_FAILED, 85),
  t(S.CLEAN_FAILED, 'manage', S.MANAGEABLE),
  // Available: ready for an instance.
  t(S.AVAILABLE, 'deploy', S.DEPLOYING),
  t(S.AVAILABLE, 'manage', S.MANAGEABLE),
  // Deployment.
  t(S.DEPLOYING, 'done', S.ACTIVE),
  t(S.DEPLOYING, 'fail', S.DEPLOYFAIL),
  t(S.DEPLOYING, 'wait', S.DEPLOYWAIT),
  t(S.DEPLOYING, 'hold', S.DEPLOY_HOLD, 85),
  t(S.DEPLOYWAIT, 'resume', S.DEPLOYING),
  t(S.DEPLOYWAIT, 'fail', S.DEPLOYFAIL),
  t(S.DEPLOYWAIT, 'delete', S.DELETING),
  t(S.DEPLOYWAIT, 'hold', S.DEPLOY_HOLD, 85),
  t(S.DEPLOYWAIT, 'abort', S.DEPLOYFAIL, 110),
  t(S.DEPLOY_HOLD, 'unhold', S.DEPLOYWAIT, 85),
  t(S.DEPLOY_HOLD, 'abort', S.DEPLOYFAIL, 85),
  t(S.DEPLOYFAIL, 'rebuild', S.DEPLOYING),
  t(S.DEPLOYFAIL, 'deploy', S.DEPLOYING),
  t(S.DEPLOYFAIL, 'delete', S.DELETING),
  // Active: an instance runs.
  t(S.ACTIVE, 'rebuild', S.DEPLOYING),
  t(S.ACTIVE, 'delete', S.DELETING),
  t(S.ACTIVE, 'rescue', S.RESCUING),
  t(S.ACTIVE, 'service', S.SERVICING, 87),
  // Tear down goes on into automated cleaning.
  t(S.DELETING, 'clean', S.CLEANING),
  t(S.DELETING, 'fail', S.ERROR),
  t(S.ERROR, 'rebuild', S.DEPLOYING),
  t(S.ERROR, 'delete', S.DELETING),
  // Adoption: take over an already-running instance without deploying it.
  t(S.ADOPTING, 'done', S.ACTIVE),
  t(S.ADOPTING, 'fail', S.ADOPTFAIL),
  t(S.ADOPTFAIL, 'adopt', S.ADOPTING),
  t(S.ADOPTFAIL, 'manage', S.MANAGEABLE),
  // Rescue.
  t(S.RESCUING, 'done', S.RESCUE),
  t(S.RESCUING, 'wait', S.RESCUEWAIT),
  t(S.RESCUING, 'fail', S.RESCUEFAIL),
  t(S.RESCUEWAIT, 'resume', S.RESCUING),
  t(S.RESCUEWAIT, 'fail', S.RESCUEFAIL),
  t(S.RESCUEWAIT, 'abort', S.RESCUEFAIL),
  t(S.RESCUEWAIT, 'delete', S.DELETING),
  t(S.RESCUE, 'rescue', S.RESCUING),
  t(S.RESCUE, 'unrescue', S.UNRESCUING),
  t(S.RESCUE, 'delete', S.DELETING),
  t(S.RESCUEFAIL, 'rescue', S.RESCUING),
  t(S.RESCUEFAIL, 'unrescue', S.UNRESCUING),
  t(S.RESCUEFAIL, 'delete', S.DELETING),
  t(S.UNRESCUING, 'done', S.ACTIVE),
  t(S.UNRESCUING, 'fail', S.UNRESCUEFAIL),
  t(S.UNRESCUEFAIL, 'rescue', S.RESCUING),
  t(S.UNRESCUEFAIL, 'unrescue', S.UNRESCUING),
  t(S.UNRESCUEFAIL, 'delete', S.DELETING),
  // Servicing an active node (Ironic 2023.2+, API 1.87).
  t(S.SERVICING, 'done', S.ACTIVE, 87),
  t(S.SERVICING, 'fail', S.SERVICE_FAILED, 87),
  t(S.SERVICING, 'wait', S.SERVICE_WAIT, 87),
  t(S.SERVICING, 'hold', S.SERVICE_HOLD, 87),
  t(S.SERVICE_WAIT, 'resume', S.SERVICING, 87),
  t(S.SERVICE_WAIT, 'fail', S.SERVICE_FAILED, 87),
  t(S.SERVICE_WAIT, 'abort', S.SERVICE_FAILED, 87),
  t(S.SERVICE_WAIT, 'hold', S.SERVICE_HOLD, 87),
  t(S.SERVICE_WAIT, 'delete', S.DELETING, 87),
  t(S.SERVICE_HOLD, 'service', S.SERVICING, 87),
  t(S.SERVICE_HOLD, 'unhold', S.SERVICE_WAIT, 87),
  t(S.SERVICE_HOLD, 'fail', S.SERVICE_FAILED, 87),
  t(S.SERVICE_HOLD, 'abort', S.SERVICE_FAILED, 87),
  t(S.SERVICE_FAILED, 'service', S.SERVICING, 87),
  t(S.SERVICE_FAILED, 'rescue', S.RESCUING, 87),
  t(S.SERVICE_FAILED, 'abort', S.ACTIVE, 87),
  t(S.SERVICE_FAILED, 'wait', S.SERVICE_WAIT, 87),
  t(S.SERVICE_FAILED, 'hold', S.SERVICE_HOLD, 87),
  t(S.SERVICE_FAILED, 'delete', S.DELETING, 87),
];

const INDEX = new Map<string, Transition>(TRANSITIONS.map((e) => [`${e.from}\u0000${e.event}`, e]));

/**
 * The state `event` leads to from `from`, or null when the table has no such edge.
 * `maxVersion` (the highest API the server speaks) hides edges newer than it.
 */
export function nextState(from: ProvisionState, event: FsmEvent, maxVersion = Infinity): ProvisionState | null {
  const edge = INDEX.get(`${from}\u0000${event}`);
  if (!edge || (edge.minVersion !== undefined && edge.minVersion > maxVersion)) return null;
  return edge.to;
}

/** The target_provision_state to show while resting in `state` (null in stable states). */
export function targetOf(state: ProvisionState): ProvisionState | null {
  return STATES[state].target;
}

/** States whose node may be updated (PATCH) while a target is set (Ironic's UPDATE_ALLOWED_STATES, 21.4). */
export const UPDATE_ALLOWED_STATES: ReadonlySet<ProvisionState> = new Set([
  S.DEPLOYFAIL, S.INSPECTING, S.INSPECT_FAILED, S.INSPECT_WAIT, S.CLEAN_FAILED, S.ERROR,
  S.VERIFYING, S.ADOPTFAIL, S.RESCUEFAIL, S.UNRESCUEFAIL,
]);

/** States in which the node may be deleted (outside maintenance). */
export const DELETE_ALLOWED_STATES: ReadonlySet<ProvisionState> = new Set([
  S.MANAGEABLE, S.ENROLL, S.ADOPTFAIL, S.AVAILABLE,
]);

/** Transient states that a conductor crash leaves behind; they are failed on takeover. */
export const CRASH_FAIL_STATES: ReadonlySet<ProvisionState> = new Set([
  S.DEPLOYING, S.CLEANING, S.VERIFYING, S.INSPECTING, S.ADOPTING, S.RESCUING, S.UNRESCUING, S.DELETING,
]);

/** States in which the ramdisk may look itself up (21.4, without fast track). */
export const LOOKUP_ALLOWED_STATES: ReadonlySet<ProvisionState> = new Set([
  S.DEPLOYING, S.DEPLOYWAIT, S.CLEANING, S.CLEAN_WAIT, S.INSPECTING, S.INSPECT_WAIT, S.RESCUING, S.RESCUEWAIT,
]);
