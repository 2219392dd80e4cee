/**
 * HTTP Basic authentication of the conductor RPC (Ironic's `[json_rpc]
 * auth_strategy = http_basic`): the listener checks credentials against an Apache
 * htpasswd file whose entries are bcrypt hashes (`htpasswd -B`), as Ironic does; the
 * client sends `http_basic_username` / `http_basic_password`.
 *
 * A bcrypt check costs tens of milliseconds on purpose; verified credentials are
 * remembered (by a SHA-256 of the header) so that only the first call of each client pays.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import bcrypt from 'bcryptjs';

export class HtpasswdFile {
  private readonly users = new Map<string, string>();
  private readonly verified = new Set<string>();

  constructor(readonly path: string) {
    let text: string;
    try { text = readFileSync(path, 'utf8'); } catch (err) {
      throw new Error(`INGOT_JSON_RPC_HTTP_BASIC_AUTH_USER_FILE: cannot read ${path}: ${(err as Error).message}`);
    }
    for (const [i, raw] of text.split('\n').entries()) {
      const line = raw.trim();
      if (!line || line.startsWith('#')) continue;
      const at = line.indexOf(':');
      const hash = line.slice(at + 1);
      if (at <= 0 || !/^\$2[aby]\$\d\d\$/.test(hash)) {
        throw new Error(`${path} line ${i + 1}: only bcrypt entries (htpasswd -B) are accepted`);
      }
      this.users.set(line.slice(0, at), hash);
    }
  }

  /** True when the `Authorization` header holds a known user and the right password. */
  async check(header: string | undefined): Promise<boolean> {
    if (!header || !/^basic /i.test(header)) return false;
    const key = createHash('sha256').update(header).digest('hex');
    if (this.verified.has(key)) return true;
    const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
    const at = decoded.indexOf(':');
    if (at < 0) return false;
    const hash = this.users.get(decoded.slice(0, at));
    if (!hash) return false;
    const ok = await bcrypt.compare(decoded.slice(at + 1), hash);
    if (ok) this.verified.add(key);
    return ok;
  }
}

export function basicHeader(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`, 'utf8').toString('base64')}`;
}
