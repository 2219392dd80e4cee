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
    url: `http://127.0.0.1:${port}`, hits, cut,
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
