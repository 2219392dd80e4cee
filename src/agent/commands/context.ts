/**
 * What the command extensions share: the machine, the node as last sent by the
 * conductor (lookup, then every step command's `node`), the lookup config, the
 * partition UUIDs of the last image write, and the agent's options.
 */
import type { Machine } from '../hardware/types.ts';
import type { DownloadOptions } from '../disk/download.ts';

export type Json = Record<string, unknown>;

/** IPA 9.4.3's GenericHardwareManager version, compared against `clean_version`/`deploy_version`. */
export const HARDWARE_MANAGER_VERSIONS: Readonly<Record<string, string>> = { generic_hardware_manager: '1.1' };
export const HARDWARE_MANAGER_NAME = 'GenericHardwareManager';

export interface AgentContext {
  machine: Machine;
  node: Json | null;
  config: Json;
  /** null until an image was written (IPA: get_partition_uuids then answers {}). */
  partitionUuids: Record<string, unknown> | null;
  download: DownloadOptions;
  tmpDir: string;
  log: (msg: string) => void;
  /** Called after power_off / run_image / finalize_rescue: the agent stops serving. */
  shutdown: (reason: string) => void;
}
