/**
 * Power actions over ComputerSystem.Reset, shared by the power interface and by the
 * interfaces that need a reboot (BIOS apply, RAID OnReset, virtual media boot).
 *
 * Rules:
 * - PowerState On/PoweringOn read as `power on`, Off/PoweringOff as `power off`
 *   (Ironic's map, for getPowerState); anything else is unknown (null).
 * - An action is done only when the BMC reports the settled state (`On`/`Off`), never while
 *   it reports PoweringOn/PoweringOff: BMCs such as iDRAC take seconds to change power.
 * - The ResetType used is the first of a preference list that the BMC allows (inline
 *   AllowableValues or ActionInfo; when it says nothing, the first is used):
 *   on: On, ForceOn, PushPowerButton · off: ForceOff · soft off: GracefulShutdown, then
 *   PushPowerButton (the ACPI power button asks the OS to shut down) · soft reboot:
 *   GracefulRestart, else soft off + on · nmi: Nmi.
 * - A hard reboot is Ironic's: power off (if on), restore the boot device, power on.
 * - Every action has one deadline (`timeoutS`, Ironic's power_state_change_timeout): it waits
 *   until the wanted state is read back, polling with backoff, and fails with a DriverError
 *   naming the state the BMC still reports when the deadline passes.
 * - A reset the BMC refuses because the system is in transition (409, iLO's
 *   InvalidOperationForSystemState, iDRAC's SYS518 "busy") is sent again until the deadline;
 *   when the BMC already reports (or heads for) the wanted state, the reset is not needed.
 * - Before powering on, a one-time boot device standing in for a persistent one is
 *   re-applied (boot-device.ts).
 */
import { DriverError, InvalidError } from '../../core/errors.ts';
import { PowerState } from '../../core/states.ts';
import { getResetTypes, RedfishError, resetSystem } from './client/index.ts';
import { restoreBootDevice } from './boot-device.ts';
import type { RedfishSession } from './connection.ts';
import { pollUntil } from './common.ts';

const ON = PowerState.ON;
const OFF = PowerState.OFF;

/** Redfish PowerState → Ironic power state (null = unknown). */
export function ironicPowerState(redfish: string | undefined): string | null {
  if (redfish === 'On' || redfish === 'PoweringOn') return ON;
  if (redfish === 'Off' || redfish === 'PoweringOff') return OFF;
  return null;
}

export type ResetKind = 'on' | 'off' | 'soft-off' | 'restart' | 'soft-restart' | 'nmi';

const PREFERENCES: Readonly<Record<ResetKind, readonly string[]>> = {
  'on': ['On', 'ForceOn', 'PushPowerButton'],
  'off': ['ForceOff'],
  'soft-off': ['GracefulShutdown', 'PushPowerButton'],
  'restart': ['ForceRestart', 'PowerCycle'],
  'soft-restart': ['GracefulRestart'],
  'nmi': ['Nmi'],
};

/** ResetType values the BMC allows; undefined when it does not say. */
export function allowedResetTypes(s: RedfishSession): Promise<string[] | undefined> {
  return getResetTypes(s.client, s.system);
}

/** The ResetType to use for `kind`, or undefined when the BMC offers none. */
export function pickResetType(kind: ResetKind, allowed: readonly string[] | undefined): string | undefined {
  const prefs = PREFERENCES[kind];
  if (allowed === undefined) return prefs[0];
  const lower = allowed.map((a) => a.toLowerCase());
  return prefs.find((p) => lower.includes(p.toLowerCase()));
}

/** Ironic power states this BMC can reach, from its ResetType AllowableValues. */
export async function supportedPowerStates(s: RedfishSession): Promise<string[]> {
  const allowed = await allowedResetTypes(s);
  const can = (k: ResetKind): boolean => pickResetType(k, allowed) !== undefined;
  const out: string[] = [];
  if (can('on')) out.push(ON);
  if (can('off')) out.push(OFF);
  if ((can('off') && can('on')) || can('restart')) out.push(PowerState.REBOOT);
  if (can('soft-restart') || (can('soft-off') && can('on'))) out.push(PowerState.SOFT_REBOOT);
  if (can('soft-off')) out.push(PowerState.SOFT_OFF);
  return out;
}

