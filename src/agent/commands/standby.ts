/**
 * The `standby` extension: prepare_image (async), get_partition_uuids, sync,
 * power_off and run_image (async). prepare_image is also what the `write_image` deploy
 * step runs (commands/steps.ts).
 */
import type { Extensions, Params } from './executor.ts';
import { type AgentContext, type Json } from './context.ts';
import { validateImageInfo, type ImageInfo } from '../disk/download.ts';
import { cacheAndWriteImage, diskIdentifier, fixGpt, streamRawImage, type WriteImageOptions } from '../disk/image-writer.ts';
import { writeConfigDrive } from '../disk/configdrive.ts';
import { chooseRootDisk, hintsFromNode } from '../disk/hints.ts';
import { invalidImage, invalidParams } from '../errors.ts';
import type { Disk } from '../hardware/types.ts';

/** The install device for the node the agent serves (root device hints, §7). */
export async function installDevice(ctx: AgentContext, node: Json | null = ctx.node): Promise<Disk> {
  return chooseRootDisk(await ctx.machine.disks(), hintsFromNode(node));
}

function writeOptions(ctx: AgentContext): WriteImageOptions {
  const permitted = ctx.config.permitted_image_formats;
  return {
    download: ctx.download,
    tmpDir: ctx.tmpDir,
    permittedFormats: Array.isArray(permitted) ? permitted.map(String) : null,
    deepInspection: ctx.config.disable_deep_image_inspection !== true,
    log: ctx.log,
  };
}

export function validatePrepareImage(params: Params): void {
  validateImageInfo(params.image_info);
  if (params.configdrive !== undefined && params.configdrive !== null && typeof params.configdrive !== 'string') {
    throw invalidParams("'configdrive' must be a URL or gzip+base64 text");
  }
}

/**
 * IPA's prepare_image for whole-disk images: write the image, the config drive, record
 * the disk identifier as `root uuid`; answer `image (<id>) written to device <dev> root_uuid=<id>`.
 */
export async function prepareImage(ctx: AgentContext, imageInfo: ImageInfo, configdrive: string | null, node: Json | null = ctx.node): Promise<string> {
  if (imageInfo.image_type === 'partition') {
    throw invalidImage(`Image ${imageInfo.id} is a partition image; this agent deploys whole-disk images only. Use a whole-disk image.`);
  }
  const o = writeOptions(ctx);
  const format = imageInfo.disk_format ?? null;
  if (format && o.permittedFormats && !o.permittedFormats.includes(format)) {
    throw invalidImage(`The image format ${format} of image ${imageInfo.id} is not permitted; permitted formats: ${o.permittedFormats.join(', ')}.`);
  }
  const disk = await installDevice(ctx, node);
  ctx.log(`Writing image ${imageInfo.id} (${format ?? 'unknown format'}) to ${disk.name}`);
  ctx.partitionUuids = {};
  if (imageInfo.stream_raw_images === true && format === 'raw') await streamRawImage(imageInfo, disk, o);
  else await cacheAndWriteImage(imageInfo, disk, o);
  await fixGpt(disk.path);
  configdrive ??= (typeof imageInfo.configdrive === 'string' ? imageInfo.configdrive : null);
  if (configdrive) await writeConfigDrive(disk, configdrive, imageInfo.node_uuid ?? 'local', ctx.log);
  const root = await diskIdentifier(disk.path);
  ctx.partitionUuids = { 'root uuid': root };
  return `image (${imageInfo.id}) written to device ${disk.name} root_uuid=${root}`;
}

export function standbyExtension(ctx: AgentContext): Extensions[string] {
  return {
    prepare_image: {
      mode: 'async',
      validate: validatePrepareImage,
      run: async (p) => prepareImage(ctx, p.image_info as ImageInfo, (p.configdrive as string | null | undefined) ?? null),
    },
    get_partition_uuids: { mode: 'sync', run: async () => ctx.partitionUuids ?? {} },
    sync: { mode: 'sync', run: async () => { await ctx.machine.sync(); return null; } },
    power_off: {
      mode: 'async',
      run: async () => { await ctx.machine.powerOff(); ctx.shutdown('powered off'); return null; },
    },
    run_image: {
      mode: 'async',
      run: async () => { await ctx.machine.reboot(); ctx.shutdown('rebooted'); return null; },
    },
  };
}
