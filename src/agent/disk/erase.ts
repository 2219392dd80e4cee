/**
 * Clean steps that wipe disks, as IPA's GenericHardwareManager:
 * - erase_devices_metadata: every partition's and the disk's signatures
 *   (`wipefs --force --all` on the disk; the first and last MiB of every partition
 *   zeroed, which holds filesystem/RAID superblocks), then the partition tables
 *   (`sgdisk -Z`; the first and last MiB of the disk zeroed, covering the MBR, the
 *   primary GPT and the backup GPT at the end).
 * - erase_devices: the whole disk. A disk file gets its blocks punched out
 *   (`fallocate --punch-hole`: it reads as zeros and stays sparse); a block device is
 *   shredded (`shred --force --zero --iterations 1`, IPA's default of one random pass
 *   and a zero pass).
 */
import { open, stat } from 'node:fs/promises';
import { run } from '../proc.ts';
import { blockDeviceEraseError } from '../errors.ts';
import type { Disk } from '../hardware/types.ts';
import { readPartitionTable } from './partitions.ts';

const MIB = 1024 * 1024;

async function zeroRange(path: string, offset: number, length: number): Promise<void> {
  if (length <= 0) return;
  const fh = await open(path, 'r+');
  try {
    const zeros = Buffer.alloc(Math.min(length, 4 * MIB));
    let done = 0;
    while (done < length) {
      const n = Math.min(zeros.length, length - done);
      done += (await fh.write(zeros, 0, n, offset + done)).bytesWritten;
    }
    await fh.sync();
  } finally {
    await fh.close();
  }
}

async function zeroEnds(path: string, offset: number, size: number): Promise<void> {
  const head = Math.min(MIB, size);
  await zeroRange(path, offset, head);
  const tailStart = Math.max(offset + head, offset + size - MIB);
  await zeroRange(path, tailStart, offset + size - tailStart);
}

export async function eraseDevicesMetadata(disks: Disk[], log: (m: string) => void): Promise<void> {
  const failures: string[] = [];
  for (const disk of disks) {
    try {
      const table = await readPartitionTable(disk.path);
      for (const p of table?.partitions ?? []) await zeroEnds(disk.path, p.offset, p.size);
      await run('wipefs', ['--force', '--all', disk.path]);
      await run('sgdisk', ['-Z', disk.path], { allowCodes: [2] });
      await zeroEnds(disk.path, 0, disk.size);
      log(`Erased metadata of ${disk.name}`);
    } catch (err) {
      failures.push(`${disk.name}: ${(err as Error).message}`);
    }
  }
  if (failures.length) throw blockDeviceEraseError(`Failed to erase the metadata on the device(s): ${failures.join('; ')}`);
}

export async function eraseDevices(disks: Disk[], disksAreFiles: boolean, log: (m: string) => void): Promise<Record<string, null>> {
  const failures: string[] = [];
  const result: Record<string, null> = {};
  for (const disk of disks) {
    try {
      if (disksAreFiles || (await stat(disk.path)).isFile()) {
        try {
          await run('fallocate', ['--punch-hole', '--keep-size', '--offset', '0', '--length', String(disk.size), disk.path]);
        } catch {
          await zeroRange(disk.path, 0, disk.size);
        }
      } else {
        await run('shred', ['--force', '--zero', '--iterations', '1', disk.path]);
      }
      result[disk.name] = null;
      log(`Erased ${disk.name}`);
    } catch (err) {
      failures.push(`${disk.name}: ${(err as Error).message}`);
    }
  }
  if (failures.length) throw blockDeviceEraseError(`Failed to erase device(s): ${failures.join('; ')}`);
  return result;
}
