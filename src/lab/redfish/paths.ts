/**
 * Mapping between a profile's template paths and one machine's URLs.
 *
 * The template describes machine "0" with the profile's ids (`/redfish/v1/Systems/1`); machine N
 * lives at its own ids (`/redfish/v1/Systems/2`). Only the id segment right after
 * `Systems/`, `Managers/` or `Chassis/` changes; everything below it is the same, which is why one
 * template serves every machine. Rewriting is applied to every string in a rendered document that
 * looks like a Redfish path, so links inside vendor OEM sections follow too.
 *
 * @module
 */
import type { LabMachine } from './machine.ts';
import type { Profile } from './profile.ts';
import { keyOf, normPath } from './tree.ts';

type Kind = 'Systems' | 'Managers' | 'Chassis';
const KINDS: Kind[] = ['Systems', 'Managers', 'Chassis'];
const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function idsOf(m: LabMachine): Record<Kind, string> {
  return { Systems: m.id, Managers: m.managerId, Chassis: m.chassisId };
}

/** Rewrites template paths into one machine's paths. */
export class IdMapper {
  private readonly rules: Array<{ re: RegExp; id: string }>;

  constructor(profile: Profile, machine: LabMachine) {
    const t: Record<Kind, string> = { Systems: profile.templateIds.system, Managers: profile.templateIds.manager, Chassis: profile.templateIds.chassis };
    const ids = idsOf(machine);
    const flags = profile.caseInsensitive ? 'i' : '';
    this.rules = KINDS.filter((k) => t[k] !== ids[k]).map((k) => ({
      re: new RegExp(`^(/redfish/v1/${k}/)${escape(t[k])}(?=$|[/#?])`, flags),
      id: ids[k],
    }));
  }

  /** One path. */
  path(p: string): string {
    for (const r of this.rules) if (r.re.test(p)) return p.replace(r.re, `$1${r.id}`);
    return p;
  }

  /** Every path-like string in a JSON document (returns a new document). */
  doc<T>(value: T): T {
    if (this.rules.length === 0) return value;
    const walk = (v: unknown): unknown => {
      if (typeof v === 'string') return v.length > 12 && v[0] === '/' ? this.path(v) : v;
      if (Array.isArray(v)) return v.map(walk);
      if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
      return v;
    };
    return walk(value) as T;
  }
}

/** Finds the machine a request path belongs to and the template path it corresponds to. */
export class PathResolver {
  private readonly byKind: Record<Kind, Map<string, LabMachine>>;
  private readonly re: RegExp;
  private readonly mappers = new Map<LabMachine, IdMapper>();
  private readonly profile: Profile;

  constructor(profile: Profile, machines: LabMachine[]) {
    this.profile = profile;
    const ci = profile.caseInsensitive;
    this.byKind = { Systems: new Map(), Managers: new Map(), Chassis: new Map() };
    for (const m of machines) {
      const ids = idsOf(m);
      for (const k of KINDS) this.byKind[k].set(ci ? ids[k].toLowerCase() : ids[k], m);
      this.mappers.set(m, new IdMapper(profile, m));
    }
    this.re = new RegExp('^/redfish/v1/(Systems|Managers|Chassis)/([^/]+)(/.*)?$', ci ? 'i' : '');
  }

  /** `{ machine, templatePath }`; machine is null for service-wide paths. */
  resolve(rawPath: string): { machine: LabMachine | null; templatePath: string } {
    const path = normPath(decodePath(rawPath));
    const m = this.re.exec(path);
    if (!m) return { machine: null, templatePath: path };
    const kind = KINDS.find((k) => k.toLowerCase() === m[1]!.toLowerCase())!;
    const id = this.profile.caseInsensitive ? m[2]!.toLowerCase() : m[2]!;
    const machine = this.byKind[kind].get(id);
    if (!machine) return { machine: null, templatePath: path };
    const templateId = kind === 'Systems' ? this.profile.templateIds.system : kind === 'Managers' ? this.profile.templateIds.manager : this.profile.templateIds.chassis;
    return { machine, templatePath: `/redfish/v1/${m[1]}/${templateId}${m[3] ?? ''}` };
  }

  /** The machine owning a path (for fault selection), or null. */
  machineOf(rawPath: string): LabMachine | null {
    return this.resolve(rawPath).machine;
  }

  mapper(machine: LabMachine): IdMapper {
    return this.mappers.get(machine)!;
  }

  /** Comparison key of a template path under this profile. */
  key(path: string): string {
    return keyOf(path, this.profile.caseInsensitive);
  }
}

function decodePath(p: string): string {
  try {
    return decodeURIComponent(p.split('?')[0]!);
  } catch {
    return p;
  }
}
