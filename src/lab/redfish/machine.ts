/**
 * `LabMachine`: the state of one emulated machine behind the lab BMC.
 *
 * The model is HTTP-free: methods validate their input, change the state, announce the change
 * through the `emit` callback (see hooks.ts) and throw `RedfishError` (status + Base message) on bad
 * input. The HTTP layer only translates requests into these calls and renders the state.
 *
 * Boot semantics (what a real BMC does, and what Ironic relies on):
 * - a power-on or restart first applies pending BIOS settings, then picks the boot device: the
 *   override target when `BootSourceOverrideEnabled` is Once/Continuous, else `Hdd`;
 * - a `Once` override is consumed by that boot (Enabled → Disabled, target → None);
 * - `Cd` and `Usb`/`Floppy` boots carry the image of the inserted virtual media of that type.
 *
 * @module
 */
import { biosDefaults, validateBiosChanges, type BiosAttributes, type BiosRegistry } from './bios.ts';
import { fail } from './errors.ts';
import type { LabEvent, PowerState } from './hooks.ts';
import { planVolume, type StorageState, type VolumeRequest, type VolumeState } from './storage.ts';
import { PowerTransition, type PowerStep } from './power-transition.ts';

export type BootEnabled = 'Once' | 'Continuous' | 'Disabled';
export type BootMode = 'UEFI' | 'Legacy';

export interface BootState {
  target: string;
  enabled: BootEnabled;
  mode: BootMode;
  uefiTarget: string | null;
  /** AllowableValues, from the profile. */
  allowedTargets: string[];
  allowedModes: BootMode[];
}

export interface NicState { id: string; mac: string; speedMbps: number; linkUp: boolean }

/** Fixed hardware facts the BMC reports (ProcessorSummary/MemorySummary), for agents that must agree. */
export interface HardwareSummary { cpuCount: number; cpuModel: string; coreCount: number; threadCount: number; memoryGiB: number }

export interface VirtualMediaState {
  id: string;
  /** Redfish MediaTypes (`CD`, `DVD`, `Floppy`, `USBStick`); inferred from the id when a profile omits them. */
  mediaTypes: string[];
  image: string | null;
  inserted: boolean;
  writeProtected: boolean;
  transferMethod: string | null;
  transferProtocolType: string | null;
  userName: string | null;
}

export interface SecureBootState { enabled: boolean; currentBoot: 'Enabled' | 'Disabled'; mode: string }

export interface BiosState {
  current: BiosAttributes;
  pending: BiosAttributes;
  defaults: BiosAttributes;
  registry: BiosRegistry | null;
  /** Outcome of the last apply, shown in `@Redfish.Settings` (Time, Messages). */
  lastApplied: { time: string; ok: boolean } | null;
}

/** Everything needed to create a machine; built by the profile code. */
export interface LabMachineInit {
  index: number;
  id: string;
  uuid: string;
  name: string;
  managerId: string;
  chassisId: string;
  power: PowerState;
  boot: BootState;
  resetTypes: string[];
  secureBoot: SecureBootState | null;
  hardware: HardwareSummary;
  nics: NicState[];
  virtualMedia: VirtualMediaState[];
  bios: { attributes: BiosAttributes; registry: BiosRegistry | null } | null;
  storage: StorageState[];
  extras: Record<string, unknown>;
}

/** The values a client may PATCH at the top level of a ComputerSystem, with their JSON type. */
const WRITABLE_EXTRAS: Record<string, string> = { AssetTag: 'string', IndicatorLED: 'string', LocationIndicatorActive: 'boolean' };

const INSERT_PARAMS = new Set(['Image', 'Inserted', 'WriteProtected', 'TransferMethod', 'TransferProtocolType', 'UserName', 'Password', 'MediaType']);
const TRANSFER_METHODS = ['Stream', 'Upload'];
const TRANSFER_PROTOCOLS = ['CIFS', 'FTP', 'SFTP', 'HTTP', 'HTTPS', 'NFS', 'SCP', 'TFTP', 'OEM'];

export class LabMachine {
  readonly index: number;
  readonly id: string;
  readonly uuid: string;
  readonly name: string;
  readonly managerId: string;
  readonly chassisId: string;
  readonly resetTypes: string[];
  power: PowerState;
  readonly boot: BootState;
  readonly secureBoot: SecureBootState | null;
  readonly hardware: HardwareSummary;
  readonly nics: NicState[];
  readonly virtualMedia: VirtualMediaState[];
  readonly bios: BiosState | null;
  readonly storage: StorageState[];
  readonly extras: Record<string, unknown>;
  /** Device and media of the last boot, for observers that poll instead of subscribing. */
  lastBoot: { device: string; media: string | null; at: string } | null = null;
  /** A power change under way (see power-transition.ts); `power` is the settled state. */
  readonly transition = new PowerTransition();
  private readonly emit: (e: LabEvent) => void;

