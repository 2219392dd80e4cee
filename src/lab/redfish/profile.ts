/**
 * Profiles: where a lab machine gets its shape from.
 *
 * A profile is a template tree for one machine (a DMTF/vendor mockup folder, or the built-in
 * generic tree) plus the "roles" found by following its links: which path is the system, its BIOS,
 * BIOS settings, NICs, virtual media (under the System or the Manager, wherever the vendor put it),
 * storage, and which action targets do what. The service serves the tree as-is and overlays live
 * state on the role resources, so a vendor profile keeps its shapes, OEM sections and ids.
 *
 * Gaps filled on purpose (documented deviations from a mockup):
 * - a BIOS `@Redfish.Settings` without SettingsObject (the AMI capture) gets `<Bios>/SD` (AMI's
 *   convention; `<Bios>/Settings` elsewhere), so pending BIOS settings work on every profile;
 * - VirtualMedia without MediaTypes (AMI) is typed from its id (CD1 → CD/DVD).
 *
 * @module
 */
import { existsSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseRegistry, type BiosRegistry } from './bios.ts';
import { MessageCatalog } from './errors.ts';
import { genericTree, type GenericShape } from './generic.ts';
import { ALL_RAID_TYPES } from './storage.ts';
import { isMockupDir, keyOf, MockupTree, normPath, type Json, type ResourceTree } from './tree.ts';

/** Short profile names, resolved inside the mockups folder. */
export const PROFILE_ALIASES: Record<string, string> = {
  'dmtf-rackmount': 'dmtf-public-rackmount1',
  'dmtf-tower': 'dmtf-public-tower',
  'hpe-ilo5': 'hpe-proliant-dl325-gen10plus-ilo5',
  'ami-megarac': 'gigabyte-ami-megarac',
};

/** Default mockups folder: `$INGOT_REDFISH_MOCKUPS`, else `../shared/data/redfish-mockups` from the project root. */
export function defaultMockupsDir(): string {
  const env = process.env.INGOT_REDFISH_MOCKUPS;
  if (env) return env;
  const projectRoot = fileURLToPath(new URL('../../../', import.meta.url));
  return resolve(projectRoot, '../shared/data/redfish-mockups');
}

export type ActionRole =
  | { kind: 'reset' } | { kind: 'resetBios' } | { kind: 'biosPassword' } | { kind: 'resetKeys' } | { kind: 'managerReset' }
  | { kind: 'insertMedia'; mediaId: string } | { kind: 'ejectMedia'; mediaId: string };

export interface Member { id: string; path: string }

export interface StorageRole {
  id: string;
  path: string;
  volumesPath: string | null;
  raidTypes: string[];
  drives: Member[];
  volumes: Member[];
}

export interface Roles {
  system: string;
  manager: string;
  chassis: string;
  bios: string | null;
  biosSettings: string | null;
  secureBoot: string | null;
  ethernet: { collection: string; members: Member[] } | null;
  vmedia: { collection: string; members: Member[] } | null;
  storage: { collection: string; members: StorageRole[] } | null;
  /** Action targets (by path key) → what they do. */
  actions: Map<string, ActionRole>;
  resetTypes: string[];
}

export interface Profile {
  /** `generic` or the mockup folder name. */
  name: string;
  tree: ResourceTree;
  caseInsensitive: boolean;
  templateIds: { system: string; manager: string; chassis: string };
  roles: Roles;
  catalog: MessageCatalog;
  biosRegistry: BiosRegistry | null;
  /** Vendor family, from the service root; decides quirks such as AMI's `Bios/SD` settings path. */
  vendor: 'generic' | 'dmtf' | 'hpe' | 'ami' | 'other';
  sessionTimeoutSec: number;
}

const ALL_RESET_TYPES = ['On', 'ForceOff', 'GracefulShutdown', 'GracefulRestart', 'ForceRestart', 'Nmi', 'ForceOn', 'PushPowerButton', 'PowerCycle'];
const treeCache = new Map<string, MockupTree>();

/**
 * Resolves `spec` (undefined/`generic`, a short name, a folder name inside `mockupsDir`, or a
 * folder path) to a loaded profile. Throws when a named mockup profile cannot be found; the
 * generic profile never needs files.
 */
