/**
 * `ingot agent` end to end against a fake Ironic API (process boundary, answering as the
 * recorded Ironic 21.4): the lookup/heartbeat exchange as IPA 9.4.3 sends it, and the
 * command API as the conductor calls it (tokens, async commands, errors).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { execFileSync } from 'node:child_process';
import { request } from 'undici';
import { startAgent, type RunningAgent } from './agent.ts';
import { LabMachine } from './hardware/lab.ts';
import { fakeIronic, makeMachine, until, type TestMachine } from './test-support.ts';
import type { AgentMachine } from '../contracts/agent-machine.ts';

const UUID = '81421597-e7c5-42ff-a3c9-205325b61bdf';
const MAC = '52:54:00:1a:9e:01';

async function boot(t: { after: (fn: () => Promise<void>) => void }, opts: { maxVersion?: string; machine?: Partial<AgentMachine>; apiUrls?: boolean; hbTimeout?: number; autoTls?: boolean } = {}) {
  const api = await fakeIronic({ nodeUuid: UUID, macs: [MAC], maxVersion: opts.maxVersion, heartbeatTimeout: opts.hbTimeout });
  const m: TestMachine = await makeMachine([8 * 1024 * 1024], {
    nics: [{ name: 'eth0', macAddress: MAC, ipv4Address: '127.0.0.1', pxe: true, speedMbps: 1000, lldp: [] }], ...opts.machine,
  });
  const shutdowns: string[] = [];
  const agent: RunningAgent = await startAgent({
    machine: new LabMachine(m.desc), apiUrls: opts.apiUrls === false ? [] : [api.url], host: '127.0.0.1', port: 0,
    lookupInterval: 0.05, lookupTimeout: 30, heartbeatMinGap: 0.2, log: () => {}, onShutdown: (r) => shutdowns.push(r),
    autoTls: opts.autoTls ?? false,
  });
  t.after(async () => { await agent.close(); await api.close(); await m.close(); });
  return { api, m, agent, shutdowns };
}

async function call(agent: RunningAgent, method: 'GET' | 'POST', path: string, body?: unknown) {
  const res = await request(`${agent.url}${path}`, {
    method, headers: { 'content-type': 'application/json' }, ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  const text = await res.body.text();
  return { status: res.statusCode, body: text ? JSON.parse(text) : null, headers: res.headers };
}

test('lookup and heartbeat exactly as IPA 9.4.3 sends them to Ironic 21.4', async (t) => {
  const { api, agent } = await boot(t);
  const looked = await agent.ready;
  assert.equal(looked.node.uuid, UUID);
  await until('a heartbeat', () => api.heartbeats().length >= 1);
  const [root, lookup, hb] = api.requests;
  assert.equal(root!.method, 'GET');
  assert.equal(root!.path, '/');
  assert.equal(root!.headers['x-openstack-ironic-api-version'], undefined, 'GET / carries no version');
  assert.equal(lookup!.path, `/v1/lookup?addresses=${encodeURIComponent(MAC)}`);
  assert.equal(lookup!.path, '/v1/lookup?addresses=52%3A54%3A00%3A1a%3A9e%3A01', 'as recorded');
  assert.equal(lookup!.headers['x-openstack-ironic-api-version'], '1.62');
  for (const r of [root!, lookup!, hb!]) {
    assert.equal(r.headers['content-type'], 'application/json');
    assert.equal(r.headers['accept'], 'application/json');
  }
  assert.equal(hb!.path, `/v1/heartbeat/${UUID}`);
  assert.equal(hb!.headers['x-openstack-ironic-api-version'], '1.68');
  assert.deepEqual(Object.keys(hb!.body).sort(), ['agent_token', 'agent_version', 'callback_url']);
  assert.deepEqual(hb!.body, { callback_url: agent.url, agent_token: api.token, agent_version: '9.4.3' });
});

test('lookup retries while Ironic answers 404; heartbeat retries a 409; an old API gets old versions and fields', async (t) => {
  const { api, agent } = await boot(t, { maxVersion: '1.50' });
  // (lookup404 is read on each lookup; the first lookup may already be on its way)
  await agent.ready;
  await until('a heartbeat', () => api.heartbeats().length >= 1);
  const lookup = api.requests.find((r) => r.path.startsWith('/v1/lookup'))!;
  assert.equal(lookup.headers['x-openstack-ironic-api-version'], '1.50');
  const hb = api.heartbeats()[0]!;
  assert.equal(hb.headers['x-openstack-ironic-api-version'], '1.50');
  assert.deepEqual(Object.keys(hb.body).sort(), ['agent_version', 'callback_url'], 'no token field below 1.62');

  const api2 = await fakeIronic({ nodeUuid: UUID, macs: [MAC] });
  api2.lookup404 = 3;
  api2.heartbeat409 = 2;
  const m2 = await makeMachine([1024], { nics: [{ name: 'eth0', macAddress: MAC, ipv4Address: null, pxe: true, speedMbps: null, lldp: [] }] });
  const a2 = await startAgent({ machine: new LabMachine(m2.desc), apiUrls: [api2.url], host: '127.0.0.1', port: 0, lookupInterval: 0.02, heartbeatMinGap: 0.05, log: () => {} });
  t.after(async () => { await a2.close(); await api2.close(); await m2.close(); });
  await a2.ready;
  assert.equal(api2.requests.filter((r) => r.path.startsWith('/v1/lookup')).length, 4, '3 refused lookups, then the good one');
  await until('a successful heartbeat after two 409s', () => a2.heartbeater()!.count >= 1);
  assert.equal(api2.heartbeats().length, 3);
});

test('ipa-api-url and ipa-agent-token come from the kernel command line; a masked token keeps the given one', async (t) => {
  const api = await fakeIronic({ nodeUuid: UUID, macs: [MAC] });
  // Another agent already got the real token: this lookup sees "******".
  await request(`${api.url}/v1/lookup?addresses=${MAC}`, { headers: { 'x-openstack-ironic-api-version': '1.62' } }).then((r) => r.body.dump());
  const m = await makeMachine([1024], {
    nics: [{ name: 'eth0', macAddress: MAC, ipv4Address: null, pxe: true, speedMbps: null, lldp: [] }],
    kernelCmdline: `BOOT_IMAGE=/vmlinuz ipa-api-url=${api.url} ipa-agent-token=${api.token} nofb`,
  });
  const agent = await startAgent({ machine: new LabMachine(m.desc), host: '127.0.0.1', port: 0, heartbeatMinGap: 0.05, log: () => {} });
  t.after(async () => { await agent.close(); await api.close(); await m.close(); });
  const looked = await agent.ready;
  assert.equal(looked.config.agent_token, '******');
  await until('an accepted heartbeat', () => agent.heartbeater()!.count >= 1);
  assert.equal(api.heartbeats().at(-1)!.body.agent_token, api.token);
});

test('command API: discovery, status, tokens, errors in IPA\'s shapes', async (t) => {
  const { api, agent } = await boot(t);
  await agent.ready;
  const root = await call(agent, 'GET', '/');
  assert.equal(root.status, 200);
  assert.equal(root.body.name, 'OpenStack Ironic Python Agent API');
  assert.deepEqual(root.body.default_version.links[0], { href: `${agent.url}/v1/`, rel: 'self' });
  const v1 = await call(agent, 'GET', '/v1');
  assert.deepEqual(v1.body.media_types, [{ base: 'application/json', type: 'application/vnd.openstack.ironic-python-agent.v1+json' }]);
  assert.deepEqual(v1.body.commands[0], { href: `${agent.url}/v1/commands`, rel: 'self' });
  for (const p of ['/v1/status', '/status']) {
    const s = await call(agent, 'GET', p);
    assert.equal(s.body.version, '9.4.3');
    assert.equal(typeof s.body.started_at, 'number');
  }

  const cmd = { name: 'standby.get_partition_uuids', params: {} };
  const noTok = await call(agent, 'POST', '/v1/commands/?wait=true', cmd);
  assert.equal(noTok.status, 401);
  assert.deepEqual(noTok.body, { faultcode: 'Client', faultstring: '401 Unauthorized: Token invalid.' });
  assert.equal((await call(agent, 'POST', '/v1/commands/?wait=true&agent_token=wrong', cmd)).status, 401);
  const ok = await call(agent, 'POST', `/v1/commands/?wait=true&agent_token=${api.token}`, cmd);
  assert.equal(ok.status, 200);
  assert.deepEqual(Object.keys(ok.body), ['id', 'command_name', 'command_status', 'command_error', 'command_result']);
  assert.equal(ok.body.command_name, 'get_partition_uuids');
  assert.equal(ok.body.command_status, 'SUCCEEDED');
  assert.deepEqual(ok.body.command_result, {}, 'nothing written yet');

  // GETs: no token accepted (Ironic 21.4 sends none), a wrong one refused.
  assert.equal((await call(agent, 'GET', '/v1/commands/')).body.commands.length, 1);
  assert.equal((await call(agent, 'GET', '/v1/commands')).status, 200);
  assert.equal((await call(agent, 'GET', '/v1/commands/?agent_token=bad')).status, 401);
  assert.equal((await call(agent, 'GET', `/v1/commands/${ok.body.id}`)).body.id, ok.body.id);
  const missing = await call(agent, 'GET', '/v1/commands/nope');
  assert.equal(missing.status, 404);
  assert.equal(missing.body.faultcode, 'Client');

  const tok = `agent_token=${api.token}`;
  const bad = async (body: unknown, status: number, re: RegExp) => {
    const r = await call(agent, 'POST', `/v1/commands/?${tok}`, body);
    assert.equal(r.status, status, JSON.stringify(r.body));
    assert.match(r.body.faultstring, re);
    assert.equal(r.body.faultcode, status >= 500 ? 'Server' : 'Client');
  };
  await bad({ name: 'standby.sync' }, 400, /Missing or invalid name or params/);
  await bad({ name: 'standby.sync', params: [] }, 400, /Missing or invalid name or params/);
  await bad('{not json', 400, /Failed to decode JSON/);
  await bad({ name: 'nodot', params: {} }, 400, /Invalid command: Command name must be of the form <extension>.<name>/);
  await bad({ name: 'nosuch.cmd', params: {} }, 404, /Extension with id nosuch not found/);
  await bad({ name: 'standby.nosuch', params: {} }, 400, /Unknown command: nosuch/);
  await bad({ name: 'standby.prepare_image', params: { image_info: { id: 'x' } } }, 400, /Invalid command parameters: Image is missing 'urls' field/);
  assert.equal((await call(agent, 'GET', '/v1/nothing')).status, 404);
});

test('async commands: RUNNING, polled until done, 409 while busy, then a forced heartbeat', async (t) => {
  const { api, agent } = await boot(t);
  await agent.ready;
  await until('first heartbeat', () => agent.heartbeater()!.count >= 1);
  // An image server that answers headers and then stalls until released.
  let release!: () => void;
  const released = new Promise<void>((r) => { release = r; });
  const img = Buffer.alloc(1024 * 1024, 7);
  const slow = createServer((_req, res) => {
    res.writeHead(200, { 'content-length': img.length });
    res.write(img.subarray(0, 1000));
    void released.then(() => res.end(img.subarray(1000)));
  });
  await new Promise<void>((r) => slow.listen(0, '127.0.0.1', r));
  t.after(() => new Promise<void>((r) => { slow.closeAllConnections(); slow.close(() => r()); }));
  const { createHash } = await import('node:crypto');
  const info = { id: 'i', urls: [`http://127.0.0.1:${(slow.address() as { port: number }).port}/i`], disk_format: 'raw', stream_raw_images: true,
    os_hash_algo: 'sha256', os_hash_value: createHash('sha256').update(img).digest('hex') };
  const tok = `agent_token=${api.token}`;
  const step = { interface: 'deploy', step: 'write_image', args: { image_info: info, configdrive: null } };
  const started = await call(agent, 'POST', `/v1/commands/?wait=false&${tok}`, { name: 'deploy.execute_deploy_step', params: { step, node: { uuid: UUID, instance_info: {}, properties: { root_device: { name: '/dev/sda' } } }, ports: [], deploy_version: { generic_hardware_manager: '1.1' } } });
  assert.equal(started.status, 200);
  assert.equal(started.body.command_status, 'RUNNING');
  assert.equal(started.body.command_result, null);
  const busy = await call(agent, 'POST', `/v1/commands/?wait=true&${tok}`, { name: 'standby.sync', params: {} });
  assert.equal(busy.status, 409);
  assert.match(busy.body.faultstring, /Agent is busy: executing command execute_deploy_step/);
  const before = agent.heartbeater()!.count;
  release();
  const done = await until('the step to finish', async () => {
    const r = await call(agent, 'GET', `/v1/commands/${started.body.id}`);
    return r.body.command_status !== 'RUNNING' ? r.body : null;
  });
  assert.equal(done.command_status, 'SUCCEEDED', JSON.stringify(done.command_error));
  assert.deepEqual(done.command_result.deploy_step, step);
  const list = (await call(agent, 'GET', '/v1/commands/')).body.commands;
  assert.deepEqual(list.map((c: { command_name: string }) => c.command_name), ['execute_deploy_step'], 'the refused busy command is not recorded');
  await until('a forced heartbeat after the command ended (interval is 90-180 s otherwise)', () => agent.heartbeater()!.count > before);
  const waited = await call(agent, 'POST', `/v1/commands/?wait=true&${tok}`, { name: 'clean.execute_clean_step', params: { step: { interface: 'deploy', step: 'erase_devices_metadata', args: {} }, node: {}, ports: [] } });
  assert.equal(waited.body.command_status, 'SUCCEEDED', 'wait=true answers once the async command is done');
});

test('bootloader, logs, power off and rescue on a lab machine', async (t) => {
  let powered: unknown = null;
  const lab = createServer((req, res) => { let b = ''; req.on('data', (d) => { b += d; }); req.on('end', () => { powered = JSON.parse(b); res.writeHead(204); res.end(); }); });
  await new Promise<void>((r) => lab.listen(0, '127.0.0.1', r));
  t.after(() => new Promise<void>((r) => lab.close(() => r())));
  const { api, agent, m, shutdowns } = await boot(t, { machine: { bootMode: 'uefi', powerControlUrl: `http://127.0.0.1:${(lab.address() as { port: number }).port}/power` } });
  await agent.ready;
  const tok = `agent_token=${api.token}`;
  const bl = await call(agent, 'POST', `/v1/commands/?wait=true&${tok}`, { name: 'image.install_bootloader', params: { root_uuid: '0x1', efi_system_part_uuid: null, prep_boot_part_uuid: null, target_boot_mode: 'uefi' } });
  assert.equal(bl.body.command_status, 'SUCCEEDED', JSON.stringify(bl.body.command_error));
  const nvram = JSON.parse(await readFile(m.desc.nvramPath, 'utf8'));
  assert.deepEqual(nvram, { bootEntries: [{ label: 'ironic1', disk: '/dev/sda', partition: null, loader: '\\EFI\\BOOT\\BOOTX64.EFI' }], bootOrder: [0] });

  const logs = await call(agent, 'POST', `/v1/commands/?wait=true&${tok}`, { name: 'log.collect_system_logs', params: {} });
  assert.equal(logs.body.command_status, 'SUCCEEDED');
  const listing = execFileSync('tar', ['-tz'], { input: Buffer.from(logs.body.command_result.system_logs, 'base64') }).toString();
  assert.match(listing, /ingot-agent\.log/);
  assert.match(listing, /machine\.json/);

  const off = await call(agent, 'POST', `/v1/commands/?wait=true&${tok}`, { name: 'standby.power_off', params: {} });
  assert.equal(off.body.command_status, 'SUCCEEDED');
  assert.deepEqual(powered, { action: 'off' });
  await until('the agent to stop after power off', () => shutdowns.length > 0);
});

test('finalize_rescue records the password hash and stops the agent', async (t) => {
  const { api, agent, m, shutdowns } = await boot(t);
  await agent.ready;
  const r = await call(agent, 'POST', `/v1/commands/?wait=true&agent_token=${api.token}`, { name: 'rescue.finalize_rescue', params: { rescue_password: '$6$salt$hash', hashed: true } });
  assert.equal(r.body.command_status, 'SUCCEEDED');
  assert.equal(r.body.command_result, null);
  assert.equal(await readFile(`${m.dir}/rescue-shadow`, 'utf8'), 'rescue:$6$salt$hash:::::::\n');
  await until('the agent to stop', () => shutdowns.includes('rescued'));
  await assert.rejects(call(agent, 'GET', '/v1/status'), 'the command API is closed once rescued');
});

test('auto-TLS: HTTPS with a self-signed certificate sent as agent_verify_ca (API >= 1.68), plain HTTP below', async (t) => {
  const { api, agent } = await boot(t, { autoTls: true });
  await agent.ready;
  await until('a heartbeat', () => api.heartbeats().length >= 1);
  const hb = api.heartbeats()[0]!;
  assert.match(hb.body.callback_url, /^https:\/\/127\.0\.0\.1:\d+$/);
  assert.match(hb.body.agent_verify_ca, /^-----BEGIN CERTIFICATE-----/);
  assert.equal(hb.body.agent_verify_ca, agent.certificate);
  const { Agent } = await import('undici');
  const verified = new Agent({ connect: { ca: hb.body.agent_verify_ca } });
  t.after(() => verified.close());
  const res = await request(`${hb.body.callback_url}/v1/status`, { dispatcher: verified });
  assert.equal(((await res.body.json()) as { version: string }).version, '9.4.3', 'the certificate verifies the agent');
  await assert.rejects(request(`${hb.body.callback_url}/v1/status`), 'an unknown CA is refused');

  const old = await boot(t, { autoTls: true, maxVersion: '1.67' });
  await old.agent.ready;
  await until('a heartbeat', () => old.api.heartbeats().length >= 1);
  assert.match(old.api.heartbeats()[0]!.body.callback_url, /^http:\/\//);
  assert.equal('agent_verify_ca' in old.api.heartbeats()[0]!.body, false);
});
