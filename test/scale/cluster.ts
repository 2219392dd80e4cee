/**
 * Cross-process test kit of the scale-out mode: a fresh database on the machine's
 * PostgreSQL (127.0.0.1:5432, trust) or MariaDB (127.0.0.1:3306, root), and real
 * `ingot api` / `ingot conductor` processes (bin/ingot.mjs) on free ports, with their
 * logs in a temp dir. Everything started is stopped (SIGTERM, then SIGKILL) and the
 * database dropped by `close()`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, openSync, readFileSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../support/serve-process.ts';
import { randomBytes } from 'node:crypto';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface TestDb { label: string; url: string; drop(): Promise<void>; query(sql: string): Promise<Record<string, unknown>[]> }

/** A fresh PostgreSQL database, or the reason there is none. */
export async function postgresDb(): Promise<TestDb | string> {
  const { default: pg } = await import('pg');
  const name = `ingot_scale_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: 'postgres://postgres@127.0.0.1:5432/postgres', connectionTimeoutMillis: 3000 });
  try { await admin.connect(); } catch (e) { return `PostgreSQL at 127.0.0.1:5432 does not answer (${(e as Error).message})`; }
  await admin.query(`CREATE DATABASE ${name}`);
  const url = `postgres://postgres@127.0.0.1:5432/${name}`;
  const conn = new pg.Client({ connectionString: url });
  await conn.connect();
  return {
    label: 'PostgreSQL', url,
    async query(sql) { return (await conn.query(sql)).rows; },
    async drop() { await conn.end(); await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`); await admin.end(); },
  };
}

/** A fresh MariaDB database, or the reason there is none. */
export async function mariaDb(): Promise<TestDb | string> {
  const mysql = await import('mysql2/promise');
  const name = `ingot_scale_${randomBytes(4).toString('hex')}`;
  let admin;
  try { admin = await mysql.createConnection({ host: '127.0.0.1', port: 3306, user: 'root', connectTimeout: 3000 }); } catch (e) {
    return `MariaDB at 127.0.0.1:3306 does not answer (${(e as Error).message})`;
  }
  await admin.query(`CREATE DATABASE ${name}`);
  return {
    label: 'MariaDB', url: `mysql://root@127.0.0.1:3306/${name}`,
    async query(sql) { const [rows] = await admin.query(sql.replace(/\bFROM (\w+)/i, `FROM ${name}.$1`)); return rows as Record<string, unknown>[]; },
    async drop() { await admin.query(`DROP DATABASE IF EXISTS ${name}`); await admin.end(); },
  };
}

export { freePort };

export interface Proc { name: string; child: ChildProcess; log: string; exited: Promise<number | null> }

export class Cluster {
  readonly dir = mkdtempSync(join(tmpdir(), 'ingot-scale-'));
  readonly procs: Proc[] = [];
  readonly apis: string[] = [];

  constructor(readonly db: TestDb, readonly env: Record<string, string>) {}

  private spawn(name: string, args: string[]): Proc {
    const log = join(this.dir, `${name}.log`);
    const fd = openSync(log, 'a');
    // INGOT_NODE_FLAGS (e.g. --cpu-prof): node flags for every process, as scripts/lib/ingot.sh.
    const flags = (process.env.INGOT_NODE_FLAGS ?? '').split(/\s+/).filter(Boolean);
    const child = spawn(process.execPath, [...flags, join(ROOT, 'bin', 'ingot.mjs'), ...args], {
      cwd: ROOT, stdio: ['ignore', fd, fd],
      env: { ...process.env, INGOT_LOG_LEVEL: 'warn', INGOT_DB: this.db.url, INGOT_DATA_DIR: join(this.dir, name), ...this.env },
    });
    closeSync(fd);
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const p = { name, child, log, exited };
    this.procs.push(p);
    return p;
  }

  async conductor(name: string, extra: string[] = []): Promise<Proc> {
    const p = this.spawn(name, ['conductor', '--name', name, '--host', '127.0.0.1', '--rpc-port', '0', ...extra]);
    await this.until(p, () => readFileSync(p.log, 'utf8').includes('JSON-RPC at'), 'print its RPC address');
    return p;
  }

  async api(name: string, extra: string[] = []): Promise<string> {
    const port = await freePort();
    const p = this.spawn(name, ['api', '--host', '127.0.0.1', '--port', String(port), ...extra]);
    const url = `http://127.0.0.1:${port}`;
    await this.until(p, async () => (await fetch(`${url}/`).catch(() => null))?.status === 200, 'answer GET /');
    this.apis.push(url);
    return url;
  }

  /** `ingot serve` on the same database: the one-process figures beside the split ones. */
  async serve(name: string): Promise<string> {
    const port = await freePort();
    const p = this.spawn(name, ['serve', '--host', '127.0.0.1', '--port', String(port), '--db', this.db.url]);
    const url = `http://127.0.0.1:${port}`;
    await this.until(p, async () => (await fetch(`${url}/`).catch(() => null))?.status === 200, 'answer GET /');
    this.apis.push(url);
    return url;
  }

  private async until(p: Proc, ok: () => boolean | Promise<boolean>, what: string, ms = 120_000): Promise<void> {
    const end = Date.now() + ms;
    let dead = false;
    void p.exited.then(() => { dead = true; });
    while (!(await ok())) {
      if (dead || Date.now() > end) throw new Error(`${p.name} did not ${what}${dead ? ' (it exited)' : ''}; log:\n${readFileSync(p.log, 'utf8').slice(-3000)}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  /** kill -9: the process gets no chance to clean up (no unregister, locks stay). */
  async kill9(p: Proc): Promise<void> {
    p.child.kill('SIGKILL');
    await p.exited;
  }

  logs(): string {
    return this.procs.map((p) => `--- ${p.name}\n${readFileSync(p.log, 'utf8').slice(-2000)}`).join('\n');
  }

  async close(): Promise<void> {
    for (const p of this.procs) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGTERM');
    await Promise.all(this.procs.map((p) => Promise.race([p.exited, new Promise((r) => setTimeout(r, 10_000))])));
    for (const p of this.procs) if (p.child.exitCode === null && p.child.signalCode === null) { p.child.kill('SIGKILL'); await p.exited; }
    await this.db.drop();
    if (!process.env.KEEP_TEST_DIR) rmSync(this.dir, { recursive: true, force: true });
  }
}

export interface Reply { status: number; body: any; text: string }

/** One request at API 1.82. Network failures come back as status 0. */
export async function call(base: string, method: string, path: string, body?: unknown): Promise<Reply> {
  try {
    const r = await fetch(`${base}${path}`, {
      method, headers: { 'x-openstack-ironic-api-version': '1.82', ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await r.text();
    let parsed: unknown = null;
    try { parsed = text ? JSON.parse(text) : null; } catch { /* not JSON */ }
    return { status: r.status, body: parsed, text };
  } catch (err) {
    return { status: 0, body: null, text: String(err) };
  }
}

export function faultOf(r: Reply): string {
  try { return JSON.parse(r.body.error_message).faultstring; } catch { return r.text; }
}

/** Run `fn` over `items` with at most `n` at a time. */
export async function pool<T, R>(items: readonly T[], n: number, fn: (x: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let i = 0;
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, async () => {
    while (i < items.length) { const k = i++; out[k] = await fn(items[k]!); }
  }));
  return out;
}
