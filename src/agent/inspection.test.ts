/**
 * The agent booted for inspection (IPA 9.4.3's inspector.py): kernel parameters, the
 * collectors, posting with retries, and the agent's start order (inspect, then lookup with
 * the node UUID the callback answered, or no lookup at all without ipa-api-url). The
 * callback is a plain HTTP server recording what arrives (process boundary).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { execFileSync } from 'node:child_process';
import { startAgent } from './agent.ts';
import { LabMachine } from './hardware/lab.ts';
import { collectInspectionData, guessRootDisk, inspectionParams, postInspectionData } from './inspection.ts';
import { fakeIronic, makeMachine, until } from './test-support.ts';

const GiB = 1024 ** 3;
const LLDP: [number, string][] = [[1, '04885a92ec5459'], [2, '0545746865726e6574312f3138']];

interface Callback { url: string; posts: { headers: IncomingMessage['headers']; body: any }[]; answers: Array<[number, unknown]>; close(): Promise<void> }

/** An inspector callback answering from `answers` in order (then 200 {"uuid": …}). */
async function callback(uuid: string | null = null, answers: Array<[number, unknown]> = []): Promise<Callback> {
  const c: Callback = { url: '', posts: [], answers, close: async () => {} };
  const server = createServer((req, res) => {
    let raw = '';
    req.on('data', (d) => { raw += d; });
    req.on('end', () => {
      c.posts.push({ headers: req.headers, body: JSON.parse(raw) });
      const [status, body] = c.answers.shift() ?? [200, uuid ? { uuid } : {}];
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    });
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  c.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/continue`;
  c.close = () => new Promise((ok) => server.close(() => ok()));
  return c;
}

test('inspection parameters from the kernel command line, as IPA reads them', () => {
  assert.equal(inspectionParams({}), null);
  assert.deepEqual(inspectionParams({ 'ipa-inspection-callback-url': 'http://i:5050/v1/continue' }), {
    callbackUrl: 'http://i:5050/v1/continue', collectors: ['default'], collectLldp: false, dhcpAllInterfaces: false, dhcpWaitTimeout: null,
  });
  const p = inspectionParams({
    'ipa-inspection-callback-url': 'http://i/v1/continue', 'ipa-inspection-collectors': 'default, logs,,lldp', 'ipa-collect-lldp': '1',
    'ipa-inspection-dhcp-all-interfaces': 'True', 'ipa-inspection-dhcp-wait-timeout': '0',
  })!;
  assert.deepEqual(p.collectors, ['default', 'logs', 'lldp']);
  assert.equal(p.collectLldp, true);
  assert.equal(p.dhcpAllInterfaces, true);
  assert.equal(p.dhcpWaitTimeout, 0);
  assert.equal(inspectionParams({ 'ipa-inspection-callback-url': 'http://a' }, 'http://flag')!.callbackUrl, 'http://flag', 'the flag wins');
});

test('IPA\'s root disk guess: the smallest disk of at least 4 GiB', () => {
  assert.equal(guessRootDisk([{ size: 20 * GiB }, { size: 2 * GiB }, { size: 5 * GiB }])!.size, 5 * GiB);
  assert.equal(guessRootDisk([{ size: 2 * GiB }]), null);
});

test('collectors: default (lldp only with ipa-collect-lldp), logs, lldp; an unknown collector is a reported failure', async (t) => {
  const m = await makeMachine([2 * GiB, 6 * GiB], {
    nics: [
      { name: 'eth0', macAddress: '52:54:00:aa:bb:01', ipv4Address: '192.0.2.5', pxe: false, speedMbps: 1000, lldp: LLDP },
      { name: 'eth1', macAddress: '52:54:00:aa:bb:02', ipv4Address: null, pxe: true, speedMbps: null, lldp: [] },
    ],
  });
  t.after(() => m.close());
  const machine = new LabMachine(m.desc);
  const base = { callbackUrl: 'http://x', collectLldp: false, dhcpAllInterfaces: false, dhcpWaitTimeout: null };

  const d = await collectInspectionData({ machine, params: { ...base, collectors: ['default'] }, tmpDir: m.dir });
  assert.equal(d.error, null);
  const inv = d.inventory as any;
  assert.equal(inv.interfaces[0].lldp, null, 'IPA reports no LLDP unless ipa-collect-lldp=1');
  assert.equal(inv.cpu.count, 2);
  assert.equal((d.root_disk as any).name, '/dev/sdb');
  assert.equal(d.boot_interface, '52:54:00:aa:bb:02');
  assert.deepEqual((d.configuration as any).collectors, ['default']);
  assert.equal('logs' in d, false);

  const all = await collectInspectionData({ machine, params: { ...base, collectLldp: true, collectors: ['default', 'logs', 'lldp', 'extra-hardware'] }, tmpDir: m.dir, agentLog: () => 'agent says hi\n' });
  assert.deepEqual((all.inventory as any).interfaces[0].lldp, LLDP);
  assert.deepEqual(all.lldp_raw, { eth0: LLDP, eth1: [] });
  const listing = execFileSync('tar', ['-tz'], { input: Buffer.from(all.logs as string, 'base64') }).toString();
  assert.match(listing, /ingot-agent\.log/);
  assert.match(String(all.error), /Failed to load collector extra-hardware/);
});

test('posting retries connection errors and 5xx, gives up on 4xx (IPA: "proceeding with lookup")', async (t) => {
  const cb = await callback('u-1', [[503, { error: 'busy' }], [500, {}]]);
  t.after(() => cb.close());
  const logs: string[] = [];
  assert.deepEqual(await postInspectionData(cb.url, { inventory: {} }, { retryWaitS: 0.01, log: (l) => logs.push(l) }), { uuid: 'u-1' });
  assert.equal(cb.posts.length, 3);
  assert.equal(cb.posts[0]!.headers['content-type'], 'application/json');

  cb.answers.push([400, { error: { message: 'bad' } }]);
  assert.equal(await postInspectionData(cb.url, {}, { retryWaitS: 0.01, log: (l) => logs.push(l) }), null);
  assert.equal(cb.posts.length, 4, 'a 4xx is not retried');
  assert.ok(logs.some((l) => /error 400/.test(l)));

  await assert.rejects(postInspectionData('http://127.0.0.1:1/v1/continue', {}, { attempts: 2, retryWaitS: 0.01 }), /could not be posted .* after 2 attempts/);
});

test('booted with a callback and no ipa-api-url: the agent posts its inventory and skips lookup', async (t) => {
  const cb = await callback('9d7a5d5e-2b0c-4a1f-9d3a-000000000001');
  t.after(() => cb.close());
  const m = await makeMachine([8 * GiB], { kernelCmdline: `BOOT_IMAGE=vmlinuz ipa-inspection-callback-url=${cb.url} ipa-inspection-collectors=default boot_method=vmedia` });
  t.after(() => m.close());
  const logs: string[] = [];
  const agent = await startAgent({ machine: new LabMachine(m.desc), host: '127.0.0.1', port: 0, log: (l) => logs.push(l), inspectionRetryWait: 0.01 });
  t.after(() => agent.close());
  const out = await agent.inspection;
  assert.equal(out?.uuid, '9d7a5d5e-2b0c-4a1f-9d3a-000000000001');
  assert.equal(cb.posts.length, 1);
  const body = cb.posts[0]!.body;
  assert.equal(body.error, null);
  assert.equal(body.inventory.interfaces[0].mac_address, '52:54:00:aa:bb:01');
  assert.equal(body.inventory.disks[0].size, 8 * GiB);
  assert.equal(body.root_disk.name, '/dev/sda');
  await until('the skip message', () => logs.some((l) => /No ipa-api-url configured, Heartbeat and lookup skipped for inspector/.test(l)));
  // Still serving its command API, as IPA (the inspector powers the machine off).
  const res = await fetch(`${agent.url}/v1/status`);
  assert.equal(res.status, 200);
  await res.body?.cancel();
});

test('booted with a callback and ipa-api-url: inspection first, then lookup with the node UUID the callback named', async (t) => {
  const UUID = '81421597-e7c5-42ff-a3c9-205325b61bdf';
  const cb = await callback(UUID);
  t.after(() => cb.close());
  const api = await fakeIronic({ nodeUuid: UUID, macs: ['52:54:00:aa:bb:01'] });
  t.after(() => api.close());
  const m = await makeMachine([8 * GiB], { kernelCmdline: `ipa-api-url=${api.url} ipa-inspection-callback-url=${cb.url}` });
  t.after(() => m.close());
  const agent = await startAgent({ machine: new LabMachine(m.desc), host: '127.0.0.1', port: 0, log: () => {}, lookupInterval: 0.05, heartbeatMinGap: 0.2 });
  t.after(() => agent.close());
  assert.equal((await agent.ready).node.uuid, UUID);
  assert.equal(cb.posts.length, 1);
  const lookup = api.requests.find((r) => r.path.startsWith('/v1/lookup'))!;
  assert.match(lookup.path, new RegExp(`node_uuid=${UUID}`));
});

test('a callback that refuses the report: logged, the agent goes on to lookup', async (t) => {
  const UUID = '81421597-e7c5-42ff-a3c9-205325b61bd0';
  const cb = await callback(null, [[400, { error: { message: 'The following failures happened during running pre-processing hooks' } }]]);
  t.after(() => cb.close());
  const api = await fakeIronic({ nodeUuid: UUID, macs: ['52:54:00:aa:bb:01'] });
  t.after(() => api.close());
  const m = await makeMachine([8 * GiB], { kernelCmdline: `ipa-api-url=${api.url} ipa-inspection-callback-url=${cb.url}` });
  t.after(() => m.close());
  const agent = await startAgent({ machine: new LabMachine(m.desc), host: '127.0.0.1', port: 0, log: () => {}, lookupInterval: 0.05, heartbeatMinGap: 0.2 });
  t.after(() => agent.close());
  assert.match(String((await agent.inspection)?.error), /inspector returned an error/);
  assert.equal((await agent.ready).node.uuid, UUID);
});
