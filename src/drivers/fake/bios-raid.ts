/**
 * Fake BIOS and fake RAID (Ironic's FakeBIOS and FakeRAID).
 *
 * FakeBios offers three manual-only clean steps (priority 0, not abortable, requiring the
 * ramdisk as Ironic's clean_step default), listed in Ironic's (alphabetical) order:
 * - apply_configuration(settings): the node's bios_settings become exactly `settings`
 *   (new names created, changed values updated, unlisted rows deleted);
 * - cache_bios_settings: changes nothing;
 * - factory_reset: deletes every bios_settings row.
 * Rows are read with `ctx.loadBiosSettings` and written with `ctx.replaceBiosSettings`
 * (fake/types.ts). `cacheSettings()` returns the current rows unchanged, so the
 * conductor's periodic/cleaning cache keeps what apply_configuration stored.
 *
 * FakeRaid, like Ironic's, offers NO steps: create_configuration/delete_configuration are
 * plain methods that do nothing (a manual clean asking for raid.create_configuration
 * fails with "node does not support this clean step"; verified against Ironic 21.4).
 * validate() checks a non-empty target_raid_config against the schema; raid_config is
 * never written.
 */
import { DriverError, InvalidError } from '../../core/errors.ts';
import type { Json } from '../../core/node.ts';
import type { BiosInterface, BiosSetting, DriverContext, RaidInterface, StepDef, StepOutcome } from '../base.ts';
import { dispatchStep, FakeBase } from './common.ts';
import { raidLogicalDiskProperties, validateRaidConfigSchema } from '../shared/raid-schema.ts';
import type { ExtendedDriverContext } from '../shared/extensions.ts';

const BIOS_STEP = { cleanPriority: 0, abortable: false, requiresRamdisk: true } as const;

/** Ironic stores setting values as strings (oslo StringField): numbers/booleans as Python str(). */
function settingValue(name: string, v: unknown): string | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return String(v);
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  throw new InvalidError(`BIOS setting '${name}' has an invalid value ${JSON.stringify(v)}: expected a string, a number or a boolean.`);
}

/** Optional attributes of a setting (Ironic's BIOSSetting registry fields). */
const REGISTRY_FIELDS = [
  'attribute_type', 'allowable_values', 'lower_bound', 'max_length', 'min_length', 'read_only', 'reset_required',
  'unique', 'upper_bound',
] as const;

interface WantedSetting { name: string; raw: unknown; row: BiosSetting }

function parseSettings(settings: unknown): WantedSetting[] {
  if (!Array.isArray(settings)) {
    throw new InvalidError("The 'settings' argument of apply_configuration must be a list of {\"name\": ..., \"value\": ...} objects.");
  }
  return settings.map((s, i) => {
    if (typeof s !== 'object' || s === null || typeof (s as Json).name !== 'string') {
      throw new InvalidError(`BIOS setting #${i} of apply_configuration must be an object with a string "name".`);
    }
    const given = s as Json;
    const name = given.name as string;
    const row: BiosSetting = { name, value: settingValue(name, given.value) };
    for (const f of REGISTRY_FIELDS) (row as unknown as Json)[f] = given[f] ?? null;
    return { name, raw: given.value, row };
  });
}

/** The node's current rows; none when the context does not provide them. */
async function currentSettings(ctx: ExtendedDriverContext): Promise<readonly BiosSetting[]> {
  return (await ctx.loadBiosSettings?.()) ?? [];
}

function persist(ctx: ExtendedDriverContext, step: string, settings: BiosSetting[]): void {
  if (typeof ctx.replaceBiosSettings !== 'function') {
    throw new DriverError(`Fake BIOS ${step} on node ${ctx.node.uuid} cannot store BIOS settings: the conductor did not provide replaceBiosSettings.`,
      { reason: 'unsupported_context' });
  }
  ctx.replaceBiosSettings(settings);
}

export class FakeBios extends FakeBase implements BiosInterface {
  readonly steps: readonly StepDef[] = [
    {
      step: 'apply_configuration', ...BIOS_STEP,
      argsinfo: { settings: { description: 'List of BIOS settings, each item needs to contain a dictionary with name/value pairs', required: true } },
    },
    { step: 'cache_bios_settings', ...BIOS_STEP },
    { step: 'factory_reset', ...BIOS_STEP },
  ];

  async executeStep(ctx: DriverContext, step: string, args: Json): Promise<StepOutcome> {
    return dispatchStep('bios', this.name, {
      apply_configuration: (c, a) => this.applyConfiguration(c, a.settings),
      cache_bios_settings: async (c) => { await this.pause(c, 'cache_bios_settings'); return 'done'; },
      factory_reset: (c) => this.factoryReset(c),
    }, ctx, step, args);
  }

  /**
   * Make the node's settings exactly `settings` (Ironic's sync_node_setting): a row whose
   * value is unchanged is kept as is; created and updated rows take their registry
   * attributes from the given item (null when absent), as Ironic's DB layer does.
   */
  async applyConfiguration(ctx: ExtendedDriverContext, settings: unknown): Promise<StepOutcome> {
    const wanted = parseSettings(settings);
    await this.pause(ctx, 'apply_configuration');
    const current = new Map((await currentSettings(ctx)).map((s) => [s.name, s]));
    const result = new Map<string, BiosSetting>();
    for (const w of wanted) {
      const old = current.get(w.name);
      const unchanged = old !== undefined && (w.raw ?? null) === old.value;
      result.set(w.name, unchanged ? { ...old } : w.row);
    }
    persist(ctx, 'apply_configuration', [...result.values()]);
    return 'done';
  }

  async factoryReset(ctx: ExtendedDriverContext): Promise<StepOutcome> {
    await this.pause(ctx, 'factory_reset');
    persist(ctx, 'factory_reset', []);
    return 'done';
  }

  /** The current rows, unchanged (Ironic's fake cache_bios_settings does nothing). */
  async cacheSettings(ctx: ExtendedDriverContext): Promise<BiosSetting[]> {
    await this.pause(ctx, 'cache_bios_settings');
    return (await currentSettings(ctx)).map((s) => ({ ...s }));
  }
}

export class FakeRaid extends FakeBase implements RaidInterface {
  readonly steps: readonly StepDef[] = [];

  /** Ironic's base RAID validate: the target_raid_config, when set, must be valid. */
  override async validate(ctx: DriverContext): Promise<void> {
    const target = ctx.node.target_raid_config;
    if (target && Object.keys(target).length > 0) await this.validateRaidConfig(ctx, target);
  }

  async validateRaidConfig(_ctx: DriverContext, config: Json): Promise<void> {
    validateRaidConfigSchema(config);
  }

  logicalDiskProperties(): Readonly<Record<string, string>> { return raidLogicalDiskProperties(); }

  /** Does nothing, as in Ironic (not a step; nothing calls it for fake nodes). */
  async createConfiguration(ctx: DriverContext): Promise<StepOutcome> {
    await this.pause(ctx, 'create_configuration');
    return 'done';
  }

  /** Does nothing, as in Ironic (not a step). */
  async deleteConfiguration(ctx: DriverContext): Promise<StepOutcome> {
    await this.pause(ctx, 'delete_configuration');
    return 'done';
  }
}
