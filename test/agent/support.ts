/**
 * Shared set-up of the agent flow tests: a real Ingot service (HTTP API, conductor,
 * SQLite) with manage_agent_boot off as in agent-samples/recorded-direct-deploy, an image
 * server, a plain file server over the conductor's httpRoot, and helpers to enroll and
 * deploy manual-management nodes with the `direct` deploy. Call `setup`/`teardown` from
 * the test file's before/after.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { loadConfig } from '../../src/config/config.ts';
import { startService, type Service } from '../../src/bin/service.ts';
import { FakeAgent, type AgentRequest } from '../../src/testing/fake-agent.ts';
import { SHARED_DIR } from '../../src/testing/shared-data.ts';

export const REC_DIR = join(SHARED_DIR, 'data', 'agent-samples', 'recorded-direct-deploy');
export const recorded = readFileSync(join(REC_DIR, 'contract-conductor-to-agent.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
export const recordedSteps = recorded[0].response_body.command_result.deploy_steps;
export const recordedVersions = recorded[0].response_body.command_result.hardware_manager_version;

export let dir: string;
export let svc: Service;
export let images: Server;
export let files: Server;
export let httpRoot: string;
export let imageUrl: string;
export const image = randomBytes(4 << 20);
export const imageSha = createHash('sha256').update(image).digest('hex');

export async function api(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const r = await fetch(`${svc.url}${path}`, {
    method, headers: { 'Content-Type': 'application/json', 'X-OpenStack-Ironic-API-Version': '1.82' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await r.text();
  return { status: r.status, body: text ? JSON.parse(text) : null };
}

export async function waitState(uuid: string, state: string, ms = 20000): Promise<any> {
  const end = Date.now() + ms;
  for (;;) {
    const n = (await api('GET', `/v1/nodes/${uuid}`)).body;
    if (n.provision_state === state) return n;
    if (Date.now() > end) throw new Error(`node did not reach ${state}: ${n.provision_state} (last_error: ${n.last_error})`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** An available manual-management node with the `direct` deploy, as in the recording. */
export async function enroll(name: string, mac: string, instanceInfo: Record<string, unknown>, extra: Record<string, unknown> = {}): Promise<string> {
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

export const goodImage = () => ({
  image_source: imageUrl, image_os_hash_algo: 'sha256', image_os_hash_value: imageSha, image_disk_format: 'raw', image_type: 'whole-disk',
});

/** Method, path (token replaced), command name and wait flag; repeated polls collapsed. */
export function shape(reqs: { method: string; path: string; name?: string }[], token: string): string[] {
  const out: string[] = [];
  for (const r of reqs) {
    const line = `${r.method} ${r.path.replace(token, '<token>')}${r.name ? ` ${r.name}` : ''}`;
    if (out.at(-1) !== line || r.method !== 'GET') out.push(line);
  }
  return out;
}
export const ours = (reqs: AgentRequest[]) => reqs.map((r) => ({ method: r.method, path: r.path, ...(r.body ? { name: String(r.body.name) } : {}) }));

export async function setup(): Promise<void> {
  dir = mkdtempSync(join(tmpdir(), 'ingot-agent-'));
  const config = loadConfig({
    INGOT_MANAGE_AGENT_BOOT: 'false', INGOT_AUTOMATED_CLEAN: 'false', INGOT_RAMDISK_HEARTBEAT_TIMEOUT: '2',
    INGOT_DEPLOY_CALLBACK_TIMEOUT: '2', INGOT_POST_DEPLOY_GET_POWER_STATE_RETRY_INTERVAL: '0',
    INGOT_ENABLED_RESCUE_INTERFACES: 'no-rescue,fake,agent', INGOT_COMMAND_WAIT_INTERVAL: '0.05',
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
}

export async function teardown(): Promise<void> {
  await svc.close();
  await new Promise<void>((r) => images.close(() => r()));
  await new Promise<void>((r) => files.close(() => r()));
  rmSync(dir, { recursive: true, force: true });
}

export async function deployed(name: string, mac: string, instanceInfo: Record<string, unknown>, extra: Record<string, unknown> = {}): Promise<{ uuid: string; agent: FakeAgent; disk: string }> {
  const uuid = await enroll(name, mac, instanceInfo, extra);
  return deployEnrolled(uuid, name, mac);
}

/** Provide and deploy an enrolled (manageable) node through a fresh fake agent. */
export async function deployEnrolled(uuid: string, name: string, mac: string): Promise<{ uuid: string; agent: FakeAgent; disk: string }> {
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

