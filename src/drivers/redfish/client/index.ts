/**
 * Ingot's Redfish client library (what python `sushy` is to Ironic).
 *
 * Usage:
 *   await using client = new RedfishClient({ address: 'https://bmc', username, password, verifyCa: false });
 *   const system = await findSystem(client, '/redfish/v1/Systems/1');
 *   await setBootOverride(client, system, { target: 'Pxe', enabled: 'Once', mode: 'UEFI' });
 *   await setPower(client, system, 'reboot');
 *
 * Everything public is listed here by name; other files are internal.
 */
export { RedfishClient } from './client.ts';
export type { RedfishClientOptions, RequestOptions, PatchOptions } from './client.ts';
export type { AuthType } from './session.ts';
export type { HttpResponse } from './http.ts';
export type { RedfishLogger } from './log.ts';
export { silentLogger } from './log.ts';

export {
  RedfishClientError, RedfishError, RedfishConnectionError, RedfishProtocolError, RedfishInvalidValueError,
  RedfishTaskError, parseErrorBody, parseMessages, substituteArgs, isRetryableStatus,
} from './errors.ts';
export type { RedfishMessage, ConnectionErrorKind, AuthFailure } from './errors.ts';

export {
  allowableValues, checkAllowed, findAction, actionInfoAllowableValues, parseSettings, samePath, normalizePath,
  lastSegment, normalizeMac, link, links, odataId,
} from './odata.ts';
export type { JsonObject, ActionRef, SettingsInfo } from './odata.ts';

export {
  listMemberEntries, listMemberUris, getMembers, getOptional, getOptionalMembers,
} from './collections.ts';
export type { GetMembersOptions } from './collections.ts';

export {
  TaskMonitor, parseTask, isTaskFinished, isTaskFailed, looksLikeTask, parseRetryAfter, TERMINAL_TASK_STATES,
} from './tasks.ts';
export type { TaskInfo, TaskPollResult, TaskWaitOptions } from './tasks.ts';

export {
  parseServiceRoot, getServiceRoot, parseSessionService, getSessionService, parseSession, listSessions,
  parseTaskService, getTaskService, listTasks,
} from './services.ts';
export type { ServiceRoot, SessionService, SessionInfo, TaskService } from './services.ts';

export {
  parseSystem, parseBoot, systemsCollectionUri, listSystemUris, getSystem, findSystem, getResetTypes, resetSystem,
  setPower, POWER_RESET_TYPES, setBootOverride, parseSecureBoot, getSecureBoot, setSecureBoot, resetSecureBootKeys,
} from './systems.ts';
export type {
  ComputerSystem, BootSettings, BootOverride, ResetActionRef, SystemLinks, PowerAction, SecureBoot,
} from './systems.ts';

export {
  parseProcessor, getProcessors, installedCpus, parseMemory, getMemory, totalMemoryMiB,
  parseEthernetInterface, getEthernetInterfaces,
} from './inventory.ts';
export type { Processor, MemoryModule, EthernetInterface } from './inventory.ts';

export {
  parseSimpleStorage, getSimpleStorage, parseStorage, getStorage, parseDrive, getDrives, parseVolume, getVolumes,
  getAllVolumes, getVolumeCollection, supportedApplyTimes, volumePayload, createVolume, deleteVolume,
} from './storage.ts';
export type {
  SimpleStorage, SimpleStorageDevice, Storage, StorageController, Drive, Volume, VolumeSpec, VolumeOperation,
} from './storage.ts';

export {
  parseBios, getBios, biosSettingsUri, getPendingBiosAttributes, setBiosAttributes, resetBios,
  parseAttributeRegistry, validateBiosAttributes, parseRegistryLocations, orderLocations, findRegistryFile,
  getAttributeRegistry,
} from './bios.ts';
export type { Bios, AttributeRegistry, RegistryAttribute, RegistryFileLocation } from './bios.ts';

export {
  parseManager, getManagers, getManager, getSystemManagers, parseVirtualMedia, listVirtualMedia, pickVirtualMedia,
  insertMedia, ejectMedia, getVirtualMedia, getManagerVirtualMedia, resetManager, protocolOf,
} from './managers.ts';
export type { Manager, VirtualMedia, InsertMediaOptions } from './managers.ts';
