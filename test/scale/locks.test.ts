/**
 * Two API processes drive the same nodes at once (2 conductors; on PostgreSQL, and on
 * MariaDB): for every
 * node, six deploy requests race (three through each API). The fake deploy holds the
 * node's lock longer than the lock retries last, so exactly one request per node wins
 * (202) and every other one gets 409 NodeLocked with Ironic's text — never a database
 * error, never a 500.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Cluster, call, faultOf, pool, postgresDb, mariaDb, type TestDb } from './cluster.ts';

const NODES = 20;

async function race(t: import('node:test').TestContext, make: () => Promise<TestDb | string>): Promise<void> {
  const db = await make();
  if (typeof db === 'string') { t.skip(db); return; }
  const cluster = new Cluster(db, {
    INGOT_HEARTBEAT_INTERVAL: '1', INGOT_HASH_RING_RESET_INTERVAL: '1', INGOT_SYNC_POWER_STATE_INTERVAL: '0',
    INGOT_AUTOMATED_CLEAN: 'false', INGOT_FAKE_DEPLOY_DELAY: '8', INGOT_JSON_RPC_TIMEOUT: '60',
  });
  try {
    await Promise.all([cluster.conductor('c1'), cluster.conductor('c2')]);
    const [a, b] = await Promise.all([cluster.api('api-a'), cluster.api('api-b')]);
    const created = await pool(Array.from({ length: NODES }, (_, i) => i), 8, (i) => call(i % 2 ? a : b, 'POST', '/v1/nodes', { driver: 'fake-hardware', name: `lock-${i}` }));
    const uuids = created.map((r) => { assert.equal(r.status, 201, r.text); return r.body.uuid as string; });
    for (const target of ['manage', 'provide']) {
      for (const u of uuids) assert.equal((await call(a, 'PUT', `/v1/nodes/${u}/states/provision`, { target })).status, 202);
      const want = target === 'manage' ? 'manageable' : 'available';
      for (const u of uuids) {
        for (let i = 0; ; i++) {
          const n = await call(b, 'GET', `/v1/nodes/${u}?fields=provision_state,reservation`);
          if (n.body.provision_state === want && n.body.reservation === null) break;
          assert.ok(i < 600, `${u} did not reach ${want}: ${n.text}`);
          await new Promise((r) => setTimeout(r, 100));
        }
      }
    }
    // Alternate which API fires first, so that both APIs win some.
    const racers = uuids.flatMap((u, i) => (i % 2 ? [b, a, b, a, b, a] : [a, b, a, b, a, b]).map((api) => ({ u, api })));
    const replies = await Promise.all(racers.map(({ u, api }) => call(api, 'PUT', `/v1/nodes/${u}/states/provision`, { target: 'active' }).then((r) => ({ u, api, r }))));
    const serverErrors = replies.filter(({ r }) => r.status >= 500 || r.status === 0);
    assert.deepEqual(serverErrors.map(({ r }) => `${r.status} ${r.text}`), []);
    for (const u of uuids) {
      const mine = replies.filter((x) => x.u === u);
      const won = mine.filter((x) => x.r.status === 202);
      assert.equal(won.length, 1, `node ${u}: ${mine.map((x) => `${x.r.status} ${faultOf(x.r)}`).join(' | ')}`);
      for (const x of mine.filter((y) => y.r.status !== 202)) {
        assert.equal(x.r.status, 409, x.r.text);
        assert.match(faultOf(x.r), new RegExp(`^Node ${u} is locked by host c[12], please retry after the current operation is completed\\.$`));
      }
    }
    const winners = new Set(replies.filter((x) => x.r.status === 202).map((x) => x.api));
    t.diagnostic(`${db.label}: ${replies.length} racing requests over ${NODES} nodes: ${NODES} won (through ${winners.size} API processes), ${replies.length - NODES} got 409 NodeLocked`);
  } catch (err) {
    throw new Error(`${(err as Error).message}\n${cluster.logs()}`);
  } finally {
    await cluster.close();
  }
}

test('PostgreSQL: two APIs, same nodes: one winner per lock, 409 NodeLocked for the rest', { timeout: 600_000 }, (t) => race(t, postgresDb));
test('MariaDB: two APIs, same nodes: one winner per lock, 409 NodeLocked for the rest', { timeout: 600_000 }, (t) => race(t, mariaDb));
