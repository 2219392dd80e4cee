/**
 * `redfish` management interface (Ironic's RedfishManagement).
 *
 * - Boot devices pxe/disk/cdrom/bios ↔ Pxe/Hdd/Cd/BiosSetup; supported = those the BMC's
 *   BootSourceOverrideTarget AllowableValues list (all four when it says nothing).
 *   Reading back: another target is null; Continuous → persistent, Once → not, else null.
 * - Boot mode uefi/bios ↔ BootSourceOverrideMode UEFI/Legacy; a BMC that refuses and
 *   shows no mode gets Ironic's UnsupportedDriverExtension text. Setting it records
 *   node.boot_mode (ctx.setNodeFields).
 * - Secure boot through the SecureBoot resource (UnsupportedDriverExtension when absent;
 *   "Configuring secure boot requires UEFI" in Legacy mode); records node.secure_boot.
 * - NMI (ResetType Nmi); indicators: the system's and its chassis' IndicatorLED, keyed by
 *   their UUIDs, states blinking/off/on (Lit/Off/Blinking; anything else reads unknown).
 * - Steps (clean and deploy, priority 0): reset_secure_boot_keys_to_default,
 *   clear_secure_boot_keys. Not implemented: update_firmware, sensors data.
 * - detectVendor: the system's Manufacturer (Ironic stores it as properties.vendor at
 *   verify; the conductor may call this).
 */
import { DriverError, InvalidError } from '../../core/errors.ts';
import type { Json } from '../../core/node.ts';
import type { BootDeviceInfo, DriverContext, ManagementInterface, StepDef, StepOutcome } from '../base.ts';
import { unsupportedExtension } from '../noop/unsupported.ts';
import {
  getEthernetInterfaces, getOptional, getSecureBoot, resetSecureBootKeys, setBootOverride, setSecureBoot, type SecureBoot,
} from './client/index.ts';
import {
  BOOT_MODE_TO_REDFISH, REDFISH_TO_BOOT_DEVICE, REDFISH_TO_BOOT_MODE, setBootDevice, supportedBootDevices,
} from './boot-device.ts';
import type { RedfishSession } from './connection.ts';
import { RedfishBase, runStep, strOf as str } from './common.ts';
import { injectNmi } from './power-ops.ts';
import { enabledMacs } from './inspect.ts';

type Indicators = Record<string, Record<string, { readonly: boolean; states: string[] }>>;
const INDICATOR_STATES = ['blinking', 'off', 'on'];
const LED_TO_STATE: Readonly<Record<string, string>> = { Lit: 'on', Off: 'off', Blinking: 'blinking', Unknown: 'unknown' };
const STATE_TO_LED: Readonly<Record<string, string>> = { on: 'Lit', off: 'Off', blinking: 'Blinking' };
const KEY_STEP = { cleanPriority: 0, deployPriority: 0, abortable: false, requiresRamdisk: true } as const;

/** An LED-bearing resource: the system or one of its chassis. */
interface Led { component: 'system' | 'chassis'; id: string; uri: string; led: string }

export class RedfishManagement extends RedfishBase implements ManagementInterface {
  readonly steps: readonly StepDef[] = [
    { step: 'clear_secure_boot_keys', ...KEY_STEP },
    { step: 'reset_secure_boot_keys_to_default', ...KEY_STEP },
  ];

  async executeStep(ctx: DriverContext, step: string, args: Json): Promise<StepOutcome> {
    return runStep('management', {
      clear_secure_boot_keys: (c) => this.resetKeys(c, 'DeleteAllKeys'),
      reset_secure_boot_keys_to_default: (c) => this.resetKeys(c, 'ResetAllKeysToDefault'),
    }, ctx, step, args);
  }

  async getSupportedBootDevices(ctx: DriverContext): Promise<string[]> {
    return this.redfish(ctx, 'Getting the supported boot devices', async (s) => supportedBootDevices(s));
  }

  async setBootDevice(ctx: DriverContext, device: string, persistent: boolean): Promise<void> {
    await this.redfish(ctx, 'Redfish set boot device', (s) => setBootDevice(s, device, persistent));
  }

  async getBootDevice(ctx: DriverContext): Promise<BootDeviceInfo> {
    return this.redfish(ctx, 'Getting the boot device', async (s) => {
      const b = s.system.boot;
      const persistent = b.enabled === 'Continuous' ? true : b.enabled === 'Once' ? false : null;
      return { boot_device: (b.target && REDFISH_TO_BOOT_DEVICE[b.target]) ?? null, persistent };
    });
  }

  async getMacAddresses(ctx: DriverContext): Promise<string[]> {
    return this.redfish(ctx, 'Getting the MAC addresses', async (s) => enabledMacs(s, await getEthernetInterfaces(s.client, s.system)));
  }

  async getBootMode(ctx: DriverContext): Promise<string | null> {
    return this.redfish(ctx, 'Getting the boot mode', async (s) => (s.system.boot.mode && REDFISH_TO_BOOT_MODE[s.system.boot.mode]) ?? null);
  }

