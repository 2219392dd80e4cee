/**
 * Deploy template → JSON as Ironic renders it: step `args` password-masked with the rules
 * of oslo's `mask_dict_password`, `description` never shown (21.4 drops it).
 */
import type { DeployTemplate } from '../../db/deploy-templates.ts';
import { makeLinks } from '../context.ts';
import { maskDictPassword } from './secrets.ts';

export const DEPLOY_TEMPLATE_FIELDS = ['uuid', 'created_at', 'updated_at', 'name', 'extra', 'links', 'steps'] as const;
export const DEPLOY_TEMPLATE_DEFAULT_FIELDS = ['uuid', 'name'] as const;

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
