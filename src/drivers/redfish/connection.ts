/**
 * `RedfishConnectionCache`: the one piece of state the redfish implementations share —
 * Redfish clients (and so BMC sessions) reused across calls, plus polling settings.
 *
 * Contracts:
 * - One `RedfishClient` per (address + root prefix, username, password, verify_ca,
 *   auth type), like Ironic's SessionCache key. Not per system: a BMC managing several
 *   systems keeps one session, which matters on BMCs with few session slots. A changed
 *   password makes a new key, so the old session is never used with new credentials.
 * - At most `maxClients` clients; the least recently used one is retired when a new one
 *   would exceed it. A client is retired after a connection failure (Ironic's rule), so the
 *   next call connects and logs in afresh. A retired client is no longer handed out, but it
 *   is closed (logged out) only once the operations already using it have finished: a fault
 *   of one machine never cuts the requests of the other machines behind the same BMC.
 * - A 401/403 does not retire the client: the client re-logs in once and, when the BMC
 *   refuses even the fresh session, discards only that session (client/session.ts).
 * - `close()` logs every session out; afterwards `withRedfish` fails with a retryable
 *   DriverError. Created by `builtinFactories` (one per registry); whoever owns the
 *   registry (the service) should call `close()` on shutdown.
 * - No module-level state: everything lives in the instance.
 */
import { createHash } from 'node:crypto';
import { DriverError } from '../../core/errors.ts';
import type { DriverContext } from '../base.ts';
import {
  RedfishClient, findSystem, getSystem, type ComputerSystem, type RedfishClientOptions, type RedfishLogger,
} from './client/index.ts';
import { parseRedfishDriverInfo, type RedfishDriverInfo } from './driver-info.ts';
import { poisonsClient, toIngotError } from './errors.ts';

/** Waiting and polling settings (Ironic's [conductor]/[redfish] options where they exist). */
export interface RedfishTimings {
  /** First delay between polls of a power state, task or BIOS apply (grows ×1.5 up to 5 s). */
  pollMs: number;
  /** Ironic's [conductor]power_state_change_timeout (60 s). */
  powerTimeoutS: number;
  /** Ironic's [conductor]soft_power_off_timeout (600 s). */
  softPowerTimeoutS: number;
  /** Longest wait for a Redfish task (RAID volume create/delete). */
  taskTimeoutS: number;
  /** Longest wait, after the reboot, for pending BIOS settings to show as applied. */
  biosApplyTimeoutS: number;
}

export const DEFAULT_TIMINGS: RedfishTimings = {
  pollMs: 1000, powerTimeoutS: 60, softPowerTimeoutS: 600, taskTimeoutS: 1800, biosApplyTimeoutS: 300,
};

/** Client settings that are not per node (timeouts, retries, logging). */
export type SharedClientOptions = Partial<Omit<RedfishClientOptions, 'address' | 'username' | 'password' | 'verifyCa' | 'authType' | 'rootPrefix'>>;

export interface RedfishConnectionCacheOptions {
  /** Ironic's [redfish]connection_cache_size (1000). */
  maxClients?: number;
  client?: SharedClientOptions;
  timings?: Partial<RedfishTimings>;
  logger?: RedfishLogger;
}

/** What a redfish operation works with: the parsed driver_info, a client and the system. */
export interface RedfishSession {
  readonly info: RedfishDriverInfo;
  readonly client: RedfishClient;
  /** The ComputerSystem as fetched when the operation started (see `refresh`). */
  system: ComputerSystem;
  readonly ctx: DriverContext;
  readonly timings: RedfishTimings;
  /** Re-reads the system (state changes after actions) and stores it in `system`. */
  refresh(): Promise<ComputerSystem>;
}

function cacheKey(info: RedfishDriverInfo): string {
  const pw = createHash('sha256').update(`${info.address}\0${info.password ?? ''}`).digest('hex');
  return JSON.stringify([info.address, info.rootPrefix ?? '', info.username ?? null, pw, info.verifyCa, info.authType]);
}

/** How many operations use a client, and whether it was retired (close when unused). */
interface Lease { users: number; retired: boolean }

