/**
 * Ironic's RAID configuration schema (drivers/raid_config_schema.json, 21.4) and the
 * validation every RAID interface inherits from Ironic's base RAIDInterface:
 * - `validateRaidConfig`: JSON-schema (draft 4) validation whose error text is exactly
 *   Ironic's "RAID config validation error: <jsonschema message>" — the message chosen
 *   by jsonschema's best_match heuristic — then the "more than one root volume" check;
 * - `logicalDiskProperties`: property -> description, in schema order.
 *
 * The validator implements only the keywords this schema uses (type, enum, properties,
 * required, additionalProperties, items, minItems, minimum/exclusiveMinimum, anyOf,
 * dependencies). Shared by fake, no-raid and agent RAID; a good candidate to move to a
 * common drivers/ module.
 */
import { InvalidError } from '../../core/errors.ts';
import type { Json } from '../../core/node.ts';
import { pyRepr } from './py-repr.ts';

type Schema = { readonly [k: string]: unknown };

const ld = (description: string, s: Schema): Schema => ({ ...s, description });

/** The schema, keys in Ironic's order (the order decides which error is reported). */
export const RAID_CONFIG_SCHEMA: Schema = {
  $schema: 'http://json-schema.org/draft-04/schema#',
  title: 'raid configuration json schema',
  type: 'object',
  properties: {
    logical_disks: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          raid_level: ld("RAID level for the logical disk. Valid values are 'JBOD', '0', '1', '2', '5', '6', '1+0', '5+0' and '6+0'. Required.",
            { type: 'string', enum: ['JBOD', '0', '1', '2', '5', '6', '1+0', '5+0', '6+0'] }),
          size_gb: ld("Size in GiB (Integer) for the logical disk. Use 'MAX' as size_gb if this logical disk is supposed to use the rest of the space available. Required.",
            { anyOf: [{ type: 'integer', minimum: 0 }, { type: 'string', enum: ['MAX'] }] }),
          volume_name: ld('Name of the volume to be created. If this is not specified, it will be auto-generated. Optional.',
            { type: 'string' }),
          is_root_volume: ld('Specifies whether this disk is a root volume. By default, this is False. Optional.',
            { type: 'boolean' }),
          share_physical_disks: ld('Specifies whether other logical disks can share physical disks with this logical disk. By default, this is False. Optional.',
            { type: 'boolean' }),
          disk_type: ld("The type of disk preferred. Valid values are 'hdd' and 'ssd'. If this is not specified, disk type will not be a selection criterion for choosing backing physical disks. Optional.",
            { type: 'string', enum: ['hdd', 'ssd'] }),
          interface_type: ld("The interface type of disk. Valid values are 'sata', 'scsi' and 'sas'. If this is not specified, interface type will not be a selection criterion for choosing backing physical disks. Optional.",
            { type: 'string', enum: ['sata', 'scsi', 'sas'] }),
          number_of_physical_disks: ld('Number of physical disks to use for this logical disk. By default, the driver uses the minimum number of disks required for that RAID level. Optional.',
            { type: 'integer', minimum: 0, exclusiveMinimum: true }),
          controller: ld('Controller to use for this logical disk. If not specified, the driver will choose a suitable RAID controller on the bare metal node. Optional.',
            { type: 'string' }),
          physical_disks: ld('The physical disks to use for this logical disk. If not specified, the driver will choose suitable physical disks to use. Optional.',
            { anyOf: [{ type: 'array', items: { type: 'string' } }, { type: 'array', items: { type: 'object' }, minItems: 2 }] }),
        },
        required: ['raid_level', 'size_gb'],
        additionalProperties: false,
        dependencies: { physical_disks: ['controller'] },
      },
      minItems: 1,
    },
  },
  required: ['logical_disks'],
  additionalProperties: false,
};

