/**
 * Lab machines that boot: an agent ISO built by Ingot's ISO builder and served by the
 * conductor's file server is inserted, the machine powers on from Cd, downloads it, reads
 * its boot configuration and starts the agent command with a machine description that
 * agrees with the BMC. Powering off stops the agent; booting from disk reports the disk.
 *
 * The agent here is a stand-in script (the `agentCommand` option) that records its argv
 * and machine file, so this checks the lab's part; the real `ingot agent` is the agent's.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AgentMachine } from '../../contracts/agent-machine.ts';
import { startFileServer } from '../../conductor/file-server.ts';
import { prepareAgentIso } from '../../drivers/shared/agent-iso.ts';
import type { HostStatus } from './host.ts';
import { startRedfishLab, type RedfishLab, type RedfishLabOptions } from './lab.ts';
import { call, until } from './testkit.ts';

const STAND_IN = `
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
const out = process.env.STANDIN_OUT;
const file = process.argv[process.argv.indexOf('--lab-machine') + 1];
writeFileSync(out + '/.run-' + process.pid, JSON.stringify({ argv: process.argv.slice(2), machine: JSON.parse(readFileSync(file, 'utf8')) }));
renameSync(out + '/.run-' + process.pid, out + '/run-' + process.pid + '.json');
process.on('SIGTERM', () => {
  writeFileSync(out + '/term-' + process.pid, '');
  if (!process.env.STANDIN_IGNORE_TERM) process.exit(0);
});
setInterval(() => {}, 1000);
`;

const MiB = 1024 * 1024;

async function setup(t: { after(fn: () => unknown): void }, agents: Partial<NonNullable<RedfishLabOptions['agents']>> = {}, env: Record<string, string> = {}) {
  const dir = await mkdtemp(join(tmpdir(), 'ingot-labhost-'));
  const out = join(dir, 'runs');
  execFileSync('mkdir', ['-p', out]);
  await writeFile(join(dir, 'stand-in.mjs'), STAND_IN);
  await writeFile(join(dir, 'kernel'), 'stand-in kernel: not executed');
  await writeFile(join(dir, 'ramdisk'), 'stand-in ramdisk: not executed');
  const httpRoot = join(dir, 'httpboot');
  execFileSync('mkdir', ['-p', httpRoot]);
  const files = await startFileServer({ root: httpRoot, host: '127.0.0.1', port: 0 });
  const lab = await startRedfishLab({
    machines: 2, port: 0, host: '127.0.0.1', shape: { cpus: 2, coresPerCpu: 4, memoryGiB: 16 },
    agents: {
      dataDir: join(dir, 'lab'), diskSizeBytes: (m) => (64 + m.index) * MiB, agentCommand: [process.execPath, join(dir, 'stand-in.mjs')],
      agentEnv: { STANDIN_OUT: out, ...env }, stopTimeoutMs: 2000, ...agents,
    },
  });
  t.after(async () => { await lab.close(); await files.close(); await rm(dir, { recursive: true, force: true }); });
  /** Builds the agent ISO for a node in `mode` as the conductor does and returns its URL. */
  const iso = async (uuid: string, mode: 'uefi' | 'bios'): Promise<string> => (await prepareAgentIso(
    { httpRoot, httpUrl: () => files.url, apiUrl: () => 'http://192.0.2.1:6385', defaultBootMode: mode },
    { node: { uuid, driver_info: { deploy_kernel: join(dir, 'kernel'), deploy_ramdisk: join(dir, 'ramdisk') }, instance_info: {}, properties: {} },
      mode: 'deploy', subdir: 'redfish', params: [['ipa-agent-token', 'tok3n'], ['boot_method', 'vmedia']] },
  )).url;
  const runs = (): Array<{ pid: number; argv: string[]; machine: AgentMachine }> => readdirSync(out).filter((f) => f.startsWith('run-'))
    .map((f) => ({ pid: Number(f.slice(4, -5)), ...JSON.parse(readFileSync(join(out, f), 'utf8')) }));
  const terminated = (pid: number): boolean => existsSync(join(out, `term-${pid}`));
  return { dir, lab, files, iso, runs, terminated };
}