export class RedfishConnectionCache {
  readonly timings: RedfishTimings;
  private readonly clients = new Map<string, RedfishClient>();
  private readonly leases = new Map<RedfishClient, Lease>();
  private readonly maxClients: number;
  private readonly clientOptions: SharedClientOptions;
  private closed = false;

  constructor(opts: RedfishConnectionCacheOptions = {}) {
    this.maxClients = Math.max(1, opts.maxClients ?? 1000);
    this.clientOptions = { ...opts.client, ...(opts.logger ? { logger: opts.logger } : {}) };
    this.timings = { ...DEFAULT_TIMINGS, ...opts.timings };
  }

  /** Number of cached clients. */
  get size(): number { return this.clients.size; }

  /** The client for this driver_info (created on first use; most recently used last). */
  client(info: RedfishDriverInfo): RedfishClient {
    if (this.closed) {
      throw new DriverError(`Redfish BMC at ${info.address} cannot be used: the Redfish connections were closed (the service is shutting down).`,
        { reason: 'redfish_closed', retryable: true });
    }
    const key = cacheKey(info);
    let c = this.clients.get(key);
    if (c) {
      this.clients.delete(key);
      this.clients.set(key, c);
      return c;
    }
    c = new RedfishClient({
      ...this.clientOptions, address: info.address, rootPrefix: info.rootPrefix, username: info.username,
      password: info.password, verifyCa: info.verifyCa, authType: info.authType,
    });
    this.clients.set(key, c);
    this.leases.set(c, { users: 0, retired: false });
    while (this.clients.size > this.maxClients) {
      const [oldKey, old] = this.clients.entries().next().value as [string, RedfishClient];
      this.clients.delete(oldKey);
      this.retire(old);
    }
    return c;
  }

  /**
   * Stops handing the client out (if it is still the cached one) and closes it once no
   * operation uses it any more; requests already in flight on it are left to finish.
   */
  discard(info: RedfishDriverInfo, client: RedfishClient): void {
    const key = cacheKey(info);
    if (this.clients.get(key) === client) this.clients.delete(key);
    this.retire(client);
  }

  private retire(client: RedfishClient): void {
    const lease = this.leases.get(client);
    if (lease) lease.retired = true;
    if (!lease || lease.users === 0) this.shut(client);
  }

  private shut(client: RedfishClient): void {
    this.leases.delete(client);
    void client.close().catch(() => undefined);
  }

  private acquire(info: RedfishDriverInfo): RedfishClient {
    const client = this.client(info);
    const lease = this.leases.get(client);
    if (lease) lease.users++;
    return client;
  }

  private release(client: RedfishClient): void {
    const lease = this.leases.get(client);
    if (!lease) return;
    lease.users--;
    if (lease.retired && lease.users <= 0) this.shut(client);
  }

  /** Logs every session out and refuses further use. Idempotent. */
  async close(): Promise<void> {
    this.closed = true;
    const all = [...this.leases.keys()];
    this.clients.clear();
    this.leases.clear();
    await Promise.allSettled(all.map((c) => c.close()));
  }

  /**
   * Run `fn` against the node's ComputerSystem. driver_info problems throw InvalidError;
   * every other failure becomes an operator-readable IngotError naming `what` (errors.ts).
   */
  async withRedfish<T>(ctx: DriverContext, what: string, fn: (s: RedfishSession) => Promise<T>): Promise<T> {
    const info = parseRedfishDriverInfo(ctx.node);
    if (ctx.signal.aborted) {
      throw new DriverError(`${what} for node ${ctx.node.uuid} was aborted.`, { reason: 'aborted', retryable: true });
    }
    const client = this.acquire(info);
    try {
      const system = await findSystem(client, info.systemId);
      const session: RedfishSession = {
        info, client, system, ctx, timings: this.timings,
        async refresh() { session.system = await getSystem(client, session.system.uri); return session.system; },
      };
      return await fn(session);
    } catch (err) {
      if (poisonsClient(err)) this.discard(info, client);
      throw toIngotError(err, { what, nodeUuid: ctx.node.uuid, address: info.address });
    } finally {
      this.release(client);
    }
  }
}
