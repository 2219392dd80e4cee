/**
 * `redfish` RAID interface (Ironic's RedfishRAID): volumes through Storage/Volumes.
 *
 * - validateRaidConfig: Ironic's RAID schema (fake/raid-schema.ts), then "interface type
 *   `scsi` not supported by Redfish RAID". validate(): the node's target_raid_config when
 *   set (like Ironic, the redfish RAID validate does not check driver_info).
 * - Steps: create_configuration (clean, priority 0) {create_root_volume,
 *   create_nonroot_volumes, delete_existing}; delete_configuration (clean and deploy);
 *   apply_configuration (deploy) {raid_config, create_root_volume, create_nonroot_volumes,
 *   delete_existing}. Each runs to completion in one call: volumes are created/deleted
 *   with the collection's preferred apply time (Immediate, else OnReset), every 202 task
 *   monitor is polled until done (honouring ctx.signal, up to timings.taskTimeoutS), and
 *   OnReset operations are followed by a reboot (one per controller at a time, as Ironic
 *   submits them). Storage whose controller lists an empty SupportedRAIDTypes, or that
 *   has no Volumes collection (e.g. plain NVMe or SAS HBA storage), is ignored.
 * - When done, raid_config is set through ctx.setNodeFields to every volume with a RAID
 *   type: {logical_disks: [{id, name, controller, size_gb, raid_level}], last_updated}.
 * Differences from Ironic 21.4: delete_existing is honoured (Ironic ignores it);
 * apply_configuration uses its raid_config argument but cannot store it as
 * target_raid_config (not a field drivers may set).
 */
import { InvalidError } from '../../core/errors.ts';
import type { Json } from '../../core/node.ts';
import type { DriverContext, RaidInterface, StepDef, StepOutcome } from '../base.ts';
import { raidLogicalDiskProperties, validateRaidConfigSchema } from '../shared/raid-schema.ts';
import {
  createVolume, deleteVolume, getDrives, getStorage, getVolumeCollection, getVolumes, lastSegment, normalizePath,
  supportedApplyTimes, type HttpResponse, type Storage, type TaskMonitor,
} from './client/index.ts';
import type { RedfishSession } from './connection.ts';
import { pollUntil, RedfishBase, runStep } from './common.ts';
import { hardReboot } from './power-ops.ts';
import { filterVolumes, levelOfRaidType, planRaid, RaidPlanError, type PhysicalDisk, type PlannedVolume } from './raid-plan.ts';

const GiB = 1024 ** 3;
const bool = (v: unknown, d: boolean): boolean => (typeof v === 'boolean' ? v : d);
const CREATE_ARGS = {
  create_root_volume: { description: 'This specifies whether to create the root volume. Defaults to `True`.', required: false },
  create_nonroot_volumes: { description: 'This specifies whether to create the non-root volumes. Defaults to `True`.', required: false },
  delete_existing: { description: 'Setting this to `True` indicates to delete existing RAID configuration prior to creating the new configuration. Default value is `False`.', required: false },
};
const APPLY_ARGS = {
  raid_config: { description: 'The RAID configuration to apply.', required: true },
  create_root_volume: { description: "Setting this to 'False' indicates not to create root volume that is specified in 'raid_config'. Default value is 'True'.", required: false },
  create_nonroot_volumes: { description: "Setting this to 'False' indicates not to create non-root volumes (all except the root volume) in 'raid_config'. Default value is 'True'.", required: false },
  delete_existing: { description: "Setting this to 'True' indicates to delete existing RAID configuration prior to creating the new configuration. Default value is 'True'.", required: false },
};

/** Python's str(datetime.utcnow()): "YYYY-MM-DD HH:MM:SS.ffffff". */
function pyUtcNow(): string {
  return `${new Date().toISOString().replace('T', ' ').replace('Z', '')}000`;
}

/** Why a Storage resource cannot hold RAID volumes, undefined when it can. */
function notRaidCapable(st: Storage): string | undefined {
  if (st.controllers[0] && st.controllers[0].supportedRaidTypes?.length === 0) return 'its controller supports no RAID types';
  if (!st.volumesUri) return 'no Volumes collection';
  return undefined;
}

async function applyTimeOf(s: RedfishSession, st: Storage): Promise<string | undefined> {
  const supported = supportedApplyTimes(await getVolumeCollection(s.client, st));
  if (supported?.includes('Immediate')) return 'Immediate';
  if (supported?.includes('OnReset')) return 'OnReset';
  return undefined;
}

