/**
 * What each URL is (its role) and how it reads (GET rendering).
 *
 * A request path is first resolved to (machine, template path); the template path's role then
 * decides the renderer: live state overlays for the system, BIOS, NICs, media, storage; live
 * collections for systems/managers/chassis, sessions and tasks; the template document as-is for
 * everything else (processors, memory, registries, vendor OEM trees...). Every rendered document is
 * finally rewritten to the machine's ids.
 *
 * @module
 */
import { fail } from './errors.ts';
import type { LabMachine } from './machine.ts';
import type { PathResolver } from './paths.ts';
import type { ActionRole, Profile, StorageRole } from './profile.ts';
import * as r from './render.ts';
import type { SessionStore } from './sessions.ts';
import type { Task, TaskStore } from './tasks.ts';
import { normPath, type Json } from './tree.ts';

export type Role =
  | { kind: 'versions' } | { kind: 'root' } | { kind: 'static' }
  | { kind: 'collection'; of: 'system' | 'manager' | 'chassis' }
  | { kind: 'sessionService' } | { kind: 'sessions' } | { kind: 'session'; id: string }
  | { kind: 'tasks' } | { kind: 'task'; id: string } | { kind: 'monitor'; id: string }
  | { kind: 'system' } | { kind: 'manager' } | { kind: 'chassis' } | { kind: 'bios' } | { kind: 'biosSettings' } | { kind: 'secureBoot' }
  | { kind: 'nic'; id: string } | { kind: 'vmedia'; id: string }
  | { kind: 'drive'; storage: StorageRole; driveId: string }
  | { kind: 'volumes'; storage: StorageRole } | { kind: 'volume'; storage: StorageRole; volumeId: string }
  | { kind: 'action'; action: ActionRole };

/** A located resource: its role, machine (if any) and template path. */
export interface Located { role: Role; machine: LabMachine | null; templatePath: string }

export class Resources {
  readonly profile: Profile;
  readonly machines: LabMachine[];
  readonly resolver: PathResolver;
  private readonly sessions: SessionStore;
  private readonly tasks: TaskStore;
  private readonly exact = new Map<string, Role>();
  private readonly machineExact = new Map<string, Role>();
  private readonly volumePrefixes: Array<{ prefix: string; storage: StorageRole }> = [];
  readonly paths: { sessions: string; taskService: string; sessionService: string };

  constructor(profile: Profile, machines: LabMachine[], resolver: PathResolver, sessions: SessionStore, tasks: TaskStore) {
    this.profile = profile;
    this.machines = machines;
    this.resolver = resolver;
    this.sessions = sessions;
    this.tasks = tasks;
    const k = (p: string): string => resolver.key(p);
    const root = profile.tree.get('/redfish/v1') ?? {};
    const id = (x: unknown, dflt: string): string => normPath(String((x as Json | undefined)?.['@odata.id'] ?? dflt));
    const sessionService = id(root.SessionService, '/redfish/v1/SessionService');
    this.paths = {
      sessionService,
      sessions: id((root.Links as Json | undefined)?.Sessions, `${sessionService}/Sessions`),
      taskService: id(root.Tasks, '/redfish/v1/TaskService'),
    };
    this.exact.set(k('/redfish'), { kind: 'versions' });
    this.exact.set(k('/redfish/v1'), { kind: 'root' });
    this.exact.set(k(id(root.Systems, '/redfish/v1/Systems')), { kind: 'collection', of: 'system' });
    this.exact.set(k(id(root.Managers, '/redfish/v1/Managers')), { kind: 'collection', of: 'manager' });
    this.exact.set(k(id(root.Chassis, '/redfish/v1/Chassis')), { kind: 'collection', of: 'chassis' });
    this.exact.set(k(sessionService), { kind: 'sessionService' });
    this.exact.set(k(this.paths.sessions), { kind: 'sessions' });
    this.exact.set(k(`${this.paths.taskService}/Tasks`), { kind: 'tasks' });

    const roles = profile.roles;
    const put = (p: string | null, role: Role): void => { if (p) this.machineExact.set(k(p), role); };
    put(roles.system, { kind: 'system' });
    put(roles.manager, { kind: 'manager' });
    put(roles.chassis, { kind: 'chassis' });
    put(roles.bios, { kind: 'bios' });
    put(roles.biosSettings, { kind: 'biosSettings' });
    put(roles.secureBoot, { kind: 'secureBoot' });
    for (const m of roles.ethernet?.members ?? []) put(m.path, { kind: 'nic', id: m.id });
    for (const m of roles.vmedia?.members ?? []) put(m.path, { kind: 'vmedia', id: m.id });
    for (const st of roles.storage?.members ?? []) {
      for (const d of st.drives) put(d.path, { kind: 'drive', storage: st, driveId: d.id });
      if (st.volumesPath) {
        put(st.volumesPath, { kind: 'volumes', storage: st });
        this.volumePrefixes.push({ prefix: `${k(st.volumesPath)}/`, storage: st });
      }
    }
    for (const [key, action] of roles.actions) this.machineExact.set(key, { kind: 'action', action });
  }

