/**
 * Ironic's `conductor.utils.update_image_type` (21.4), run before adoption: record whether
 * the instance image is a whole-disk or a partition image, as `instance_info.image_type`
 * and `driver_internal_info.is_whole_disk_image`, from what the operator put in
 * instance_info.
 *
 * - no `image_source`: nothing changes;
 * - `image_type` given: whole disk unless it is `partition` (an unknown value is written
 *   back as `whole-disk`);
 * - a Glance reference (UUID or `glance://`): Ingot has no image service to ask, as a 21.4
 *   without Glance: nothing changes;
 * - otherwise: whole disk unless `kernel` or `ramdisk` is given.
 *
 * Deviation: for an http(s) URL 21.4 also sends a HEAD request and, if the server answers
 * with an HTML listing or a redirect to a folder, treats the source as a directory and
 * only records `is_source_a_path`; Ingot does not probe the URL at adoption.
 */
import type { Json } from '../core/node.ts';
import { isUuidLike } from '../core/ids.ts';

export interface ImageTypeUpdate { instance_info: Json; driver_internal_info: Json }

function isGlanceRef(src: string): boolean {
  return src.startsWith('glance://') || isUuidLike(src);
}

/** The changed instance_info and driver_internal_info, or undefined when nothing changes. */
export function imageTypeUpdate(instanceInfo: Json, driverInternalInfo: Json): ImageTypeUpdate | undefined {
  const src = instanceInfo.image_source;
  if (!src || typeof src !== 'string') return undefined;
  let wholeDisk: boolean;
  const given = instanceInfo.image_type;
  if (given) wholeDisk = given !== 'partition';
  else if (isGlanceRef(src)) return undefined;
  else wholeDisk = !instanceInfo.kernel && !instanceInfo.ramdisk;
  return {
    instance_info: { ...instanceInfo, image_type: wholeDisk ? 'whole-disk' : 'partition' },
    driver_internal_info: { ...driverInternalInfo, is_whole_disk_image: wholeDisk },
  };
}
