/**
 * Side-by-side report of one benchmark run: bench.py results of Ingot and (optionally)
 * the real Ironic, plus the memory benchmark. Prints a table with the ratios against
 * the targets of the issue (reported, never asserted) and writes a summary JSON.
 *
 * Two clients run the same workload: bench.py (the peer's own script, Python) and
 * bench/workload.ts (Node); each gets its own table, because a client's own cost per
 * request is part of what it measures.
 *
 * Usage: node --import tsx bench/compare.ts --ingot FILE [--ironic FILE]
 *          [--ingot-node FILE] [--ironic-node FILE] [--memory FILE] [--out FILE]
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

/** The fields of bench.py's result JSON that the report uses. */
export interface BenchResult {
  nodes: number;
  move: number;
  create: { total_s: number; per_s: number; median_ms: number; p95_ms: number };
  list_detail: { median_s: number; nodes_returned: number; body_bytes: number };
  transitions: Record<string, { submit_s: number; complete_s: number }> & { total_s: number };
}

export interface Row { metric: string; ingot: number; ironic?: number; unit: string; ratio?: number; target?: number }

/** Ratio as "how many times better Ingot is": higher-is-better metrics divide ingot/ironic. */
export function rows(ing: BenchResult, iro?: BenchResult): Row[] {
  const speedup = (a: number, b: number) => (a > 0 ? Math.round((b / a) * 10) / 10 : Infinity);
  const out: Row[] = [
    { metric: `create ${ing.nodes} nodes`, ingot: ing.create.per_s, ironic: iro?.create.per_s, unit: 'creates/s', target: 50 },
    { metric: 'create latency median', ingot: ing.create.median_ms, ironic: iro?.create.median_ms, unit: 'ms' },
    { metric: `list detail (${ing.list_detail.nodes_returned} nodes) median`, ingot: ing.list_detail.median_s * 1000, ironic: iro ? iro.list_detail.median_s * 1000 : undefined, unit: 'ms', target: 10 },
    { metric: `${ing.move} nodes enroll→active total`, ingot: ing.transitions.total_s, ironic: iro?.transitions.total_s, unit: 's', target: 50 },
  ];
  for (const phase of ['manage', 'provide', 'active']) {
    const a = ing.transitions[phase];
    const b = iro?.transitions[phase];
    if (a) out.push({ metric: `  phase ${phase}`, ingot: a.complete_s, ironic: b?.complete_s, unit: 's' });
  }
  for (const r of out) {
    if (r.ironic === undefined) continue;
    r.ratio = r.unit === 'creates/s' ? (r.ironic > 0 ? Math.round((r.ingot / r.ironic) * 10) / 10 : Infinity) : speedup(r.ingot, r.ironic);
  }
  return out;
}

function fmt(v: number | undefined): string {
  if (v === undefined) return '-';
  if (!Number.isFinite(v)) return '∞';
  return v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(3);
}

function printTable(title: string, table: Row[], haveIronic: boolean): void {
  console.log(title);
  const w = Math.max(...table.map((r) => r.metric.length)) + 2;
  console.log(`${'metric'.padEnd(w)}${'ingot'.padStart(10)}${'ironic'.padStart(10)}  unit        ×better  target`);
  for (const r of table) {
    const target = r.target === undefined ? '' : `≥${r.target}× ${r.ratio === undefined ? '' : r.ratio >= r.target ? 'met' : 'NOT met'}`;
    console.log(`${r.metric.padEnd(w)}${fmt(r.ingot).padStart(10)}${fmt(r.ironic).padStart(10)}  ${r.unit.padEnd(10)}  ${(r.ratio === undefined ? '-' : `${fmt(r.ratio)}×`).padStart(7)}  ${target}`);
  }
  if (!haveIronic) console.log('(no Ironic figures for this client, so no ratios: the real Ironic is not installed, failed, or BENCH_IRONIC=0)');
}

function main(): void {
  const { values: a } = parseArgs({ options: {
    ingot: { type: 'string' }, ironic: { type: 'string' }, 'ingot-node': { type: 'string' }, 'ironic-node': { type: 'string' },
    memory: { type: 'string' }, out: { type: 'string' },
  } });
  if (!a.ingot) throw new Error('--ingot is required');
  const read = <T>(f?: string): T | undefined => (f && existsSync(f) ? JSON.parse(readFileSync(f, 'utf8')) as T : undefined);
  const ing = read<BenchResult>(a.ingot)!;
  const iro = read<BenchResult>(a.ironic);
  const ingNode = read<BenchResult>(a['ingot-node']);
  const iroNode = read<BenchResult>(a['ironic-node']);
  const mem = read<Record<string, number | boolean>>(a.memory);
  const table = rows(ing, iro);
  printTable('client: bench.py (Python http.client, one keep-alive connection)', table, !!iro);
  const nodeTable = ingNode ? rows(ingNode, iroNode) : undefined;
  if (nodeTable) {
    console.log();
    printTable('client: bench/workload.ts (Node undici, one keep-alive connection), same workload', nodeTable, !!iroNode);
  }
  if (mem) {
    console.log();
    console.log(`${'RSS with ' + String(mem.nodes) + ' nodes'}: ${String(mem.rss_after_list_mb)} MB (peak ${String(mem.rss_peak_mb)} MB, idle ${String(mem.rss_idle_mb)} MB), target < ${String(mem.target_mb)} MB: ${mem.within_target ? 'met' : 'NOT met'}`);
  }
  if (a.out) {
    writeFileSync(a.out, JSON.stringify({
      ingot: a.ingot, ironic: a.ironic ?? null, memory: mem ?? null, rows: table,
      node_client: nodeTable ? { ingot: a['ingot-node'], ironic: a['ironic-node'] ?? null, rows: nodeTable } : null,
    }, null, 2) + '\n');
  }
}

main();
