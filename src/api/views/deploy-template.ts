/**
 * Deploy template → JSON as Ironic renders it: step `args` password-masked with the rules
 * of oslo's `mask_dict_password`, `description` never shown (21.4 drops it).
 */
import type { DeployTemplate } from '../../db/deploy-templates.ts';
import type { Json } from '../../core/node.ts';
import { makeLinks } from '../context.ts';

export const DEPLOY_TEMPLATE_FIELDS = ['uuid', 'created_at', 'updated_at', 'name', 'extra', 'links', 'steps'] as const;
export const DEPLOY_TEMPLATE_DEFAULT_FIELDS = ['uuid', 'name'] as const;

const SECRET = '******';
/** oslo.utils strutils._SANITIZE_KEYS: a key containing one of these (case-insensitive) is secret. */
const SANITIZE_KEYS = [
  'adminpass', 'admin_pass', 'password', 'admin_password', 'auth_token', 'new_pass', 'auth_password', 'secret_uuid',
  'secret', 'sys_pswd', 'token', 'configdrive', 'chappassword', 'encrypted_key', 'private_key', 'fernetkey', 'sslkey',
  'passphrase', 'cephclusterfsid', 'octaviaheartbeatkey', 'rabbitcookie', 'cephmanilaclientkey',
  'pacemakerremoteauthkey', 'designaterndckey', 'cephadminkey', 'heatauthencryptionkey', 'cephclientkey',
  'keystonecredential', 'barbicansimplecryptokek', 'cephrgwkey', 'swifthashsuffix', 'migrationsshkey', 'cephmdskey',
  'cephmonkey',
];

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

export function renderDeployTemplate(t: DeployTemplate, base: string, fields?: readonly string[]): Record<string, unknown> {
  const all: Record<string, unknown> = {
    uuid: t.uuid, created_at: t.created_at, updated_at: t.updated_at, name: t.name, extra: t.extra,
    links: makeLinks(base, 'deploy_templates', t.uuid),
    steps: t.steps.map((s) => ({ interface: s.interface, step: s.step, args: maskDictPassword(s.args), priority: s.priority })),
  };
  if (!fields) return all;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(all)) if (k === 'links' || fields.includes(k)) out[k] = v;
  return out;
}
