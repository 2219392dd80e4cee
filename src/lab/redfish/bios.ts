/**
 * BIOS attributes: the attribute registry, validation of requested changes, defaults.
 *
 * Contract: a change set is validated as a whole; any bad attribute rejects all of them with one
 * 400 that lists every problem (Base `PropertyUnknown`, `PropertyNotWritable`,
 * `PropertyValueNotInList`, `PropertyValueTypeError`, `PropertyValueOutOfRange`). With a registry
 * the registry decides; without one (the DMTF mockups name a registry they do not ship) an
 * attribute must already exist and keep the JSON type of its current value.
 *
 * @module
 */
import { combine, fail, RedfishError } from './errors.ts';

export type BiosValue = string | number | boolean | null;
export type BiosAttributes = Record<string, BiosValue>;

/** One `RegistryEntries.Attributes[]` entry of a Redfish AttributeRegistry (fields we use). */
export interface RegistryAttribute {
  AttributeName: string;
  Type: string;
  ReadOnly?: boolean;
  Immutable?: boolean;
  DefaultValue?: BiosValue;
  Value?: Array<{ ValueName: string }>;
  LowerBound?: number;
  UpperBound?: number;
  MinLength?: number;
  MaxLength?: number;
}

export interface BiosRegistry {
  id: string;
  attributes: Map<string, RegistryAttribute>;
}

/** Reads an AttributeRegistry document; null when the JSON is not one. */
export function parseRegistry(doc: unknown): BiosRegistry | null {
  const d = doc as { Id?: string; RegistryEntries?: { Attributes?: RegistryAttribute[] } } | null;
  const list = d?.RegistryEntries?.Attributes;
  if (!d?.Id || !Array.isArray(list)) return null;
  return { id: d.Id, attributes: new Map(list.filter((a) => a?.AttributeName).map((a) => [a.AttributeName, a])) };
}

/**
 * Checks `changes` (the `Attributes` object of a PATCH to the settings resource) and returns it
 * typed. Throws RedfishError 400 listing every bad attribute.
 */
export function validateBiosChanges(changes: unknown, current: BiosAttributes, registry: BiosRegistry | null): BiosAttributes {
  if (changes === null || typeof changes !== 'object' || Array.isArray(changes)) throw fail.typeError(changes, 'Attributes');
  const errors: RedfishError[] = [];
  for (const [name, value] of Object.entries(changes as Record<string, unknown>)) {
    const prop = `Attributes/${name}`;
    const def = registry?.attributes.get(name);
    if (!def) {
      if (!(name in current)) errors.push(fail.propertyUnknown(prop));
      else if (!sameJsonType(current[name], value)) errors.push(fail.typeError(value, prop));
      continue;
    }
    if (def.ReadOnly || def.Immutable) { errors.push(fail.notWritable(prop)); continue; }
    const problem = checkAgainst(def, value, prop);
    if (problem) errors.push(problem);
  }
  if (errors.length) throw combine(errors);
  return changes as BiosAttributes;
}

function checkAgainst(def: RegistryAttribute, value: unknown, prop: string): RedfishError | null {
  switch (def.Type) {
    case 'Enumeration': {
      if (typeof value !== 'string') return fail.typeError(value, prop);
      const allowed = (def.Value ?? []).map((v) => v.ValueName);
      return allowed.length && !allowed.includes(value) ? fail.notInList(value, prop) : null;
    }
    case 'Integer': {
      if (typeof value !== 'number' || !Number.isInteger(value)) return fail.typeError(value, prop);
      const low = def.LowerBound ?? -Infinity;
      const high = def.UpperBound ?? Infinity;
      return value < low || value > high
        ? new RedfishError(400, { id: 'PropertyValueOutOfRange', args: [String(value), prop.split('/').pop()!], related: [`#/${prop}`] })
        : null;
    }
    case 'Boolean':
      return typeof value === 'boolean' ? null : fail.typeError(value, prop);
    case 'String':
    case 'Password': {
      if (typeof value !== 'string') return fail.typeError(value, prop);
      if (def.MaxLength !== undefined && value.length > def.MaxLength) {
        return new RedfishError(400, { id: 'StringValueTooLong', args: [value, def.MaxLength], related: [`#/${prop}`] });
      }
      return def.MinLength !== undefined && value.length < def.MinLength ? fail.typeError(value, prop) : null;
    }
    default:
      return null;
  }
}