async function status(lab: RedfishLab, id: string): Promise<HostStatus> {
  return (await call(lab, 'GET', `/lab/machines/${id}/boot`, { auth: 'none' })).body as HostStatus;
}

const settled = (lab: RedfishLab, id: string, state: string) => until(async () => {
  const s = await status(lab, id);
  return s.state === state ? s : null;
}, 30_000);

/** Insert `url` and boot from it once, through the BMC model (as a Redfish client would). */
function bootFromIso(lab: RedfishLab, i: number, url: string, mode: 'UEFI' | 'Legacy' = 'UEFI'): void {
  const m = lab.machines[i]!;
  m.insertMedia('CD1', { Image: url, Inserted: true });
  m.setBootOverride({ BootSourceOverrideTarget: 'Cd', BootSourceOverrideEnabled: 'Once', BootSourceOverrideMode: mode });
  m.reset('On');
}

test('UEFI boot from virtual media starts the agent with a machine description read from the ISO and the BMC; ForceOff stops it', async (t) => {
  const { lab, iso, runs, terminated } = await setup(t);
  const m = lab.machines[0]!;
  const url = await iso('aaaaaaaa-0000-4000-8000-000000000001', 'uefi');
  bootFromIso(lab, 0, url);
  const st = await settled(lab, m.id, 'agent');
  assert.equal(st.bootEntry?.loader, 'grub');
  assert.equal(st.bootEntry?.configPath, '/EFI/BOOT/grub.cfg');

  const run = await until(() => runs()[0], 30_000);
  const file = join(lab.hosts!.dataDir, m.id, 'machine.json');
  assert.deepEqual(run.argv, ['agent', '--lab-machine', file, '--port', String(st.agent!.port), '--host', '127.0.0.1']);
  const desc = run.machine;
  assert.equal(desc.version, 1);
  assert.equal(desc.labId, m.id);
  assert.match(desc.kernelCmdline, /^BOOT_IMAGE=\/vmlinuz nofb nomodeset vga=normal ir_pub_id=\S+ ipa-api-url=http:\/\/192\.0\.2\.1:6385 ipa-agent-token=tok3n boot_method=vmedia --$/);
  assert.equal(desc.bootMode, 'uefi');
  assert.deepEqual(desc.nics.map((n) => n.macAddress), m.nics.map((n) => n.mac.toLowerCase()));
  assert.equal(desc.nics.filter((n) => n.pxe).length, 1);

  const sys = (await call(lab, 'GET', `/redfish/v1/Systems/${m.id}`)).body;
  assert.equal(desc.cpu.count, sys.ProcessorSummary.LogicalProcessorCount);
  assert.equal(desc.cpu.modelName, sys.ProcessorSummary.Model);
  assert.equal(desc.memoryBytes, sys.MemorySummary.TotalSystemMemoryGiB * 1024 ** 3);
  assert.equal(desc.physicalMemoryMb, 16 * 1024);
  assert.equal(desc.systemVendor.manufacturer, sys.Manufacturer);
  assert.equal(desc.disks.length, 1);
  const disk = desc.disks[0]!;
  assert.equal(disk.size, 64 * MiB);
  const ds = statSync(disk.path);
  assert.equal(ds.size, 64 * MiB);
  assert.ok(ds.blocks * 512 < MiB, 'the disk is a sparse file');
  assert.ok(disk.path.startsWith(lab.hosts!.dataDir));
  assert.equal(desc.nvramPath, join(lab.hosts!.dataDir, m.id, 'nvram.json'));
  assert.equal(desc.powerControlUrl, `${lab.url}/lab/machines/${m.id}/power`);
  assert.equal(lab.machines[1]!.power, 'Off', 'the other machine is untouched');
  const all = (await call(lab, 'GET', '/lab/hosts', { auth: 'none' })).body.hosts;
  assert.deepEqual(all.map((h: HostStatus) => h.state), ['agent', 'off']);

  const off = await call(lab, 'POST', `/redfish/v1/Systems/${m.id}/Actions/ComputerSystem.Reset`, { body: { ResetType: 'ForceOff' } });
  assert.ok(off.status < 300);
  await settled(lab, m.id, 'off');
  assert.equal(terminated(run.pid), true, 'the agent got SIGTERM');
  assert.equal(m.power, 'Off');
});

