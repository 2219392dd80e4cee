/**
 * Provision and power state vocabulary, exactly Ironic's wire strings.
 *
 * NOTE: values are the strings the REST API emits; never translate them.
 */

/** Every provision state Ingot knows (Ironic master's 30; 21.4 reaches 24 of them). */
export const ProvisionState = {
  /** Node registered, driver not yet verified. Stable. */
  ENROLL: 'enroll',
  /** Conductor checks that the driver can reach the BMC (manage from enroll). */
  VERIFYING: 'verifying',
  /** Under operator control; can be inspected, cleaned, adopted. Stable. */
  MANAGEABLE: 'manageable',
  INSPECTING: 'inspecting',
  /** Waiting for the ramdisk/inspector to report. */
  INSPECT_WAIT: 'inspect wait',
  INSPECT_FAILED: 'inspect failed',
  CLEANING: 'cleaning',
  /** Waiting for the agent to run a clean step. */
  CLEAN_WAIT: 'clean wait',
  CLEAN_HOLD: 'clean hold',
  CLEAN_FAILED: 'clean failed',
  /** Ready to be deployed. Stable. Shown as null below API 1.2. */
  AVAILABLE: 'available',
  DEPLOYING: 'deploying',
  /** Waiting for the agent to call back during deploy. */
  DEPLOYWAIT: 'wait call-back',
  DEPLOY_HOLD: 'deploy hold',
  DEPLOYFAIL: 'deploy failed',
  /** Instance deployed. Stable. */
  ACTIVE: 'active',
  /** Tearing down an instance. */
  DELETING: 'deleting',
  /** Tear down failed. Stable. */
  ERROR: 'error',
  ADOPTING: 'adopting',
  ADOPTFAIL: 'adopt failed',
  RESCUING: 'rescuing',
  RESCUEWAIT: 'rescue wait',
  /** Rescue ramdisk running. Stable. */
  RESCUE: 'rescue',
  RESCUEFAIL: 'rescue failed',
  UNRESCUING: 'unrescuing',
  UNRESCUEFAIL: 'unrescue failed',
  SERVICING: 'servicing',
  SERVICE_WAIT: 'service wait',
  SERVICE_HOLD: 'service hold',
  SERVICE_FAILED: 'service failed',
} as const;
export type ProvisionState = (typeof ProvisionState)[keyof typeof ProvisionState];

/** Pseudo-target used while tearing down: `target_provision_state` during `deleting` is `available`. */
export const ALL_PROVISION_STATES: readonly ProvisionState[] = Object.values(ProvisionState);

export const PowerState = {
  ON: 'power on',
  OFF: 'power off',
  REBOOT: 'rebooting',
  SOFT_REBOOT: 'soft rebooting',
  SOFT_OFF: 'soft power off',
  /** Power state could not be read (driver error). */
  ERROR: 'error',
} as const;
export type PowerState = (typeof PowerState)[keyof typeof PowerState];

/** Targets accepted by PUT /states/power. */
export const POWER_TARGETS: readonly string[] = [
  PowerState.ON, PowerState.OFF, PowerState.REBOOT, PowerState.SOFT_REBOOT, PowerState.SOFT_OFF,
];

/** Node `fault` values Ironic 21.4 knows (master adds `service failure`). */
export const Fault = {
  POWER_FAILURE: 'power failure',
  CLEAN_FAILURE: 'clean failure',
  RESCUE_ABORT_FAILURE: 'rescue abort failure',
} as const;
export type Fault = (typeof Fault)[keyof typeof Fault];
export const ALL_FAULTS: readonly string[] = Object.values(Fault);
