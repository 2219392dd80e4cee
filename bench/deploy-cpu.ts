/**
 * Where the CPU of a deploy's write goes (issue 8's bench, beside bench/deploy.ts): CPU
 * seconds per GiB of each part, each measured in its own process so that the parts are
 * not mixed up:
 * - serving: the conductor's file server (conductor/file-server.ts) sending the image;
 * - the agent: download + sha256 + direct write + fsync (agent/disk/image-writer.ts);
 * - sha256 alone (Node's createHash over a file read in 4 MiB pieces);
 * - dd of the same bytes, through the page cache (conv=fsync) and direct (oflag=direct).
 * With C cores free, the deploys' aggregate write rate cannot exceed C / (serving + agent)
 * GiB/s, nor dd's C / dd; their quotient bounds the ratio bench/deploy.ts reports.
 *
 *   node --import tsx bench/deploy-cpu.ts [--size-mib 1024] [--out FILE]
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, mkdtempSync, openSync, ftruncateSync, closeSync, rmSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const args = process.argv.slice(2);
const flag = (name: string, d: string) => { const i = args.indexOf(name); return i >= 0 && args[i + 1] ? args[i + 1]! : d; };
const cpu = () => { const c = process.cpuUsage(); return (c.user + c.system) / 1e6; };

async function serve(root: string): Promise<void> {
  const { startFileServer } = await import('../src/conductor/file-server.ts');
  const fs = await startFileServer({ root, host: '127.0.0.1', port: 0 });
  const c0 = cpu();
  console.log(fs.url);
  process.stdin.once('data', () => { console.log(String(cpu() - c0)); process.exit(0); });
}

async function pull(url: string, sha: string, disk: string): Promise<void> {
  const { streamRawImage } = await import('../src/agent/disk/image-writer.ts');
  const fd = openSync(disk, 'w'); ftruncateSync(fd, 8 * 1024 ** 3); closeSync(fd);
  const c0 = cpu();
  await streamRawImage({ id: 'img', urls: [url], os_hash_algo: 'sha256', os_hash_value: sha, disk_format: 'raw', stream_raw_images: true },
    { name: '/dev/sda', path: disk, size: 8 * 1024 ** 3 } as never,
    { download: { retries: 0, retryInterval: 1, timeout: 60, md5Allowed: true }, tmpDir: tmpdir(), permittedFormats: null, deepInspection: true, log: () => {} });
  console.log(String(cpu() - c0));
}

/** CPU seconds (user+sys) of a finished child, from `time`'s output format. */
function timed(cmd: string, argv: string[]): number {
  const r = spawnSync('/usr/bin/time', ['-f', '%U %S', cmd, ...argv], { encoding: 'utf8', stdio: ['ignore', 'ignore', 'pipe'] });
  if (r.status !== 0) throw new Error(`${cmd} failed (is /usr/bin/time installed?): ${r.stderr}`);
  const [u, s] = r.stderr.trim().split('\n').at(-1)!.split(' ').map(Number);
  return u! + s!;
}

async function main(): Promise<void> {
  const sizeMiB = Number(flag('--size-mib', '1024'));
  const gib = sizeMiB / 1024;
  const dir = mkdtempSync(join(tmpdir(), 'ingot-bench-cpu-'));
  const self = fileURLToPath(import.meta.url);
  try {
    const image = join(dir, 'root', 'img');
    execFileSync('mkdir', ['-p', join(dir, 'root')]);
    execFileSync('dd', ['if=/dev/urandom', `of=${image}`, 'bs=1M', `count=${sizeMiB}`, 'status=none']);
    const h = createHash('sha256');
    let c0 = cpu();
    for await (const chunk of createReadStream(image, { highWaterMark: 4 << 20 })) h.update(chunk as Buffer);
    const sha256 = (cpu() - c0) / gib;
    const sha = h.digest('hex');

    const node = (role: string, ...rest: string[]) => spawn(process.execPath, ['--import', 'tsx', self, role, ...rest], { stdio: ['pipe', 'pipe', 'inherit'] });
    const srv = node('--serve', join(dir, 'root'));
    const line = async (p: ReturnType<typeof node>) => new Promise<string>((ok) => p.stdout!.once('data', (b: Buffer) => ok(String(b).trim())));
    const url = await line(srv);
    const agent = node('--pull', `${url}/img`, sha, join(dir, 'disk'));
    const agentCpu = Number(await line(agent)) / gib;
    await once(agent, 'exit');
    srv.stdin!.write('x\n');
    const serving = Number(await line(srv)) / gib;

    const ddBuffered = timed('dd', [`if=${image}`, `of=${join(dir, 'dd1')}`, 'bs=4M', 'conv=fsync', 'status=none']) / gib;
    const ddDirect = timed('dd', [`if=${image}`, `of=${join(dir, 'dd2')}`, 'bs=4M', 'oflag=direct', 'conv=fsync', 'status=none']) / gib;
    const result = { sizeMiB, cpuSecondsPerGiB: { serving, agent: agentCpu, sha256, ddBuffered, ddDirect }, deployPerGiB: serving + agentCpu };
    const f = (x: number) => x.toFixed(2);
    console.log(`  CPU seconds per GiB (${sizeMiB} MiB, one stream): serving ${f(serving)}, agent download+sha256+direct write ${f(agentCpu)} ` +
      `(of which sha256 alone ${f(sha256)}); deploy total ${f(serving + agentCpu)}; dd conv=fsync ${f(ddBuffered)}, dd oflag=direct ${f(ddDirect)}`);
    console.log(`  so on C free cores: deploys ≤ ${f(1 / (serving + agentCpu))}·C GiB/s, dd ≤ ${f(1 / ddBuffered)}·C (page cache) / ${f(1 / ddDirect)}·C (direct) GiB/s when CPU-bound`);
    const out = flag('--out', '');
    if (out) writeFileSync(out, JSON.stringify(result, null, 2));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (args[0] === '--serve') void serve(args[1]!);
else if (args[0] === '--pull') void pull(args[1]!, args[2]!, args[3]!).then(() => process.exit(0));
else main().then(() => process.exit(0), (err) => { console.error(`bench/deploy-cpu failed: ${err instanceof Error ? err.stack : String(err)}`); process.exit(1); });
