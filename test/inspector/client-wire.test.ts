/**
 * The requests `openstack baremetal introspection start | status | data save | rule import |
 * rule list` send, replayed byte for byte as python-ironic-inspector-client 4.8.0 (the
 * version Debian bookworm names) builds them, and its reading of the answers, against
 * Ingot's inspector API; the same requests to the real ironic-inspector where it runs.
 *
 * Why not the CLI itself (cli.test.ts does that where it can): Debian's
 * python3-ironic-inspector-client 4.8.0-2 on this mirror is an empty package (3348-byte
 * .deb, Installed-Size 10 KB, only /usr/share/doc/…/changelog.Debian.gz and copyright; no
 * `ironic_inspector_client` module, so the OSC plugin's commands do not exist).
 *
 * What the client does (ironic_inspector_client/common/http.py, v1.py, shell.py @ 4.8.0):
 * - version discovery: `GET <inspector-url>` (no /v1, no version header); a status >= 400
 *   other than 404 is an error; min/max from `X-OpenStack-Ironic-Inspector-API-Minimum/Maximum-Version`
 *   (default "1.0"); the requested version (the CLI's default "1" → 1.0) must lie within;
 * - every call: `<inspector-url>/v1<path>` with `X-OpenStack-Ironic-Inspector-API-Version: 1.0`,
 *   keystoneauth's User-Agent, requests' Accept `*∕*`; a JSON body sets Content-Type; a status
 *   >= 400 raises ClientError with `body.error.message`;
 * - start: `POST /introspection/{node}` with no body and no query (manage_boot not given);
 * - status: `GET /introspection/{node}`, shown as the sorted items except `links`;
 * - data save --file: `GET /introspection/{node}/data`, the raw bytes written out;
 * - rule import: each rule of the file `POST /rules` (json=rule), the answer's uuid and description shown;
 * - rule list: `GET /rules`, `rules[]` uuid and description shown.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { SHARED_DIR } from '../../src/testing/shared-data.ts';
import { startEnv, insp, ironic, sampleReport, manageableNode, until, type Env } from './support.ts';

const UA = 'openstacksdk/0.101.0 keystoneauth1/5.1.1 python-requests/2.28.1 CPython/3.11.2';
const REAL = '/usr/bin/ironic-inspector';

interface Reply { status: number; headers: Record<string, string | string[] | undefined>; raw: Buffer; json: any }

/** One request as requests/keystoneauth send it for the inspector client. */
async function clientCall(url: string, method: 'GET' | 'POST' | 'DELETE', opts: { json?: unknown; version?: string | null } = {}): Promise<Reply> {
  const headers: Record<string, string> = { 'user-agent': UA, 'accept-encoding': 'gzip, deflate', accept: '*/*', connection: 'keep-alive' };
  if (opts.version !== null) headers['x-openstack-ironic-inspector-api-version'] = opts.version ?? '1.0';
  let body: string | undefined;
  if (opts.json !== undefined) { body = JSON.stringify(opts.json); headers['content-type'] = 'application/json'; }
  if (method !== 'GET') headers['content-length'] = String(Buffer.byteLength(body ?? ''));
  const res = await request(url, { method, headers, body });
  const raw = Buffer.from(await res.body.arrayBuffer());
  let json: unknown = null;
  try { json = raw.length ? JSON.parse(raw.toString('utf8')) : null; } catch { /* not JSON */ }
  return { status: res.statusCode, headers: res.headers, raw, json };
}

/** ClientError.raise_if_needed: the message the CLI prints, or null when the call succeeded. */
function clientError(r: Reply): string | null {
  if (r.status < 400) return null;
  return typeof r.json?.error?.message === 'string' ? r.json.error.message : `(unparsed) ${r.raw.toString('utf8')}`;
}

