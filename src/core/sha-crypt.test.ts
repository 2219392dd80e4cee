/**
 * SHA-crypt against independent implementations: OpenSSL's `passwd -5/-6` (Debian
 * `openssl`) for the same salt, Drepper's published test vectors for `rounds=`, and
 * Python's `crypt` (glibc) when Debian's python3 still has the module.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { shaCrypt, makeSalt, hashPassword } from './sha-crypt.ts';

function openssl(flag: '-5' | '-6', salt: string, password: string): string {
  const r = spawnSync('openssl', ['passwd', flag, '-salt', salt, '-stdin'], { input: password, encoding: 'utf8' });
  if (r.error) throw new Error(`openssl is needed for this test (Debian package openssl): ${r.error.message}`);
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim();
}

const CASES: [string, string][] = [
  ['secret pw', 'abcdefgh12345678'],
  ['Hello world!', 'saltstring'],
  ['x', 'a'],
  ['p'.repeat(100), './ABCxyz09'],
  ['pässwörd ✓', 'QWERTYuiop./1234'],
  ['a password exactly 32 bytes long', 'S4lt'],
];

test('$5$ and $6$ hashes equal openssl passwd for the same salt', () => {
  for (const [pw, salt] of CASES) {
    assert.equal(shaCrypt(pw, `$5$${salt}`), openssl('-5', salt, pw), `sha256 ${pw}`);
    assert.equal(shaCrypt(pw, `$6$${salt}`), openssl('-6', salt, pw), `sha512 ${pw}`);
  }
});

test('Drepper\'s test vectors with rounds= (salt cut to 16 characters, rounds clamped)', () => {
  assert.equal(shaCrypt('Hello world!', '$5$rounds=10000$saltstringsaltstring'), '$5$rounds=10000$saltstringsaltst$3xv.VbSHBb41AL9AvLeujZkZRBAwqFMz2.opqey6IcA');
  assert.equal(shaCrypt('Hello world!', '$6$rounds=10000$saltstringsaltstring'),
    '$6$rounds=10000$saltstringsaltst$OW1/O6BYHV6BcXZu8QVeXbDWra3Oeqh0sbHbbMCVNSnCM/UrjmM0Dp8vOuZeHBy/YTBmSK6H9qs/y3RnOaw5v.');
  assert.equal(shaCrypt('we have a short salt string but not a short password', '$5$rounds=77777$short'),
    '$5$rounds=77777$short$JiO1O3ZpDAxGJeaDIuqCoEFysAe1mZNJRs3pw0KQRd/');
  assert.equal(shaCrypt('the minimum number is still observed', '$5$rounds=10$roundstoolow'),
    '$5$rounds=1000$roundstoolow$yfvwcWrQ8l/K0DAWyuPMDNHpIVlTQebY9l/gL972bIC');
});

test('agrees with glibc crypt(3) through Python, where the crypt module exists', (t) => {
  const py = '/usr/bin/python3';
  if (!existsSync(py)) throw new Error('Debian python3 (/usr/bin/python3) is needed for this test');
  const probe = spawnSync(py, ['-W', 'ignore', '-c', 'import crypt'], { encoding: 'utf8' });
  if (probe.status !== 0) { t.skip('this python3 has no crypt module (removed in 3.13)'); return; }
  for (const setting of ['$5$rounds=5000$abc', '$6$rounds=2000$0123456789abcdefXYZ', makeSalt('sha256'), makeSalt('sha512')]) {
    const want = execFileSync(py, ['-W', 'ignore', '-c', 'import crypt,sys; print(crypt.crypt(sys.argv[1], sys.argv[2]))', 'rescue me', setting], { encoding: 'utf8' }).trim();
    assert.equal(shaCrypt('rescue me', setting), want, setting);
  }
});

test('hashPassword makes a fresh 16-character salt of the chosen algorithm that verifies', () => {
  const h1 = hashPassword('pw', 'sha256');
  const h2 = hashPassword('pw', 'sha256');
  assert.match(h1, /^\$5\$[./0-9A-Za-z]{16}\$[./0-9A-Za-z]{43}$/);
  assert.notEqual(h1, h2);
  assert.equal(shaCrypt('pw', h1), h1, 'the hash is its own setting string, as crypt(3) verifies');
  assert.notEqual(shaCrypt('pW', h1), h1);
  assert.match(hashPassword('pw', 'sha512'), /^\$6\$[./0-9A-Za-z]{16}\$[./0-9A-Za-z]{86}$/);
  assert.throws(() => shaCrypt('pw', '$1$md5'), /\$5\$ or \$6\$/);
});
