/**
 * ComputerSystem: discovery, power (ComputerSystem.Reset), boot override, SecureBoot.
 *
 * Parsers (`parse*`) are pure and tolerant: missing sections give undefined/empty values, OEM
 * sections are ignored (still reachable through `raw`). Fetchers take the client first.
 */
import type { RedfishClient } from './client.ts';
import { getOptional, listMemberUris } from './collections.ts';
import { RedfishInvalidValueError, RedfishProtocolError } from './errors.ts';
import {
  actionInfoAllowableValues, allowableValues, bool, checkAllowed, findAction, lastSegment, link, links,
  num, obj, odataId, parseSettings, samePath, status, str, strList, type JsonObject, type SettingsInfo,
} from './odata.ts';
import type { HttpResponse } from './http.ts';

export interface BootSettings {
  target: string | undefined;
  enabled: string | undefined;
  mode: string | undefined;
  /** From `...@Redfish.AllowableValues`; undefined = the BMC does not say. */
  allowedTargets: string[] | undefined;
  allowedEnabled: string[] | undefined;
  allowedModes: string[] | undefined;
  uefiTarget: string | undefined;
  httpBootUri: string | undefined;
  bootOrder: string[] | undefined;
  bootNext: string | undefined;
}

export interface ResetActionRef {
  target: string;
  /** Inline `ResetType@Redfish.AllowableValues`, when given. */
  allowedTypes: string[] | undefined;
  /** `@Redfish.ActionInfo` URI, when given (allowable values live there). */
  actionInfo: string | undefined;
}

export interface SystemLinks {
  processors?: string;
  memory?: string;
  ethernetInterfaces?: string;
  simpleStorage?: string;
  storage?: string;
  bios?: string;
  secureBoot?: string;
  virtualMedia?: string;
  bootOptions?: string;
  managedBy: string[];
  chassis: string[];
}

export interface ComputerSystem {
  uri: string;
  id: string | undefined;
  name: string | undefined;
  uuid: string | undefined;
  manufacturer: string | undefined;
  model: string | undefined;
  serialNumber: string | undefined;
  sku: string | undefined;
  systemType: string | undefined;
  hostName: string | undefined;
  biosVersion: string | undefined;
  powerState: string | undefined;
  state: string | undefined;
  health: string | undefined;
  boot: BootSettings;
  reset: ResetActionRef | undefined;
  processorSummary: { count: number | undefined; model: string | undefined };
  memorySummary: { totalGiB: number | undefined };
  links: SystemLinks;
  /** `@Redfish.Settings` of the system (some BMCs take boot changes there). */
  settings: SettingsInfo | undefined;
  raw: JsonObject;
}

export function parseBoot(boot: unknown): BootSettings {
  return {
    target: str(boot, 'BootSourceOverrideTarget'),
    enabled: str(boot, 'BootSourceOverrideEnabled'),
    mode: str(boot, 'BootSourceOverrideMode'),
    allowedTargets: allowableValues(boot, 'BootSourceOverrideTarget'),
    allowedEnabled: allowableValues(boot, 'BootSourceOverrideEnabled'),
    allowedModes: allowableValues(boot, 'BootSourceOverrideMode'),
    uefiTarget: str(boot, 'UefiTargetBootSourceOverride'),
    httpBootUri: str(boot, 'HttpBootUri'),
    bootOrder: strList(boot, 'BootOrder'),
    bootNext: str(boot, 'BootNext'),
  };
}

/** `uri` overrides the body's `@odata.id` (use the URI that was actually fetched). */
export function parseSystem(json: JsonObject, uri?: string): ComputerSystem {
  const reset = findAction(json, 'ComputerSystem.Reset');
  const l = obj(json, 'Links');
  const st = status(json);
  return {
    uri: uri ?? odataId(json) ?? '',
    id: str(json, 'Id'),
    name: str(json, 'Name'),
    uuid: str(json, 'UUID'),
    manufacturer: str(json, 'Manufacturer'),
    model: str(json, 'Model'),
    serialNumber: str(json, 'SerialNumber'),
    sku: str(json, 'SKU'),
    systemType: str(json, 'SystemType'),
    hostName: str(json, 'HostName'),
    biosVersion: str(json, 'BiosVersion'),
    powerState: str(json, 'PowerState'),
    state: st.state,
    health: st.health,
    boot: parseBoot(obj(json, 'Boot')),
    reset: reset && {
      target: reset.target,
      allowedTypes: allowableValues(reset.raw, 'ResetType'),
      actionInfo: reset.actionInfo,
    },
    processorSummary: {
      count: num(obj(json, 'ProcessorSummary'), 'Count'),
      model: str(obj(json, 'ProcessorSummary'), 'Model')?.trim(),
    },
    memorySummary: { totalGiB: num(obj(json, 'MemorySummary'), 'TotalSystemMemoryGiB') },
    links: {
      processors: link(json, 'Processors'),
      memory: link(json, 'Memory'),
      ethernetInterfaces: link(json, 'EthernetInterfaces'),
      simpleStorage: link(json, 'SimpleStorage'),
      storage: link(json, 'Storage'),
      bios: link(json, 'Bios'),
      secureBoot: link(json, 'SecureBoot'),
      virtualMedia: link(json, 'VirtualMedia'),
      bootOptions: link(obj(json, 'Boot'), 'BootOptions'),
      // Some firmware writes `Links.Managers` instead of the schema's `Links.ManagedBy`.
      managedBy: links(l, 'ManagedBy').length > 0 ? links(l, 'ManagedBy') : links(l, 'Managers'),
      chassis: links(l, 'Chassis'),
    },
    settings: parseSettings(json),
    raw: json,
  };
}

