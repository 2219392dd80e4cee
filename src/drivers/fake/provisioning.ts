/**
 * Fake boot, deploy, inspect, rescue, console and storage (Ironic's FakeBoot, FakeDeploy,
 * FakeInspect, FakeRescue, FakeConsole, FakeStorage). They succeed at once (after the
 * optional delay) and change nothing.
 */
import type { Json } from '../../core/node.ts';
import type {
  BootInterface, ConsoleInterface, DeployInterface, DriverContext, InspectInterface, InspectionResult,
  RescueInterface, StepDef, StepOutcome, StorageInterface,
} from '../base.ts';
import { dispatchStep, FakeBase } from './common.ts';

/** Fake boot: every operation is a no-op. */
export class FakeBoot extends FakeBase implements BootInterface {
  /** Ironic's FakeBoot capabilities (no `ramdisk_boot`: the ramdisk deploy refuses it). */
  readonly capabilities: readonly string[] = ['ipxe_boot', 'pxe_boot'];

  async prepareRamdisk(ctx: DriverContext, _purpose: 'deploy' | 'clean' | 'inspect' | 'rescue'): Promise<void> {
    await this.pause(ctx, 'prepare_ramdisk');
  }
  async cleanUpRamdisk(ctx: DriverContext): Promise<void> { await this.pause(ctx, 'clean_up_ramdisk'); }
  async prepareInstance(ctx: DriverContext): Promise<void> { await this.pause(ctx, 'prepare_instance'); }
  async cleanUpInstance(ctx: DriverContext): Promise<void> { await this.pause(ctx, 'clean_up_instance'); }
}

/**
 * Fake deploy: one deploy step, `deploy` at priority 100 (not a clean step), which
 * finishes synchronously ('done'); no agent ever calls back.
 */
export class FakeDeploy extends FakeBase implements DeployInterface {
  readonly steps: readonly StepDef[] = [{ step: 'deploy', deployPriority: 100 }];

  async executeStep(ctx: DriverContext, step: string, args: Json): Promise<StepOutcome> {
    return dispatchStep('deploy', this.name, { deploy: (c) => this.deploy(c) }, ctx, step, args);
  }

  async deploy(ctx: DriverContext): Promise<StepOutcome> {
    await this.pause(ctx, 'deploy');
    return 'done';
  }
  async tearDown(ctx: DriverContext): Promise<void> { await this.pause(ctx, 'tear_down'); }
  async prepare(ctx: DriverContext): Promise<void> { await this.pause(ctx, 'prepare'); }
  async cleanUp(ctx: DriverContext): Promise<void> { await this.pause(ctx, 'clean_up'); }
  async takeOver(ctx: DriverContext): Promise<void> { await this.pause(ctx, 'take_over'); }
}

/**
 * Fake inspect: finishes at once ('done', Ironic returns MANAGEABLE) and discovers
 * nothing: no properties, no MACs. No `abort` (Ironic: UnsupportedDriverExtension 'abort').
 */
export class FakeInspect extends FakeBase implements InspectInterface {
  async inspect(ctx: DriverContext): Promise<InspectionResult> {
    await this.pause(ctx, 'inspect_hardware');
    return { outcome: 'done' };
  }
}

/** Fake rescue: rescue finishes at once ('done': the node goes straight to `rescue`). */
export class FakeRescue extends FakeBase implements RescueInterface {
  async rescue(ctx: DriverContext): Promise<StepOutcome> {
    await this.pause(ctx, 'rescue');
    return 'done';
  }
  async unrescue(ctx: DriverContext): Promise<void> { await this.pause(ctx, 'unrescue'); }
}

/**
 * Fake console: start/stop do nothing (Ironic applies no delay here) and getConsole
 * resolves `{}` — Ironic's fake returns an empty dict, which the API shows as
 * `console_info: {}`. The declared type needs type/url; callers must not assume them.
 */
export class FakeConsole extends FakeBase implements ConsoleInterface {
  async startConsole(_ctx: DriverContext): Promise<void> {}
  async stopConsole(_ctx: DriverContext): Promise<void> {}
  async getConsole(_ctx: DriverContext): Promise<{ type: string; url: string }> {
    return {} as { type: string; url: string };
  }
}

/** Fake storage: attaching/detaching volumes does nothing; the image is always written. */
export class FakeStorage extends FakeBase implements StorageInterface {
  async attachVolumes(ctx: DriverContext): Promise<void> { await this.pause(ctx, 'attach_volumes'); }
  async detachVolumes(ctx: DriverContext): Promise<void> { await this.pause(ctx, 'detach_volumes'); }
  shouldWriteImage(_ctx: DriverContext): boolean { return true; }
}
