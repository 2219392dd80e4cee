/**
 * The main job (`npm run demo`) must keep provisioning the lab end to end: run it once
 * on free ports and check that every machine reached `active`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

test('demo provisions every lab machine end to end', { timeout: 180_000 }, async () => {
  const { stdout } = await promisify(execFile)(process.execPath,
    ['--import', 'tsx', join(root, 'src', 'bin', 'demo.ts'), '--once', '--machines', '3', '--port', '0', '--lab-port', '0'],
    { cwd: root, timeout: 170_000, env: { ...process.env, INGOT_LOG_LEVEL: 'silent' } });
  assert.match(stdout, /3\/3 machines provisioned end to end/);
  assert.equal((stdout.match(/ACTIVE: power power on; BMC shows power On, boot Cd/g) ?? []).length, 3);
});
