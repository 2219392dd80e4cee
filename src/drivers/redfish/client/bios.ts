/**
 * BIOS: current attributes, pending settings (`@Redfish.Settings` → SettingsObject, where
 * changes are PATCHed and applied on the next reset), Bios.ResetBios, and the AttributeRegistry
 * describing each attribute (found through the Registries collection → MessageRegistryFile →
 * Location[].Uri for the wanted language).
 */
import type { RedfishClient } from './client.ts';
import { getOptional, listMemberUris } from './collections.ts';
import { RedfishInvalidValueError, RedfishProtocolError } from './errors.ts';
import {
  bool, checkAllowed, findAction, isObject, lastSegment, link, num, obj, odataId, parseSettings, str,
  type JsonObject, type SettingsInfo,
} from './odata.ts';
import type { ComputerSystem } from './systems.ts';

export interface Bios {
  uri: string;
  id: string | undefined;
  attributes: Record<string, unknown>;
  /** Registry name, e.g. "BiosAttributeRegistryA43.v1_2_52". */
  attributeRegistry: string | undefined;
  settings: SettingsInfo | undefined;
  resetTarget: string | undefined;
  changePasswordTarget: string | undefined;
  raw: JsonObject;
}

export function parseBios(json: JsonObject, uri?: string): Bios {
  return {
    uri: uri ?? odataId(json) ?? '',
    id: str(json, 'Id'),
    attributes: obj(json, 'Attributes') ?? {},
    attributeRegistry: str(json, 'AttributeRegistry'),
    settings: parseSettings(json),
    resetTarget: findAction(json, 'Bios.ResetBios')?.target,
    changePasswordTarget: findAction(json, 'Bios.ChangePassword')?.target,
    raw: json,
  };
}

/** The system's Bios resource (followed exactly as linked, e.g. HPE's lower-case path). */
export async function getBios(client: RedfishClient, system: ComputerSystem): Promise<Bios | undefined> {
  const uri = system.links.bios;
  const json = await getOptional(client, uri);
  return json && uri ? parseBios(json, uri) : undefined;
}

/** Where BIOS changes go: the settings object, else (no `@Redfish.Settings`) the Bios itself. */
export function biosSettingsUri(bios: Bios): string {
  return bios.settings?.settingsUri ?? bios.uri;
}

/** Pending (not yet applied) attributes; undefined when the BMC has no separate settings object. */
export async function getPendingBiosAttributes(client: RedfishClient, bios: Bios): Promise<Record<string, unknown> | undefined> {
  const uri = bios.settings?.settingsUri;
  if (!uri) return undefined;
  const json = await getOptional(client, uri);
  return json ? obj(json, 'Attributes') ?? {} : undefined;
}

/**
 * PATCHes `{"Attributes": ...}` to the settings object (with If-Match). `applyTime` (e.g.
 * 'OnReset') is sent as `@Redfish.SettingsApplyTime` and checked against SupportedApplyTimes.
 * When a registry is given, values are validated first (see `validateBiosAttributes`).
 */
export async function setBiosAttributes(client: RedfishClient, bios: Bios, attributes: Record<string, unknown>,
  opts: { applyTime?: string; registry?: AttributeRegistry } = {}): Promise<void> {
  if (opts.registry) {
    const problems = validateBiosAttributes(opts.registry, attributes);
    if (problems.length > 0) throw new RedfishProtocolError(`Invalid BIOS settings: ${problems.join('; ')}`, { url: bios.uri });
  }
  const body: JsonObject = { Attributes: attributes };
  if (opts.applyTime !== undefined) {
    const at = checkAllowed(opts.applyTime, bios.settings?.supportedApplyTimes, (a) => {
      throw new RedfishInvalidValueError('ApplyTime', opts.applyTime, a, bios.uri);
    });
    body['@Redfish.SettingsApplyTime'] = { ApplyTime: at };
  }
  await client.patch(biosSettingsUri(bios), body);
}