export function loadProfile(spec: string | undefined, mockupsDir = defaultMockupsDir(), shape?: GenericShape): Profile {
  if (!spec || spec === 'generic') return buildProfile('generic', genericTree(shape));
  const folder = PROFILE_ALIASES[spec] ?? spec;
  const dir = isAbsolute(folder) || folder.startsWith('.') ? resolve(folder) : join(mockupsDir, folder);
  if (!isMockupDir(dir)) {
    throw new Error(`redfish lab: profile "${spec}" not found: ${dir} has no redfish/v1/index.json (nor a service root index.json)` +
      (existsSync(mockupsDir) ? '' : ` (mockups folder ${mockupsDir} is absent; use the generic profile)`));
  }
  let tree = treeCache.get(dir);
  if (!tree) {
    tree = new MockupTree(dir);
    const root = tree.get('/redfish/v1');
    if ((root?.Oem as Json | undefined)?.Hpe || root?.Vendor === 'HPE') tree.withCaseInsensitive();
    treeCache.set(dir, tree);
  }
  return buildProfile(dir.split(/[\\/]/).filter(Boolean).pop()!, tree);
}

function idOf(x: unknown): string | undefined {
  const id = (x as Json | undefined)?.['@odata.id'];
  return typeof id === 'string' ? normPath(id) : undefined;
}
const last = (p: string): string => p.split('/').pop()!;

/** Follows the template's links to find every role. */
function buildProfile(name: string, tree: ResourceTree): Profile {
  const ci = tree.caseInsensitive;
  const canon = (p: string | undefined): string | null => (p ? tree.canonical(p) ?? null : null);
  const root = tree.get('/redfish/v1') ?? {};
  const vendor: Profile['vendor'] = name === 'generic' ? 'generic' : (root.Oem as Json | undefined)?.Hpe ? 'hpe'
    : root.Vendor === 'AMI' ? 'ami' : String(root['@Redfish.Copyright'] ?? '').includes('DMTF') ? 'dmtf' : 'other';
  const systemsPath = idOf(root.Systems) ?? '/redfish/v1/Systems';
  const systemPath = canon(idOf(((tree.get(systemsPath)?.Members ?? []) as Json[])[0]));
  if (!systemPath) throw new Error(`redfish lab: profile ${name} has no ComputerSystem`);
  const sys = tree.get(systemPath)!;
  const links = (sys.Links ?? {}) as Json;
  const managerPath = canon(idOf((links.ManagedBy as Json[] | undefined)?.[0])) ?? '/redfish/v1/Managers/none';
  const chassisPath = canon(idOf((links.Chassis as Json[] | undefined)?.[0])) ?? '/redfish/v1/Chassis/none';
  const mgr = tree.get(managerPath) ?? {};
  const actions = new Map<string, ActionRole>();
  const addAction = (target: unknown, role: ActionRole): void => { if (typeof target === 'string') actions.set(keyOf(target, ci), role); };
  const actionOf = (doc: Json | undefined, name: string): Json | undefined => ((doc?.Actions ?? {}) as Json)[name] as Json | undefined;

  const resetAction = actionOf(sys, '#ComputerSystem.Reset');
  addAction(resetAction?.target, { kind: 'reset' });
  addAction(`${systemPath}/Actions/ComputerSystem.Reset`, { kind: 'reset' });
  let resetTypes = resetAction?.['ResetType@Redfish.AllowableValues'] as string[] | undefined;
  const info = resetAction?.['@Redfish.ActionInfo'];
  if (!resetTypes && typeof info === 'string') {
    const params = (tree.get(info)?.Parameters ?? []) as Json[];
    resetTypes = params.find((p) => p.Name === 'ResetType')?.AllowableValues as string[] | undefined;
  }
  addAction(actionOf(mgr, '#Manager.Reset')?.target, { kind: 'managerReset' });
  addAction(`${managerPath}/Actions/Manager.Reset`, { kind: 'managerReset' });

  const biosPath = canon(idOf(sys.Bios));
  let biosSettings: string | null = null;
  let biosRegistry: BiosRegistry | null = null;
  if (biosPath) {
    const bios = tree.get(biosPath)!;
    const settingsId = idOf((bios['@Redfish.Settings'] as Json | undefined)?.SettingsObject);
    biosSettings = settingsId ? canon(settingsId) ?? settingsId : `${biosPath}/${vendor === 'ami' ? 'SD' : 'Settings'}`;
    addAction(actionOf(bios, '#Bios.ResetBios')?.target, { kind: 'resetBios' });
    addAction(actionOf(bios, '#Bios.ChangePassword')?.target, { kind: 'biosPassword' });
    addAction(`${biosPath}/Actions/Bios.ResetBios`, { kind: 'resetBios' });
    addAction(`${biosPath}/Actions/Bios.ChangePassword`, { kind: 'biosPassword' });
    biosRegistry = findRegistry(tree, root, bios.AttributeRegistry);
  }
  const secureBoot = canon(idOf(sys.SecureBoot));
  if (secureBoot) {
    addAction(actionOf(tree.get(secureBoot), '#SecureBoot.ResetKeys')?.target, { kind: 'resetKeys' });
    addAction(`${secureBoot}/Actions/SecureBoot.ResetKeys`, { kind: 'resetKeys' });
  }
  const membersOf = (coll: string | null): Member[] =>
    coll ? ((tree.get(coll)?.Members ?? []) as Json[]).map((m) => canon(idOf(m))).filter((p): p is string => !!p).map((p) => ({ id: last(p), path: p })) : [];
  const ethColl = canon(idOf(sys.EthernetInterfaces));
  const vmColl = canon(idOf(sys.VirtualMedia)) ?? canon(idOf(mgr.VirtualMedia));
  const vmMembers = membersOf(vmColl);
  for (const m of vmMembers) {
    const doc = tree.get(m.path);
    addAction(actionOf(doc, '#VirtualMedia.InsertMedia')?.target, { kind: 'insertMedia', mediaId: m.id });
    addAction(actionOf(doc, '#VirtualMedia.EjectMedia')?.target, { kind: 'ejectMedia', mediaId: m.id });
    addAction(`${m.path}/Actions/VirtualMedia.InsertMedia`, { kind: 'insertMedia', mediaId: m.id });
    addAction(`${m.path}/Actions/VirtualMedia.EjectMedia`, { kind: 'ejectMedia', mediaId: m.id });
  }
  const storColl = canon(idOf(sys.Storage));
  const storage = storColl ? { collection: storColl, members: membersOf(storColl).map((m) => storageRole(tree, m)) } : null;

  const baseFile = tree.paths().find((p) => /\/Base(\.\d+\.\d+\.\d+)?\.json$/i.test(p) && (tree.get(p) as Json | undefined)?.RegistryPrefix === 'Base');
  const sessionService = tree.get(idOf(root.SessionService) ?? '/redfish/v1/SessionService');
  return {
    name, tree, caseInsensitive: ci, vendor,
    templateIds: { system: last(systemPath), manager: last(managerPath), chassis: last(chassisPath) },
    roles: {
      system: systemPath, manager: managerPath, chassis: chassisPath, bios: biosPath, biosSettings, secureBoot,
      ethernet: ethColl ? { collection: ethColl, members: membersOf(ethColl) } : null,
      vmedia: vmColl ? { collection: vmColl, members: vmMembers } : null,
      storage, actions, resetTypes: resetTypes ?? ALL_RESET_TYPES,
    },
    catalog: new MessageCatalog(baseFile ? tree.get(baseFile) : undefined),
    biosRegistry,
    sessionTimeoutSec: Number(sessionService?.SessionTimeout ?? 1800) || 1800,
  };
}

