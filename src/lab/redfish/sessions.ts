/**
 * Credentials and Redfish sessions of the lab service.
 *
 * - Basic auth and session tokens (`X-Auth-Token`) are both accepted on every protected resource.
 * - Sessions expire after `timeoutSec` without use (SessionService.SessionTimeout).
 * - "Dropped sessions" (a fault) can be service-wide (every session is deleted) or per machine:
 *   then every session created before the drop stops working for that machine's resources only, so
 *   one flaky BMC does not log clients out of the others. A client that logs in again gets a
 *   session valid everywhere.
 *
 * @module
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';

export interface Session {
  id: string;
  token: string;
  user: string;
  /** Creation order; compared with per-machine drop marks. */
  seq: number;
  lastUsed: number;
}

export interface SessionStoreOptions {
  users: Record<string, string>;
  timeoutSec: number;
  now?: () => number;
}

export class SessionStore {
  private readonly sessions = new Map<string, Session>();
  private readonly byToken = new Map<string, Session>();
  /** machine id → sessions with seq <= this are refused for that machine. */
  private readonly dropMarks = new Map<string, number>();
  private seq = 0;
  private readonly users: Record<string, string>;
  timeoutSec: number;
  private readonly now: () => number;

  constructor(opts: SessionStoreOptions) {
    this.users = opts.users;
    this.timeoutSec = opts.timeoutSec;
    this.now = opts.now ?? Date.now;
  }

  /** Checks a user name and password (constant-time compare of the password). */
  checkPassword(user: unknown, password: unknown): boolean {
    if (typeof user !== 'string' || typeof password !== 'string') return false;
    const want = this.users[user];
    if (want === undefined || !Object.hasOwn(this.users, user)) return false;
    const a = Buffer.from(password);
    const b = Buffer.from(want);
    return a.length === b.length && timingSafeEqual(a, b);
  }

  /** User of a valid `Authorization: Basic` header, else null. */
  basicUser(header: string | undefined): string | null {
    const m = header ? /^Basic\s+(.+)$/i.exec(header) : null;
    if (!m) return null;
    const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
    const i = decoded.indexOf(':');
    if (i < 0) return null;
    const user = decoded.slice(0, i);
    return this.checkPassword(user, decoded.slice(i + 1)) ? user : null;
  }

  /** Creates a session; null on bad credentials. */
  login(user: unknown, password: unknown): Session | null {
    if (!this.checkPassword(user, password)) return null;
    const s: Session = { id: randomBytes(8).toString('hex'), token: randomBytes(24).toString('hex'), user: user as string, seq: ++this.seq, lastUsed: this.now() };
    this.sessions.set(s.id, s);
    this.byToken.set(s.token, s);
    return s;
  }

  /** The session of a token if it is valid for a request on `machineId` (null = service-wide path). */
  validate(token: string, machineId: string | null): Session | null {
    const s = this.byToken.get(token);
    if (!s) return null;
    if (this.now() - s.lastUsed > this.timeoutSec * 1000) {
      this.remove(s.id);
      return null;
    }
    if (machineId !== null && s.seq <= (this.dropMarks.get(machineId) ?? 0)) return null;
    s.lastUsed = this.now();
    return s;
  }

  get(id: string): Session | undefined {
    return this.sessions.get(id);
  }

  list(): Session[] {
    return [...this.sessions.values()];
  }

  remove(id: string): boolean {
    const s = this.sessions.get(id);
    if (!s) return false;
    this.sessions.delete(id);
    this.byToken.delete(s.token);
    return true;
  }

  /**
   * Invalidates sessions: all of them (deleted) when `machineIds` is empty/undefined, else only
   * for requests on those machines. Returns how many sessions were affected.
   */
  drop(machineIds?: string[]): number {
    const n = this.sessions.size;
    if (!machineIds || machineIds.length === 0) {
      this.sessions.clear();
      this.byToken.clear();
    } else {
      for (const id of machineIds) this.dropMarks.set(id, this.seq);
    }
    return n;
  }
}
