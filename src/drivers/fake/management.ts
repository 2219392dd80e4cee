/**
 * Fake management (Ironic's FakeManagement).
 *
 * - Boot devices: only `pxe` is supported; setting anything else fails with Ironic's
 *   "Invalid boot device X specified."; the boot device always reads back as
 *   `{boot_device: 'pxe', persistent: false}` (nothing is stored).
 * - Indicators: `led-0` on `chassis` (read-only, off/on) and `led` on `system`
 *   (blinking/off/on); every indicator reads `on`.
 * - Deliberately absent, as in Ironic's fake: boot mode, secure boot, NMI and
 *   setIndicatorState. The caller reports those as Ironic's UnsupportedDriverExtension
 *   ("Driver <driver> does not support <method> (disabled or not implemented)."), see
 *   `unsupportedExtension` in noop/unsupported.ts; method names: get_boot_mode,
 *   set_boot_mode, get_secure_boot_state, set_secure_boot_state, inject_nmi,
 *   set_indicator_state.
 */
import { InvalidError } from '../../core/errors.ts';
import type { BootDeviceInfo, DriverContext, ManagementInterface } from '../base.ts';
import { FakeBase } from './common.ts';

type Indicators = Record<string, Record<string, { readonly: boolean; states: string[] }>>;

function fakeIndicators(): Indicators {
  return {
    chassis: { 'led-0': { readonly: true, states: ['off', 'on'] } },
    system: { led: { readonly: false, states: ['blinking', 'off', 'on'] } },
  };
}

export class FakeManagement extends FakeBase implements ManagementInterface {
  async getSupportedBootDevices(_ctx: DriverContext): Promise<string[]> {
    return ['pxe'];
  }

  async setBootDevice(ctx: DriverContext, device: string, _persistent: boolean): Promise<void> {
    await this.pause(ctx, 'set_boot_device');
    if (!(await this.getSupportedBootDevices(ctx)).includes(device)) {
      throw new InvalidError(`Invalid boot device ${device} specified.`);
    }
  }

  async getBootDevice(ctx: DriverContext): Promise<BootDeviceInfo> {
    await this.pause(ctx, 'get_boot_device');
    return { boot_device: 'pxe', persistent: false };
  }

  async getIndicators(ctx: DriverContext): Promise<Indicators> {
    await this.pause(ctx, 'get_supported_indicators');
    return fakeIndicators();
  }

  /** Always `on` for a known indicator; unknown component/indicator: Ironic's texts. */
  async getIndicatorState(ctx: DriverContext, component: string, indicator: string): Promise<string> {
    await this.pause(ctx, 'get_indicator_state');
    const all = await this.getIndicators(ctx);
    const comp = Object.hasOwn(all, component) ? all[component] : undefined;
    if (!comp) throw new InvalidError(`Invalid component ${component} specified.`);
    if (!Object.hasOwn(comp, indicator)) throw new InvalidError(`Invalid indicator ${indicator} specified.`);
    return 'on';
  }
}
