/**
 * Driver composition: which hardware types and interface implementations are enabled,
 * the effective default per kind, and building a node's `ComposedDriver`.
 *
 * Rules (Ironic's driver_factory): an implementation must be enabled in configuration
 * and supported by the node's hardware type (fake-hardware accepts any enabled one); the
 * default is the configured default if valid, else the first supported-and-enabled one.
 */
import { INTERFACE_KINDS, type InterfaceKind, type Node } from '../core/node.ts';
import { InvalidError, NotFoundError } from '../core/errors.ts';
import type { DriverConfig } from '../core/driver-config.ts';
import type { ComposedDriver, HardwareType, InterfaceByKind } from './base.ts';
import { ALL_HARDWARE_TYPES } from './hardware-types.ts';

/** Factories of implementations by kind and name. */
export type ImplementationFactories = { [K in InterfaceKind]: Record<string, () => InterfaceByKind[K]> };

/** Python's repr of a list of strings, as Ironic prints it in messages. */
const pyList = (l: string[]): string => `[${l.map((x) => `'${x}'`).join(', ')}]`;

const ENTRYPOINT = (kind: InterfaceKind) => `ironic.hardware.interfaces.${kind}`;

export class DriverRegistry {
  private readonly types = new Map<string, HardwareType>();
  private readonly cache = new Map<string, unknown>();

  constructor(private readonly config: DriverConfig, private readonly factories: ImplementationFactories,
    hardwareTypes: readonly HardwareType[] = ALL_HARDWARE_TYPES) {
    for (const t of hardwareTypes) if (config.enabledHardwareTypes.includes(t.name)) this.types.set(t.name, t);
  }

  /** Enabled hardware type names, in configuration order. */
  hardwareTypeNames(): string[] {
    return this.config.enabledHardwareTypes.filter((n) => this.types.has(n));
  }

  getType(name: string): HardwareType {
    const t = this.types.get(name);
    if (!t) throw new NotFoundError(`Could not find the following driver(s) or hardware type(s): ${name}.`);
    return t;
  }

  hasType(name: string): boolean { return this.types.has(name); }

  /** Enabled implementations of `kind` that exist as code. */
  private enabled(kind: InterfaceKind): string[] {
    return this.config.enabledInterfaces[kind].filter((n) => n in this.factories[kind]);
  }

  /** Implementations of `kind` a node of this type may use, in preference order. */
  enabledFor(typeName: string, kind: InterfaceKind): string[] {
    const t = this.getType(typeName);
    const en = this.enabled(kind);
    return t.supported[kind].filter((n) => en.includes(n));
  }

  /** The default implementation for new nodes of this type. */
  defaultFor(typeName: string, kind: InterfaceKind): string {
    const t = this.getType(typeName);
    const candidates = this.enabledFor(typeName, kind);
    const configured = this.config.defaultInterfaces[kind];
    if (configured && (candidates.includes(configured) || (t.anyEnabled && this.enabled(kind).includes(configured)))) return configured;
    if (candidates.length === 0) {
      throw new InvalidError(`For hardware type '${typeName}', no default value found for ${kind} interface.`);
    }
    return candidates[0]!;
  }

  /** Throws 400 when `impl` cannot be used for `kind` on a node of `typeName`. */
  checkInterface(typeName: string, kind: InterfaceKind, impl: string): void {
    const t = this.getType(typeName);
    const en = this.enabled(kind);
    if (!en.includes(impl)) {
      throw new InvalidError(`Could not find the following interface in the '${ENTRYPOINT(kind)}' entrypoint: ${impl}. Valid interfaces are ${pyList(en)}.`);
    }
    if (!t.anyEnabled && !t.supported[kind].includes(impl)) {
      const cap = kind.charAt(0).toUpperCase() + kind.slice(1);
      throw new InvalidError(`${cap} interface implementation '${impl}' is not supported by hardware type ${typeName}.`);
    }
  }

  /** Every `<kind>_interface` value for a new node: given ones checked, others defaulted. */
  resolveInterfaces(typeName: string, given: Partial<Record<InterfaceKind, string | null>>): Record<InterfaceKind, string> {
    const out = {} as Record<InterfaceKind, string>;
    for (const kind of INTERFACE_KINDS) {
      const v = given[kind];
      if (v !== undefined && v !== null) { this.checkInterface(typeName, kind, v); out[kind] = v; }
      else out[kind] = this.defaultFor(typeName, kind);
    }
    return out;
  }

  /** One instance of an implementation (implementations are stateless; cached). */
  impl<K extends InterfaceKind>(kind: K, name: string): InterfaceByKind[K] {
    const key = `${kind}/${name}`;
    let inst = this.cache.get(key) as InterfaceByKind[K] | undefined;
    if (!inst) {
      const f = this.factories[kind][name];
      if (!f) throw new InvalidError(`Could not find the following interface in the '${ENTRYPOINT(kind)}' entrypoint: ${name}. Valid interfaces are ${pyList(this.enabled(kind))}.`);
      inst = f() as InterfaceByKind[K];
      this.cache.set(key, inst);
    }
    return inst;
  }

  /** The node's driver, one implementation per kind (missing fields take the default). */
  compose(node: Pick<Node, 'driver'> & Partial<Record<`${InterfaceKind}_interface`, string | null>>): ComposedDriver {
    const out: Record<string, unknown> = { hardwareType: node.driver };
    for (const kind of INTERFACE_KINDS) {
      const name = node[`${kind}_interface`] ?? this.defaultFor(node.driver, kind);
      out[kind] = this.impl(kind, name);
    }
    return out as ComposedDriver;
  }

  /**
   * driver_info properties of the type's default implementation of each kind (GET
   * /drivers/{name}/properties). Like Ironic's `HardwareType.get_properties`, kinds without
   * a usable default are skipped, and non-default implementations are not consulted.
   */
  properties(typeName: string): Record<string, string> {
    this.getType(typeName);
    const out: Record<string, string> = {};
    for (const kind of INTERFACE_KINDS) {
      let name: string;
      try { name = this.defaultFor(typeName, kind); } catch { continue; }
      if (!(name in this.factories[kind])) continue;
      Object.assign(out, this.impl(kind, name).properties());
    }
    return out;
  }
}
