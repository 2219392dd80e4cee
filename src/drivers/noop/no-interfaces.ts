/**
 * The `no-*` implementations (Ironic's drivers/modules/noop.py): defaults for optional
 * interfaces. Unlike fakes they are `supported: false`, their validate() fails and every
 * user-reachable action throws UnsupportedDriverExtension naming the interface kind
 * ("Driver fake-hardware does not support raid (disabled or not implemented).").
 *
 * Exceptions, as in Ironic:
 * - no-bios `cacheSettings` succeeds and changes nothing (returns the current rows,
 *   `ctx.loadBiosSettings()`, or [] when the conductor does not supply them);
 * - no-raid still reports the logical disk properties of the RAID schema;
 * - no-vendor has no methods, so any call answers "No handler for method <m>" (the route
 *   lookup precedes validation in Ironic's conductor).
 * None of them offers steps.
 */
import { InvalidError } from '../../core/errors.ts';
import type { InterfaceKind, Json } from '../../core/node.ts';
import type {
  BiosInterface, BiosSetting, ConsoleInterface, DriverContext, DriverInterface, InspectInterface, InspectionResult,
  RaidInterface, RescueInterface, StepOutcome, VendorInterface, VendorMethod,
} from '../base.ts';
import { raidLogicalDiskProperties } from '../shared/raid-schema.ts';
import type { ExtendedDriverContext, VendorCallValidator } from '../shared/extensions.ts';
import { unsupportedExtension } from './unsupported.ts';

abstract class NoInterface implements DriverInterface {
  readonly supported = false;
  constructor(readonly name: string, protected readonly kind: InterfaceKind) {}

  properties(): Readonly<Record<string, string>> { return {}; }

  async validate(ctx: DriverContext): Promise<void> { throw this.fail(ctx); }

  /** The error every action of this interface throws. */
  protected fail(ctx: DriverContext): InvalidError { return unsupportedExtension(ctx.node.driver, this.kind); }
}

export class NoBios extends NoInterface implements BiosInterface {
  constructor() { super('no-bios', 'bios'); }
  async cacheSettings(ctx: ExtendedDriverContext): Promise<BiosSetting[]> {
    return ((await ctx.loadBiosSettings?.()) ?? []).map((s) => ({ ...s }));
  }
}

export class NoConsole extends NoInterface implements ConsoleInterface {
  constructor() { super('no-console', 'console'); }
  async startConsole(ctx: DriverContext): Promise<void> { throw this.fail(ctx); }
  async stopConsole(ctx: DriverContext): Promise<void> { throw this.fail(ctx); }
  async getConsole(ctx: DriverContext): Promise<{ type: string; url: string }> { throw this.fail(ctx); }
}

export class NoInspect extends NoInterface implements InspectInterface {
  constructor() { super('no-inspect', 'inspect'); }
  async inspect(ctx: DriverContext): Promise<InspectionResult> { throw this.fail(ctx); }
}

export class NoRaid extends NoInterface implements RaidInterface {
  constructor() { super('no-raid', 'raid'); }
  async validateRaidConfig(ctx: DriverContext, _config: Json): Promise<void> { throw this.fail(ctx); }
  logicalDiskProperties(): Readonly<Record<string, string>> { return raidLogicalDiskProperties(); }
}

export class NoRescue extends NoInterface implements RescueInterface {
  constructor() { super('no-rescue', 'rescue'); }
  async rescue(ctx: DriverContext): Promise<StepOutcome> { throw this.fail(ctx); }
  async unrescue(ctx: DriverContext): Promise<void> { throw this.fail(ctx); }
}

export class NoVendor extends NoInterface implements VendorInterface, VendorCallValidator {
  constructor() { super('no-vendor', 'vendor'); }
  methods(): Readonly<Record<string, VendorMethod>> { return {}; }
  async validateCall(_ctx: DriverContext, method: string, _httpMethod: string, _body: unknown): Promise<void> {
    throw new InvalidError(`No handler for method ${method}`);
  }
  async call(ctx: DriverContext, method: string, httpMethod: string, body: unknown): Promise<unknown> {
    await this.validateCall(ctx, method, httpMethod, body);
    throw this.fail(ctx);
  }
}