/** The Systems collection URI from the service root (DMTF default when absent). */
export async function systemsCollectionUri(client: RedfishClient): Promise<string> {
  return link(await client.serviceRoot(), 'Systems') ?? `${client.rootPrefix}Systems`;
}

export async function listSystemUris(client: RedfishClient): Promise<string[]> {
  return listMemberUris(client, await systemsCollectionUri(client));
}

export async function getSystem(client: RedfishClient, uri: string): Promise<ComputerSystem> {
  return parseSystem(await client.get(uri), uri);
}

/**
 * Resolves Ironic's `redfish_system_id`: a path is fetched as given; a bare id is matched
 * (case-insensitively) against member ids; none is allowed when there is exactly one system.
 * (AMI MegaRAC's `Systems/Capabilities` document is referenced from `@Redfish.CollectionCapabilities`,
 * not from `Members`, so it never counts as a system.)
 */
export async function findSystem(client: RedfishClient, identity?: string): Promise<ComputerSystem> {
  if (identity && identity.includes('/')) return getSystem(client, identity);
  const uris = await listSystemUris(client);
  if (identity) {
    const hit = uris.find((u) => lastSegment(u).toLowerCase() === identity.toLowerCase());
    if (hit) return getSystem(client, hit);
    throw new RedfishProtocolError(`No system "${identity}" at ${client.address}; systems: ${uris.join(', ') || '(none)'}`);
  }
  if (uris.length === 1) return getSystem(client, uris[0]!);
  throw new RedfishProtocolError(uris.length === 0
    ? `BMC at ${client.address} lists no systems`
    : `BMC at ${client.address} has ${uris.length} systems (${uris.join(', ')}); set the system id explicitly`);
}

/** Allowed ResetType values: inline allowable values, else the ActionInfo, else undefined. */
export async function getResetTypes(client: RedfishClient, system: ComputerSystem): Promise<string[] | undefined> {
  if (!system.reset) return undefined;
  if (system.reset.allowedTypes) return system.reset.allowedTypes;
  const info = await getOptional(client, system.reset.actionInfo);
  return info ? actionInfoAllowableValues(info, 'ResetType') : undefined;
}

function requireReset(system: ComputerSystem): ResetActionRef {
  if (!system.reset) {
    throw new RedfishProtocolError(`System ${system.uri} offers no #ComputerSystem.Reset action`, { url: system.uri });
  }
  return system.reset;
}

/** POSTs ComputerSystem.Reset after checking the type against what the BMC allows. */
export async function resetSystem(client: RedfishClient, system: ComputerSystem, resetType: string,
  opts: { wait?: boolean } = {}): Promise<HttpResponse> {
  const reset = requireReset(system);
  const allowed = await getResetTypes(client, system);
  const value = checkAllowed(resetType, allowed, (a) => {
    throw new RedfishInvalidValueError('ResetType', resetType, a, system.uri);
  });
  return client.post(reset.target, { ResetType: value }, { wait: opts.wait ?? true });
}

export type PowerAction = 'on' | 'off' | 'soft-off' | 'reboot' | 'soft-reboot' | 'nmi';

/** ResetType candidates per power action, best first (the first one the BMC allows is used). */
export const POWER_RESET_TYPES: Readonly<Record<PowerAction, readonly string[]>> = {
  'on': ['On', 'ForceOn'],
  'off': ['ForceOff'],
  'soft-off': ['GracefulShutdown'],
  'reboot': ['ForceRestart', 'PowerCycle'],
  'soft-reboot': ['GracefulRestart'],
  'nmi': ['Nmi'],
};

/** Ironic-style power action mapped to the best ResetType this BMC allows. Returns the type used. */
export async function setPower(client: RedfishClient, system: ComputerSystem, action: PowerAction): Promise<string> {
  requireReset(system);
  const allowed = await getResetTypes(client, system);
  const candidates = POWER_RESET_TYPES[action];
  const pick = allowed === undefined ? candidates[0] : candidates.find((c) => allowed.includes(c));
  if (!pick) throw new RedfishInvalidValueError('ResetType', candidates.join('|'), allowed ?? [], system.uri);
  await resetSystem(client, system, pick);
  return pick;
}

