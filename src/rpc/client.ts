/**
 * `RemoteConductor`: the ConductorApi of an `ingot api` process. Each call goes to the
 * conductor the routing table names (routing.ts), over JSON-RPC on HTTP(S) (wire.ts),
 * at the address that conductor registered in `conductors.rpc_address`.
 *
 * Failures of the transport are 503s the client may retry, never hangs: a conductor that
 * cannot be reached, or does not answer within `[json_rpc] timeout` seconds, ends the
 * call with "Conductor X … did not answer …". A refused connection also drops the
 * cached ring, so that the next call sees a conductor that has left.
 */
import http from 'node:http';
import https from 'node:https';
import { readFileSync } from 'node:fs';
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';
import type { ConductorApi, DriverDetail, RingKey } from '../contracts/rpc.ts';
import type { JsonRpcConfig } from '../config/cluster.ts';
import { HashRingManager, type ActiveConductor } from '../db/conductors.ts';
import { IngotError, NotFoundError, UnavailableError } from '../core/errors.ts';
import { basicHeader } from './auth.ts';
import { ROUTES, type RemoteMethod } from './routing.ts';
import { decode, encode, errorFromWire, type RpcError } from './wire.ts';

export interface RemoteConductorOptions {
  db: Kysely<Database>;
  ring: HashRingManager;
  rpc: JsonRpcConfig;
}

let nextId = 1;

/** Methods that change nothing, so that asking another conductor is always safe. */
const READ_ONLY = new Set<RemoteMethod>(['listDrivers', 'getDriver', 'driverProperties', 'raidLogicalDiskProperties', 'resolveInterfaces', 'checkInterface', 'driverVendorPassthruMethods']);

/** The conductor could not be reached or did not answer (a 503). */
class TransportError extends UnavailableError {}

class RemoteConductorImpl {
  /** No single conductor stands behind the API process. */
  readonly hostname = '';
  private readonly agent: http.Agent;
  private readonly auth: string | undefined;

  constructor(private readonly opts: RemoteConductorOptions) {
    const c = opts.rpc;
    this.agent = c.useSsl
      ? new https.Agent({ keepAlive: true, maxSockets: 64, rejectUnauthorized: !c.insecure, ...(c.cafile ? { ca: readFileSync(c.cafile) } : {}) })
      : new http.Agent({ keepAlive: true, maxSockets: 64 });
    this.auth = c.authStrategy === 'http_basic' ? basicHeader(c.httpBasicUsername, c.httpBasicPassword) : undefined;
  }

  close(): void { this.agent.destroy(); }

  conductorFor(node: RingKey): string | null { return this.opts.ring.cachedOwner(node); }

  async checkTopic(node: RingKey): Promise<void> { await this.opts.ring.ownerOf(node, 400); }

  /** The conductors that may answer a call, the preferred one first. */
  private async targets(method: RemoteMethod, args: unknown[]): Promise<ActiveConductor[]> {
    const route = ROUTES[method];
    const ring = this.opts.ring;
    if (route.kind === 'node') {
      const owner = await ring.ownerOf(await route.node(this.opts.db, args), route.noHostStatus ?? 404);
      const c = await ring.conductor(owner);
      if (c) return [c];
      throw new UnavailableError(`Conductor ${owner} has just left; please retry.`);
    }
    const driver = route.kind === 'driver' ? String(args[0]) : undefined;
    const hosts = await ring.hostsForDriver(driver);
    if (hosts.length === 0) {
      if (driver !== undefined) throw new NotFoundError(`Could not find the following driver(s) or hardware type(s): ${driver}.`);
      throw new IngotError('Unavailable', 'Resource temporarily unavailable, please retry.', { retryable: true });
    }
    const start = Math.floor(Math.random() * hosts.length);
    return [...hosts.slice(start), ...hosts.slice(0, start)];
  }

  async call(method: RemoteMethod, args: unknown[]): Promise<unknown> {
    const candidates = await this.targets(method, args);
    // Driver questions change nothing: when the conductor picked does not answer (it may
    // have died moments ago), the next one is asked. Other calls go to one conductor only.
    const tries = READ_ONLY.has(method) ? candidates : candidates.slice(0, 1);
    let last: unknown;
    for (const c of tries) {
      if (!c.rpcAddress) { last = new UnavailableError(`Conductor ${c.hostname} has not published its RPC address yet; please retry.`); continue; }
      try { return await this.post(c, method, args); } catch (err) {
        if (!(err instanceof TransportError)) throw err;
        last = err;
      }
    }
    throw last;
  }

