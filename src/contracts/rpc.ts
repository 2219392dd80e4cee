/**
 * API ↔ conductor contract. The API never drives hardware or the state machine itself;
 * it calls these methods. In `ingot serve` they run in-process; `ingot api` calls them on
 * the owning `ingot conductor` over JSON-RPC with the same shapes (plain JSON in, plain
 * JSON out; see rpc/).
 *
 * Errors: methods throw `IngotError`s (core/errors) whose `code` the API maps to HTTP.
 * Methods that start work return once the work is accepted (state advanced, lock held
 * by the worker); the work itself runs in the conductor.
 */
import type { Json, Node } from '../core/node.ts';
import type {
  Port, NewPort, PortChanges, Portgroup, PortgroupChanges, VolumeConnector, VolumeTarget, ConnectorChanges, TargetChanges,
} from '../core/resources.ts';

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

/** What places a node on the hash ring: its UUID, driver and conductor group. */
export interface RingKey { uuid: string; driver: string; conductor_group: string | null }

export interface ConductorApi {
  /** Hostname of the conductor (for `reservation`/`conductor` fields). */
  readonly hostname: string;

  // --- scale-out (present on the RPC client of `ingot api`; absent in `ingot serve`) ---
  /**
   * The conductor that owns a node per the hash ring, from the ring cached in this
   * process (no I/O); null when no live conductor serves the node's driver and group.
   * Absent: `hostname` owns every node.
   */
  conductorFor?(node: RingKey): string | null;
  /**
   * Ironic's get_topic_for before a node is created or moved to another driver or group:
   * 400 "No valid host was found. Reason: …" when no live conductor serves them.
   */
  checkTopic?(node: RingKey): Promise<void>;

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
  /** `attach`: return the result as raw bytes (Ironic's attach=True methods). */
  vendorPassthru(nodeId: number, method: string, httpMethod: string, body: unknown): Promise<{ async: boolean; result: unknown; attach?: boolean }>;
  driverVendorPassthruMethods(driver: string): Promise<Record<string, unknown>>;
  vifList(nodeId: number): Promise<{ id: string }[]>;
  vifAttach(nodeId: number, vif: Json): Promise<void>;
  vifDetach(nodeId: number, vifId: string): Promise<void>;
  /**
   * Under the node lock: replace the node's traits (`replace`) or add to them. 400 when the
   * node would have more than 50 (the message names the internal node id, as Ironic's).
   */
  addTraits(nodeId: number, traits: string[], replace: boolean): Promise<void>;
  /** Under the node lock: remove the given traits (null = all); 404 for one the node lacks. */
  removeTraits(nodeId: number, traits: string[] | null): Promise<void>;
  /**
   * Process a just-created allocation (state `allocating`). Without options the matching
   * runs asynchronously in a conductor worker (503 if none is free); with
   * `backfillNodeId` the allocation is bound synchronously to that already deployed node
   * (400/409 on mismatch, the allocation is then left in state `error`).
   */
  processAllocation(allocationId: number, opts?: { backfillNodeId?: number }): Promise<void>;
  /** Delete an allocation, freeing its node (409 while the node is active or mid-transition, unless in maintenance). */
  destroyAllocation(allocationId: number): Promise<void>;

  // --- ports, portgroups, volume connectors and targets ----------------------------
  // Ironic's create_port/update_*/destroy_* RPCs. The API has validated the arguments,
  // checked versions and resolved UUIDs; these take the lock of the node the record
  // belongs to (after an update: its new node; 409 if held), make the checks Ironic's
  // conductor makes under that lock, write, and return the stored record. Portgroups and
  // volume connectors/targets are created by the API without the lock, as in Ironic.
  /** Create a port (its portgroup's member ports must share its physical network: 409). */
  createPort(port: NewPort): Promise<Port>;
  /** Update a port: address/connectivity state rules, physical network and standalone-port checks (409). */
  updatePort(portId: number, changes: PortChanges): Promise<Port>;
  /** Delete a port (409 while it is bound to a VIF, unless the node is in maintenance). */
  destroyPort(portId: number): Promise<void>;
  /** Update a portgroup: node move state/emptiness rules, standalone-ports rule of `flat` networking. */
  updatePortgroup(portgroupId: number, changes: PortgroupChanges): Promise<Portgroup>;
  /** Delete a portgroup (400 while it has ports). */
  destroyPortgroup(portgroupId: number): Promise<void>;
  /** Update a volume connector; the node must be powered off (400). */
  updateVolumeConnector(connectorId: number, changes: ConnectorChanges): Promise<VolumeConnector>;
  /** Delete a volume connector; the node must be powered off (400). */
  destroyVolumeConnector(connectorId: number): Promise<void>;
  /** Update a volume target; the node must be powered off (400). */
  updateVolumeTarget(targetId: number, changes: TargetChanges): Promise<VolumeTarget>;
  /** Delete a volume target; the node must be powered off (400). */
  destroyVolumeTarget(targetId: number): Promise<void>;

  // --- ramdisk (agent) -------------------------------------------------------------
  /**
   * Ironic's heartbeat RPC: 400 without an agent version, or when the token does not match
   * the node's (nothing is written then); otherwise the heartbeat is processed in a
   * conductor worker (recorded, then the wait state moves on) and this returns at once.
   */
  heartbeat(nodeId: number, args: { callbackUrl: string; agentToken?: string; agentVersion?: string; agentVerifyCa?: string; agentStatus?: string; agentStatusMessage?: string }): Promise<void>;
  /**
   * Ironic's get_node_with_token (lookup at 1.62+): the node with a newly issued agent
   * token in driver_internal_info.agent_secret_token, or with "******" there when one was
   * issued before. 409 while another operation holds the node's lock.
   */
  getNodeWithToken(nodeId: number): Promise<Node>;

  // --- built-in inspector (ironic-inspector's processing) ------------------------------
  /**
   * ironic-inspector's `/v1/continue`: process a ramdisk report on this conductor (hooks,
   * rules, node lock, ports, power off, discovery). Answers `{uuid}`. Errors carry
   * inspector's status as the IngotError code (400 Invalid, 404 NotFound, 409 Conflict).
   * 503 when this process runs no inspector.
   */
  inspectorContinue(body: Json): Promise<{ uuid: string }>;
  /** ironic-inspector's reapply (`POST /v1/introspection/{node}/data/unprocessed`) for a node (by id). */
  inspectorReapply(nodeId: number, body: Json | null): Promise<void>;
}

/** What a conductor's built-in inspector does for the two calls above (set by the composition root). */
export interface InspectorProcessing {
  continue(body: Json): Promise<{ uuid: string }>;
  reapply(nodeUuid: string, body: Json | null): Promise<void>;
}
