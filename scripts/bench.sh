#!/bin/bash
# Benchmarks (`npm run bench`): the peer's REST workload (../shared/peer/ironic/bench.py:
# create N nodes, list them with detail, move M nodes enroll → active) against a fresh
# `ingot serve`, and — when the real Ironic is installed (/usr/bin/ironic-api) — against
# a fresh real Ironic in the same run; then the memory benchmark (RSS of `ingot serve`
# with 10,000 nodes). Prints both sets of figures and the ratios side by side and writes
# bench/results/<stamp>-{ingot,ironic,memory,summary}.json. Targets are reported only.
#
# Knobs (environment):
#   BENCH_NODES=500 BENCH_MOVE=100 BENCH_LIST_RUNS=5   bench.py workload
#   BENCH_ARGS="..."          extra bench.py arguments, for both servers (e.g. --poll 0.05)
#   BENCH_IRONIC=auto|0       0 skips the real Ironic even when installed
#   BENCH_NODE_CLIENT=1|0     also run the workload with the Node client (bench/workload.ts)
#                             against a fresh Ingot and a fresh Ironic (default 1)
#   IRONIC_API_PORT=6391 IRONIC_RPC_PORT=8098  ports of the peer started here (a free
#                             port is picked if these are taken; never touches a peer
#                             already running elsewhere, e.g. on 6390/8099)
#   MEM_NODES=10000 MEM_CONCURRENCY=16 MEM_TARGET_MB=250   memory benchmark (MEM_NODES=0 skips)
#   SCALE_NODES=10000 SCALE_CONDUCTORS=3   scale-out benchmark on PostgreSQL (bench/scale.ts):
#                             `ingot serve` and `ingot api` + SCALE_CONDUCTORS conductors, same
#                             workload, side by side (SCALE_NODES=0 skips)
#   DEPLOY_MACHINES=16 DEPLOY_SIZE_MIB=512   deploy benchmark (bench/deploy.ts): lab machines deployed
#                             at once through the agent beside dd of the same bytes, the time per phase,
#                             then the CPU per GiB of each part of the write (bench/deploy-cpu.ts;
#                             DEPLOY_MACHINES=0 skips both)
#   BENCH_CPU_PROF=1          run ingot (the bench.py part) under --cpu-prof; prints the top
#                             functions; profiles stay in bench/results/profiles/ (git-ignored)
#
# Ingot runs with its periodic node scans (power state sync, timeout checks) disabled so
# that they do not interfere with the measurements.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib/common.sh
. "$HERE/lib/common.sh"
# shellcheck source=lib/deps.sh
. "$HERE/lib/deps.sh"
# shellcheck source=lib/ingot.sh
. "$HERE/lib/ingot.sh"
cd "$INGOT_ROOT"

BENCH_PY=$PEER_DIR/bench.py
[ -f "$BENCH_PY" ] || { log "no $BENCH_PY (../shared beside the project root)"; exit 1; }
ensure_node_modules || exit 1
ensure_apt python3 || exit 1

