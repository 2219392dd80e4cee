/**
 * Test kit for the agent: a lab machine with sparse disk files in a temp dir, a small
 * HTTP file server (with a switch that cuts a download mid-way), and tool checks.
 */
import { mkdtemp, rm, writeFile, open, truncate } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { createReadStream, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { AGENT_MACHINE_VERSION, type AgentMachine } from '../contracts/agent-machine.ts';

export function requireTools(...tools: string[]): void {
  for (const t of tools) {
    try { execFileSync('sh', ['-c', `command -v ${t}`], { stdio: 'ignore', env: { ...process.env, PATH: `${process.env.PATH}:/usr/sbin:/sbin` } }); } catch {
      throw new Error(`${t} is not installed: the agent tests need it (scripts/lib/deps.sh installs it)`);
    }
  }
}

export interface TestMachine { dir: string; desc: AgentMachine; file: string; close(): Promise<void> }

/** A lab machine with sparse disks of the given sizes (/dev/sda, /dev/sdb, ...). */
export async function makeMachine(diskSizes: number[], over: Partial<AgentMachine> = {}): Promise<TestMachine> {
  const dir = await mkdtemp(join(tmpdir(), 'ingot-agent-test-'));
  const disks = [];
  for (const [i, size] of diskSizes.entries()) {
    const path = join(dir, `disk${i}.img`);
    await writeFile(path, '');
    await truncate(path, size);
    disks.push({
      name: `/dev/sd${String.fromCharCode(97 + i)}`, path, size, model: `Lab Disk ${i}`, vendor: 'INGOT',
      serial: `SER${1000 + i}`, wwn: `0x500${i}`, rotational: i % 2 === 1, hctl: `${i}:0:0:0`,
      byPath: `/dev/disk/by-path/pci-0000:00:1f.2-ata-${i + 1}`,
    });
  }
  const desc: AgentMachine = {
    version: AGENT_MACHINE_VERSION, labId: 'test-1',
    cpu: { modelName: 'Lab CPU', count: 2, architecture: 'x86_64', frequencyMHz: 2400, flags: ['fpu', 'vmx'] },
    memoryBytes: 4 * 1024 ** 3, physicalMemoryMb: 4096,
    systemVendor: { manufacturer: 'Ingot', productName: 'Lab Machine', serialNumber: 'LAB-1' },
    bmcAddress: null, bmcMac: null, bootMode: 'bios',
    nics: [{ name: 'eth0', macAddress: '52:54:00:aa:bb:01', ipv4Address: '127.0.0.1', pxe: true, speedMbps: 1000, lldp: [] }],
    disks, nvramPath: join(dir, 'nvram.json'), powerControlUrl: null, kernelCmdline: '', ...over,
  };
  const file = join(dir, 'machine.json');
  await writeFile(file, JSON.stringify(desc));
  return { dir, desc, file, close: () => rm(dir, { recursive: true, force: true }) };
}

export async function readRange(path: string, offset: number, length: number): Promise<Buffer> {
  const fh = await open(path, 'r');
  try {
    const b = Buffer.alloc(length);
    await fh.read(b, 0, length, offset);
    return b;
  } finally { await fh.close(); }
}

export interface FileServer {
  url: string;
  /** Requests served per path. */
  hits: Map<string, number>;
  /** Paths whose next N responses are cut after this many bytes. */
  cut: Map<string, { after: number; times: number }>;
  add(path: string, content: string | Buffer | { file: string }): void;
  close(): Promise<void>;
}

/** Serves files (path → local file or content) over HTTP on a free port. */
export async function serveFiles(files: Record<string, string | Buffer | { file: string }>): Promise<FileServer> {
  const hits = new Map<string, number>();
  const cut = new Map<string, { after: number; times: number }>();
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    hits.set(path, (hits.get(path) ?? 0) + 1);
    const f = files[path];
    if (f === undefined) { res.writeHead(404); res.end('not found'); return; }
    const c = cut.get(path);
    if (typeof f === 'object' && 'file' in f) {
      const size = statSync(f.file).size;
      res.writeHead(200, { 'content-length': size });
      if (c && c.times > 0) {
        c.times--;
        createReadStream(f.file, { start: 0, end: c.after - 1 }).on('end', () => res.destroy()).pipe(res, { end: false });
        return;
      }
      createReadStream(f.file).pipe(res);
      return;
    }
    const body = Buffer.from(f);
    res.writeHead(200, { 'content-length': body.length });
    // Cut mid-way: headers and the first bytes reach the client, then the socket closes.
    if (c && c.times > 0) { c.times--; res.write(body.subarray(0, c.after), () => setTimeout(() => res.destroy(), 20)); return; }
    res.end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}`, hits, cut, add: (path, content) => { files[path] = content; },
    close: () => new Promise((r) => { server.closeAllConnections(); server.close(() => r()); }),
  };
}

import type { AgentContext } from './commands/context.ts';
import type { Machine } from './hardware/types.ts';
import { CommandExecutor } from './commands/executor.ts';
import { stepExtensions } from './commands/steps.ts';
import { standbyExtension } from './commands/standby.ts';
import { imageExtension } from './commands/bootloader.ts';
import { logExtension } from './commands/logs.ts';
import { rescueExtension } from './commands/rescue.ts';

/** An agent context over `machine` with fast download retries, and an executor with every extension. */
export function testAgent(machine: Machine, over: Partial<AgentContext> = {}): { ctx: AgentContext; executor: CommandExecutor; logs: string[]; shutdowns: string[] } {
  const logs: string[] = [];
  const shutdowns: string[] = [];
  const ctx: AgentContext = {
    machine, node: null, config: { permitted_image_formats: ['raw', 'qcow2', 'iso'] }, partitionUuids: null,
    download: { retries: 2, retryInterval: 0.01, timeout: 10, md5Allowed: true }, tmpDir: tmpdir(),
    log: (m) => logs.push(m), shutdown: (r) => shutdowns.push(r), ...over,
  };
  const executor = new CommandExecutor({
    ...stepExtensions(ctx), standby: standbyExtension(ctx), image: imageExtension(ctx),
    log: logExtension(ctx, () => logs.join('\n')), rescue: rescueExtension(ctx),
  });
  return { ctx, executor, logs, shutdowns };
}

export interface RecordedRequest { method: string; path: string; headers: Record<string, string | string[] | undefined>; body: any }

export interface FakeIronic {
  url: string;
  requests: RecordedRequest[];
  heartbeats: () => RecordedRequest[];
  /** Answer this many lookups with 404 (node not in a lookup state) first. */
  lookup404: number;
  /** Answer this many heartbeats with 409 (node locked) first. */
  heartbeat409: number;
  token: string;
  close(): Promise<void>;
}

/**
 * A fake Ironic API at the process boundary, answering as the recorded Ironic 21.4 does
 * (../shared/data/agent-samples/recorded-direct-deploy): `GET /` with max version
 * `maxVersion`, lookup (≥ 1.22, by MAC, token issued once then "******"), heartbeat
 * (≥ 1.22, fields gated by version, token checked, 202).
 */
export async function fakeIronic(o: { nodeUuid: string; macs: string[]; maxVersion?: string; heartbeatTimeout?: number }): Promise<FakeIronic> {
  const max = o.maxVersion ?? '1.82';
  const ver = (s: string | undefined) => (s ?? '1.1').split('.').map(Number) as [number, number];
  const ge = (a: [number, number], b: [number, number]) => a[0] > b[0] || (a[0] === b[0] && a[1] >= b[1]);
  const fault = (msg: string) => JSON.stringify({ error_message: JSON.stringify({ faultstring: msg, faultcode: 'Client', debuginfo: null }) });
  let issued = false;
  const state: FakeIronic = {
    url: '', requests: [], lookup404: 0, heartbeat409: 0, token: 'tok-' + 'x'.repeat(40),
    heartbeats: () => state.requests.filter((r) => r.path.startsWith('/v1/heartbeat/')),
    close: async () => {},
  };
  const server = createServer((req, res) => {
    let raw = '';
    req.on('data', (d) => { raw += d; });
    req.on('end', () => {
      const body = raw ? JSON.parse(raw) : null;
      const url = new URL(req.url ?? '/', 'http://x');
      state.requests.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, body });
      const v = ver(req.headers['x-openstack-ironic-api-version'] as string | undefined);
      const send = (status: number, payload: string | null) => {
        res.writeHead(status, payload === null ? {} : { 'content-type': 'application/json' });
        res.end(payload ?? '');
      };
      if (req.method === 'GET' && url.pathname === '/') {
        const dv = { id: 'v1', links: [{ href: `${state.url}/v1/`, rel: 'self' }], min_version: '1.1', status: 'CURRENT', version: max };
        return send(200, JSON.stringify({ default_version: dv, description: 'Ironic', name: 'OpenStack Ironic API', versions: [dv] }));
      }
      if (!ge(v, [1, 22])) return send(404, fault('The resource could not be found.'));
      if (req.method === 'GET' && url.pathname === '/v1/lookup') {
        const macs = (url.searchParams.get('addresses') ?? '').split(',');
        if (state.lookup404 > 0) { state.lookup404--; return send(404, fault('Node could not be found.')); }
        if (!macs.some((m) => o.macs.includes(m))) return send(404, fault('Node could not be found.'));
        const token = ge(v, [1, 62]) ? (issued ? '******' : state.token) : undefined;
        if (token !== undefined) issued = true;
        return send(200, JSON.stringify({
          node: { uuid: o.nodeUuid, properties: { root_device: { name: '/dev/sda' } }, instance_info: {}, driver_internal_info: {}, links: [] },
          config: {
            ...(token === undefined ? {} : { agent_token: token }), agent_token_required: true, disable_deep_image_inspection: false,
            enable_bios_bootloader_install: true, heartbeat_timeout: o.heartbeatTimeout ?? 300,
            metrics: { backend: 'noop', global_prefix: null, prepend_host: false, prepend_host_reverse: true, prepend_uuid: false },
            metrics_statsd: { statsd_host: 'localhost', statsd_port: 8125 }, permitted_image_formats: ['raw', 'qcow2', 'iso'],
          },
        }));
      }
      const hb = /^\/v1\/heartbeat\/([^/]+)$/.exec(url.pathname);
      if (req.method === 'POST' && hb) {
        if (hb[1] !== o.nodeUuid) return send(404, fault('Node could not be found.'));
        const gated: [string, [number, number]][] = [['agent_version', [1, 36]], ['agent_token', [1, 62]], ['agent_verify_ca', [1, 68]], ['agent_status', [1, 72]]];
        for (const [f, min] of gated) if (body && f in body && !ge(v, min)) return send(400, fault(`Field "${f}" not recognised`));
        if (!body?.callback_url) return send(400, fault('Missing argument: "callback_url"'));
        if (state.heartbeat409 > 0) { state.heartbeat409--; return send(409, fault('Node is locked')); }
        if (ge(v, [1, 62]) && body.agent_token !== state.token) return send(400, fault('Invalid or missing agent token received.'));
        return send(202, null);
      }
      return send(404, fault('The resource could not be found.'));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  state.url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  state.close = () => new Promise((r) => { server.closeAllConnections(); server.close(() => r()); });
  return state;
}

export async function until<T>(what: string, fn: () => T | Promise<T>, timeoutMs = 20_000): Promise<NonNullable<T>> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v as NonNullable<T>;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
