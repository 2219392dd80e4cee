/**
 * The main job (`npm run demo`): run it once on free ports and check its verdict: every lab
 * machine deployed through the agent and its disk checked by the demo itself (partition
 * bytes, the marker file read back with debugfs, the config drive, the NVRAM boot entry).
 * The demo's own check is re-done here for one machine from outside, on its disk file.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { readMarker } from '../../src/lab/demo-image.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

test('demo deploys a real image to every lab machine through the agent', { timeout: 420_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ingot-demo-test-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const { stdout } = await promisify(execFile)(process.execPath,
    ['--import', 'tsx', join(root, 'src', 'bin', 'demo.ts'), '--once', '--machines', '4', '--port', '0', '--lab-port', '0', '--data-dir', dir],
    { cwd: root, timeout: 400_000, maxBuffer: 16 * 1024 * 1024, env: { ...process.env, INGOT_LOG_LEVEL: 'silent' } });
  const last = stdout.trim().split('\n').pop()!;
  const m = /^4\/4 machines deployed, (\d+) bytes verified on disk$/.exec(last);
  assert.ok(m, `last line: ${last}\n${stdout.slice(-3000)}`);
  assert.ok(Number(m[1]) >= 4 * 16 * 1024 * 1024 - 4 * 70 * 512, `bytes verified: ${m[1]}`);
  assert.equal((stdout.match(/incl\. config-2/g) ?? []).length, 1);
  // From outside: each machine's disk file holds the image's marker file.
  const machines = readdirSync(join(dir, 'lab'));
  assert.equal(machines.length, 4);
  const marker = /marker "([^"]+)"/.exec(stdout)![1]!;
  for (const mdir of machines) assert.equal((await readMarker(join(dir, 'lab', mdir, 'disk0.img')))?.trim(), marker);
});
