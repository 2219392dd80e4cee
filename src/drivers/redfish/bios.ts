/**
 * `redfish` BIOS interface (Ironic's RedfishBIOS).
 *
 * cacheSettings: the Bios resource's Attributes as settings (values as Ironic shows them:
 * strings, numbers as digits, booleans '1'/'0'), each with its AttributeRegistry
 * facts when the BMC publishes a registry (attribute_type, allowable_values (ValueName,
 * else ValueDisplayName), lower/upper_bound, min/max_length, read_only, reset_required,
 * unique; null when absent). A BMC without a Bios resource: Ironic's
 * "Cannot fetch BIOS attributes for node X, BIOS settings are not supported." (Invalid).
 * A registry that cannot be read is logged and ignored, as in Ironic.
 *
 * Steps (clean and deploy, priority 0, not abortable), like Ironic's two-phase steps but
 * run to completion in one call:
 * - apply_configuration {settings: [{name, value}]}: PATCH the attributes to the settings
 *   object (ApplyTime OnReset when supported), record post_config_reboot_requested and
 *   requested_bios_attrs in driver_internal_info, reboot the node (settings are pending
 *   until the host restarts), then poll the Bios until every requested attribute shows
 *   the requested value (compared as strings; string values are first converted to the
 *   registry's Integer/Boolean type when there is one) or fail with Ironic's "Attributes
 *   {...} are not updated". Re-entered with the flags set (conductor restart), it only
 *   verifies. The flags are cleared (set to null) and the settings cached at the end.
 * - factory_reset: Bios.ResetBios, reboot, cache.
 * Ironic's redfish BIOS has no cache_bios_settings step (only the fake has one).
 */
import { DriverError, InvalidError } from '../../core/errors.ts';
import type { Json } from '../../core/node.ts';
import type { BiosInterface, BiosSetting, DriverContext, StepDef, StepOutcome } from '../base.ts';
import { pyRepr } from '../shared/py-repr.ts';
import { findRegistryFile, getBios, getOptional, setBiosAttributes, resetBios, type Bios } from './client/index.ts';
import type { RedfishSession } from './connection.ts';
import { pollUntil, RedfishBase, runStep } from './common.ts';
import { hardReboot } from './power-ops.ts';

const STEP = { cleanPriority: 0, deployPriority: 0, abortable: false, requiresRamdisk: true } as const;

/**
 * How Ironic shows a cached BIOS value: it hands the raw JSON value to a Text column, so
 * numbers read back as their digits and booleans as '1'/'0' (observed on the reference
 * Ironic with sqlite: a lab attribute `false` is listed as "0").
 */
export function biosValue(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean') return v ? '1' : '0';
  if (typeof v === 'number') return String(v);
  return JSON.stringify(v);
}

type RegistryEntry = Record<string, unknown>;

/** Whether a read-back value equals the requested one (as strings, booleans also as 1/0/true/false). */
function sameValue(requested: unknown, current: unknown): boolean {
  const norm = (v: unknown): string | null => {
    const s = biosValue(v);
    if (s === null) return null;
    const l = s.toLowerCase();
    return l === 'true' ? '1' : l === 'false' ? '0' : s;
  };
  return norm(requested) === norm(current);
}

/**
 * A requested value in the JSON type the registry declares (Ingot shows cached values as
 * strings, so "4" for an Integer or "True" for a Boolean would otherwise be refused).
 */
function typedValue(value: unknown, e: RegistryEntry | undefined): unknown {
  if (!e || typeof value !== 'string') return value;
  if (e.Type === 'Integer' && /^-?\d+$/.test(value.trim())) return Number(value.trim());
  if (e.Type === 'Boolean') {
    const l = value.trim().toLowerCase();
    if (['true', '1', 'yes', 'on'].includes(l)) return true;
    if (['false', '0', 'no', 'off'].includes(l)) return false;
  }
  return value;
}

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const bool = (v: unknown): boolean | null => (typeof v === 'boolean' ? v : null);

/** Registry facts of one attribute, in BiosSetting terms (null when the registry is silent). */
function registryFields(e: RegistryEntry): Partial<BiosSetting> {
  const values = Array.isArray(e.Value) ? e.Value : undefined;
  return {
    attribute_type: typeof e.Type === 'string' ? e.Type : null,
    allowable_values: values
      ? values.map((x) => (x && typeof x === 'object' ? ((x as Json).ValueName || (x as Json).ValueDisplayName) : undefined))
        .filter((x): x is string => typeof x === 'string' && x !== '')
      : null,
    lower_bound: num(e.LowerBound), upper_bound: num(e.UpperBound), min_length: num(e.MinLength), max_length: num(e.MaxLength),
    read_only: bool(e.ReadOnly), reset_required: bool(e.ResetRequired), unique: bool(e.IsSystemUniqueProperty),
  };
}

/** Registry entries by attribute name, or an empty map when the BMC publishes none. */
async function registryEntries(s: RedfishSession, bios: Bios): Promise<Map<string, RegistryEntry>> {
  const out = new Map<string, RegistryEntry>();
  if (!bios.attributeRegistry) return out;
  try {
    const file = await findRegistryFile(s.client, bios.attributeRegistry);
    const locations = Array.isArray(file?.Location) ? file.Location as Json[] : [];
    const ordered = [...locations].sort((a, b) => Number(b.Language === 'en') - Number(a.Language === 'en'));
    for (const loc of ordered) {
      const json = typeof loc.Uri === 'string' ? await getOptional(s.client, loc.Uri) : undefined;
      const attrs = (json?.RegistryEntries as Json | undefined)?.Attributes;
      if (!Array.isArray(attrs)) continue;
      for (const a of attrs) if (a && typeof a === 'object' && typeof a.AttributeName === 'string') out.set(a.AttributeName, a);
      break;
    }
  } catch (err) {
    s.ctx.logger.info({ node: s.ctx.node.uuid, err: (err as Error).message }, 'Cannot get BIOS Registry attributes');
  }
  return out;
}

