# shellcheck shell=bash
# Start and stop a throw-away scale-out deployment for the real-client suites: one
# `ingot api` and two `ingot conductor` processes on a fresh PostgreSQL database
# (127.0.0.1:5432, user postgres, trust). Source after common.sh.
#
# start_split PORT DIR
#   Creates database ingot_split_<random>, starts conductors split-c1 and split-c2 (RPC on
#   free ports) and the API on PORT; logs in DIR/{split-c1,split-c2,api}.log. Waits until
#   GET / answers and /v1/conductors lists both conductors alive. Sets SPLIT_URL.
#   Returns 1 (and prints log tails) if something did not start.
# stop_split
#   SIGTERM to the three pids start_split recorded (SIGKILL after 10 s), drops the database.

SPLIT_PIDS=()
SPLIT_DB=
SPLIT_URL=

split_psql() { psql -h 127.0.0.1 -U postgres -d postgres -qAt -c "$1"; }

start_split() {
  local port=$1 dir=$2 name i
  mkdir -p "$dir"
  SPLIT_DB=ingot_split_$$_$RANDOM
  if ! split_psql "CREATE DATABASE $SPLIT_DB" >/dev/null; then
    log "PostgreSQL at 127.0.0.1:5432 (user postgres) is not reachable: cannot create $SPLIT_DB"
    SPLIT_DB=
    return 1
  fi
  local url=postgres://postgres@127.0.0.1:5432/$SPLIT_DB
  for name in split-c1 split-c2; do
    (cd "$INGOT_ROOT" && exec env INGOT_LOG_LEVEL="${INGOT_LOG_LEVEL:-warn}" INGOT_DB="$url" INGOT_DATA_DIR="$dir/$name" \
      node bin/ingot.mjs conductor --name "$name" --host 127.0.0.1 --rpc-port "$(free_port)" \
      </dev/null >>"$dir/$name.log" 2>&1) &
    SPLIT_PIDS+=($!)
  done
  (cd "$INGOT_ROOT" && exec env INGOT_LOG_LEVEL="${INGOT_LOG_LEVEL:-warn}" INGOT_DB="$url" \
    node bin/ingot.mjs api --host 127.0.0.1 --port "$port" </dev/null >>"$dir/api.log" 2>&1) &
  SPLIT_PIDS+=($!)
  SPLIT_URL=http://127.0.0.1:$port
  if wait_http "$SPLIT_URL/" 120 "${SPLIT_PIDS[2]}"; then
    for ((i = 0; i < 480; i++)); do
      [ "$(curl -s -H 'X-OpenStack-Ironic-API-Version: 1.82' "$SPLIT_URL/v1/conductors" | grep -o '"alive":true' | wc -l)" -ge 2 ] && return 0
      sleep 0.25
    done
  fi
  log "the split deployment did not start; last lines of its logs:"
  tail -n 20 "$dir"/*.log >&2
  stop_split
  return 1
}

stop_split() {
  local pid i
  for pid in "${SPLIT_PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null; done
  for pid in "${SPLIT_PIDS[@]}"; do
    for ((i = 0; i < 40; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
    kill -KILL "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
  done
  SPLIT_PIDS=()
  [ -n "$SPLIT_DB" ] && split_psql "DROP DATABASE IF EXISTS $SPLIT_DB WITH (FORCE)" >/dev/null
  SPLIT_DB=
  return 0
}
