/**
 * The Redfish service: authentication, ETags and the write operations, over `Resources`.
 *
 * Transport-free: `handle()` takes a parsed request and returns status, headers and body, so the
 * HTTP layer (server.ts) stays thin. Contracts:
 * - open without credentials: GET `/redfish`, `/redfish/v1`, and POST to the Sessions collection;
 *   everything else needs Basic auth or a valid `X-Auth-Token` (401 NoValidSession otherwise);
 * - every JSON answer carries `ETag` (a hash of the body); a write with `If-Match` that matches
 *   neither the current ETag nor `*` gets 412 PreconditionFailed (actions are checked against
 *   the resource that owns them);
 * - writes are all-or-nothing: a bad property rejects the request with 400 and Base messages.
 *
 * @module
 */
import { createHash } from 'node:crypto';
import { fail, RedfishError } from './errors.ts';
import type { LabMachine } from './machine.ts';
import type { ActionRole } from './profile.ts';
import { type Located, Resources } from './resources.ts';
import { volumePath } from './render.ts';
import type { SessionStore } from './sessions.ts';
import { raidTypeOfVolumeType } from './storage.ts';
import type { TaskStore } from './tasks.ts';
import type { Json } from './tree.ts';

/** Marks a body that failed to parse as JSON (answered with MalformedJSON). */
export const MALFORMED = Symbol('malformed-json');

export interface RfRequest {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
}

export interface RfResponse {
  status: number;
  headers: Record<string, string>;
  body?: unknown;
}

const VOLUME_KEYS = new Set(['Name', 'DisplayName', 'Description', 'RAIDType', 'VolumeType', 'CapacityBytes', 'Links', '@Redfish.OperationApplyTime',
  'Encrypted', 'StripSizeBytes', 'ReadCachePolicy', 'WriteCachePolicy', 'InitializeMethod', 'ProvisioningPolicy', 'VolumeUsage', 'IOPerfModeEnabled']);

/** Methods per role, for Allow headers and 405 answers. */
const ALLOW: Record<string, string[]> = {
  system: ['GET', 'PATCH'], biosSettings: ['GET', 'PATCH'], secureBoot: ['GET', 'PATCH'], vmedia: ['GET', 'PATCH'],
  volumes: ['GET', 'POST'], volume: ['GET', 'DELETE'], sessions: ['GET', 'POST'], session: ['GET', 'DELETE'], action: ['POST'],
};

export class RedfishService {
  readonly resources: Resources;
  readonly sessions: SessionStore;
  readonly tasks: TaskStore;

  /** How long a power change of a machine takes now (the `powerTransition` fault); 0: at once. */
  private readonly powerTransitionMs: (machineId: string) => number;

  constructor(resources: Resources, sessions: SessionStore, tasks: TaskStore, powerTransitionMs: (machineId: string) => number = () => 0) {
    this.resources = resources;
    this.sessions = sessions;
    this.tasks = tasks;
    this.powerTransitionMs = powerTransitionMs;
  }

  /** The machine a path belongs to (also for task URLs); used to select faults. */
  machineOf(path: string): LabMachine | null {
    return this.resources.locate(path).machine;
  }

  async handle(req: RfRequest): Promise<RfResponse> {
    try {
      const loc = this.resources.locate(req.path);
      const method = req.method.toUpperCase();
      const open = (method === 'GET' || method === 'HEAD') && (loc.role.kind === 'root' || loc.role.kind === 'versions');
      const isLogin = method === 'POST' && loc.role.kind === 'sessions';
      if (!open && !isLogin) this.authenticate(req, loc.machine);
      if (req.body === MALFORMED) throw fail.malformed();
      if (method === 'GET' || method === 'HEAD') return this.get(loc, req);
      if (isLogin) return this.login(req.body);
      if (method !== 'PATCH' && method !== 'POST' && method !== 'DELETE' && method !== 'PUT') throw fail.methodNotAllowed(['GET']);
      this.checkIfMatch(req, loc);
      return this.write(method, loc, req);
    } catch (err) {
      if (err instanceof RedfishError) {
        return { status: err.status, headers: { ...err.headers }, body: this.resources.profile.catalog.errorBody(err) };
      }
      throw err;
    }
  }

  private authenticate(req: RfRequest, machine: LabMachine | null): void {
    const token = header(req, 'x-auth-token');
    if (token && this.sessions.validate(token, machine?.id ?? null)) return;
    if (this.sessions.basicUser(header(req, 'authorization'))) return;
    throw fail.noSession();
  }

