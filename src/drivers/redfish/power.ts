/**
 * `redfish` power interface (Ironic's RedfishPower), over ComputerSystem.Reset.
 *
 * - getPowerState: the system's PowerState (On/PoweringOn → power on, Off/PoweringOff →
 *   power off); any other value is reported as null, as Ironic returns None. The declared
 *   type is string; the conductor must store null as null.
 * - setPowerState: `power on`, `power off`, `soft power off`, `rebooting`,
 *   `soft rebooting`; resolves once the resulting state is read back (timeouts: the given
 *   one, else 60 s, or 600 s for soft actions — Ironic's defaults). See power-ops.ts for
 *   the ResetType chosen and the fallbacks when the BMC lacks a graceful action.
 * - getSupportedPowerStates: what the BMC's ResetType AllowableValues make reachable
 *   (Ironic lists all five whatever the BMC offers; we do not promise what cannot work).
 * - Errors name the action, e.g. "Setting power state to power on failed for node X:
 *   Redfish BMC at https://…: connection refused — check redfish_address …".
 */
import { InvalidError } from '../../core/errors.ts';
import { PowerState } from '../../core/states.ts';
import type { DriverContext, PowerInterface } from '../base.ts';
import { RedfishBase } from './common.ts';
import {
  hardReboot, ironicPowerState, powerOff, powerOn, softPowerOff, softReboot, supportedPowerStates,
} from './power-ops.ts';

const SETTABLE: readonly string[] = [PowerState.ON, PowerState.OFF, PowerState.SOFT_OFF, PowerState.REBOOT, PowerState.SOFT_REBOOT];
const SOFT: readonly string[] = [PowerState.SOFT_OFF, PowerState.SOFT_REBOOT];

export class RedfishPower extends RedfishBase implements PowerInterface {
  /** Ironic power state, or null (at runtime) when the BMC reports something else. */
  async getPowerState(ctx: DriverContext): Promise<string> {
    return this.redfish(ctx, 'Getting the power state', async (s) => ironicPowerState(s.system.powerState) as string);
  }

  async setPowerState(ctx: DriverContext, target: string, timeoutS?: number): Promise<void> {
    if (!SETTABLE.includes(target)) throw new InvalidError(`set_power_state called with an invalid power state: ${target}.`);
    const t = timeoutS ?? (SOFT.includes(target) ? this.connections.timings.softPowerTimeoutS : this.connections.timings.powerTimeoutS);
    await this.redfish(ctx, `Setting power state to ${target}`, async (s) => {
      switch (target) {
        case PowerState.ON: return powerOn(s, t);
        case PowerState.OFF: return powerOff(s, t);
        case PowerState.SOFT_OFF: return softPowerOff(s, t);
        case PowerState.REBOOT: return hardReboot(s, t);
        default: return softReboot(s, t);
      }
    });
  }

  async reboot(ctx: DriverContext, soft: boolean, timeoutS?: number): Promise<void> {
    const t = timeoutS ?? (soft ? this.connections.timings.softPowerTimeoutS : this.connections.timings.powerTimeoutS);
    await this.redfish(ctx, soft ? 'Soft reboot' : 'Reboot', (s) => (soft ? softReboot(s, t) : hardReboot(s, t)));
  }

  async getSupportedPowerStates(ctx: DriverContext): Promise<string[]> {
    return this.redfish(ctx, 'Getting the supported power states', (s) => supportedPowerStates(s));
  }
}
