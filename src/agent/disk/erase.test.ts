/**
 * The erase clean steps really wipe: metadata erase leaves no partition table and no
 * filesystem signature (checked with sgdisk, blkid); a full erase leaves only zeros
 * and keeps the disk file sparse and its size.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { stat, open } from 'node:fs/promises';
import { LabMachine } from '../hardware/lab.ts';
import { makeMachine, readRange, requireTools, testAgent } from '../test-support.ts';

const MiB = 1024 * 1024;
const run = (cmd: string, args: string[]) => { try { return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }); } catch (e) { return String((e as { stdout?: string }).stdout ?? ''); } };

async function diskWithFs(size: number) {
  requireTools('sgdisk', 'mkfs.ext4', 'blkid', 'wipefs', 'fallocate', 'sfdisk');
  const m = await makeMachine([size]);
  const path = m.desc.disks[0]!.path;
  execFileSync('sgdisk', ['-n', '1:2048:+16M', '-t', '1:8300', path]);
  // An ext4 filesystem inside partition 1 (offset 1 MiB), made on a loop-free offset.
  execFileSync('mkfs.ext4', ['-q', '-F', '-E', `offset=${MiB}`, path, '16M']);
  return { m, path };
}

test('erase_devices_metadata wipes partition tables (both GPT copies) and filesystem signatures', async (t) => {
  const { m, path } = await diskWithFs(64 * MiB);
  t.after(() => m.close());
  assert.match(run('blkid', ['-p', '-o', 'value', '-s', 'TYPE', '-O', String(MiB), path]), /ext4/);
  const { executor } = testAgent(new LabMachine(m.desc));
  const step = { interface: 'deploy', step: 'erase_devices_metadata', args: {}, priority: 99, abortable: true, reboot_requested: false };
  const r = await executor.execute('clean.execute_clean_step', { step, node: {}, ports: [], clean_version: { generic_hardware_manager: '1.1' } });
  await r.done;
  assert.equal(r.status, 'SUCCEEDED', JSON.stringify(r.toJSON().command_error));
  assert.deepEqual(r.toJSON().command_result, { clean_result: null, clean_step: step });
  assert.doesNotMatch(run('sgdisk', ['-p', path]), /^\s+1\s+2048/m, 'no partition left');
  assert.equal(run('blkid', ['-p', '-o', 'value', '-s', 'TYPE', '-O', String(MiB), path]).trim(), '', 'no ext4 signature left');
  assert.ok((await readRange(path, 64 * MiB - MiB, MiB)).every((b) => b === 0), 'backup GPT at the end zeroed');
  assert.ok((await readRange(path, 0, MiB)).every((b) => b === 0), 'MBR and primary GPT zeroed');
  assert.equal((await stat(path)).size, 64 * MiB);
});

test('erase_devices zeroes the whole disk and keeps the file sparse', async (t) => {
  requireTools('fallocate');
  const m = await makeMachine([32 * MiB]);
  t.after(() => m.close());
  const path = m.desc.disks[0]!.path;
  const fh = await open(path, 'r+');
  for (const off of [0, 7 * MiB + 5, 20 * MiB, 32 * MiB - 4096]) await fh.write(randomBytes(4096), 0, 4096, off);
  await fh.close();
  const { executor } = testAgent(new LabMachine(m.desc));
  const step = { interface: 'deploy', step: 'erase_devices', args: {}, priority: 10, abortable: true, reboot_requested: false };
  const r = await executor.execute('clean.execute_clean_step', { step, node: {}, ports: [], clean_version: { generic_hardware_manager: '1.1' } });
  await r.done;
  assert.equal(r.status, 'SUCCEEDED', JSON.stringify(r.toJSON().command_error));
  assert.deepEqual(r.toJSON().command_result, { clean_result: { '/dev/sda': null }, clean_step: step });
  for (let off = 0; off < 32 * MiB; off += 4 * MiB) {
    assert.ok((await readRange(path, off, 4 * MiB)).every((b) => b === 0), `zeros at ${off}`);
  }
  const st = await stat(path);
  assert.equal(st.size, 32 * MiB);
  assert.ok(st.blocks * 512 < MiB, `sparse after erase (${st.blocks * 512} bytes allocated)`);
});

test('clean steps as IPA 9.4.3 offers them; a version mismatch is CLEAN_VERSION_MISMATCH; an unknown step fails', async (t) => {
  const m = await makeMachine([8 * MiB]);
  t.after(() => m.close());
  const { executor } = testAgent(new LabMachine(m.desc));
  const steps = await executor.execute('clean.get_clean_steps', { node: {}, ports: [] });
  assert.deepEqual(steps.toJSON().command_result, {
    clean_steps: { GenericHardwareManager: [
      { step: 'erase_devices', priority: 10, interface: 'deploy', reboot_requested: false, abortable: true },
      { step: 'erase_devices_metadata', priority: 99, interface: 'deploy', reboot_requested: false, abortable: true },
    ] },
    hardware_manager_version: { generic_hardware_manager: '1.1' },
  });
  const step = { interface: 'deploy', step: 'erase_devices', args: {} };
  const mm = await executor.execute('clean.execute_clean_step', { step, node: {}, ports: [], clean_version: { generic_hardware_manager: '1.0' } });
  await mm.done;
  assert.equal(mm.status, 'CLEAN_VERSION_MISMATCH');
  assert.equal(mm.toJSON().command_error?.type, 'VersionMismatch');
  const un = await executor.execute('clean.execute_clean_step', { step: { interface: 'deploy', step: 'burnin_cpu', args: {} }, node: {}, ports: [] });
  await un.done;
  assert.equal(un.status, 'FAILED');
  assert.match(un.toJSON().command_error!.details, /burnin_cpu/);
});
