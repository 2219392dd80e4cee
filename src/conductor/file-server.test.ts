/**
 * The conductor's static file server: whole files, byte ranges, HEAD, and refused paths
 * (traversal, encoded traversal, symlinks out of the root), over real sockets.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseRange, startFileServer } from './file-server.ts';

/** A raw HTTP/1.0 request, so paths reach the server exactly as written (fetch normalizes `..`). */
function raw(port: number, requestLine: string, headers: string[] = []): Promise<{ status: number; head: string; body: Buffer }> {
  return new Promise((ok, fail) => {
    const s = connect(port, '127.0.0.1', () => s.write(`${requestLine} HTTP/1.0\r\n${headers.map((h) => `${h}\r\n`).join('')}\r\n`));
    const chunks: Buffer[] = [];
    s.on('data', (c) => chunks.push(c));
    s.on('error', fail);
    s.on('end', () => {
      const all = Buffer.concat(chunks);
      const i = all.indexOf('\r\n\r\n');
      const head = all.subarray(0, i).toString();
      ok({ status: Number(head.split(' ')[1]), head, body: all.subarray(i + 4) });
    });
  });
}

test('serves files whole and by range, HEAD without a body, refuses paths out of the root', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'ingot-fs-'));
  const root = join(dir, 'root');
  await mkdir(join(root, 'redfish'), { recursive: true });
  const data = Buffer.from(Array.from({ length: 1000 }, (_, i) => i % 251));
  await writeFile(join(root, 'redfish', 'boot-x.iso'), data);
  await writeFile(join(dir, 'secret.txt'), 'secret');
  await symlink(join(dir, 'secret.txt'), join(root, 'link'));
  const fs = await startFileServer({ root, host: '127.0.0.1', port: 0 });
  t.after(async () => { await fs.close(); await rm(dir, { recursive: true, force: true }); });
  assert.match(fs.url, /^http:\/\/127\.0\.0\.1:\d+$/);
  assert.notEqual(fs.port, 0);

  const whole = await fetch(`${fs.url}/redfish/boot-x.iso`);
  assert.equal(whole.status, 200);
  assert.equal(whole.headers.get('accept-ranges'), 'bytes');
  assert.deepEqual(Buffer.from(await whole.arrayBuffer()), data);

  const part = await fetch(`${fs.url}/redfish/boot-x.iso`, { headers: { range: 'bytes=10-19' } });
  assert.equal(part.status, 206);
  assert.equal(part.headers.get('content-range'), 'bytes 10-19/1000');
  assert.deepEqual(Buffer.from(await part.arrayBuffer()), data.subarray(10, 20));
  const tail = await fetch(`${fs.url}/redfish/boot-x.iso`, { headers: { range: 'bytes=-5' } });
  assert.deepEqual([tail.status, Buffer.from(await tail.arrayBuffer())], [206, data.subarray(995)]);
  const beyond = await fetch(`${fs.url}/redfish/boot-x.iso`, { headers: { range: 'bytes=5000-' } });
  assert.deepEqual([beyond.status, beyond.headers.get('content-range')], [416, 'bytes */1000']);
  await beyond.body?.cancel();

  const head = await fetch(`${fs.url}/redfish/boot-x.iso`, { method: 'HEAD' });
  assert.deepEqual([head.status, head.headers.get('content-length')], [200, '1000']);
  const post = await fetch(`${fs.url}/redfish/boot-x.iso`, { method: 'POST' });
  assert.deepEqual([post.status, post.headers.get('allow')], [405, 'GET, HEAD']);
  await post.body?.cancel();

  assert.equal((await raw(fs.port, 'GET /../secret.txt')).status, 403);
  assert.equal((await raw(fs.port, 'GET /redfish/..%2f..%2fsecret.txt')).status, 403);
  assert.equal((await raw(fs.port, 'GET /link')).status, 403, 'a symlink out of the root is refused');
  assert.equal((await raw(fs.port, 'GET /redfish')).status, 404, 'no directory listings');
  assert.equal((await raw(fs.port, 'GET /nothing.iso')).status, 404);
  const ok = await raw(fs.port, 'GET /redfish/./boot-x.iso', ['Range: bytes=0-3']);
  assert.deepEqual([ok.status, ok.body], [206, data.subarray(0, 4)]);
});

test('parseRange follows RFC 9110 for single ranges', () => {
  assert.deepEqual(parseRange('bytes=0-0', 10), { start: 0, end: 0 });
  assert.deepEqual(parseRange('bytes=5-100', 10), { start: 5, end: 9 });
  assert.deepEqual(parseRange('bytes=-20', 10), { start: 0, end: 9 });
  assert.equal(parseRange('bytes=10-', 10), 'unsatisfiable');
  assert.equal(parseRange('bytes=0-1,3-4', 10), null, 'multi-range: whole file');
  assert.equal(parseRange('items=0-1', 10), null);
  assert.equal(parseRange('bytes=5-2', 10), null);
});
