/**
 * The lab's emulated Redfish BMC: many machines behind one Redfish service.
 *
 * @module
 */

// Starting a lab
export { startRedfishLab, type RedfishLab, type RedfishLabOptions } from './lab.ts';

// Machine state and observation
export { LabMachine, type BootState, type HardwareSummary, type LabMachineInit, type NicState, type VirtualMediaState, type SecureBootState, type BiosState } from './machine.ts';
export { LabHooks, type HookCallbacks, type LabEvent, type PowerState } from './hooks.ts';
export { machineMac, machineUuid, deriveId } from './factory.ts';

// What runs on the machines (agents booted from virtual media, disks)
export { LabHosts, DEFAULT_DISK_SIZE, type LabHostOptions, type HostStatus, type HostState } from './host.ts';
export { parseGrubCfg, parseIsolinuxCfg, readIsoBoot, NoBootError, type BootEntry } from './iso-boot.ts';

// Faults
export { FaultInjector, FaultSpecError, type FaultSpec, type FaultRule, type FaultKind, type FaultDecision } from './faults.ts';

// Profiles
export { loadProfile, defaultMockupsDir, PROFILE_ALIASES, type Profile } from './profile.ts';
export { isMockupDir } from './tree.ts';
export type { GenericShape } from './generic.ts';

// Errors
export { RedfishError, MessageCatalog, type BaseMessageId } from './errors.ts';
