/**
 * Where the time goes in a V8 CPU profile (`node --cpu-prof`): self time per function
 * and per file, top N of each. Usage: node --import tsx bench/profile-top.ts FILE [N]
 */
import { readFileSync } from 'node:fs';

interface ProfileNode { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }
interface Profile { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[]; startTime: number; endTime: number }

/** Self time (ms) per key, from the sample stream. */
export function selfTimes(p: Profile, keyOf: (n: ProfileNode) => string): Map<string, number> {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const out = new Map<string, number>();
  for (let i = 0; i < p.samples.length; i++) {
    const n = byId.get(p.samples[i]!);
    if (!n) continue;
    const k = keyOf(n);
    out.set(k, (out.get(k) ?? 0) + (p.timeDeltas[i] ?? 0) / 1000);
  }
  return out;
}

/** Total (self + callees) time (ms) per key for frames that `keep` selects; a key counts once per stack. */
export function inclusiveTimes(p: Profile, keyOf: (n: ProfileNode) => string, keep: (n: ProfileNode) => boolean): Map<string, number> {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const out = new Map<string, number>();
  for (let i = 0; i < p.samples.length; i++) {
    const seen = new Set<string>();
    for (let id: number | undefined = p.samples[i]; id !== undefined; id = parent.get(id)) {
      const n = byId.get(id)!;
      if (!keep(n)) continue;
      const k = keyOf(n);
      if (seen.has(k)) continue;
      seen.add(k);
      out.set(k, (out.get(k) ?? 0) + (p.timeDeltas[i] ?? 0) / 1000);
    }
  }
  return out;
}

function short(url: string): string {
  const i = url.indexOf('/node_modules/');
  if (i >= 0) return url.slice(i + 1);
  const s = url.indexOf('/src/');
  if (s >= 0) return url.slice(s + 1);
  return url.replace(/^file:\/\//, '') || '(native)';
}

function main(): void {
  const [file, nArg] = process.argv.slice(2);
  if (!file) throw new Error('usage: profile-top.ts FILE [N]');
  const n = Number(nArg ?? 20);
  const p = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const total = (p.endTime - p.startTime) / 1000;
  const print = (title: string, m: Map<string, number>) => {
    const idle = m.get('(idle)') ?? 0;
    console.log(`${title} (profile ${total.toFixed(0)} ms, busy ${(total - idle).toFixed(0)} ms):`);
    for (const [k, ms] of [...m].filter(([k]) => k !== '(idle)').sort((a, b) => b[1] - a[1]).slice(0, n)) {
      console.log(`  ${ms.toFixed(0).padStart(7)} ms  ${k}`);
    }
  };
  print('by function', selfTimes(p, (x) => {
    const f = x.callFrame;
    if (f.functionName === '(idle)' || f.functionName === '(program)' || f.functionName === '(garbage collector)') return f.functionName;
    return `${f.functionName || '(anonymous)'}  ${short(f.url)}:${f.lineNumber + 1}`;
  }));
  print('project functions, inclusive', inclusiveTimes(p, (x) => `${x.callFrame.functionName || '(anonymous)'}  ${short(x.callFrame.url)}:${x.callFrame.lineNumber + 1}`,
    (x) => x.callFrame.url.includes('/src/')));
  print('by file', selfTimes(p, (x) => (x.callFrame.functionName === '(idle)' ? '(idle)' : x.callFrame.url ? short(x.callFrame.url) : x.callFrame.functionName)));
}

main();
