/**
 * The QEMU command line of a lab machine (pure: no process, no file). One QEMU process is
 * one boot: the lab starts a fresh process at each power-on with the boot device the BMC
 * chose, and `-no-reboot` makes a guest reboot end the process so the BMC decides what
 * the next boot is (a `Once` override is consumed, as on real hardware).
 *
 * - firmware: SeaBIOS (`bios`, default) or OVMF (`uefi`: read-only code + a per-machine
 *   copy of the variables, as two pflash drives);
 * - software emulation (`tcg`) unless told otherwise; one CPU, memory as given;
 * - NIC: virtio-net on a tap device (the lab puts it on its bridge), with the machine's
 *   MAC; under SeaBIOS its option ROM is iPXE (Debian's ipxe-qemu), which is what network
 *   boot runs; under OVMF no ROM: OVMF's own PXE client;
 * - boot order by `bootindex` (the chosen device, then the disk): OVMF ignores `-boot`;
 * - disk: a raw file as virtio-blk (`/dev/vda` in the guest); the CD (virtual media) as
 *   an IDE CD-ROM (`/dev/sr0`);
 * - serial console appended to a file; QMP on a unix socket (events: guest shutdown or
 *   reset; commands: quit).
 */

export type QemuBootDevice = 'network' | 'cdrom' | 'disk';

export type QemuFirmware = { kind: 'bios' } | { kind: 'uefi'; code: string; vars: string };

export interface QemuMachineSpec {
  name: string;
  mac: string;
  memoryMb: number;
  cpus?: number;
  /** Raw disk image file. */
  disk: string;
  /** ISO attached as the CD, or null. */
  cdrom: string | null;
  boot: QemuBootDevice;
  /** Tap device the NIC uses (created by the caller). */
  tap: string;
  serialLog: string;
  qmpSocket: string;
  firmware?: QemuFirmware;
  accel?: 'tcg' | 'kvm';
}

/** What a Redfish `BootSourceOverrideTarget` boots on a QEMU machine. */
export function bootDeviceOf(target: string): QemuBootDevice {
  if (target === 'Pxe' || target === 'UefiHttp') return 'network';
  if (target === 'Cd') return 'cdrom';
  return 'disk';
}

/** Arguments of `qemu-system-x86_64` (without the program). */
export function qemuArgs(s: QemuMachineSpec): string[] {
  const fw = s.firmware ?? { kind: 'bios' };
  // Boot order by `bootindex` on the devices (the chosen one first, the disk next): SeaBIOS
  // and OVMF both honour it, while OVMF ignores `-boot order`.
  const first = (d: QemuBootDevice): number => (d === s.boot ? 0 : d === 'disk' ? 1 : 2);
  // UEFI: OVMF's own PXE client on its virtio-net driver, not QEMU's iPXE option ROM.
  const rom = fw.kind === 'uefi' ? ',romfile=' : '';
  const args = [
    '-name', s.name, '-machine', `pc,accel=${s.accel ?? 'tcg'}`, '-m', String(s.memoryMb), '-smp', String(s.cpus ?? 1),
    '-display', 'none', '-vga', 'std', '-monitor', 'none', '-no-reboot', '-rtc', 'base=utc',
    '-chardev', `file,id=serial0,path=${s.serialLog},append=on`, '-serial', 'chardev:serial0',
    '-qmp', `unix:${s.qmpSocket},server=on,wait=off`,
    '-netdev', `tap,id=n0,ifname=${s.tap},script=no,downscript=no`,
    '-device', `virtio-net-pci,netdev=n0,mac=${s.mac},bootindex=${first('network')}${rom}`,
    '-drive', `file=${s.disk},format=raw,if=none,id=disk0`, '-device', `virtio-blk-pci,drive=disk0,bootindex=${first('disk')}`,
  ];
  if (s.cdrom) {
    args.push('-drive', `file=${s.cdrom},format=raw,if=none,id=cd0,media=cdrom,readonly=on`, '-device', `ide-cd,drive=cd0,bus=ide.1,bootindex=${first('cdrom')}`);
  }
  if (fw.kind === 'uefi') {
    args.push('-drive', `if=pflash,format=raw,unit=0,readonly=on,file=${fw.code}`, '-drive', `if=pflash,format=raw,unit=1,file=${fw.vars}`);
  }
  return args;
}