export class RedfishRaid extends RedfishBase implements RaidInterface {
  readonly steps: readonly StepDef[] = [
    { step: 'apply_configuration', deployPriority: 0, abortable: false, requiresRamdisk: true, argsinfo: APPLY_ARGS },
    { step: 'create_configuration', cleanPriority: 0, abortable: false, requiresRamdisk: true, argsinfo: CREATE_ARGS },
    { step: 'delete_configuration', cleanPriority: 0, deployPriority: 0, abortable: false, requiresRamdisk: true },
  ];

  override async validate(ctx: DriverContext): Promise<void> {
    const target = ctx.node.target_raid_config;
    if (target && Object.keys(target).length > 0) await this.validateRaidConfig(ctx, target);
  }

  async validateRaidConfig(_ctx: DriverContext, config: Json): Promise<void> {
    validateRaidConfigSchema(config);
    const disks = config.logical_disks as Json[];
    if (disks.some((d) => d.interface_type === 'scsi')) throw new InvalidError('interface type `scsi` not supported by Redfish RAID');
  }

  logicalDiskProperties(): Readonly<Record<string, string>> { return raidLogicalDiskProperties(); }

  async executeStep(ctx: DriverContext, step: string, args: Json): Promise<StepOutcome> {
    return runStep('raid', {
      create_configuration: (c, a) => this.createConfiguration(c, ctx.node.target_raid_config, a, false),
      apply_configuration: async (c, a) => {
        if (!a.raid_config || typeof a.raid_config !== 'object') throw new InvalidError("The 'raid_config' argument of apply_configuration is required.");
        await this.validateRaidConfig(c, a.raid_config as Json);
        return this.createConfiguration(c, a.raid_config as Json, a, true);
      },
      delete_configuration: (c) => this.deleteConfiguration(c),
    }, ctx, step, args);
  }

  /** Build the logical disks of `config` (see the module doc). */
  async createConfiguration(ctx: DriverContext, config: Json, args: Json, deleteByDefault: boolean): Promise<StepOutcome> {
    const logical = Array.isArray(config?.logical_disks) ? structuredClone(config.logical_disks as Json[]) : [];
    if (logical.length === 0) {
      // Ironic's wording (common/raid.py), plus what the operator does about it.
      throw new InvalidError(`Node ${ctx.node.uuid} has no target RAID configuration. Set one with "baremetal node set ${ctx.node.uuid} --target-raid-config <JSON>" and clean again.`);
    }
    await this.redfish(ctx, 'Redfish RAID create_configuration', async (s) => {
      if (bool(args.delete_existing, deleteByDefault)) await this.deleteVolumes(s);
      const all = await getStorage(s.client, s.system);
      const storages = all.filter((x) => !notRaidCapable(x));
      const disks = await this.physicalDisks(s, storages);
      if (disks.length === 0) {
        const skipped = all.filter((x) => notRaidCapable(x)).map((x) => `; ${x.id ?? x.uri} skipped: ${notRaidCapable(x)}`).join('');
        throw new RaidPlanError(`Redfish RAID create_configuration failed for node ${ctx.node.uuid}: the BMC shows no physical drives on RAID-capable Storage `
          + `(Storage resources: ${storages.map((x) => x.id ?? x.uri).join(', ') || 'none'}${skipped}).`);
      }
      let planned: PlannedVolume[];
      try { planned = planRaid(ctx.node.uuid, logical, disks); } catch (e) {
        if (e instanceof RaidPlanError) throw new RaidPlanError(`Redfish RAID create_configuration failed for node ${ctx.node.uuid}: ${e.message}`);
        throw e;
      }
      const wanted = filterVolumes(planned, bool(args.create_root_volume, true), bool(args.create_nonroot_volumes, true));
      const uriOf = new Map(disks.map((d) => [`${d.storageId}\0${d.id}`, d.uri]));
      for (const v of [...wanted].sort((a, b) => (a.controller < b.controller ? -1 : a.controller > b.controller ? 1 : 0))) {
        const st = storages.find((x) => x.id === v.controller) ?? storages.find((x) => v.physicalDisks.some((id) => uriOf.has(`${x.id}\0${id}`)));
        if (!st) throw new RaidPlanError(`No storage controller found for node ${ctx.node.uuid}`);
        const applyTime = await applyTimeOf(s, st);
        const op = await createVolume(s.client, st, {
          raidType: v.raidType, capacityBytes: v.sizeBytes, applyTime,
          drives: v.physicalDisks.map((id) => uriOf.get(`${st.id}\0${id}`)).filter((u): u is string => !!u),
        }, { wait: false });
        await this.finish(s, op.task, applyTime, `creating a ${v.raidType} volume on ${st.id}`);
      }
      await this.recordRaidConfig(s);
    });
    return 'done';
  }

