/**
 * `ingot serve` as a real process: it listens, answers the REST API, stops cleanly on
 * SIGTERM, and keeps its nodes in the data dir across a restart.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serveProcess, stopProcess, type ServeProcess } from '../support/serve-process.ts';

const V = { 'x-openstack-ironic-api-version': '1.82', 'content-type': 'application/json' };

const serve = (dataDir: string) => serveProcess(dataDir, { INGOT_HTTP_PORT: '0' });

test('ingot serve: REST round trip, clean SIGTERM, nodes survive a restart', { timeout: 180_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ingot-serve-'));
  let s: ServeProcess | undefined;
  try {
    s = await serve(dir);
    const root = await (await fetch(`${s.url}/`)).json() as { default_version: { version: string; min_version: string } };
    assert.equal(root.default_version.min_version, '1.1');
    assert.match(root.default_version.version, /^1\.\d+$/);

    const created = await fetch(`${s.url}/v1/nodes`, { method: 'POST', headers: V, body: JSON.stringify({ driver: 'fake-hardware', name: 'serve-it' }) });
    assert.equal(created.status, 201);
    const node = await created.json() as { uuid: string; provision_state: string; name: string };
    assert.equal(node.provision_state, 'enroll');
    assert.equal(created.headers.get('location'), `${s.url}/v1/nodes/${node.uuid}`);

    const bad = await fetch(`${s.url}/v1/nodes`, { method: 'POST', headers: V, body: '{"driver": ' });
    assert.equal(bad.status, 400);
    assert.ok(JSON.parse((await bad.json() as { error_message: string }).error_message).faultstring);

    assert.equal(await stopProcess(s), 0, s.output());
    s = await serve(dir);
    const shown = await fetch(`${s.url}/v1/nodes/serve-it`, { headers: V });
    assert.equal(shown.status, 200);
    assert.equal((await shown.json() as { uuid: string }).uuid, node.uuid);
    assert.equal(await stopProcess(s), 0, s.output());
    s = undefined;
  } finally {
    if (s) s.proc.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
});