  private get(loc: Located, req: RfRequest): RfResponse {
    const body = this.resources.render(loc, req.path);
    // NOTE: sushy decides from Allow whether VirtualMedia without actions can be PATCHed.
    const allow = { Allow: [...(ALLOW[loc.role.kind] ?? ['GET']), 'HEAD'].join(', ') };
    if (loc.role.kind === 'task' || loc.role.kind === 'monitor') {
      const t = this.tasks.get(loc.role.id)!;
      if (t.state === 'Running') return this.json(202, body, allow);
      if (loc.role.kind === 'monitor') {
        if (t.error) throw t.error;
        return { status: t.result!.status, headers: { ...(t.result!.headers ?? {}) }, body: t.result!.body };
      }
    }
    return this.json(200, body, allow);
  }

  /** A JSON answer with its ETag (also mirrored in `@odata.etag` where the template shows one). */
  json(status: number, body: Json, headers: Record<string, string> = {}): RfResponse {
    const tag = etagOf(body);
    if ('@odata.etag' in body) body['@odata.etag'] = tag;
    return { status, headers: { ETag: tag, ...headers }, body };
  }

  private checkIfMatch(req: RfRequest, loc: Located): void {
    const want = header(req, 'if-match');
    if (!want) return;
    const owner = loc.role.kind === 'action' ? req.path.replace(/\/Actions\/.*$/i, '') : req.path;
    let current: string | null = null;
    try {
      current = etagOf(this.resources.render(this.resources.locate(owner), owner));
    } catch {
      current = null;
    }
    const strip = (t: string): string => t.trim().replace(/^W\//, '');
    const ok = want.split(',').some((t) => t.trim() === '*' ? current !== null : current !== null && strip(t) === strip(current));
    if (!ok) throw fail.precondition();
  }

  private write(method: string, loc: Located, req: RfRequest): RfResponse {
    const m = loc.machine;
    const body = (req.body ?? {}) as Record<string, unknown>;
    const isObject = req.body === undefined || (typeof req.body === 'object' && req.body !== null && !Array.isArray(req.body));
    if (!isObject) throw fail.malformed();
    const role = loc.role;
    const reread = (): RfResponse => this.json(200, this.resources.render(this.resources.locate(req.path), req.path));
    if (method === 'DELETE' && role.kind === 'session') {
      if (!this.sessions.remove(role.id)) throw fail.notFound(req.path);
      return { status: 204, headers: {} };
    }
    if (!m) throw this.notAllowed(loc, req.path);
    if (method === 'PATCH') {
      if (Object.keys(body).length === 0) throw new RedfishError(400, { id: 'EmptyJSON' });
      switch (role.kind) {
        case 'system': m.patchSystem(body, new Set(Object.keys(this.resources.profile.tree.get(loc.templatePath) ?? {}))); return reread();
        case 'biosSettings': this.patchBiosSettings(m, body); return reread();
        case 'secureBoot': m.setSecureBoot(body); return reread();
        case 'vmedia': m.patchMedia(role.id, body); return reread();
        default: throw this.notAllowed(loc, req.path);
      }
    }
    if (method === 'POST' && role.kind === 'action') return this.action(m, role.action, body);
    if (method === 'POST' && role.kind === 'volumes') return this.createVolume(m, loc, body);
    if (method === 'DELETE' && role.kind === 'volume') {
      m.deleteVolume(role.storage.id, role.volumeId);
      return { status: 204, headers: {} };
    }
    throw this.notAllowed(loc, req.path);
  }

  private notAllowed(loc: Located, path: string): RedfishError {
    if (loc.role.kind !== 'action') this.resources.render(loc, path);
    return fail.methodNotAllowed(ALLOW[loc.role.kind] ?? ['GET']);
  }

  private patchBiosSettings(m: LabMachine, body: Record<string, unknown>): void {
    for (const k of Object.keys(body)) {
      if (k !== 'Attributes' && !k.startsWith('@Redfish.') && !k.startsWith('@odata.')) throw fail.propertyUnknown(k);
    }
    if (body.Attributes === undefined) throw fail.missing('Attributes');
    m.stageBios(body.Attributes);
  }

  private action(m: LabMachine, action: ActionRole, body: Record<string, unknown>): RfResponse {
    const only = (name: string, allowed: string[]): void => {
      for (const k of Object.keys(body)) if (!allowed.includes(k)) throw fail.actionParamUnknown(name, k);
    };
    switch (action.kind) {
      case 'reset':
        only('ComputerSystem.Reset', ['ResetType']);
        m.reset(body.ResetType, () => this.powerTransitionMs(m.id));
        break;
      case 'resetBios': m.resetBios(); break;
      case 'biosPassword': break;
      case 'resetKeys':
        only('SecureBoot.ResetKeys', ['ResetKeysType']);
        m.resetSecureBootKeys(body.ResetKeysType);
        break;
      case 'insertMedia': m.insertMedia(action.mediaId, body); break;
      case 'ejectMedia': only('VirtualMedia.EjectMedia', []); m.ejectMedia(action.mediaId); break;
      case 'managerReset': break;
    }
    return { status: 204, headers: {} };
  }

  /** POST to a Volumes collection: validates now, answers 202 + task monitor, creates after the task delay. */
  private createVolume(m: LabMachine, loc: Located, body: Record<string, unknown>): RfResponse {
    if (loc.role.kind !== 'volumes') throw fail.notFound(loc.templatePath);
    const storage = loc.role.storage;
    for (const k of Object.keys(body)) if (!VOLUME_KEYS.has(k)) throw fail.propertyUnknown(k);
    const applyTime = body['@Redfish.OperationApplyTime'];
    if (applyTime !== undefined && applyTime !== 'Immediate') throw fail.notInList(applyTime, '@Redfish.OperationApplyTime');
    let raidType = body.RAIDType;
    if (raidType === undefined && typeof body.VolumeType === 'string') raidType = raidTypeOfVolumeType(body.VolumeType);
    if (typeof raidType !== 'string') throw raidType === undefined ? fail.missing('RAIDType') : fail.typeError(raidType, 'RAIDType');
    const cap = body.CapacityBytes;
    if (cap !== undefined && (typeof cap !== 'number' || !Number.isInteger(cap))) throw fail.typeError(cap, 'CapacityBytes');
    const drivesLinks = (body.Links as Json | undefined)?.Drives;
    if (!Array.isArray(drivesLinks) || drivesLinks.length === 0) throw fail.missing('Links/Drives');
    const driveIds = drivesLinks.map((d) => {
      const path = typeof d === 'string' ? d : (d as Json | null)?.['@odata.id'];
      const found = typeof path === 'string' ? this.resources.locate(path) : null;
      if (!found || found.machine !== m || found.role.kind !== 'drive' || found.role.storage.id !== storage.id) throw fail.notInList(path ?? d, 'Links/Drives');
      return found.role.driveId;
    });
    const name = typeof body.Name === 'string' ? body.Name : typeof body.DisplayName === 'string' ? body.DisplayName : undefined;
    const plan = m.planVolume(storage.id, { raidType, capacityBytes: cap as number | undefined, driveIds, name });
    const task = this.tasks.start(`Create volume on ${storage.id}`, m.id, () => {
      const v = m.commitVolume(storage.id, plan);
      const path = this.resources.resolver.mapper(m).path(volumePath(storage.volumesPath!, v));
      const doc = this.resources.render(this.resources.locate(path), path);
      return { status: 201, headers: { Location: path, ETag: etagOf(doc) }, body: doc };
    });
    return this.json(202, this.resources.taskDoc(task), { Location: this.resources.monitorPath(task) });
  }

  private login(body: unknown): RfResponse {
    const b = (body ?? {}) as Record<string, unknown>;
    if (typeof body !== 'object' || body === null) throw fail.malformed();
    if (b.UserName === undefined) throw new RedfishError(400, { id: 'CreateFailedMissingReqProperties', args: ['UserName'], related: ['#/UserName'] });
    if (b.Password === undefined) throw new RedfishError(400, { id: 'CreateFailedMissingReqProperties', args: ['Password'], related: ['#/Password'] });
    const s = this.sessions.login(b.UserName, b.Password);
    if (!s) throw new RedfishError(401, { id: 'NoValidSession' });
    const doc = this.resources.sessionDoc(s.id, s.user);
    return this.json(201, doc, { 'X-Auth-Token': s.token, Location: String(doc['@odata.id']) });
  }
}

function header(req: RfRequest, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** Weak ETag of a document (ignoring its own `@odata.etag`); hex only, as sushy's weak-ETag regex expects. */
export function etagOf(doc: Json): string {
  const { ['@odata.etag']: _ignored, ...rest } = doc;
  return `W/"${createHash('sha1').update(JSON.stringify(rest)).digest('hex').slice(0, 16)}"`;
}
