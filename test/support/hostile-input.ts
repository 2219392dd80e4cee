/**
 * Input no database can hold, and JSON too deep to process: each must be a 400 with a
 * clear message, and leave nothing behind, whatever the database (run on SQLite by
 * src/api/body-guard.test.ts and on PostgreSQL and MariaDB by test/integration/databases.test.ts).
 */
import assert from 'node:assert/strict';
import type { Harness } from './api-harness.ts';

const NUL_MESSAGE = /strings may not contain the NUL character \(\\u0000\)\.$/;

export async function hostileInput(h: Harness): Promise<void> {
  const bad = async (method: string, url: string, body: unknown, where: RegExp, raw?: string) => {
    const r = await h.req(method, url, body, raw === undefined ? {} : { raw });
    assert.equal(r.status, 400, `${method} ${url}: ${r.text}`);
    assert.match(h.fault(r.body), where, `${method} ${url}`);
    assert.match(h.fault(r.body), /\.$/);
  };
  const before = (await h.req('GET', '/v1/nodes')).body.nodes.length;
  await bad('POST', '/v1/nodes', { driver: 'fake-hardware', description: 'a\u0000b' }, /^Invalid value in the request body at \/description: /);
  await bad('POST', '/v1/nodes', { driver: 'fake-hardware', resource_class: 'rc\u0000' }, NUL_MESSAGE);
  await bad('POST', '/v1/nodes', { driver: 'fake-hardware', extra: { k: ['x', 'y\u0000'] } }, /at \/extra\/k\/1: /);
  await bad('POST', '/v1/nodes', { driver: 'fake-hardware', extra: { 'k\u0000': 1 } }, /^Invalid value in a key of the request body at \/extra: /);
  await bad('POST', '/v1/chassis', { description: '\u0000' }, NUL_MESSAGE);
  await bad('GET', '/v1/nodes?resource_class=a%00b', undefined, /^Invalid value in the query parameter resource_class: /);
  await bad('GET', '/v1/nodes?owner=%00', undefined, NUL_MESSAGE);
  const n = await h.req('POST', '/v1/nodes', { driver: 'fake-hardware', name: 'hostile-1' });
  assert.equal(n.status, 201, n.text);
  await bad('PATCH', '/v1/nodes/hostile-1', [{ op: 'replace', path: '/description', value: 'x\u0000' }], /at \/0\/value: /);
  await bad('PUT', '/v1/nodes/hostile-1/maintenance', { reason: 'r\u0000' }, NUL_MESSAGE);
  const deep = (d: number) => `{"driver": "fake-hardware", "extra": {"k": ${'['.repeat(d)}${']'.repeat(d)}}}`;
  await bad('POST', '/v1/nodes', undefined, /^Invalid request body: JSON nested deeper than 256 levels\.$/, deep(300));
  await bad('POST', '/v1/nodes', undefined, /nested deeper than 256 levels/, deep(100_000));
  await bad('PATCH', '/v1/nodes/hostile-1', undefined, /nested deeper than 256 levels/, `[{"op": "add", "path": "/extra/d", "value": ${'{"a": '.repeat(400)}1${'}'.repeat(400)}}]`);
  const ok = await h.req('POST', '/v1/nodes', undefined, { raw: deep(200) });
  assert.equal(ok.status, 201, 'deep but within the limit');
  const shown = await h.req('GET', '/v1/nodes/hostile-1');
  assert.equal(shown.body.description, null);
  assert.equal(shown.body.maintenance, false);
  assert.equal((await h.req('GET', '/v1/nodes')).body.nodes.length, before + 2);
  for (const id of ['hostile-1', ok.body.uuid]) assert.equal((await h.req('DELETE', `/v1/nodes/${id}`)).status, 204);
}
