/**
 * The workload of ../shared/peer/ironic/bench.py, step for step, with a Node client:
 * create N fake-hardware nodes sequentially on one keep-alive connection, list them with
 * detail R times (time until the whole body is read), then move M nodes enroll →
 * manageable → available → active (all PUTs of a phase fired sequentially, then
 * `GET /v1/nodes?fields=uuid,provision_state` polled every --poll seconds until done).
 *
 * Why a second client: every client adds its own cost per request to what it measures
 * (bench.py's http.client about 0.1 ms against a server that does nothing). Warm undici
 * costs about half of that, so this run shows a little more of the servers' own speed.
 * The client warms up first against a throw-away server of its own (never against the
 * server under test, which starts cold as bench.py finds it). Both servers are measured
 * with both clients in the same `npm run bench`; the JSON written has bench.py's shape,
 * so compare.ts reads both.
 *
 * Usage: node --import tsx bench/workload.ts --url URL [--nodes 500] [--move 100]
 *          [--list-runs 5] [--poll 0.2] [--prefix bench] [--out FILE]
 */
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { Client } from 'undici';

const { values: a } = parseArgs({
  options: {
    url: { type: 'string', default: 'http://127.0.0.1:6385' },
    nodes: { type: 'string', default: '500' },
    move: { type: 'string', default: '100' },
    'list-runs': { type: 'string', default: '5' },
    poll: { type: 'string', default: '0.2' },
    prefix: { type: 'string', default: 'bench' },
    timeout: { type: 'string', default: '600' },
    out: { type: 'string' },
  },
});
const N = Number(a.nodes);
const M = Number(a.move);
const RUNS = Number(a['list-runs']);
const POLL_MS = Number(a.poll) * 1000;

const client = new Client(a.url!, { pipelining: 1, connections: 1, keepAliveTimeout: 60_000 } as ConstructorParameters<typeof Client>[1]);
let version: string | undefined;

async function req(method: 'GET' | 'POST' | 'PUT', path: string, body?: unknown, expect?: number[]): Promise<{ status: number; raw: string }> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (version) headers['x-openstack-ironic-api-version'] = version;
  let data: string | undefined;
  if (body !== undefined) {
    data = JSON.stringify(body);
    headers['content-type'] = 'application/json';
  }
  const r = await client.request({ method, path, headers, body: data });
  const raw = await r.body.text();
  if (expect && !expect.includes(r.statusCode)) throw new Error(`${method} ${path} -> ${r.statusCode}: ${raw.slice(0, 500)}`);
  return { status: r.statusCode, raw };
}

