#!/usr/bin/env bash
# The main job on a fresh machine: install what it needs (npm dependencies; the Debian
# packages that build the demo image and the agent ISO, and that the agent uses on its
# disks), then run Ingot with an emulated Redfish lab whose machines boot `ingot agent` and
# get a real image written to their disk files (src/bin/demo.ts).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib/common.sh
. "$HERE/lib/common.sh"
# shellcheck source=lib/deps.sh
. "$HERE/lib/deps.sh"
cd "$INGOT_ROOT"
ensure_node_modules
ensure_apt "${DEMO_PACKAGES[@]}" || { log "could not install the Debian packages: ${DEMO_PACKAGES[*]}"; exit 1; }
exec node --import tsx src/bin/demo.ts "$@"