  private post(c: ActiveConductor, method: string, args: unknown[]): Promise<unknown> {
    const body = encode({ jsonrpc: '2.0', id: nextId++, method, params: args });
    const url = new URL(c.rpcAddress!);
    const timeoutS = this.opts.rpc.timeout;
    const mod = url.protocol === 'https:' ? https : http;
    return new Promise((resolve, reject) => {
      let done = false;
      const finish = (err: Error | null, value?: unknown) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        if (err) reject(err); else resolve(value);
      };
      const req = mod.request(url, {
        method: 'POST', agent: this.agent,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...(this.auth ? { authorization: this.auth } : {}) },
      }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (b: Buffer) => chunks.push(b));
        res.on('error', (err) => finish(this.transportError(c, method, err)));
        res.on('end', () => {
          let msg: { result?: unknown; error?: RpcError };
          try { msg = decode(Buffer.concat(chunks).toString('utf8')) as typeof msg; } catch {
            finish(new IngotError('Internal', `Conductor ${c.hostname} answered ${method} with HTTP ${res.statusCode} and a body that is not JSON-RPC.`));
            return;
          }
          if (msg.error) {
            if (res.statusCode === 401) finish(new IngotError('Internal', `Conductor ${c.hostname} refused the RPC credentials (INGOT_JSON_RPC_HTTP_BASIC_USERNAME/PASSWORD): ${msg.error.message}`));
            else finish(errorFromWire(msg.error));
          } else finish(null, msg.result ?? undefined);
        });
      });
      const timer = setTimeout(() => {
        req.destroy();
        finish(new TransportError(`Conductor ${c.hostname} (${c.rpcAddress}) did not answer ${method} within ${timeoutS} s (INGOT_JSON_RPC_TIMEOUT); please retry.`));
      }, timeoutS * 1000);
      req.on('error', (err) => finish(this.transportError(c, method, err)));
      req.end(body);
    });
  }

  private transportError(c: ActiveConductor, method: string, err: Error): IngotError {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ECONNREFUSED' || code === 'ECONNRESET' || code === 'EHOSTUNREACH') this.opts.ring.reset();
    return new TransportError(`Conductor ${c.hostname} (${c.rpcAddress}) could not be reached for ${method}: ${code ?? err.message}; please retry.`);
  }

  /** Hosts of each hardware type: every live conductor that has it, in any group. */
  private async withHosts(details: DriverDetail[]): Promise<DriverDetail[]> {
    const live = await this.opts.ring.hostsForDriver();
    return details.map((d) => ({ ...d, hosts: live.filter((c) => c.hardwareTypes.includes(d.name)).map((c) => c.hostname).sort() }));
  }

  async listDrivers(): Promise<DriverDetail[]> {
    // No conductor: no hardware types (Ironic lists them from the database).
    if ((await this.opts.ring.hostsForDriver()).length === 0) return [];
    return this.withHosts(await this.call('listDrivers', []) as DriverDetail[]);
  }

  async getDriver(name: string): Promise<DriverDetail> {
    const [d] = await this.withHosts([await this.call('getDriver', [name]) as DriverDetail]);
    return d!;
  }
}

const OWN = new Set(['listDrivers', 'getDriver']);

export type RemoteConductor = ConductorApi & { close(): void; conductorFor(node: RingKey): string | null; checkTopic(node: RingKey): Promise<void> };

/** Build the client: every routed method not defined above becomes a plain remote call. */
export function remoteConductor(opts: RemoteConductorOptions): RemoteConductor {
  const impl = new RemoteConductorImpl(opts) as unknown as Record<string, unknown>;
  for (const m of Object.keys(ROUTES) as RemoteMethod[]) {
    if (OWN.has(m)) continue;
    impl[m] = (...args: unknown[]) => (impl as unknown as RemoteConductorImpl).call(m, args);
  }
  return impl as unknown as RemoteConductor;
}
