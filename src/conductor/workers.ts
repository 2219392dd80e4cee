/**
 * Bounded pool of background jobs (Ironic's workers_pool_size). `spawn` refuses with
 * 503 when the pool is full rather than queueing without bound. `drain` waits for all
 * running jobs (used at shutdown and in tests).
 */
import { UnavailableError } from '../core/errors.ts';

export class WorkerPool {
  private readonly running = new Set<Promise<void>>();
  constructor(private readonly size: number, private readonly onError: (err: unknown) => void) {}

  get active(): number { return this.running.size; }

  /** Start `job` now. Throws UnavailableError (503) when `size` jobs are running. */
  spawn(job: () => Promise<void>): void {
    if (this.running.size >= this.size) {
      throw new UnavailableError('No free conductor workers available');
    }
    const p: Promise<void> = Promise.resolve().then(job).catch(this.onError).finally(() => { this.running.delete(p); });
    this.running.add(p);
  }

  async drain(): Promise<void> {
    while (this.running.size) await Promise.allSettled([...this.running]);
  }
}
