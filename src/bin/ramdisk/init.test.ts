/**
 * The ramdisk's /init as a shell program: it parses (busybox sh -n), and its power
 * handling works as PID 1 needs: the agent runs in the background, and the signals that
 * busybox's poweroff (USR2) and reboot (TERM) send to init reach the trap that powers
 * off or reboots for real (here the real commands are replaced by echo).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { INIT_SCRIPT, UDHCPC_SCRIPT } from './init.ts';

const shell = spawnSync('busybox', ['sh', '-c', 'true']).error ? 'sh' : 'busybox';
const sh = (script: string, args: string[] = []) => spawnSync(shell, shell === 'busybox' ? ['sh', ...args, '-c', script] : [...args, '-c', script], { encoding: 'utf8', timeout: 10_000 });

test('/init and the udhcpc script are valid shell', () => {
  for (const s of [INIT_SCRIPT, UDHCPC_SCRIPT]) {
    const r = spawnSync(shell, shell === 'busybox' ? ['sh', '-n'] : ['-n'], { input: s, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
  }
  assert.equal(sh('exit 3').status, 3);
});

test('/init: poweroff (USR2) and reboot (TERM) sent to it while the agent runs end in the real power commands', async () => {
  const tail = INIT_SCRIPT.slice(INIT_SCRIPT.indexOf('trap '), INIT_SCRIPT.indexOf('exec /bin/sh'))
    .replace('/usr/bin/node /ingot.js agent --api-url "$API" &', 'sleep 5 >/dev/null 2>&1 &')
    .replaceAll('poweroff -f', 'echo REAL-POWEROFF; exit 0').replaceAll('reboot -f', 'echo REAL-REBOOT; exit 0');
  for (const [sig, want] of [['SIGUSR2', 'REAL-POWEROFF'], ['SIGTERM', 'REAL-REBOOT']] as const) {
    const child = spawn(shell, shell === 'busybox' ? ['sh', '-c', tail] : ['-c', tail], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    while (!out.includes('starting agent')) await new Promise((r) => setTimeout(r, 50));
    child.kill(sig);
    const code = await new Promise((r) => child.once('close', r));
    assert.match(out, new RegExp(want), out);
    assert.equal(code, 0);
  }
});
