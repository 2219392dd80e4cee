/**
 * IPA's heartbeat loop: the first heartbeat at once; after a success the next one
 * `heartbeat_timeout × U(0.3, 0.6)` seconds later; after a failure (or a 409) the next
 * check `minGap` seconds later; `force()` (called when an async command ends) sends one
 * as soon as `minGap` has passed since the last success.
 */
import type { IronicClient } from './ironic-client.ts';

export interface HeartbeaterOptions {
  client: IronicClient;
  uuid: string;
  callbackUrl: string;
  token: () => string | null;
  agentVersion: string;
  /** PEM sent as agent_verify_ca (auto-TLS), or null. */
  verifyCa?: string | null;
  heartbeatTimeout: number;
  /** IPA's 5 s: the loop's tick and the least gap between forced heartbeats. */
  minGap: number;
  log: (msg: string) => void;
  random?: () => number;
}

export class Heartbeater {
  private timer: NodeJS.Timeout | null = null;
  private last = 0;
  private interval = 0;
  private forced = false;
  private stopped = false;
  private inFlight: Promise<void> | null = null;
  /** Successful heartbeats so far. */
  count = 0;

  constructor(private readonly o: HeartbeaterOptions) {}

  start(): void { this.tick(); }

  force(): void {
    this.forced = true;
    if (!this.stopped && !this.inFlight && Date.now() >= this.last + this.o.minGap * 1000) {
      if (this.timer) clearTimeout(this.timer);
      this.tick();
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.inFlight;
  }

  private due(): boolean {
    const now = Date.now();
    return now >= this.last + this.interval * 1000 || (this.forced && now >= this.last + this.o.minGap * 1000);
  }

  private tick(): void {
    if (this.stopped) return;
    const next = () => {
      if (this.stopped) return;
      const wait = Math.max(0.05, Math.min(this.interval, this.o.minGap));
      this.timer = setTimeout(() => this.tick(), wait * 1000);
    };
    if (!this.due()) { next(); return; }
    this.inFlight = this.beat().finally(() => { this.inFlight = null; next(); });
  }

  private async beat(): Promise<void> {
    const rnd = this.o.random ?? Math.random;
    try {
      await this.o.client.heartbeat({
        uuid: this.o.uuid, callbackUrl: this.o.callbackUrl, token: this.o.token(), agentVersion: this.o.agentVersion,
        verifyCa: this.o.verifyCa ?? null,
      });
      this.forced = false;
      this.last = Date.now();
      this.count++;
    } catch (err) {
      this.o.log(`heartbeat to the Ironic API failed: ${(err as Error).message}`);
    } finally {
      this.interval = this.o.heartbeatTimeout * (0.3 + 0.3 * rnd());
    }
  }
}
