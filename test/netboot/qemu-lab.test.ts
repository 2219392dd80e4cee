/**
 * The lab's QEMU-backed machines without Ingot: the Redfish BMC model drives the QEMU
 * process (power on boots a fresh process with the chosen device, power off ends it), a
 * boot that cannot happen says why, and a QEMU that dies is reported Off with its reason.
 * Needs root (namespace, tap) and qemu-system-x86.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { startRedfishLab, type RedfishLab } from '../../src/lab/redfish/index.ts';
import { createLabNetwork, labNetworkUnavailable, netnsExists } from '../../src/lab/qemu/netns.ts';
import { DEBIAN_OVMF } from '../../src/lab/qemu/hosts.ts';
import { existsSync } from 'node:fs';

function missing(): string | null {
  const why = labNetworkUnavailable();
  if (why) return why;
  if (spawnSync('qemu-system-x86_64', ['--version'], { stdio: 'ignore', timeout: 5000 }).error) return 'qemu-system-x86_64 is not installed (apt-get install qemu-system-x86)';
  return null;
}
const skip = missing();
if (skip && process.env.CI) throw new Error(`QEMU lab test cannot run: ${skip}`);

async function until<T>(what: string, fn: () => T | null | undefined | false, timeoutMs = 30_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
const alive = (pid: number): boolean => { try { process.kill(pid, 0); return true; } catch { return false; } };

test('QEMU lab machines: power on/off drive the QEMU process; failed boots and dead QEMUs say why', { skip: skip ?? false, timeout: 120_000 }, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'ingot-qemu-lab-'));
  const net = createLabNetwork({ prefix24: '10.77.43' });
  let lab: RedfishLab | undefined;
  let broken: RedfishLab | undefined;
  try {
    lab = await startRedfishLab({ machines: 1, qemu: { network: net, dataDir: dir, diskSizeBytes: 64 * 1024 * 1024, memoryMb: 128 } });
    const m = lab.machine(0);
    const q = lab.qemu!;
    assert.equal((await stat(q.status(m.id).disk)).size, 64 * 1024 * 1024);

    // Boot from Cd with nothing inserted: the machine is On but runs nothing, and says why.
    m.setBootOverride({ BootSourceOverrideTarget: 'Cd', BootSourceOverrideEnabled: 'Once' });
    m.reset('On');
    const nothing = await until('the failed CD boot', () => q.status(m.id).state === 'nothing' && q.status(m.id));
    assert.match(nothing.reason!, /no virtual media inserted/);
    m.reset('ForceOff');

    // Power on from the (blank) disk: a QEMU process runs, with the NIC on the lab bridge.
    m.reset('On');
    const running = await until('QEMU running', () => q.status(m.id).state === 'running' && q.status(m.id));
    const pid = running.pid!;
    assert.ok(alive(pid));
    assert.match(spawnSync('ip', ['-n', net.ns, 'link', 'show', 'qtap0'], { encoding: 'utf8' }).stdout, /master br0/);
    assert.match(await readFile(running.serialLog, 'utf8'), /ingot lab: power on, boot Hdd \(disk\)/);
    // Power off ends the process.
    m.reset('ForceOff');
    await until('QEMU gone', () => !alive(pid) && q.status(m.id).state === 'off');
    assert.equal(m.power, 'Off');
    await lab.close();
    lab = undefined;

    // A QEMU that dies at once: the BMC reports Off, the status keeps QEMU's last words.
    broken = await startRedfishLab({ machines: 1, qemu: { network: net, dataDir: dir, diskSizeBytes: 64 * 1024 * 1024, memoryMb: 128, accel: 'no-such-accel' as 'tcg' } });
    const b = broken.machine(0);
    b.reset('On');
    await until('the BMC to see the dead QEMU', () => b.power === 'Off' && broken!.qemu!.status(b.id).reason);
    assert.match(broken.qemu!.status(b.id).reason!, /QEMU exited \(1\).*accelerator/i);
    assert.match(await broken.qemu!.explain(b.id), /serial console/);
  } finally {
    await lab?.close();
    await broken?.close();
    net.close();
    await rm(dir, { recursive: true, force: true });
  }
  assert.equal(netnsExists(net.ns), false);
});

test('a UEFI QEMU lab machine runs OVMF with its own copy of the variables and network-boots first when the BMC says Pxe', { skip: skip ?? (existsSync(DEBIAN_OVMF.code) ? false : 'OVMF is not installed (apt-get install ovmf)'), timeout: 120_000 }, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'ingot-qemu-lab-uefi-'));
  const net = createLabNetwork({ prefix24: '10.77.44' });
  let lab: RedfishLab | undefined;
  try {
    lab = await startRedfishLab({ machines: 1, qemu: { network: net, dataDir: dir, diskSizeBytes: 64 * 1024 * 1024, memoryMb: 256, firmware: DEBIAN_OVMF } });
    const m = lab.machine(0);
    // A network boot: OVMF tries its own PXE client on the machine's NIC first.
    m.setBootOverride({ BootSourceOverrideTarget: 'Pxe', BootSourceOverrideEnabled: 'Once', BootSourceOverrideMode: 'UEFI' });
    m.reset('On');
    const s = lab.qemu!.status(m.id);
    const end = Date.now() + 90_000;
    const firstTried = async () => /BdsDxe: (?:loading|failed to load) Boot\d+ "([^"]+)"/.exec(await readFile(s.serialLog, 'utf8').catch(() => ''))?.[1];
    while (!(await firstTried())) {
      assert.ok(Date.now() < end, `no OVMF output on the serial console:\n${await lab.qemu!.explain(m.id)}`);
      await new Promise((r) => setTimeout(r, 500));
    }
    assert.match((await firstTried())!, /^UEFI PXEv4 \(MAC:525400000000\)/);
    assert.ok(existsSync(join(dirname(s.disk), 'OVMF_VARS.fd')));
    m.reset('ForceOff');
  } finally {
    await lab?.close();
    net.close();
    await rm(dir, { recursive: true, force: true });
  }
});
