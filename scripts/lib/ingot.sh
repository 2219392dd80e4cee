# shellcheck shell=bash
# Start and stop a throw-away `ingot serve` for the real-client suites and benchmarks.
# Source after common.sh.
#
# start_ingot PORT DATA_DIR LOG_FILE
#   Runs `node bin/ingot.mjs serve` (one process: its pid is the server, so RSS and
#   signals reach it directly) with a fresh SQLite file in DATA_DIR, waits until GET /
#   answers (60 s at most). Extra INGOT_* variables in the caller's environment apply;
#   INGOT_NODE_FLAGS adds node flags to the server only (e.g. --cpu-prof).
#   Sets INGOT_PID and INGOT_URL. Returns 1 (and prints the log tail) if it did not start.
# stop_ingot
#   SIGTERM, then SIGKILL after 10 s; only the pid that start_ingot recorded.

INGOT_PID=
INGOT_URL=

start_ingot() {
  local port=$1 dir=$2 logf=$3
  mkdir -p "$dir"
  INGOT_URL=http://127.0.0.1:$port
  (cd "$INGOT_ROOT" && exec env INGOT_LOG_LEVEL="${INGOT_LOG_LEVEL:-warn}" INGOT_HTTP_PORT="${INGOT_HTTP_PORT:-0}" \
    node ${INGOT_NODE_FLAGS:-} bin/ingot.mjs serve --host 127.0.0.1 --port "$port" --data-dir "$dir" \
    </dev/null >>"$logf" 2>&1) &
  INGOT_PID=$!
  if ! wait_http "$INGOT_URL/" 60 "$INGOT_PID"; then
    log "ingot serve did not start on port $port; last lines of $logf:"
    tail -n 30 "$logf" >&2
    stop_ingot
    return 1
  fi
}

stop_ingot() {
  local pid=$INGOT_PID i
  [ -n "$pid" ] || return 0
  INGOT_PID=
  kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null
  for ((i = 0; i < 40; i++)); do
    kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null; return 0; }
    sleep 0.25
  done
  kill -KILL "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null
  return 0
}
