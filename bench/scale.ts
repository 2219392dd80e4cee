/**
 * Scale-out benchmark: N fake-hardware nodes on a fresh PostgreSQL database (MariaDB with --database mariadb), driven through
 * the REST API of either `ingot serve` (one process) or `ingot api` + K `ingot conductor`
 * processes. Measures node creation (enroll rate, nodes/s), enroll → manageable →
 * available → active throughput (nodes/s over the whole move, PUTs fired C at a time; each
 * phase ends when every node is in the target state with no reservation), then list
 * latency with every node active: p50/p95 of one page `GET /v1/nodes?limit=1000`, of one
 * page `GET /v1/nodes/detail?limit=1000`, and the time to page through every node by 1000.
 * A 409/503 answer to a PUT is retried after 100 ms and counted. Progress is polled with
 * one count query on the database (not through the API, so that polling 10,000 nodes does
 * not load the servers being measured). The end checks that every node is active and
 * unlocked; the machine's load average is recorded before and after.
 *
 * Usage: node --import tsx bench/scale.ts --mode split|serve [--nodes 10000] [--conductors 3]
 *          [--concurrency 16] [--list-runs 20] [--database postgres|mariadb] [--out FILE]
 */
import { writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { Cluster, call, pool, postgresDb, mariaDb } from '../test/scale/cluster.ts';

const { values: a } = parseArgs({
  options: {
    mode: { type: 'string', default: 'split' },
    database: { type: 'string', default: 'postgres' },
    nodes: { type: 'string', default: '10000' },
    conductors: { type: 'string', default: '3' },
    concurrency: { type: 'string', default: '16' },
    'list-runs': { type: 'string', default: '20' },
    out: { type: 'string' },
  },
});
const N = Number(a.nodes);
const K = Number(a.conductors);
const C = Number(a.concurrency);
const RUNS = Number(a['list-runs']);
const mode = a.mode === 'serve' ? 'serve' : 'split';

/** The q-quantile (nearest rank) of `xs`. */
const quantile = (xs: number[], q: number) => { const s = [...xs].sort((x, y) => x - y); return s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)]!; };
const round1 = (x: number) => Math.round(x * 10) / 10;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Milliseconds for one page of `path`, or for every page (`follow`). */
async function timedList(api: string, path: string, follow: boolean): Promise<number> {
  const t0 = performance.now();
  let p: string | undefined = path;
  while (p) {
    const r = await call(api, 'GET', p);
    if (r.status !== 200) throw new Error(`list: ${r.status} ${r.text.slice(0, 300)}`);
    p = follow && r.body.next ? `${new URL(r.body.next).pathname}${new URL(r.body.next).search}` : undefined;
  }
  return performance.now() - t0;
}

