/**
 * Power actions over ComputerSystem.Reset, shared by the power interface and by the
 * interfaces that need a reboot (BIOS apply, RAID OnReset, virtual media boot).
 *
 * Rules:
 * - PowerState On/PoweringOn read as `power on`, Off/PoweringOff as `power off`
 *   (Ironic's map); anything else is unknown (null).
 * - The ResetType used is the first of a preference list that the BMC allows (inline
 *   AllowableValues or ActionInfo; when it says nothing, the first is used):
 *   on: On, ForceOn, PushPowerButton · off: ForceOff · soft off: GracefulShutdown, then
 *   PushPowerButton (the ACPI power button asks the OS to shut down) · soft reboot:
 *   GracefulRestart, else soft off + on · nmi: Nmi.
 * - A hard reboot is Ironic's: power off (if on), restore the boot device, power on.
 * - Every action waits until the wanted state is read back, polling with backoff, and
 *   fails with a DriverError naming the state still reported when the timeout passes.
 * - Before powering on, a one-time boot device standing in for a persistent one is
 *   re-applied (boot-device.ts).
 */
import { DriverError, InvalidError } from '../../core/errors.ts';
import { PowerState } from '../../core/states.ts';
import { getResetTypes, resetSystem } from './client/index.ts';
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

async function requireReset(s: RedfishSession, kind: ResetKind, wanted: string): Promise<string> {
  const allowed = await allowedResetTypes(s);
  const type = pickResetType(kind, allowed);
  if (!type) {
    throw new InvalidError(`The Redfish BMC of node ${s.ctx.node.uuid} cannot ${wanted}: it offers ResetType ${(allowed ?? []).join(', ') || '(none)'}.`);
  }
  return type;
}

/** Wait until the node reads `want`; DriverError naming the last state seen on timeout. */
export async function waitForPowerState(s: RedfishSession, want: string, timeoutS: number): Promise<void> {
  let last: string | null = null;
  const ok = await pollUntil(s, timeoutS, `Waiting for ${want}`, async () => {
    last = await readPowerState(s);
    return last === want ? true : undefined;
  });
  if (!ok) {
    throw new DriverError(`Failed to set node power state to ${want}: node ${s.ctx.node.uuid} still reports `
      + `${last ?? 'an unknown power state'} after ${timeoutS} s (Redfish BMC at ${s.info.address}).`,
    { reason: 'power_timeout', retryable: true });
  }
}

async function reset(s: RedfishSession, type: string): Promise<void> {
  s.ctx.logger.debug({ node: s.ctx.node.uuid, resetType: type }, 'Redfish ComputerSystem.Reset');
  await resetSystem(s.client, s.system, type);
}

/** Power on (restoring a one-time boot device first) and wait. No-op when already on. */
export async function powerOn(s: RedfishSession, timeoutS: number): Promise<void> {
  if (ironicPowerState(s.system.powerState) === ON) return;
  await restoreBootDevice(s);
  await reset(s, await requireReset(s, 'on', 'power on'));
  await waitForPowerState(s, ON, timeoutS);
}

/** Hard power off and wait. No-op when already off. */
export async function powerOff(s: RedfishSession, timeoutS: number): Promise<void> {
  if (ironicPowerState(s.system.powerState) === OFF) return;
  await reset(s, await requireReset(s, 'off', 'power off'));
  await waitForPowerState(s, OFF, timeoutS);
}

/** Graceful power off (GracefulShutdown, else PushPowerButton) and wait. No-op when off. */
export async function softPowerOff(s: RedfishSession, timeoutS: number): Promise<void> {
  const type = await requireReset(s, 'soft-off', 'soft power off');
  if (ironicPowerState(s.system.powerState) === OFF) return;
  if (type !== 'GracefulShutdown') {
    s.ctx.logger.info({ node: s.ctx.node.uuid, resetType: type }, 'BMC lacks GracefulShutdown; soft power off via the power button');
  }
  await reset(s, type);
  await waitForPowerState(s, OFF, timeoutS);
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
  await reset(s, type);
  await waitForPowerState(s, ON, timeoutS);
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
    await reset(s, graceful);
    await waitForPowerState(s, ON, timeoutS);
    return;
  }
  s.ctx.logger.info({ node: s.ctx.node.uuid }, 'BMC lacks GracefulRestart; soft reboot as soft power off + power on');
  await softPowerOff(s, timeoutS);
  await s.refresh();
  await powerOn(s, timeoutS);
}

/** Inject a non-maskable interrupt (ResetType Nmi). */
export async function injectNmi(s: RedfishSession): Promise<void> {
  await reset(s, await requireReset(s, 'nmi', 'inject an NMI'));
}
