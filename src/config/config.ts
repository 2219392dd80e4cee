/**
 * Typed configuration. Values come from defaults, then `INGOT_*` environment variables,
 * then command-line flags (bin/ wires them). Passed down explicitly; never global.
 */
import { join } from 'node:path';
import { hostname } from 'node:os';
import type { InterfaceKind } from '../core/node.ts';
import { loadAgentConfig, type AgentConfig } from './agent-config.ts';
import { loadNetbootConfig, type NetbootConfig } from './netboot-config.ts';
import { loadInspectorConfig, type InspectorConfig } from './inspector.ts';

export type { DriverConfig } from '../core/driver-config.ts';
import type { DriverConfig } from '../core/driver-config.ts';

export interface Config {
  host: string;
  port: number;
  dataDir: string;
  /** Database URL (sqlite file path, postgres://, mysql://). */
  db: string;
  /**
   * This conductor's hostname (reservation owner, conductors table): Ironic's
   * [DEFAULT]host, the machine's host name unless INGOT_CONDUCTOR_HOSTNAME says otherwise.
   */
  conductorHostname: string;
  conductorGroup: string;
  /** Public URL for links (defaults to the request's Host). */
  publicUrl?: string;
  drivers: DriverConfig;
  defaultResourceClass: string | null;
  automatedClean: boolean;
  allowDeletingAvailableNodes: boolean;
  /** Seconds between power state syncs (Ironic [conductor]sync_power_state_interval). */
  syncPowerStateInterval: number;
  /** Seconds between checks of wait-state timeouts. */
  checkProvisionStateInterval: number;
  deployCallbackTimeout: number;
  cleanCallbackTimeout: number;
  inspectWaitTimeout: number;
  rescueCallbackTimeout: number;
  /** crypt(3) method of instance_info.hashed_rescue_password ([conductor]rescue_password_hash_algorithm). */
  rescuePasswordHashAlgorithm: 'sha256' | 'sha512';
  heartbeatInterval: number;
  heartbeatTimeout: number;
  /** Seconds a power action may take until the BMC reports the target state (Ironic [conductor]power_state_change_timeout; fractions allowed). */
  powerStateChangeTimeout: number;
  /** Maximum concurrent conductor jobs (Ironic workers_pool_size). */
  workers: number;
  /**
   * Seconds a stopping conductor waits for running jobs (oslo.service's
   * [DEFAULT]graceful_shutdown_timeout, 60) before it aborts them, fails their nodes with
   * a last_error and releases their locks. INGOT_GRACEFUL_SHUTDOWN_TIMEOUT.
   */
  gracefulShutdownTimeout: number;
  /** Power sync: nodes checked in parallel ([conductor]sync_power_state_workers, 8). */
  syncPowerStateWorkers: number;
  /**
   * Power sync: failed checks (or mismatches) of a node before it goes to maintenance
   * with fault "power failure" ([conductor]power_state_sync_max_retries, 3; as Ironic,
   * the check after the 3rd failure does it).
   */
  powerStateSyncMaxRetries: number;
  /**
   * Power sync: on a mismatch, set the hardware to the recorded state (true) or record
   * the hardware's state (false) ([conductor]force_power_state_during_sync, true).
   */
  forcePowerStateDuringSync: boolean;
  /**
   * Seconds between checks of nodes in maintenance with fault "power failure"; a node
   * whose BMC answers again leaves maintenance ([conductor]power_failure_recovery_interval,
   * 300; 0 disables).
   */
  powerFailureRecoveryInterval: number;
  /**
   * Seconds one BMC power read of the power sync may take before the node counts as
   * failed (Ingot's own; Ironic relies on the driver's timeouts).
   * INGOT_SYNC_POWER_STATE_TIMEOUT.
   */
  syncPowerStateTimeout: number;
  /**
   * Seconds between sweeps for orphans: locks of conductors whose heartbeat is older than
   * heartbeat_timeout (Ironic's _check_orphan_nodes, which runs every
   * check_provision_state_interval) and nodes in a state with work in flight that nobody
   * holds. Defaults to check_provision_state_interval. INGOT_CHECK_ORPHAN_INTERVAL.
   */
  checkOrphanInterval: number;
  maxLimit: number;
  /** [fake] delays in seconds ("a" or "a,b"), by interface kind. */
  fakeDelays: Partial<Record<InterfaceKind, string>>;
  logLevel: string;
  /**
   * The API URL handed to agents (kernel parameter `ipa-api-url`, Ironic's
   * `[service_catalog]`/`[conductor] api_url`). Default: `http://<host>:<port>`.
   */
  apiUrl: string;
  /**
   * Folder this conductor serves over HTTP to agents and BMCs (Ironic `[deploy] http_root`):
   * virtual-media ISOs, cached images, boot files. Default `<dataDir>/httpboot`.
   */
  httpRoot: string;
  /**
   * Port of this conductor's static file server over `httpRoot` (0 = pick a free port at
   * start). Default 8080, as Ironic's deployments of `[deploy] http_url` usually use, or 0
   * when the API port is 0 (tests and demos never bind a fixed port by accident).
   */
  httpPort: number;
  /** Base URL at which `httpRoot` is reached (Ironic `[deploy] http_url`). Default `http://<host>:<httpPort>`. */
  httpUrl?: string;
  /** `[deploy] default_boot_mode`: `uefi` (default) or `bios`; picks the agent ISO's boot loader. */
  defaultBootMode: 'uefi' | 'bios';
  /** `[redfish] kernel_append_params` of agent ISOs (default `nofb nomodeset vga=normal`). */
  redfishKernelAppendParams: string;
  /** `[conductor] bootloader`: URL or path of an EFI system partition image for UEFI ISOs. */
  bootloader?: string;
  /** `[DEFAULT] isolinux_bin`, `ldlinux_c32`, and the GRUB EFI binary Ingot builds an ESP from; default: Debian's places. */
  isolinuxBin?: string;
  ldlinuxC32?: string;
  grubEfi?: string;
  /** The ipmitool interfaces' options (Ironic's [ipmi], [console] and the waits they use). */
  ipmi: IpmiConfig;
  /** The agent flows' options ([agent], [deploy], [api] ramdisk parts): agent-config.ts. */
  agent: AgentConfig;
  /** PXE/iPXE boot, TFTP root, DHCP provider and dnsmasq (netboot-config.ts). */
  netboot: NetbootConfig;
  /** The built-in inspector (ironic-inspector's options; see config/inspector.ts). */
  inspector: InspectorConfig;
}

