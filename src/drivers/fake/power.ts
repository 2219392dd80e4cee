/**
 * Fake power (Ironic's FakePower): the node's power state IS its stored `power_state`.
 *
 * - getPowerState returns `ctx.node.power_state` unchanged, which is `null` for a node
 *   never powered: Ironic's fake returns None and the node keeps `power_state: null`
 *   through manage/verify and power syncs. The declared type is `string` (base.ts); the
 *   conductor must store null as null, not treat it as an error.
 * - setPowerState accepts `power on`, `power off`, `soft rebooting`, `soft power off`
 *   (anything else: Ironic's InvalidParameterValue text) and changes nothing itself: the
 *   conductor persists the resulting state, as Ironic's conductor does after the call.
 * - reboot does nothing (the conductor records `power on`).
 */
import { InvalidError } from '../../core/errors.ts';
import { PowerState } from '../../core/states.ts';
import type { DriverContext, PowerInterface } from '../base.ts';
import { FakeBase } from './common.ts';

const SETTABLE: readonly string[] = [PowerState.ON, PowerState.OFF, PowerState.SOFT_REBOOT, PowerState.SOFT_OFF];

export class FakePower extends FakeBase implements PowerInterface {
  /** May resolve `null` at runtime (never-powered node), exactly like Ironic's fake. */
  async getPowerState(ctx: DriverContext): Promise<string> {
    await this.pause(ctx, 'get_power_state');
    return ctx.node.power_state as string;
  }

  async setPowerState(ctx: DriverContext, target: string, _timeoutS?: number): Promise<void> {
    await this.pause(ctx, 'set_power_state');
    if (!SETTABLE.includes(target)) {
      throw new InvalidError(`set_power_state called with an invalid power state: ${target}.`);
    }
  }

  async reboot(ctx: DriverContext, _soft: boolean, _timeoutS?: number): Promise<void> {
    await this.pause(ctx, 'reboot');
  }

  async getSupportedPowerStates(_ctx: DriverContext): Promise<string[]> {
    return [PowerState.ON, PowerState.OFF, PowerState.REBOOT, PowerState.SOFT_REBOOT, PowerState.SOFT_OFF];
  }
}