/** Current Ironic power state, read fresh from the BMC. */
export async function readPowerState(s: RedfishSession): Promise<string | null> {
  return ironicPowerState((await s.refresh()).powerState);
}

/** The settled Redfish PowerState of an Ironic target (`power on` → On). */
const SETTLED: Readonly<Record<string, string>> = { [ON]: 'On', [OFF]: 'Off' };
/** The transition that leads to it (`power on` → PoweringOn). */
const HEADING: Readonly<Record<string, string>> = { [ON]: 'PoweringOn', [OFF]: 'PoweringOff' };

/** One deadline for a whole action: the retried reset and the wait for the state. */
interface Deadline { at: number; timeoutS: number }

function deadline(timeoutS: number): Deadline {
  return { at: Date.now() + timeoutS * 1000, timeoutS };
}

function secondsLeft(d: Deadline): number {
  return Math.max(0, (d.at - Date.now()) / 1000);
}

async function requireReset(s: RedfishSession, kind: ResetKind, wanted: string): Promise<string> {
  const allowed = await allowedResetTypes(s);
  const type = pickResetType(kind, allowed);
  if (!type) {
    throw new InvalidError(`The Redfish BMC of node ${s.ctx.node.uuid} cannot ${wanted}: it offers ResetType ${(allowed ?? []).join(', ') || '(none)'}.`);
  }
  return type;
}

function timedOut(s: RedfishSession, want: string, d: Deadline, reported: string | undefined, refusal = ''): DriverError {
  return new DriverError(`Node ${s.ctx.node.uuid} did not reach power state ${want} within ${d.timeoutS} s; `
    + `the BMC reports ${reported ?? 'no PowerState'}${refusal} (Redfish BMC at ${s.info.address}).`,
  { reason: 'power_timeout', retryable: true });
}

/** Wait until the BMC reports the settled state of `want`; DriverError naming what it reports on timeout. */
async function waitSettled(s: RedfishSession, want: string, d: Deadline): Promise<void> {
  let last: string | undefined;
  const ok = await pollUntil(s, secondsLeft(d), `Waiting for ${want}`, async () => {
    last = (await s.refresh()).powerState;
    return last === SETTLED[want] ? true : undefined;
  });
  if (!ok) throw timedOut(s, want, d, last);
}

/** Wait until the node reads `want` (the settled On/Off), within `timeoutS`. */
export async function waitForPowerState(s: RedfishSession, want: string, timeoutS: number): Promise<void> {
  await waitSettled(s, want, deadline(timeoutS));
}

/** A refusal that means "not now": the system is changing power or the BMC is busy with it. */
function inTransitionRefusal(e: unknown): e is RedfishError {
  if (!(e instanceof RedfishError)) return false;
  return e.status === 409 || e.mentions('InvalidOperationForSystemState') || e.mentions('SYS518');
}

/**
 * Sends the reset; while the BMC refuses it as "in transition", re-reads the system and sends
 * it again until the deadline. `satisfied` (given for on/off, not for restarts) ends the
 * retries when the BMC already reports, or heads for, the wanted state.
 */
async function reset(s: RedfishSession, type: string, want: string, d: Deadline, satisfied?: (state: string | undefined) => boolean): Promise<void> {
  let refusal: RedfishError | undefined;
  const sent = await pollUntil(s, secondsLeft(d), `Setting power state to ${want}`, async () => {
    s.ctx.logger.debug({ node: s.ctx.node.uuid, resetType: type }, 'Redfish ComputerSystem.Reset');
    try {
      await resetSystem(s.client, s.system, type);
      return true;
    } catch (e) {
      if (!inTransitionRefusal(e)) throw e;
      refusal = e;
      const state = (await s.refresh()).powerState;
      s.ctx.logger.info({ node: s.ctx.node.uuid, resetType: type, powerState: state, status: e.status },
        'BMC refused the reset while the system changes power; retrying');
      return satisfied?.(state) ? true : undefined;
    }
  });
  if (!sent) {
    const said = refusal && refusal.messages.length > 0 ? `: ${refusal.messages.join('; ')}` : '';
    throw timedOut(s, want, d, s.system.powerState, refusal ? ` (it refused ResetType ${type} with HTTP ${refusal.status}${said})` : '');
  }
}