  async deleteConfiguration(ctx: DriverContext): Promise<StepOutcome> {
    await this.redfish(ctx, 'Redfish RAID delete_configuration', async (s) => {
      await this.deleteVolumes(s);
      await this.recordRaidConfig(s);
    });
    return 'done';
  }

  /** Delete every volume that has a RAID type, on every storage. */
  private async deleteVolumes(s: RedfishSession): Promise<void> {
    for (const st of await getStorage(s.client, s.system)) {
      const applyTime = await applyTimeOf(s, st);
      for (const v of await getVolumes(s.client, st)) {
        if (!v.raidType) continue;
        const op = await deleteVolume(s.client, v, { applyTime, wait: false });
        await this.finish(s, op.task, applyTime, `deleting volume ${v.id ?? v.uri}`);
      }
    }
  }

  /** Wait for a volume operation: reboot first when it applies on reset; poll its task monitor. */
  private async finish(s: RedfishSession, task: TaskMonitor | undefined, applyTime: string | undefined, what: string): Promise<void> {
    if (!task) return;
    if (applyTime === 'OnReset') {
      await hardReboot(s, s.timings.powerTimeoutS);
      await s.refresh();
    }
    let last: HttpResponse | undefined;
    const done = await pollUntil(s, s.timings.taskTimeoutS, `Waiting for ${what}`, async () => {
      const r = await task.poll();
      last = r.response;
      if (r.done && r.task && ['Exception', 'Killed', 'Cancelled'].includes(r.task.taskState ?? '')) {
        throw new RaidPlanError(`Redfish task ${task.uri} for ${what} on node ${s.ctx.node.uuid} ended in state ${r.task.taskState}: ${r.task.messages.join('; ') || 'no details'}`);
      }
      return r.done ? true : undefined;
    });
    if (!done) {
      throw new RaidPlanError(`Timed out after ${s.timings.taskTimeoutS} s waiting for Redfish task ${task.uri} (${what}) on node ${s.ctx.node.uuid}; last answer HTTP ${last?.status ?? 'none'}.`);
    }
  }

  private async physicalDisks(s: RedfishSession, storages: Storage[]): Promise<PhysicalDisk[]> {
    const out: PhysicalDisk[] = [];
    for (const st of storages) {
      const used = new Set((await getVolumes(s.client, st)).flatMap((v) => v.drives.map(normalizePath)));
      for (const d of await getDrives(s.client, st)) {
        const id = d.id ?? (d.uri ? lastSegment(d.uri) : undefined);
        if (!id || d.capacityBytes === undefined) continue;
        out.push({
          id, uri: d.uri || id, storageId: st.id ?? st.uri, capacityBytes: d.capacityBytes, mediaType: d.mediaType,
          protocol: d.protocol, inUse: used.has(normalizePath(d.uri)),
        });
      }
    }
    return out;
  }

  /** Ironic's update_raid_config: raid_config from the volumes the BMC now has. */
  private async recordRaidConfig(s: RedfishSession): Promise<void> {
    const logical: Json[] = [];
    const untyped: string[] = [];
    for (const st of await getStorage(s.client, s.system)) {
      for (const v of await getVolumes(s.client, st)) {
        const level = levelOfRaidType(v.raidType);
        if (!level) { untyped.push(v.id ?? v.uri); continue; }
        logical.push({ id: v.id ?? null, name: v.name ?? null, controller: st.id ?? null, size_gb: Math.floor((v.capacityBytes ?? 0) / GiB), raid_level: level });
      }
    }
    if (untyped.length > 0) s.ctx.logger.warn({ node: s.ctx.node.uuid, volumes: untyped }, 'Unable to update raid_config for volumes missing RAID type');
    s.ctx.setNodeFields?.({ raid_config: { logical_disks: logical, last_updated: pyUtcNow() } });
  }
}