interface Wanted { name: string; value: unknown }

function parseSettings(settings: unknown): Wanted[] {
  if (!Array.isArray(settings)) {
    throw new InvalidError("The 'settings' argument of apply_configuration must be a list of {\"name\": ..., \"value\": ...} objects.");
  }
  return settings.map((x, i) => {
    if (!x || typeof x !== 'object' || Array.isArray(x) || typeof (x as Json).name !== 'string' || !('value' in x)) {
      throw new InvalidError(`BIOS setting #${i} of apply_configuration must be an object with a string "name" and a "value".`);
    }
    return { name: (x as Json).name as string, value: (x as Json).value };
  });
}

export class RedfishBios extends RedfishBase implements BiosInterface {
  readonly steps: readonly StepDef[] = [
    { step: 'apply_configuration', ...STEP, argsinfo: { settings: { description: 'A list of BIOS settings to be applied', required: true } } },
    { step: 'factory_reset', ...STEP },
  ];

  async executeStep(ctx: DriverContext, step: string, args: Json): Promise<StepOutcome> {
    return runStep('bios', {
      apply_configuration: (c, a) => this.applyConfiguration(c, a.settings),
      factory_reset: (c) => this.factoryReset(c),
    }, ctx, step, args);
  }

  async cacheSettings(ctx: DriverContext): Promise<BiosSetting[]> {
    return this.redfish(ctx, 'Caching BIOS settings', (s) => this.read(s));
  }

  async applyConfiguration(ctx: DriverContext, settings: unknown): Promise<StepOutcome> {
    const wanted = parseSettings(settings);
    const requested = Object.fromEntries(wanted.map((w) => [w.name, w.value]));
    await this.redfish(ctx, 'Redfish BIOS apply configuration', async (s) => {
      const bios = await this.bios(s, 'Redfish BIOS apply configuration');
      const info = ctx.node.driver_internal_info ?? {};
      let verify = requested;
      if (info.post_config_reboot_requested && info.requested_bios_attrs && typeof info.requested_bios_attrs === 'object') {
        verify = info.requested_bios_attrs as Json;
      } else {
        const onReset = bios.settings?.supportedApplyTimes?.includes('OnReset');
        const registry = await registryEntries(s, bios);
        const typed = Object.fromEntries(Object.entries(requested).map(([k, v]) => [k, typedValue(v, registry.get(k))]));
        await setBiosAttributes(s.client, bios, typed, onReset ? { applyTime: 'OnReset' } : {});
        ctx.setInternalInfo({ post_config_reboot_requested: true, requested_bios_attrs: requested });
        await hardReboot(s, s.timings.powerTimeoutS);
      }
      await this.verify(s, verify);
      ctx.setInternalInfo({ post_config_reboot_requested: null, requested_bios_attrs: null });
      ctx.replaceBiosSettings?.(await this.read(s));
    });
    return 'done';
  }

  async factoryReset(ctx: DriverContext): Promise<StepOutcome> {
    await this.redfish(ctx, 'Redfish BIOS factory reset', async (s) => {
      const bios = await this.bios(s, 'Redfish BIOS factory reset');
      if (!ctx.node.driver_internal_info?.post_factory_reset_reboot_requested) {
        await resetBios(s.client, bios);
        ctx.setInternalInfo({ post_factory_reset_reboot_requested: true });
        await hardReboot(s, s.timings.powerTimeoutS);
      }
      ctx.setInternalInfo({ post_factory_reset_reboot_requested: null });
      ctx.replaceBiosSettings?.(await this.read(s));
    });
    return 'done';
  }

  private async bios(s: RedfishSession, what: string): Promise<Bios> {
    const bios = await getBios(s.client, s.system);
    if (!bios) throw new DriverError(`${what} failed for node ${s.ctx.node.uuid}, because BIOS settings are not supported.`, { reason: 'bios_unsupported' });
    return bios;
  }

  private async read(s: RedfishSession): Promise<BiosSetting[]> {
    const bios = await getBios(s.client, s.system);
    if (!bios) throw new InvalidError(`Cannot fetch BIOS attributes for node ${s.ctx.node.uuid}, BIOS settings are not supported.`);
    const registry = await registryEntries(s, bios);
    return Object.entries(bios.attributes).map(([name, v]) => {
      const e = registry.get(name);
      return { name, value: biosValue(v), ...(e ? registryFields(e) : {}) };
    });
  }

  /** Poll until every requested attribute reads back as requested; Ironic's failure text otherwise. */
  private async verify(s: RedfishSession, requested: Json): Promise<void> {
    let notUpdated: Json = {};
    const ok = await pollUntil(s, s.timings.biosApplyTimeoutS, 'Verifying BIOS settings', async () => {
      const current = (await this.bios(s, 'Redfish BIOS apply configuration')).attributes;
      notUpdated = Object.fromEntries(Object.entries(requested).filter(([k, v]) => !sameValue(v, current[k])));
      return Object.keys(notUpdated).length === 0 ? true : undefined;
    });
    if (!ok) {
      s.ctx.setInternalInfo({ post_config_reboot_requested: null, requested_bios_attrs: null });
      throw new DriverError(`Redfish BIOS apply_configuration step failed for node ${s.ctx.node.uuid}. Attributes ${pyRepr(notUpdated)} are not updated.`,
        { reason: 'bios_not_applied' });
    }
  }
}
