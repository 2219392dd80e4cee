/**
 * Driver interfaces. A hardware type is a set of implementations, one per interface kind.
 *
 * Contract for every implementation:
 * - It gets a `DriverContext` (a node snapshot and helpers) and never imports the
 *   conductor, the database or the API.
 * - It throws `DriverError` (core/errors) with a message an operator can act on; the
 *   conductor records that message as the node's `last_error`.
 * - Long operations honour `ctx.signal`.
 */
import type { Node, Json, InterfaceKind } from '../core/node.ts';
import type { BiosSetting } from '../core/bios.ts';

export interface DriverLogger {
  info(obj: unknown, msg?: string): void;
  warn(obj: unknown, msg?: string): void;
  error(obj: unknown, msg?: string): void;
  debug(obj: unknown, msg?: string): void;
}

/** A port as drivers see it (MAC and flags only). */
export interface DriverPort {
  uuid: string;
  address: string;
  pxe_enabled: boolean;
  physical_network: string | null;
  extra: Json;
  /** The whole port as Ironic's Port.as_dict() renders it (sent to agents with step commands). */
  asDict?: Json;
}

export interface DriverContext {
  readonly node: Readonly<Node>;
  /**
   * The node's ports. Read from the database on the first call only (most driver calls
   * never need them), so ask where they are used rather than up front.
   */
  loadPorts(): Promise<readonly DriverPort[]>;
  /**
   * Create a port (pxe_enabled) for each MAC that has none anywhere (Ironic's
   * create_ports_if_not_exist), written at once so that the boot interface sees them; an
   * invalid MAC is skipped with a warning. Conductor contexts under a lock provide it.
   */
  createPortsIfNotExist?(macs: readonly string[]): Promise<void>;
  readonly logger: DriverLogger;
  readonly signal: AbortSignal;
  /** Merge keys into node.driver_internal_info (persisted by the conductor after the call). */
  setInternalInfo(values: Json): void;
  /**
   * Record node fields the driver learned or changed (persisted by the conductor after
   * the call): the RAID configuration built, properties found, boot mode, secure boot.
   */
  setNodeFields?(fields: NodeFieldUpdate): void;
  /**
   * The node's cached BIOS settings (bios_settings rows), when the call concerns BIOS.
   * Read on the first call only, like `loadPorts`.
   */
  loadBiosSettings?(): Promise<readonly BiosSetting[]>;
  /** Replace ALL cached BIOS settings rows (persisted by the conductor after the call). */
  replaceBiosSettings?(settings: BiosSetting[]): void;
  /**
   * The node's other interfaces, for implementations that orchestrate them the way
   * Ironic's deploy interfaces call task.driver.boot / task.driver.power. The conductor
   * always sets it; only hand-made test contexts may lack it.
   */
  readonly driver?: ComposedDriver;
}

/** Node fields a driver may ask the conductor to store. */
export type NodeFieldUpdate = Partial<Pick<Node, 'raid_config' | 'target_raid_config' | 'properties' | 'boot_mode' | 'secure_boot' | 'instance_info' | 'power_state'>>;

/** A clean/deploy step an interface offers (Ironic's @clean_step / @deploy_step). */
export interface StepDef {
  readonly step: string;
  /** Priority in automated cleaning; 0 = only manual. */
  readonly cleanPriority?: number;
  /** Priority in deployment; 0 / undefined = not a deploy step unless requested. */
  readonly deployPriority?: number;
  readonly abortable?: boolean;
  readonly argsinfo?: Readonly<Record<string, { description: string; required?: boolean }>>;
  readonly requiresRamdisk?: boolean;
}

/**
 * A step known only at run time (reported by an agent), as Ironic's step dict. Its
 * `priority` is the one for the phase it was reported for, configuration overrides applied.
 */
export interface RuntimeStep {
  readonly step: string;
  readonly interface: string;
  readonly priority: number;
  readonly abortable?: boolean;
  readonly reboot_requested?: boolean;
  readonly requires_ramdisk?: boolean;
  readonly argsinfo?: Readonly<Record<string, { description: string; required?: boolean }>> | null;
}

