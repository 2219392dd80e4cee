/**
 * Opens the database named by a URL and brings its schema up to date.
 *
 * URLs: a file path or `sqlite:///abs/path` (default: `<data-dir>/ingot.db`),
 * `postgres://user@host:port/db`, `mysql://user:pass@host:port/db` (MariaDB too).
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { Kysely, Migrator, SqliteDialect, PostgresDialect, MysqlDialect, CompiledQuery, type Compilable, type QueryResult, type Migration, type MigrationProvider } from 'kysely';
import type { Database } from './schema.ts';
import * as m001 from './migrations/001_initial.ts';
import * as m002 from './migrations/002_drop_write_hot_indexes.ts';
import * as m003 from './migrations/003_conductor_rpc_address.ts';
import * as m004 from './migrations/004_inspector.ts';
import type { Dialect } from './migrations/001_initial.ts';

export type { Dialect };

export interface Db {
  readonly kysely: Kysely<Database>;
  readonly dialect: Dialect;
  close(): Promise<void>;
}

/** Ordered list of migrations; append only. */
const MIGRATIONS: Record<string, { up: (db: Kysely<any>, d: Dialect) => Promise<void> }> = {
  '001_initial': m001,
  '002_drop_write_hot_indexes': m002,
  '003_conductor_rpc_address': m003,
  '004_inspector': m004,
};

class Provider implements MigrationProvider {
  constructor(private readonly dialect: Dialect) {}
  async getMigrations(): Promise<Record<string, Migration>> {
    const out: Record<string, Migration> = {};
    for (const [name, mod] of Object.entries(MIGRATIONS)) out[name] = { up: (db) => mod.up(db, this.dialect) };
    return out;
  }
}

export function dialectOf(url: string): Dialect {
  if (/^postgres(ql)?:\/\//.test(url)) return 'postgres';
  if (/^(mysql|mariadb):\/\//.test(url)) return 'mysql';
  return 'sqlite';
}

function sqlitePath(url: string): string {
  if (url.startsWith('sqlite://')) return url.slice('sqlite://'.length) || ':memory:';
  return url;
}

/** Open and migrate. Throws with a clear message if the database cannot be reached. */
export async function openDb(url: string): Promise<Db> {
  const dialect = dialectOf(url);
  let kysely: Kysely<Database>;
  if (dialect === 'sqlite') {
    const { default: SQLite } = await import('better-sqlite3');
    const path = sqlitePath(url);
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    const conn = new SQLite(path);
    conn.pragma('journal_mode = WAL');
    // NOTE: WAL + synchronous=NORMAL survives a crash of the process (every commit is in
    // the WAL before we answer); FULL would also survive power loss at one fsync per write.
    conn.pragma(`synchronous = ${process.env.INGOT_SQLITE_SYNC ?? 'NORMAL'}`);
    conn.pragma('busy_timeout = 5000');
    conn.pragma('foreign_keys = ON');
    kysely = new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(conn) }) });
  } else if (dialect === 'postgres') {
    const { default: pg } = await import('pg');
    kysely = new Kysely<Database>({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: url, max: 10 }) }) });
  } else {
    const mysql = await import('mysql2');
    const u = new URL(url.replace(/^mariadb:/, 'mysql:'));
    const pool = mysql.createPool({
      host: u.hostname, port: Number(u.port || 3306), user: decodeURIComponent(u.username || 'root'),
      password: decodeURIComponent(u.password), database: u.pathname.slice(1), timezone: 'Z', connectionLimit: 10,
    });
    kysely = new Kysely<Database>({ dialect: new MysqlDialect({ pool }) });
  }
  const migrator = new Migrator({ db: kysely, provider: new Provider(dialect) });
  const { error } = await migrator.migrateToLatest();
  if (error) {
    await kysely.destroy();
    throw new Error(`database migration failed for ${redactUrl(url)}: ${(error as Error).message ?? String(error)}`);
  }
  let closeReader = () => {};
  if (dialect === 'sqlite' && sqlitePath(url) !== ':memory:') closeReader = await openArrayReader(kysely, sqlitePath(url));
  return { kysely, dialect, close: async () => { closeReader(); await kysely.destroy(); } };
}

/** Rows as arrays, in `columns` order. */
export interface ArrayRows { columns: string[]; rows: unknown[][] }

const arrayReaders = new WeakMap<object, (q: CompiledQuery) => ArrayRows>();

