/**
 * The `direct` deploy and agent cleaning driven by heartbeats, against a real Ingot
 * service (HTTP API, conductor, SQLite) and a fake agent at the process boundary that
 * plays IPA's side of agent-samples/recorded-direct-deploy. The conductor's requests to
 * the agent are compared with the ones Ironic 21.4 sent in that recording.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { loadConfig } from '../../src/config/config.ts';
import { startService, type Service } from '../../src/bin/service.ts';
import { FakeAgent, type AgentRequest } from '../../src/testing/fake-agent.ts';
import { SHARED_DIR } from '../../src/testing/shared-data.ts';

const REC_DIR = join(SHARED_DIR, 'data', 'agent-samples', 'recorded-direct-deploy');
const recorded = readFileSync(join(REC_DIR, 'contract-conductor-to-agent.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
const recordedSteps = recorded[0].response_body.command_result.deploy_steps;
const recordedVersions = recorded[0].response_body.command_result.hardware_manager_version;

let dir: string;
let svc: Service;
let images: Server;
let files: Server;
let httpRoot: string;
let imageUrl: string;
const image = randomBytes(4 << 20);
const imageSha = createHash('sha256').update(image).digest('hex');

async function api(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const r = await fetch(`${svc.url}${path}`, {
    method, headers: { 'Content-Type': 'application/json', 'X-OpenStack-Ironic-API-Version': '1.82' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await r.text();
  return { status: r.status, body: text ? JSON.parse(text) : null };
}

async function waitState(uuid: string, state: string, ms = 20000): Promise<any> {
  const end = Date.now() + ms;
  for (;;) {
    const n = (await api('GET', `/v1/nodes/${uuid}`)).body;
    if (n.provision_state === state) return n;
    if (Date.now() > end) throw new Error(`node did not reach ${state}: ${n.provision_state} (last_error: ${n.last_error})`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** An available manual-management node with the `direct` deploy, as in the recording. */
async function enroll(name: string, mac: string, instanceInfo: Record<string, unknown>, extra: Record<string, unknown> = {}): Promise<string> {
  const r = await api('POST', '/v1/nodes', {
    driver: 'manual-management', name, deploy_interface: 'direct', power_interface: 'fake', management_interface: 'noop', boot_interface: 'pxe',
    driver_info: { deploy_forces_oob_reboot: true },
    instance_info: instanceInfo,
    properties: { capabilities: 'boot_mode:bios', cpu_arch: 'x86_64', root_device: { name: '/dev/loop0' } },
    ...extra,
  });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  assert.equal((await api('POST', '/v1/ports', { node_uuid: r.body.uuid, address: mac })).status, 201);
  assert.equal((await api('PUT', `/v1/nodes/${r.body.uuid}/states/provision`, { target: 'manage' })).status, 202);
  await waitState(r.body.uuid, 'manageable');
  return r.body.uuid;
}

const goodImage = () => ({
  image_source: imageUrl, image_os_hash_algo: 'sha256', image_os_hash_value: imageSha, image_disk_format: 'raw', image_type: 'whole-disk',
});