/** Outcome of a step or long operation: finished, or waiting for a callback/poll. */
export type StepOutcome = 'done' | 'wait';

export interface DriverInterface {
  /** The implementation's name as it appears in `<kind>_interface`, e.g. `fake`, `redfish`. */
  readonly name: string;
  /** driver_info keys this implementation reads, with descriptions (`Required.` prefix if required). */
  properties(): Readonly<Record<string, string>>;
  /** Throws `InvalidError`/`DriverError` when the node is not usable with this interface. */
  validate(ctx: DriverContext): Promise<void>;
  /** Steps this interface offers. */
  readonly steps?: readonly StepDef[];
  /**
   * Steps this interface offers at run time beyond `steps` (Ironic's get_clean_steps /
   * get_deploy_steps of agent-based interfaces: the agent's steps cached on the node).
   * The conductor merges them with `steps` (same interface+step: the runtime one wins).
   */
  getSteps?(ctx: DriverContext, phase: 'clean' | 'deploy'): readonly RuntimeStep[];
  /** Run one of `steps` or of `getSteps()`. */
  executeStep?(ctx: DriverContext, step: string, args: Json): Promise<StepOutcome>;
  /** False for no-op implementations (`no-bios`, `no-raid`...): validate reports "not supported". */
  readonly supported?: boolean;
}

export interface PowerInterface extends DriverInterface {
  getPowerState(ctx: DriverContext): Promise<string>;
  /** Set `power on` / `power off` / `soft power off`; resolves once the state is reached. */
  setPowerState(ctx: DriverContext, target: string, timeoutS?: number): Promise<void>;
  /** Hard or soft reboot; resolves when the node is on again. */
  reboot(ctx: DriverContext, soft: boolean, timeoutS?: number): Promise<void>;
  getSupportedPowerStates(ctx: DriverContext): Promise<string[]>;
}

export interface BootDeviceInfo { boot_device: string | null; persistent: boolean | null }

export interface ManagementInterface extends DriverInterface {
  getSupportedBootDevices(ctx: DriverContext): Promise<string[]>;
  setBootDevice(ctx: DriverContext, device: string, persistent: boolean): Promise<void>;
  getBootDevice(ctx: DriverContext): Promise<BootDeviceInfo>;
  injectNmi?(ctx: DriverContext): Promise<void>;
  /** The hardware vendor (stored as properties.vendor at verify), or null if unknown. */
  detectVendor?(ctx: DriverContext): Promise<string | null>;
  /** MACs of the NICs the BMC reports enabled (Ironic's get_mac_addresses; in-band inspection creates ports for them first). */
  getMacAddresses?(ctx: DriverContext): Promise<string[]>;
  getBootMode?(ctx: DriverContext): Promise<string | null>;
  setBootMode?(ctx: DriverContext, mode: 'uefi' | 'bios'): Promise<void>;
  getSecureBoot?(ctx: DriverContext): Promise<boolean | null>;
  setSecureBoot?(ctx: DriverContext, enabled: boolean): Promise<void>;
  getIndicators?(ctx: DriverContext): Promise<Record<string, Record<string, { readonly: boolean; states: string[] }>>>;
  getIndicatorState?(ctx: DriverContext, component: string, indicator: string): Promise<string>;
  setIndicatorState?(ctx: DriverContext, component: string, indicator: string, state: string): Promise<void>;
}

/**
 * What the caller of prepareRamdisk wants the ramdisk to get besides the boot interface's
 * own parameters: `kernelParams` are appended to the kernel command line by boot interfaces
 * that build one (pxe/ipxe, redfish-virtual-media's built ISO: `ipa-inspection-callback-url`
 * for in-band inspection, as Ironic's ramdisk_params; null = a bare `key`); interfaces
 * booting prebuilt ISOs cannot pass them and ignore them.
 */
export interface RamdiskParams { kernelParams?: Readonly<Record<string, string | null>> }

