/**
 * The implementations built into Ingot, by kind and name, as factories for the
 * `DriverRegistry` (registry.ts), plus a way to add more (redfish, ipmitool...).
 *
 * Built in: every `fake`; `no-bios`, `no-console`, `no-inspect`, `no-raid`, `no-rescue`,
 * `no-vendor`; `noop` management/network/storage; and PLACEHOLDERS (not implemented,
 * validate() fails, see agent-stubs/) for boot `ipxe`/`pxe`, deploy `direct`/`ramdisk`,
 * rescue/raid/inspect/power `agent` and network `flat`; the `redfish` implementations
 * (power, management, inspect, bios, raid, vendor) and boot `redfish-virtual-media`.
 */
import { RamdiskDeploy } from './deploy/ramdisk.ts';
import { IpmitoolPowerPlaceholder, IpmitoolManagementPlaceholder, IpmitoolVendorPlaceholder } from './agent-stubs/ipmitool.ts';
import { InvalidError } from '../core/errors.ts';
import { INTERFACE_KINDS, type InterfaceKind } from '../core/node.ts';
import type { InterfaceByKind } from './base.ts';
import type { ImplementationFactories } from './registry.ts';
import {
  FakeBios, FakeBoot, FakeConsole, FakeDelay, FakeDeploy, FakeInspect, FakeManagement, FakePower, FakeRaid,
  FakeRescue, FakeStorage, FakeVendor,
} from './fake/index.ts';
import { NoBios, NoConsole, NoInspect, NoopManagement, NoopNetwork, NoopStorage, NoRaid, NoRescue, NoVendor } from './noop/index.ts';
import {
  AgentInspectPlaceholder, AgentPowerPlaceholder, AgentRaidPlaceholder, AgentRescuePlaceholder, DirectDeployPlaceholder,
  FlatNetworkPlaceholder, PxeBootPlaceholder, RamdiskDeployPlaceholder,
} from './agent-stubs/index.ts';
import { RedfishConnectionCache, redfishFactories } from './redfish/index.ts';
import type { AgentIsoSettings } from './shared/agent-iso.ts';

export interface BuiltinOptions {
  /** Ironic's `[fake] <kind>_delay` specs ("a" or "a,b" seconds) by kind. */
  fakeDelays?: Partial<Record<InterfaceKind, string>>;
  /**
   * Sessions and settings shared by the redfish implementations. Created when absent;
   * pass one to be able to `close()` it (log the BMC sessions out) on shutdown.
   */
  redfishConnections?: RedfishConnectionCache;
  /** Where virtual media boot builds and publishes agent ISOs (http_root/http_url...); none: prebuilt ISOs only. */
  vmedia?: AgentIsoSettings;
}

/** Extra implementations for `withImplementations`, by kind and name. */
export type ExtraImplementations = Partial<{ [K in InterfaceKind]: Record<string, () => InterfaceByKind[K]> }>;

/**
 * Factories of all built-in implementations. Delay specs are parsed here, so a malformed
 * one fails at startup (`InvalidError` naming `[fake] <kind>_delay`) rather than on first use.
 * Each call to a factory returns a new instance (the registry caches one per name).
 */
export function builtinFactories(opts: BuiltinOptions = {}): ImplementationFactories {
  const d = {} as Record<InterfaceKind, FakeDelay>;
  for (const kind of INTERFACE_KINDS) d[kind] = FakeDelay.parse(opts.fakeDelays?.[kind], `[fake] ${kind}_delay`);
  const builtin: ImplementationFactories = {
    bios: { fake: () => new FakeBios(d.bios), 'no-bios': () => new NoBios() },
    boot: { fake: () => new FakeBoot(d.boot), ipxe: () => new PxeBootPlaceholder('ipxe'), pxe: () => new PxeBootPlaceholder('pxe') },
    console: { fake: () => new FakeConsole(d.console), 'no-console': () => new NoConsole() },
    deploy: { fake: () => new FakeDeploy(d.deploy), direct: () => new DirectDeployPlaceholder(), ramdisk: () => new RamdiskDeploy() },
    inspect: { fake: () => new FakeInspect(d.inspect), 'no-inspect': () => new NoInspect(), agent: () => new AgentInspectPlaceholder() },
    management: { fake: () => new FakeManagement(d.management), noop: () => new NoopManagement(), ipmitool: () => new IpmitoolManagementPlaceholder() },
    network: { noop: () => new NoopNetwork(), flat: () => new FlatNetworkPlaceholder() },
    power: { fake: () => new FakePower(d.power), agent: () => new AgentPowerPlaceholder(), ipmitool: () => new IpmitoolPowerPlaceholder() },
    raid: { fake: () => new FakeRaid(d.raid), 'no-raid': () => new NoRaid(), agent: () => new AgentRaidPlaceholder() },
    rescue: { fake: () => new FakeRescue(d.rescue), 'no-rescue': () => new NoRescue(), agent: () => new AgentRescuePlaceholder() },
    storage: { fake: () => new FakeStorage(d.storage), noop: () => new NoopStorage() },
    vendor: { fake: () => new FakeVendor(d.vendor), 'no-vendor': () => new NoVendor(), ipmitool: () => new IpmitoolVendorPlaceholder() },
  };
  return withImplementations(builtin, redfishFactories(opts.redfishConnections ?? new RedfishConnectionCache(), opts.vmedia));
}

/**
 * A new factory table: `base` plus `extra` (neither is modified). Adding a name that
 * `base` already has is refused (`InvalidError`), so two modules cannot silently shadow
 * each other; to replace an implementation, build the table without it.
 */
export function withImplementations(base: ImplementationFactories, extra: ExtraImplementations): ImplementationFactories {
  const out = {} as { [K in InterfaceKind]: Record<string, () => unknown> };
  for (const kind of INTERFACE_KINDS) {
    const merged: Record<string, () => unknown> = { ...base[kind] };
    for (const [name, factory] of Object.entries(extra[kind] ?? {})) {
      if (name === '' || typeof factory !== 'function') {
        throw new InvalidError(`Invalid ${kind} implementation ${JSON.stringify(name)}: a non-empty name and a factory function are required.`);
      }
      if (Object.hasOwn(merged, name)) {
        throw new InvalidError(`A ${kind} implementation named '${name}' is already registered.`);
      }
      merged[name] = factory;
    }
    out[kind] = merged;
  }
  return out as ImplementationFactories;
}