/** Method, path (token replaced), command name and wait flag; repeated polls collapsed. */
function shape(reqs: { method: string; path: string; name?: string }[], token: string): string[] {
  const out: string[] = [];
  for (const r of reqs) {
    const line = `${r.method} ${r.path.replace(token, '<token>')}${r.name ? ` ${r.name}` : ''}`;
    if (out.at(-1) !== line || r.method !== 'GET') out.push(line);
  }
  return out;
}
const ours = (reqs: AgentRequest[]) => reqs.map((r) => ({ method: r.method, path: r.path, ...(r.body ? { name: String(r.body.name) } : {}) }));

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ingot-agent-'));
  const config = loadConfig({
    INGOT_MANAGE_AGENT_BOOT: 'false', INGOT_AUTOMATED_CLEAN: 'false', INGOT_RAMDISK_HEARTBEAT_TIMEOUT: '2',
    INGOT_DEPLOY_CALLBACK_TIMEOUT: '2', INGOT_POST_DEPLOY_GET_POWER_STATE_RETRY_INTERVAL: '0',
    INGOT_ENABLED_RESCUE_INTERFACES: 'no-rescue,fake,agent',
  }, { dataDir: dir, db: join(dir, 'ingot.db'), host: '127.0.0.1', port: 0 });
  // The conductor's file server over httpRoot (built by another part of Ingot; a plain one here).
  files = createServer((req, res) => {
    try {
      const body = readFileSync(join(config.httpRoot, decodeURIComponent(new URL(req.url!, 'http://x').pathname)));
      res.writeHead(200, { 'Content-Length': body.length });
      res.end(req.method === 'HEAD' ? undefined : body);
    } catch { res.writeHead(404); res.end(); }
  });
  await new Promise<void>((r) => files.listen(0, '127.0.0.1', () => r()));
  config.httpUrl = `http://127.0.0.1:${(files.address() as AddressInfo).port}`;
  httpRoot = config.httpRoot;
  svc = await startService(config, { periodics: false, logger: pino({ level: 'silent' }) });
  images = createServer((req, res) => {
    res.writeHead(200, { 'Content-Length': image.length, 'Content-Type': 'application/octet-stream' });
    res.end(req.method === 'HEAD' ? undefined : image);
  });
  await new Promise<void>((r) => images.listen(0, '127.0.0.1', () => r()));
  imageUrl = `http://127.0.0.1:${(images.address() as AddressInfo).port}/disk-1cda820d.raw`;
});

after(async () => {
  await svc.close();
  await new Promise<void>((r) => images.close(() => r()));
  await new Promise<void>((r) => files.close(() => r()));
  rmSync(dir, { recursive: true, force: true });
});

test('direct deploy driven by the replayed agent: requests as Ironic 21.4 sent them, image on disk', async () => {
  const uuid = await enroll('replay', '52:54:00:1a:9e:01', goodImage());
  assert.equal((await api('PUT', `/v1/nodes/${uuid}/states/provision`, { target: 'provide' })).status, 202);
  await waitState(uuid, 'available');
  assert.equal((await api('PUT', `/v1/nodes/${uuid}/states/provision`, { target: 'active' })).status, 202);
  const waiting = await waitState(uuid, 'wait call-back');
  assert.deepEqual(waiting.driver_internal_info.deploy_steps.map((s: any) => [s.step, s.priority]),
    [['deploy', 100], ['write_image', 80], ['prepare_instance_boot', 60], ['tear_down_agent', 40], ['switch_to_tenant_network', 30], ['boot_instance', 20]]);
  assert.equal(waiting.deploy_step.step, 'deploy');

  const disk = join(dir, 'replay.disk');
  writeFileSync(disk, Buffer.alloc(8 << 20));
  const agent = new FakeAgent({ apiUrl: svc.url, macs: ['52:54:00:1a:9e:01'], diskPath: disk, deploySteps: recordedSteps, hardwareManagerVersion: recordedVersions });
  await agent.start();
  try {
    const active = await waitState(uuid, 'active');
    assert.equal(active.last_error, null);
    assert.equal(active.power_state, 'power on');
    assert.equal(active.driver_internal_info.agent_secret_token, undefined, 'the agent session ends with the deploy');
    assert.equal(active.driver_internal_info.agent_url, undefined);
    assert.equal(active.driver_internal_info.root_uuid_or_disk_id, '0x782f6450');
    assert.equal(createHash('sha256').update(readFileSync(disk).subarray(0, image.length)).digest('hex'), imageSha, 'the image is on the disk');
  } finally { await agent.stop(); }

  const token = agent.token!;
  assert.ok(agent.heartbeats.length >= 2 && agent.heartbeats.every((h) => h.status === 202), JSON.stringify(agent.heartbeats));
  const rec = recorded.map((r) => ({ method: r.method, path: r.path, ...(r.request_body ? { name: String(r.request_body.name) } : {}) }));
  const recToken = /agent_token=([^&]+)/.exec(recorded[0].path)![1]!;
  assert.deepEqual(shape(ours(agent.requests), token), shape(rec, recToken));

  // Parameter shapes, command by command.
  const byName = (reqs: { body: any }[], n: string) => reqs.find((r) => r.body?.name === n)!.body.params;
  const recReqs = recorded.map((r) => ({ body: r.request_body }));
  const mine = agent.requests.map((r) => ({ body: r.body }));
  for (const n of ['deploy.get_deploy_steps', 'deploy.execute_deploy_step', 'standby.get_partition_uuids', 'standby.sync']) {
    assert.deepEqual(Object.keys(byName(mine, n)).sort(), Object.keys(byName(recReqs, n)).sort(), n);
  }
  const gs = byName(mine, 'deploy.get_deploy_steps');
  const rgs = byName(recReqs, 'deploy.get_deploy_steps');
  assert.deepEqual(Object.keys(gs.node).sort(), Object.keys(rgs.node).sort());
  assert.deepEqual(Object.keys(gs.ports[0]).sort(), Object.keys(rgs.ports[0]).sort());
  assert.equal(gs.node.provision_state, 'wait call-back');
  assert.equal(gs.node.driver_internal_info.agent_secret_token, '******');
  const ex = byName(mine, 'deploy.execute_deploy_step');
  const rex = byName(recReqs, 'deploy.execute_deploy_step');
  assert.deepEqual(ex.deploy_version, recordedVersions);
  assert.deepEqual(Object.keys(ex.step).sort(), Object.keys(rex.step).sort());
  assert.deepEqual(Object.keys(ex.step.args.image_info).sort(), Object.keys(rex.step.args.image_info).sort());
  assert.deepEqual({ ...ex.step.args.image_info, urls: [], node_uuid: '' }, { ...rex.step.args.image_info, os_hash_value: imageSha, urls: [], node_uuid: '' });
  assert.deepEqual(ex.step.args.image_info.urls, [imageUrl]);
  assert.equal(ex.step.args.configdrive, null);
  assert.equal(ex.node.provision_state, 'deploying');
  assert.deepEqual([ex.node.deploy_step.step, ex.node.deploy_step.priority], ['write_image', 80]);
  assert.deepEqual(ex.node.driver_internal_info.agent_cached_deploy_steps, rex.node.driver_internal_info.agent_cached_deploy_steps);
  assert.equal(ex.node.driver_internal_info.steps_validated, true);
  assert.equal(ex.node.driver_internal_info.is_whole_disk_image, true);

  // The token of that session no longer works.
  const replay = await api('POST', `/v1/heartbeat/${uuid}`, { callback_url: agent.callbackUrl, agent_token: token, agent_version: '9.4.3' });
  assert.equal(replay.status, 400);
});

