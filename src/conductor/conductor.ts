/**
 * The conductor: implements the API↔conductor contract (contracts/rpc.ts) in-process,
 * owns the worker pool and the periodic tasks, and registers itself in `conductors`.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';
import { NodeRepo } from '../db/nodes.ts';
import { HistoryRepo } from '../db/history.ts';
import type { Config } from '../config/config.ts';
import type { DriverRegistry } from '../drivers/registry.ts';
import type { DriverLogger } from '../drivers/base.ts';
import type { ConductorApi, DriverDetail, InspectorProcessing, ProvisionArgs, ValidationResult } from '../contracts/rpc.ts';
import { INTERFACE_KINDS, type InterfaceKind, type Json, type Node } from '../core/node.ts';
import type {
  Port, NewPort, PortChanges, Portgroup, PortgroupChanges, VolumeConnector, VolumeTarget, ConnectorChanges, TargetChanges,
} from '../core/resources.ts';
import { PowerState as P, ProvisionState as S } from '../core/states.ts';
import { InvalidError, NotFoundError, ConflictError, ForbiddenError, messageOf, IngotError } from '../core/errors.ts';
import { DELETE_ALLOWED_STATES } from '../core/fsm.ts';
import { TaskManager, type Task } from './task.ts';
import { WorkerPool } from './workers.ts';
import { type FlowDeps, failInFlight, failTask, spawnWithTask } from './deps.ts';
import { doProvisioningAction } from './provision.ts';
import { driverContext, sharedContext } from './driver-context.ts';
import { Periodics } from './periodics.ts';
import * as vifs from './vifs.ts';
import * as nodeTraits from './traits.ts';
import { unsupportedExtension } from '../drivers/noop/unsupported.ts';
import { hasValidateCall } from '../drivers/shared/extensions.ts';
import * as allocations from './allocations.ts';
import * as bootSettings from './boot-settings.ts';
import * as nodeResources from './node-resources.ts';
import { heartbeat as agentHeartbeat, type HeartbeatArgs } from './agent-heartbeat.ts';
import { getNodeWithToken } from './agent-token.ts';

export interface ConductorOptions {
  db: Kysely<Database>;
  config: Config;
  registry: DriverRegistry;
  logger: DriverLogger;
  /** Lock retry interval override (tests). */
  lockIntervalMs?: number;
  /** Hash-ring ownership for periodic tasks (`ingot conductor`); see FlowDeps.ownsNode. */
  ownsNode?: FlowDeps['ownsNode'];
}

export class Conductor implements ConductorApi {
  readonly hostname: string;
  readonly deps: FlowDeps;
  /** The periodic tasks (tests run them one at a time). */
  readonly periodics: Periodics;

  constructor(private readonly opts: ConductorOptions) {
    this.hostname = opts.config.conductorHostname;
    const nodes = new NodeRepo(opts.db);
    const workers = new WorkerPool(opts.config.workers, (err) => opts.logger.error({ err: messageOf(err) }, 'worker failed'));
    this.deps = {
      db: opts.db, nodes, history: new HistoryRepo(opts.db), registry: opts.registry,
      tasks: new TaskManager(nodes, this.hostname, opts.lockIntervalMs === undefined ? {} : { intervalMs: opts.lockIntervalMs }),
      workers, config: opts.config, logger: opts.logger, host: this.hostname, jobs: new Map(),
      ...(opts.ownsNode ? { ownsNode: opts.ownsNode } : {}),
    };
    this.periodics = new Periodics(this.deps);
  }

  /** Register, recover from a previous crash, start periodic tasks. */
  async start(opts: { periodics?: boolean } = {}): Promise<void> {
    await this.periodics.register();
    await this.periodics.recoverAfterRestart();
    await allocations.resumeAllocations(this.deps);
    if (opts.periodics !== false) this.periodics.start();
  }

