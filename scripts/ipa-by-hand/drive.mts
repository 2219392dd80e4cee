// By-hand check (not part of the test suite): Ingot's conductor drives the real ironic-python-agent 9.4.3
// through a direct deploy (and, with CLEAN=1, automated cleaning first) onto a loop device. See README.md.
const IPA_DIR = process.env.IPA_DIR ?? '/tmp/ipa-hand';
import { spawn, execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import { mkdtempSync, readFileSync, writeFileSync, openSync, readSync, closeSync, truncateSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { loadConfig } from '../../src/config/config.ts';
import { startService } from '../../src/bin/service.ts';

const dir = mkdtempSync(join(IPA_DIR, 'run-'));
const diskFile = join(dir, 'disk.img');
writeFileSync(diskFile, ''); truncateSync(diskFile, 64 << 20);
const loop = execFileSync('losetup', ['-f', '--show', diskFile]).toString().trim();
console.log('loop', loop);
const imgFile = join(dir, 'image.raw'); writeFileSync(imgFile, ''); truncateSync(imgFile, 4 << 20);
execFileSync('sgdisk', ['-n', '1:2048:0', '-t', '1:8300', imgFile], { stdio: 'ignore' });
const image = readFileSync(imgFile); randomBytes(2 << 20).copy(image, 1 << 20); // partition data

const sha = createHash('sha256').update(image).digest('hex');
const images = createServer((req, res) => { res.writeHead(200, { 'Content-Length': image.length }); res.end(req.method === 'HEAD' ? undefined : image); });
await new Promise<void>((r) => images.listen(0, '127.0.0.1', () => r()));
const imageUrl = `http://127.0.0.1:${(images.address() as any).port}/disk.raw`;
const config = loadConfig({ INGOT_MANAGE_AGENT_BOOT: 'false', INGOT_AUTOMATED_CLEAN: process.env.CLEAN ? 'true' : 'false', INGOT_RAMDISK_HEARTBEAT_TIMEOUT: '20' },
  { dataDir: dir, db: join(dir, 'ingot.db'), host: '127.0.0.1', port: 0 });
const svc = await startService(config, { periodics: false, logger: pino({ level: process.env.LOG ?? 'warn' }) });
const api = async (m: string, p: string, b?: unknown) => { const r = await fetch(svc.url + p, { method: m, headers: { 'Content-Type': 'application/json', 'X-OpenStack-Ironic-API-Version': '1.82' }, ...(b ? { body: JSON.stringify(b) } : {}) }); const t = await r.text(); return { status: r.status, body: t ? JSON.parse(t) : null }; };
const wait = async (u: string, s: string, ms = 180000) => { const end = Date.now() + ms; for (;;) { const n = (await api('GET', `/v1/nodes/${u}`)).body; if (n.provision_state === s) return n; if (Date.now() > end || /failed/.test(n.provision_state)) throw new Error(`${n.provision_state}: ${n.last_error}`); await new Promise((r) => setTimeout(r, 200)); } };
const MAC = '52:54:00:1a:9e:01';
const proc: { ipa: ReturnType<typeof spawn> | null } = { ipa: null };
const startIpa = () => {
  const ipa = proc.ipa = spawn('/usr/bin/python3', ['-c', "import sys; sys.argv[0]='ironic-python-agent'; from ironic_python_agent.cmd.agent import run; run()",
    '--api_url', svc.url, '--listen_host', '127.0.0.1', '--listen_port', '17506', '--advertise_host', '127.0.0.1', '--advertise_port', '17506', '--inspection_callback_url', '',
    ...(process.env.NOTLS ? [] : ['--enable_auto_tls'])], { env: { ...process.env, PYTHONPATH: IPA_DIR, HARNESS_LOOP: loop, HARNESS_MAC: MAC }, stdio: ['ignore', 'pipe', 'pipe'] });
  ipa.stderr!.on('data', (d) => { if (process.env.IPALOG) process.stderr.write(d); });
  ipa.stdout!.on('data', (d) => { if (process.env.IPALOG) process.stderr.write(d); });
};
try {
  const n = (await api('POST', '/v1/nodes', { driver: 'manual-management', name: 'ipa-real', deploy_interface: 'direct', power_interface: 'fake', management_interface: 'noop', boot_interface: 'pxe',
    driver_info: { deploy_forces_oob_reboot: true }, instance_info: { image_source: imageUrl, image_os_hash_algo: 'sha256', image_os_hash_value: sha, image_disk_format: 'raw' },
    properties: { capabilities: 'boot_mode:bios', cpu_arch: 'x86_64', root_device: { name: loop } } })).body;
  await api('POST', '/v1/ports', { node_uuid: n.uuid, address: MAC });
  await api('PUT', `/v1/nodes/${n.uuid}/states/provision`, { target: 'manage' }); await wait(n.uuid, 'manageable');
  await api('PUT', `/v1/nodes/${n.uuid}/states/provision`, { target: 'provide' });
  if (process.env.CLEAN) { await wait(n.uuid, 'clean wait'); startIpa(); await wait(n.uuid, 'available'); console.log('CLEANED through the real IPA'); proc.ipa?.kill(); await new Promise((r) => setTimeout(r, 1000)); proc.ipa = null; }
  await wait(n.uuid, 'available');
  await api('PUT', `/v1/nodes/${n.uuid}/states/provision`, { target: 'active' });
  await wait(n.uuid, 'wait call-back');
  startIpa();
  const active = await wait(n.uuid, 'active');
  const fd = openSync(loop, 'r'); const buf = Buffer.alloc(image.length); readSync(fd, buf, 0, image.length, 0); closeSync(fd);
  console.log('ACTIVE', active.power_state, 'partition data on loop device:', buf.subarray(1 << 20, 3 << 20).equals(image.subarray(1 << 20, 3 << 20)));
} finally {
  proc.ipa?.kill();
  await svc.close(); images.close();
  execFileSync('losetup', ['-d', loop]);
}
