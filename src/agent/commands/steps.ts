/**
 * The `clean` and `deploy` extensions: the steps IPA 9.4.3's GenericHardwareManager
 * offers that this agent implements, and their execution. A step result echoes the
 * step (`clean_step` / `deploy_step`), which Ironic compares with its current step.
 * Steps IPA offers but this agent does not implement (RAID, burn-in, erase_pstore,
 * inject_files, erase_devices_express) are not offered.
 */
import type { Extensions, Params } from './executor.ts';
import { HARDWARE_MANAGER_NAME, HARDWARE_MANAGER_VERSIONS, type AgentContext, type Json } from './context.ts';
import { prepareImage, validatePrepareImage } from './standby.ts';
import { eraseDevices, eraseDevicesMetadata } from '../disk/erase.ts';
import { incompatibleHardwareMethod, invalidParams, versionMismatch } from '../errors.ts';
import type { ImageInfo } from '../disk/download.ts';

const step = (name: string, priority: number, abortable: boolean | null) => ({
  step: name, priority, interface: 'deploy', reboot_requested: false, ...(abortable === null ? {} : { abortable }),
});

export const CLEAN_STEPS = [step('erase_devices', 10, true), step('erase_devices_metadata', 99, true)];
export const DEPLOY_STEPS = [step('erase_devices_metadata', 0, null), step('write_image', 0, null)];

function checkVersions(given: unknown): void {
  if (given === undefined || given === null) return;
  const mine = HARDWARE_MANAGER_VERSIONS;
  const g = given as Record<string, unknown>;
  const same = typeof given === 'object' && Object.keys(g).length === Object.keys(mine).length &&
    Object.entries(mine).every(([k, v]) => g[k] === v);
  if (!same) throw versionMismatch({ ...mine }, given);
}

function validateStep(p: Params): void {
  const s = p.step as Json | undefined;
  if (!s || typeof s !== 'object' || typeof s.step !== 'string') throw invalidParams("'step' must be a step dictionary with a 'step' name");
  if (s.args !== undefined && s.args !== null && typeof s.args !== 'object') throw invalidParams("'step.args' must be a dictionary");
  if (s.step === 'write_image') validatePrepareImage((s.args ?? {}) as Params);
}

async function runStep(ctx: AgentContext, p: Params, kind: 'clean' | 'deploy'): Promise<unknown> {
  checkVersions(p[`${kind}_version`]);
  const node = (p.node as Json | undefined) ?? ctx.node;
  if (p.node) ctx.node = p.node as Json;
  const s = p.step as Json;
  const args = (s.args ?? {}) as Json;
  const offered = kind === 'clean' ? CLEAN_STEPS : DEPLOY_STEPS;
  if (!offered.some((o) => o.step === s.step)) {
    throw incompatibleHardwareMethod(`No HardwareManager found to handle method: Could not find method: ${String(s.step)}`);
  }
  let result: unknown;
  const disks = await ctx.machine.disks();
  switch (s.step) {
    case 'erase_devices': result = await eraseDevices(disks, ctx.machine.disksAreFiles, ctx.log); break;
    case 'erase_devices_metadata': await eraseDevicesMetadata(disks, ctx.log); result = null; break;
    case 'write_image': {
      const msg = await prepareImage(ctx, args.image_info as ImageInfo, (args.configdrive as string | null | undefined) ?? null, node);
      result = { result: `prepare_image: ${msg}` };
      break;
    }
  }
  return { [`${kind}_result`]: result ?? null, [`${kind}_step`]: s };
}

export function stepExtensions(ctx: AgentContext): Extensions {
  const versions = () => ({ ...HARDWARE_MANAGER_VERSIONS });
  return {
    clean: {
      get_clean_steps: {
        mode: 'sync',
        run: async (p) => {
          if (p.node) ctx.node = p.node as Json;
          return { clean_steps: { [HARDWARE_MANAGER_NAME]: CLEAN_STEPS }, hardware_manager_version: versions() };
        },
      },
      execute_clean_step: { mode: 'async', validate: validateStep, run: (p) => runStep(ctx, p, 'clean') },
    },
    deploy: {
      get_deploy_steps: {
        mode: 'sync',
        run: async (p) => {
          if (p.node) ctx.node = p.node as Json;
          return { deploy_steps: { [HARDWARE_MANAGER_NAME]: DEPLOY_STEPS }, hardware_manager_version: versions() };
        },
      },
      execute_deploy_step: { mode: 'async', validate: validateStep, run: (p) => runStep(ctx, p, 'deploy') },
    },
  };
}
