#!/usr/bin/env bash
# `npm run demo:qemu`: real (virtual) machines deployed end to end on a fresh machine.
# Installs what it needs (npm dependencies; QEMU, iPXE ROMs, dnsmasq, busybox, the ISO and
# disk tools from Debian), builds the agent ramdisk (cached), then deploys the demo image to a
# QEMU machine over iPXE and to another over virtual media (src/bin/demo-qemu.ts). Needs root
# (network namespace, tap devices). Ends with
#   qemu: deployed over pxe and virtual-media, marker found on disk
# or names the path that failed (exit 1).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib/common.sh
. "$HERE/lib/common.sh"
# shellcheck source=lib/deps.sh
. "$HERE/lib/deps.sh"
cd "$INGOT_ROOT"
if [ "$(id -u)" -ne 0 ]; then log "demo:qemu needs root (network namespace, tap devices): run it with sudo"; exit 1; fi
ensure_node_modules
ensure_apt "${QEMU_DEMO_PACKAGES[@]}" || { log "could not install the Debian packages: ${QEMU_DEMO_PACKAGES[*]}"; exit 1; }
exec node --import tsx src/bin/demo-qemu.ts "$@"
