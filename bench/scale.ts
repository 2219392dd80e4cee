/**
 * Scale-out benchmark: N fake-hardware nodes on a fresh PostgreSQL database, driven through
 * the REST API of either `ingot serve` (one process) or `ingot api` + K `ingot conductor`
 * processes. Measures node creation (nodes/s), list latency (every node, paged by 1000,
 * default fields; and one page of 1000 with detail) and enroll → manageable → available →
 * active throughput (nodes/s over the whole move, PUTs fired C at a time, state polled).
 * A 409/503 answer to a PUT is retried after 100 ms and counted.
 *
 * Usage: node --import tsx bench/scale.ts --mode split|serve [--nodes 10000] [--conductors 3]
 *          [--concurrency 16] [--list-runs 3] [--out FILE]
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { Cluster, call, pool, postgresDb } from '../test/scale/cluster.ts';

const { values: a } = parseArgs({
  options: {
    mode: { type: 'string', default: 'split' },
    nodes: { type: 'string', default: '10000' },
    conductors: { type: 'string', default: '3' },
    concurrency: { type: 'string', default: '16' },
    'list-runs': { type: 'string', default: '3' },
    out: { type: 'string' },
  },
});
const N = Number(a.nodes);
const K = Number(a.conductors);
const C = Number(a.concurrency);
const RUNS = Number(a['list-runs']);
const mode = a.mode === 'serve' ? 'serve' : 'split';

const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function states(api: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  let path: string | undefined = '/v1/nodes?fields=uuid,provision_state&limit=1000';
  while (path) {
    const r = await call(api, 'GET', path);
    if (r.status !== 200) throw new Error(`list: ${r.status} ${r.text.slice(0, 300)}`);
    for (const n of r.body.nodes as { uuid: string; provision_state: string }[]) out.set(n.uuid, n.provision_state);
    path = r.body.next ? `${new URL(r.body.next).pathname}${new URL(r.body.next).search}` : undefined;
  }
  return out;
}

async function timedList(api: string, path: string): Promise<number> {
  const t0 = performance.now();
  let p: string | undefined = path;
  while (p) {
    const r = await call(api, 'GET', p);
    if (r.status !== 200) throw new Error(`list: ${r.status}`);
    p = path.includes('detail') || !r.body.next ? undefined : `${new URL(r.body.next).pathname}${new URL(r.body.next).search}`;
  }
  return performance.now() - t0;
}

async function main(): Promise<void> {
  const db = await postgresDb();
  if (typeof db === 'string') throw new Error(db);
  const cluster = new Cluster(db, { INGOT_SYNC_POWER_STATE_INTERVAL: '0', INGOT_CHECK_PROVISION_STATE_INTERVAL: '0', INGOT_HEARTBEAT_INTERVAL: '5' });
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
    const listAll: number[] = [];
    const listDetail: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      listAll.push(await timedList(api, '/v1/nodes?limit=1000'));
      listDetail.push(await timedList(api, '/v1/nodes/detail?limit=1000'));
    }
    let retries = 0;
    t = performance.now();
    for (const [target, state] of [['manage', 'manageable'], ['provide', 'available'], ['active', 'active']] as const) {
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
        const s = await states(api);
        const failed = [...s.values()].filter((x) => x.endsWith('failed')).length;
        if (failed) throw new Error(`${failed} nodes failed on the way to ${state}`);
        if (uuids.every((u) => s.get(u) === state)) break;
        await sleep(500);
      }
    }
    const moveS = (performance.now() - t) / 1000;
    const result = {
      mode, database: 'PostgreSQL', nodes: N, conductors: mode === 'serve' ? 1 : K, concurrency: C,
      create_per_s: N / createS, list_all_ms: median(listAll), list_detail_1000_ms: median(listDetail),
      enroll_to_active_per_s: N / moveS, enroll_to_active_s: moveS, put_retries: retries,
    };
    console.log(`${mode === 'serve' ? 'ingot serve' : `ingot api + ${K} conductors`} on PostgreSQL, ${N} nodes: `
      + `create ${result.create_per_s.toFixed(0)}/s; list all (paged by 1000) ${result.list_all_ms.toFixed(0)} ms, `
      + `detail page of 1000 ${result.list_detail_1000_ms.toFixed(0)} ms; enroll→active ${result.enroll_to_active_per_s.toFixed(1)} nodes/s `
      + `(${moveS.toFixed(0)} s, ${retries} retried PUTs)`);
    if (a.out) writeFileSync(a.out, JSON.stringify(result, null, 2));
  } finally {
    await cluster.close();
  }
}

main().catch((err) => { console.error(err); process.exit(1); });