/** One jsonschema ValidationError: path relative to the validated instance. */
interface SchemaError {
  message: string;
  validator: string;
  path: (string | number)[];
  instance: unknown;
  schema: Schema;
  context: SchemaError[];
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Draft-4 type checks (booleans are not numbers; integers are integral numbers). */
function isType(v: unknown, t: string): boolean {
  switch (t) {
    case 'object': return isObject(v);
    case 'array': return Array.isArray(v);
    case 'string': return typeof v === 'string';
    case 'boolean': return typeof v === 'boolean';
    case 'number': return typeof v === 'number';
    case 'integer': return Number.isSafeInteger(v); // larger values parse as Python floats
    case 'null': return v === null;
    default: return false;
  }
}

function jsonEqual(a: unknown, b: unknown): boolean {
  if (typeof a !== typeof b) return false;
  return JSON.stringify(a) === JSON.stringify(b);
}

/** jsonschema's iter_errors for the keywords used above, in schema key order. */
function iterErrors(instance: unknown, schema: Schema): SchemaError[] {
  const out: SchemaError[] = [];
  const err = (validator: string, message: string, context: SchemaError[] = []): void => {
    out.push({ message, validator, path: [], instance, schema, context });
  };
  const descend = (value: unknown, sub: Schema, path?: string | number): void => {
    for (const e of iterErrors(value, sub)) {
      if (path !== undefined) e.path.unshift(path);
      out.push(e);
    }
  };
  for (const [kw, arg] of Object.entries(schema)) {
    switch (kw) {
      case 'type': {
        const types = Array.isArray(arg) ? arg as string[] : [arg as string];
        if (!types.some((t) => isType(instance, t))) {
          err(kw, `${pyRepr(instance)} is not of type ${types.map(pyRepr).join(', ')}`);
        }
        break;
      }
      case 'enum':
        if (!(arg as unknown[]).some((e) => jsonEqual(e, instance))) err(kw, `${pyRepr(instance)} is not one of ${pyRepr(arg)}`);
        break;
      case 'properties':
        if (!isObject(instance)) break;
        for (const [p, sub] of Object.entries(arg as Record<string, Schema>)) {
          if (Object.hasOwn(instance, p)) descend(instance[p], sub, p);
        }
        break;
      case 'required':
        if (!isObject(instance)) break;
        for (const p of arg as string[]) if (!Object.hasOwn(instance, p)) err(kw, `${pyRepr(p)} is a required property`);
        break;
      case 'additionalProperties': {
        if (!isObject(instance) || arg !== false) break;
        const known = Object.keys((schema.properties ?? {}) as object);
        const extras = Object.keys(instance).filter((k) => !known.includes(k)).sort();
        if (extras.length > 0) {
          err(kw, `Additional properties are not allowed (${extras.map(pyRepr).join(', ')} ${extras.length === 1 ? 'was' : 'were'} unexpected)`);
        }
        break;
      }
      case 'items':
        if (Array.isArray(instance)) instance.forEach((item, i) => descend(item, arg as Schema, i));
        break;
      case 'minItems':
        if (Array.isArray(instance) && instance.length < (arg as number)) err(kw, `${pyRepr(instance)} is too short`);
        break;
      case 'minimum': {
        if (typeof instance !== 'number') break;
        const exclusive = schema.exclusiveMinimum === true;
        if (exclusive ? instance <= (arg as number) : instance < (arg as number)) {
          err(kw, `${pyRepr(instance)} is ${exclusive ? 'less than or equal to' : 'less than'} the minimum of ${pyRepr(arg)}`);
        }
        break;
      }
      case 'anyOf': {
        const all: SchemaError[] = [];
        let matched = false;
        for (const sub of arg as Schema[]) {
          const errs = iterErrors(instance, sub);
          if (errs.length === 0) { matched = true; break; }
          all.push(...errs);
        }
        if (!matched) err(kw, `${pyRepr(instance)} is not valid under any of the given schemas`, all);
        break;
      }
      case 'dependencies':
        if (!isObject(instance)) break;
        for (const [p, deps] of Object.entries(arg as Record<string, string[]>)) {
          if (!Object.hasOwn(instance, p)) continue;
          for (const d of deps) if (!Object.hasOwn(instance, d)) err(kw, `${pyRepr(d)} is a dependency of ${pyRepr(p)}`);
        }
        break;
      default: // $schema, title, description, exclusiveMinimum (read by minimum)
    }
  }
  return out;
}

/** jsonschema's `relevance` key: shallow first, anyOf/oneOf weak, type-matching errors preferred. */
function relevance(e: SchemaError): number[] {
  const t = e.schema.type;
  const matchesType = t === undefined ? false
    : (Array.isArray(t) ? t as string[] : [t as string]).some((x) => isType(e.instance, x));
  return [-e.path.length, e.validator === 'anyOf' || e.validator === 'oneOf' ? 0 : 1, 0, matchesType ? 0 : 1];
}

function cmp(a: number[], b: number[]): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return 0;
}

/** jsonschema's `best_match` (4.x): first most relevant error, then descend anyOf contexts. */
function bestMatch(errors: SchemaError[]): SchemaError | undefined {
  let best = errors[0];
  if (!best) return undefined;
  for (const e of errors.slice(1)) if (cmp(relevance(e), relevance(best)) > 0) best = e;
  while (best.context.length > 0) {
    const sorted = [...best.context].sort((a, b) => cmp(relevance(a), relevance(b)));
    if (sorted.length >= 2 && cmp(relevance(sorted[0]!), relevance(sorted[1]!)) === 0) return best;
    best = sorted[0]!;
  }
  return best;
}

/**
 * Ironic's raid.validate_configuration with the 21.4 schema. Throws `InvalidError`
 * ("RAID config validation error: ..." or the root-volume message).
 */
export function validateRaidConfigSchema(config: Json): void {
  const e = bestMatch(iterErrors(config, RAID_CONFIG_SCHEMA));
  if (e) throw new InvalidError(`RAID config validation error: ${e.message}`);
  const disks = (config as { logical_disks: Json[] }).logical_disks;
  const roots = disks.filter((d) => Boolean(d.is_root_volume)).length;
  if (roots > 1) {
    throw new InvalidError(`Raid config cannot have more than one root volume. ${roots} root volumes were specified`);
  }
}

/** Logical disk property -> description (GET /drivers/{d}/raid/logical_disk_properties). */
export function raidLogicalDiskProperties(): Record<string, string> {
  const items = ((RAID_CONFIG_SCHEMA.properties as Schema).logical_disks as Schema).items as Schema;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(items.properties as Record<string, Schema>)) out[k] = v.description as string;
  return out;
}
