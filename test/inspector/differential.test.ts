/**
 * Differential test: the same requests to the real ironic-inspector 11.1 (Debian package
 * `ironic-inspector`, started here standalone on a free port with its own SQLite DB,
 * noauth, store_data=database, no PXE filter) and to Ingot's inspector API; status codes
 * and bodies compared (links' host part and generated values normalized).
 *
 * Covered: versions, headers, 406, rules (create from the shared sample, list, get, 409
 * duplicate, delete, delete all, parameter errors), status and list errors, reports nobody
 * waits for, ramdisk errors. NOT covered: requests that need a real Ironic node (start,
 * status of a running inspection, continue for a known node, data) — they would need the
 * peer Ironic 21.4 (/work/shared/peer/ironic/start.sh) wired to the real inspector.
 * Known deviations, not compared: a malformed report (real inspector: 500 "Internal server
 * error"; Ingot: 400) and jsonschema's multi-line texts (only the first line is compared).
 * Skipped where /usr/bin/ironic-inspector is not installed (`apt-get install ironic-inspector`;
 * not in scripts/lib/deps.sh: its package starts a daemon on 5050 on machines with systemd).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SHARED_DIR } from '../../src/testing/shared-data.ts';
import { startEnv, call, until, type Env, type Answer } from './support.ts';

const BIN = '/usr/bin/ironic-inspector';
const skip = existsSync(BIN) ? false : 'the real ironic-inspector is not installed (apt-get install ironic-inspector)';

let env: Env;
let real: ChildProcess | null = null;
let realUrl = '';
let dir = '';

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => { const p = (s.address() as { port: number }).port; s.close(() => resolve(p)); });
  });
}

before(async () => {
  if (skip) return;
  env = await startEnv();
  dir = mkdtempSync(join(tmpdir(), 'ingot-insp-diff-'));
  const port = await freePort();
  const conf = join(dir, 'inspector.conf');
  writeFileSync(conf, [
    '[DEFAULT]', 'auth_strategy = noauth', 'listen_address = 127.0.0.1', `listen_port = ${port}`, 'standalone = True', 'transport_url = fake://',
    '[database]', `connection = sqlite:///${join(dir, 'inspector.db')}`,
    '[ironic]', 'auth_type = none', 'endpoint_override = http://127.0.0.1:9/',
    '[processing]', 'store_data = database', '[pxe_filter]', 'driver = noop', '',
  ].join('\n'));
  execFileSync('/usr/bin/ironic-inspector-dbsync', ['--config-file', conf, 'upgrade'], { stdio: 'ignore' });
  real = spawn(BIN, ['--config-file', conf], { stdio: 'ignore' });
  realUrl = `http://127.0.0.1:${port}`;
  await until(async () => { try { return (await fetch(`${realUrl}/`)).ok; } catch { return false; } }, 'ironic-inspector to answer', 60_000);
});
after(async () => {
  if (skip) return;
  if (real) { real.kill('SIGTERM'); await new Promise((r) => setTimeout(r, 200)); }
  await env.close();
  rmSync(dir, { recursive: true, force: true });
});

function norm(a: Answer, base: string): unknown {
  const text = JSON.stringify(a.body).split(base).join('BASE');
  const body = JSON.parse(text) as unknown;
  const firstLine = (v: unknown): unknown => {
    if (v && typeof v === 'object' && 'error' in v) {
      const m = (v as { error: { message: string } }).error.message;
      return { error: { message: m.startsWith('Validation failed') ? m.split('\n')[0]!.replace(/:.*$/, ':') : m } };
    }
    return v;
  };
  return { status: a.status, body: firstLine(body) };
}

async function both(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<void> {
  const r = await call(realUrl, method, path, body, headers);
  const i = await call(env.svc.inspector.url, method, path, body, headers);
  assert.deepEqual(norm(i, env.svc.inspector.url), norm(r, realUrl), `${method} ${path}`);
  for (const h of ['x-openstack-ironic-inspector-api-minimum-version', 'x-openstack-ironic-inspector-api-maximum-version']) {
    assert.equal(i.headers.get(h), r.headers.get(h), `${h} of ${method} ${path}`);
  }
}

test('the same requests get the same answers from ironic-inspector 11.1 and Ingot', { skip, timeout: 120_000 }, async () => {
  const sample = JSON.parse(readFileSync(join(SHARED_DIR, 'data', 'introspection-rules', 'ironic-inspector', 'api-v1-create-rule-request.json'), 'utf8')) as unknown;
  await both('GET', '/');
  await both('GET', '/v1');
  await both('GET', '/v2');
  await both('GET', '/v1/rules', undefined, { 'X-OpenStack-Ironic-Inspector-API-Version': '1.19' });
  await both('GET', '/v1/rules', undefined, { 'X-OpenStack-Ironic-Inspector-API-Version': '0.9' });
  await both('GET', '/v1/rules');
  await both('POST', '/v1/rules', sample);
  await both('POST', '/v1/rules', sample);
  await both('GET', '/v1/rules');
  await both('GET', '/v1/rules/7459bf7c-9ff9-43a8-ba9f-48542ecda66c');
  await both('POST', '/v1/rules', { uuid: 'b0ea6361-03cd-467c-859c-7230547dcb9a', conditions: [{ op: 'ge', field: 'memory_mb', value: 1024, multiple: 'all', invert: true }], actions: [{ action: 'add-trait', name: 'CUSTOM_X' }] }, { 'X-OpenStack-Ironic-Inspector-API-Version': '1.5' });
  await both('POST', '/v1/rules', { conditions: [{ op: 'eq', field: 'x' }], actions: [{ action: 'fail', message: 'm' }] });
  await both('POST', '/v1/rules', { conditions: [{ op: 'in-net', field: 'x', value: 'nonsense' }], actions: [{ action: 'fail', message: 'm' }] });
  await both('POST', '/v1/rules', { conditions: [{ op: 'eq', field: 'foo://x', value: 1 }], actions: [{ action: 'fail', message: 'm' }] });
  await both('POST', '/v1/rules', { conditions: [], actions: [{ action: 'set-attribute', path: '/extra/x' }] });
  await both('POST', '/v1/rules', { conditions: [], actions: [{ action: 'fail', message: 'm', extra: 1 }] });
  await both('POST', '/v1/rules', { conditions: [], actions: [] });
  await both('POST', '/v1/rules', { conditions: [{ op: 'nope', field: 'x' }], actions: [{ action: 'fail', message: 'm' }] });
  await both('POST', '/v1/rules', { uuid: 'not-a-uuid', conditions: [], actions: [{ action: 'fail', message: 'm' }] });
  await both('DELETE', '/v1/rules/b0ea6361-03cd-467c-859c-7230547dcb9a');
  await both('DELETE', '/v1/rules/b0ea6361-03cd-467c-859c-7230547dcb9a');
  await both('GET', '/v1/rules/nope');
  await both('DELETE', '/v1/rules');
  await both('GET', '/v1/rules');
  await both('GET', '/v1/introspection');
  await both('GET', '/v1/introspection?limit=-1');
  await both('GET', '/v1/introspection?marker=zz');
  await both('GET', '/v1/introspection?state=foo');
  await both('GET', '/v1/introspection/1be26c0b-03f2-4d2e-ae87-c02d7f33c123');
  const report = { inventory: { interfaces: [{ name: 'eth0', mac_address: '52:54:00:aa:bb:cc', ipv4_address: '10.0.0.2' }], bmc_address: '10.200.0.1' }, boot_interface: '52:54:00:aa:bb:cc' };
  await both('POST', '/v1/continue', report);
  await both('POST', '/v1/continue', { ...report, error: 'boom', inventory: { interfaces: report.inventory.interfaces } });
  await both('POST', '/v1/continue', { inventory: { interfaces: [] } });
  await both('POST', '/v1/continue', [1]);
});
