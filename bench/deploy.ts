/**
 * Deploy benchmark (issue 8): N lab machines (default 16) deployed at once with a raw image
 * of SIZE MiB (default 512) through the agent, beside `dd` writing the same bytes to the
 * same filesystem, N copies at once, with the same durability (the agent fsyncs its disk
 * before it reports the image written: dd runs with conv=fsync), through the page cache
 * and with direct I/O as the agent writes (oflag=direct); the faster dd is the reference.
 *
 *   node --import tsx bench/deploy.ts [--machines 16] [--size-mib 512] [--out FILE] [--keep]
 *
 * Figures (all from one run, so that the load of the machine weighs on both sides alike):
 * - deploy → active: from the `deploy` requests to the last node `active`, and where that
 *   time goes per machine (each phase's median and maximum), from the lab's console logs
 *   (boot, agent start, power off, disk boot) and the agents' logs (lookup, the write);
 * - the write phase: from the first byte written by any agent to the last agent's fsync
 *   done (the agents log each write's duration); the aggregate write rate is the bytes
 *   written / that time. Beside it dd of the same bytes: rate ratio write/dd, and the
 *   whole deploy's rate (bytes / deploy → active) against dd as well;
 * - CPU seconds spent during the write phase by this process (API + conductor + the file
 *   server that serves the image + the lab) and by the agents, per GiB written, with the
 *   load average before and after.
 * Every disk is checked afterwards (the marker file read back) so that a fast wrong deploy
 * does not count. `--keep` keeps the work folder (lab logs) and prints where it is.
 */
import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pino from 'pino';
import { loadConfig } from '../src/config/config.ts';
import { startService } from '../src/bin/service.ts';
import { startRedfishLab } from '../src/lab/redfish/index.ts';
import { machinePaths } from '../src/lab/redfish/machine-files.ts';
import { buildDemoImage, readMarker } from '../src/lab/demo-image.ts';
import { IngotClient } from '../src/client/index.ts';

const run = promisify(execFile);
const args = process.argv.slice(2);
const flag = (name: string, d: string) => { const i = args.indexOf(name); return i >= 0 && args[i + 1] ? args[i + 1]! : d; };
const machines = Number(flag('--machines', '16'));
const sizeMiB = Number(flag('--size-mib', '512'));
const out = flag('--out', '');
const keep = args.includes('--keep') || process.env.BENCH_KEEP === '1';
const say = (s: string) => console.log(`  ${s}`);
const MiB = 1024 * 1024;


/** CPU seconds (user+sys) of this process and of its reaped children (the agents), from /proc. */
function cpuSeconds(): { self: number; children: number } {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // Fields after the command: state is index 0, so utime = 11, stime = 12, cutime = 13, cstime = 14.
  const hz = 100;
  return { self: (Number(f[11]) + Number(f[12])) / hz, children: (Number(f[13]) + Number(f[14])) / hz };
}

/** One timestamped console line: `<ISO time> text`. */
interface Line { t: number; text: string }
function lines(text: string): Line[] {
  return text.split('\n').flatMap((l) => {
    const m = /^(\d{4}-\d\d-\d\dT[\d:.]+Z) (.*)$/.exec(l);
    return m ? [{ t: Date.parse(m[1]!), text: m[2]! }] : [];
  });
}
const find = (ls: Line[], re: RegExp, from = 0) => ls.find((l) => l.t >= from && re.test(l.text)) ?? null;

interface MachineTimes {
  /** Seconds after the deploy requests. */
  bootIso: number; agentStarted: number; agentListening: number; lookup: number;
  writeStart: number; firstByte: number; writeEnd: number; fsyncSeconds: number;
  poweredOff: number; diskBoot: number; active: number; bytes: number;
}

