/**
 * The discovery guard on PostgreSQL and MariaDB: reporters on separate connections (as
 * separate processes would be) race to claim one machine; exactly one wins, the others
 * learn who holds it. Each server is the one on this machine (127.0.0.1:5432 trust,
 * 127.0.0.1:3306 root without password); a server that does not answer skips with the reason.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { openDb } from '../../src/db/connect.ts';
import { InspectorStore } from '../../src/inspector/store.ts';

const NAME = `ingot_claim_${randomBytes(4).toString('hex')}`;

interface Target { url: string; create(): Promise<void>; drop(): Promise<void> }

async function postgres(): Promise<Target | string> {
  const { default: pg } = await import('pg');
  const admin = new pg.Client({ connectionString: 'postgres://postgres@127.0.0.1:5432/postgres', connectionTimeoutMillis: 3000 });
  try { await admin.connect(); } catch (e) { return `PostgreSQL at 127.0.0.1:5432 does not answer (${(e as Error).message})`; }
  return {
    url: `postgres://postgres@127.0.0.1:5432/${NAME}`,
    async create() { await admin.query(`CREATE DATABASE ${NAME}`); },
    // Without FORCE: FORCE would kill a connection a closed pool may still hold and crash
    // the test process with pg's unhandled 'error' (seen on this machine).
    async drop() { await new Promise((r) => setTimeout(r, 300)); await admin.query(`DROP DATABASE IF EXISTS ${NAME}`); await admin.end(); },
  };
}
async function mariadb(): Promise<Target | string> {
  const mysql = await import('mysql2/promise');
  let admin: Awaited<ReturnType<typeof mysql.createConnection>>;
  try { admin = await mysql.createConnection({ host: '127.0.0.1', port: 3306, user: 'root', connectTimeout: 3000 }); } catch (e) {
    return `MariaDB at 127.0.0.1:3306 does not answer (${(e as Error).message})`;
  }
  return {
    url: `mysql://root@127.0.0.1:3306/${NAME}`,
    async create() { await admin.query(`CREATE DATABASE ${NAME}`); },
    async drop() { await admin.query(`DROP DATABASE IF EXISTS ${NAME}`); await admin.end(); },
  };
}

for (const [label, make] of [['PostgreSQL', postgres], ['MariaDB', mariadb]] as const) {
  test(`discovery claim on ${label}: one winner among racing connections`, async (t) => {
    const target = await make();
    if (typeof target === 'string') { t.skip(target); return; }
    await target.create();
    const dbs = [];
    try {
      for (let i = 0; i < 3; i++) dbs.push(await openDb(target.url));
      const stores = dbs.map((d) => new InspectorStore(d.kysely));
      const results = await Promise.all(stores.flatMap((s, i) => [s.claim('bmc:10.9.9.9', `node-${i}a`), s.claim('bmc:10.9.9.9', `node-${i}b`)]));
      assert.equal(results.filter((r) => r.won).length, 1, JSON.stringify(results));
      const holder = (await dbs[0]!.kysely.selectFrom('discovery_claims').select('node_uuid').executeTakeFirstOrThrow()).node_uuid;
      for (const r of results) if (!r.won) assert.equal(r.holder, holder);
    } finally {
      for (const d of dbs) await d.close();
      await target.drop();
    }
  });
}