STAMP=$(date +%Y%m%dT%H%M%S)
RES=$INGOT_ROOT/bench/results
mkdir -p "$RES"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/ingot-bench.XXXXXX")
IRONIC_STARTED=0
export IRONIC_PEER_DIR=$WORK/ironic-peer
cleanup() {
  stop_ingot
  if [ $IRONIC_STARTED = 1 ]; then bash "$PEER_DIR/stop.sh" >/dev/null 2>&1; fi
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# No periodic node scans inside ingot during the measurements (power state sync and
# wait-state timeout checks walk every node); the cheap conductor heartbeat stays on.
export INGOT_SYNC_POWER_STATE_INTERVAL=0 INGOT_CHECK_PROVISION_STATE_INTERVAL=0
export INGOT_LOG_LEVEL=warn
if [ "${BENCH_CPU_PROF:-0}" = 1 ]; then
  PROF_DIR=$RES/profiles/$STAMP
  mkdir -p "$PROF_DIR"
  export INGOT_NODE_FLAGS="--cpu-prof --cpu-prof-dir=$PROF_DIR"
fi

WORKLOAD=(--nodes "${BENCH_NODES:-500}" --move "${BENCH_MOVE:-100}" --list-runs "${BENCH_LIST_RUNS:-5}")
read -r -a EXTRA <<<"${BENCH_ARGS:-}"

# --------------------------------------------------------------- ingot ------
# Each client gets a fresh server and an empty database, as bench.py asks.
log "ingot: bench.py ${WORKLOAD[*]} ${EXTRA[*]}"
uptime | sed 's/^/load before: /'
start_ingot "$(free_port)" "$WORK/ingot-data" "$WORK/ingot.log" || exit 1
/usr/bin/python3 "$BENCH_PY" --url "$INGOT_URL" "${WORKLOAD[@]}" "${EXTRA[@]}" --out "$RES/$STAMP-ingot.json" >"$WORK/ingot-bench.out" 2>&1
rc=$?
if [ $rc -ne 0 ]; then
  log "bench.py failed against ingot:"; cat "$WORK/ingot-bench.out"; tail -n 30 "$WORK/ingot.log"; exit 1
fi
sed '/^{$/,$d; s/^/  /' "$WORK/ingot-bench.out"
ps -o rss= -p "$INGOT_PID" | awk '{printf "  ingot RSS after the workload: %.1f MB\n", $1/1024}'
stop_ingot
unset INGOT_NODE_FLAGS

NODE_CLIENT=${BENCH_NODE_CLIENT:-1}
if [ "$NODE_CLIENT" = 1 ]; then
  log "ingot: the same workload with the Node client (bench/workload.ts)"
  start_ingot "$(free_port)" "$WORK/ingot-data2" "$WORK/ingot2.log" || exit 1
  if ! node --import tsx bench/workload.ts --url "$INGOT_URL" "${WORKLOAD[@]}" "${EXTRA[@]}" --out "$RES/$STAMP-ingot-node.json" | sed 's/^/  /'; then
    log "bench/workload.ts failed against ingot"; tail -n 30 "$WORK/ingot2.log"; exit 1
  fi
  stop_ingot
fi

# The stack's own floor for creates (Fastify + one prepared SQLite insert, nothing else),
# with bench.py's client loop: what any server on this stack costs per create.
log "floor: bare Fastify + SQLite insert, bench.py's create loop (bench/floor.ts)"
node --import tsx bench/floor.ts "${BENCH_NODES:-500}" | sed 's/^/  /'

# -------------------------------------------------------------- ironic ------
IRONIC_JSON=
IRONIC_NODE_JSON=
if [ "${BENCH_IRONIC:-auto}" != 0 ] && [ -x /usr/bin/ironic-api ]; then
  ensure_apt curl || exit 1
  api=${IRONIC_API_PORT:-6391}; rpc=${IRONIC_RPC_PORT:-8098}
  port_in_use "$api" && api=$(free_port)
  port_in_use "$rpc" && rpc=$(free_port)
  log "real Ironic (fresh, $IRONIC_PEER_DIR, API :$api, RPC :$rpc): bench.py ${WORKLOAD[*]} ${EXTRA[*]}"
  IRONIC_STARTED=1
  if IRONIC_API_PORT=$api IRONIC_RPC_PORT=$rpc bash "$PEER_DIR/run_bench.sh" ironic \
      --url "http://127.0.0.1:$api" "${WORKLOAD[@]}" "${EXTRA[@]}" --out "$RES/$STAMP-ironic.json" >"$WORK/ironic-bench.out" 2>&1; then
    IRONIC_JSON=$RES/$STAMP-ironic.json
    sed '/^{$/,$d; s/^/  /' "$WORK/ironic-bench.out"
  else
    log "the real Ironic benchmark failed:"; tail -n 30 "$WORK/ironic-bench.out"
  fi
  bash "$PEER_DIR/stop.sh" >/dev/null 2>&1
  if [ "$NODE_CLIENT" = 1 ]; then
    log "real Ironic (fresh database): the same workload with the Node client"
    if IRONIC_API_PORT=$api IRONIC_RPC_PORT=$rpc IRONIC_RESET_DB=1 bash "$PEER_DIR/start.sh" >"$WORK/ironic-start2.out" 2>&1 \
        && node --import tsx bench/workload.ts --url "http://127.0.0.1:$api" "${WORKLOAD[@]}" "${EXTRA[@]}" --out "$RES/$STAMP-ironic-node.json" | sed 's/^/  /'; then
      IRONIC_NODE_JSON=$RES/$STAMP-ironic-node.json
    else
      log "the real Ironic benchmark with the Node client failed"; tail -n 30 "$WORK/ironic-start2.out"
    fi
    bash "$PEER_DIR/stop.sh" >/dev/null 2>&1
  fi
  IRONIC_STARTED=0
else
  log "real Ironic not installed (or BENCH_IRONIC=0): Ingot figures only"
fi

# -------------------------------------------------------------- memory ------
MEM_JSON=
if [ "${MEM_NODES:-10000}" -gt 0 ]; then
  log "memory: ${MEM_NODES:-10000} nodes in a fresh ingot"
  start_ingot "$(free_port)" "$WORK/mem-data" "$WORK/ingot-mem.log" || exit 1
  if node --import tsx bench/memory.ts --url "$INGOT_URL" --pid "$INGOT_PID" --nodes "${MEM_NODES:-10000}" \
      --concurrency "${MEM_CONCURRENCY:-16}" --target-mb "${MEM_TARGET_MB:-250}" --out "$RES/$STAMP-memory.json" | sed 's/^/  /'; then
    MEM_JSON=$RES/$STAMP-memory.json
  fi
  stop_ingot
fi

# ----------------------------------------------------------- scale-out ------
if [ "${SCALE_NODES:-10000}" -gt 0 ]; then
  for mode in serve split; do
    log "scale-out: ${SCALE_NODES:-10000} nodes, $mode, on PostgreSQL (bench/scale.ts)"
    node --import tsx bench/scale.ts --mode "$mode" --nodes "${SCALE_NODES:-10000}" --conductors "${SCALE_CONDUCTORS:-3}" \
      --out "$RES/$STAMP-scale-$mode.json" 2>&1 | sed 's/^/  /'
  done
fi

# -------------------------------------------------------------- deploy ------
if [ "${DEPLOY_MACHINES:-16}" != 0 ]; then
  log "deploy: ${DEPLOY_MACHINES:-16} lab machines at once, ${DEPLOY_SIZE_MIB:-512} MiB raw image, beside dd (bench/deploy.ts)"
  ensure_apt "${DEMO_PACKAGES[@]}" time || log "could not install ${DEMO_PACKAGES[*]} time"
  uptime | sed 's/^/  load before the deploy benchmark: /'
  node --import tsx bench/deploy.ts --machines "${DEPLOY_MACHINES:-16}" --size-mib "${DEPLOY_SIZE_MIB:-512}" --out "$RES/$STAMP-deploy.json" 2>&1 \
    | grep -v -E 'FSTDEP|trace-warnings' | sed 's/^/  /'
  log "deploy: CPU seconds per GiB of each part of the write, one stream each (bench/deploy-cpu.ts)"
  node --import tsx bench/deploy-cpu.ts --size-mib 1024 --out "$RES/$STAMP-deploy-cpu.json" 2>&1 \
    | grep -v -E 'FSTDEP|trace-warnings' | sed 's/^/  /'
fi

# ------------------------------------------------------------- summary ------
uptime | sed 's/^/load after: /'
echo
args=(--ingot "$RES/$STAMP-ingot.json" --out "$RES/$STAMP-summary.json")
[ -n "$IRONIC_JSON" ] && args+=(--ironic "$IRONIC_JSON")
[ -n "$MEM_JSON" ] && args+=(--memory "$MEM_JSON")
[ -f "$RES/$STAMP-ingot-node.json" ] && args+=(--ingot-node "$RES/$STAMP-ingot-node.json")
[ -n "$IRONIC_NODE_JSON" ] && args+=(--ironic-node "$IRONIC_NODE_JSON")
node --import tsx bench/compare.ts "${args[@]}"
if [ "${BENCH_CPU_PROF:-0}" = 1 ]; then
  for p in "$PROF_DIR"/*.cpuprofile; do
    [ -e "$p" ] || continue
    echo; echo "top self time in $(basename "$p"):"
    node --import tsx bench/profile-top.ts "$p" 25
  done
fi
echo "results: $RES/$STAMP-*.json"
