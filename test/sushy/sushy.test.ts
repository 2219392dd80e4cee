/**
 * Conformance against a real Redfish client: Debian's python3-sushy drives the lab BMC.
 *
 * The lab runs in this process; `sushy_check.py` runs under /usr/bin/python3 (asynchronously, so
 * the lab keeps answering) and prints one JSON line per step. The test then checks both what sushy
 * saw and what the lab recorded (state and hooks). Skips, naming the package, when python3-sushy
 * is not installed; CI installs it.
 */
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { test } from 'node:test';
import { defaultMockupsDir, isMockupDir, PROFILE_ALIASES, startRedfishLab } from '../../src/lab/redfish/index.ts';

const PYTHON = '/usr/bin/python3';
const SCRIPT = fileURLToPath(new URL('./sushy_check.py', import.meta.url));
const probe = spawnSync(PYTHON, ['-c', 'import sushy'], { encoding: 'utf8' });
const noSushy = probe.status === 0 ? false
  : `python3-sushy is not installed (apt-get install -y python3-sushy): ${PYTHON} -c 'import sushy' failed: ${(probe.stderr || String(probe.error ?? '')).trim().split('\n').pop()}`;

interface Step { step: string; ok: boolean; error?: string; [k: string]: unknown }

const IMAGE = 'http://images.lab.test/deploy.iso';

/** Profiles to check, with a writable BIOS attribute and a value different from its default. */
const CASES: Array<{ profile: string; attr: string; value: unknown; raid?: boolean }> = [
  { profile: 'generic', attr: 'ProcTurboMode', value: 'Disabled', raid: true },
  { profile: 'hpe-ilo5', attr: 'AcpiHpet', value: 'Disabled' },
  { profile: 'dmtf-tower', attr: 'ProcTurboMode', value: 'Disabled' },
];

function runScript(args: string[]): Promise<{ code: number; steps: Step[]; raw: string }> {
  // NOTE: python-requests honours proxy variables; the lab is on loopback.
  const env = { ...process.env, NO_PROXY: '127.0.0.1,localhost', no_proxy: '127.0.0.1,localhost', PYTHONWARNINGS: 'ignore' };
  return new Promise((resolve) => {
    execFile(PYTHON, [SCRIPT, ...args], { env, timeout: 120_000 }, (err, stdout, stderr) => {
      const steps = stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Step);
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolve({ code, steps, raw: `${stdout}\n${stderr}` });
    });
  });
}

for (const c of CASES) {
  const needsMockup = c.profile !== 'generic' && !isMockupDir(join(defaultMockupsDir(), PROFILE_ALIASES[c.profile] ?? c.profile));
  const skip = noSushy || (needsMockup ? `mockups folder ${defaultMockupsDir()} is absent` : false);

  test(`sushy drives the ${c.profile} profile: systems, power, boot once/continuous, virtual media, BIOS`, { skip, timeout: 180_000 }, async (t) => {
    const lab = await startRedfishLab({ machines: 2, profile: c.profile });
    t.after(() => lab.close());
    const target = lab.machines[1]!;
    const other = lab.machines[0]!;
    const boots: Array<[string, string, string | null]> = [];
    lab.hooks.onBootFrom((id, device, media) => boots.push([id, device, media]));
    const before = target.bios!.current[c.attr];

    const { code, steps, raw } = await runScript([
      '--url', lab.url, '--system', `/redfish/v1/Systems/${target.id}`,
      '--bios-attr', c.attr, '--bios-value', JSON.stringify(c.value), '--image', IMAGE, ...(c.raid ? ['--raid'] : []),
    ]);
    const failed = steps.find((s) => !s.ok);
    assert.equal(failed, undefined, `sushy step failed: ${JSON.stringify(failed)}\n${raw}`);
    assert.equal(code, 0, raw);
    const byName = new Map(steps.map((s) => [s.step, s]));
    assert.deepEqual([...byName.keys()], ['connect', 'list-systems', 'bad-credentials', 'power', 'boot-once', 'boot-continuous',
      'vmedia-insert', 'boot-from-cd', 'vmedia-eject', 'bios', ...(c.raid ? ['raid'] : []), 'logout']);
    if (c.raid) {
      assert.deepEqual(byName.get('raid')!.raid_types, ['RAID0', 'RAID1', 'RAID5', 'RAID6', 'RAID10']);
      assert.equal(byName.get('raid')!.capacity, 10 * 2 ** 30);
      assert.deepEqual(target.storage[0]!.volumes, [], 'created through the task monitor, then deleted');
    }

    assert.deepEqual(byName.get('list-systems')!.members, lab.machines.map((m) => `/redfish/v1/Systems/${m.id}`).sort());
    assert.equal(byName.get('bad-credentials')!.status, 401);
    assert.match(String(byName.get('connect')!.session), /^\/redfish\/v1\/SessionService\/Sessions\/[0-9a-f]+$/);
    assert.deepEqual(byName.get('bios')!.pending, c.value);
    assert.deepEqual(byName.get('bios')!.before, before);

    // What the lab itself recorded.
    assert.equal(target.power, 'Off');
    assert.deepEqual(target.bios!.current[c.attr], c.value, 'applied on the reboot');
    assert.deepEqual(target.bios!.pending, {});
    assert.ok(target.virtualMedia.every((v) => !v.inserted));
    assert.deepEqual([target.boot.target, target.boot.enabled], ['None', 'Disabled'], 'the Once override was consumed by the CD boot');
    assert.deepEqual(boots.filter(([, device]) => device === 'Cd'), [[target.id, 'Cd', IMAGE]]);
    assert.ok(boots.every(([id]) => id === target.id), 'only the driven machine booted');
    assert.equal(other.power, 'Off');
    assert.equal(lab.machines[0]!.bios!.current[c.attr], before, 'the other machine keeps its BIOS');
    const res = await fetch(`${lab.url}/redfish/v1/SessionService/Sessions`, {
      headers: { authorization: `Basic ${Buffer.from('admin:password').toString('base64')}` },
    });
    assert.equal(((await res.json()) as { Members: unknown[] }).Members.length, 0, 'sushy logged out');
  });
}