/** True when the BMC reports `want` or a transition towards it. */
const reaching = (want: string) => (state: string | undefined): boolean => state === SETTLED[want] || state === HEADING[want];

async function powerOnBy(s: RedfishSession, d: Deadline): Promise<void> {
  const state = s.system.powerState;
  if (state === 'On') return;
  if (state !== 'PoweringOn') {
    await restoreBootDevice(s);
    await reset(s, await requireReset(s, 'on', 'power on'), ON, d, reaching(ON));
  }
  await waitSettled(s, ON, d);
}

async function powerOffBy(s: RedfishSession, kind: 'off' | 'soft-off', d: Deadline, type?: string): Promise<void> {
  const state = s.system.powerState;
  if (state === 'Off') return;
  if (state !== 'PoweringOff') {
    await reset(s, type ?? await requireReset(s, kind, kind === 'off' ? 'power off' : 'soft power off'), OFF, d, reaching(OFF));
  }
  await waitSettled(s, OFF, d);
}

/** Power on (restoring a one-time boot device first) and wait. No-op when already on. */
export async function powerOn(s: RedfishSession, timeoutS: number): Promise<void> {
  await powerOnBy(s, deadline(timeoutS));
}

/** Hard power off and wait. No-op when already off. */
export async function powerOff(s: RedfishSession, timeoutS: number): Promise<void> {
  await powerOffBy(s, 'off', deadline(timeoutS));
}

/** Graceful power off (GracefulShutdown, else PushPowerButton) and wait. No-op when off. */
export async function softPowerOff(s: RedfishSession, timeoutS: number): Promise<void> {
  const type = await requireReset(s, 'soft-off', 'soft power off');
  if (s.system.powerState === 'Off') return;
  if (type !== 'GracefulShutdown') {
    s.ctx.logger.info({ node: s.ctx.node.uuid, resetType: type }, 'BMC lacks GracefulShutdown; soft power off via the power button');
  }
  await powerOffBy(s, 'soft-off', deadline(timeoutS), type);
}

/** Ironic's hard reboot: off (when on), restore the boot device, on. */
export async function hardReboot(s: RedfishSession, timeoutS: number): Promise<void> {
  const allowed = await allowedResetTypes(s);
  if (pickResetType('off', allowed) && pickResetType('on', allowed)) {
    await powerOff(s, timeoutS);
    await s.refresh();
    await powerOn(s, timeoutS);
    return;
  }
  const type = pickResetType('restart', allowed);
  if (!type) throw new InvalidError(`The Redfish BMC of node ${s.ctx.node.uuid} cannot reboot: it offers ResetType ${(allowed ?? []).join(', ')}.`);
  await restoreBootDevice(s);
  const d = deadline(timeoutS);
  await reset(s, type, ON, d);
  await waitSettled(s, ON, d);
}

/** Soft reboot: GracefulRestart, else graceful off + on. An off node is just powered on. */
export async function softReboot(s: RedfishSession, timeoutS: number): Promise<void> {
  const allowed = await allowedResetTypes(s);
  const graceful = pickResetType('soft-restart', allowed);
  if (ironicPowerState(s.system.powerState) === OFF) {
    await powerOn(s, timeoutS);
    return;
  }
  if (graceful) {
    await restoreBootDevice(s);
    const d = deadline(timeoutS);
    await reset(s, graceful, ON, d);
    await waitSettled(s, ON, d);
    return;
  }
  s.ctx.logger.info({ node: s.ctx.node.uuid }, 'BMC lacks GracefulRestart; soft reboot as soft power off + power on');
  await softPowerOff(s, timeoutS);
  await s.refresh();
  await powerOn(s, timeoutS);
}

/** Inject a non-maskable interrupt (ResetType Nmi). */
export async function injectNmi(s: RedfishSession): Promise<void> {
  const type = await requireReset(s, 'nmi', 'inject an NMI');
  s.ctx.logger.debug({ node: s.ctx.node.uuid, resetType: type }, 'Redfish ComputerSystem.Reset');
  await resetSystem(s.client, s.system, type);
}
