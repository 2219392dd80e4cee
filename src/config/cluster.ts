/**
 * Options of the scale-out mode (`ingot api` + `ingot conductor`): the hash ring and the
 * conductor RPC (JSON-RPC over HTTP). Ironic's option names as `INGOT_<OPTION>`:
 * `[DEFAULT] hash_*` → `INGOT_HASH_*`, `[json_rpc] x` → `INGOT_JSON_RPC_X`,
 * `[conductor] sync_local_state_interval` → `INGOT_SYNC_LOCAL_STATE_INTERVAL`.
 */
import { readFileSync } from 'node:fs';
import { envBool, envNum } from '../core/env.ts';

export interface JsonRpcConfig {
  /** `noauth` or `http_basic` (Ironic `[json_rpc] auth_strategy`). */
  authStrategy: 'noauth' | 'http_basic';
  /** Apache htpasswd file with bcrypt entries the listener checks (http_basic). */
  httpBasicAuthUserFile: string;
  /** Credentials the client sends (http_basic). */
  httpBasicUsername: string;
  httpBasicPassword: string;
  /** Serve and call over HTTPS (`use_ssl`). */
  useSsl: boolean;
  /** Listener certificate and key (PEM files) when `useSsl`. */
  certFile?: string;
  keyFile?: string;
  /** CA bundle the client verifies conductors with (`cafile`); system CAs if unset. */
  cafile?: string;
  /** Client skips certificate verification (`insecure`). */
  insecure: boolean;
  /** Seconds a call may take before it fails with 503 (`timeout`). */
  timeout: number;
  /** Listener port (`port`, Ironic default 8089); 0 = any free port. */
  port: number;
  /**
   * Address other processes use to reach this conductor (registered in
   * `conductors.rpc_address`); default: the bind host, or the machine's hostname when
   * binding to all interfaces.
   */
  advertiseHost?: string;
}

export interface ClusterConfig {
  /** Ironic `[DEFAULT] hash_partition_exponent` (5: 32 points per conductor). */
  hashPartitionExponent: number;
  /** Ironic `[DEFAULT] hash_ring_reset_interval` in seconds (15). */
  hashRingResetInterval: number;
  /** Ironic `[DEFAULT] hash_ring_algorithm` (md5). */
  hashRingAlgorithm: string;
  /** Ironic `[conductor] sync_local_state_interval` in seconds (180; 0 disables takeover). */
  syncLocalStateInterval: number;
  jsonRpc: JsonRpcConfig;
}


export function loadClusterConfig(env: Record<string, string | undefined> = process.env): ClusterConfig {
  const strategy = env.INGOT_JSON_RPC_AUTH_STRATEGY ?? 'noauth';
  if (strategy !== 'noauth' && strategy !== 'http_basic') {
    throw new Error(`INGOT_JSON_RPC_AUTH_STRATEGY must be "noauth" or "http_basic", got "${strategy}"`);
  }
  return {
    hashPartitionExponent: envNum(env.INGOT_HASH_PARTITION_EXPONENT, 5),
    hashRingResetInterval: envNum(env.INGOT_HASH_RING_RESET_INTERVAL, 15),
    hashRingAlgorithm: env.INGOT_HASH_RING_ALGORITHM ?? 'md5',
    syncLocalStateInterval: envNum(env.INGOT_SYNC_LOCAL_STATE_INTERVAL, 180),
    jsonRpc: {
      authStrategy: strategy,
      httpBasicAuthUserFile: env.INGOT_JSON_RPC_HTTP_BASIC_AUTH_USER_FILE ?? '/etc/ingot/htpasswd-json-rpc',
      httpBasicUsername: env.INGOT_JSON_RPC_HTTP_BASIC_USERNAME ?? '',
      httpBasicPassword: env.INGOT_JSON_RPC_HTTP_BASIC_PASSWORD ?? '',
      useSsl: envBool(env.INGOT_JSON_RPC_USE_SSL, false),
      certFile: env.INGOT_JSON_RPC_CERT_FILE || undefined,
      keyFile: env.INGOT_JSON_RPC_KEY_FILE || undefined,
      cafile: env.INGOT_JSON_RPC_CAFILE || undefined,
      insecure: envBool(env.INGOT_JSON_RPC_INSECURE, false),
      timeout: envNum(env.INGOT_JSON_RPC_TIMEOUT, 60),
      port: envNum(env.INGOT_JSON_RPC_PORT, 8089),
      advertiseHost: env.INGOT_JSON_RPC_ADVERTISE_HOST || undefined,
    },
  };
}

/** Read a PEM file named by an option, with an error that names the option. */
export function readPem(option: string, path: string | undefined): Buffer {
  if (!path) throw new Error(`${option} is required when INGOT_JSON_RPC_USE_SSL is true`);
  try { return readFileSync(path); } catch (err) {
    throw new Error(`${option}: cannot read ${path}: ${(err as Error).message}`);
  }
}
