/**
 * The implementations built into Ingot, by kind and name, as factories for the
 * `DriverRegistry` (registry.ts), plus a way to add more (redfish, ipmitool...).
 *
 * Built in: every `fake`; `no-bios`, `no-console`, `no-inspect`, `no-raid`, `no-rescue`,
 * `no-vendor`; `noop` management/network/storage; the agent-based deploy `direct`, rescue
 * and power `agent` (agent/); PLACEHOLDERS (not implemented, validate() fails, see
 * agent-stubs/) for boot `ipxe`/`pxe` (real, pxe/, when `netboot` settings are given), raid/inspect `agent` and network `flat`; the `redfish` implementations
 * (power, management, inspect, bios, raid, vendor) and boot `redfish-virtual-media`; the `ipmitool`
 * implementations (power, management, vendor, consoles `ipmitool-socat`/`ipmitool-shellinabox`).
 */
import { RamdiskDeploy } from './deploy/ramdisk.ts';
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
  AgentInspectPlaceholder, AgentRaidPlaceholder, FlatNetworkPlaceholder, PxeBootPlaceholder,
} from './agent-stubs/index.ts';
import { RedfishConnectionCache, redfishFactories } from './redfish/index.ts';
import type { AgentIsoSettings } from './shared/agent-iso.ts';
import { Ipmitool, IpmiConsoles, ipmiFactories } from './ipmi/index.ts';
import { AgentPower, AgentRescue, DirectDeploy, type ImageServing } from './agent/index.ts';
import { loadAgentConfig, type AgentConfig } from '../core/agent-config.ts';
import { PxeBoot, type PxeSettings } from './pxe/index.ts';

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
  /** The `[ipmi]` options and per-BMC queues shared by the ipmitool implementations. Created when absent. */
  ipmitool?: Ipmitool;
  /** Console processes of the ipmitool consoles; pass one to be able to `close()` them on shutdown. */
  ipmiConsoles?: IpmiConsoles;
  /** Options of the agent-based implementations (`direct`, `agent` rescue/power); Ironic's defaults when absent. */
  agent?: AgentConfig;
  /** Where the `direct` deploy caches images for `image_download_source = local`. */
  imageServing?: ImageServing;
  /** TFTP/HTTP roots, DHCP provider... of the `pxe`/`ipxe` boot interfaces; without them those stay placeholders. */
  netboot?: PxeSettings;
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
  const agent = opts.agent ?? loadAgentConfig({}, '.data');
  const serving = opts.imageServing ?? { httpRoot: '.data/httpboot', httpUrl: 'http://127.0.0.1:8080' };
  const builtin: ImplementationFactories = {
    bios: { fake: () => new FakeBios(d.bios), 'no-bios': () => new NoBios() },
    boot: {
      fake: () => new FakeBoot(d.boot),
      ipxe: () => (opts.netboot ? new PxeBoot('ipxe', opts.netboot) : new PxeBootPlaceholder('ipxe')),
      pxe: () => (opts.netboot ? new PxeBoot('pxe', opts.netboot) : new PxeBootPlaceholder('pxe')),
    },
    console: { fake: () => new FakeConsole(d.console), 'no-console': () => new NoConsole() },
    deploy: { fake: () => new FakeDeploy(d.deploy), direct: () => new DirectDeploy(agent, serving), ramdisk: () => new RamdiskDeploy() },
    inspect: { fake: () => new FakeInspect(d.inspect), 'no-inspect': () => new NoInspect(), agent: () => new AgentInspectPlaceholder() },
    management: { fake: () => new FakeManagement(d.management), noop: () => new NoopManagement() },
    network: { noop: () => new NoopNetwork(), flat: () => new FlatNetworkPlaceholder() },
    power: { fake: () => new FakePower(d.power), agent: () => new AgentPower(agent) },
    raid: { fake: () => new FakeRaid(d.raid), 'no-raid': () => new NoRaid(), agent: () => new AgentRaidPlaceholder() },
    rescue: { fake: () => new FakeRescue(d.rescue), 'no-rescue': () => new NoRescue(), agent: () => new AgentRescue(agent) },
    storage: { fake: () => new FakeStorage(d.storage), noop: () => new NoopStorage() },
    vendor: { fake: () => new FakeVendor(d.vendor), 'no-vendor': () => new NoVendor() },
  };
  const ipmitool = opts.ipmitool ?? opts.ipmiConsoles?.tool ?? new Ipmitool();
  return withImplementations(withImplementations(builtin, redfishFactories(opts.redfishConnections ?? new RedfishConnectionCache(), opts.vmedia)),
    ipmiFactories(ipmitool, opts.ipmiConsoles ?? new IpmiConsoles(ipmitool)));
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
