/**
 * Asynchronous operations: `202 Accepted` + task monitor (Redfish spec "Asynchronous operations").
 *
 * Contract: a task monitor URI answers 202 while the operation runs and, once it is done, the
 * operation's final response (any other status). Many BMCs instead point Location at the Task
 * resource itself, which answers 200 with a running TaskState; both are handled: the operation
 * is finished when the status is not 202 AND the body is not a Task in a non-terminal state.
 * A finished Task in Exception/Killed/Cancelled (or TaskStatus Critical) is a failure.
 */
import { RedfishProtocolError, RedfishTaskError, parseMessages, messageText, type RedfishMessage } from './errors.ts';
import type { HttpResponse } from './http.ts';
import { isObject, num, odataId, str, type JsonObject } from './odata.ts';

export interface TaskInfo {
  uri: string | undefined;
  id: string | undefined;
  name: string | undefined;
  taskState: string | undefined;
  taskStatus: string | undefined;
  percentComplete: number | undefined;
  startTime: string | undefined;
  endTime: string | undefined;
  taskMonitor: string | undefined;
  /** Readable messages (MessageArgs substituted), most severe first. */
  messages: string[];
  rawMessages: RedfishMessage[];
  raw: JsonObject;
}

/** States after which a task will not change any more. */
export const TERMINAL_TASK_STATES: readonly string[] = ['Completed', 'Killed', 'Exception', 'Cancelled'];
const FAILED_TASK_STATES: readonly string[] = ['Killed', 'Exception', 'Cancelled'];

/** Whether a JSON body looks like a Task resource. */
export function looksLikeTask(body: unknown): boolean {
  if (!isObject(body)) return false;
  const type = str(body, '@odata.type') ?? '';
  return /#?Task\.v?\d|#Task\.Task$/.test(type) || typeof body['TaskState'] === 'string';
}

export function parseTask(json: unknown): TaskInfo {
  const raw = isObject(json) ? json : {};
  const rawMessages = parseMessages(raw['Messages']);
  return {
    uri: odataId(raw),
    id: str(raw, 'Id'),
    name: str(raw, 'Name'),
    taskState: str(raw, 'TaskState'),
    taskStatus: str(raw, 'TaskStatus'),
    percentComplete: num(raw, 'PercentComplete'),
    startTime: str(raw, 'StartTime'),
    endTime: str(raw, 'EndTime'),
    taskMonitor: str(raw, 'TaskMonitor'),
    messages: rawMessages.map(messageText).filter((x): x is string => !!x),
    rawMessages,
    raw,
  };
}

export function isTaskFinished(t: TaskInfo): boolean {
  return t.taskState !== undefined && TERMINAL_TASK_STATES.includes(t.taskState);
}

export function isTaskFailed(t: TaskInfo): boolean {
  return (t.taskState !== undefined && FAILED_TASK_STATES.includes(t.taskState))
    || (isTaskFinished(t) && t.taskStatus === 'Critical');
}

/** Retry-After as milliseconds (delta-seconds or HTTP-date); undefined when absent/invalid. */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** Where to poll after a 202: Location, else the Task body's TaskMonitor or @odata.id. */
export function monitorUriOf(res: HttpResponse): string {
  const fromBody = looksLikeTask(res.body) ? (str(res.body, 'TaskMonitor') ?? odataId(res.body)) : undefined;
  const uri = res.headers['location'] ?? fromBody;
  if (!uri) {
    throw new RedfishProtocolError(`BMC answered ${res.url} with 202 Accepted but gave no Location header to poll`, { url: res.url });
  }
  return uri;
}

/** What the monitor needs from the client: a GET that returns any status < 400, throws otherwise. */
export interface TaskTransport {
  request(method: string, path: string, opts?: { wait?: boolean }): Promise<HttpResponse>;
  delete(path: string): Promise<HttpResponse>;
}

export interface TaskPollResult {
  done: boolean;
  status: number;
  /** The Task, when the body was one. */
  task: TaskInfo | undefined;
  response: HttpResponse;
  retryAfterMs: number | undefined;
}

export interface TaskWaitOptions {
  /** Give up after this long (default 10 minutes). */
  timeoutMs?: number;
  /** Poll interval when the BMC sends no Retry-After (default 1000 ms). */
  pollMs?: number;
}

function classify(res: HttpResponse): TaskPollResult {
  const task = looksLikeTask(res.body) ? parseTask(res.body) : undefined;
  const running = res.status === 202 || (task !== undefined && task.taskState !== undefined && !isTaskFinished(task));
  return { done: !running, status: res.status, task, response: res, retryAfterMs: parseRetryAfter(res.headers['retry-after']) };
}

export class TaskMonitor {
  readonly uri: string;
  private readonly transport: TaskTransport;
  private lastResult: TaskPollResult | undefined;

  /** `initial` is the 202 response that created the monitor, when there is one. */
  constructor(transport: TaskTransport, uri: string, initial?: HttpResponse) {
    this.transport = transport;
    this.uri = uri;
    if (initial) this.lastResult = { ...classify(initial), done: false };
  }

  static fromAccepted(transport: TaskTransport, res: HttpResponse): TaskMonitor {
    return new TaskMonitor(transport, monitorUriOf(res), res);
  }

  get last(): TaskPollResult | undefined { return this.lastResult; }

  /** One GET of the monitor. HTTP errors (the operation's own failure) throw `RedfishError`. */
  async poll(): Promise<TaskPollResult> {
    const res = await this.transport.request('GET', this.uri, { wait: false });
    this.lastResult = classify(res);
    return this.lastResult;
  }

  /** Requests cancellation (DELETE on the monitor, where the BMC allows it). */
  async cancel(): Promise<void> {
    await this.transport.delete(this.uri);
  }

  /**
   * Polls until finished. Resolves with the final result; throws `RedfishTaskError` when the
   * task failed or the timeout passed, `RedfishError` when the monitor answered an HTTP error.
   */
  async wait(opts: TaskWaitOptions = {}): Promise<TaskPollResult> {
    const timeoutMs = opts.timeoutMs ?? 600_000;
    const pollMs = opts.pollMs ?? 1000;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const r = await this.poll();
      if (r.done) {
        if (r.task && isTaskFailed(r.task)) {
          throw new RedfishTaskError({
            taskUri: r.task.uri ?? this.uri, taskState: r.task.taskState, taskStatus: r.task.taskStatus, messages: r.task.messages,
          });
        }
        return r;
      }
      const remaining = deadline - Date.now();
      if (remaining <= 0) {
        throw new RedfishTaskError({
          taskUri: this.uri, taskState: r.task?.taskState, messages: r.task?.messages, timedOut: true,
        });
      }
      await new Promise((resolve) => setTimeout(resolve, Math.min(r.retryAfterMs ?? pollMs, remaining)));
    }
  }
}