/**
 * A second, read-only SQLite connection that returns rows as arrays (better-sqlite3's
 * raw mode): building 60-key row objects is most of the cost of a large node list.
 * It is a separate connection so that it only ever sees committed data (WAL snapshot),
 * never the inside of a transaction that Kysely's connection has open.
 */
async function openArrayReader(kysely: Kysely<Database>, path: string): Promise<() => void> {
  const { default: SQLite } = await import('better-sqlite3');
  const reader = new SQLite(path, { readonly: true, fileMustExist: true });
  reader.pragma('busy_timeout = 5000');
  const statements = new Map<string, ReturnType<typeof reader.prepare>>();
  arrayReaders.set(kysely, (q) => {
    let st = statements.get(q.sql);
    if (!st) {
      st = reader.prepare(q.sql).raw(true);
      if (statements.size >= 100) statements.delete(statements.keys().next().value as string);
      statements.set(q.sql, st);
    }
    return { columns: st.columns().map((c) => c.name), rows: (st as unknown as { all(...p: readonly unknown[]): unknown[][] }).all(...q.parameters) };
  });
  return () => { arrayReaders.delete(kysely); reader.close(); };
}

/**
 * Run a read-only query and get its rows as arrays. Uses the dialect's array mode where
 * Ingot has one (SQLite files); elsewhere runs the query normally and converts.
 */
export async function selectArrays(db: Kysely<Database>, q: Compilable): Promise<ArrayRows> {
  const compiled = q.compile();
  const native = arrayReaders.get(db);
  if (native) return native(compiled);
  const res = await db.executeQuery<Record<string, unknown>>(compiled);
  const columns = res.rows.length ? Object.keys(res.rows[0]!) : [];
  return { columns, rows: res.rows.map((r) => columns.map((c) => r[c])) };
}

/**
 * better-sqlite3 compiles a statement on every `prepare`; Kysely prepares per query.
 * Caching compiled statements by SQL text removes that cost on the hot paths (node
 * create, provision transitions). Safe because better-sqlite3 runs statements
 * synchronously and Kysely never keeps an iterator open across queries here.
 */
function withStatementCache(conn: { prepare(sql: string): any; close(): unknown }, max = 500): { prepare(sql: string): any; close(): void } {
  const cache = new Map<string, any>();
  return {
    prepare(sql: string) {
      let st = cache.get(sql);
      if (st === undefined) {
        st = conn.prepare(sql);
        if (cache.size >= max) cache.delete(cache.keys().next().value as string);
        cache.set(sql, st);
      }
      return st;
    },
    close() { cache.clear(); conn.close(); },
  };
}

/**
 * Run a statement whose SQL depends only on its shape (`key`), compiling it with Kysely
 * once per shape and re-running the SQL text with new `params` afterwards: Kysely builds
 * and compiles a query tree on every call, which costs as much as SQLite's own work for
 * a small UPDATE. `params` must be in the order Kysely binds them; the first compile of
 * each shape checks that against Kysely's own list and throws on a mismatch (a bug).
 */
export async function runTemplate<R>(db: Kysely<Database>, cache: Map<string, string>, key: string, params: readonly unknown[], build: () => Compilable<R>): Promise<QueryResult<R>> {
  const text = cache.get(key);
  if (text !== undefined) return db.executeQuery<R>(CompiledQuery.raw(text, [...params]));
  const compiled = build().compile();
  const bound = compiled.parameters;
  if (bound.length !== params.length || bound.some((p, i) => p !== params[i])) {
    throw new Error(`BUG: statement template ${key}: parameters ${JSON.stringify(params)} differ from Kysely's ${JSON.stringify(bound)}`);
  }
  if (cache.size >= 500) cache.clear();
  cache.set(key, compiled.sql);
  return db.executeQuery<R>(compiled);
}

export function redactUrl(url: string): string {
  return url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');
}

/** JSON column helpers: NULL ↔ empty default. */
export function toJson(v: unknown): string | null {
  return v === undefined || v === null ? null : JSON.stringify(v);
}
export function fromJson<T>(v: string | null | undefined, dflt: T): T {
  if (v === null || v === undefined || v === '') return dflt;
  return JSON.parse(v) as T;
}
export const bool = (v: number | null | undefined): boolean => v === 1 || (v as unknown) === true;
export const boolOrNull = (v: number | null | undefined): boolean | null => (v === null || v === undefined ? null : bool(v));
export const int = (b: boolean | null | undefined): number => (b ? 1 : 0);