  /** Classifies a request path. Unknown paths come back as `static` (the tree decides 404). */
  locate(rawPath: string): Located {
    const { machine, templatePath } = this.resolver.resolve(rawPath);
    const key = this.resolver.key(templatePath);
    if (machine) {
      const role = this.machineExact.get(key);
      if (role) return { role, machine, templatePath };
      for (const v of this.volumePrefixes) {
        const rest = key.slice(v.prefix.length);
        if (key.startsWith(v.prefix) && rest && !rest.includes('/')) {
          return { role: { kind: 'volume', storage: v.storage, volumeId: templatePath.split('/').pop()! }, machine, templatePath };
        }
      }
      return { role: { kind: 'static' }, machine, templatePath };
    }
    const role = this.exact.get(key);
    if (role) return { role, machine, templatePath };
    const child = (base: string): string | null => {
      const p = `${this.resolver.key(base)}/`;
      return key.startsWith(p) && !key.slice(p.length).includes('/') ? templatePath.slice(p.length) : null;
    };
    const sessionId = child(this.paths.sessions);
    if (sessionId) return { role: { kind: 'session', id: sessionId }, machine, templatePath };
    const taskId = child(`${this.paths.taskService}/Tasks`);
    if (taskId) return { role: { kind: 'task', id: taskId }, machine: this.taskMachine(taskId), templatePath };
    const monitorId = child(`${this.paths.taskService}/TaskMonitors`);
    if (monitorId) return { role: { kind: 'monitor', id: monitorId }, machine: this.taskMachine(monitorId), templatePath };
    return { role: { kind: 'static' }, machine, templatePath };
  }

  private taskMachine(id: string): LabMachine | null {
    const t = this.tasks.get(id);
    return t?.machineId ? this.machines.find((m) => m.id === t.machineId) ?? null : null;
  }