test('checksum mismatch reported by the agent: deploy failed, last_error names the checksum, logs collected', async () => {
  const uuid = await enroll('badsum', '52:54:00:1a:9e:02', { ...goodImage(), image_os_hash_value: 'f'.repeat(64) });
  assert.equal((await api('PUT', `/v1/nodes/${uuid}/states/provision`, { target: 'provide' })).status, 202);
  await waitState(uuid, 'available');
  assert.equal((await api('PUT', `/v1/nodes/${uuid}/states/provision`, { target: 'active' })).status, 202);
  await waitState(uuid, 'wait call-back');
  const disk = join(dir, 'badsum.disk');
  writeFileSync(disk, Buffer.alloc(1 << 20));
  const agent = new FakeAgent({ apiUrl: svc.url, macs: ['52:54:00:1a:9e:02'], diskPath: disk });
  await agent.start();
  try {
    const failed = await waitState(uuid, 'deploy failed');
    assert.match(failed.last_error, /^Deploy step deploy\.write_image failed on node [0-9a-f-]+\. Image failed to verify against checksum\./);
    assert.match(failed.last_error, /verification checksum: [0-9a-f]{64}/);
    assert.equal(failed.power_state, 'power off');
    assert.equal(failed.reservation, null);
    assert.ok(agent.requests.some((r) => r.body?.name === 'log.collect_system_logs'), 'logs collected on failure');
    assert.ok(readdirSync(join(dir, 'deploy-logs')).some((f) => f.startsWith(uuid)), 'logs stored');
  } finally { await agent.stop(); }
});

