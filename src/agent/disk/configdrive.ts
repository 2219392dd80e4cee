/**
 * The config drive of a whole-disk image, written as IPA (ironic-lib's
 * create_config_drive_partition) does: the `configdrive` parameter is a URL or
 * gzip+base64 text (plain base64 of an ISO also accepted); at most 64 MiB; an existing
 * partition labelled `config-2` is reused, else a new 64 MiB partition is made at the
 * end of the disk (GPT: `sgdisk -n 0:-64MB:0`; MBR: `parted mkpart primary -64MiB -0`,
 * refused when the 4 primary slots are taken); the image is then written into it.
 */
import { gunzipSync } from 'node:zlib';
import { open } from 'node:fs/promises';
import { request } from 'undici';
import { run } from '../proc.ts';
import { configDriveError } from '../errors.ts';
import type { Disk } from '../hardware/types.ts';
import { partitionLabel, partitionName, readPartitionTable, type Partition } from './partitions.ts';

export const MAX_CONFIG_DRIVE_BYTES = 64 * 1024 * 1024;

/** The config drive's bytes from the conductor's parameter. */
export async function decodeConfigDrive(configdrive: string, nodeUuid: string): Promise<Buffer> {
  let data: Buffer;
  if (/^https?:\/\//.test(configdrive)) {
    const res = await request(configdrive, { method: 'GET' });
    if (res.statusCode !== 200) {
      await res.body.dump();
      throw configDriveError(`Can't download the configdrive content for node ${nodeUuid} from ${configdrive}: HTTP ${res.statusCode}`);
    }
    const chunks: Buffer[] = [];
    let total = 0;
    for await (const c of res.body as unknown as AsyncIterable<Buffer>) {
      total += c.length;
      if (total > 2 * MAX_CONFIG_DRIVE_BYTES) { res.body.destroy(); break; }
      chunks.push(c);
    }
    data = Buffer.concat(chunks);
    // A downloaded config drive may itself be gzip+base64 text (what Ironic stores).
    const text = data.subarray(0, 64).toString('latin1');
    if (/^[A-Za-z0-9+/=\s]+$/.test(text)) data = Buffer.from(data.toString('latin1'), 'base64');
  } else {
    if (!/^[A-Za-z0-9+/=\s]*$/.test(configdrive)) {
      throw configDriveError(`Config drive for node ${nodeUuid} is not base64 encoded or the content is malformed.`);
    }
    data = Buffer.from(configdrive, 'base64');
  }
  if (data.length >= 2 && data[0] === 0x1f && data[1] === 0x8b) {
    try {
      data = gunzipSync(data, { maxOutputLength: MAX_CONFIG_DRIVE_BYTES + 1 });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
        throw configDriveError(`Config drive size exceeds maximum limit of 64MiB for node ${nodeUuid}.`);
      }
      throw configDriveError(`Encountered error while decompressing the config drive for node ${nodeUuid}: ${(err as Error).message}`);
    }
  }
  if (data.length > MAX_CONFIG_DRIVE_BYTES) {
    throw configDriveError(`Config drive size exceeds maximum limit of 64MiB. Size of the given config drive is ` +
      `${Math.ceil(data.length / 1024 / 1024)} MiB for node ${nodeUuid}.`);
  }
  if (data.length === 0) throw configDriveError(`Config drive for node ${nodeUuid} is empty.`);
  return data;
}

async function findConfigPartition(disk: Disk): Promise<Partition | null> {
  const table = await readPartitionTable(disk.path);
  const found: Partition[] = [];
  for (const p of table?.partitions ?? []) {
    if ((await partitionLabel(disk.path, p))?.toLowerCase() === 'config-2') found.push(p);
  }
  if (found.length > 1) throw configDriveError(`More than one partition with label "config-2" exists on device ${disk.name}.`);
  return found[0] ?? null;
}

async function createConfigPartition(disk: Disk, nodeUuid: string): Promise<Partition> {
  const before = await readPartitionTable(disk.path);
  const known = new Set((before?.partitions ?? []).map((p) => p.offset));
  if (before?.label === 'gpt') {
    await run('sgdisk', ['-n', '0:-64MB:0', disk.path]);
  } else {
    const primaries = (before?.partitions ?? []).filter((p) => p.number <= 4).length;
    if (primaries >= 4) {
      throw configDriveError(`Config drive cannot be created for node ${nodeUuid}. Disk (${disk.name}) uses MBR ` +
        `partitioning and already has ${primaries} primary partitions.`);
    }
    // A label written now would overwrite the image's first sector: refuse, as ironic-lib's parted call fails.
    if (!before) {
      throw configDriveError(`Config drive cannot be created for node ${nodeUuid}: the image written to ${disk.name} ` +
        'has no partition table. Use a whole-disk image with an MBR or GPT partition table.');
    }
    await run('parted', ['-a', 'optimal', '-s', '--', disk.path, 'mkpart', 'primary', 'fat32', '-64MiB', '-0']);
  }
  const after = await readPartitionTable(disk.path);
  const created = (after?.partitions ?? []).find((p) => !known.has(p.offset));
  if (!created) throw configDriveError(`Creating the config drive partition on ${disk.name} for node ${nodeUuid} left no new partition.`);
  return created;
}

/** Writes the config drive; returns the partition's device name. */
export async function writeConfigDrive(disk: Disk, configdrive: string, nodeUuid: string, log: (m: string) => void): Promise<string> {
  const data = await decodeConfigDrive(configdrive, nodeUuid);
  let part = await findConfigPartition(disk);
  if (part) {
    log(`Reusing config drive partition ${partitionName(disk.name, part.number)} on ${disk.name}`);
  } else {
    part = await createConfigPartition(disk, nodeUuid);
    log(`Created config drive partition ${partitionName(disk.name, part.number)} on ${disk.name}`);
  }
  if (data.length > part.size) {
    throw configDriveError(`Config drive (${data.length} bytes) is larger than its partition ${partitionName(disk.name, part.number)} ` +
      `(${part.size} bytes) on ${disk.name}.`);
  }
  const fh = await open(disk.path, 'r+');
  try {
    let off = 0;
    while (off < data.length) off += (await fh.write(data, off, data.length - off, part.offset + off)).bytesWritten;
    await fh.sync();
  } finally {
    await fh.close();
  }
  return partitionName(disk.name, part.number);
}
