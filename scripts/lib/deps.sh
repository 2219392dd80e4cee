# shellcheck shell=bash
# Idempotent installation of what the tests and benchmarks need, for a fresh Debian 12
# machine with Node 20. Cheap when everything is present (no network, < 1 s).
# Source after common.sh.

# node_modules_stale: 0 (true) if node_modules is missing or does not match
# package-lock.json: any locked package (except optional ones for other platforms)
# absent or at another version, or better-sqlite3's native addon not built.
node_modules_stale() {
  [ -d "$INGOT_ROOT/node_modules" ] || return 0
  (cd "$INGOT_ROOT" && node -e '
    const fs = require("fs");
    const lock = JSON.parse(fs.readFileSync("package-lock.json", "utf8"));
    const bad = [];
    for (const [p, m] of Object.entries(lock.packages || {})) {
      if (!p || m.link) continue;
      let v = null;
      try { v = JSON.parse(fs.readFileSync(p + "/package.json", "utf8")).version; } catch {}
      if (v !== m.version && !(m.optional && v === null)) bad.push(`${p} (want ${m.version}, have ${v})`);
    }
    if (!fs.existsSync("node_modules/better-sqlite3/build/Release/better_sqlite3.node")) bad.push("better-sqlite3 native addon");
    if (bad.length) { console.error("node_modules is stale: " + bad.slice(0, 5).join(", ")); process.exit(0); }
    process.exit(1);
  ')
}

# ensure_node_modules: `npm ci` when node_modules is missing or stale.
ensure_node_modules() {
  if node_modules_stale; then
    log "installing npm dependencies (npm ci)"
    (cd "$INGOT_ROOT" && npm ci --no-audit --no-fund) || { log "npm ci failed"; return 1; }
  fi
}

# ensure_apt PKG...: install the Debian packages that are missing. `apt-get update` runs
# at most once per process, and only when something is missing.
APT_UPDATED=0
ensure_apt() {
  local missing=() p
  for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  if ! command -v apt-get >/dev/null; then log "missing packages ${missing[*]} and no apt-get"; return 1; fi
  local sudo=()
  [ "$(id -u)" -ne 0 ] && sudo=(sudo -n)
  log "installing Debian packages: ${missing[*]}"
  if [ $APT_UPDATED -eq 0 ]; then
    "${sudo[@]}" apt-get update -qq || return 1
    APT_UPDATED=1
  fi
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# What building and booting agent ISOs needs (drivers/shared/iso.ts, the lab's ISO boot):
# xorriso, the ESP tools, BIOS (isolinux) and UEFI (GRUB) loaders, Jinja2 to render Ironic's
# templates in the tests, sgdisk for the lab tests; sfdisk comes with util-linux.
BOOT_ISO_PACKAGES=(xorriso mtools dosfstools isolinux syslinux-common grub-efi-amd64-signed python3-jinja2 gdisk)
# What the real-client suites need: python-ironicclient's functional suite drives the
# `openstack baremetal` / `baremetal` CLIs through tempest + stestr. python3-tooz: the hash
# ring test (src/core/hash-ring.test.ts) compares Ingot's ring with the one Ironic uses.
CLIENT_TEST_PACKAGES=(python3-ironicclient python3-openstackclient python3-tempest python3-stestr python3-sushy ipmitool python3-pyghmi socat qemu-utils openssl python3-tooz python3-ironic-inspector-client)
# `ingot agent` and its tests: sgdisk (gdisk), parted, sfdisk (fdisk), wipefs/blkid/fallocate (util-linux), dmidecode,
# openssl (auto-TLS, rescue password hashes), xorriso (config drive ISOs in tests), mkfs.ext4 (e2fsprogs, erase tests).
CLIENT_TEST_PACKAGES+=(gdisk parted fdisk util-linux dmidecode openssl xorriso e2fsprogs)

# What the unit/system tests need beyond Node: the IPMI driver runs Debian's ipmitool, the
# lab's IPMI BMCs run on python3-pyghmi, and the ipmitool-socat console runs socat; the
# real ironic-inspector 11.1 answers beside Ingot's inspector API (test/inspector
# differential and client-wire tests; its service is never started by the package here).
UNIT_TEST_PACKAGES=(ipmitool python3-pyghmi socat ironic-inspector)

# Network boot (PXE/iPXE): the real dnsmasq as DHCP/TFTP server, busybox-static for udhcpc/tftp
# clients in the namespace tests, iproute2 for the namespaces, the agent ramdisk's inputs
# (cpio, the kernel package is downloaded, not installed), QEMU and its iPXE ROMs for the
# machine that boots it; UEFI: OVMF (the firmware), grub-efi-amd64-bin (grubnetx64.efi for
# `pxe` in UEFI mode); the virtual-media ISOs booted in QEMU need BOOT_ISO_PACKAGES.
NETBOOT_PACKAGES=(dnsmasq-base busybox-static iproute2 cpio pxelinux syslinux-common ipxe qemu-system-x86 ipxe-qemu
  ovmf grub-efi-amd64-bin "${BOOT_ISO_PACKAGES[@]}")

# The main job (`npm run demo`, also run as a test): the demo image (mkfs.ext4 -d, sgdisk,
# qemu-img, debugfs), the agent ISO (BOOT_ISO_PACKAGES) and the agent's disk tools.
DEMO_PACKAGES=(e2fsprogs gdisk fdisk parted util-linux qemu-utils "${BOOT_ISO_PACKAGES[@]}")

# `npm run demo:qemu` and test/netboot/qemu-deploy.test.ts: QEMU machines behind the lab's
# Redfish BMC deployed over iPXE and over virtual media (the netboot tools, the agent ISO's
# BIOS loader, the demo image's tools, the disk tools the ramdisk copies from this machine).
QEMU_DEMO_PACKAGES=("${NETBOOT_PACKAGES[@]}" "${DEMO_PACKAGES[@]}" dmidecode)