/** server_api_versions + _check_api_version for the CLI's default version "1". */
async function discoverVersions(base: string): Promise<[string, string]> {
  const r = await clientCall(base, 'GET', { version: null });
  assert.ok(r.status < 400 || r.status === 404, `version discovery answered ${r.status}`);
  const min = String(r.headers['x-openstack-ironic-inspector-api-minimum-version'] ?? '1.0');
  const max = String(r.headers['x-openstack-ironic-inspector-api-maximum-version'] ?? '1.0');
  const parse = (v: string) => v.split('.').map(Number) as [number, number];
  const [a, b] = [parse(min), parse(max)];
  const want: [number, number] = [1, 0];
  assert.ok((want[0] > a[0] || (want[0] === a[0] && want[1] >= a[1])) && (want[0] < b[0] || (want[0] === b[0] && want[1] <= b[1])), `1.0 outside [${min}, ${max}]`);
  return [min, max];
}

const sampleRule = (): Record<string, unknown> => JSON.parse(readFileSync(join(SHARED_DIR, 'data', 'introspection-rules', 'ironic-inspector', 'api-v1-create-rule-request.json'), 'utf8'));

let env: Env;
before(async () => { env = await startEnv(); });
after(async () => { await env.close(); });

test('the client\'s start, status, data save, rule import, rule list requests against Ingot', { timeout: 120_000 }, async () => {
  const base = env.svc.inspector.url;
  const v1 = `${base}/v1`;
  assert.deepEqual(await discoverVersions(base), ['1.0', '1.18']);

  // rule import (a file with one rule, then one with two: the CLI posts each).
  const imported: Array<[unknown, unknown]> = [];
  for (const rule of [sampleRule(), { description: 'tag big', conditions: [{ op: 'ge', field: 'memory_mb', value: 1024 }], actions: [{ action: 'add-trait', name: 'CUSTOM_WIRE' }] }]) {
    const r = await clientCall(`${v1}/rules`, 'POST', { json: rule });
    assert.equal(clientError(r), null);
    assert.equal(r.status, 200, 'API 1.0 answers a created rule with 200 (201 from 1.6)');
    imported.push([r.json.uuid, r.json.description]);
  }
  assert.equal(imported[0]![0], '7459bf7c-9ff9-43a8-ba9f-48542ecda66c');
  assert.equal(imported[0]![1], 'Set deploy info if not already set on node');
  assert.match(String(imported[1]![0]), /^[0-9a-f-]{36}$/);
  // The same rule again: ClientError with inspector's message.
  const dup = await clientCall(`${v1}/rules`, 'POST', { json: sampleRule() });
  assert.equal(dup.status, 409);
  assert.match(clientError(dup)!, /7459bf7c-9ff9-43a8-ba9f-48542ecda66c/);

  // rule list.
  const list = await clientCall(`${v1}/rules`, 'GET');
  assert.equal(clientError(list), null);
  assert.deepEqual(list.json.rules.map((x: any) => [x.uuid, x.description]).sort(), [...imported].sort((p, q) => String(p[0]).localeCompare(String(q[0]))));

  // start (no body, no query), then the ramdisk reports.
  const report = sampleReport();
  const uuid = await manageableNode(env.svc, 'wire-0');
  await ironic(env.svc, 'POST', '/v1/ports', { node_uuid: uuid, address: report.boot_interface });
  const start = await clientCall(`${v1}/introspection/${uuid}`, 'POST');
  assert.equal(clientError(start), null);
  assert.equal(start.status, 202);
  await until(async () => (await ironic(env.svc, 'GET', `/v1/nodes/${uuid}`)).body.provision_state === 'inspect wait', 'inspect wait');

  // status: the CLI shows every key but links, sorted.
  const waiting = await clientCall(`${v1}/introspection/${uuid}`, 'GET');
  assert.equal(clientError(waiting), null);
  const shown = Object.keys(waiting.json).filter((k) => k !== 'links').sort();
  assert.deepEqual(shown, ['error', 'finished', 'finished_at', 'started_at', 'state', 'uuid']);
  assert.equal(waiting.json.finished, false);
  assert.equal(waiting.json.uuid, uuid);

  assert.equal((await insp(env.svc, 'POST', '/v1/continue', report)).status, 200);
  const done = await clientCall(`${v1}/introspection/${uuid}`, 'GET');
  assert.equal(done.json.finished, true);
  assert.equal(done.json.error, null);
  assert.equal(done.json.state, 'finished');

  // data save --file: raw bytes, JSON.
  const data = await clientCall(`${v1}/introspection/${uuid}/data`, 'GET');
  assert.equal(clientError(data), null);
  const saved = JSON.parse(data.raw.toString('utf8'));
  assert.equal(saved.inventory.bmc_address, '192.167.2.134');
  assert.deepEqual((await ironic(env.svc, 'GET', `/v1/nodes/${uuid}`)).body.traits, ['CUSTOM_WIRE']);

  // Errors the CLI prints: unknown node, bad version header.
  const missing = await clientCall(`${v1}/introspection/no-such-node`, 'GET');
  assert.equal(missing.status, 404);
  assert.match(clientError(missing)!, /no-such-node/);
  const tooNew = await clientCall(`${v1}/rules`, 'GET', { version: '1.99' });
  assert.equal(tooNew.status, 406);
  assert.notEqual(clientError(tooNew)!.startsWith('(unparsed)'), true);
});

