/** The agent client against small HTTP servers: wire shape, errors, retries, timeouts, polling. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DriverError } from '../../core/errors.ts';
import { makeTestNode } from '../../testing/driver-conformance.ts';
import { AgentClient } from './client.ts';

const OPTS = { commandTimeout: 2, maxCommandAttempts: 3, commandWaitInterval: 0.01, commandWaitAttempts: 50 };

async function withAgent(handler: (req: IncomingMessage, res: ServerResponse, body: string) => void, fn: (url: string) => Promise<void>): Promise<void> {
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => { body += c; });
    req.on('end', () => handler(req, res, body));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  try {
    await fn(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  } finally {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  }
}
const node = (url: string | undefined, token = 'T'.repeat(43)) => makeTestNode({ driver_internal_info: { ...(url ? { agent_url: url } : {}), agent_secret_token: token } });
const json = (res: ServerResponse, status: number, body: unknown) => { res.writeHead(status, { 'Content-Type': 'application/json' }); res.end(JSON.stringify(body)); };
const isErr = (re: RegExp, reason?: string) => (e: unknown) => e instanceof DriverError && re.test(e.message) && (reason === undefined || e.reason === reason);

test('POST /v1/commands/?wait=…&agent_token=… with {name, params}; GET /v1/commands/ without a token', async () => {
  const seen: string[] = [];
  await withAgent((req, res, body) => {
    seen.push(`${req.method} ${req.url} ${body}`);
    if (req.method === 'GET') return json(res, 200, { commands: [] });
    json(res, 200, { id: '1', command_name: 'sync', command_status: 'SUCCEEDED', command_error: null, command_result: null });
  }, async (url) => {
    const c = new AgentClient(OPTS);
    const r = await c.sync(node(url));
    assert.equal(r.command_status, 'SUCCEEDED');
    await c.powerOff(node(url));
    assert.deepEqual(await c.commandsStatus(node(url)), []);
  });
  const t = 'T'.repeat(43);
  assert.deepEqual(seen, [
    `POST /v1/commands/?wait=true&agent_token=${t} {"name":"standby.sync","params":{}}`,
    `POST /v1/commands/?wait=false&agent_token=${t} {"name":"standby.power_off","params":{}}`,
    'GET /v1/commands/ ',
  ]);
});

test('HTTP errors: 409 is "agent busy", others carry the faultstring; a TypeError result is an API error', async () => {
  let mode = 409;
  await withAgent((_req, res) => {
    if (mode === 409) return json(res, 409, { faultcode: 'Client', faultstring: 'Agent is busy' });
    if (mode === 500) return json(res, 500, { faultcode: 'Server', faultstring: 'boom' });
    json(res, 200, { command_name: 'sync', command_status: 'FAILED', command_error: { type: 'TypeError', message: 'bad arg', details: 'unexpected keyword' }, command_result: null });
  }, async (url) => {
    const c = new AgentClient(OPTS);
    const n = node(url);
    await assert.rejects(c.sync(n), isErr(new RegExp(`^Node ${n.uuid} command "standby.sync" failed. Agent is presently executing a command. Error Agent is busy$`), 'agent_busy'));
    mode = 500;
    await assert.rejects(c.sync(n), isErr(new RegExp(`^Agent API for node ${n.uuid} returned HTTP status code 500 with error: boom$`), 'agent_api'));
    mode = 200;
    await assert.rejects(c.sync(n), isErr(/unexpected keyword/, 'agent_api'));
  });
});

test('a lost answer counts when the agent runs that command; otherwise retried, then a connection failure', async () => {
  let posts = 0;
  let running = true;
  await withAgent((req, res) => {
    if (req.method === 'POST') { posts++; req.socket.destroy(); return; }
    json(res, 200, { commands: running ? [{ command_name: 'execute_deploy_step', command_status: 'RUNNING', command_error: null, command_result: null }] : [] });
  }, async (url) => {
    const c = new AgentClient(OPTS);
    const n = node(url);
    const r = await c.executeStep(n, 'deploy', { step: 'write_image' }, {}, []);
    assert.equal(r.command_status, 'RUNNING');
    assert.equal(posts, 1);
    running = false;
    await assert.rejects(c.executeStep(n, 'deploy', { step: 'write_image' }, {}, []),
      isErr(/^Connection to agent failed: Failed to connect to the agent running on node .* for invoking command deploy.execute_deploy_step\. Error: /, 'agent_connection'));
    assert.equal(posts, 1 + OPTS.maxCommandAttempts);
  });
});

test('a silent agent: the command timeout ends the request with a message naming the option', async () => {
  await withAgent(() => { /* never answers */ }, async (url) => {
    const c = new AgentClient({ ...OPTS, commandTimeout: 0.2, maxCommandAttempts: 1 });
    await assert.rejects(c.sync(node(url)), isErr(/\[agent\] command_timeout/));
  });
});

test('poll mode: install_bootloader is polled until done; no agent URL is an operator message', async () => {
  let polls = 0;
  await withAgent((req, res) => {
    if (req.method === 'POST') return json(res, 200, { command_name: 'install_bootloader', command_status: 'RUNNING', command_error: null, command_result: null });
    polls++;
    json(res, 200, { commands: [{ command_name: 'install_bootloader', command_status: polls < 3 ? 'RUNNING' : 'SUCCEEDED', command_error: null, command_result: null }] });
  }, async (url) => {
    const r = await new AgentClient(OPTS).installBootloader(node(url), { root_uuid: 'x', target_boot_mode: 'uefi' });
    assert.equal(r.command_status, 'SUCCEEDED');
    assert.equal(polls, 3);
  });
  await assert.rejects(new AgentClient(OPTS).sync(node(undefined)), isErr(/agent's URL is not known yet.*must heartbeat/));
});

test('HTTPS agents (auto-TLS): verified with the certificate the agent sent, or as driver_info.agent_verify_ca says', async (t) => {
  const { execFileSync } = await import('node:child_process');
  const { mkdtempSync, readFileSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const { createServer: createHttps } = await import('node:https');
  try { execFileSync('openssl', ['version']); } catch { assert.fail('openssl is needed to make a test certificate (Debian package openssl)'); }
  const dir = mkdtempSync(join(tmpdir(), 'ingot-tls-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'k.pem'), '-out', join(dir, 'c.pem'),
    '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
  const server = createHttps({ key: readFileSync(join(dir, 'k.pem')), cert: readFileSync(join(dir, 'c.pem')) }, (_req, res) => json(res, 200, { commands: [] }));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  t.after(() => { server.closeAllConnections(); server.close(); });
  const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const c = new AgentClient({ ...OPTS, maxCommandAttempts: 1 });
  const own = makeTestNode({ driver_internal_info: { agent_url: url, agent_verify_ca: join(dir, 'c.pem') } });
  assert.deepEqual(await c.commandsStatus(own), []);
  await assert.rejects(c.commandsStatus(makeTestNode({ driver_internal_info: { agent_url: url } })), isErr(/to collect commands status\. Error: .*self-signed certificate/));
  assert.deepEqual(await c.commandsStatus(makeTestNode({ driver_info: { agent_verify_ca: false }, driver_internal_info: { agent_url: url } })), []);
});
