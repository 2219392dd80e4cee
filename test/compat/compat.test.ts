/**
 * Differential compatibility suite: the same requests go to a fresh real Ironic 21.4 and a
 * fresh Ingot, and the answers must match (status, keys, values, Location and version
 * headers, faultstrings) apart from the allow-listed differences in allowlist.ts.
 *
 * Env: COMPAT_ONLY=<regex> replays only matching scenarios; COMPAT_REPORT=<file> sets the
 * report path (default <tmpdir>/ingot-compat-report.txt).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { skipReason, startIngot, startPeer, type Ingot, type Peer } from './servers.ts';
import { Runner, describe } from './runner.ts';
import { CORPUS } from './corpus/index.ts';
import { ALLOWED, allowancesFor, type Allowance } from './allowlist.ts';

const reason = skipReason();

test('Ingot answers like the real Ironic 21.4', { skip: reason ?? false, timeout: 300_000 }, async (t) => {
  const started = Date.now();
  let peer: Peer | undefined;
  let ingot: Ingot | undefined;
  let runner: Runner | undefined;
  try {
    const [p, i] = await Promise.allSettled([startPeer(), startIngot()]);
    if (p.status === 'fulfilled') peer = p.value;
    if (i.status === 'fulfilled') ingot = i.value;
    if (p.status === 'rejected') throw p.reason;
    if (i.status === 'rejected') throw i.reason;
    runner = new Runner(peer!.url, ingot!.url);
    const only = process.env.COMPAT_ONLY ? new RegExp(process.env.COMPAT_ONLY) : undefined;
    for (const sc of CORPUS) if (!only || only.test(sc.name)) await runner.run(sc);
  } finally {
    runner?.close();
    await Promise.all([peer?.stop(), ingot?.stop()]);
  }

  const matched = runner.results.filter((r) => r.diffs.length === 0);
  const diverged = runner.results.filter((r) => r.diffs.length > 0);
  const unexpected = diverged.filter((r) => !allowancesFor(r));
  const used = new Set<Allowance>();
  const allowed: string[] = [];
  for (const r of diverged) {
    const a = allowancesFor(r);
    if (!a) continue;
    a.forEach((x) => used.add(x));
    allowed.push(`${r.id}  [${a.map((x) => `${x.kind}: ${x.reason}`).join('; ')}]`);
  }
  const stale = ALLOWED.filter((a) => !used.has(a));
  const summary = `${runner.requests} requests, ${runner.results.length} compared steps: ${matched.length} matched, `
    + `${diverged.length} diverged (${diverged.length - unexpected.length} allow-listed, ${unexpected.length} unexpected); `
    + `${((Date.now() - started) / 1000).toFixed(1)} s`;
  const report = [
    summary, '',
    `== unexpected differences (${unexpected.length})`, ...unexpected.map(describe), '',
    `== allow-listed (${allowed.length})`, ...allowed, '',
    `== allow-list entries that matched nothing (${stale.length})`, ...stale.map((a) => `${a.step} ${a.paths ?? ''} — ${a.reason}`), '',
    '== seconds per scenario', ...runner.timings.map(([n, ms]) => `${n}: ${(ms / 1000).toFixed(1)}`),
  ].join('\n');
  const file = process.env.COMPAT_REPORT ?? join(tmpdir(), 'ingot-compat-report.txt');
  writeFileSync(file, report + '\n');
  t.diagnostic(summary);
  t.diagnostic(`report: ${file}`);
  assert.equal(unexpected.length, 0, `${unexpected.length} unexpected differences:\n${unexpected.slice(0, 40).map(describe).join('\n')}`);
});
