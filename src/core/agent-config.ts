/**
 * Options of the agent (ironic-python-agent protocol) flows, with Ironic 21.4's names and
 * defaults. Each is read from `INGOT_<OPTION>` (Ironic's option name in upper case), e.g.
 * `[agent] manage_agent_boot` ← `INGOT_MANAGE_AGENT_BOOT`.
 *
 * Drivers receive this object (it lives in core because drivers may not import config); the API uses the `[api]` and
 * `[metrics]` parts for the lookup answer.
 */

import { envBool, envNum } from './env.ts';

export type ImageDownloadSource = 'http' | 'local' | 'swift';
export type DeployLogsCollect = 'always' | 'on_failure' | 'never';

export interface AgentConfig {
  /** [agent] manage_agent_boot: the boot interface prepares the agent ramdisk (default true). */
  manageAgentBoot: boolean;
  /** [agent] image_download_source: http (image_source as is), local (conductor's HTTP cache), swift (refused). */
  imageDownloadSource: ImageDownloadSource;
  /** [agent] deploy_logs_collect: when to fetch the agent's logs (default on_failure). */
  deployLogsCollect: DeployLogsCollect;
  /** [agent] deploy_logs_local_path: where collected logs go (default <dataDir>/deploy-logs). */
  deployLogsLocalPath: string;
  /** [agent] command_timeout: seconds per HTTP request to the agent (60). */
  commandTimeout: number;
  /** [agent] max_command_attempts: attempts on connection errors (3). */
  maxCommandAttempts: number;
  /** [agent] command_wait_interval / command_wait_attempts: "poll" mode (6 s × 100). */
  commandWaitInterval: number;
  commandWaitAttempts: number;
  /** [agent] post_deploy_get_power_state_retries / _retry_interval (6, 5 s). */
  postDeployGetPowerStateRetries: number;
  postDeployGetPowerStateRetryInterval: number;
  /** [agent] stream_raw_images (true). */
  streamRawImages: boolean;
  /** [agent] enable_bios_bootloader_install (true in the Debian 21.4.4 build, as recorded). */
  enableBiosBootloaderInstall: boolean;
  /** [deploy] default_boot_mode (uefi). */
  defaultBootMode: 'uefi' | 'bios';
  /** [deploy] erase_devices_priority / erase_devices_metadata_priority (unset = the agent's). */
  eraseDevicesPriority: number | null;
  eraseDevicesMetadataPriority: number | null;
  /** [deploy] power_off_after_deploy_failure (true). */
  powerOffAfterDeployFailure: boolean;
  /** [api] ramdisk_heartbeat_timeout (300 s): told to agents at lookup. */
  ramdiskHeartbeatTimeout: number;
  /** [api] restrict_lookup (true): lookup only in the states Ironic allows. */
  restrictLookup: boolean;
  /** [api] enable_ramdisk_endpoints (true): false = 403 on lookup/heartbeat. */
  enableRamdiskEndpoints: boolean;
  /** [conductor] permitted_image_formats, disable_deep_image_inspection. */
  permittedImageFormats: string[];
  disableDeepImageInspection: boolean;
}

function optNum(v: string | undefined): number | null {
  const n = v === undefined || v === '' ? NaN : Number(v);
  return Number.isFinite(n) ? n : null;
}
function oneOf<T extends string>(name: string, v: string | undefined, allowed: readonly T[], d: T): T {
  if (v === undefined || v === '') return d;
  if (!(allowed as readonly string[]).includes(v)) {
    throw new Error(`INGOT_${name}: invalid value ${JSON.stringify(v)}; expected one of ${allowed.join(', ')}`);
  }
  return v as T;
}

export function loadAgentConfig(env: Record<string, string | undefined>, dataDir: string): AgentConfig {
  return {
    manageAgentBoot: envBool(env.INGOT_MANAGE_AGENT_BOOT, true),
    imageDownloadSource: oneOf('IMAGE_DOWNLOAD_SOURCE', env.INGOT_IMAGE_DOWNLOAD_SOURCE, ['http', 'local', 'swift'] as const, 'http'),
    deployLogsCollect: oneOf('DEPLOY_LOGS_COLLECT', env.INGOT_DEPLOY_LOGS_COLLECT, ['always', 'on_failure', 'never'] as const, 'on_failure'),
    deployLogsLocalPath: env.INGOT_DEPLOY_LOGS_LOCAL_PATH ?? `${dataDir}/deploy-logs`,
    commandTimeout: envNum(env.INGOT_COMMAND_TIMEOUT, 60),
    maxCommandAttempts: Math.max(1, envNum(env.INGOT_MAX_COMMAND_ATTEMPTS, 3)),
    commandWaitInterval: envNum(env.INGOT_COMMAND_WAIT_INTERVAL, 6),
    commandWaitAttempts: Math.max(1, envNum(env.INGOT_COMMAND_WAIT_ATTEMPTS, 100)),
    postDeployGetPowerStateRetries: envNum(env.INGOT_POST_DEPLOY_GET_POWER_STATE_RETRIES, 6),
    postDeployGetPowerStateRetryInterval: envNum(env.INGOT_POST_DEPLOY_GET_POWER_STATE_RETRY_INTERVAL, 5),
    streamRawImages: envBool(env.INGOT_STREAM_RAW_IMAGES, true),
    enableBiosBootloaderInstall: envBool(env.INGOT_ENABLE_BIOS_BOOTLOADER_INSTALL, true),
    defaultBootMode: oneOf('DEFAULT_BOOT_MODE', env.INGOT_DEFAULT_BOOT_MODE, ['uefi', 'bios'] as const, 'uefi'),
    eraseDevicesPriority: optNum(env.INGOT_ERASE_DEVICES_PRIORITY),
    eraseDevicesMetadataPriority: optNum(env.INGOT_ERASE_DEVICES_METADATA_PRIORITY),
    powerOffAfterDeployFailure: envBool(env.INGOT_POWER_OFF_AFTER_DEPLOY_FAILURE, true),
    ramdiskHeartbeatTimeout: envNum(env.INGOT_RAMDISK_HEARTBEAT_TIMEOUT, 300),
    restrictLookup: envBool(env.INGOT_RESTRICT_LOOKUP, true),
    enableRamdiskEndpoints: envBool(env.INGOT_ENABLE_RAMDISK_ENDPOINTS, true),
    permittedImageFormats: (env.INGOT_PERMITTED_IMAGE_FORMATS ?? 'raw,qcow2,iso').split(',').map((s) => s.trim()).filter(Boolean),
    disableDeepImageInspection: envBool(env.INGOT_DISABLE_DEEP_IMAGE_INSPECTION, false),
  };
}