  constructor(init: LabMachineInit, emit: (e: LabEvent) => void = () => {}) {
    this.index = init.index;
    this.id = init.id;
    this.uuid = init.uuid;
    this.name = init.name;
    this.managerId = init.managerId;
    this.chassisId = init.chassisId;
    this.resetTypes = init.resetTypes;
    this.power = init.power;
    this.boot = init.boot;
    this.secureBoot = init.secureBoot;
    this.hardware = init.hardware;
    this.nics = init.nics;
    this.virtualMedia = init.virtualMedia;
    this.bios = init.bios
      ? { current: { ...init.bios.attributes }, pending: {}, defaults: biosDefaults(init.bios.attributes, init.bios.registry), registry: init.bios.registry, lastApplied: null }
      : null;
    this.storage = init.storage;
    this.extras = init.extras;
    this.emit = emit;
  }

  /** `PowerState` as the BMC reports it: `PoweringOn`/`PoweringOff` while a change is under way. */
  get reportedPower(): string {
    return this.transition.state ?? this.power;
  }

  /**
   * `#ComputerSystem.Reset`. Idempotent where the spec allows: On when on, ForceOff when off are
   * no-ops. Restart types power an off machine on. Throws 400 for a type the profile does not list.
   * With `transitionMs` > 0 each power change takes that long (a restart twice: off, then on),
   * reported as PoweringOn/PoweringOff; a reset during it is refused with 409
   * ActionParameterValueConflict, as iDRACs do. A function is asked only when power changes.
   */
  reset(resetType: unknown, transitionMs: number | (() => number) = 0): void {
    if (typeof resetType !== 'string') throw fail.actionParamMissing('ComputerSystem.Reset', 'ResetType');
    if (!this.resetTypes.includes(resetType)) throw fail.actionParamNotInList(resetType, 'ResetType', 'ComputerSystem.Reset');
    if (this.transition.state) throw fail.actionParamConflict('ResetType', resetType);
    const off: PowerStep = { shown: 'PoweringOff', apply: () => this.powerOff(resetType) };
    const on: PowerStep = { shown: 'PoweringOn', apply: () => this.powerOn(resetType) };
    const isOn = this.power === 'On';
    const run = (steps: PowerStep[]): void => {
      if (steps.length > 0) this.transition.run(steps, typeof transitionMs === 'function' ? transitionMs() : transitionMs);
    };
    switch (resetType) {
      case 'On': case 'ForceOn':
        return run(isOn ? [] : [on]);
      case 'ForceOff': case 'GracefulShutdown':
        return run(isOn ? [off] : []);
      case 'PushPowerButton':
        return run([isOn ? off : on]);
      case 'GracefulRestart': case 'ForceRestart': case 'PowerCycle':
        return run(isOn ? [off, on] : [on]);
      case 'Nmi':
        if (isOn) this.emit({ type: 'nmi', machineId: this.id });
        return;
      default:
        throw fail.actionParamNotInList(resetType, 'ResetType', 'ComputerSystem.Reset');
    }
  }

  /**
   * Power control from inside the machine (its OS's poweroff / reboot, as the agent asks
   * through the lab's `powerControlUrl`), not through the BMC: no reset-type check. A reboot
   * boots again with the same rules as a BMC restart (a `Once` override is honoured).
   */
  hostPower(action: 'off' | 'reboot'): void {
    if (action === 'off') {
      if (this.power === 'On') this.powerOff('HostPowerOff');
      return;
    }
    if (this.power === 'On') this.powerOff('HostReboot');
    this.powerOn('HostReboot');
  }

  /** Stops timers (a power change under way is abandoned); called when the lab closes. */
  dispose(): void {
    this.transition.cancel();
  }

  private powerOff(resetType: string): void {
    this.power = 'Off';
    this.emit({ type: 'power', machineId: this.id, state: 'Off', resetType });
  }

