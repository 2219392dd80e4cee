/**
 * `startRedfishLab`: one process, one port, many emulated machines behind one Redfish service
 * (like sushy-tools' emulator serving many domains).
 *
 * @example
 * ```ts
 * await using lab = await startRedfishLab({ machines: 3, port: 0, host: '127.0.0.1', profile: 'hpe-ilo5' });
 * lab.hooks.onBootFrom((id, device, media) => console.log(id, device, media));
 * // redfish_address = lab.url, redfish_system_id = `/redfish/v1/Systems/${lab.machines[0].id}`
 * ```
 *
 * @module
 */
import type { Logger } from 'pino';
import { FaultInjector, type FaultSpec } from './faults.ts';
import { machineInit } from './factory.ts';
import type { GenericShape } from './generic.ts';
import { LabHooks, type HookCallbacks, type PowerState } from './hooks.ts';
import { LabHosts, type LabHostOptions } from './host.ts';
import { QemuHosts, type QemuHostOptions } from '../qemu/hosts.ts';
import { registerHostRoutes } from './host-routes.ts';
import { LabMachine } from './machine.ts';
import { PathResolver } from './paths.ts';
import { loadProfile, type Profile } from './profile.ts';
import { Resources } from './resources.ts';
import { buildServer } from './server.ts';
import { RedfishService } from './service.ts';
import { SessionStore } from './sessions.ts';
import { TaskStore } from './tasks.ts';

export interface RedfishLabOptions {
  /** How many machines to emulate (≥ 1). */
  machines: number;
  /** TCP port; 0 (default) picks a free one. */
  port?: number;
  /** Listen address (default 127.0.0.1). */
  host?: string;
  /** Serve HTTPS with this certificate and key (PEM file paths). */
  tls?: { cert: string; key: string };
  /** `generic` (default), a short name (`dmtf-rackmount`, `dmtf-tower`, `hpe-ilo5`, `ami-megarac`), a folder name in `mockupsDir`, or a mockup folder path. */
  profile?: string;
  /** Where short profile names are looked up (default: `$INGOT_REDFISH_MOCKUPS` or `../shared/data/redfish-mockups` from the project root). */
  mockupsDir?: string;
  /** Fault rules active from the start. */
  faults?: FaultSpec[];
  /** pino logger for requests and failing hooks; none by default. */
  logger?: Logger;
  /** Accepted credentials (default `{ admin: 'password' }`). */
  users?: Record<string, string>;
  /** Delay before a RAID task completes (default 200 ms). */
  taskDelayMs?: number;
  /** Idle session timeout; default: the profile's SessionService.SessionTimeout. */
  sessionTimeoutSec?: number;
  /** Power state machines start in (default Off). */
  initialPower?: PowerState;
  /** Global index of the first machine: shifts UUIDs and MACs so two labs do not collide (default 0). */
  firstIndex?: number;
  /** Hardware of generic machines. */
  shape?: GenericShape;
  /** Hook callbacks registered before the first request. */
  hooks?: Partial<HookCallbacks>;
  /** Seed of the fault `rate` generator. */
  seed?: number;
  /**
   * Run the machines' hosts (host.ts): a machine booted from virtual media starts
   * `ingot agent`, one booted from disk reports its disk. Absent: BMCs only.
   */
  agents?: LabHostOptions;
  /**
   * Back the machines with QEMU processes on a lab network (../qemu/hosts.ts) instead of
   * the in-process hosts; excludes `agents`.
   */
  qemu?: QemuHostOptions;
}

export interface RedfishLab extends AsyncDisposable {
  /** Base URL, e.g. `http://127.0.0.1:41234` (the service root is `${url}/redfish/v1`). */
  url: string;
  machines: LabMachine[];
  hooks: LabHooks;
  faults: FaultInjector;
  profile: Profile;
  /** What runs on the machines (null without `agents` options). */
  hosts: LabHosts | null;
  /** The QEMU processes behind the machines (null without `qemu` options). */
  qemu: QemuHosts | null;
  /** Looks a machine up by ComputerSystem id or position; throws if unknown. */
  machine(idOrPosition: string | number): LabMachine;
  /** Invalidates sessions everywhere, or only for the given machines (ids or positions). */
  dropSessions(machines?: Array<string | number>): number;
  close(): Promise<void>;
}