test('an agent that stops heartbeating: the wait times out into deploy failed', async () => {
  const uuid = await enroll('silent', '52:54:00:1a:9e:03', goodImage());
  assert.equal((await api('PUT', `/v1/nodes/${uuid}/states/provision`, { target: 'provide' })).status, 202);
  await waitState(uuid, 'available');
  assert.equal((await api('PUT', `/v1/nodes/${uuid}/states/provision`, { target: 'active' })).status, 202);
  await waitState(uuid, 'wait call-back');
  const disk = join(dir, 'silent.disk');
  writeFileSync(disk, Buffer.alloc(1 << 20));
  const agent = new FakeAgent({ apiUrl: svc.url, macs: ['52:54:00:1a:9e:03'], diskPath: disk, hangWriteImage: true });
  await agent.start();
  try {
    // write_image started, then the machine goes silent.
    for (let i = 0; i < 400 && !agent.requests.some((r) => r.body?.name === 'deploy.execute_deploy_step'); i++) await new Promise((r) => setTimeout(r, 25));
    agent.stopHeartbeats();
    await svc.conductor.idle();
    assert.equal((await api('GET', `/v1/nodes/${uuid}`)).body.provision_state, 'wait call-back');
    await new Promise((r) => setTimeout(r, 3200));
    await svc.conductor.runPeriodicsOnce();
    const failed = await waitState(uuid, 'deploy failed');
    assert.match(failed.last_error, /Timeout reached while waiting for callback/);
    assert.match(failed.last_error, /Check that the ramdisk booted and can reach the API at http:\/\/127\.0\.0\.1:/);
  } finally { await agent.stop(); }
});

test('automated cleaning through the agent: steps from the agent, erase on the disk, available', async () => {
  const uuid = await enroll('cleaner', '52:54:00:1a:9e:04', {}, { automated_clean: true });
  assert.equal((await api('PUT', `/v1/nodes/${uuid}/states/provision`, { target: 'provide' })).status, 202);
  await waitState(uuid, 'clean wait');
  const disk = join(dir, 'cleaner.disk');
  writeFileSync(disk, Buffer.alloc(2 << 20, 0xab));
  const agent = new FakeAgent({ apiUrl: svc.url, macs: ['52:54:00:1a:9e:04'], diskPath: disk });
  await agent.start();
  try {
    const done = await waitState(uuid, 'available');
    assert.equal(done.last_error, null);
    assert.equal(done.power_state, 'power off', 'cleaning torn down');
    assert.equal(done.driver_internal_info.agent_secret_token, undefined);
    assert.equal(done.driver_internal_info.agent_cached_clean_steps, undefined);
  } finally { await agent.stop(); }
  const names = agent.requests.filter((r) => r.method === 'POST').map((r) => `${r.body!.name}${r.body!.params.step ? `:${r.body!.params.step.step}` : ''}`);
  // Agent priorities: erase_devices_metadata 99 before erase_devices 10; erase_pstore (0) not run.
  assert.deepEqual(names, ['clean.get_clean_steps', 'clean.execute_clean_step:erase_devices_metadata', 'clean.execute_clean_step:erase_devices']);
  const step = agent.requests.find((r) => r.body?.name === 'clean.execute_clean_step')!.body!.params;
  assert.deepEqual(Object.keys(step).sort(), ['clean_version', 'node', 'ports', 'step']);
  assert.equal(step.step.requires_ramdisk, undefined, 'the step as the node records it');
  assert.deepEqual(readFileSync(disk), Buffer.alloc(2 << 20), 'the disk really was erased');
});

/** An active node deployed through a fresh fake agent (which is stopped afterwards). */
async function deployed(name: string, mac: string, instanceInfo: Record<string, unknown>, extra: Record<string, unknown> = {}): Promise<{ uuid: string; agent: FakeAgent; disk: string }> {
  const uuid = await enroll(name, mac, instanceInfo, extra);
  assert.equal((await api('PUT', `/v1/nodes/${uuid}/states/provision`, { target: 'provide' })).status, 202);
  await waitState(uuid, 'available');
  assert.equal((await api('PUT', `/v1/nodes/${uuid}/states/provision`, { target: 'active' })).status, 202);
  await waitState(uuid, 'wait call-back');
  const disk = join(dir, `${name}.disk`);
  writeFileSync(disk, Buffer.alloc(5 << 20));
  const agent = new FakeAgent({ apiUrl: svc.url, macs: [mac], diskPath: disk });
  await agent.start();
  try { await waitState(uuid, 'active'); } finally { await agent.stop(); }
  return { uuid, agent, disk };
}