/** Bios.ResetBios: restore factory defaults (applied on the next boot on most BMCs). */
export async function resetBios(client: RedfishClient, bios: Bios): Promise<void> {
  if (!bios.resetTarget) throw new RedfishProtocolError(`BIOS ${bios.uri} offers no #Bios.ResetBios action`, { url: bios.uri });
  // An empty JSON object rather than no body: some BMCs reject body-less action POSTs
  // (HPE iLO does so for EjectMedia).
  await client.post(bios.resetTarget, {}, { wait: true });
}

export interface RegistryAttribute {
  name: string;
  type: string | undefined;
  displayName: string | undefined;
  readOnly: boolean;
  immutable: boolean;
  hidden: boolean;
  resetRequired: boolean | undefined;
  /** ValueName of each `Value[]` entry for Enumeration attributes. */
  allowableValues: string[] | undefined;
  lowerBound: number | undefined;
  upperBound: number | undefined;
  minLength: number | undefined;
  maxLength: number | undefined;
  defaultValue: unknown;
}

export interface AttributeRegistry {
  id: string | undefined;
  language: string | undefined;
  owningEntity: string | undefined;
  registryVersion: string | undefined;
  attributes: Map<string, RegistryAttribute>;
  raw: JsonObject;
}

export function parseAttributeRegistry(json: JsonObject): AttributeRegistry {
  const entries = obj(json, 'RegistryEntries');
  const list = Array.isArray(entries?.['Attributes']) ? (entries['Attributes'] as unknown[]).filter(isObject) : [];
  const attributes = new Map<string, RegistryAttribute>();
  for (const a of list) {
    const name = str(a, 'AttributeName');
    if (!name) continue;
    const values = Array.isArray(a['Value']) ? a['Value'].filter(isObject) : undefined;
    attributes.set(name, {
      name,
      type: str(a, 'Type'),
      displayName: str(a, 'DisplayName'),
      readOnly: bool(a, 'ReadOnly') ?? false,
      immutable: bool(a, 'Immutable') ?? false,
      hidden: bool(a, 'Hidden') ?? false,
      resetRequired: bool(a, 'ResetRequired'),
      allowableValues: values?.map((v) => str(v, 'ValueName')).filter((v): v is string => !!v),
      lowerBound: num(a, 'LowerBound'),
      upperBound: num(a, 'UpperBound'),
      minLength: num(a, 'MinLength'),
      maxLength: num(a, 'MaxLength'),
      defaultValue: a['DefaultValue'],
    });
  }
  return {
    id: str(json, 'Id'),
    language: str(json, 'Language'),
    owningEntity: str(json, 'OwningEntity'),
    registryVersion: str(json, 'RegistryVersion'),
    attributes,
    raw: json,
  };
}

/** Problems of a proposed attribute change against the registry ([] = fine). */
export function validateBiosAttributes(registry: AttributeRegistry, attrs: Record<string, unknown>): string[] {
  const problems: string[] = [];
  for (const [name, value] of Object.entries(attrs)) {
    const a = registry.attributes.get(name);
    if (!a) { problems.push(`${name}: unknown attribute`); continue; }
    if (a.readOnly || a.immutable) { problems.push(`${name}: read-only`); continue; }
    if (a.type === 'Enumeration' && a.allowableValues && !a.allowableValues.includes(String(value))) {
      problems.push(`${name}: ${JSON.stringify(value)} not in ${a.allowableValues.join(', ')}`);
    } else if (a.type === 'Integer') {
      if (typeof value !== 'number' || !Number.isInteger(value)) problems.push(`${name}: integer expected`);
      else if ((a.lowerBound !== undefined && value < a.lowerBound) || (a.upperBound !== undefined && value > a.upperBound)) {
        problems.push(`${name}: ${value} outside [${a.lowerBound ?? '-inf'}, ${a.upperBound ?? 'inf'}]`);
      }
    } else if (a.type === 'Boolean' && typeof value !== 'boolean') {
      problems.push(`${name}: boolean expected`);
    } else if (a.type === 'String' && typeof value === 'string') {
      if ((a.minLength !== undefined && value.length < a.minLength) || (a.maxLength !== undefined && value.length > a.maxLength)) {
        problems.push(`${name}: length ${value.length} outside [${a.minLength ?? 0}, ${a.maxLength ?? 'inf'}]`);
      }
    }
  }
  return problems;
}

