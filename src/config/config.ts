/**
 * Typed configuration. Values come from defaults, then `INGOT_*` environment variables,
 * then command-line flags (bin/ wires them). Passed down explicitly; never global.
 */
import { join } from 'node:path';
import type { InterfaceKind } from '../core/node.ts';

export type { DriverConfig } from '../core/driver-config.ts';
import type { DriverConfig } from '../core/driver-config.ts';

export interface Config {
  host: string;
  port: number;
  dataDir: string;
  /** Database URL (sqlite file path, postgres://, mysql://). */
  db: string;
  /** This conductor's hostname (reservation owner, conductors table). */
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
  /** Maximum concurrent conductor jobs (Ironic workers_pool_size). */
  workers: number;
  maxLimit: number;
  /** [fake] delays in seconds ("a" or "a,b"), by interface kind. */
  fakeDelays: Partial<Record<InterfaceKind, string>>;
  logLevel: string;
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
    conductorHostname: env.INGOT_CONDUCTOR_HOSTNAME ?? 'ingot-conductor',
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
    workers: num(env.INGOT_WORKERS, 100),
    maxLimit: num(env.INGOT_MAX_LIMIT, 1000),
    fakeDelays,
    logLevel: env.INGOT_LOG_LEVEL ?? 'info',
  };
  return { ...base, ...over };
}
