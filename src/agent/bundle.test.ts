/** The bundled ingot CLI (what the ramdisk and the lab's machines run): it runs, and the cache is reused. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cachedIngotBundle, sourcesHash } from './bundle.ts';

test('the bundle runs `ingot agent --help` with plain Node; a second call reuses the file', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ingot-bundle-test-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  // Bundles of other source states: one untouched for two days (removed), one fresh (kept).
  const old = join(dir, 'ingot-00000000000000aa.mjs');
  const fresh = join(dir, 'ingot-00000000000000bb.mjs');
  writeFileSync(old, '// old');
  writeFileSync(fresh, '// fresh');
  const twoDaysAgo = new Date(Date.now() - 2 * 24 * 3600_000);
  utimesSync(old, twoDaysAgo, twoDaysAgo);
  const file = await cachedIngotBundle(dir);
  assert.equal(existsSync(old), false, 'a stale bundle of other sources is removed');
  assert.equal(existsSync(fresh), true, 'a recent one may still be in use');
  assert.match(file, new RegExp(`ingot-${(await sourcesHash()).slice(0, 16)}\\.mjs$`), 'named after the sources it was made from');
  const help = execFileSync(process.execPath, [file, 'agent', '--help'], { encoding: 'utf8' });
  assert.match(help, /--lab-machine <file>/);
  const mtime = statSync(file).mtimeMs;
  assert.equal(await cachedIngotBundle(dir), file);
  assert.equal(statSync(file).mtimeMs, mtime, 'not bundled again');
});
