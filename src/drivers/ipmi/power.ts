/**
 * `ipmitool` power interface (Ironic's IPMIPower).
 *
 * - getPowerState: `power status`; "Chassis Power is on/off" → power on/off, anything
 *   else → `error` (Ironic's states.ERROR). A BMC that cannot be reached throws
 *   "IPMI call failed: power status. …" within [ipmi] command_retry_timeout.
 * - setPowerState: `power on` (after ensure_next_boot_device), `power off`, `power soft`
 *   (soft power off), soft reboot = soft off then on; each then waits (polling power
 *   status, every call spaced by min_command_interval) for the state, up to the given
 *   timeout, else [conductor] power_state_change_timeout (60 s) or, for soft power off,
 *   soft_power_off_timeout (600 s). Not reached → "Failed to set node power state to …".
 *   `rebooting` is accepted too (Ironic's conductor calls reboot() for it).
 * - reboot: hard: power status, power off unless off, ensure_next_boot_device, power on.
 * - getSupportedPowerStates: the five states Ironic lists.
 */
import { DriverError, InvalidError } from '../../core/errors.ts';
import { PowerState as P } from '../../core/states.ts';
import type { DriverContext, PowerInterface } from '../base.ts';
import { ensureNextBootDevice } from './boot.ts';
import { IpmiBase } from './common.ts';
import { bmcLabel, type IpmiDriverInfo } from './driver-info.ts';

export class IpmiPower extends IpmiBase implements PowerInterface {
  async getPowerState(ctx: DriverContext): Promise<string> {
    return this.status(ctx, await this.info(ctx));
  }

  async setPowerState(ctx: DriverContext, target: string, timeoutS?: number): Promise<void> {
    const info = await this.info(ctx);
    switch (target) {
      case P.ON:
        await ensureNextBootDevice(this.tool, ctx, info);
        return this.setAndWait(ctx, info, 'on', P.ON, timeoutS);
      case P.OFF: return this.setAndWait(ctx, info, 'off', P.OFF, timeoutS);
      case P.SOFT_OFF: return this.setAndWait(ctx, info, 'soft', P.OFF, timeoutS ?? this.tool.options.softPowerTimeoutS);
      case P.SOFT_REBOOT: return this.reboot(ctx, true, timeoutS);
      case P.REBOOT: return this.reboot(ctx, false, timeoutS);
      default: throw new InvalidError(`set_power_state called with invalid power state ${target}.`);
    }
  }

  async reboot(ctx: DriverContext, soft: boolean, timeoutS?: number): Promise<void> {
    const info = await this.info(ctx);
    if (soft) {
      await this.setAndWait(ctx, info, 'soft', P.OFF, timeoutS ?? this.tool.options.softPowerTimeoutS);
    } else if (await this.status(ctx, info) !== P.OFF) {
      // Some BMCs fail "power off" on an off machine: ask first, as Ironic.
      await this.setAndWait(ctx, info, 'off', P.OFF, timeoutS);
    }
    await ensureNextBootDevice(this.tool, ctx, info);
    await this.setAndWait(ctx, info, 'on', P.ON, timeoutS);
  }

  async getSupportedPowerStates(_ctx: DriverContext): Promise<string[]> {
    return [P.ON, P.OFF, P.REBOOT, P.SOFT_REBOOT, P.SOFT_OFF];
  }

  private async status(ctx: DriverContext, info: IpmiDriverInfo): Promise<string> {
    const { stdout } = await this.tool.exec(ctx, info, 'power status');
    if (stdout === 'Chassis Power is on\n') return P.ON;
    if (stdout === 'Chassis Power is off\n') return P.OFF;
    return P.ERROR;
  }

  /** Ironic's _set_and_wait: one `power <cmd>`, then poll power status until `target`. */
  private async setAndWait(ctx: DriverContext, info: IpmiDriverInfo, cmd: string, target: string, timeoutS?: number): Promise<void> {
    await this.tool.exec(ctx, info, `power ${cmd}`);
    const limit = timeoutS ?? this.tool.options.powerTimeoutS;
    const end = Date.now() + limit * 1000;
    let last = '';
    for (;;) {
      last = await this.status(ctx, info);
      if (last === target) return;
      if (Date.now() >= end || ctx.signal.aborted) break;
      // The per-BMC interval spaces the polls; this only avoids spinning when it is 0.
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new DriverError(`Failed to set node power state to ${target}. The BMC at ${bmcLabel(info)} still reports '${last}' `
      + `${limit} s after 'power ${cmd}'.`, { reason: 'power_state_failure' });
  }
}
