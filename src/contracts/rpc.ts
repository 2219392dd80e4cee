/**
 * API ↔ conductor contract. The API never drives hardware or the state machine itself;
 * it calls these methods. In `ingot serve` they run in-process; a later split runs them
 * over HTTP JSON-RPC with the same shapes (plain JSON in, plain JSON out).
 *
 * Errors: methods throw `IngotError`s (core/errors) whose `code` the API maps to HTTP.
 * Methods that start work return once the work is accepted (state advanced, lock held
 * by the worker); the work itself runs in the conductor.
 */
import type { Json, Node } from '../core/node.ts';

export interface ProvisionArgs {
  /** FSM event after alias mapping (`active`→`deploy`, `deleted`→`delete`). */
  event: string;
  /** The literal target the client sent (`active`, `deploy`, `rebuild`, ...). */
  target: string;
  configdrive?: unknown;
  cleanSteps?: Json[];
  deploySteps?: Json[];
  rescuePassword?: string;
  disableRamdisk?: boolean;
}

export interface DriverSummary {
  name: string;
  hosts: string[];
}

export interface DriverDetail extends DriverSummary {
  /** `default_<kind>_interface` and `enabled_<kind>_interfaces` for each kind. */
  defaults: Record<string, string | null>;
  enabled: Record<string, string[]>;
}

export interface ValidationResult {
  [kind: string]: { result: boolean; reason?: string };
}

export interface ConductorApi {
  /** Hostname of the conductor (for `reservation`/`conductor` fields). */
  readonly hostname: string;

  // --- drivers -----------------------------------------------------------------
  listDrivers(): Promise<DriverDetail[]>;
  getDriver(name: string): Promise<DriverDetail>;
  driverProperties(name: string): Promise<Record<string, string>>;
  raidLogicalDiskProperties(name: string): Promise<Record<string, string>>;
  /** Default and checked interface names for a new node (400 on bad names). */
  resolveInterfaces(driver: string, given: Record<string, string | null | undefined>): Promise<Record<string, string>>;
  /** Check one interface name for an existing node's driver (400 if invalid). */
  checkInterface(driver: string, kind: string, impl: string): Promise<void>;

  // --- nodes ---------------------------------------------------------------------
  /**
   * Apply an update that needs the node lock (PATCH): takes the lock, checks state
   * rules, writes `changes`, releases. 409 if locked.
   */
  updateNode(nodeId: number, changes: Partial<Node>, opts?: { resetInterfaces?: boolean }): Promise<Node>;
  /** Delete a node (lock, state rules). */
  destroyNode(nodeId: number): Promise<void>;
  doProvisioningAction(nodeId: number, args: ProvisionArgs): Promise<void>;
  changePowerState(nodeId: number, target: string, timeoutS?: number): Promise<void>;
  setMaintenance(nodeId: number, on: boolean, reason?: string | null): Promise<void>;
  validateDriverInterfaces(nodeId: number): Promise<ValidationResult>;
  setBootDevice(nodeId: number, device: string, persistent: boolean): Promise<void>;
  getBootDevice(nodeId: number): Promise<{ boot_device: string | null; persistent: boolean | null }>;
  getSupportedBootDevices(nodeId: number): Promise<string[]>;
  injectNmi(nodeId: number): Promise<void>;
  setBootMode(nodeId: number, mode: string): Promise<void>;
  setSecureBoot(nodeId: number, enabled: boolean): Promise<void>;
  setConsoleMode(nodeId: number, enabled: boolean): Promise<void>;
  getConsoleInfo(nodeId: number): Promise<{ type: string; url: string } | null>;
  setTargetRaidConfig(nodeId: number, config: Json): Promise<void>;
  getIndicators(nodeId: number): Promise<Record<string, Record<string, { readonly: boolean; states: string[] }>>>;
  getIndicatorState(nodeId: number, component: string, indicator: string): Promise<string>;
  setIndicatorState(nodeId: number, component: string, indicator: string, state: string): Promise<void>;
  vendorPassthruMethods(nodeId: number): Promise<Record<string, unknown>>;
  vendorPassthru(nodeId: number, method: string, httpMethod: string, body: unknown): Promise<{ async: boolean; result: unknown }>;
  driverVendorPassthruMethods(driver: string): Promise<Record<string, unknown>>;
  vifList(nodeId: number): Promise<{ id: string }[]>;
  vifAttach(nodeId: number, vif: Json): Promise<void>;
  vifDetach(nodeId: number, vifId: string): Promise<void>;
  /** Ask the conductor to try allocations in `allocating` state (after create). */
  processAllocation(allocationId: number): Promise<void>;

  // --- ramdisk (agent) -------------------------------------------------------------
  heartbeat(nodeId: number, args: { callbackUrl: string; agentToken?: string; agentVersion?: string; agentVerifyCa?: string; agentStatus?: string; agentStatusMessage?: string }): Promise<void>;
}