  /**
   * Graceful shutdown: take no new work (503), stop the periodics, let running jobs finish
   * for graceful_shutdown_timeout seconds; then fire their abort signals, give them a
   * moment to fail their nodes themselves, fail what still runs (last_error says why) and
   * release every lock we hold; mark us offline.
   */
  async stop(opts: { gracefulShutdownTimeout?: number } = {}): Promise<void> {
    const { workers, jobs, host } = this.deps;
    const grace = opts.gracefulShutdownTimeout ?? this.opts.config.gracefulShutdownTimeout;
    workers.close();
    await this.periodics.stop();
    if (!(await workers.drainFor(grace * 1000))) {
      const running = [...jobs.values()];
      for (const t of running) {
        t.abort(`Conductor ${host} shut down while node ${t.node.uuid} was in state "${t.node.provision_state}" during "${t.purpose}" `
          + `(still running after graceful_shutdown_timeout, ${grace} s); the operation was aborted. Retry it once a conductor runs.`);
      }
      await workers.drainFor(Math.min(5, Math.max(0.5, grace)) * 1000);
      for (const t of running) {
        if (t.isReleased) continue;
        this.opts.logger.warn({ node: t.node.uuid }, 'job did not stop after its abort signal; failing its node');
        await failInFlight(this.deps, t, t.abortReason ?? 'Conductor shut down.', 'conductor');
        await t.release().catch(() => undefined);
      }
    }
    await this.deps.nodes.releaseAllHeldBy(host);
    await this.periodics.unregister();
  }

  /** Wait until no job runs (tests, benchmarks). */
  async idle(): Promise<void> { await this.deps.workers.drain(); }

  runPeriodicsOnce(): Promise<void> { return this.periodics.runOnce(); }

  private async node(nodeId: number): Promise<Node> {
    const n = await this.deps.nodes.getById(nodeId);
    if (!n) throw new NotFoundError(`Node ${nodeId} could not be found.`);
    return n;
  }

  // --- drivers -----------------------------------------------------------------
  private detail(name: string): DriverDetail {
    const r = this.deps.registry;
    const defaults: Record<string, string | null> = {};
    const enabled: Record<string, string[]> = {};
    for (const k of INTERFACE_KINDS) {
      enabled[k] = r.enabledFor(name, k);
      try { defaults[k] = r.defaultFor(name, k); } catch { defaults[k] = null; }
    }
    return { name, hosts: [this.hostname], defaults, enabled };
  }
  async listDrivers(): Promise<DriverDetail[]> { return this.deps.registry.hardwareTypeNames().map((n) => this.detail(n)); }
  async getDriver(name: string): Promise<DriverDetail> { this.deps.registry.getType(name); return this.detail(name); }
  async driverProperties(name: string): Promise<Record<string, string>> { return this.deps.registry.properties(name); }
  async raidLogicalDiskProperties(name: string): Promise<Record<string, string>> {
    const r = this.deps.registry;
    const raid = r.impl('raid', r.defaultFor(name, 'raid'));
    if (!raid.logicalDiskProperties) {
      throw new IngotError('NotFound', `Driver ${name} does not support raid (disabled or not implemented).`);
    }
    return raid.logicalDiskProperties();
  }
  async resolveInterfaces(driver: string, given: Record<string, string | null | undefined>): Promise<Record<string, string>> {
    const g: Partial<Record<InterfaceKind, string | null>> = {};
    for (const k of INTERFACE_KINDS) { const v = given[`${k}_interface`]; if (v !== undefined) g[k] = v; }
    return this.deps.registry.resolveInterfaces(driver, g);
  }
  async checkInterface(driver: string, kind: string, impl: string): Promise<void> {
    this.deps.registry.checkInterface(driver, kind as InterfaceKind, impl);
  }