export interface BootOverride {
  /** e.g. 'Pxe', 'Cd', 'Hdd', 'BiosSetup', 'UefiHttp' (checked against allowable values). */
  target?: string;
  /** 'Once' | 'Continuous' | 'Disabled'. */
  enabled?: string;
  /** 'UEFI' | 'Legacy'. */
  mode?: string;
}

const STD_ENABLED = ['Disabled', 'Once', 'Continuous'];
const STD_MODES = ['Legacy', 'UEFI'];

/**
 * Sets boot override by PATCHing `Boot`. Values are validated (case-insensitively) against the
 * BMC's allowable values or the Redfish enums. Vendor quirk (Lenovo SE450, Nokia): when the
 * system has a `@Redfish.Settings` object whose Boot section holds a property, that property
 * is PATCHed on the settings object instead.
 */
export async function setBootOverride(client: RedfishClient, system: ComputerSystem, want: BootOverride): Promise<void> {
  const b = system.boot;
  const boot: Record<string, string> = {};
  if (want.target !== undefined) {
    boot['BootSourceOverrideTarget'] = checkAllowed(want.target, b.allowedTargets, (a) => {
      throw new RedfishInvalidValueError('BootSourceOverrideTarget', want.target, a, system.uri);
    });
  }
  if (want.enabled !== undefined) {
    boot['BootSourceOverrideEnabled'] = checkAllowed(want.enabled, b.allowedEnabled ?? STD_ENABLED, (a) => {
      throw new RedfishInvalidValueError('BootSourceOverrideEnabled', want.enabled, a, system.uri);
    });
  }
  if (want.mode !== undefined) {
    boot['BootSourceOverrideMode'] = checkAllowed(want.mode, b.allowedModes ?? STD_MODES, (a) => {
      throw new RedfishInvalidValueError('BootSourceOverrideMode', want.mode, a, system.uri);
    });
  }
  if (Object.keys(boot).length === 0) return;
  const onSystem: Record<string, string> = {};
  const onSettings: Record<string, string> = {};
  const settingsUri = system.settings?.settingsUri;
  const settingsBody = settingsUri && !samePath(settingsUri, system.uri) ? await getOptional(client, settingsUri) : undefined;
  const settingsBoot = obj(settingsBody, 'Boot');
  for (const [k, v] of Object.entries(boot)) {
    if (settingsBoot && k in settingsBoot) onSettings[k] = v; else onSystem[k] = v;
  }
  if (settingsUri && Object.keys(onSettings).length > 0) {
    await client.patch(settingsUri, { Boot: onSettings }, { etag: str(settingsBody, '@odata.etag') });
  }
  if (Object.keys(onSystem).length > 0) await client.patch(system.uri, { Boot: onSystem });
}

export interface SecureBoot {
  uri: string;
  enabled: boolean | undefined;
  currentBoot: string | undefined;
  mode: string | undefined;
  resetKeysTarget: string | undefined;
  allowedResetKeysTypes: string[] | undefined;
  raw: JsonObject;
}

export function parseSecureBoot(json: JsonObject, uri?: string): SecureBoot {
  const reset = findAction(json, 'SecureBoot.ResetKeys');
  return {
    uri: uri ?? odataId(json) ?? '',
    enabled: bool(json, 'SecureBootEnable'),
    currentBoot: str(json, 'SecureBootCurrentBoot'),
    mode: str(json, 'SecureBootMode'),
    resetKeysTarget: reset?.target,
    allowedResetKeysTypes: reset ? allowableValues(reset.raw, 'ResetKeysType') : undefined,
    raw: json,
  };
}

/** The system's SecureBoot resource, or undefined when the BMC has none. */
export async function getSecureBoot(client: RedfishClient, system: ComputerSystem): Promise<SecureBoot | undefined> {
  const uri = system.links.secureBoot;
  const json = await getOptional(client, uri);
  return json && uri ? parseSecureBoot(json, uri) : undefined;
}

/** Enables/disables UEFI Secure Boot (takes effect on the next boot on most BMCs). */
export async function setSecureBoot(client: RedfishClient, secureBoot: SecureBoot, enabled: boolean): Promise<void> {
  await client.patch(secureBoot.uri, { SecureBootEnable: enabled });
}

/** SecureBoot.ResetKeys, e.g. 'ResetAllKeysToDefault', 'DeleteAllKeys', 'DeletePK'. */
export async function resetSecureBootKeys(client: RedfishClient, secureBoot: SecureBoot, resetKeysType: string): Promise<void> {
  if (!secureBoot.resetKeysTarget) {
    throw new RedfishProtocolError(`SecureBoot ${secureBoot.uri} offers no #SecureBoot.ResetKeys action`, { url: secureBoot.uri });
  }
  const value = checkAllowed(resetKeysType, secureBoot.allowedResetKeysTypes, (a) => {
    throw new RedfishInvalidValueError('ResetKeysType', resetKeysType, a, secureBoot.uri);
  });
  await client.post(secureBoot.resetKeysTarget, { ResetKeysType: value }, { wait: true });
}
