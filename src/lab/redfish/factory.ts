/**
 * Builds the initial `LabMachine` state of machine N from a profile.
 *
 * Identity is deterministic per machine index so repeated lab runs (and Ironic enrolments made
 * against them) see the same values:
 * - UUID `1ab0c0de-0000-4000-8000-<index as 12 hex digits>`;
 * - NIC j MAC `52:54:00:<index high byte>:<index low byte>:<j>`;
 * - ids: the generic profile uses the UUID for system, manager and chassis (as sushy-tools does);
 *   a mockup keeps its own ids for the lab's first machine (iLO `Systems/1`, AMI `Systems/Self`)
 *   and derives the next ones: numeric ids count up (`1`, `2`, ...), others get a suffix
 *   (`Self`, `Self-1`, ...).
 *
 * Every machine starts clean whatever the mockup captured: powered off (configurable), no boot
 * override, no virtual media inserted, no pending BIOS settings.
 *
 * @module
 */
import type { PowerState } from './hooks.ts';
import type { BootMode, BootState, LabMachineInit, VirtualMediaState } from './machine.ts';
import type { Profile } from './profile.ts';
import { raidTypeOfVolumeType, type StorageState, type VolumeState } from './storage.ts';
import type { Json } from './tree.ts';

const DEFAULT_TARGETS = ['None', 'Pxe', 'Cd', 'Usb', 'Hdd', 'BiosSetup'];

export function machineUuid(index: number): string {
  return `1ab0c0de-0000-4000-8000-${index.toString(16).padStart(12, '0')}`;
}

export function machineMac(index: number, nic: number): string {
  const h = (n: number): string => (n & 0xff).toString(16).padStart(2, '0');
  return `52:54:00:${h(index >> 8)}:${h(index)}:${h(nic)}`;
}

/** Id of the `position`-th machine of a lab for a template id (see module doc). */
export function deriveId(templateId: string, position: number): string {
  if (/^\d+$/.test(templateId)) return String(Number(templateId) + position);
  return position === 0 ? templateId : `${templateId}-${position}`;
}

export interface FactoryOptions {
  /** Position in this lab (0-based): drives the ids of mockup profiles. */
  position: number;
  /** Global machine index: drives UUID and MACs. */
  index: number;
  power: PowerState;
}

/** Initial state of one machine. */
export function machineInit(profile: Profile, o: FactoryOptions): LabMachineInit {
  const { tree, roles } = profile;
  const uuid = machineUuid(o.index);
  const generic = profile.name === 'generic';
  const ids = generic
    ? { system: uuid, manager: uuid, chassis: uuid }
    : { system: deriveId(profile.templateIds.system, o.position), manager: deriveId(profile.templateIds.manager, o.position), chassis: deriveId(profile.templateIds.chassis, o.position) };
  const sys = tree.get(roles.system) ?? {};
  const boot = (sys.Boot ?? {}) as Json;
  const allowedModes = ((boot['BootSourceOverrideMode@Redfish.AllowableValues'] as string[] | undefined) ?? ['UEFI', 'Legacy'])
    .filter((m): m is BootMode => m === 'UEFI' || m === 'Legacy');
  const bootState: BootState = {
    target: 'None',
    enabled: 'Disabled',
    mode: boot.BootSourceOverrideMode === 'Legacy' ? 'Legacy' : 'UEFI',
    uefiTarget: null,
    allowedTargets: (boot['BootSourceOverrideTarget@Redfish.AllowableValues'] as string[] | undefined) ?? DEFAULT_TARGETS,
    allowedModes: allowedModes.length ? allowedModes : ['UEFI', 'Legacy'],
  };
  const sb = roles.secureBoot ? tree.get(roles.secureBoot) : undefined;
  const biosDoc = roles.bios ? tree.get(roles.bios) : undefined;
  const extras: Record<string, unknown> = {};
  for (const k of ['AssetTag', 'IndicatorLED', 'LocationIndicatorActive']) if (k in sys) extras[k] = sys[k];

  return {
    index: o.index,
    id: ids.system,
    uuid,
    name: generic ? `lab-${o.index}` : String(sys.Name ?? ids.system),
    managerId: ids.manager,
    chassisId: ids.chassis,
    power: o.power,
    boot: bootState,
    resetTypes: [...roles.resetTypes],
    hardware: hardwareOf(sys),
    secureBoot: sb ? { enabled: false, currentBoot: 'Disabled', mode: String(sb.SecureBootMode ?? 'UserMode') } : null,
    nics: (roles.ethernet?.members ?? []).map((m, j) => {
      const doc = tree.get(m.path) ?? {};
      return { id: m.id, mac: machineMac(o.index, j), speedMbps: Number(doc.SpeedMbps ?? 1000), linkUp: doc.LinkStatus !== 'LinkDown' };
    }),
    virtualMedia: (roles.vmedia?.members ?? []).map((m): VirtualMediaState => {
      const doc = tree.get(m.path) ?? {};
      return {
        id: m.id, mediaTypes: mediaTypesOf(doc, m.id), image: null, inserted: false, writeProtected: true,
        transferMethod: null, transferProtocolType: null, userName: null,
      };
    }),
    bios: biosDoc ? { attributes: structuredClone((biosDoc.Attributes ?? {}) as Record<string, never>), registry: profile.biosRegistry } : null,
    storage: (roles.storage?.members ?? []).map((r): StorageState => {
      const volumes = r.volumes.map((v): VolumeState => {
        const doc = tree.get(v.path) ?? {};
        const driveLinks = (((doc.Links as Json | undefined)?.Drives ?? []) as Json[]).map((d) => String(d['@odata.id'] ?? '').split('/').pop()!);
        return {
          id: v.id, name: String(doc.Name ?? v.id), templatePath: v.path, driveIds: driveLinks.filter((d) => r.drives.some((x) => x.id === d)),
          raidType: String(doc.RAIDType ?? raidTypeOfVolumeType(String(doc.VolumeType ?? '')) ?? 'None'), capacityBytes: Number(doc.CapacityBytes ?? 0),
        };
      });
      const numeric = volumes.map((v) => Number(v.id)).filter(Number.isInteger);
      return {
        id: r.id, raidTypes: r.raidTypes, volumesSupported: r.volumesPath !== null, volumes,
        nextVolumeId: numeric.length ? Math.max(...numeric) + 1 : 1,
        drives: r.drives.map((d) => ({ id: d.id, path: d.path, capacityBytes: Number(tree.get(d.path)?.CapacityBytes ?? 0) })),
      };
    }),
    extras,
  };
}

function hardwareOf(sys: Json): LabMachineInit['hardware'] {
  const cpu = (sys.ProcessorSummary ?? {}) as Json;
  const mem = (sys.MemorySummary ?? {}) as Json;
  const count = Number(cpu.Count ?? 0);
  const cores = Number(cpu.CoreCount ?? count);
  return {
    cpuCount: count, cpuModel: String(cpu.Model ?? '').trim(), coreCount: cores,
    threadCount: Number(cpu.LogicalProcessorCount ?? cores), memoryGiB: Number(mem.TotalSystemMemoryGiB ?? 0),
  };
}

function mediaTypesOf(doc: Json, id: string): string[] {
  if (Array.isArray(doc.MediaTypes) && doc.MediaTypes.length) return doc.MediaTypes as string[];
  const hint = `${id} ${String(doc.Name ?? '')}`;
  if (/floppy|usb|removable/i.test(hint)) return ['Floppy', 'USBStick'];
  return ['CD', 'DVD'];
}
