/**
 * Partition tables of a device or a disk file, read with `sfdisk --json` (works on
 * both), and filesystem labels probed with `blkid -p -O OFFSET -S SIZE`, so the same
 * code serves /dev/sda and a lab machine's sparse file.
 */
import { run } from '../proc.ts';

export interface Partition {
  /** 1-based partition number. */
  number: number;
  /** Byte offset and size on the disk. */
  offset: number;
  size: number;
  type: string;
}

export interface PartitionTable { label: 'gpt' | 'dos' | string; sectorSize: number; partitions: Partition[] }

interface SfdiskJson {
  partitiontable: {
    label: string; sectorsize?: number;
    partitions?: { node: string; start: number; size: number; type: string }[];
  };
}

/** The table, or null when the disk has none. */
export async function readPartitionTable(path: string): Promise<PartitionTable | null> {
  const res = await run('sfdisk', ['--json', path], { allowCodes: [1] });
  if (res.code !== 0 || !res.stdout.trim()) return null;
  const j = JSON.parse(res.stdout) as SfdiskJson;
  const ss = j.partitiontable.sectorsize ?? 512;
  return {
    label: j.partitiontable.label,
    sectorSize: ss,
    partitions: (j.partitiontable.partitions ?? []).map((p) => ({
      number: Number(/(\d+)$/.exec(p.node)?.[1] ?? 0),
      offset: p.start * ss, size: p.size * ss, type: p.type,
    })),
  };
}

/** Filesystem LABEL inside a partition, or null. */
export async function partitionLabel(path: string, part: Partition): Promise<string | null> {
  const res = await run('blkid', ['-p', '-o', 'export', '-O', String(part.offset), '-S', String(part.size), path], { allowCodes: [2] });
  const m = /^LABEL=(.*)$/m.exec(res.stdout);
  return m ? m[1]!.trim() : null;
}

/** `/dev/sda` + 2 → `/dev/sda2`; `/dev/nvme0n1` + 2 → `/dev/nvme0n1p2`. */
export function partitionName(disk: string, n: number): string {
  return /\d$/.test(disk) ? `${disk}p${n}` : `${disk}${n}`;
}