const median = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor((s.length - 1) / 2)]!; };

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'ingot-bench-deploy-'));
  try {
    say(`building a ${sizeMiB} MiB raw image`);
    const image = await buildDemoImage(join(dir, 'image'), { sizeMiB, name: 'bench' });

    writeFileSync(join(dir, 'vmlinuz'), 'stand-in kernel\n');
    writeFileSync(join(dir, 'initrd'), 'stand-in ramdisk\n');
    const lab = await startRedfishLab({ machines, port: 0, taskDelayMs: 100, agents: { dataDir: join(dir, 'lab'), diskSizeBytes: 8 * 1024 ** 3 } });
    const config = loadConfig(process.env, { port: 0, httpPort: 0, host: '127.0.0.1', dataDir: dir, db: join(dir, 'ingot.db'), workers: 100 });
    // The service's log (BENCH_LOG_LEVEL=debug|info…, default silent) goes to <work folder>/service.log.
    const level = process.env.BENCH_LOG_LEVEL ?? 'silent';
    const logger = level === 'silent' ? pino({ level }) : pino({ level }, pino.destination(join(dir, 'service.log')));
    const svc = await startService(config, { logger });
    mkdirSync(join(config.httpRoot, 'images'), { recursive: true });
    copyFileSync(image.raw, join(config.httpRoot, 'images', 'disk.raw'));
    const api = new IngotClient({ endpoint: svc.url });
    try {
      say(`enrolling ${machines} redfish nodes (direct deploy), manage + provide (automated cleaning off)`);
      await Promise.all(lab.machines.map(async (m, i) => {
        const name = `bench-${i}`;
        const node = await api.createNode({
          name, driver: 'redfish', boot_interface: 'redfish-virtual-media', deploy_interface: 'direct', automated_clean: false,
          driver_info: {
            redfish_address: lab.url, redfish_system_id: `/redfish/v1/Systems/${m.id}`, redfish_username: 'admin', redfish_password: 'password',
            deploy_kernel: join(dir, 'vmlinuz'), deploy_ramdisk: join(dir, 'initrd'),
          },
          properties: { capabilities: 'boot_mode:uefi' },
          instance_info: { image_source: `${config.httpUrl}/images/disk.raw`, image_os_hash_algo: 'sha256', image_os_hash_value: image.rawSha256, image_disk_format: 'raw' },
        });
        for (const nic of m.nics) await api.call('POST', '/v1/ports', { node_uuid: node.uuid, address: nic.mac.toLowerCase() });
        await api.setProvisionState(name, 'manage');
        await api.waitForState(name, 'manageable', { timeoutMs: 300_000 });
        await api.setProvisionState(name, 'provide');
        await api.waitForState(name, 'available', { timeoutMs: 300_000 });
      }));

      // dd: the same bytes, the same filesystem, N copies at once, fsync'd as the agent does;
      // through the page cache (conv=fsync) and, as the agent writes, direct (oflag=direct).
      // The ratio is taken against the faster of the two.
      const ddDir = join(dir, 'dd');
      const loadBefore = loadavg();
      const dd = async (flags: string[]): Promise<number> => {
        mkdirSync(ddDir, { recursive: true });
        const d0 = Date.now();
        await Promise.all(Array.from({ length: machines }, (_, i) =>
          run('dd', [`if=${image.raw}`, `of=${join(ddDir, `copy${i}`)}`, 'bs=4M', ...flags, 'status=none'])));
        const secs = (Date.now() - d0) / 1000;
        rmSync(ddDir, { recursive: true, force: true });
        return secs;
      };
      const ddBufferedSeconds = await dd(['conv=fsync']);
      const ddDirectSeconds = await dd(['oflag=direct', 'conv=fsync']);
      const ddSeconds = Math.min(ddBufferedSeconds, ddDirectSeconds);

      say(`deploying ${machines} nodes at once`);
      const cpu0 = cpuSeconds();
      const t0 = Date.now();
      const actives = await Promise.all(lab.machines.map(async (_m, i) => {
        await api.setProvisionState(`bench-${i}`, 'active');
        await api.waitForState(`bench-${i}`, 'active', { timeoutMs: 1_800_000, intervalMs: 250 });
        return Date.now();
      }));
      const cpu1 = cpuSeconds();
      const loadAfter = loadavg();
      const deploySeconds = (Math.max(...actives) - t0) / 1000;
      for (const m of lab.machines) {
        if ((await readMarker(machinePaths(lab.hosts!.dataDir, m).disk)) !== image.marker) throw new Error(`machine ${m.id}: the image is not on its disk`);
      }

      // Where the time went, per machine, from the consoles.
      const s = (t: number) => (t - t0) / 1000;
      const per: MachineTimes[] = lab.machines.map((m, i) => {
        const lab1 = lines(lab.hosts!.status(m.id).log.join('\n'));
        if (keep) writeFileSync(join(machinePaths(lab.hosts!.dataDir, m).dir, 'lab-console.log'), lab.hosts!.status(m.id).log.join('\n') + '\n');
        const agent = lines(readFileSync(machinePaths(lab.hosts!.dataDir, m).agentLog, 'utf8').replace(/ ingot agent: /g, ' '));
        const need = (ls: Line[], re: RegExp, from = t0): Line => {
          const l = find(ls, re, from);
          if (!l) throw new Error(`machine ${m.id}: no console line ${re} after the deploy request`);
          return l;
        };
        const written = need(agent, /streamed onto .*: \d+ bytes in [\d.]+ s/);
        const [, bytes, secs, fsync] = /: (\d+) bytes in ([\d.]+) s .*fsync ([\d.]+) s/.exec(written.text) ?? [];
        if (bytes === undefined) throw new Error(`machine ${m.id}: cannot read the write's figures in: ${written.text}`);
        const boot = need(lab1, /^booting from Cd/);
        return {
          bootIso: s(boot.t),
          agentStarted: s(need(lab1, /^agent started/).t),
          agentListening: s(need(agent, /command API listening/).t),
          lookup: s(need(agent, /^lookup: /).t),
          writeStart: s(need(agent, /^Writing image /).t),
          firstByte: s(written.t) - Number(secs),
          writeEnd: s(written.t),
          fsyncSeconds: Number(fsync),
          poweredOff: s(need(lab1, /^power off/, written.t).t),
          diskBoot: s(need(lab1, /^booted from disk/, written.t).t),
          active: s(actives[i]!),
          bytes: Number(bytes),
        };
      });
      const writeStart = Math.min(...per.map((p) => p.firstByte));
      const writeEnd = Math.max(...per.map((p) => p.writeEnd));
      const writeSeconds = writeEnd - writeStart;
      const bytes = per.reduce((a, p) => a + p.bytes, 0);
      if (bytes !== machines * image.rawSize) throw new Error(`the agents wrote ${bytes} bytes, expected ${machines * image.rawSize}`);
      const writeMiBps = bytes / MiB / writeSeconds;
      const deployMiBps = bytes / MiB / deploySeconds;
      const ddMiBps = bytes / MiB / ddSeconds;
      const phases: Array<[string, (p: MachineTimes) => number]> = [
        ['deploy request → lab boots the ISO (prepare, ISO, virtual media, reboot)', (p) => p.bootIso],
        ['lab boots the ISO → agent process started (ISO download, boot config read)', (p) => p.agentStarted - p.bootIso],
        ['agent process started → its command API listening (Node + TypeScript start)', (p) => p.agentListening - p.agentStarted],
        ['agent listening → lookup done', (p) => p.lookup - p.agentListening],
        ['lookup → write_image starts (heartbeat, get_deploy_steps, write_image)', (p) => p.writeStart - p.lookup],
        ['write_image starts → first byte written (checksum, open the URL)', (p) => p.firstByte - p.writeStart],
        ['first byte → written and fsync done (the write)', (p) => p.writeEnd - p.firstByte],
        ['  of which the last buffer and fsync', (p) => p.fsyncSeconds],
        ['written → powered off (heartbeat, boot loader, boot device, power off)', (p) => p.poweredOff - p.writeEnd],
        ['powered off → booted from disk', (p) => p.diskBoot - p.poweredOff],
        ['booted from disk → active (seen by the poll, 0.25 s)', (p) => p.active - p.diskBoot],
      ];
      const phaseTable = Object.fromEntries(phases.map(([name, f]) => {
        const xs = per.map(f);
        return [name, { median: median(xs), max: Math.max(...xs) }];
      }));
      // CPU of the write phase: the whole deploy's CPU is what can be measured per process
      // tree; the write dominates it, and the figure is an upper bound for the write alone.
      const cpuSelf = cpu1.self - cpu0.self;
      const cpuAgents = cpu1.children - cpu0.children;
      const gib = bytes / 1024 ** 3;
      const result = {
        machines, imageBytes: image.rawSize, bytesWritten: bytes,
        deploySeconds, firstActiveSeconds: Math.min(...per.map((p) => p.active)),
        writeSeconds, writeMiBps,
        ddSeconds, ddMiBps, ddBufferedSeconds, ddDirectSeconds,
        ratioWriteToDd: writeMiBps / ddMiBps,
        ratioDeployToDd: deployMiBps / ddMiBps,
        deployMiBps,
        phasesSeconds: phaseTable,
        cpuSeconds: { serviceAndLab: cpuSelf, agents: cpuAgents, perGiB: (cpuSelf + cpuAgents) / gib, serviceAndLabPerGiB: cpuSelf / gib, agentsPerGiB: cpuAgents / gib },
        loadAverage: { beforeDd: loadBefore, afterDeploy: loadAfter },
        perMachine: per,
      };
      say(`deploy → active: all ${machines} in ${deploySeconds.toFixed(1)} s (first ${result.firstActiveSeconds.toFixed(1)} s)`);
      for (const [name, v] of Object.entries(phaseTable)) say(`  ${name}: median ${v.median.toFixed(2)} s, max ${v.max.toFixed(2)} s`);
      say(`write phase (first byte written → last fsync done, all machines): ${writeSeconds.toFixed(1)} s, ${writeMiBps.toFixed(1)} MiB/s aggregate`);
      say(`dd of the same bytes (${machines} at once, bs=4M): conv=fsync ${ddBufferedSeconds.toFixed(1)} s, oflag=direct conv=fsync ${ddDirectSeconds.toFixed(1)} s; ` +
        `the faster: ${ddMiBps.toFixed(1)} MiB/s`);
      say(`ratio write/dd: ${result.ratioWriteToDd.toFixed(2)} (goal ≥ 0.8); whole deploy (bytes / deploy → active) / dd: ${result.ratioDeployToDd.toFixed(2)}`);
      say(`CPU during the deploy: service+lab ${cpuSelf.toFixed(1)} s, agents ${cpuAgents.toFixed(1)} s = ${result.cpuSeconds.perGiB.toFixed(1)} CPU-s per GiB written`);
      say(`load average before dd ${loadBefore.map((x) => x.toFixed(2)).join(' ')}, after the deploy ${loadAfter.map((x) => x.toFixed(2)).join(' ')}`);
      say('every disk checked (marker file read back)');
      if (out) writeFileSync(out, JSON.stringify(result, null, 2));
    } finally {
      await svc.close();
      await lab.close();
    }
  } finally {
    if (keep) say(`work folder kept: ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  }
}

main().then(() => process.exit(0), (err) => { console.error(`bench/deploy failed: ${err instanceof Error ? err.stack : String(err)}`); process.exit(1); });