// --- the real ironic-inspector, where it runs ----------------------------------------
const skipReal = existsSync(REAL) ? false : `the real ironic-inspector is not installed here (${REAL}; Debian's ironic-inspector 11.1.0-2 is in the archive, not installed)`;

async function freePort(): Promise<number> {
  return new Promise((resolve) => { const s = createServer(); s.listen(0, '127.0.0.1', () => { const p = (s.address() as { port: number }).port; s.close(() => resolve(p)); }); });
}

test('the same client requests answered alike by the real ironic-inspector 11.1 and Ingot (rules, versions, errors)', { skip: skipReal, timeout: 180_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ingot-wire-real-'));
  let real: ChildProcess | null = null;
  t.after(() => { real?.kill('SIGTERM'); rmSync(dir, { recursive: true, force: true }); });
  const port = await freePort();
  const conf = join(dir, 'inspector.conf');
  writeFileSync(conf, [
    '[DEFAULT]', 'auth_strategy = noauth', 'listen_address = 127.0.0.1', `listen_port = ${port}`, 'standalone = True', 'transport_url = fake://',
    '[database]', `connection = sqlite:///${join(dir, 'inspector.db')}`,
    '[ironic]', 'auth_type = none', 'endpoint_override = http://127.0.0.1:9/', '[processing]', 'store_data = database', '[pxe_filter]', 'driver = noop', '',
  ].join('\n'));
  execFileSync('/usr/bin/ironic-inspector-dbsync', ['--config-file', conf, 'upgrade'], { stdio: 'ignore' });
  real = spawn(REAL, ['--config-file', conf], { stdio: 'ignore' });
  const realUrl = `http://127.0.0.1:${port}`;
  await until(async () => { try { return (await fetch(`${realUrl}/`)).ok; } catch { return false; } }, 'ironic-inspector to answer', 60_000);
  await clientCall(`${env.svc.inspector.url}/v1/rules`, 'DELETE');

  for (const base of [realUrl, env.svc.inspector.url]) assert.deepEqual(await discoverVersions(base), await discoverVersions(realUrl));
  const both = async (method: 'GET' | 'POST' | 'DELETE', path: string, json?: unknown): Promise<[Reply, Reply]> =>
    [await clientCall(`${realUrl}/v1${path}`, method, { json }), await clientCall(`${env.svc.inspector.url}/v1${path}`, method, { json })];
  const strip = (v: any): any => JSON.parse(JSON.stringify(v).replace(/http:\/\/127\.0\.0\.1:\d+/g, 'URL'));
  for (const [method, path, json] of [
    ['POST', '/rules', sampleRule()], ['POST', '/rules', sampleRule()], ['GET', '/rules', undefined],
    ['GET', '/introspection/1be26c0b-03f2-4d2e-ae87-c02d7f33c123', undefined],
  ] as const) {
    const [a, b] = await both(method, path, json);
    assert.equal(b.status, a.status, `${method} ${path}: ${a.raw} vs ${b.raw}`);
    if (a.status < 400) assert.deepEqual(strip(b.json), strip(a.json), `${method} ${path}`);
    else assert.equal(clientError(b)!.split('\n')[0], clientError(a)!.split('\n')[0], `${method} ${path}`);
  }
});