  async setBootMode(ctx: DriverContext, mode: 'uefi' | 'bios'): Promise<void> {
    const target = BOOT_MODE_TO_REDFISH[mode];
    if (!target) throw new InvalidError(`Invalid boot mode ${String(mode)} specified.`);
    await this.redfish(ctx, `Setting boot mode to ${mode}`, async (s) => {
      try {
        await setBootOverride(s.client, s.system, { mode: target });
      } catch (err) {
        if (s.system.boot.mode === undefined) throw unsupportedExtension(ctx.node.driver, 'set_boot_mode');
        throw err;
      }
    });
    ctx.setNodeFields?.({ boot_mode: mode });
  }

  async getSecureBoot(ctx: DriverContext): Promise<boolean | null> {
    return this.redfish(ctx, 'Getting the secure boot state', async (s) => {
      const sb = await this.secureBoot(s, 'get_secure_boot_state');
      return sb.enabled ?? null;
    });
  }

  async setSecureBoot(ctx: DriverContext, enabled: boolean): Promise<void> {
    const changed = await this.redfish(ctx, `Setting secure boot to ${enabled ? 'True' : 'False'}`, async (s) => {
      const sb = await this.secureBoot(s, 'set_secure_boot_state');
      if (sb.enabled === enabled) return false;
      if (s.system.boot.mode === 'Legacy') {
        throw new DriverError(`Configuring secure boot requires UEFI for node ${ctx.node.uuid}`, { reason: 'secure_boot_needs_uefi' });
      }
      await setSecureBoot(s.client, sb, enabled);
      return true;
    });
    if (changed) ctx.setNodeFields?.({ secure_boot: enabled });
  }

  async injectNmi(ctx: DriverContext): Promise<void> {
    await this.redfish(ctx, 'Redfish inject NMI', (s) => injectNmi(s));
  }

  /** The system's Manufacturer, or null. */
  async detectVendor(ctx: DriverContext): Promise<string | null> {
    return this.redfish(ctx, 'Detecting the vendor', async (s) => s.system.manufacturer ?? null);
  }

  async getIndicators(ctx: DriverContext): Promise<Indicators> {
    return this.redfish(ctx, 'Getting the supported indicators', async (s) => {
      const out: Indicators = {};
      for (const l of await this.leds(s)) {
        (out[l.component] ??= {})[l.id] = { readonly: false, states: [...INDICATOR_STATES] };
      }
      return out;
    });
  }

  async getIndicatorState(ctx: DriverContext, component: string, indicator: string): Promise<string> {
    return this.redfish(ctx, `Redfish get ${component} indicator ${indicator} state`, async (s) => {
      const l = (await this.leds(s)).find((x) => x.component === component && x.id === indicator);
      if (!l) throw unknownIndicator(ctx, component, indicator);
      return LED_TO_STATE[l.led] ?? 'unknown';
    });
  }

  async setIndicatorState(ctx: DriverContext, component: string, indicator: string, state: string): Promise<void> {
    const led = STATE_TO_LED[state];
    if (!led) throw new InvalidError(`Invalid indicator state ${state} specified.`);
    await this.redfish(ctx, `Redfish set ${component} indicator ${indicator} state ${state}`, async (s) => {
      const l = (await this.leds(s)).find((x) => x.component === component && x.id === indicator);
      if (!l) throw unknownIndicator(ctx, component, indicator);
      await s.client.patch(l.uri, { IndicatorLED: led });
    });
  }

  private async secureBoot(s: RedfishSession, extension: string): Promise<SecureBoot> {
    const sb = await getSecureBoot(s.client, s.system);
    if (!sb) throw unsupportedExtension(s.ctx.node.driver, extension);
    return sb;
  }

  private async resetKeys(ctx: DriverContext, type: string): Promise<StepOutcome> {
    await this.redfish(ctx, 'Resetting secure boot keys', async (s) => {
      await resetSecureBootKeys(s.client, await this.secureBoot(s, 'reset_keys'), type);
    });
    return 'done';
  }

  /** The system's and its chassis' LEDs (resources without IndicatorLED are skipped). */
  private async leds(s: RedfishSession): Promise<Led[]> {
    const out: Led[] = [];
    for (const uri of s.system.links.chassis) {
      const ch = await getOptional(s.client, uri);
      const led = str(ch, 'IndicatorLED');
      if (led) out.push({ component: 'chassis', id: str(ch, 'UUID') || str(ch, 'Id') || uri, uri, led });
    }
    const sys = s.system;
    const led = str(sys.raw, 'IndicatorLED');
    if (led) out.push({ component: 'system', id: sys.uuid || sys.id || sys.uri, uri: sys.uri, led });
    return out;
  }
}

function unknownIndicator(ctx: DriverContext, component: string, indicator: string): InvalidError {
  return new InvalidError(`Unknown indicator ${indicator} for component ${component} of node ${ctx.node.uuid}`);
}
