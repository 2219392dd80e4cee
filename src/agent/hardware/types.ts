/**
 * What the agent knows about the machine it runs on, in IPA's inventory shapes
 * (agent-reference §5), and the few things it does to the machine. Two implementations:
 * `linux.ts` (a real server's ramdisk: /proc, /sys, lsblk, dmidecode) and `lab.ts`
 * (a lab machine described by an `AgentMachine` file: disks are sparse files).
 */

export interface InventoryInterface {
  name: string;
  mac_address: string;
  ipv4_address: string | null;
  ipv6_address: string | null;
  has_carrier: boolean;
  lldp: [number, string][] | null;
  vendor: string | null;
  product: string | null;
  client_id: string | null;
  biosdevname: string | null;
  speed_mbps: number | null;
  pci_address: string | null;
  driver: string | null;
}

export interface InventoryDisk {
  name: string;
  model: string;
  size: number;
  rotational: boolean;
  wwn: string | null;
  serial: string | null;
  vendor: string | null;
  wwn_with_extension: string | null;
  wwn_vendor_extension: string | null;
  hctl: string | null;
  by_path: string | null;
  logical_sectors: number | null;
  physical_sectors: number | null;
  tran: string | null;
}

export interface Inventory {
  interfaces: InventoryInterface[];
  cpu: { model_name: string; frequency: string; count: number; architecture: string; flags: string[]; socket_count: number | null };
  disks: InventoryDisk[];
  memory: { total: number; physical_mb: number | null };
  bmc_address: string | null;
  bmc_v6address: string | null;
  bmc_mac: string | null;
  system_vendor: {
    product_name: string; serial_number: string; manufacturer: string;
    firmware: { vendor: string; version: string; build_date: string };
  };
  boot: { current_boot_mode: 'uefi' | 'bios'; pxe_interface: string | null };
  hostname: string;
}

/** A disk the agent may write: its inventory entry plus the path it reads and writes. */
export interface Disk extends InventoryDisk {
  /** `/dev/sda` on Linux; the backing sparse file in the lab. */
  path: string;
}

export interface BootEntry {
  label: string;
  /** Device name as reported (`/dev/sda`). */
  disk: string;
  partition: string | null;
  loader: string | null;
}

export interface Machine {
  /** Whether disks are plain files (lab) rather than block devices. */
  readonly disksAreFiles: boolean;
  inventory(): Promise<Inventory>;
  disks(): Promise<Disk[]>;
  /** MACs of every interface that has one, lower-case colon form. */
  macs(): Promise<string[]>;
  kernelCmdline(): Promise<string>;
  /**
   * The address this machine reaches `dest` from (IPA's advertise address when none is
   * configured): `ip route get` on Linux, the booted NIC's IPv4 address in the lab. Null if unknown.
   */
  routeSource(dest: string): Promise<string | null>;
  /** Flush buffers (`sync`). */
  sync(): Promise<void>;
  powerOff(): Promise<void>;
  reboot(): Promise<void>;
  /** Make the machine boot `entry` next (NVRAM on real hardware; the lab's NVRAM file). */
  recordBootEntry(entry: BootEntry): Promise<void>;
  /** Set the `rescue` user's password hash. */
  setRescuePassword(hash: string): Promise<string>;
  /** Files and command outputs for `log.collect_system_logs`: name → content. */
  systemLogs(): Promise<Record<string, string>>;
}
