/**
 * `ingot api` and `ingot conductor` refuse SQLite (and say why), and refuse a bad
 * --rpc-port, before touching any database.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const BIN = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'bin', 'ingot.mjs');

function ingot(args: string[]): { status: number | null; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 120_000, env: { ...process.env, INGOT_DB: '' } });
  return { status: r.status, stderr: r.stderr };
}

test('separate processes refuse SQLite with the reason; bad --rpc-port is refused', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ingot-refuse-'));
  try {
    const db = join(dir, 'ingot.db');
    for (const args of [['api', '--db', db, '--port', '0'], ['conductor', '--db', db, '--name', 'x', '--rpc-port', '0']]) {
      const r = ingot(args);
      assert.equal(r.status, 1, r.stderr);
      assert.match(r.stderr, new RegExp(`ingot ${args[0]} refuses the SQLite database ".*ingot\\.db": separate API and conductor processes share all state through one database`));
      assert.match(r.stderr, /Use PostgreSQL \(--db postgres:\/\/USER@HOST\/DB\) or MariaDB .* or run API and conductor in one process with `ingot serve`\./);
      assert.ok(!existsSync(db), 'no SQLite file was created');
    }
    const bad = ingot(['conductor', '--db', 'postgres://postgres@127.0.0.1:5432/none', '--rpc-port', 'abc']);
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /--rpc-port must be a port number, got "abc"/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
