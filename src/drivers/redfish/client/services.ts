/**
 * Service root and the SessionService / TaskService resources.
 */
import type { RedfishClient } from './client.ts';
import { getOptional, getOptionalMembers } from './collections.ts';
import { bool, link, num, obj, odataId, status, str, type JsonObject } from './odata.ts';
import { parseTask, type TaskInfo } from './tasks.ts';

export interface ServiceRoot {
  uri: string;
  id: string | undefined;
  redfishVersion: string | undefined;
  uuid: string | undefined;
  vendor: string | undefined;
  product: string | undefined;
  links: {
    systems?: string;
    managers?: string;
    chassis?: string;
    sessionService?: string;
    sessions?: string;
    /** ServiceRoot property `Tasks` (the TaskService). */
    taskService?: string;
    registries?: string;
    updateService?: string;
  };
  raw: JsonObject;
}

export function parseServiceRoot(json: JsonObject): ServiceRoot {
  return {
    uri: odataId(json) ?? '',
    id: str(json, 'Id'),
    redfishVersion: str(json, 'RedfishVersion'),
    uuid: str(json, 'UUID'),
    vendor: str(json, 'Vendor'),
    product: str(json, 'Product'),
    links: {
      systems: link(json, 'Systems'),
      managers: link(json, 'Managers'),
      chassis: link(json, 'Chassis'),
      sessionService: link(json, 'SessionService'),
      sessions: link(obj(json, 'Links'), 'Sessions'),
      taskService: link(json, 'Tasks') ?? link(json, 'TaskService'),
      registries: link(json, 'Registries'),
      updateService: link(json, 'UpdateService'),
    },
    raw: json,
  };
}

export async function getServiceRoot(client: RedfishClient, refresh = false): Promise<ServiceRoot> {
  return parseServiceRoot(await client.serviceRoot(refresh));
}

export interface SessionService {
  uri: string;
  enabled: boolean | undefined;
  /** Idle timeout of sessions, in seconds. */
  sessionTimeout: number | undefined;
  sessionsUri: string | undefined;
  state: string | undefined;
  health: string | undefined;
  raw: JsonObject;
}

export function parseSessionService(json: JsonObject): SessionService {
  return {
    uri: odataId(json) ?? '',
    enabled: bool(json, 'ServiceEnabled'),
    sessionTimeout: num(json, 'SessionTimeout'),
    sessionsUri: link(json, 'Sessions'),
    ...status(json),
    raw: json,
  };
}

export async function getSessionService(client: RedfishClient): Promise<SessionService | undefined> {
  const json = await getOptional(client, (await getServiceRoot(client)).links.sessionService);
  return json ? parseSessionService(json) : undefined;
}

export interface SessionInfo {
  uri: string;
  id: string | undefined;
  userName: string | undefined;
  raw: JsonObject;
}

export function parseSession(json: JsonObject): SessionInfo {
  return { uri: odataId(json) ?? '', id: str(json, 'Id'), userName: str(json, 'UserName'), raw: json };
}

/** Open sessions on the BMC (needs privileges on most BMCs). */
export async function listSessions(client: RedfishClient): Promise<SessionInfo[]> {
  const svc = await getSessionService(client);
  const root = await getServiceRoot(client);
  return (await getOptionalMembers(client, svc?.sessionsUri ?? root.links.sessions)).map(parseSession);
}

export interface TaskService {
  uri: string;
  enabled: boolean | undefined;
  tasksUri: string | undefined;
  dateTime: string | undefined;
  completedTaskOverWritePolicy: string | undefined;
  state: string | undefined;
  health: string | undefined;
  raw: JsonObject;
}

export function parseTaskService(json: JsonObject): TaskService {
  return {
    uri: odataId(json) ?? '',
    enabled: bool(json, 'ServiceEnabled'),
    tasksUri: link(json, 'Tasks'),
    dateTime: str(json, 'DateTime'),
    completedTaskOverWritePolicy: str(json, 'CompletedTaskOverWritePolicy'),
    ...status(json),
    raw: json,
  };
}

export async function getTaskService(client: RedfishClient): Promise<TaskService | undefined> {
  const json = await getOptional(client, (await getServiceRoot(client)).links.taskService);
  return json ? parseTaskService(json) : undefined;
}

/** All Task resources of the TaskService ([] when there is none). */
export async function listTasks(client: RedfishClient): Promise<TaskInfo[]> {
  const svc = await getTaskService(client);
  return (await getOptionalMembers(client, svc?.tasksUri)).map(parseTask);
}
