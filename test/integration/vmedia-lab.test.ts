/**
 * Virtual media end to end, without the deploy flow: `startService` (API and file server on
 * free ports) gives the redfish-virtual-media boot interface its settings; prepareRamdisk
 * builds the agent ISO into http_root and inserts its URL; the lab machine powers on from
 * Cd, downloads the ISO from the conductor's file server and starts the agent command with
 * the API URL it read from the ISO's grub.cfg. cleanUpRamdisk ejects and deletes the ISO.
 *
 * The agent is a stand-in that records its machine file (the real one is `ingot agent`).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { loadConfig } from '../../src/config/config.ts';
import { startService, vmediaOptions } from '../../src/bin/service.ts';
import { startRedfishLab } from '../../src/lab/redfish/index.ts';
import { RedfishConnectionCache, RedfishPower, RedfishVirtualMediaBoot } from '../../src/drivers/redfish/index.ts';
import { FAST, LabNode } from '../../src/testing/redfish-harness.ts';
import { makeTestNode } from '../../src/testing/driver-conformance.ts';

test('ingot serve\'s file server and agent ISO boot a lab machine into the agent, pointed at the API', { timeout: 120_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ingot-vmedia-e2e-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'kernel'), 'stand-in kernel (not executed)');
  writeFileSync(join(dir, 'ramdisk'), 'stand-in ramdisk (not executed)');
  writeFileSync(join(dir, 'agent.mjs'), `import { readFileSync, renameSync, writeFileSync } from 'node:fs';
const f = process.argv[process.argv.indexOf('--lab-machine') + 1];
writeFileSync(process.env.OUT + '.part', readFileSync(f));
renameSync(process.env.OUT + '.part', process.env.OUT);
setInterval(() => {}, 1000);`);

  const config = loadConfig({}, { port: 0, host: '127.0.0.1', dataDir: dir, db: join(dir, 'ingot.db') });
  assert.equal(config.httpPort, 0, 'an API on a free port gets its file server on a free port');
  const svc = await startService(config, { logger: pino({ level: 'silent' }), periodics: false });
  t.after(() => svc.close());
  assert.ok(svc.files && config.httpUrl === svc.files.url);
  assert.equal(config.apiUrl, svc.url, 'the API URL handed to agents is the one listening');

  const out = join(dir, 'machine-seen.json');
  const lab = await startRedfishLab({
    machines: 1, port: 0, agents: { dataDir: join(dir, 'lab'), diskSizeBytes: 32 * 1024 * 1024, agentCommand: [process.execPath, join(dir, 'agent.mjs')], agentEnv: { OUT: out } },
  });
  t.after(() => lab.close());
  const cache = new RedfishConnectionCache(FAST);
  t.after(() => cache.close());
  const m = lab.machines[0]!;
  const node = new LabNode(makeTestNode({
    driver: 'redfish', boot_interface: 'redfish-virtual-media', deploy_interface: 'direct',
    driver_info: {
      redfish_address: lab.url, redfish_system_id: `/redfish/v1/Systems/${m.id}`, redfish_username: 'admin', redfish_password: 'password',
      deploy_kernel: `file://${join(dir, 'kernel')}`, deploy_ramdisk: join(dir, 'ramdisk'),
    },
  }));
  const boot = new RedfishVirtualMediaBoot(cache, vmediaOptions(config));
  await boot.validate(node.ctx());
  await boot.prepareRamdisk(node.ctx(), 'deploy');
  const isoUrl = `${svc.files!.url}/redfish/boot-${node.node.uuid}.iso`;
  assert.equal(m.virtualMedia[0]!.image, isoUrl);
  await new RedfishPower(cache).setPowerState(node.ctx(), 'power on');

  for (let i = 0; i < 1200 && !existsSync(out); i++) await new Promise((r) => setTimeout(r, 50));
  const seen = JSON.parse(readFileSync(out, 'utf8'));
  assert.match(seen.kernelCmdline, new RegExp(` ipa-api-url=${svc.url.replace(/[.]/g, '\\.')} `));
  assert.match(seen.kernelCmdline, new RegExp(` ipa-agent-token=${node.node.driver_internal_info.agent_secret_token} `));
  assert.match(seen.kernelCmdline, / boot_method=vmedia --$/);
  assert.equal(lab.hosts!.status(m.id).state, 'agent');

  await new RedfishPower(cache).setPowerState(node.ctx(), 'power off');
  await boot.cleanUpRamdisk(node.ctx());
  assert.equal(existsSync(join(config.httpRoot, 'redfish', `boot-${node.node.uuid}.iso`)), false);
  assert.deepEqual(readdirSync(join(config.httpRoot, 'redfish')), []);
  const gone = await fetch(isoUrl);
  assert.equal(gone.status, 404);
  await gone.body?.cancel();
});

test('a file server port already taken does not stop the API; ISO builds then fail saying why', { timeout: 60_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ingot-vmedia-busy-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const blocker = createServer();
  await new Promise<void>((ok) => blocker.listen(0, '127.0.0.1', ok));
  t.after(() => blocker.close());
  const busy = (blocker.address() as AddressInfo).port;
  const config = loadConfig({}, { port: 0, httpPort: busy, host: '127.0.0.1', dataDir: dir, db: join(dir, 'ingot.db') });
  const svc = await startService(config, { logger: pino({ level: 'silent' }), periodics: false });
  t.after(() => svc.close());
  assert.equal(svc.files, null);
  const root = await fetch(`${svc.url}/`);
  assert.equal(root.status, 200);
  await root.body?.cancel();
  let error = '';
  const settings = vmediaOptions(config, () => 'the file server could not listen (EADDRINUSE)');
  try { settings.httpUrl(); } catch (err) { error = (err as Error).message; }
  assert.match(error, /^Cannot serve boot ISOs: the file server could not listen/);
});