test('Legacy boot reads isolinux.cfg; the agent reboots through powerControlUrl into the disk, which reports its partition table', async (t) => {
  const { lab, iso, runs, terminated } = await setup(t);
  const m = lab.machines[1]!;
  bootFromIso(lab, 1, await iso('aaaaaaaa-0000-4000-8000-000000000002', 'bios'), 'Legacy');
  const st = await settled(lab, m.id, 'agent');
  assert.equal(st.bootEntry?.configPath, '/isolinux/isolinux.cfg');
  const run = await until(() => runs()[0], 30_000);
  assert.match(run!.machine.kernelCmdline, /^BOOT_IMAGE=\/vmlinuz initrd=\/initrd text nofb nomodeset vga=normal ir_pub_id=\S+ ipa-api-url=http:\/\/192\.0\.2\.1:6385 /);
  assert.equal(run!.machine.bootMode, 'bios');
  assert.equal(run!.machine.disks[0]!.size, 65 * MiB, 'per-machine disk size');

  // The agent reboots the machine: the Once override was used, so it boots from its (blank) disk.
  const r = await fetch(run!.machine.powerControlUrl!, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"action":"reboot"}' });
  assert.equal(r.status, 202);
  const blank = await settled(lab, m.id, 'nothing');
  assert.equal(terminated(run!.pid), true);
  assert.equal(blank.device, 'Hdd');
  assert.match(blank.reason!, /no bootable disk: the disk has no partition table/);
  assert.equal(m.power, 'On');

  // What a deploy leaves: a GPT disk and an NVRAM boot entry.
  const diskPath = run!.machine.disks[0]!.path;
  execFileSync('sgdisk', ['-n', '1:2048:+8M', '-t', '1:ef00', '-c', '1:esp', '-n', '2:0:0', diskPath], { stdio: 'ignore' });
  await writeFile(run!.machine.nvramPath, JSON.stringify({ bootEntries: [{ label: 'ironic1', disk: '/dev/sda', partition: '1', loader: '\\EFI\\BOOT\\BOOTX64.EFI' }], bootOrder: [0] }));
  assert.equal((await fetch(run!.machine.powerControlUrl!, { method: 'POST', body: '{"action":"reboot"}', headers: { 'content-type': 'application/json' } })).status, 202);
  const booted = await settled(lab, m.id, 'disk');
  assert.match(booted.log.join('\n'), /booted from disk: gpt partition table, 2 partition\(s\); NVRAM boot entries: ironic1/);
  const report = (await call(lab, 'GET', `/lab/machines/${m.id}/disk`, { auth: 'none' })).body;
  assert.equal(report.disks[0].partitionTable.label, 'gpt');
  assert.deepEqual(report.disks[0].partitionTable.partitions.map((p: { name?: string }) => p.name ?? null), ['esp', null]);
  assert.equal(report.nvramHasBootEntry, true);
  assert.equal(report.disks[0].size, 65 * MiB);

  assert.equal((await fetch(`${lab.url}/lab/machines/${m.id}/power`, { method: 'POST', body: '{"action":"off"}', headers: { 'content-type': 'application/json' } })).status, 202);
  await settled(lab, m.id, 'off');
  assert.equal(m.power, 'Off');
  assert.equal(runs().length, 1, 'booting from disk starts no agent');
});

