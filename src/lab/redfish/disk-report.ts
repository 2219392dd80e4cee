/**
 * What a lab machine's disk holds, read from its file as a booting machine would find it:
 * the partition table as `sfdisk --json` reads it (GPT or MBR; null when there is none),
 * and the NVRAM boot entries the agent recorded (`install_bootloader`).
 *
 * @module
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import type { AgentMachineNvram } from '../../contracts/agent-machine.ts';

export interface PartitionTable {
  label: 'gpt' | 'dos' | string;
  id: string;
  unit: string;
  partitions: Array<{ node: string; start: number; size: number; type: string; uuid?: string; name?: string }>;
  [k: string]: unknown;
}

export interface DiskReport {
  path: string;
  exists: boolean;
  size: number;
  /** Null: no partition table (a blank or wiped disk). */
  partitionTable: PartitionTable | null;
  /** sfdisk's complaint when it could not read the disk for another reason. */
  error: string | null;
}

/** `sfdisk` lives in /usr/sbin, which is not on every user's PATH. */
function sfdisk(): string {
  return ['/usr/sbin/sfdisk', '/sbin/sfdisk'].find((p) => existsSync(p)) ?? 'sfdisk';
}

function run(cmd: string, args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((ok) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { err += d.toString(); });
    child.on('error', (e) => ok({ code: null, out, err: e.message }));
    child.on('close', (code) => ok({ code, out, err }));
  });
}

export async function readDisk(path: string): Promise<DiskReport> {
  const st = await stat(path).catch(() => null);
  if (!st) return { path, exists: false, size: 0, partitionTable: null, error: null };
  const r = await run(sfdisk(), ['--json', path]);
  if (r.code === 0) {
    const parsed = JSON.parse(r.out) as { partitiontable: PartitionTable };
    return { path, exists: true, size: st.size, partitionTable: parsed.partitiontable, error: null };
  }
  const blank = /does not contain a recognized partition table/.test(r.err);
  return { path, exists: true, size: st.size, partitionTable: null, error: blank ? null : r.err.trim() || `sfdisk exited with ${r.code}` };
}

/** The machine's NVRAM description, or null when none was written (or it is unreadable). */
export async function readNvram(path: string): Promise<AgentMachineNvram | null> {
  try {
    const v = JSON.parse(await readFile(path, 'utf8')) as AgentMachineNvram;
    return Array.isArray(v.bootEntries) ? v : null;
  } catch {
    return null;
  }
}