export interface BootInterface extends DriverInterface {
  prepareRamdisk(ctx: DriverContext, purpose: 'deploy' | 'clean' | 'inspect' | 'rescue', params?: RamdiskParams): Promise<void>;
  cleanUpRamdisk(ctx: DriverContext): Promise<void>;
  prepareInstance(ctx: DriverContext): Promise<void>;
  cleanUpInstance(ctx: DriverContext): Promise<void>;
}

export interface DeployInterface extends DriverInterface {
  /** Deploy the instance; 'wait' means an agent will call back (heartbeat). */
  deploy(ctx: DriverContext): Promise<StepOutcome>;
  tearDown(ctx: DriverContext): Promise<void>;
  prepare(ctx: DriverContext): Promise<void>;
  cleanUp(ctx: DriverContext): Promise<void>;
  takeOver(ctx: DriverContext): Promise<void>;
  /**
   * Ironic's prepare_cleaning: 'wait' when cleaning needs a ramdisk that will call back
   * (the conductor then waits in `clean wait` for its heartbeat); absent/'done' = none.
   */
  prepareCleaning?(ctx: DriverContext): Promise<StepOutcome>;
  /** Ironic's tear_down_cleaning: undo prepareCleaning (power off, ramdisk boot cleaned up). */
  tearDownCleaning?(ctx: DriverContext): Promise<void>;
}

export interface InspectionResult {
  outcome: StepOutcome;
  /** Keys to merge into node.properties (cpus, memory_mb, local_gb, cpu_arch, capabilities). */
  properties?: Json;
  /** NICs found: ports are created for these MACs. */
  macs?: { address: string; pxe?: boolean }[];
  inventory?: Json;
}

export interface InspectInterface extends DriverInterface {
  inspect(ctx: DriverContext): Promise<InspectionResult>;
  abort?(ctx: DriverContext): Promise<void>;
}

export interface RaidInterface extends DriverInterface {
  /** Validate a target_raid_config against what this implementation can build. */
  validateRaidConfig(ctx: DriverContext, config: Json): Promise<void>;
  /** Logical disk properties (GET /drivers/{d}/raid/logical_disk_properties). */
  logicalDiskProperties(): Readonly<Record<string, string>>;
}

export type { BiosSetting } from '../core/bios.ts';

export interface BiosInterface extends DriverInterface {
  /** Read current settings (the conductor caches them in bios_settings). */
  cacheSettings(ctx: DriverContext): Promise<BiosSetting[]>;
}

export interface ConsoleInterface extends DriverInterface {
  startConsole(ctx: DriverContext): Promise<void>;
  stopConsole(ctx: DriverContext): Promise<void>;
  getConsole(ctx: DriverContext): Promise<{ type: string; url: string }>;
}

export interface RescueInterface extends DriverInterface {
  rescue(ctx: DriverContext): Promise<StepOutcome>;
  unrescue(ctx: DriverContext): Promise<void>;
}

export interface VendorMethod {
  http_methods: string[];
  async: boolean;
  attach: boolean;
  description: string;
  require_exclusive_lock: boolean;
}
export interface VendorInterface extends DriverInterface {
  methods(): Readonly<Record<string, VendorMethod>>;
  call(ctx: DriverContext, method: string, httpMethod: string, body: unknown): Promise<unknown>;
}

export type NetworkInterface = DriverInterface;
export type StorageInterface = DriverInterface;

export interface InterfaceByKind {
  bios: BiosInterface;
  boot: BootInterface;
  console: ConsoleInterface;
  deploy: DeployInterface;
  inspect: InspectInterface;
  management: ManagementInterface;
  network: NetworkInterface;
  power: PowerInterface;
  raid: RaidInterface;
  rescue: RescueInterface;
  storage: StorageInterface;
  vendor: VendorInterface;
}

/** A node's resolved driver: one implementation per kind. */
export type ComposedDriver = { readonly [K in InterfaceKind]: InterfaceByKind[K] } & { readonly hardwareType: string };

/** A hardware type: ordered supported implementation names per kind (first = preferred). */
export interface HardwareType {
  readonly name: string;
  readonly supported: { readonly [K in InterfaceKind]: readonly string[] };
  /** fake-hardware accepts any enabled implementation (Ironic skips the support check). */
  readonly anyEnabled?: boolean;
}