test('image_download_source=local: the conductor caches and verifies the image, the agent gets it from the conductor', async () => {
  const { uuid, agent, disk } = await deployed('local', '52:54:00:1a:9e:05', goodImage(), { driver_info: { deploy_forces_oob_reboot: true, image_download_source: 'local' } });
  const name = createHash('sha256').update(imageUrl).digest('hex');
  const ex = agent.requests.find((r) => r.body?.name === 'deploy.execute_deploy_step')!.body!.params;
  assert.deepEqual(ex.step.args.image_info.urls, [`${svc.conductor.deps.config.httpUrl}/images/${name}`]);
  assert.equal(createHash('sha256').update(readFileSync(disk).subarray(0, image.length)).digest('hex'), imageSha);
  assert.equal(createHash('sha256').update(readFileSync(join(httpRoot, 'images', name))).digest('hex'), imageSha, 'cached once, verified');
  // A wrong checksum is caught by the conductor before any agent is involved.
  const bad = await enroll('local-bad', '52:54:00:1a:9e:06', { ...goodImage(), image_source: `${imageUrl}?other`, image_os_hash_value: '0'.repeat(64) },
    { driver_info: { image_download_source: 'local' } });
  assert.equal((await api('PUT', `/v1/nodes/${bad}/states/provision`, { target: 'provide' })).status, 202);
  await waitState(bad, 'available');
  assert.equal((await api('PUT', `/v1/nodes/${bad}/states/provision`, { target: 'active' })).status, 202);
  const failed = await waitState(bad, 'deploy failed');
  assert.match(failed.last_error, /failed checksum verification: sha256 is [0-9a-f]{64}, instance_info says 0{64}/);
  assert.equal(readdirSync(join(httpRoot, 'images')).length, 1, 'nothing cached for the bad image');
  void uuid;
});

test('swift as image_download_source is refused at deploy with what to use instead', async () => {
  const uuid = await enroll('swift', '52:54:00:1a:9e:07', goodImage(), { driver_info: { image_download_source: 'swift' } });
  assert.equal((await api('PUT', `/v1/nodes/${uuid}/states/provision`, { target: 'provide' })).status, 202);
  await waitState(uuid, 'available');
  const r = await api('PUT', `/v1/nodes/${uuid}/states/provision`, { target: 'active' });
  assert.equal(r.status, 400);
  assert.match(JSON.parse(r.body.error_message).faultstring, /image_download_source "swift" needs OpenStack Object Storage.*"http" or "local"/);
  const missing = await enroll('nosum', '52:54:00:1a:9e:08', { image_source: imageUrl });
  assert.equal((await api('PUT', `/v1/nodes/${missing}/states/provision`, { target: 'provide' })).status, 202);
  await waitState(missing, 'available');
  const r2 = await api('PUT', `/v1/nodes/${missing}/states/provision`, { target: 'active' });
  assert.equal(r2.status, 400);
  assert.match(JSON.parse(r2.body.error_message).faultstring, /"image_checksum", or "image_os_hash_algo" and "image_os_hash_value" must be provided/);
});

test('agent rescue: the hashed password goes to the agent at its first heartbeat, node in rescue', async () => {
  const { uuid } = await deployed('rescuer', '52:54:00:1a:9e:09', goodImage(), { rescue_interface: 'agent' });
  assert.equal((await api('PUT', `/v1/nodes/${uuid}/states/provision`, { target: 'rescue', rescue_password: 'secret-pw' })).status, 202);
  await waitState(uuid, 'rescue wait');
  const agent = new FakeAgent({ apiUrl: svc.url, macs: ['52:54:00:1a:9e:09'], diskPath: join(dir, 'rescuer.disk') });
  await agent.start();
  try {
    const n = await waitState(uuid, 'rescue');
    assert.equal(n.last_error, null);
  } finally { await agent.stop(); }
  const call = agent.requests.find((r) => r.body?.name === 'rescue.finalize_rescue')!;
  assert.equal(call.body!.params.hashed, true);
  assert.match(String(call.body!.params.rescue_password), /^\$6\$/);
  assert.notEqual(call.body!.params.rescue_password, 'secret-pw');
});

