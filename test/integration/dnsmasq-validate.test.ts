/**
 * dnsmasq missing or down is a validate error, not a hang (issue 10's fault acceptance),
 * through the API of a real service with `INGOT_DHCP_PROVIDER=dnsmasq`: a node with the
 * `pxe` boot interface fails `GET /v1/nodes/{node}/validate` on `boot` with the reason,
 * and a deploy is refused (400) before anything is touched, when dnsmasq is not installed
 * (`INGOT_DNSMASQ_BINARY` naming a missing program), and when it is installed with a valid
 * configuration but its pid file names a dead process. (A hang would fail the test by its
 * time limit; src/drivers/dhcp/dnsmasq.test.ts has the dnsmasq that never answers.)
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { loadConfig } from '../../src/config/config.ts';
import { startService, type Service } from '../../src/bin/service.ts';
import { dnsmasqPaths } from '../../src/bin/netboot.ts';
import { renderDnsmasqConf } from '../../src/drivers/dhcp/dnsmasq-conf.ts';

const noDnsmasq = spawnSync('dnsmasq', ['--version'], { stdio: 'ignore', timeout: 5000 }).error ? 'dnsmasq is not installed (apt-get install dnsmasq-base)' : false;

async function withService(env: Record<string, string>, fn: (svc: Service, dir: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'ingot-dnsmasq-validate-'));
  const config = loadConfig({ INGOT_DHCP_PROVIDER: 'dnsmasq', ...env }, { port: 0, httpPort: 0, host: '127.0.0.1', dataDir: dir, db: join(dir, 'ingot.db') });
  const svc = await startService(config, { logger: pino({ level: 'silent' }), periodics: false });
  try { await fn(svc, dir); } finally { await svc.close(); rmSync(dir, { recursive: true, force: true }); }
}

async function api(svc: Service, method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const r = await fetch(`${svc.url}${path}`, {
    method, headers: { 'Content-Type': 'application/json', 'X-OpenStack-Ironic-API-Version': '1.82' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await r.text();
  return { status: r.status, body: text ? JSON.parse(text) : null };
}

/** An available pxe node (manual-management: nothing but the boot interface talks to anything). */
async function pxeNode(svc: Service, dir: string): Promise<string> {
  writeFileSync(join(dir, 'k'), 'kernel');
  writeFileSync(join(dir, 'r'), 'ramdisk');
  const r = await api(svc, 'POST', '/v1/nodes', {
    driver: 'manual-management', boot_interface: 'pxe', deploy_interface: 'direct', power_interface: 'fake', management_interface: 'noop',
    driver_info: { deploy_kernel: join(dir, 'k'), deploy_ramdisk: join(dir, 'r') },
    instance_info: { image_source: 'http://images.invalid/x.raw', image_os_hash_algo: 'sha256', image_os_hash_value: '0'.repeat(64) },
    properties: { capabilities: 'boot_mode:bios' },
  });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  const uuid = r.body.uuid as string;
  assert.equal((await api(svc, 'POST', '/v1/ports', { node_uuid: uuid, address: '52:54:00:10:10:01' })).status, 201);
  await svc.db.kysely.updateTable('nodes').set({ provision_state: 'available' }).where('uuid', '=', uuid).execute();
  return uuid;
}

async function expectRefused(svc: Service, uuid: string, reason: RegExp): Promise<void> {
  const v = await api(svc, 'GET', `/v1/nodes/${uuid}/validate`);
  assert.equal(v.status, 200);
  assert.equal(v.body.boot.result, false, JSON.stringify(v.body.boot));
  assert.match(v.body.boot.reason, reason);
  const d = await api(svc, 'PUT', `/v1/nodes/${uuid}/states/provision`, { target: 'active' });
  assert.equal(d.status, 400, JSON.stringify(d.body));
  assert.match(JSON.parse(d.body.error_message).faultstring, reason);
  const n = (await api(svc, 'GET', `/v1/nodes/${uuid}`)).body;
  assert.deepEqual([n.provision_state, n.reservation], ['available', null], 'refused before anything happened');
}

test('dnsmasq not installed: validate fails on boot saying so, and a deploy is refused', { timeout: 90_000 }, async () => {
  await withService({ INGOT_DNSMASQ_BINARY: '/nonexistent/sbin/dnsmasq' }, async (svc, dir) => {
    const uuid = await pxeNode(svc, dir);
    await expectRefused(svc, uuid, /DHCP provider dnsmasq: dnsmasq is not installed \(tried \/nonexistent\/sbin\/dnsmasq\)\. Install Debian's dnsmasq-base/);
  });
});

test('dnsmasq installed and configured but not running (its pid file names a dead process): validate fails, a deploy is refused', { skip: noDnsmasq, timeout: 90_000 }, async () => {
  await withService({}, async (svc, dir) => {
    const paths = dnsmasqPaths(loadConfig({}, { dataDir: dir }));
    mkdirSync(join(dir, 'dnsmasq'), { recursive: true });
    writeFileSync(paths.confFile, renderDnsmasqConf({ paths, interface: 'lo', dhcpRange: '10.79.1.10,10.79.1.20,1h', tftpRoot: join(dir, 'tftpboot') }));
    const dead = spawn('true');
    await new Promise((r) => dead.once('close', r));
    writeFileSync(paths.pidfile, `${dead.pid}\n`);
    const uuid = await pxeNode(svc, dir);
    await expectRefused(svc, uuid, /DHCP provider dnsmasq: dnsmasq is not running \(no live process in .*dnsmasq\.pid\)\. Start it with "ingot dnsmasq"/);
  });
});
