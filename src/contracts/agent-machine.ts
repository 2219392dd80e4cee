/**
 * The lab ↔ agent contract: how an emulated lab machine describes itself to the
 * `ingot agent` process it starts when it boots the agent's ISO (or, later, PXE).
 *
 * A real server's agent reads these facts from Linux (`/proc`, `/sys`, `lsblk`,
 * `dmidecode`); a lab machine has no such kernel, so the lab writes this JSON file and
 * starts `ingot agent --lab-machine FILE --api-url URL [--port P] [--advertise-host H]`.
 * The agent then behaves exactly as on real hardware: the disks are files, the MACs are
 * the lab machine's, and "power off" / "reboot" go to the lab through `powerControlUrl`.
 *
 * Nothing here tells the agent which node it is: it looks itself up by its MACs, as IPA.
 *
 * Versioned by `version`; readers refuse a version they do not know.
 */

export const AGENT_MACHINE_VERSION = 1;

export interface AgentMachineDisk {
  /** Device name the agent reports (`/dev/sda`, `/dev/nvme0n1`). */
  name: string;
  /** Absolute path of the (sparse) file that backs the disk; the agent reads and writes it. */
  path: string;
  /** Size in bytes (the file is kept at this size). */
  size: number;
  model: string;
  vendor: string;
  serial: string;
  wwn: string | null;
  rotational: boolean;
  /** SCSI address, e.g. `0:0:0:0`. */
  hctl: string | null;
  /** `/dev/disk/by-path/...` name, or null. */
  byPath: string | null;
}

export interface AgentMachineNic {
  /** Interface name (`eth0`). */
  name: string;
  /** Lower-case colon form `52:54:00:12:34:56`. */
  macAddress: string;
  ipv4Address: string | null;
  /** The NIC the machine booted from (IPA's `boot_interface`). */
  pxe: boolean;
  speedMbps: number | null;
  /** LLDP TLVs as IPA reports them: [type, hex value] pairs. */
  lldp: [number, string][];
}

export interface AgentMachine {
  version: typeof AGENT_MACHINE_VERSION;
  /** The lab's id of the machine (Redfish System id). Informational only. */
  labId: string;
  cpu: { modelName: string; count: number; architecture: string; frequencyMHz: number; flags: string[] };
  memoryBytes: number;
  /** Physical memory in MiB as dmidecode would sum it. */
  physicalMemoryMb: number;
  systemVendor: { manufacturer: string; productName: string; serialNumber: string; skuNumber?: string };
  bmcAddress: string | null;
  bmcMac: string | null;
  /** `uefi` or `bios`: how the machine booted the agent. */
  bootMode: 'uefi' | 'bios';
  nics: AgentMachineNic[];
  disks: AgentMachineDisk[];
  /**
   * Path of the machine's NVRAM description (JSON). `image.install_bootloader` records the
   * boot entry there; the lab reads it when the machine boots from disk.
   */
  nvramPath: string;
  /**
   * POST `{"action": "off" | "reboot"}` here to power the machine off or reboot it
   * (what `standby.power_off` / a reboot do on real hardware). Null: the agent exits.
   */
  powerControlUrl: string | null;
  /** Kernel command line the machine booted with (the ISO's or PXE's), for the agent's `ipa-*` parameters. */
  kernelCmdline: string;
}

/** The NVRAM description a lab machine keeps (boot entries written by the agent). */
export interface AgentMachineNvram {
  bootEntries: { label: string; disk: string; partition: string | null; loader: string | null }[];
  bootOrder: number[];
}