function storageRole(tree: ResourceTree, m: Member): StorageRole {
  const doc = tree.get(m.path) ?? {};
  const canonOr = (p: string): string => tree.canonical(p) ?? p;
  const drives = ((doc.Drives ?? []) as Json[]).map(idOf).filter((p): p is string => !!p).map((p) => ({ id: last(p), path: canonOr(p) }));
  const volumesPath = idOf(doc.Volumes) ? canonOr(idOf(doc.Volumes)!) : null;
  const volumes = volumesPath ? ((tree.get(volumesPath)?.Members ?? []) as Json[]).map(idOf).filter((p): p is string => !!p).map((p) => ({ id: last(p), path: canonOr(p) })) : [];
  let listed = (doc.StorageControllers as Json[] | undefined)?.[0]?.SupportedRAIDTypes as string[] | undefined;
  if (!listed?.length && idOf(doc.Controllers)) {
    const first = idOf(((tree.get(idOf(doc.Controllers)!)?.Members ?? []) as Json[])[0]);
    listed = (first ? tree.get(first)?.SupportedRAIDTypes : undefined) as string[] | undefined ?? listed;
  }
  // A controller that names no SupportedRAIDTypes at all (DMTF public-localstorage) takes any
  // level; an empty list means none.
  const raidTypes = listed ? [...listed] : [...ALL_RAID_TYPES];
  return { id: m.id, path: m.path, volumesPath, raidTypes, drives, volumes };
}

/** Finds and parses the AttributeRegistry named by a Bios resource, through the Registries collection. */
function findRegistry(tree: ResourceTree, root: Json, name: unknown): BiosRegistry | null {
  if (typeof name !== 'string') return null;
  const regColl = idOf(root.Registries);
  for (const m of (regColl ? tree.get(regColl)?.Members ?? [] : []) as Json[]) {
    const file = tree.get(idOf(m) ?? '');
    if (!file || (file.Id !== name && file.Registry !== name)) continue;
    const locs = (file.Location ?? []) as Json[];
    const loc = locs.find((l) => l.Language === 'en') ?? locs[0];
    const uri = (loc?.Uri ?? loc?.PublicationUri) as string | undefined;
    const reg = uri ? parseRegistry(tree.get(uri)) : null;
    if (reg) return reg;
  }
  return null;
}