/**
 * Ironic's `[ipmi]` options (env `INGOT_<OPTION>`), the `[conductor]`/`[deploy]` values the
 * ipmitool power and management use, and `[console]` for the ipmitool consoles.
 */
export interface IpmiConfig {
  /** The ipmitool program (INGOT_IPMITOOL_PATH; Ingot's own option). */
  ipmitoolPath: string;
  minCommandInterval: number;
  commandRetryTimeout: number;
  useIpmitoolRetries: boolean;
  killOnTimeout: boolean;
  disableBootTimeout: boolean;
  additionalRetryableIpmiErrors: string[];
  /** [ipmi] debug (INGOT_IPMI_DEBUG). */
  debug: boolean;
  /** [DEFAULT] tempdir: where password files go (INGOT_TEMPDIR; default the OS temp dir). */
  tempDir?: string;
  powerStateChangeTimeout: number;
  softPowerOffTimeout: number;
  defaultBootMode: 'uefi' | 'bios';
  /** [console] port_range "start:stop" (INGOT_CONSOLE_PORT_RANGE). */
  consolePortRange?: string;
  socatAddress: string;
  terminal: string;
  terminalCertDir?: string;
  terminalTimeout: number;
  subprocessTimeout: number;
}

/**
 * Enabled implementations per kind: the reference Ironic 21.4 deployment's
 * `enabled_<kind>_interfaces` (checked with GET /v1/drivers?detail=True against it).
 */
export const DEFAULT_ENABLED: Record<InterfaceKind, string[]> = {
  bios: ['fake', 'no-bios', 'redfish'],
  boot: ['fake', 'ipxe', 'pxe', 'redfish-virtual-media'],
  console: ['no-console'],
  deploy: ['fake', 'direct', 'ramdisk'],
  inspect: ['fake', 'no-inspect', 'redfish'],
  management: ['fake', 'ipmitool', 'redfish', 'noop'],
  network: ['noop'],
  power: ['fake', 'ipmitool', 'redfish'],
  raid: ['fake', 'no-raid', 'agent', 'redfish'],
  rescue: ['no-rescue', 'fake'],
  storage: ['noop'],
  vendor: ['fake', 'no-vendor', 'ipmitool', 'redfish'],
};