  private powerOn(resetType: string): void {
    this.power = 'On';
    this.applyPendingBios();
    if (this.secureBoot) this.secureBoot.currentBoot = this.secureBoot.enabled && this.boot.mode === 'UEFI' ? 'Enabled' : 'Disabled';
    let device = 'Hdd';
    if (this.boot.enabled !== 'Disabled' && this.boot.target !== 'None') device = this.boot.target;
    if (this.boot.enabled === 'Once') {
      this.boot.enabled = 'Disabled';
      this.boot.target = 'None';
    }
    const media = this.mediaFor(device);
    this.lastBoot = { device, media, at: new Date().toISOString() };
    this.emit({ type: 'power', machineId: this.id, state: 'On', resetType });
    this.emit({ type: 'boot', machineId: this.id, device, media, mode: this.boot.mode });
  }

  private mediaFor(device: string): string | null {
    const wanted = device === 'Cd' ? ['CD', 'DVD'] : device === 'Usb' || device === 'Floppy' ? ['USBStick', 'Floppy'] : [];
    const vm = this.virtualMedia.find((m) => m.inserted && m.image && m.mediaTypes.some((t) => wanted.includes(t)));
    return vm?.image ?? null;
  }

  /**
   * PATCH of a ComputerSystem: `Boot` and a few writable properties. `readOnly` lists the other
   * properties the resource shows (answered with PropertyNotWritable rather than PropertyUnknown).
   * All-or-nothing: any bad property rejects the whole request.
   */
  patchSystem(body: Record<string, unknown>, readOnly: Set<string>): void {
    const extras: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(body)) {
      if (k === 'Boot' || k.startsWith('@odata.')) continue;
      if (WRITABLE_EXTRAS[k]) {
        if (typeof v !== WRITABLE_EXTRAS[k]) throw fail.typeError(v, k);
        extras[k] = v;
      } else if (readOnly.has(k)) throw fail.notWritable(k);
      else throw fail.propertyUnknown(k);
    }
    if (body.Boot !== undefined) this.setBootOverride(body.Boot);
    Object.assign(this.extras, extras);
  }

  /** Validates and stores a boot override (the `Boot` object of a PATCH). */
  setBootOverride(boot: unknown): void {
    if (boot === null || typeof boot !== 'object' || Array.isArray(boot)) throw fail.typeError(boot, 'Boot');
    const b = boot as Record<string, unknown>;
    const next = { ...this.boot };
    for (const [k, v] of Object.entries(b)) {
      const prop = `Boot/${k}`;
      switch (k) {
        case 'BootSourceOverrideTarget':
          if (typeof v !== 'string') throw fail.typeError(v, prop);
          if (!this.boot.allowedTargets.includes(v)) throw fail.notInList(v, prop);
          next.target = v;
          break;
        case 'BootSourceOverrideEnabled':
          if (v !== 'Once' && v !== 'Continuous' && v !== 'Disabled') throw fail.notInList(v, prop);
          next.enabled = v;
          break;
        case 'BootSourceOverrideMode':
          if (typeof v !== 'string' || !this.boot.allowedModes.includes(v as BootMode)) throw fail.notInList(v, prop);
          next.mode = v as BootMode;
          break;
        case 'UefiTargetBootSourceOverride':
          if (typeof v !== 'string' && v !== null) throw fail.typeError(v, prop);
          next.uefiTarget = v;
          break;
        case 'BootSourceOverrideTarget@Redfish.AllowableValues': case 'BootOptions': case 'BootOrder': case 'BootNext':
          throw fail.notWritable(prop);
        default:
          throw fail.propertyUnknown(prop);
      }
    }
    Object.assign(this.boot, next);
    this.emit({ type: 'bootOverride', machineId: this.id, target: this.boot.target, enabled: this.boot.enabled, mode: this.boot.mode });
  }

  /** PATCH of the BIOS settings object: validates and merges into the pending set (applied on next boot). */
  stageBios(attributes: unknown): void {
    const bios = this.requireBios();
    const changes = validateBiosChanges(attributes, bios.current, bios.registry);
    Object.assign(bios.pending, changes);
    this.emit({ type: 'biosPending', machineId: this.id, pending: { ...bios.pending } });
  }

  /** `#Bios.ResetBios`: restores defaults at once and drops pending changes. */
  resetBios(): void {
    const bios = this.requireBios();
    const applied = { ...bios.defaults };
    Object.assign(bios.current, applied);
    for (const k of Object.keys(bios.pending)) delete bios.pending[k];
    bios.lastApplied = { time: new Date().toISOString(), ok: true };
    this.emit({ type: 'biosApplied', machineId: this.id, applied, reset: true });
  }

  private applyPendingBios(): void {
    const bios = this.bios;
    if (!bios || Object.keys(bios.pending).length === 0) return;
    const applied = { ...bios.pending };
    Object.assign(bios.current, applied);
    for (const k of Object.keys(bios.pending)) delete bios.pending[k];
    bios.lastApplied = { time: new Date().toISOString(), ok: true };
    this.emit({ type: 'biosApplied', machineId: this.id, applied, reset: false });
  }

  private requireBios(): BiosState {
    if (!this.bios) throw fail.notFound('Bios');
    return this.bios;
  }

  /** `#VirtualMedia.InsertMedia`. 409 ResourceInUse when media is already inserted (eject first). */
  insertMedia(mediaId: string, params: Record<string, unknown>): void {
    const vm = this.media(mediaId);
    const action = 'VirtualMedia.InsertMedia';
    for (const k of Object.keys(params)) if (!INSERT_PARAMS.has(k)) throw fail.actionParamUnknown(action, k);
    const image = params.Image;
    if (image === undefined || image === null || image === '') throw fail.actionParamMissing(action, 'Image');
    if (typeof image !== 'string') throw fail.actionParamType(image, 'Image', action);
    for (const k of ['Inserted', 'WriteProtected']) {
      if (params[k] !== undefined && typeof params[k] !== 'boolean') throw fail.actionParamType(params[k], k, action);
    }
    if (params.TransferMethod !== undefined && !TRANSFER_METHODS.includes(params.TransferMethod as string)) {
      throw fail.actionParamNotInList(params.TransferMethod, 'TransferMethod', action);
    }
    if (params.TransferProtocolType !== undefined && !TRANSFER_PROTOCOLS.includes(params.TransferProtocolType as string)) {
      throw fail.actionParamNotInList(params.TransferProtocolType, 'TransferProtocolType', action);
    }
    if (vm.inserted && vm.image) throw fail.inUse();
    vm.image = image;
    vm.inserted = params.Inserted !== false;
    vm.writeProtected = params.WriteProtected !== false;
    vm.transferMethod = (params.TransferMethod as string | undefined) ?? 'Stream';
    vm.transferProtocolType = (params.TransferProtocolType as string | undefined) ?? protocolOf(image);
    vm.userName = (params.UserName as string | undefined) ?? null;
    this.emit({ type: 'media', machineId: this.id, mediaId, image, inserted: vm.inserted });
  }

  /** `#VirtualMedia.EjectMedia`; a no-op when nothing is inserted. */
  ejectMedia(mediaId: string): void {
    const vm = this.media(mediaId);
    const had = vm.image !== null || vm.inserted;
    Object.assign(vm, { image: null, inserted: false, transferMethod: null, transferProtocolType: null, userName: null });
    if (had) this.emit({ type: 'media', machineId: this.id, mediaId, image: null, inserted: false });
  }

  /** PATCH of a VirtualMedia resource: `Image` + `Inserted` insert (replacing), `Image: null` or `Inserted: false` eject. */
  patchMedia(mediaId: string, body: Record<string, unknown>): void {
    const vm = this.media(mediaId);
    const allowed = new Set(['Image', 'Inserted', 'WriteProtected', 'TransferMethod', 'TransferProtocolType', 'UserName', 'Password', 'VerifyCertificate']);
    for (const k of Object.keys(body)) {
      if (!allowed.has(k)) throw k === 'MediaTypes' || k === 'ConnectedVia' || k === 'ImageName' ? fail.notWritable(k) : fail.propertyUnknown(k);
    }
    if (body.Image !== undefined && body.Image !== null && typeof body.Image !== 'string') throw fail.typeError(body.Image, 'Image');
    if (body.Inserted !== undefined && typeof body.Inserted !== 'boolean') throw fail.typeError(body.Inserted, 'Inserted');
    if (body.WriteProtected !== undefined && typeof body.WriteProtected !== 'boolean') throw fail.typeError(body.WriteProtected, 'WriteProtected');
    if (body.Image === null || body.Image === '' || body.Inserted === false) {
      this.ejectMedia(mediaId);
      return;
    }
    if (typeof body.Image === 'string') {
      const { Image, Inserted, WriteProtected, TransferMethod, TransferProtocolType, UserName } = body;
      this.ejectMedia(mediaId);
      this.insertMedia(mediaId, clean({ Image, Inserted, WriteProtected, TransferMethod, TransferProtocolType, UserName }));
    } else if (typeof body.WriteProtected === 'boolean') {
      vm.writeProtected = body.WriteProtected;
    }
  }

  private media(mediaId: string): VirtualMediaState {
    const vm = this.virtualMedia.find((m) => m.id === mediaId);
    if (!vm) throw fail.notFound(`VirtualMedia/${mediaId}`);
    return vm;
  }

  /** PATCH of SecureBoot (`SecureBootEnable`); takes effect (`SecureBootCurrentBoot`) on next boot. */
  setSecureBoot(body: Record<string, unknown>): void {
    if (!this.secureBoot) throw fail.notFound('SecureBoot');
    for (const [k, v] of Object.entries(body)) {
      if (k !== 'SecureBootEnable') throw ['SecureBootCurrentBoot', 'SecureBootMode', 'Id', 'Name'].includes(k) ? fail.notWritable(k) : fail.propertyUnknown(k);
      if (typeof v !== 'boolean') throw fail.typeError(v, k);
      this.secureBoot.enabled = v;
      this.emit({ type: 'secureBoot', machineId: this.id, enabled: v });
    }
  }

  /** `#SecureBoot.ResetKeys`: only changes `SecureBootMode` (keys are not modelled). */
  resetSecureBootKeys(type: unknown): void {
    if (!this.secureBoot) throw fail.notFound('SecureBoot');
    const allowed = ['ResetAllKeysToDefault', 'DeleteAllKeys', 'DeletePK'];
    if (!allowed.includes(type as string)) throw fail.actionParamNotInList(type, 'ResetKeysType', 'SecureBoot.ResetKeys');
    this.secureBoot.mode = type === 'ResetAllKeysToDefault' ? 'UserMode' : 'SetupMode';
    if (type !== 'ResetAllKeysToDefault') this.secureBoot.enabled = false;
  }

  /** Validates a volume creation now; the returned plan is committed later by `commitVolume`. */
  planVolume(storageId: string, req: VolumeRequest): VolumeState {
    const st = this.storageById(storageId);
    if (!st.volumesSupported) throw fail.methodNotAllowed(['GET']);
    return planVolume(st, req);
  }

  /** Re-validates the plan against the current state and adds the volume. Throws 400 if space ran out. */
  commitVolume(storageId: string, plan: VolumeState): VolumeState {
    const st = this.storageById(storageId);
    const fresh = planVolume(st, { raidType: plan.raidType, capacityBytes: plan.capacityBytes, driveIds: plan.driveIds, name: plan.name });
    while (st.volumes.some((v) => v.id === fresh.id)) fresh.id = String(++st.nextVolumeId);
    st.nextVolumeId = Number(fresh.id) + 1;
    st.volumes.push(fresh);
    this.emit({ type: 'volume', machineId: this.id, action: 'created', storageId, volumeId: fresh.id });
    return fresh;
  }

  deleteVolume(storageId: string, volumeId: string): void {
    const st = this.storageById(storageId);
    const i = st.volumes.findIndex((v) => v.id === volumeId);
    if (i < 0) throw fail.notFound(`Volumes/${volumeId}`);
    st.volumes.splice(i, 1);
    this.emit({ type: 'volume', machineId: this.id, action: 'deleted', storageId, volumeId });
  }

  storageById(storageId: string): StorageState {
    const st = this.storage.find((s) => s.id === storageId);
    if (!st) throw fail.notFound(`Storage/${storageId}`);
    return st;
  }

  /** A plain summary for logs and the `/lab/machines` endpoint. */
  snapshot(): Record<string, unknown> {
    return {
      index: this.index, id: this.id, uuid: this.uuid, name: this.name, power: this.power, powerState: this.reportedPower,
      boot: { target: this.boot.target, enabled: this.boot.enabled, mode: this.boot.mode },
      macs: this.nics.map((n) => n.mac), lastBoot: this.lastBoot,
      virtualMedia: this.virtualMedia.map((m) => ({ id: m.id, image: m.image, inserted: m.inserted })),
      biosPending: this.bios ? { ...this.bios.pending } : null,
      volumes: this.storage.flatMap((s) => s.volumes.map((v) => ({ storage: s.id, id: v.id, raidType: v.raidType, capacityBytes: v.capacityBytes }))),
    };
  }
}

function protocolOf(image: string): string | null {
  const scheme = /^([a-z]+):\/\//i.exec(image)?.[1]?.toUpperCase();
  return scheme && TRANSFER_PROTOCOLS.includes(scheme) ? scheme : null;
}

function clean(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}