  // --- node updates ------------------------------------------------------------------
  async updateNode(nodeId: number, changes: Partial<Node>, opts: { resetInterfaces?: boolean } = {}): Promise<Node> {
    return this.deps.tasks.withLock(nodeId, 'node update', async (task) => {
      const n = task.node;
      const c: Partial<Node> = { ...changes };
      const rest = [S.ENROLL, S.INSPECTING, S.INSPECT_WAIT, S.MANAGEABLE, S.AVAILABLE] as string[];
      // Interfaces the request changes (Ironic's delta): defaults filled in below for a new
      // driver do not count for the state check.
      const changedIface = INTERFACE_KINDS.find((k) => c[`${k}_interface`] !== undefined && c[`${k}_interface`] !== n[`${k}_interface`]);
      if (c.protected === true && !n.protected && ![S.ACTIVE, S.RESCUE].includes(n.provision_state as 'active')) {
        throw new ConflictError(`Node ${n.uuid} can only be made protected in provision states 'active' or 'rescue', the current state is '${n.provision_state}'`);
      }
      const prot = c.protected ?? n.protected;
      if (!prot && c.protected_reason) throw new InvalidError('The protected_reason field can only be set when protected is True');
      if (c.protected === false) c.protected_reason = null;
      const ret = c.retired ?? n.retired;
      if (c.retired === true && !n.retired && n.provision_state === S.AVAILABLE) {
        throw new ConflictError(`Node ${n.uuid} can not have 'retired' set in provision state 'available', the current state is '${n.provision_state}'`);
      }
      if (!ret && c.retired_reason) throw new InvalidError('The retired_reason field can only be set when retired is True');
      if (c.retired === false) c.retired_reason = null;
      // Ironic's messages and order (ConductorManager.update_node): protected, retired, the
      // state check of changed interfaces, then the validity of driver and interfaces,
      // instance_uuid overwrite, resource_class.
      if (changedIface && !n.maintenance && !rest.includes(n.provision_state)) {
        throw new ConflictError(`Node ${n.uuid} can not have ${changedIface}_interface updated unless it is in one of allowed (${rest.join(', ')}) states or in maintenance mode.`);
      }
      const driverChanged = c.driver !== undefined && c.driver !== n.driver;
      if (driverChanged || opts.resetInterfaces) {
        const driver = c.driver ?? n.driver;
        this.deps.registry.getType(driver);
        for (const k of INTERFACE_KINDS) {
          const f = `${k}_interface` as const;
          if (c[f] !== undefined && c[f] !== null) continue;
          // Without reset_interfaces the current implementations stay and must suit the
          // new hardware type (Ironic refuses the update otherwise); with it, defaults.
          const old = n[f];
          if (!opts.resetInterfaces && old) this.deps.registry.checkInterface(driver, k, old);
          else c[f] = this.deps.registry.defaultFor(driver, k);
        }
      }
      const driver = c.driver ?? n.driver;
      for (const k of INTERFACE_KINDS) {
        const f = `${k}_interface` as const;
        const v = c[f];
        if (v === undefined) continue;
        if (v === null) { c[f] = this.deps.registry.defaultFor(driver, k); continue; }
        if (v !== n[f] || driverChanged) this.deps.registry.checkInterface(driver, k, v);
      }
      if (c.instance_uuid && n.instance_uuid && c.instance_uuid !== n.instance_uuid) {
        throw new ConflictError(`Node ${n.uuid} is associated with instance ${n.instance_uuid}.`);
      }
      if (c.resource_class !== undefined && c.resource_class !== n.resource_class && n.resource_class && !rest.includes(n.provision_state)) {
        throw new ConflictError(`Node ${n.uuid} can not have resource_class updated unless it is in one of allowed (${rest.join(', ')}) states.`);
      }
      // Dropping instance_uuid releases the node's allocation (Ironic deletes it too).
      if (c.instance_uuid === null && n.instance_uuid !== null && n.allocation_id !== null) {
        if (!n.maintenance && !rest.includes(n.provision_state)) {
          throw new ConflictError(`Node ${n.uuid} with an allocation can not have instance_uuid removed unless it is in one of allowed (${rest.join(', ')}) states or in maintenance mode.`);
        }
        await allocations.releaseNodeAllocation(this.deps, n);
        c.allocation_id = null;
      }
      const { traits: _t, id: _i, uuid: _u, created_at: _c, updated_at: _up, ...cols } = c;
      await task.save(cols);
      return task.refresh();
    });
  }

