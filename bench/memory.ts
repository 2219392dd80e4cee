/**
 * Memory benchmark: resident set size of a running `ingot serve` holding many nodes.
 *
 * Creates `--nodes` nodes (fake-hardware) through the REST API with `--concurrency`
 * requests in flight, then lists them all with `?detail=True` page by page, and reads
 * the server's VmRSS / VmHWM from /proc/PID/status at each stage.
 *
 * Usage: node --import tsx bench/memory.ts --url URL --pid PID [--nodes 10000]
 *          [--concurrency 16] [--target-mb 250] [--out FILE]
 * Prints one line per stage and the JSON result; never asserts the target (report only).
 * The target server should start empty (fresh data dir).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

const HEADERS = { 'content-type': 'application/json', accept: 'application/json', 'x-openstack-ironic-api-version': '1.82' };

/** VmRSS and VmHWM of a process in MB (Linux /proc). */
export function rssOf(pid: number): { rss_mb: number; peak_mb: number } {
  const s = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+) kB`, 'm').exec(s)?.[1] ?? NaN);
  return { rss_mb: Math.round(kb('VmRSS') / 102.4) / 10, peak_mb: Math.round(kb('VmHWM') / 102.4) / 10 };
}

async function createAll(url: string, n: number, concurrency: number, prefix: string): Promise<number> {
  let next = 0;
  let failures = 0;
  const worker = async () => {
    while (next < n) {
      const i = next++;
      const r = await fetch(`${url}/v1/nodes`, {
        method: 'POST', headers: HEADERS,
        body: JSON.stringify({ driver: 'fake-hardware', name: `${prefix}-${String(i).padStart(5, '0')}`, properties: { cpus: 8, memory_mb: 16384, local_gb: 100, cpu_arch: 'x86_64' } }),
      });
      await r.arrayBuffer();
      if (r.status !== 201) failures++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return failures;
}

/** Follow `next` links of GET /v1/nodes?detail=True; returns the node count seen. */
async function listAll(url: string): Promise<number> {
  let link: string | undefined = `${url}/v1/nodes?detail=True`;
  let count = 0;
  while (link) {
    const r = await fetch(link, { headers: HEADERS });
    const body = await r.json() as { nodes: unknown[]; next?: string };
    count += body.nodes.length;
    link = body.next;
  }
  return count;
}

async function main(): Promise<void> {
  const { values: a } = parseArgs({ options: {
    url: { type: 'string' }, pid: { type: 'string' }, nodes: { type: 'string', default: '10000' },
    concurrency: { type: 'string', default: '16' }, 'target-mb': { type: 'string', default: '250' },
    out: { type: 'string' }, prefix: { type: 'string', default: 'mem' },
  } });
  if (!a.url || !a.pid) throw new Error('--url and --pid are required');
  const pid = Number(a.pid);
  const n = Number(a.nodes);
  const idle = rssOf(pid);
  console.log(`idle: RSS ${idle.rss_mb} MB`);
  const t0 = performance.now();
  const failures = await createAll(a.url, n, Number(a.concurrency), a.prefix!);
  const createS = (performance.now() - t0) / 1000;
  const afterCreate = rssOf(pid);
  console.log(`created ${n - failures}/${n} nodes in ${createS.toFixed(1)} s (${(n / createS).toFixed(0)}/s, concurrency ${a.concurrency}): RSS ${afterCreate.rss_mb} MB, peak so far ${afterCreate.peak_mb} MB`);
  const t1 = performance.now();
  const listed = await listAll(a.url);
  const listS = (performance.now() - t1) / 1000;
  const afterList = rssOf(pid);
  console.log(`listed ${listed} nodes with detail (paged) in ${listS.toFixed(2)} s: RSS ${afterList.rss_mb} MB, peak ${afterList.peak_mb} MB`);
  const target = Number(a['target-mb']);
  const res = {
    nodes: n, create_failures: failures, concurrency: Number(a.concurrency),
    create_s: Math.round(createS * 1000) / 1000, create_per_s: Math.round(n / createS),
    list_detail_all_s: Math.round(listS * 1000) / 1000, listed,
    rss_idle_mb: idle.rss_mb, rss_after_create_mb: afterCreate.rss_mb, rss_peak_during_create_mb: afterCreate.peak_mb, rss_after_list_mb: afterList.rss_mb,
    rss_peak_mb: afterList.peak_mb, target_mb: target, within_target: afterList.peak_mb < target,
  };
  console.log(`memory with ${n} nodes: RSS ${afterList.rss_mb} MB (peak ${afterList.peak_mb} MB), target < ${target} MB: ${res.within_target ? 'met' : 'NOT met'}`);
  if (a.out) writeFileSync(a.out, JSON.stringify(res, null, 2) + '\n');
}

main().catch((err) => { console.error(`memory bench: ${err instanceof Error ? err.message : String(err)}`); process.exit(1); });
