/**
 * Task: the one holder of a node's exclusive lock, and the one place where
 * provision_state changes (`apply`, or `applyAndRelease` for a flow's last transition).
 *
 * Lock = the node's `reservation` column set to this conductor's hostname by an atomic
 * `UPDATE … WHERE reservation IS NULL`. Acquisition retries a few times (Ironic's
 * node_locked_retry_attempts × interval), then fails with NodeLocked (HTTP 409).
 */
import { NodeLockedError, NotFoundError, InvalidStateError } from '../core/errors.ts';

/** The reason a task's signal carries: the message becomes the node's last_error. */
export class AbortedError extends Error {
  override readonly name = 'AbortedError';
}
import { nextState, targetOf, type FsmEvent } from '../core/fsm.ts';
import type { Node, NodeChanges } from '../core/node.ts';
import type { ProvisionState } from '../core/states.ts';
import { isoNow } from '../core/ids.ts';
import type { NodeRepo } from '../db/nodes.ts';
import { MAX_VERSION } from '../contracts/versions.ts';

export interface LockOptions {
  /** Attempts before giving up (default 3). */
  attempts?: number;
  /** Delay between attempts in ms (default 1000, like Ironic). */
  intervalMs?: number;
}

export class Task {
  private released = false;
  private lockLost = false;
  private readonly controller = new AbortController();
  constructor(readonly repo: NodeRepo, public node: Node, readonly host: string, readonly purpose: string) {}

  /**
   * Fired when the task's work must stop: `abort` requested, the lock lost, shutdown.
   * Driver contexts of the task carry it; once fired, the task applies no event but
   * `fail` / `abort` (see `transition`), so its job ends in a failed state.
   */
  get signal(): AbortSignal { return this.controller.signal; }

  /** Fire the signal; `reason` is what the node's last_error will say. */
  abort(reason: string): void {
    if (!this.controller.signal.aborted) this.controller.abort(new AbortedError(reason));
  }

  /** Why the task was aborted, or null. */
  get abortReason(): string | null {
    if (!this.controller.signal.aborted) return null;
    const r: unknown = this.controller.signal.reason;
    return r instanceof Error ? r.message : String(r);
  }

  /**
   * Advance the FSM by `event`, persisting provision_state, target_provision_state and
   * provision_updated_at together with `extra` column changes in one write.
   * `target` overrides the target shown (e.g. manual cleaning targets `manageable`).
   */
  async apply(event: FsmEvent, extra: NodeChanges = {}, target?: ProvisionState | null): Promise<ProvisionState> {
    const changes = this.transition(event, extra, target);
    await this.save(changes);
    return changes.provision_state;
  }

  /**
   * `apply` and `release` in one write: for a flow's last transition. The lock goes only
   * if the write succeeds; the task must not be used afterwards.
   */
  async applyAndRelease(event: FsmEvent, extra: NodeChanges = {}, target?: ProvisionState | null): Promise<ProvisionState> {
    const changes = this.transition(event, extra, target);
    await this.saveAndRelease(changes);
    return changes.provision_state;
  }

  /** The column changes of FSM `event` from the current state; throws InvalidState. */
  private transition(event: FsmEvent, extra: NodeChanges, target: ProvisionState | null | undefined): NodeChanges & { provision_state: ProvisionState } {
    const from = this.node.provision_state;
    // An aborted job must not carry on to `done`/`wait`: only the failure edges remain.
    if (this.lockLost) throw new NodeLockedError(this.node.uuid, 'another conductor (lock lost)');
    if (this.controller.signal.aborted && event !== 'fail' && event !== 'abort') throw this.controller.signal.reason;
    const to = nextState(from, event, MAX_VERSION);
    if (!to) {
      throw new InvalidStateError(`The requested action "${event}" can not be performed on node "${this.node.uuid}" while it is in state "${from}".`);
    }
    const tgt = target !== undefined ? target : targetOf(to);
    return { ...extra, provision_state: to, target_provision_state: tgt, provision_updated_at: isoNow() };
  }

  /** Persist column changes while holding the lock. */
  async save(changes: NodeChanges): Promise<void> {
    if (this.released) throw new Error(`BUG: task for node ${this.node.uuid} used after release`);
    const ok = await this.repo.update(this.node.id, changes, { reservation: this.host });
    if (!ok) {
      this.lockLost = true;
      this.abort(`Conductor ${this.host} lost the lock of node ${this.node.uuid} during "${this.purpose}"; the operation was stopped.`);
      throw new NodeLockedError(this.node.uuid, 'another conductor (lock lost)');
    }
    Object.assign(this.node, changes);
  }

  /** Reload the node row (e.g. after the API changed fields we do not own). */
  async refresh(): Promise<Node> {
    const n = await this.repo.getById(this.node.id);
    if (!n) throw new NotFoundError(`Node ${this.node.uuid} could not be found.`);
    this.node = n;
    return n;
  }

  /**
   * Persist column changes and give up the lock in the same write (the WHERE still
   * requires our reservation). Throws NodeLocked, keeping the task unreleased, if the
   * lock was lost.
   */
  async saveAndRelease(changes: NodeChanges): Promise<void> {
    await this.save({ ...changes, reservation: null });
    this.released = true;
  }

  /** Give up the lock (no-op when already released). */
  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    await this.repo.release(this.node.id, this.host);
  }

  get isReleased(): boolean { return this.released; }
}

export class TaskManager {
  constructor(private readonly repo: NodeRepo, readonly host: string, private readonly defaults: LockOptions = {}) {}

  /** Take the exclusive lock on a node. Throws NotFound or NodeLocked. */
  async acquire(nodeId: number, purpose: string, opts: LockOptions = {}): Promise<Task> {
    const attempts = opts.attempts ?? this.defaults.attempts ?? 3;
    const interval = opts.intervalMs ?? this.defaults.intervalMs ?? 1000;
    for (let i = 0; ; i++) {
      // One atomic write takes the lock and, like Ironic's reservation write (SQLAlchemy
      // onupdate), stamps updated_at: a locked operation that changes nothing else still
      // shows a fresh updated_at.
      const node = await this.repo.lock(nodeId, this.host);
      if (node) return new Task(this.repo, node, this.host, purpose);
      const cur = await this.repo.getById(nodeId);
      if (!cur) throw new NotFoundError(`Node ${nodeId} could not be found.`);
      if (i + 1 >= attempts) throw new NodeLockedError(cur.uuid, cur.reservation ?? 'unknown');
      await new Promise((r) => setTimeout(r, interval));
    }
  }

  /** Run `fn` under the lock and always release it. */
  async withLock<T>(nodeId: number, purpose: string, fn: (t: Task) => Promise<T>, opts: LockOptions = {}): Promise<T> {
    const task = await this.acquire(nodeId, purpose, opts);
    try {
      return await fn(task);
    } finally {
      await task.release();
    }
  }
}