  async destroyNode(nodeId: number): Promise<void> {
    await this.deps.tasks.withLock(nodeId, 'node delete', async (task) => {
      const n = task.node;
      // Ironic's order: associated (409), protected (403), state (409, the states as a Python tuple).
      if (n.instance_uuid && !n.maintenance) throw new ConflictError(`Node ${n.uuid} is associated with instance ${n.instance_uuid}.`);
      if (n.protected) throw new ForbiddenError(`Node ${n.uuid} is protected and cannot be undeployed, rebuilt or deleted`);
      const allowed = new Set(DELETE_ALLOWED_STATES);
      if (!this.deps.config.allowDeletingAvailableNodes) allowed.delete(S.AVAILABLE);
      if (!n.maintenance && !allowed.has(n.provision_state)) {
        throw new ConflictError(`Can not delete node "${n.uuid}" while it is in provision state "${n.provision_state}". Valid provision states to perform deletion are: "(${[...allowed].map((s) => `'${s}'`).join(', ')})", or set the node into maintenance mode`);
      }
      if (n.console_enabled) {
        try { const d = this.deps.registry.compose(n); const h = await driverContext(this.deps.db, task, this.deps.logger, undefined, d); await d.console.stopConsole(h.ctx); } catch { /* best effort */ }
      }
      if (n.allocation_id !== null) await this.deps.db.deleteFrom('allocations').where('id', '=', n.allocation_id).execute();
      await this.deps.nodes.delete(n.id);
    });
  }

  async doProvisioningAction(nodeId: number, args: ProvisionArgs): Promise<void> {
    await doProvisioningAction(this.deps, nodeId, args);
  }

  // --- power ---------------------------------------------------------------------
  async changePowerState(nodeId: number, target: string, timeoutS?: number): Promise<void> {
    const task = await this.deps.tasks.acquire(nodeId, 'power');
    let handed = false;
    try {
      const n = task.node;
      if (n.provision_state === S.CLEANING || n.provision_state === S.CLEAN_WAIT) {
        throw new IngotError('InvalidState', `Node ${n.uuid} is in the middle of cleaning; power state change is not allowed.`);
      }
      const driver = this.deps.registry.compose(n);
      const h = await driverContext(this.deps.db, task, this.deps.logger, undefined, driver);
      await driver.power.validate(h.ctx);
      const finalState = target === P.REBOOT || target === P.SOFT_REBOOT || target === P.ON ? P.ON : P.OFF;
      // A worker first (503 with the node untouched when none is free), then the write.
      const slot = this.deps.workers.reserve();
      try {
        await task.save({ target_power_state: finalState, ...(STATES_FAILURE.has(n.provision_state) ? {} : { last_error: null }) });
      } catch (err) { slot.cancel(); throw err; }
      handed = true;
      spawnWithTask(this.deps, task, async (t) => {
        try {
          const cur = await driver.power.getPowerState(h.ctx);
          if ((cur === P.ON && target === P.ON) || (cur === P.OFF && (target === P.OFF || target === P.SOFT_OFF))) {
            await t.save({ target_power_state: null, power_state: cur });
            return;
          }
          // Ironic stamps driver_internal_info.last_power_state_change (naive isoformat with
          // microseconds) whenever it actually acts on the power.
          const stamp = `${new Date().toISOString().slice(0, 23)}000`;
          if (target === P.REBOOT || target === P.SOFT_REBOOT) await driver.power.reboot(h.ctx, target === P.SOFT_REBOOT, timeoutS);
          else await driver.power.setPowerState(h.ctx, target, timeoutS);
          await h.flush();
          await t.save({ power_state: finalState, target_power_state: null, driver_internal_info: { ...t.node.driver_internal_info, last_power_state_change: stamp } });
        } catch (err) {
          await failTask(this.deps, t, `Failed to change power state to '${finalState}' by '${target}': ${messageOf(err)}`, { eventType: 'power', extra: { target_power_state: null } });
        }
      }, slot);
    } finally {
      if (!handed) await task.release();
    }
  }

  /** Ironic's update_node: takes the node lock (409 while another operation holds it). */
  async setMaintenance(nodeId: number, on: boolean, reason?: string | null): Promise<void> {
    const changes: Partial<Node> = on ? { maintenance: true, maintenance_reason: reason ?? null } : { maintenance: false, maintenance_reason: null, fault: null };
    await this.deps.tasks.withLock(nodeId, 'node update', (t) => t.save(changes));
  }

