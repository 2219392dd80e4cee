# shellcheck shell=bash
# Shared helpers for scripts/test.sh and scripts/bench.sh: paths, logging, free ports,
# HTTP readiness. Source it; it defines functions and variables, it runs nothing.
#
#   INGOT_ROOT   the project root (this file is scripts/lib/common.sh)
#   SHARED_DIR   ../shared beside the project root (INGOT_SHARED_DIR overrides); may not exist
#   PEER_DIR     $SHARED_DIR/peer/ironic (the real-Ironic scripts, client suite, bench.py)

INGOT_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
SHARED_DIR=${INGOT_SHARED_DIR:-$INGOT_ROOT/../shared}
if [ -d "$SHARED_DIR" ]; then SHARED_DIR=$(cd "$SHARED_DIR" && pwd); fi
PEER_DIR=$SHARED_DIR/peer/ironic

# Debian's interpreter: ironicclient, stestr and tempest are installed for it only.
PY3=/usr/bin/python3

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

# free_port: print a TCP port on 127.0.0.1 that nobody listens on right now.
free_port() {
  node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close();});'
}

# port_in_use PORT: 0 if something accepts connections on 127.0.0.1:PORT.
port_in_use() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# http_ok URL: 0 if GET URL answers 2xx within 2 s.
http_ok() {
  node -e 'fetch(process.argv[1],{signal:AbortSignal.timeout(2000)}).then(r=>process.exit(r.ok?0:1),()=>process.exit(1))' "$1"
}

# wait_http URL SECONDS [PID]: wait until URL answers 2xx; fail early if PID dies.
wait_http() {
  local url=$1 secs=$2 pid=${3:-} i
  for ((i = 0; i < secs * 4; i++)); do
    if http_ok "$url"; then return 0; fi
    if [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null; then return 1; fi
    sleep 0.25
  done
  return 1
}

# elapsed_since START_SECONDS: "12s" (wall clock, from $SECONDS values).
elapsed_since() { echo "$((SECONDS - $1))s"; }
