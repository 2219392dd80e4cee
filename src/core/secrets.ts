/**
 * Secret masking as oslo.utils does it for Ironic's API responses (mask_password,
 * mask_dict_password). One implementation for every view that shows user-supplied data.
 */
import type { Json } from './node.ts';

export const SECRET = '******';
/** oslo.utils strutils._SANITIZE_KEYS: a key containing one of these (case-insensitive) is secret. */
const SANITIZE_KEYS = [
  'adminpass', 'admin_pass', 'password', 'admin_password', 'auth_token', 'new_pass', 'auth_password', 'secret_uuid',
  'secret', 'sys_pswd', 'token', 'configdrive', 'chappassword', 'encrypted_key', 'private_key', 'fernetkey', 'sslkey',
  'passphrase', 'cephclusterfsid', 'octaviaheartbeatkey', 'rabbitcookie', 'cephmanilaclientkey',
  'pacemakerremoteauthkey', 'designaterndckey', 'cephadminkey', 'heatauthencryptionkey', 'cephclientkey',
  'keystonecredential', 'barbicansimplecryptokek', 'cephrgwkey', 'swifthashsuffix', 'migrationsshkey', 'cephmdskey',
  'cephmonkey',
];

const ANY_KEY = new RegExp(SANITIZE_KEYS.join('|'), 'i');

/**
 * False when masking cannot change `json` (JSON text of a dict): both the key rule and
 * the value rule of mask_dict_password need one of the sanitize keys in the text. Exact
 * for text written by JSON.stringify, which escapes no ASCII letter.
 */
export function mayHoldSecret(json: string): boolean {
  return ANY_KEY.test(json);
}

/**
 * oslo's `mask_password` for string values, reduced to its common forms: `key=value`,
 * `key = "value"`, `"key": "value"` and `--key value`, for every sanitize key.
 */
export function maskPassword(s: string): string {
  const lower = s.toLowerCase();
  let out = s;
  for (const key of SANITIZE_KEYS) {
    if (!lower.includes(key)) continue;
    const k = `${key}[0-9]*`;
    out = out
      .replace(new RegExp(`(${k}\\s*=\\s*["'])[^"']*(["'])`, 'gi'), `$1${SECRET}$2`)
      .replace(new RegExp(`(["']${k}["']\\s*:\\s*["'])[^"']*(["'])`, 'gi'), `$1${SECRET}$2`)
      .replace(new RegExp(`(--${k}\\s+)[^'"=\\s]+`, 'gi'), `$1${SECRET}`)
      .replace(new RegExp(`(${k}\\s*=\\s*)[^\\s'"]+`, 'gi'), `$1${SECRET}`);
  }
  return out;
}

/** oslo's `mask_dict_password`: recursive into objects; lists and other values are left alone. */
export function maskDictPassword(d: Json): Json {
  const out: Json = {};
  for (const [k, v] of Object.entries(d)) {
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) { out[k] = maskDictPassword(v as Json); continue; }
    const lk = k.toLowerCase();
    if (SANITIZE_KEYS.some((s) => lk.includes(s))) out[k] = SECRET;
    else out[k] = typeof v === 'string' ? maskPassword(v) : v;
  }
  return out;
}
