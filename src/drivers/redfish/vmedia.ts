/**
 * Virtual media helpers shared by the virtual media boot interface and the vendor
 * interface (Ironic's _insert_vmedia / _eject_vmedia / eject_vmedia).
 *
 * - Devices are those of the system and of its managers (client `listVirtualMedia`); a
 *   device's media types are its MediaTypes, else guessed from its Id/Name (AMI omits them).
 * - Insert: into the first device accepting the type that is empty, or that already holds
 *   the same image (nothing to do); a device holding another image is skipped. 5xx answers
 *   are retried twice after a pause (some BMCs still finish an eject). No device:
 *   "No suitable virtual media device found" (Invalid).
 * - Eject: every device accepting one of the types (a CD request also ejects DVD-only
 *   devices) that has media; returns how many were ejected.
 */
import { InvalidError } from '../../core/errors.ts';
import { ejectMedia, insertMedia, listVirtualMedia, RedfishError, type VirtualMedia } from './client/index.ts';
import type { RedfishSession } from './connection.ts';
import { sleep } from './common.ts';

/** Ironic/vendor boot_device names → Redfish MediaTypes they select. */
export const VMEDIA_DEVICES: Readonly<Record<string, readonly string[]>> = {
  cd: ['CD', 'DVD'], dvd: ['DVD'], usb: ['USBStick'], floppy: ['Floppy'],
};

function guessedTypes(vm: VirtualMedia): string[] {
  const label = `${vm.id ?? ''} ${vm.name ?? ''}`.toLowerCase();
  if (/\b(cd|dvd)|cd\d|dvd\d/.test(label)) return ['CD', 'DVD'];
  if (/usb|removable/.test(label)) return ['USBStick'];
  if (/floppy|fdd/.test(label)) return ['Floppy'];
  return [];
}

/** Media types a device accepts (lower case). */
export function mediaTypesOf(vm: VirtualMedia): string[] {
  const t = vm.mediaTypes && vm.mediaTypes.length > 0 ? vm.mediaTypes : guessedTypes(vm);
  return t.map((x) => x.toLowerCase());
}

const accepts = (vm: VirtualMedia, types: readonly string[]): boolean =>
  mediaTypesOf(vm).some((t) => types.some((x) => x.toLowerCase() === t));

export function listMedia(s: RedfishSession): Promise<VirtualMedia[]> {
  return listVirtualMedia(s.client, s.system);
}

/** Insert `image` into a device accepting `mediaType` (see the module doc). */
export async function insertImage(s: RedfishSession, image: string, mediaType = 'CD'): Promise<void> {
  for (const vm of await listMedia(s)) {
    if (!accepts(vm, [mediaType])) continue;
    if (vm.mediaPresent) {
      if (vm.image === image) return;
      continue;
    }
    for (let attempt = 1; ; attempt++) {
      try {
        await insertMedia(s.client, vm, { image, inserted: true, writeProtected: true });
        s.ctx.logger.info({ node: s.ctx.node.uuid, image, device: vm.uri }, 'Inserted boot media');
        return;
      } catch (err) {
        if (!(err instanceof RedfishError) || err.status < 500 || attempt >= 3) throw err;
        s.ctx.logger.warn({ node: s.ctx.node.uuid, device: vm.uri, status: err.status }, 'Boot media insert failed; retrying');
        await sleep(s.ctx, s.timings.pollMs * 3, 'Inserting virtual media');
      }
    }
  }
  throw new InvalidError('No suitable virtual media device found');
}

/** Eject media from devices accepting any of `types` (all devices when undefined). */
export async function ejectImages(s: RedfishSession, types?: readonly string[]): Promise<number> {
  let n = 0;
  for (const vm of await listMedia(s)) {
    if (types && !accepts(vm, types)) continue;
    if (!vm.mediaPresent) continue;
    await ejectMedia(s.client, vm);
    n++;
    s.ctx.logger.info({ node: s.ctx.node.uuid, device: vm.uri }, 'Ejected boot media');
  }
  return n;
}