async function main(): Promise<void> {
  const db = a.database === 'mariadb' ? await mariaDb() : await postgresDb();
  if (typeof db === 'string') throw new Error(db);
  const cluster = new Cluster(db, { INGOT_SYNC_POWER_STATE_INTERVAL: '0', INGOT_CHECK_PROVISION_STATE_INTERVAL: '0', INGOT_HEARTBEAT_INTERVAL: '5' });
  const loadBefore = loadavg();
  try {
    let api: string;
    if (mode === 'serve') api = await cluster.serve('serve');
    else {
      await Promise.all(Array.from({ length: K }, (_, i) => cluster.conductor(`c${i + 1}`)));
      api = await cluster.api('api');
    }
    let t = performance.now();
    const created = await pool(Array.from({ length: N }, (_, i) => i), C, (i) => call(api, 'POST', '/v1/nodes', { driver: 'fake-hardware', name: `scale-${i}` }));
    const createS = (performance.now() - t) / 1000;
    const uuids = created.map((r) => { if (r.status !== 201) throw new Error(`create: ${r.status} ${r.text}`); return r.body.uuid as string; });
    let retries = 0;
    const phases: Record<string, number> = {};
    t = performance.now();
    for (const [target, state] of [['manage', 'manageable'], ['provide', 'available'], ['active', 'active']] as const) {
      const t0 = performance.now();
      await pool(uuids, C, async (u) => {
        for (;;) {
          const r = await call(api, 'PUT', `/v1/nodes/${u}/states/provision`, { target });
          if (r.status === 202) return;
          if (r.status !== 409 && r.status !== 503) throw new Error(`${target} ${u}: ${r.status} ${r.text}`);
          retries++;
          await sleep(100);
        }
      });
      for (;;) {
        const [row] = await db.query(`SELECT sum(CASE WHEN provision_state = '${state}' AND reservation IS NULL THEN 1 ELSE 0 END) AS done, `
          + `sum(CASE WHEN provision_state LIKE '%failed' OR provision_state = 'error' THEN 1 ELSE 0 END) AS failed FROM nodes`);
        if (Number(row!.failed)) throw new Error(`${row!.failed} nodes failed on the way to ${state}`);
        if (Number(row!.done) === N) break;
        await sleep(250);
      }
      phases[target] = round1((performance.now() - t0) / 1000);
    }
    const moveS = (performance.now() - t) / 1000;
    const page: number[] = [];
    const detail: number[] = [];
    const all: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      page.push(await timedList(api, '/v1/nodes?limit=1000', false));
      detail.push(await timedList(api, '/v1/nodes/detail?limit=1000', false));
      if (i < 3) all.push(await timedList(api, '/v1/nodes?limit=1000', true));
    }
    const [end] = await db.query(`SELECT sum(CASE WHEN provision_state = 'active' THEN 1 ELSE 0 END) AS active, `
      + `sum(CASE WHEN reservation IS NOT NULL THEN 1 ELSE 0 END) AS locked FROM nodes`);
    const loadAfter = loadavg();
    const result = {
      mode, database: db.label, nodes: N, conductors: mode === 'serve' ? 1 : K, concurrency: C,
      create_per_s: round1(N / createS), enroll_to_active_per_s: round1(N / moveS), enroll_to_active_s: round1(moveS), phase_s: phases,
      put_retries: retries, list_runs: RUNS,
      list_page_1000_ms: { p50: round1(quantile(page, 0.5)), p95: round1(quantile(page, 0.95)) },
      list_detail_1000_ms: { p50: round1(quantile(detail, 0.5)), p95: round1(quantile(detail, 0.95)) },
      list_all_paged_ms: round1(quantile(all, 0.5)),
      end: { active: Number(end!.active), locked: Number(end!.locked), all_active_unlocked: Number(end!.active) === N && Number(end!.locked) === 0 },
      load_before: loadBefore.map(round1), load_after: loadAfter.map(round1),
      date: new Date().toISOString(),
    };
    console.log(`${mode === 'serve' ? 'ingot serve' : `ingot api + ${K} conductors`} on ${db.label}, ${N} nodes: `
      + `enroll (create) ${result.create_per_s}/s; enroll→active ${result.enroll_to_active_per_s} nodes/s (${result.enroll_to_active_s} s: `
      + `manage ${phases.manage} s, provide ${phases.provide} s, deploy ${phases.active} s; ${retries} retried PUTs); `
      + `list page of 1000 p50/p95 ${result.list_page_1000_ms.p50}/${result.list_page_1000_ms.p95} ms, `
      + `detail page of 1000 ${result.list_detail_1000_ms.p50}/${result.list_detail_1000_ms.p95} ms, all ${N} paged ${result.list_all_paged_ms} ms; `
      + `end: ${result.end.active} active, ${result.end.locked} locked; load ${loadBefore[0]!.toFixed(2)} → ${loadAfter[0]!.toFixed(2)}`);
    if (a.out) writeFileSync(a.out, JSON.stringify(result, null, 2) + '\n');
    if (!result.end.all_active_unlocked) process.exitCode = 1;
  } finally {
    await cluster.close();
  }
}

main().catch((err) => { console.error(err); process.exit(1); });