export interface RegistryFileLocation { language: string | undefined; uri: string | undefined; archiveUri: string | undefined; publicationUri: string | undefined }

/** `Location[]` of a MessageRegistryFile. */
export function parseRegistryLocations(file: JsonObject): RegistryFileLocation[] {
  const locs = Array.isArray(file['Location']) ? file['Location'].filter(isObject) : [];
  return locs.map((l) => ({
    language: str(l, 'Language'),
    uri: str(l, 'Uri'),
    archiveUri: str(l, 'ArchiveUri'),
    publicationUri: str(l, 'PublicationUri'),
  }));
}

/**
 * Locations to try for `language` (RFC 5646, case-insensitive): exact tag, then same primary
 * language ("en" vs "en-US", as ZT/AMI firmware labels it), then "default", then the rest.
 */
export function orderLocations(locs: RegistryFileLocation[], language: string): RegistryFileLocation[] {
  const lang = language.toLowerCase();
  const primary = lang.split('-')[0];
  const rank = (l: RegistryFileLocation): number => {
    const ll = l.language?.toLowerCase();
    if (ll === lang) return 0;
    if (ll?.split('-')[0] === primary) return 1;
    return ll === 'default' ? 2 : 3;
  };
  return [...locs].sort((a, b) => rank(a) - rank(b));
}

function registryName(file: JsonObject): string | undefined {
  return str(file, 'Registry') ?? str(file, 'Id');
}

/**
 * Finds and loads the MessageRegistryFile for registry `name` (exact, case-insensitive; then by
 * prefix, for BMCs whose file omits the version suffix). Tries the member whose URI ends with the
 * name first, so the common case costs one GET instead of one per registry.
 */
export async function findRegistryFile(client: RedfishClient, name: string): Promise<JsonObject | undefined> {
  const collection = link(await client.serviceRoot(), 'Registries');
  if (!collection) return undefined;
  const uris = await listMemberUris(client, collection);
  const lname = name.toLowerCase();
  const ordered = [...uris].sort((a, b) =>
    Number(lastSegment(b).toLowerCase() === lname) - Number(lastSegment(a).toLowerCase() === lname));
  let prefixHit: JsonObject | undefined;
  for (const uri of ordered) {
    const file = await getOptional(client, uri);
    const reg = file ? registryName(file)?.toLowerCase() : undefined;
    if (!file || !reg) continue;
    if (reg === lname) return file;
    if (!prefixHit && (lname.startsWith(`${reg}.`) || reg.startsWith(`${lname}.`))) prefixHit = file;
  }
  return prefixHit;
}

/**
 * The BIOS AttributeRegistry, or undefined when the BMC publishes none. Only the BMC's own
 * `Uri` locations are used; archives and public URLs (PublicationUri) are not downloaded.
 */
export async function getAttributeRegistry(client: RedfishClient, bios: Bios, language = 'en'): Promise<AttributeRegistry | undefined> {
  if (!bios.attributeRegistry) return undefined;
  const file = await findRegistryFile(client, bios.attributeRegistry);
  if (!file) return undefined;
  for (const loc of orderLocations(parseRegistryLocations(file), language)) {
    const json = await getOptional(client, loc.uri);
    if (json && obj(json, 'RegistryEntries')) return parseAttributeRegistry(json);
  }
  client.log.warn({ registry: bios.attributeRegistry }, 'BIOS attribute registry file has no usable location');
  return undefined;
}