/** Starts the lab; resolves once it listens. Throws if the profile cannot be loaded. */
export async function startRedfishLab(opts: RedfishLabOptions): Promise<RedfishLab> {
  if (!Number.isInteger(opts.machines) || opts.machines < 1) throw new Error('redfish lab: machines must be a positive integer');
  const profile = loadProfile(opts.profile, opts.mockupsDir, opts.shape);
  const hooks = new LabHooks(opts.logger, opts.hooks);
  const emit = hooks.emit.bind(hooks);
  const first = opts.firstIndex ?? 0;
  const machines = Array.from({ length: opts.machines }, (_, position) =>
    new LabMachine(machineInit(profile, { position, index: first + position, power: opts.initialPower ?? 'Off' }), emit));
  const find = (sel: string | number): LabMachine | undefined =>
    typeof sel === 'number' ? machines[sel] : machines.find((m) => m.id === sel);
  const faults = new FaultInjector((sel) => find(sel)?.id, opts.seed);
  if (opts.faults?.length) faults.add(opts.faults);

  const sessions = new SessionStore({ users: opts.users ?? { admin: 'password' }, timeoutSec: opts.sessionTimeoutSec ?? profile.sessionTimeoutSec });
  const tasks = new TaskStore(opts.taskDelayMs ?? 200);
  const resolver = new PathResolver(profile, machines);
  const service = new RedfishService(new Resources(profile, machines, resolver, sessions, tasks), sessions, tasks,
    (id) => faults.powerTransitionMs(id));
  let url = '';
  if (opts.agents && opts.qemu) throw new Error('redfish lab: `agents` and `qemu` exclude each other');
  const qemu = opts.qemu ? await QemuHosts.start(opts.qemu, { machines, hooks }) : null;
  const hosts = opts.agents ? await LabHosts.start(opts.agents, {
    machines, hooks, labUrl: () => url,
    systemDoc: (m) => {
      const path = `/redfish/v1/Systems/${m.id}`;
      try { return service.resources.render(service.resources.locate(path), path); } catch { return {}; }
    },
  }) : null;
  const server = buildServer({ service, faults, machines, logger: opts.logger, tls: opts.tls, routes: (app) => {
    registerHostRoutes(app, machines, () => hosts);
    app.get('/lab/machines/:id/qemu', async (request, reply) => {
      const id = (request.params as { id: string }).id;
      const m = machines.find((x) => x.id === id) ?? (/^\d+$/.test(id) ? machines[Number(id)] : undefined);
      if (!m || !qemu) return reply.code(404).send({ error: m ? 'this lab runs no QEMU machines (ingot lab --qemu)' : `no machine ${JSON.stringify(id)}` });
      return { ...qemu.status(m.id), explain: await qemu.explain(m.id) };
    });
  } });
  const host = opts.host ?? '127.0.0.1';
  try {
    await server.app.listen({ port: opts.port ?? 0, host });
  } catch (err) {
    tasks.close();
    await hosts?.close();
    await qemu?.close();
    throw err;
  }
  const addr = server.app.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : opts.port ?? 0;
  const urlHost = host.includes(':') ? `[${host}]` : host === '0.0.0.0' ? '127.0.0.1' : host;
  url = `${opts.tls ? 'https' : 'http'}://${urlHost}:${port}`;
  let closed: Promise<void> | null = null;

  const lab: RedfishLab = {
    url,
    machines,
    hooks,
    faults,
    profile,
    hosts,
    qemu,
    machine(sel) {
      const m = find(sel);
      if (!m) throw new Error(`redfish lab: no machine ${JSON.stringify(sel)}`);
      return m;
    },
    dropSessions(sel) {
      return sessions.drop(sel?.map((s) => lab.machine(s).id));
    },
    close() {
      closed ??= (async () => {
        tasks.close();
        for (const m of machines) m.dispose();
        await hosts?.close();
        await qemu?.close();
        await server.close();
      })();
      return closed;
    },
    [Symbol.asyncDispose]() {
      return lab.close();
    },
  };
  return lab;
}
