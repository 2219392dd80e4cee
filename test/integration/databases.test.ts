/**
 * The whole service on PostgreSQL and on MariaDB, as `ingot serve --db URL` runs it: a
 * fresh database per run, migrations, node create with traits, the lock (UPDATE … RETURNING
 * on PostgreSQL, UPDATE then read on MariaDB), enroll → manage → provide → deploy → active,
 * ports, lists with paging, a concurrent change refused with 409, and delete; then input no
 * database can hold (NUL characters) and over-deep JSON, each a 400 on every database.
 *
 * Each server is the one running on this machine (127.0.0.1:5432 trust, 127.0.0.1:3306
 * root without password). A server that does not answer skips its test with the reason.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { startHarness, waitState, type Harness } from '../support/api-harness.ts';
import { NodeRepo } from '../../src/db/nodes.ts';
import { hostileInput } from '../support/hostile-input.ts';

const NAME = `ingot_it_${randomBytes(4).toString('hex')}`;

interface Target { label: string; url: string; create(): Promise<void>; drop(): Promise<void> }

async function postgres(): Promise<Target | string> {
  const { default: pg } = await import('pg');
  const admin = new pg.Client({ connectionString: 'postgres://postgres@127.0.0.1:5432/postgres', connectionTimeoutMillis: 3000 });
  try { await admin.connect(); } catch (e) { return `PostgreSQL at 127.0.0.1:5432 does not answer (${(e as Error).message})`; }
  return {
    label: 'PostgreSQL',
    url: `postgres://postgres@127.0.0.1:5432/${NAME}`,
    async create() { await admin.query(`CREATE DATABASE ${NAME}`); },
    async drop() { await admin.query(`DROP DATABASE IF EXISTS ${NAME} WITH (FORCE)`); await admin.end(); },
  };
}

async function mariadb(): Promise<Target | string> {
  const mysql = await import('mysql2/promise');
  let admin;
  try { admin = await mysql.createConnection({ host: '127.0.0.1', port: 3306, user: 'root', connectTimeout: 3000 }); } catch (e) {
    return `MariaDB at 127.0.0.1:3306 does not answer (${(e as Error).message})`;
  }
  return {
    label: 'MariaDB',
    url: `mysql://root@127.0.0.1:3306/${NAME}`,
    async create() { await admin.query(`CREATE DATABASE ${NAME}`); },
    async drop() { await admin.query(`DROP DATABASE IF EXISTS ${NAME}`); await admin.end(); },
  };
}

async function flow(h: Harness): Promise<void> {
  const created = await h.req('POST', '/v1/nodes', { driver: 'fake-hardware', name: 'db-n1', properties: { cpus: 2 } });
  assert.equal(created.status, 201, created.text);
  const uuid = created.body.uuid as string;
  assert.equal((await h.req('PUT', `/v1/nodes/${uuid}/traits`, { traits: ['CUSTOM_B', 'CUSTOM_A'] })).status, 204);
  const port = await h.req('POST', '/v1/ports', { address: '52:54:00:aa:bb:01', node_uuid: uuid });
  assert.equal(port.status, 201, port.text);

  for (const [target, state] of [['manage', 'manageable'], ['provide', 'available'], ['active', 'active']] as const) {
    const r = await h.req('PUT', `/v1/nodes/${uuid}/states/provision`, { target });
    assert.equal(r.status, 202, r.text);
    const n = await waitState(h, uuid, state);
    assert.equal(n.reservation, null);
    assert.equal(n.last_error, null);
  }
  const shown = await h.req('GET', `/v1/nodes/db-n1?fields=uuid,traits,provision_state,properties`);
  assert.deepEqual(shown.body.traits, ['CUSTOM_A', 'CUSTOM_B']);
  assert.deepEqual(shown.body.properties, { cpus: 2 });

  // Paging over several nodes, in both directions of one sort key.
  for (let i = 2; i <= 5; i++) assert.equal((await h.req('POST', '/v1/nodes', { driver: 'fake-hardware', name: `db-n${i}` })).status, 201);
  const page1 = await h.req('GET', '/v1/nodes?limit=2&sort_key=name&sort_dir=desc&fields=name');
  assert.deepEqual(page1.body.nodes.map((n: { name: string }) => n.name), ['db-n5', 'db-n4']);
  const next = new URL(page1.body.next as string);
  const page2 = await h.req('GET', `${next.pathname}${next.search}`);
  assert.deepEqual(page2.body.nodes.map((n: { name: string }) => n.name), ['db-n3', 'db-n2']);
  const detail = await h.req('GET', '/v1/nodes/detail');
  assert.equal(detail.body.nodes.length, 5);
  assert.deepEqual(detail.body.nodes.find((n: { uuid: string }) => n.uuid === uuid).traits, ['CUSTOM_A', 'CUSTOM_B']);

  // A held lock is a 409 with Ironic's text (after the usual lock retries), and nothing changes.
  const other = (await h.req('GET', '/v1/nodes/db-n2')).body.uuid as string;
  const repo = new NodeRepo(h.svc.db.kysely);
  const id = (await repo.getByUuid(other))!.id;
  assert.ok(await repo.lock(id, 'someone-else'));
  const locked = await h.req('PATCH', `/v1/nodes/${other}`, [{ op: 'add', path: '/extra/x', value: 1 }]);
  assert.equal(locked.status, 409, locked.text);
  assert.match(h.fault(locked.body), /is locked by host someone-else/);
  assert.equal(await repo.release(id, 'someone-else'), true);
  assert.deepEqual((await h.req('GET', `/v1/nodes/${other}`)).body.extra, {});

  assert.equal((await h.req('PUT', `/v1/nodes/${uuid}/states/provision`, { target: 'deleted' })).status, 202);
  await waitState(h, uuid, 'available');
  assert.equal((await h.req('DELETE', `/v1/nodes/${uuid}`)).status, 204);
  assert.equal((await h.req('GET', '/v1/ports')).body.ports.length, 0);
}

for (const connect of [postgres, mariadb]) {
  const target = await connect();
  const label = typeof target === 'string' ? connect.name : target.label;
  test(`the service on ${label}: migrations, locks, a full provisioning flow, paging`, { skip: typeof target === 'string' ? target : false, timeout: 120_000 }, async () => {
    const t = target as Target;
    await t.create();
    let h: Harness | undefined;
    try {
      h = await startHarness({ db: t.url });
      await flow(h);
      await hostileInput(h);
    } finally {
      await h?.close();
      await t.drop();
    }
  });
}