test('manual cleaning with an agent step and its arguments; an unknown step fails cleaning with the reason', async () => {
  const uuid = await enroll('manual', '52:54:00:1a:9e:0a', {});
  const disk = join(dir, 'manual.disk');
  writeFileSync(disk, Buffer.alloc(2 << 20, 0xcd));
  assert.equal((await api('PUT', `/v1/nodes/${uuid}/states/provision`, { target: 'clean', clean_steps: [{ interface: 'deploy', step: 'erase_devices_metadata' }] })).status, 202);
  const w = await waitState(uuid, 'clean wait');
  assert.equal(w.target_provision_state, 'manageable');
  let agent = new FakeAgent({ apiUrl: svc.url, macs: ['52:54:00:1a:9e:0a'], diskPath: disk });
  await agent.start();
  try { await waitState(uuid, 'manageable'); } finally { await agent.stop(); }
  assert.deepEqual(readFileSync(disk).subarray(0, 1 << 20), Buffer.alloc(1 << 20), 'metadata erased');
  assert.equal(readFileSync(disk)[(2 << 20) - 1], 0xcd, 'the rest kept');

  assert.equal((await api('PUT', `/v1/nodes/${uuid}/states/provision`, { target: 'clean', clean_steps: [{ interface: 'deploy', step: 'no_such_step' }] })).status, 202);
  await waitState(uuid, 'clean wait');
  agent = new FakeAgent({ apiUrl: svc.url, macs: ['52:54:00:1a:9e:0a'], diskPath: disk });
  await agent.start();
  try {
    const failed = await waitState(uuid, 'clean failed');
    assert.match(failed.last_error, /Node failed to start the first cleaning step: .*node does not support this clean step: \{'interface': 'deploy', 'step': 'no_such_step'\}/);
    assert.equal(failed.maintenance, true);
  } finally { await agent.stop(); }
});

test('a requested deploy step that only the agent offers: checked once the agent is up, run in priority order', async () => {
  const uuid = await enroll('usersteps', '52:54:00:1a:9e:0b', goodImage());
  assert.equal((await api('PUT', `/v1/nodes/${uuid}/states/provision`, { target: 'provide' })).status, 202);
  await waitState(uuid, 'available');
  const steps = [{ interface: 'deploy', step: 'erase_devices_metadata', priority: 95, args: {} }];
  assert.equal((await api('PUT', `/v1/nodes/${uuid}/states/provision`, { target: 'active', deploy_steps: steps })).status, 202);
  await waitState(uuid, 'wait call-back');
  const disk = join(dir, 'usersteps.disk');
  writeFileSync(disk, Buffer.alloc(5 << 20, 0xee));
  const agent = new FakeAgent({ apiUrl: svc.url, macs: ['52:54:00:1a:9e:0b'], diskPath: disk, deploySteps: recordedSteps, hardwareManagerVersion: recordedVersions });
  await agent.start();
  try {
    const n = await waitState(uuid, 'active');
    assert.equal(n.driver_internal_info.user_deploy_steps, undefined);
  } finally { await agent.stop(); }
  const ran = agent.requests.filter((r) => r.body?.name === 'deploy.execute_deploy_step').map((r) => r.body!.params.step.step);
  assert.deepEqual(ran, ['erase_devices_metadata', 'write_image']);
  assert.equal(createHash('sha256').update(readFileSync(disk).subarray(0, image.length)).digest('hex'), imageSha);

  // A step nobody offers fails the deploy once the agent has said what it offers.
  const bad = await enroll('badstep', '52:54:00:1a:9e:0c', goodImage());
  assert.equal((await api('PUT', `/v1/nodes/${bad}/states/provision`, { target: 'provide' })).status, 202);
  await waitState(bad, 'available');
  assert.equal((await api('PUT', `/v1/nodes/${bad}/states/provision`, { target: 'active', deploy_steps: [{ interface: 'deploy', step: 'nope', priority: 90, args: {} }] })).status, 202);
  await waitState(bad, 'wait call-back');
  const agent2 = new FakeAgent({ apiUrl: svc.url, macs: ['52:54:00:1a:9e:0c'], diskPath: disk, deploySteps: recordedSteps });
  await agent2.start();
  try {
    const failed = await waitState(bad, 'deploy failed');
    assert.match(failed.last_error, /Failed to validate the deploy steps once the agent was up: Deploy step .*"nope".* is not supported/);
  } finally { await agent2.stop(); }
});