function list(v: string | undefined): string[] | undefined {
  return v === undefined ? undefined : v.split(',').map((s) => s.trim()).filter(Boolean);
}
function bool(v: string | undefined, d: boolean): boolean {
  if (v === undefined || v.trim() === '') return d;
  return ['1', 't', 'true', 'on', 'y', 'yes'].includes(v.trim().toLowerCase());
}
function oneOf<T extends string>(name: string, v: string | undefined, choices: readonly T[], d: T): T {
  if (v === undefined || v === '') return d;
  if (!(choices as readonly string[]).includes(v)) throw new Error(`${name} must be one of ${choices.join(', ')}, not '${v}'`);
  return v as T;
}
function num(v: string | undefined, d: number): number {
  const n = v === undefined ? NaN : Number(v);
  return Number.isFinite(n) ? n : d;
}

/** Build the configuration from an environment (process.env) and explicit overrides. */
export function loadConfig(env: Record<string, string | undefined> = process.env, over: Partial<Config> = {}): Config {
  const dataDir = over.dataDir ?? env.INGOT_DATA_DIR ?? join(process.cwd(), '.data');
  const enabledInterfaces = { ...DEFAULT_ENABLED };
  const defaultInterfaces: Partial<Record<InterfaceKind, string>> = { network: 'noop', storage: 'noop', console: 'no-console' };
  for (const kind of Object.keys(DEFAULT_ENABLED) as InterfaceKind[]) {
    const e = list(env[`INGOT_ENABLED_${kind.toUpperCase()}_INTERFACES`]);
    if (e) enabledInterfaces[kind] = e;
    const d = env[`INGOT_DEFAULT_${kind.toUpperCase()}_INTERFACE`];
    if (d) defaultInterfaces[kind] = d;
  }
  const fakeDelays: Partial<Record<InterfaceKind, string>> = {};
  for (const kind of Object.keys(DEFAULT_ENABLED) as InterfaceKind[]) {
    const d = env[`INGOT_FAKE_${kind.toUpperCase()}_DELAY`];
    if (d) fakeDelays[kind] = d;
  }
  const base: Config = {
    host: env.INGOT_HOST ?? '127.0.0.1',
    port: num(env.INGOT_PORT, 6385),
    dataDir,
    db: env.INGOT_DB ?? join(dataDir, 'ingot.db'),
    conductorHostname: env.INGOT_CONDUCTOR_HOSTNAME || hostname(),
    conductorGroup: env.INGOT_CONDUCTOR_GROUP ?? '',
    publicUrl: env.INGOT_PUBLIC_URL,
    drivers: {
      enabledHardwareTypes: list(env.INGOT_ENABLED_HARDWARE_TYPES) ?? ['fake-hardware', 'manual-management', 'redfish', 'ipmi'],
      enabledInterfaces,
      defaultInterfaces,
    },
    defaultResourceClass: env.INGOT_DEFAULT_RESOURCE_CLASS ?? null,
    automatedClean: (env.INGOT_AUTOMATED_CLEAN ?? 'true') !== 'false',
    allowDeletingAvailableNodes: (env.INGOT_ALLOW_DELETING_AVAILABLE_NODES ?? 'true') !== 'false',
    syncPowerStateInterval: num(env.INGOT_SYNC_POWER_STATE_INTERVAL, 60),
    checkProvisionStateInterval: num(env.INGOT_CHECK_PROVISION_STATE_INTERVAL, 60),
    deployCallbackTimeout: num(env.INGOT_DEPLOY_CALLBACK_TIMEOUT, 1800),
    cleanCallbackTimeout: num(env.INGOT_CLEAN_CALLBACK_TIMEOUT, 1800),
    inspectWaitTimeout: num(env.INGOT_INSPECT_WAIT_TIMEOUT, 1800),
    rescueCallbackTimeout: num(env.INGOT_RESCUE_CALLBACK_TIMEOUT, 1800),
    rescuePasswordHashAlgorithm: oneOf('INGOT_RESCUE_PASSWORD_HASH_ALGORITHM', env.INGOT_RESCUE_PASSWORD_HASH_ALGORITHM, ['sha256', 'sha512'] as const, 'sha256'),
    heartbeatInterval: num(env.INGOT_HEARTBEAT_INTERVAL, 10),
    heartbeatTimeout: num(env.INGOT_HEARTBEAT_TIMEOUT, 60),
    powerStateChangeTimeout: num(env.INGOT_POWER_STATE_CHANGE_TIMEOUT, 60),
    workers: num(env.INGOT_WORKERS, 100),
    gracefulShutdownTimeout: num(env.INGOT_GRACEFUL_SHUTDOWN_TIMEOUT, 60),
    syncPowerStateWorkers: Math.max(1, num(env.INGOT_SYNC_POWER_STATE_WORKERS, 8)),
    powerStateSyncMaxRetries: num(env.INGOT_POWER_STATE_SYNC_MAX_RETRIES, 3),
    forcePowerStateDuringSync: (env.INGOT_FORCE_POWER_STATE_DURING_SYNC ?? 'true') !== 'false',
    powerFailureRecoveryInterval: num(env.INGOT_POWER_FAILURE_RECOVERY_INTERVAL, 300),
    syncPowerStateTimeout: num(env.INGOT_SYNC_POWER_STATE_TIMEOUT, 30),
    checkOrphanInterval: num(env.INGOT_CHECK_ORPHAN_INTERVAL, num(env.INGOT_CHECK_PROVISION_STATE_INTERVAL, 60)),
    maxLimit: num(env.INGOT_MAX_LIMIT, 1000),
    fakeDelays,
    logLevel: env.INGOT_LOG_LEVEL ?? 'info',
    apiUrl: '',
    httpRoot: env.INGOT_HTTP_ROOT ?? join(dataDir, 'httpboot'),
    httpPort: num(env.INGOT_HTTP_PORT, NaN),
    httpUrl: env.INGOT_HTTP_URL,
    defaultBootMode: env.INGOT_DEFAULT_BOOT_MODE === 'bios' ? 'bios' : 'uefi',
    redfishKernelAppendParams: env.INGOT_REDFISH_KERNEL_APPEND_PARAMS ?? 'nofb nomodeset vga=normal',
    bootloader: env.INGOT_BOOTLOADER || undefined,
    isolinuxBin: env.INGOT_ISOLINUX_BIN || undefined,
    ldlinuxC32: env.INGOT_LDLINUX_C32 || undefined,
    grubEfi: env.INGOT_GRUB_EFI || undefined,
    ipmi: {
      ipmitoolPath: env.INGOT_IPMITOOL_PATH ?? 'ipmitool',
      minCommandInterval: num(env.INGOT_MIN_COMMAND_INTERVAL, 5),
      commandRetryTimeout: num(env.INGOT_COMMAND_RETRY_TIMEOUT, 60),
      useIpmitoolRetries: bool(env.INGOT_USE_IPMITOOL_RETRIES, false),
      killOnTimeout: bool(env.INGOT_KILL_ON_TIMEOUT, true),
      disableBootTimeout: bool(env.INGOT_DISABLE_BOOT_TIMEOUT, true),
      additionalRetryableIpmiErrors: list(env.INGOT_ADDITIONAL_RETRYABLE_IPMI_ERRORS) ?? [],
      debug: bool(env.INGOT_IPMI_DEBUG, false),
      tempDir: env.INGOT_TEMPDIR,
      powerStateChangeTimeout: num(env.INGOT_POWER_STATE_CHANGE_TIMEOUT, 60),
      softPowerOffTimeout: num(env.INGOT_SOFT_POWER_OFF_TIMEOUT, 600),
      defaultBootMode: env.INGOT_DEFAULT_BOOT_MODE === 'bios' ? 'bios' : 'uefi',
      consolePortRange: env.INGOT_CONSOLE_PORT_RANGE,
      socatAddress: env.INGOT_SOCAT_ADDRESS ?? '127.0.0.1',
      terminal: env.INGOT_TERMINAL ?? 'shellinaboxd',
      terminalCertDir: env.INGOT_TERMINAL_CERT_DIR,
      terminalTimeout: num(env.INGOT_TERMINAL_TIMEOUT, 600),
      subprocessTimeout: num(env.INGOT_SUBPROCESS_TIMEOUT, 10),
    },
    agent: loadAgentConfig(env, dataDir),
    netboot: loadNetbootConfig(env, over.dataDir ?? dataDir, over.host ?? env.INGOT_HOST ?? '127.0.0.1'),
    inspector: loadInspectorConfig(env),
  };
  const merged = { ...base, ...over };
  // An API on a free port (tests, demos) gets its file server on a free port too, unless told otherwise.
  if (!Number.isFinite(merged.httpPort)) merged.httpPort = merged.port === 0 ? 0 : 8080;
  // The inspector API takes 5050 beside the default API port; beside any other API port
  // (tests, several services on one host) a free port unless INGOT_INSPECTOR_PORT says.
  if (!env.INGOT_INSPECTOR_PORT && !over.inspector && merged.port !== 6385) merged.inspector = { ...merged.inspector, port: 0 };
  if (!merged.apiUrl) merged.apiUrl = env.INGOT_API_URL ?? `http://${merged.host === '0.0.0.0' ? '127.0.0.1' : merged.host}:${merged.port}`;
  return merged;
}