  /** Renders the resource at `loc` (GET). Throws 404 when there is none. */
  render(loc: Located, requestPath: string): Json {
    const { role, machine: m, templatePath } = loc;
    const tpl = (p: string): Json | undefined => {
      const d = this.profile.tree.get(p);
      return d ? structuredClone(d) : undefined;
    };
    const need = (d: Json | undefined): Json => { if (!d) throw fail.notFound(requestPath); return d; };
    const generic = this.profile.name === 'generic';
    let doc: Json;
    switch (role.kind) {
      case 'versions': return { v1: '/redfish/v1/' };
      case 'collection': return this.machineCollection(role.of, need(tpl(templatePath)));
      case 'sessionService': doc = need(tpl(templatePath)); doc.SessionTimeout = this.sessions.timeoutSec; return doc;
      case 'sessions': return r.withMembers(need(tpl(templatePath) ?? this.collectionSkeleton(templatePath, 'SessionCollection')), this.sessions.list().map((s) => `${this.paths.sessions}/${s.id}`));
      case 'session': {
        const s = this.sessions.get(role.id);
        if (!s) throw fail.notFound(requestPath);
        return this.sessionDoc(s.id, s.user);
      }
      case 'tasks': return r.withMembers(need(tpl(templatePath) ?? this.collectionSkeleton(templatePath, 'TaskCollection')), this.tasks.list().map((t) => `${this.paths.taskService}/Tasks/${t.id}`));
      case 'task': case 'monitor': {
        const t = this.tasks.get(role.id);
        if (!t) throw fail.notFound(requestPath);
        return this.taskDoc(t);
      }
      case 'root': case 'static': case 'action':
        doc = need(tpl(templatePath));
        return m ? this.resolver.mapper(m).doc(doc) : doc;
      default: break;
    }
    if (!m) throw fail.notFound(requestPath);
    const map = this.resolver.mapper(m);
    const roles = this.profile.roles;
    switch (role.kind) {
      case 'system': doc = r.renderSystem(need(tpl(templatePath)), m, generic); break;
      case 'manager': doc = r.renderManager(need(tpl(templatePath)), m, generic); break;
      case 'chassis': doc = r.renderChassis(need(tpl(templatePath)), m, generic); break;
      case 'bios': doc = r.renderBios(need(tpl(templatePath)), m, roles.biosSettings!); break;
      case 'biosSettings': doc = r.renderBiosSettings(tpl(templatePath), need(tpl(roles.bios!)), m, roles.biosSettings!); break;
      case 'secureBoot': doc = r.renderSecureBoot(need(tpl(templatePath)), m); break;
      case 'nic': doc = r.renderNic(need(tpl(templatePath)), m.nics.find((n) => n.id === role.id)!); break;
      case 'vmedia': doc = r.renderVmedia(need(tpl(templatePath)), m.virtualMedia.find((v) => v.id === role.id)!); break;
      case 'drive': doc = r.renderDrive(need(tpl(templatePath)), m.storageById(role.storage.id), role.driveId, role.storage.volumesPath); break;
      case 'volumes': doc = r.renderVolumes(need(tpl(templatePath)), m.storageById(role.storage.id), role.storage.volumesPath!); break;
      case 'volume': {
        const st = m.storageById(role.storage.id);
        const v = st.volumes.find((x) => x.id === role.volumeId);
        if (!v) throw fail.notFound(requestPath);
        doc = r.renderVolume(v.templatePath ? tpl(v.templatePath) : undefined, st, v, role.storage.volumesPath!, this.volumeType(role.storage), new Map(role.storage.drives.map((d) => [d.id, d.path])));
        break;
      }
      default: throw fail.notFound(requestPath);
    }
    return map.doc(doc);
  }

  /** Systems/Managers/Chassis: every machine's resource in place of the template's, other members kept. */
  private machineCollection(of: 'system' | 'manager' | 'chassis', doc: Json): Json {
    const roles = this.profile.roles;
    const tplPath = of === 'system' ? roles.system : of === 'manager' ? roles.manager : roles.chassis;
    const key = this.resolver.key(tplPath);
    const members: string[] = [];
    for (const mem of (doc.Members ?? []) as Json[]) {
      const p = normPath(String(mem['@odata.id'] ?? ''));
      if (this.resolver.key(p) === key) members.push(...this.machines.map((m) => this.resolver.mapper(m).path(tplPath)));
      else members.push(p);
    }
    return r.withMembers(doc, members);
  }

  private collectionSkeleton(path: string, type: string): Json {
    return { '@odata.id': path, '@odata.type': `#${type}.${type}`, Name: type };
  }

  private volumeType(st: StorageRole): string {
    const first = st.volumes[0] ? this.profile.tree.get(st.volumes[0].path) : undefined;
    return String(first?.['@odata.type'] ?? '#Volume.v1_6_2.Volume');
  }

  sessionDoc(id: string, user: string): Json {
    return {
      '@odata.id': `${this.paths.sessions}/${id}`, '@odata.type': '#Session.v1_3_0.Session', Id: id,
      Name: 'User Session', Description: 'Manager User Session', UserName: user,
    };
  }

  taskDoc(t: Task): Json {
    const running = t.state === 'Running';
    return {
      '@odata.id': `${this.paths.taskService}/Tasks/${t.id}`, '@odata.type': '#Task.v1_4_3.Task', Id: t.id, Name: t.name,
      TaskState: t.state, TaskStatus: t.state === 'Exception' ? 'Critical' : 'OK', StartTime: t.startTime,
      ...(t.endTime ? { EndTime: t.endTime } : {}), PercentComplete: running ? 50 : 100,
      TaskMonitor: this.monitorPath(t), Messages: t.messages.map((msg) => this.profile.catalog.message(msg)),
    };
  }

  monitorPath(t: Task): string {
    return `${this.paths.taskService}/TaskMonitors/${t.id}`;
  }
}
