/**
 * SHA-crypt (`$5$` SHA-256 and `$6$` SHA-512 password hashes of glibc's crypt(3)), written
 * from Ulrich Drepper's public specification "Unix crypt using SHA-256 and SHA-512".
 * Ironic hashes the rescue password this way (`crypt.crypt(pw, crypt.mksalt(METHOD_SHA256))`)
 * and the agent writes the result into the rescue system's /etc/shadow, so the string must
 * be exactly what crypt(3) produces for the same salt: sha-crypt.test.ts checks it against
 * `openssl passwd -5/-6` and Python's `crypt`.
 */
import { createHash, randomInt } from 'node:crypto';

export type ShaCryptAlgorithm = 'sha256' | 'sha512';

const ALPHABET = './0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const DEFAULT_ROUNDS = 5000;
const MIN_ROUNDS = 1000;
const MAX_ROUNDS = 999_999_999;
const MAX_SALT = 16;

const PREFIX: Record<ShaCryptAlgorithm, string> = { sha256: '$5$', sha512: '$6$' };

/** Byte order of the final encoding: triples (b2, b1, b0), then the tail. */
const ORDER_256: number[][] = [[0, 10, 20], [21, 1, 11], [12, 22, 2], [3, 13, 23], [24, 4, 14], [15, 25, 5], [6, 16, 26], [27, 7, 17], [18, 28, 8], [9, 19, 29]];
const ORDER_512: number[][] = [[0, 21, 42], [22, 43, 1], [44, 2, 23], [3, 24, 45], [25, 46, 4], [47, 5, 26], [6, 27, 48], [28, 49, 7], [50, 8, 29], [9, 30, 51],
  [31, 52, 10], [53, 11, 32], [12, 33, 54], [34, 55, 13], [56, 14, 35], [15, 36, 57], [37, 58, 16], [59, 17, 38], [18, 39, 60], [40, 61, 19], [62, 20, 41]];

function b64(b2: number, b1: number, b0: number, n: number): string {
  let w = (b2 << 16) | (b1 << 8) | b0;
  let out = '';
  for (let i = 0; i < n; i++) {
    out += ALPHABET[w & 0x3f];
    w >>>= 6;
  }
  return out;
}

/** `len` bytes of `block` repeated. */
function repeatTo(block: Buffer, len: number): Buffer {
  const out = Buffer.alloc(len);
  for (let off = 0; off < len; off += block.length) block.copy(out, off, 0, Math.min(block.length, len - off));
  return out;
}

/**
 * crypt(3) of `password` with a `$5$…` / `$6$…` setting string (salt, optionally preceded
 * by `rounds=N$`); returns the full hash string, e.g. `$5$salt$hash`.
 */
export function shaCrypt(password: string, setting: string): string {
  const algo: ShaCryptAlgorithm | undefined = setting.startsWith('$5$') ? 'sha256' : setting.startsWith('$6$') ? 'sha512' : undefined;
  if (!algo) throw new Error('SHA-crypt setting must start with $5$ or $6$');
  let rest = setting.slice(3);
  let rounds = DEFAULT_ROUNDS;
  let roundsCustom = false;
  const m = /^rounds=(\d+)\$/.exec(rest);
  if (m) {
    rounds = Math.min(MAX_ROUNDS, Math.max(MIN_ROUNDS, Number(m[1])));
    roundsCustom = true;
    rest = rest.slice(m[0].length);
  }
  const end = rest.indexOf('$');
  const saltText = (end === -1 ? rest : rest.slice(0, end)).slice(0, MAX_SALT);
  const P = Buffer.from(password, 'utf8');
  const S = Buffer.from(saltText, 'utf8');
  const H = () => createHash(algo);
  const hashLen = algo === 'sha256' ? 32 : 64;

  const B = H().update(P).update(S).update(P).digest();
  const a = H().update(P).update(S);
  let cnt = P.length;
  for (; cnt > hashLen; cnt -= hashLen) a.update(B);
  a.update(B.subarray(0, cnt));
  for (cnt = P.length; cnt > 0; cnt >>= 1) a.update(cnt & 1 ? B : P);
  const A = a.digest();

  const dp = H();
  for (let i = 0; i < P.length; i++) dp.update(P);
  const Pseq = repeatTo(dp.digest(), P.length);
  const ds = H();
  for (let i = 0; i < 16 + A[0]!; i++) ds.update(S);
  const Sseq = repeatTo(ds.digest(), S.length);

  let C = A;
  for (let i = 0; i < rounds; i++) {
    const c = H();
    c.update(i & 1 ? Pseq : C);
    if (i % 3) c.update(Sseq);
    if (i % 7) c.update(Pseq);
    c.update(i & 1 ? C : Pseq);
    C = c.digest();
  }

  let enc = '';
  for (const [x, y, z] of algo === 'sha256' ? ORDER_256 : ORDER_512) enc += b64(C[x!]!, C[y!]!, C[z!]!, 4);
  enc += algo === 'sha256' ? b64(0, C[31]!, C[30]!, 3) : b64(0, 0, C[63]!, 2);
  return `${PREFIX[algo]}${roundsCustom ? `rounds=${rounds}$` : ''}${saltText}$${enc}`;
}

/** Python's `crypt.mksalt(METHOD_SHA256 / METHOD_SHA512)`: 16 random salt characters, default rounds. */
export function makeSalt(algo: ShaCryptAlgorithm): string {
  let s = '';
  for (let i = 0; i < MAX_SALT; i++) s += ALPHABET[randomInt(ALPHABET.length)];
  return `${PREFIX[algo]}${s}`;
}

/** Ironic's `utils.hash_password`: crypt(3) with a fresh salt of the configured algorithm. */
export function hashPassword(password: string, algo: ShaCryptAlgorithm): string {
  return shaCrypt(password, makeSalt(algo));
}