  // --- management ------------------------------------------------------------------
  private async withDriver<T>(nodeId: number, purpose: string, fn: (task: Task, d: ReturnType<DriverRegistry['compose']>, ctx: Awaited<ReturnType<typeof driverContext>>) => Promise<T>): Promise<T> {
    return this.deps.tasks.withLock(nodeId, purpose, async (task) => {
      const d = this.deps.registry.compose(task.node);
      const h = await driverContext(this.deps.db, task, this.deps.logger, undefined, d);
      const r = await fn(task, d, h);
      await h.flush();
      return r;
    });
  }
  private async shared<T>(nodeId: number, fn: (d: ReturnType<DriverRegistry['compose']>, ctx: ReturnType<typeof sharedContext>) => Promise<T>): Promise<T> {
    const n = await this.node(nodeId);
    const d = this.deps.registry.compose(n);
    return fn(d, sharedContext(this.deps.db, n, this.deps.logger, d));
  }

  async validateDriverInterfaces(nodeId: number): Promise<ValidationResult> {
    return this.shared(nodeId, async (d, ctx) => {
      // Ironic's non_vendor_interfaces order: core kinds, then the standard ones sorted.
      // No-op implementations fail validate() with UnsupportedDriverExtension's text.
      const out: ValidationResult = {};
      for (const k of VALIDATE_ORDER) {
        try {
          await d[k].validate(ctx);
          if (k === 'deploy') nodeTraits.validateInstanceInfoTraits(ctx.node);
          out[k] = { result: true };
        } catch (err) {
          const expected = err instanceof IngotError && err.code === 'Invalid';
          out[k] = { result: false, reason: expected ? messageOf(err) : `Unexpected exception, traceback saved into log by ironic conductor service that is running on ${this.hostname}: ${messageOf(err)}` };
        }
      }
      return out;
    });
  }
  async setBootDevice(nodeId: number, device: string, persistent: boolean): Promise<void> {
    await this.withDriver(nodeId, 'set boot device', async (_t, d, h) => { await d.management.validate(h.ctx); await d.management.setBootDevice(h.ctx, device, persistent); });
  }
  /** Exclusive lock, as Ironic's get_boot_device (409 while the node is busy). */
  async getBootDevice(nodeId: number) { return this.withDriver(nodeId, 'getting boot device', async (_t, d, h) => { await d.management.validate(h.ctx); return d.management.getBootDevice(h.ctx); }); }
  async getSupportedBootDevices(nodeId: number) { return this.shared(nodeId, (d, ctx) => d.management.getSupportedBootDevices(ctx)); }
  async injectNmi(nodeId: number): Promise<void> {
    await this.withDriver(nodeId, 'inject nmi', async (_t, d, h) => {
      if (!d.management.injectNmi) throw unsupportedExtension(d.hardwareType, 'inject_nmi');
      await d.management.validate(h.ctx); await d.management.injectNmi(h.ctx);
    });
  }
  async setBootMode(nodeId: number, mode: string): Promise<void> {
    await bootSettings.setBootMode(this.deps, nodeId, mode as 'uefi' | 'bios');
  }
  async setSecureBoot(nodeId: number, enabled: boolean): Promise<void> {
    await bootSettings.setSecureBoot(this.deps, nodeId, enabled);
  }
  async setConsoleMode(nodeId: number, enabled: boolean): Promise<void> {
    await this.withDriver(nodeId, 'console', async (t, d, h) => {
      await d.console.validate(h.ctx);
      // Already in the requested mode: Ironic only logs it.
      if (t.node.console_enabled === enabled) return;
      if (enabled) await d.console.startConsole(h.ctx); else await d.console.stopConsole(h.ctx);
      await t.save({ console_enabled: enabled });
    });
  }
  async getConsoleInfo(nodeId: number) {
    return this.shared(nodeId, async (d, ctx) => {
      await d.console.validate(ctx);
      return ctx.node.console_enabled ? d.console.getConsole(ctx) : null;
    });
  }
  async setTargetRaidConfig(nodeId: number, config: Json): Promise<void> {
    await this.withDriver(nodeId, 'raid', async (t, d, h) => {
      if (d.raid.supported === false) throw new IngotError('NotFound', `Driver ${d.hardwareType} does not support raid (disabled or not implemented).`);
      if (Object.keys(config).length) await d.raid.validateRaidConfig(h.ctx, config);
      await t.save({ target_raid_config: config });
    });
  }
  async getIndicators(nodeId: number) {
    return this.shared(nodeId, async (d, ctx) => {
      if (!d.management.getIndicators) throw unsupportedExtension(d.hardwareType, 'get_supported_indicators');
      return d.management.getIndicators(ctx);
    });
  }
  /** Exclusive lock, as Ironic's get_indicator_state. */
  async getIndicatorState(nodeId: number, component: string, indicator: string) {
    return this.withDriver(nodeId, 'getting indicators states', async (_t, d, h) => {
      await d.management.validate(h.ctx);
      if (!d.management.getIndicatorState) throw unsupportedExtension(d.hardwareType, 'get_indicator_state');
      return d.management.getIndicatorState(h.ctx, component, indicator);
    });
  }
  async setIndicatorState(nodeId: number, component: string, indicator: string, state: string): Promise<void> {
    await this.withDriver(nodeId, 'indicator', async (_t, d, h) => {
      await d.management.validate(h.ctx);
      if (!d.management.setIndicatorState) throw unsupportedExtension(d.hardwareType, 'set_indicator_state');
      await d.management.setIndicatorState(h.ctx, component, indicator, state);
    });
  }
  async vendorPassthruMethods(nodeId: number) { return this.shared(nodeId, async (d) => ({ ...d.vendor.methods?.() })); }
  /**
   * Ironic's order: route lookup, HTTP method, the lock when the method wants it
   * exclusively (409 if held), the interface's argument checks, then run: synchronously,
   * or in a worker after answering (async; errors are only logged, as in Ironic).
   */
  async vendorPassthru(nodeId: number, method: string, httpMethod: string, body: unknown) {
    const n = await this.node(nodeId);
    const d = this.deps.registry.compose(n);
    const http = httpMethod.toUpperCase();
    const m = Object.hasOwn(d.vendor.methods(), method) ? d.vendor.methods()[method] : undefined;
    if (!m) throw new InvalidError(`No handler for method ${method}`);
    if (!m.http_methods.includes(http)) throw new InvalidError(`The method ${method} does not support HTTP ${http}`);
    const task = m.require_exclusive_lock ? await this.deps.tasks.acquire(nodeId, 'calling vendor passthru') : null;
    let handed = false;
    try {
      const h = task ? await driverContext(this.deps.db, task, this.deps.logger, undefined, d) : null;
      const ctx = h ? h.ctx : sharedContext(this.deps.db, n, this.deps.logger, d);
      if (hasValidateCall(d.vendor)) await d.vendor.validateCall(ctx, method, http, body);
      if (m.async) {
        const run = async () => { await d.vendor.call(ctx, method, http, body); await h?.flush(); };
        if (task) spawnWithTask(this.deps, task, run);
        else this.deps.workers.spawn(async () => { await run().catch((err) => this.deps.logger.error({ err: messageOf(err), node: n.uuid }, 'vendor passthru failed')); });
        handed = true;
        return { async: true, result: null, attach: m.attach };
      }
      const result = await d.vendor.call(ctx, method, http, body);
      await h?.flush();
      return { async: false, result, attach: m.attach };
    } finally {
      if (task && !handed) await task.release();
    }
  }
  async driverVendorPassthruMethods(driver: string): Promise<Record<string, unknown>> {
    this.deps.registry.getType(driver);
    return {};
  }
  // VIFs: network.validate first; the `noop` network keeps nothing (Ironic's NoopNetwork).
  async vifList(nodeId: number) {
    return this.shared(nodeId, async (d, ctx) => { await d.network.validate(ctx); return d.network.name === 'noop' ? [] : vifs.vifList(this.deps, nodeId); });
  }
  async vifAttach(nodeId: number, vif: Json) {
    await this.withDriver(nodeId, 'vif attach', async (t, d, h) => { await d.network.validate(h.ctx); if (d.network.name !== 'noop') await vifs.vifAttach(this.deps, t, vif); });
  }
  async vifDetach(nodeId: number, vifId: string) {
    await this.withDriver(nodeId, 'vif detach', async (t, d, h) => { await d.network.validate(h.ctx); if (d.network.name !== 'noop') await vifs.vifDetach(this.deps, t, vifId); });
  }
  async addTraits(nodeId: number, traits: string[], replace: boolean): Promise<void> {
    await this.deps.tasks.withLock(nodeId, 'add node traits', (t) => nodeTraits.addTraits(this.deps, t, traits, replace));
  }
  async removeTraits(nodeId: number, traits: string[] | null): Promise<void> {
    await this.deps.tasks.withLock(nodeId, 'remove node traits', (t) => nodeTraits.removeTraits(this.deps, t, traits));
  }
  async processAllocation(allocationId: number, opts: { backfillNodeId?: number } = {}): Promise<void> {
    if (opts.backfillNodeId !== undefined) return allocations.backfillAllocation(this.deps, allocationId, opts.backfillNodeId);
    const retry = this.opts.lockIntervalMs === undefined ? {} : { intervalMs: this.opts.lockIntervalMs };
    try {
      this.deps.workers.spawn(() => allocations.doAllocate(this.deps, allocationId, retry));
    } catch (err) {
      // No worker: the allocation must not stay `allocating` with nobody on it.
      await allocations.failAllocation(this.deps, allocationId, `Failed to process allocation: ${messageOf(err)}. Delete it and create it again.`);
      throw err;
    }
  }
  async destroyAllocation(allocationId: number): Promise<void> { await allocations.destroyAllocation(this.deps, allocationId); }
  // --- ports, portgroups, volume connectors and targets (node-resources.ts) ----------
  createPort(port: NewPort): Promise<Port> { return nodeResources.createPort(this.deps, port); }
  updatePort(portId: number, changes: PortChanges): Promise<Port> { return nodeResources.updatePort(this.deps, portId, changes); }
  destroyPort(portId: number): Promise<void> { return nodeResources.destroyPort(this.deps, portId); }
  updatePortgroup(portgroupId: number, changes: PortgroupChanges): Promise<Portgroup> {
    return nodeResources.updatePortgroup(this.deps, portgroupId, changes);
  }
  destroyPortgroup(portgroupId: number): Promise<void> { return nodeResources.destroyPortgroup(this.deps, portgroupId); }
  updateVolumeConnector(connectorId: number, changes: ConnectorChanges): Promise<VolumeConnector> {
    return nodeResources.updateVolumeConnector(this.deps, connectorId, changes);
  }
  destroyVolumeConnector(connectorId: number): Promise<void> { return nodeResources.destroyVolumeConnector(this.deps, connectorId); }
  updateVolumeTarget(targetId: number, changes: TargetChanges): Promise<VolumeTarget> {
    return nodeResources.updateVolumeTarget(this.deps, targetId, changes);
  }
  destroyVolumeTarget(targetId: number): Promise<void> { return nodeResources.destroyVolumeTarget(this.deps, targetId); }
  // --- ramdisk (agent): agent-token.ts, agent-heartbeat.ts ---------------------------
  heartbeat(nodeId: number, args: HeartbeatArgs): Promise<void> { return agentHeartbeat(this.deps, nodeId, args); }
  getNodeWithToken(nodeId: number): Promise<Node> { return getNodeWithToken(this.deps, nodeId); }