const median = (v: number[]) => {
  const s = [...v].sort((x, y) => x - y);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const pct = (v: number[], p: number) => {
  const s = [...v].sort((x, y) => x - y);
  return s[Math.max(0, Math.min(s.length - 1, Math.round((p / 100) * (s.length - 1))))]!;
};
const r2 = (x: number) => Math.round(x * 100) / 100;
const r3 = (x: number) => Math.round(x * 1000) / 1000;
const now = () => performance.now() / 1000;

/** JIT-warm the client's request path against a local server that answers at once. */
async function warmClient(requests: number): Promise<void> {
  const srv = createServer((req, res) => { req.resume(); req.on('end', () => res.end('{"ok":true}')); });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const c = new Client(`http://127.0.0.1:${(srv.address() as AddressInfo).port}`);
  for (let i = 0; i < requests; i++) {
    const r = await c.request({ method: i % 2 ? 'PUT' : 'GET', path: '/warm', headers: { 'content-type': 'application/json' }, body: i % 2 ? '{"a":1}' : undefined });
    JSON.parse(await r.body.text());
  }
  await c.close();
  await new Promise((r) => srv.close(r));
}
await warmClient(3000);

const root = JSON.parse((await req('GET', '/', undefined, [200])).raw) as { default_version: { version: string } };
version = root.default_version.version;
const res: Record<string, unknown> = { url: a.url, client: 'node-undici', api_max_version: version, api_version_used: version, nodes: N, move: M };
console.log(`API max version ${version}, using ${version} (Node client)`);
const existing = (JSON.parse((await req('GET', '/v1/nodes?fields=uuid,name', undefined, [200])).raw) as { nodes: { name?: string }[] }).nodes;
if (existing.some((n) => (n.name ?? '').startsWith(`${a.prefix}-`))) throw new Error(`nodes named ${a.prefix}-* already exist`);
res.preexisting_nodes = existing.length;

// 1. create
const lat: number[] = [];
const uuids: string[] = [];
const t0 = now();
for (let i = 0; i < N; i++) {
  const t = now();
  const { raw } = await req('POST', '/v1/nodes', { driver: 'fake-hardware', name: `${a.prefix}-${String(i).padStart(4, '0')}` }, [201]);
  lat.push(now() - t);
  uuids.push((JSON.parse(raw) as { uuid: string }).uuid);
}
let total = now() - t0;
res.create = {
  total_s: r3(total), per_s: Math.round((N / total) * 10) / 10, n: N,
  mean_ms: r2((1000 * lat.reduce((x, y) => x + y, 0)) / N), median_ms: r2(1000 * median(lat)),
  p95_ms: r2(1000 * pct(lat, 95)), max_ms: r2(1000 * Math.max(...lat)),
};
console.log(`create ${N} nodes: ${total.toFixed(3)} s (${(N / total).toFixed(1)}/s), median ${(1000 * median(lat)).toFixed(2)} ms`);

// 2. list detail
const runs: number[] = [];
let size = 0;
let count = 0;
let hasNext = false;
for (let k = 0; k < RUNS; k++) {
  const t = now();
  const { raw } = await req('GET', '/v1/nodes?detail=True', undefined, [200]);
  runs.push(now() - t);
  const body = JSON.parse(raw) as { nodes: unknown[]; next?: string };
  size = Buffer.byteLength(raw);
  count = body.nodes.length;
  hasNext = 'next' in body;
}
res.list_detail = { runs_s: runs.map((x) => Math.round(x * 1e4) / 1e4), median_s: Math.round(median(runs) * 1e4) / 1e4, nodes_returned: count, body_bytes: size, has_next: hasNext };
console.log(`GET /v1/nodes?detail=True (${count} nodes, ${size} bytes): median ${median(runs).toFixed(4)} s of ${runs.map((x) => x.toFixed(4)).join(' ')}`);

// 3. transitions
const move = uuids.slice(0, M);
const want = new Set(move);
const transitions: Record<string, unknown> = {};
const tAll = now();
for (const [target, final] of [['manage', 'manageable'], ['provide', 'available'], ['active', 'active']] as const) {
  const t = now();
  for (const u of move) await req('PUT', `/v1/nodes/${u}/states/provision`, { target }, [202]);
  const submit = now() - t;
  let polls = 0;
  for (;;) {
    polls++;
    const nodes = (JSON.parse((await req('GET', '/v1/nodes?fields=uuid,provision_state', undefined, [200])).raw) as { nodes: { uuid: string; provision_state: string }[] }).nodes;
    const states = nodes.filter((n) => want.has(n.uuid));
    const failed = states.filter((n) => n.provision_state.includes('fail') || n.provision_state === 'error');
    if (failed.length) throw new Error(`${failed.length} nodes failed in phase ${target}`);
    if (states.filter((n) => n.provision_state === final).length === want.size) break;
    if (now() - t > Number(a.timeout)) throw new Error(`timeout in phase ${target}`);
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
  const elapsed = now() - t;
  transitions[target] = { submit_s: r3(submit), complete_s: r3(elapsed), polls };
  console.log(`  ${target.padEnd(8)} -> ${final.padEnd(10)} submit ${submit.toFixed(3)} s, all ${M} done after ${elapsed.toFixed(3)} s`);
}
total = now() - tAll;
transitions.total_s = r3(total);
res.transitions = transitions;
console.log(`enroll->manageable->available->active for ${M} nodes: ${total.toFixed(3)} s`);
await client.close();
if (a.out) writeFileSync(a.out, JSON.stringify(res, null, 2) + '\n');