test('faults: an unreachable ISO, an ISO that does not boot in the machine\'s mode, an agent that cannot start — the machine runs nothing and says why', async (t) => {
  const { lab, iso, files, dir } = await setup(t);
  const m = lab.machines[0]!;
  bootFromIso(lab, 0, `${files.url}/redfish/missing.iso`);
  let s = await settled(lab, m.id, 'nothing');
  assert.match(s.reason!, /cannot download http:\/\/127\.0\.0\.1:\d+\/redfish\/missing\.iso: HTTP 404/);
  assert.equal(m.power, 'On', 'the BMC is unaffected');

  m.reset('ForceOff');
  m.ejectMedia('CD1');
  bootFromIso(lab, 0, await iso('aaaaaaaa-0000-4000-8000-000000000003', 'bios'), 'UEFI');
  s = await settled(lab, m.id, 'nothing');
  assert.match(s.reason!, /no El Torito UEFI boot image \(found: BIOS\)/);

  m.reset('ForceOff');
  m.ejectMedia('CD1');
  const plain = join(dir, 'httpboot', 'plain.iso');
  execFileSync('xorriso', ['-as', 'mkisofs', '-o', plain, join(dir, 'kernel')], { stdio: 'ignore' });
  bootFromIso(lab, 0, `${files.url}/plain.iso`);
  s = await settled(lab, m.id, 'nothing');
  assert.match(s.reason!, /no El Torito UEFI boot image \(found: none\)/);

  m.reset('ForceOff');
  m.ejectMedia('CD1');
  await writeFile(join(dir, 'httpboot', 'junk.iso'), 'not an iso');
  bootFromIso(lab, 0, `${files.url}/junk.iso`);
  s = await settled(lab, m.id, 'nothing');
  assert.match(s.reason!, /not a readable ISO 9660 image/);

  const bad = await call(lab, 'POST', `/lab/machines/${m.id}/power`, { auth: 'none', body: { action: 'explode' } });
  assert.equal(bad.status, 400);
  assert.equal((await call(lab, 'GET', '/lab/machines/nope/boot', { auth: 'none' })).status, 404);
});

test('an agent command that does not exist; an agent that ignores SIGTERM is killed', async (t) => {
  const missing = await setup(t, { agentCommand: ['/nonexistent/ingot'] });
  bootFromIso(missing.lab, 0, await missing.iso('aaaaaaaa-0000-4000-8000-000000000004', 'uefi'));
  const s = await settled(missing.lab, missing.lab.machines[0]!.id, 'nothing');
  assert.match(s.reason!, /the agent could not be started: spawn \/nonexistent\/ingot ENOENT/);

  const stubborn = await setup(t, { stopTimeoutMs: 300 }, { STANDIN_IGNORE_TERM: '1' });
  const m = stubborn.lab.machines[0]!;
  bootFromIso(stubborn.lab, 0, await stubborn.iso('aaaaaaaa-0000-4000-8000-000000000005', 'uefi'));
  await settled(stubborn.lab, m.id, 'agent');
  const run = await until(() => stubborn.runs()[0], 30_000);
  m.reset('ForceOff');
  const off = await settled(stubborn.lab, m.id, 'off');
  assert.equal(stubborn.terminated(run!.pid), true, 'SIGTERM first');
  assert.deepEqual(off.agent?.exit, { code: null, signal: 'SIGKILL' }, 'then SIGKILL');
});

test('restarts in quick succession leave exactly one agent running', async (t) => {
  const { lab, iso, runs } = await setup(t);
  const m = lab.machines[0]!;
  m.insertMedia('CD1', { Image: await iso('aaaaaaaa-0000-4000-8000-000000000006', 'uefi') });
  m.setBootOverride({ BootSourceOverrideTarget: 'Cd', BootSourceOverrideEnabled: 'Continuous' });
  m.reset('On');
  m.reset('ForceRestart');
  m.reset('ForceRestart');
  const st = await settled(lab, m.id, 'agent');
  await until(() => runs().some((r) => r.pid === st.agent!.pid), 30_000);
  const alive = (pid: number): boolean => { try { process.kill(pid, 0); return true; } catch { return false; } };
  assert.deepEqual(runs().filter((r) => alive(r.pid)).map((r) => r.pid), [st.agent!.pid]);
  m.reset('ForceOff');
  await settled(lab, m.id, 'off');
  await until(() => !alive(st.agent!.pid), 30_000);
});
