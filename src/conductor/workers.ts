/**
 * Bounded pool of background jobs (Ironic's workers_pool_size). A full pool refuses with
 * 503 rather than queueing without bound.
 *
 * Contract: a caller that must change a node before its job runs (apply an FSM event,
 * set target_power_state) first `reserve()`s a worker, then changes the node, then
 * `run`s the job on the slot, or `cancel`s the slot when the change failed. So a full
 * pool answers 503 before anything was written (Ironic rolls the state back instead, in
 * provisioning_error_handler; reserving first leaves nothing to roll back).
 * `close()` stops taking work (shutdown); `drain` waits for the running jobs.
 */
import { UnavailableError } from '../core/errors.ts';

/** A worker reserved for one job: `run` it or `cancel` it, exactly once. */
export interface WorkerSlot {
  run(job: () => Promise<void>): void;
  cancel(): void;
}

export class WorkerPool {
  private readonly running = new Set<Promise<void>>();
  private reserved = 0;
  private closed = false;
  constructor(private readonly size: number, private readonly onError: (err: unknown) => void) {}

  /** Jobs running plus workers reserved for jobs about to run. */
  get active(): number { return this.running.size + this.reserved; }

  /** False once `close()` was called. */
  get accepting(): boolean { return !this.closed; }

  /** Reserve a worker. Throws UnavailableError (503) when the pool is full or closed. */
  reserve(): WorkerSlot {
    if (this.closed) throw new UnavailableError('The conductor is shutting down and takes no new work; retry the operation later.');
    if (this.active >= this.size) throw new UnavailableError('No free conductor workers available');
    this.reserved++;
    let used = false;
    const settle = (): void => {
      if (used) throw new Error('BUG: worker slot used twice');
      used = true;
      this.reserved--;
    };
    return {
      run: (job) => { settle(); this.start(job); },
      cancel: () => { if (!used) settle(); },
    };
  }

  /** Start `job` now. Throws UnavailableError (503) when the pool is full or closed. */
  spawn(job: () => Promise<void>): void {
    this.reserve().run(job);
  }

  private start(job: () => Promise<void>): void {
    const p: Promise<void> = Promise.resolve().then(job).catch(this.onError).finally(() => { this.running.delete(p); });
    this.running.add(p);
  }

  /** Take no new work (reserve/spawn answer 503); running jobs go on. */
  close(): void { this.closed = true; }

  async drain(): Promise<void> {
    while (this.running.size) await Promise.allSettled([...this.running]);
  }

  /** `drain`, but give up after `ms`; true when the pool is empty. */
  async drainFor(ms: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<false>((r) => { timer = setTimeout(() => r(false), ms); });
    try {
      return await Promise.race([this.drain().then(() => true as const), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}
