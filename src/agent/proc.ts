/**
 * Running the Linux tools the agent relies on (qemu-img, sgdisk, sfdisk, parted, blkid,
 * wipefs, lsblk, dmidecode, ...). A missing tool or a non-zero exit is an Error whose
 * message names the command, its exit code and stderr, so it can reach `last_error`.
 */
import { spawn } from 'node:child_process';

export interface RunResult { stdout: string; stderr: string; code: number }

export class ProcessError extends Error {
  constructor(readonly cmd: string, readonly code: number | null, readonly stdout: string, readonly stderr: string) {
    super(`${cmd} failed with exit code ${code}: ${stderr.trim() || stdout.trim()}`);
  }
}

export function run(cmd: string, args: string[], opts: { allowCodes?: number[]; input?: string } = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: [opts.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'], env: { ...process.env, LC_ALL: 'C' } });
    let stdout = '';
    let stderr = '';
    child.stdout!.setEncoding('utf8').on('data', (d: string) => { stdout += d; });
    child.stderr!.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
    child.on('error', (err: NodeJS.ErrnoException) => {
      reject(err.code === 'ENOENT' ? new Error(`${cmd} is not installed (needed by the agent)`) : err);
    });
    child.on('close', (code) => {
      const c = code ?? -1;
      if (c === 0 || opts.allowCodes?.includes(c)) resolve({ stdout, stderr, code: c });
      else reject(new ProcessError(`${cmd} ${args.join(' ')}`, code, stdout, stderr));
    });
    if (child.stdin) {
      // A tool that exits before reading its input must not crash the agent (EPIPE).
      child.stdin.on('error', () => {});
      child.stdin.end(opts.input);
    }
  });
}
