/**
 * TaskService: long operations (RAID volume creation) answered with 202 and a task monitor.
 *
 * Contract (what sushy and Ironic poll):
 * - the 202 answer carries `Location: <task monitor>` and the Task body (whose `@odata.id` sushy
 *   then polls instead of the Location);
 * - while the task runs, GET on the task monitor AND on the Task resource answer 202 with the Task;
 * - once done, the Task resource answers 200 (TaskState Completed or Exception) and the monitor
 *   answers with the result of the original operation (201 + Location of the new volume, or the
 *   error).
 * The work runs once, `delayMs` after creation, on a timer that `close()` cancels.
 *
 * @module
 */
import { RedfishError, type MessageRef } from './errors.ts';

export interface TaskResult {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
}

export type TaskState = 'Running' | 'Completed' | 'Exception';

export interface Task {
  id: string;
  name: string;
  machineId: string | null;
  state: TaskState;
  startTime: string;
  endTime: string | null;
  result: TaskResult | null;
  /** Messages to show on the Task (success or the failure's Base messages). */
  messages: MessageRef[];
  /** The failure, when the work threw one; the monitor answers with it. */
  error: RedfishError | null;
}

export class TaskStore {
  private readonly tasks = new Map<string, Task>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private next = 1;
  delayMs: number;

  constructor(delayMs: number) {
    this.delayMs = delayMs;
  }

  /** Starts a task that runs `work` after the configured delay. */
  start(name: string, machineId: string | null, work: () => TaskResult): Task {
    const task: Task = {
      id: String(this.next++), name, machineId, state: 'Running', startTime: new Date().toISOString(), endTime: null,
      result: null, messages: [], error: null,
    };
    this.tasks.set(task.id, task);
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      try {
        task.result = work();
        task.state = 'Completed';
        task.messages = [{ id: 'Success' }];
      } catch (err) {
        task.error = err instanceof RedfishError ? err : new RedfishError(500, { id: 'InternalError' });
        task.state = 'Exception';
        task.messages = task.error.messages;
      }
      task.endTime = new Date().toISOString();
    }, this.delayMs);
    timer.unref();
    this.timers.add(timer);
    return task;
  }

  get(id: string): Task | undefined {
    return this.tasks.get(id);
  }

  list(): Task[] {
    return [...this.tasks.values()];
  }

  /** Cancels pending work (tasks stay Running forever); used when the lab shuts down. */
  close(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }
}
