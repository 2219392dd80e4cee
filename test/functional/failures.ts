/**
 * One line per failing test of python-ironicclient's functional suite, from the stestr
 * run.log that ../shared/peer/ironic/run_client_functional.sh writes: the test id and
 * the one-line cause (what the CLI printed on stderr, and what the test expected).
 *
 * Usage: node --import tsx test/functional/failures.ts RUN_LOG
 */
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';

export interface Failure { id: string; cause: string }

const PREFIX = 'ironicclient.tests.functional.';

/** Decode the body of a Python bytes literal `b'...'` (the escapes the suite prints). */
function pyBytes(s: string): string {
  return s.replace(/\\n/g, '\n').replace(/\\'/g, "'").replace(/\\"/g, '"').replace(/\\\\/g, '\\');
}

function firstLine(s: string): string {
  return s.split('\n').map((l) => l.trim()).find((l) => l !== '') ?? '';
}

/** The cause of one failure from its captured traceback block. */
export function causeOf(block: string): string {
  const stderrs = [...block.matchAll(/stderr:\s*\n\s*b(['"])([\s\S]*?)\1"?[ \t]*\n/g)].map((m) => firstLine(pyBytes(m[2]!)));
  const stderr = stderrs.filter(Boolean).at(-1) ?? '';
  const errors = [...block.matchAll(/^\s*((?:[\w]+\.)*\w*(?:Error|Exception|Failed|Mismatch\w*)): (.*)$/gm)];
  const last = errors.at(-1);
  const cut = (s: string, n = 220) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);
  if (last) {
    const [, kind, msg] = last;
    const regexMismatch = /^"(.*?)" does not match "Command /.exec(msg!);
    if (regexMismatch) return cut(`expected an error matching "${regexMismatch[1]}", CLI said: ${stderr || '(nothing)'}`);
    if (/CommandFailed$/.test(kind!)) return cut(`CLI failed: ${stderr || msg}`);
    const tail = stderr && !msg!.includes(stderr) ? ` | CLI stderr: ${stderr}` : '';
    return cut(`${kind!.split('.').at(-1)}: ${msg}${tail}`);
  }
  return cut(stderr ? `CLI stderr: ${stderr}` : firstLine(block) || '(no traceback captured)');
}

/** Every FAILED test of a stestr subunit-trace log, in order. */
export function failuresOf(log: string): Failure[] {
  const lines = log.split('\n');
  const out: Failure[] = [];
  for (let i = 0; i < lines.length; i++) {
    const m = /^\{\d+\} (\S+) \[[^\]]*\] \.\.\. FAILED$/.exec(lines[i]!);
    if (!m) continue;
    let j = i + 1;
    while (j < lines.length && !/^\{\d+\} \S+ /.test(lines[j]!) && !/^={6}$/.test(lines[j]!)) j++;
    const id = m[1]!.startsWith(PREFIX) ? m[1]!.slice(PREFIX.length) : m[1]!;
    out.push({ id, cause: causeOf(lines.slice(i + 1, j).join('\n')) });
  }
  return out;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const file = process.argv[2];
  if (!file) { console.error('usage: failures.ts RUN_LOG'); process.exit(2); }
  for (const f of failuresOf(readFileSync(file, 'utf8'))) console.log(`  ${f.id}: ${f.cause}`);
}