  private inspector: InspectorProcessing | null = null;
  /** The built-in inspector's processing (bin/inspector-wiring.ts); without it the inspector calls are 503. */
  setInspector(p: InspectorProcessing | null): void { this.inspector = p; }
  private inspectorOrFail(): InspectorProcessing {
    if (!this.inspector) throw new IngotError('Unavailable', `Conductor ${this.hostname} runs no inspector.`, { retryable: true });
    return this.inspector;
  }
  inspectorContinue(body: Json): Promise<{ uuid: string }> { return this.inspectorOrFail().continue(body); }
  async inspectorReapply(nodeId: number, body: Json | null): Promise<void> {
    const n = await this.deps.db.selectFrom('nodes').select('uuid').where('id', '=', nodeId).executeTakeFirst();
    if (!n) throw new NotFoundError(`Node ${nodeId} could not be found.`);
    await this.inspectorOrFail().reapply(n.uuid, body);
  }
}

/** Ironic's non_vendor_interfaces: core interfaces, then the standard ones sorted. */
const VALIDATE_ORDER = ['boot', 'deploy', 'management', 'network', 'power', 'bios', 'console', 'inspect', 'raid', 'rescue', 'storage'] as const;

const STATES_FAILURE = new Set<string>([S.DEPLOYFAIL, S.CLEAN_FAILED, S.INSPECT_FAILED, S.RESCUEFAIL, S.UNRESCUEFAIL, S.ADOPTFAIL, S.ERROR, S.SERVICE_FAILED]);