function sameJsonType(a: unknown, b: unknown): boolean {
  if (a === null || b === null) return true;
  return typeof a === typeof b;
}

/**
 * The values `Bios.ResetBios` restores: the registry's DefaultValue where it has a usable one,
 * else the value the machine was created with.
 */
export function biosDefaults(initial: BiosAttributes, registry: BiosRegistry | null): BiosAttributes {
  const out: BiosAttributes = { ...initial };
  if (!registry) return out;
  for (const name of Object.keys(initial)) {
    const def = registry.attributes.get(name);
    if (!def || def.ReadOnly || def.DefaultValue === undefined) continue;
    if (!checkAgainst(def, def.DefaultValue, name)) out[name] = def.DefaultValue;
  }
  return out;
}

/** Registry id of the built-in generic profile. */
export const GENERIC_BIOS_REGISTRY_ID = 'BiosAttributeRegistryIngotLab.v1_0_0';

const enumOf = (name: string, values: string[], def: string, display: string): Record<string, unknown> =>
  ({ AttributeName: name, DisplayName: display, Type: 'Enumeration', ReadOnly: false, DefaultValue: def, Value: values.map((v) => ({ ValueName: v, ValueDisplayName: v })) });

/** The AttributeRegistry document of the generic profile (a small, typical server BIOS). */
export function genericBiosRegistryDoc(): Record<string, unknown> {
  return {
    '@odata.type': '#AttributeRegistry.v1_3_6.AttributeRegistry',
    Id: GENERIC_BIOS_REGISTRY_ID,
    Name: 'Ingot lab BIOS attribute registry',
    Language: 'en',
    OwningEntity: 'Ingot',
    RegistryVersion: '1.0.0',
    SupportedSystems: [{ ProductName: 'Ingot Lab Machine', SystemId: 'LAB' }],
    RegistryEntries: {
      Attributes: [
        enumOf('BootMode', ['Uefi', 'LegacyBios'], 'Uefi', 'Boot mode'),
        enumOf('ProcTurboMode', ['Enabled', 'Disabled'], 'Enabled', 'Turbo mode'),
        enumOf('ProcVirtualization', ['Enabled', 'Disabled'], 'Enabled', 'Virtualization technology'),
        enumOf('ProcHyperThreading', ['Enabled', 'Disabled'], 'Enabled', 'Hyper-threading'),
        enumOf('PowerProfile', ['MaxPerf', 'Balanced', 'PowerSaver'], 'Balanced', 'Power profile'),
        enumOf('EmbeddedSata', ['Ahci', 'Raid', 'Off'], 'Ahci', 'Embedded SATA'),
        enumOf('NicBoot1', ['NetworkBoot', 'Disabled'], 'NetworkBoot', 'NIC 1 boot'),
        enumOf('NicBoot2', ['NetworkBoot', 'Disabled'], 'Disabled', 'NIC 2 boot'),
        { AttributeName: 'SriovGlobalEnable', DisplayName: 'SR-IOV', Type: 'Boolean', ReadOnly: false, DefaultValue: false },
        { AttributeName: 'PxeRetries', DisplayName: 'PXE retries', Type: 'Integer', ReadOnly: false, DefaultValue: 3, LowerBound: 0, UpperBound: 10, ScalarIncrement: 1 },
        { AttributeName: 'AdminPhone', DisplayName: 'Administrator phone', Type: 'String', ReadOnly: false, DefaultValue: '', MaxLength: 32 },
        { AttributeName: 'SystemModelName', DisplayName: 'System model', Type: 'String', ReadOnly: true, DefaultValue: 'Ingot Lab Machine' },
        { AttributeName: 'BiosRevision', DisplayName: 'BIOS revision', Type: 'String', ReadOnly: true, DefaultValue: '1.0.0' },
      ],
      Menus: [{ MenuName: 'Main', DisplayName: 'Main', MenuPath: './' }],
      Dependencies: [],
    },
  };
}

/** Initial attribute values of a generic machine: every registry default. */
export function genericBiosAttributes(): BiosAttributes {
  const reg = parseRegistry(genericBiosRegistryDoc())!;
  const out: BiosAttributes = {};
  for (const a of reg.attributes.values()) out[a.AttributeName] = a.DefaultValue ?? null;
  return out;
}
