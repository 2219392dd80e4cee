#!/usr/bin/env bash
# The main job on a fresh machine: install npm dependencies if needed, then run Ingot with
# an emulated Redfish lab and provision its machines end to end (src/bin/demo.ts).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
exec node --import tsx src/bin/demo.ts "$@"
