/**
 * A ramdisk that boots but never heartbeats (issue 10's fault acceptance): a real Ingot
 * service (API, conductor with its periodic tasks, SQLite) and redfish nodes on lab
 * machines whose virtual-media boot starts a stand-in "ramdisk" that reads its kernel
 * command line (so it did boot, with `ipa-api-url`) and then says nothing. With the
 * callback timeouts shortened to 3 s, automated cleaning ends in `clean failed` and a
 * deploy in `deploy failed`, each with a last_error that says what happened and what to
 * check, and torn down as Ironic does on these timeouts: cleaning powers the machine off
 * and ejects the ISO; a deploy ejects the ISO (the machine stays as it is).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { loadConfig } from '../../src/config/config.ts';
import { startService, type Service } from '../../src/bin/service.ts';
import { startRedfishLab, type RedfishLab } from '../../src/lab/redfish/index.ts';

let dir: string;
let svc: Service;
let lab: RedfishLab;
const IMAGE = Buffer.alloc(1024 * 1024, 7);
const IMAGE_SHA = createHash('sha256').update(IMAGE).digest('hex');

const SILENT = `import { appendFileSync, readFileSync } from 'node:fs';
const file = process.argv[process.argv.indexOf('--lab-machine') + 1];
const m = JSON.parse(readFileSync(file, 'utf8'));
appendFileSync(process.env.BOOTED, JSON.stringify({ cmdline: m.kernelCmdline, pid: process.pid }) + '\\n');
setInterval(() => {}, 60_000); // booted, never heartbeats
`;

async function api(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const r = await fetch(`${svc.url}${path}`, {
    method, headers: { 'Content-Type': 'application/json', 'X-OpenStack-Ironic-API-Version': '1.82' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await r.text();
  return { status: r.status, body: text ? JSON.parse(text) : null };
}

async function waitFor<T>(what: string, get: () => Promise<T>, ok: (v: T) => boolean, show: (v: T) => string = (v) => JSON.stringify(v), ms = 30_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await get();
    if (ok(v)) return v;
    if (Date.now() > end) throw new Error(`${what}: still ${show(v)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
const node = async (uuid: string) => (await api('GET', `/v1/nodes/${uuid}`)).body;
const waitState = (uuid: string, state: string) => waitFor(`node ${uuid} to reach ${state}`, () => node(uuid), (n) => n.provision_state === state,
  (n) => `${n.provision_state} (last_error: ${n.last_error})`);

async function enroll(i: number, automatedClean: boolean): Promise<string> {
  const m = lab.machines[i]!;
  const r = await api('POST', '/v1/nodes', {
    name: `silent-${i}`, driver: 'redfish', boot_interface: 'redfish-virtual-media', deploy_interface: 'direct',
    driver_info: {
      redfish_address: lab.url, redfish_system_id: `/redfish/v1/Systems/${m.id}`, redfish_username: 'admin', redfish_password: 'password',
      deploy_kernel: join(dir, 'vmlinuz'), deploy_ramdisk: join(dir, 'initrd'),
    },
    properties: { capabilities: 'boot_mode:uefi' },
    instance_info: { image_source: `${svc.files!.url}/images/disk.raw`, image_os_hash_algo: 'sha256', image_os_hash_value: IMAGE_SHA, image_disk_format: 'raw' },
    automated_clean: automatedClean,
  });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  assert.equal((await api('POST', '/v1/ports', { node_uuid: r.body.uuid, address: m.nics[0]!.mac })).status, 201);
  assert.equal((await api('PUT', `/v1/nodes/${r.body.uuid}/states/provision`, { target: 'manage' })).status, 202);
  await waitState(r.body.uuid, 'manageable');
  return r.body.uuid;
}

const booted = (): { cmdline: string; pid: number }[] =>
  existsSync(join(dir, 'booted.jsonl')) ? readFileSync(join(dir, 'booted.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l)) : [];

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ingot-silent-'));
  writeFileSync(join(dir, 'vmlinuz'), 'stand-in kernel (the lab starts the agent command itself)\n');
  writeFileSync(join(dir, 'initrd'), 'stand-in ramdisk\n');
  writeFileSync(join(dir, 'silent.mjs'), SILENT);
  lab = await startRedfishLab({
    machines: 2, port: 0, taskDelayMs: 20,
    agents: { dataDir: join(dir, 'lab'), diskSizeBytes: 16 * 1024 * 1024, agentCommand: [process.execPath, join(dir, 'silent.mjs')], agentEnv: { BOOTED: join(dir, 'booted.jsonl') } },
  });
  const config = loadConfig({
    INGOT_DEPLOY_CALLBACK_TIMEOUT: '3', INGOT_CLEAN_CALLBACK_TIMEOUT: '3', INGOT_CHECK_PROVISION_STATE_INTERVAL: '1',
  }, { port: 0, httpPort: 0, host: '127.0.0.1', dataDir: dir, db: join(dir, 'ingot.db') });
  svc = await startService(config, { logger: pino({ level: 'silent' }) });
  mkdirSync(join(config.httpRoot, 'images'), { recursive: true });
  writeFileSync(join(config.httpRoot, 'images', 'disk.raw'), IMAGE); // never fetched: the ramdisk stays silent
});

after(async () => {
  await svc?.close();
  await lab?.close();
  rmSync(dir, { recursive: true, force: true });
});

test('a ramdisk that never heartbeats: cleaning times out into clean failed, torn down, saying what to check', { timeout: 120_000 }, async () => {
  const uuid = await enroll(0, true);
  const m = lab.machines[0]!;
  assert.equal((await api('PUT', `/v1/nodes/${uuid}/states/provision`, { target: 'provide' })).status, 202);
  await waitState(uuid, 'clean wait');
  // The ramdisk did boot from the ISO, pointed at the API.
  const boot = await waitFor('the ramdisk to boot', async () => booted(), (b) => b.length > 0);
  assert.match(boot[0]!.cmdline, new RegExp(` ipa-api-url=${svc.url.replace(/[.]/g, '\\.')} `));
  assert.equal(lab.hosts!.status(m.id).state, 'agent');

  const failed = await waitState(uuid, 'clean failed');
  assert.match(failed.last_error, new RegExp(`^Timeout reached while waiting for callback for node ${uuid} in state "clean wait" \\(waited 3 s\\)\\. `
    + `Check that the ramdisk booted and can reach the API at ${svc.url.replace(/[.]/g, '\\.')}\\.`));
  assert.equal(failed.reservation, null);
  assert.equal(failed.clean_step && Object.keys(failed.clean_step).length, 0);
  assert.equal(failed.maintenance, false, 'no clean step was running: no maintenance (Ironic sets it only for a failed step)');
  // Torn down as Ironic's cleaning_error_handler does: powered off, ISO ejected and deleted, token gone.
  assert.equal(failed.power_state, 'power off');
  assert.equal(failed.driver_internal_info.agent_secret_token, undefined);
  await waitFor('the lab machine to be off', async () => lab.hosts!.status(m.id).state, (s) => s === 'off');
  assert.equal(m.virtualMedia[0]!.inserted, false);
  assert.deepEqual(readdirSync(join(dir, 'httpboot', 'redfish')).filter((f) => f.includes(uuid)), []);
  const history = (await api('GET', `/v1/nodes/${uuid}/history`)).body.history;
  assert.ok(history.some((h: any) => h.severity === 'ERROR' && /Timeout reached while waiting for callback/.test(h.event)), JSON.stringify(history));
});

test('a ramdisk that never heartbeats: a deploy times out into deploy failed, ISO ejected, saying what to check', { timeout: 120_000 }, async () => {
  const uuid = await enroll(1, false);
  const m = lab.machines[1]!;
  assert.equal((await api('PUT', `/v1/nodes/${uuid}/states/provision`, { target: 'provide' })).status, 202);
  await waitState(uuid, 'available');
  const before = booted().length;
  assert.equal((await api('PUT', `/v1/nodes/${uuid}/states/provision`, { target: 'active' })).status, 202);
  await waitState(uuid, 'wait call-back');
  await waitFor('the ramdisk to boot', async () => booted(), (b) => b.length > before);
  assert.equal(lab.hosts!.status(m.id).state, 'agent');

  const failed = await waitState(uuid, 'deploy failed');
  assert.match(failed.last_error, new RegExp(`^Timeout reached while waiting for callback for node ${uuid} in state "wait call-back" \\(waited 3 s\\)\\. `
    + `Check that the ramdisk booted and can reach the API at ${svc.url.replace(/[.]/g, '\\.')}\\.`));
  assert.equal(failed.reservation, null);
  assert.deepEqual(failed.deploy_step, {});
  // Ironic's deploying_error_handler: the deploy's clean_up (boot files, the ISO), no power action.
  assert.equal(m.virtualMedia[0]!.inserted, false);
  assert.deepEqual(readdirSync(join(dir, 'httpboot', 'redfish')).filter((f) => f.includes(uuid)), []);
  assert.equal(failed.driver_internal_info.agent_secret_token, undefined);
  // Recoverable: deploy again (it waits for a callback again).
  assert.equal((await api('PUT', `/v1/nodes/${uuid}/states/provision`, { target: 'active' })).status, 202);
  await waitState(uuid, 'wait call-back');
});
