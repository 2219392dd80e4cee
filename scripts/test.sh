#!/bin/bash
# The project's test command (`npm test`). Works on a fresh Debian 12 machine with
# Node 20: installs what the tests need (npm ci when node_modules is missing or stale;
# the Debian packages of the real-client suites), then runs, in order:
#
#   typecheck   npx tsc --noEmit on tsconfig.json and bench/tsconfig.json
#   imports     scripts/check-imports.ts (one-way imports between src/ areas)
#   unit        node's test runner over every src/ and test/ *.test.ts but test/netboot
#   netboot     test/netboot: real dnsmasq in namespaces, the agent ramdisk, QEMU network boot
#   functional  python-ironicclient's functional suite (108 tests, the real `baremetal`
#               and `openstack baremetal` CLIs) against a live `ingot serve`
#   cli         ../shared/peer/ironic/verify_cli.sh against the same server
#   functional-split  the same functional suite against `ingot api` + two `ingot conductor`
#               processes on a fresh PostgreSQL database (127.0.0.1:5432, user postgres)
#
# The last two need ../shared (beside the project root); without it they are reported
# as skipped. The server runs on a free port with a fresh data dir and is stopped on exit.
#
# Usage: scripts/test.sh [SUITE...]     (default: all six, in the order above)
#   FUNCTIONAL_FILTER=regex   stestr filter for the functional suite
#   FUNCTIONAL_CONCURRENCY=2  stestr workers (the suite's tests use unique names; 1 = serial)
#   FUNCTIONAL_TIMEOUT=1800   seconds before the functional suite is stopped (counts as a failure)
#   UNIT_TIMEOUT=2400         seconds before the unit suite is stopped
#   KEEP_TEST_DIR=1           keep the temp dir (logs, data dir) after the run
# Prints one summary line per suite and a final "N passed, N failed[, N skipped]" line
# (tests counted across suites; typecheck, imports and cli count as one test each; a
# suite that could not run counts as one skipped).
# Exits 1 if anything failed.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib/common.sh
. "$HERE/lib/common.sh"
# shellcheck source=lib/deps.sh
. "$HERE/lib/deps.sh"
# shellcheck source=lib/ingot.sh
. "$HERE/lib/ingot.sh"
# shellcheck source=lib/split.sh
. "$HERE/lib/split.sh"
cd "$INGOT_ROOT"

SUITES=("$@")
[ ${#SUITES[@]} -eq 0 ] && SUITES=(typecheck imports unit netboot functional cli functional-split)
wants() { local s; for s in "${SUITES[@]}"; do [ "$s" = "$1" ] && return 0; done; return 1; }

WORK=$(mktemp -d "${TMPDIR:-/tmp}/ingot-test.XXXXXX")
cleanup() {
  stop_ingot
  stop_split
  if [ "${KEEP_TEST_DIR:-0}" = 1 ]; then log "kept $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

PASSED=0 FAILED=0 SKIPPED=0
SUMMARY=()
# record SUITE PASSED FAILED TEXT
record() {
  PASSED=$((PASSED + $2)); FAILED=$((FAILED + $3))
  local status=PASS
  [ "$3" -gt 0 ] && status=FAIL
  SUMMARY+=("$(printf '%-10s %s  %s' "$1" "$status" "$4")")
  echo "== $1: $status  $4"
}
skip() { SKIPPED=$((SKIPPED + 1)); SUMMARY+=("$(printf '%-10s SKIP  %s' "$1" "$2")"); echo "== $1: SKIP  $2"; }

# run_functional SUITE URL DIR: python-ironicclient's functional suite against URL (state in
# DIR), counted from its per-test lines (subunit-trace), so that a run cut short by the
# timeout still reports what ran; recorded as SUITE. Returns 1 when anything failed.
run_functional() {
  local suite=$1 url=$2 dir=$3 t=$SECONDS rc p f k note="" flog=$3/run.log
  CONCURRENCY=${FUNCTIONAL_CONCURRENCY:-2} CLITESTS_DIR=$dir timeout -k 10 "${FUNCTIONAL_TIMEOUT:-1800}" \
    bash "$PEER_DIR/run_client_functional.sh" "$url" "${FUNCTIONAL_FILTER:-ironicclient.tests.functional}"
  rc=$?
  p=$(grep -cE '^\{[0-9]+\} \S+ \[[^]]*\] \.\.\. ok$' "$flog" 2>/dev/null)
  f=$(grep -cE '^\{[0-9]+\} \S+ \[[^]]*\] \.\.\. FAILED$' "$flog" 2>/dev/null)
  k=$(grep -cE '^\{[0-9]+\} \S+ \[[^]]*\] \.\.\. SKIPPED' "$flog" 2>/dev/null)
  p=${p:-0}; f=${f:-0}; k=${k:-0}; SKIPPED=$((SKIPPED + k))
  if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
    note=", TIMED OUT after ${FUNCTIONAL_TIMEOUT:-1800}s"; f=$((f + 1))
  elif [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
    note=", runner exit code $rc"; f=1
  fi
  if [ -s "$flog" ] && grep -qE '\.\.\. FAILED$' "$flog"; then
    echo "failing $suite tests (id: cause):"
    node --import tsx test/functional/failures.ts "$flog"
  fi
  record "$suite" "$p" "$f" "$p passed, $f failed, $k skipped$note ($(elapsed_since $t))"
  [ "$f" -eq 0 ]
}

T0=$SECONDS

# ------------------------------------------------------------------- setup ---
ensure_node_modules || { echo "1 failed: could not install npm dependencies"; exit 1; }
if wants unit; then
  ensure_apt "${UNIT_TEST_PACKAGES[@]}" || log "could not install the Debian packages: ${UNIT_TEST_PACKAGES[*]} (the IPMI tests will fail)"
  ensure_apt "${DEMO_PACKAGES[@]}" || log "could not install the Debian packages: ${DEMO_PACKAGES[*]} (the demo test will fail)"
  # The real Ironic 21.4 (test/compat, test/interop): the peer's own idempotent installer.
  if [ -d "$PEER_DIR" ] && [ ! -x /usr/bin/ironic-api ]; then
    log "installing the real Ironic 21.4 peer ($PEER_DIR/install.sh)"
    bash "$PEER_DIR/install.sh" >"$WORK/peer-install.log" 2>&1 || { tail -n 20 "$WORK/peer-install.log"; log "the peer's install failed: compat and interop tests will fail"; }
  fi
fi
HAVE_CLIENTS=0
if wants functional || wants cli || wants functional-split; then
  if [ ! -d "$PEER_DIR" ]; then
    log "no $PEER_DIR: the real-client suites will be skipped"
  elif ensure_apt "${CLIENT_TEST_PACKAGES[@]}"; then
    HAVE_CLIENTS=1
  else
    HAVE_CLIENTS=-1
    log "could not install the Debian packages: ${CLIENT_TEST_PACKAGES[*]}"
  fi
fi

if wants netboot; then
  ensure_apt "${QEMU_DEMO_PACKAGES[@]}" || log "could not install the Debian packages: ${QEMU_DEMO_PACKAGES[*]} (netboot tests will fail)"
fi

# --------------------------------------------------------------- typecheck ---
if wants typecheck; then
  echo "== typecheck: npx tsc --noEmit (tsconfig.json, bench/tsconfig.json)"
  t=$SECONDS
  if npx --no-install tsc -p tsconfig.json --noEmit >"$WORK/tsc.log" 2>&1 &&
     npx --no-install tsc -p bench/tsconfig.json --noEmit >>"$WORK/tsc.log" 2>&1; then
    record typecheck 1 0 "no type errors ($(elapsed_since $t))"
  else
    cat "$WORK/tsc.log"
    n=$(grep -c 'error TS' "$WORK/tsc.log")
    record typecheck 0 1 "$n type errors in $(grep -o '^[^(]*([0-9]' "$WORK/tsc.log" | cut -d'(' -f1 | sort -u | wc -l) files ($(elapsed_since $t))"
  fi
fi

# ----------------------------------------------------------------- imports ---
if wants imports; then
  echo "== imports: scripts/check-imports.ts"
  if node --import tsx scripts/check-imports.ts; then
    record imports 1 0 "src/ areas import one way only"
  else
    record imports 0 1 "forbidden imports between src/ areas (listed above)"
  fi
fi

# -------------------------------------------------------------------- unit ---
if wants unit; then
  ensure_apt "${BOOT_ISO_PACKAGES[@]}" || log "could not install ${BOOT_ISO_PACKAGES[*]}: the ISO tests will fail naming what is missing"
  mapfile -t files < <(find src test -name '*.test.ts' -not -path 'test/netboot/*' | sort)
  echo "== unit: node --test over ${#files[@]} files"
  t=$SECONDS
  timeout -k 10 "${UNIT_TIMEOUT:-2400}" node --import tsx --test --test-concurrency=2 --test-reporter=spec "${files[@]}" 2>&1 | tee "$WORK/unit.log"
  rc=${PIPESTATUS[0]}
  p=$(sed -n 's/^ℹ pass \([0-9]*\)$/\1/p' "$WORK/unit.log" | tail -1)
  f=$(sed -n 's/^ℹ fail \([0-9]*\)$/\1/p' "$WORK/unit.log" | tail -1)
  c=$(sed -n 's/^ℹ cancelled \([0-9]*\)$/\1/p' "$WORK/unit.log" | tail -1)
  k=$(sed -n 's/^ℹ skipped \([0-9]*\)$/\1/p' "$WORK/unit.log" | tail -1)
  p=${p:-0}; f=$(( ${f:-0} + ${c:-0} )); k=${k:-0}
  [ "$rc" -ne 0 ] && [ "$f" -eq 0 ] && f=1
  SKIPPED=$((SKIPPED + k))
  record unit "$p" "$f" "$p passed, $f failed, $k skipped in ${#files[@]} files ($(elapsed_since $t))"
fi

# ----------------------------------------------------------------- netboot ---
# Real dnsmasq in network namespaces, the agent ramdisk build (first build downloads the
# Debian kernel, ~1-2 min) and QEMU machines booting it over iPXE, PXELINUX, UEFI iPXE and
# GRUB, and from the virtual-media ISO in BIOS and UEFI mode (20-70 s each under software
# emulation; the six boots and the rest ~6 min): one file at a time, own time limit.
if wants netboot; then
  mapfile -t files < <(find test/netboot -name '*.test.ts' | sort)
  echo "== netboot: node --test over ${#files[@]} files"
  t=$SECONDS
  timeout -k 10 1800 node --import tsx --test --test-concurrency=1 --test-reporter=spec "${files[@]}" 2>&1 | tee "$WORK/netboot.log"
  rc=${PIPESTATUS[0]}
  p=$(sed -n 's/^ℹ pass \([0-9]*\)$/\1/p' "$WORK/netboot.log" | tail -1)
  f=$(sed -n 's/^ℹ fail \([0-9]*\)$/\1/p' "$WORK/netboot.log" | tail -1)
  k=$(sed -n 's/^ℹ skipped \([0-9]*\)$/\1/p' "$WORK/netboot.log" | tail -1)
  p=${p:-0}; f=${f:-0}; k=${k:-0}
  [ "$rc" -ne 0 ] && [ "$f" -eq 0 ] && f=1
  SKIPPED=$((SKIPPED + k))
  record netboot "$p" "$f" "$p passed, $f failed, $k skipped in ${#files[@]} files ($(elapsed_since $t))"
fi

# ---------------------------------------------------- real-client suites ---
if wants functional || wants cli; then
  if [ $HAVE_CLIENTS -eq 1 ]; then
    PORT=$(free_port)
    log "starting ingot serve on port $PORT (data dir $WORK/data)"
    if ! start_ingot "$PORT" "$WORK/data" "$WORK/ingot.log"; then
      wants functional && record functional 0 1 "ingot serve did not start"
      wants cli && record cli 0 1 "ingot serve did not start"
    else
      if wants functional; then
        echo "== functional: python-ironicclient functional suite against $INGOT_URL"
        run_functional functional "$INGOT_URL" "$WORK/functional"
      fi
      if wants cli; then
        echo "== cli: verify_cli.sh against $INGOT_URL"
        t=$SECONDS
        if IRONIC_PEER_DIR=$WORK/verify timeout -k 10 600 bash "$PEER_DIR/verify_cli.sh" "$INGOT_URL" >"$WORK/cli.log" 2>&1; then
          record cli 1 0 "baremetal CLI walk-through passed ($(elapsed_since $t))"
        else
          tail -n 25 "$WORK/cli.log"
          record cli 0 1 "failed at: $(grep '^+ ' "$WORK/cli.log" | tail -1 | cut -c1-120) ($(elapsed_since $t))"
        fi
      fi
      if [ "$FAILED" -gt 0 ] && [ -s "$WORK/ingot.log" ]; then
        echo "server errors logged by ingot (first 20):"
        grep -E '"level":(50|60)' "$WORK/ingot.log" | head -n 20 | cut -c1-400
      fi
      stop_ingot
    fi
  elif [ $HAVE_CLIENTS -eq 0 ]; then
    wants functional && skip functional "needs $PEER_DIR (../shared beside the project)"
    wants cli && skip cli "needs $PEER_DIR (../shared beside the project)"
  else
    wants functional && record functional 0 1 "the client packages could not be installed"
    wants cli && record cli 0 1 "the client packages could not be installed"
  fi
fi

# -------------------------------------------------------- functional-split ---
if wants functional-split; then
  if [ $HAVE_CLIENTS -eq 1 ]; then
    PORT=$(free_port)
    log "starting ingot api + 2 ingot conductor on PostgreSQL, API port $PORT (logs in $WORK/split)"
    if ! start_split "$PORT" "$WORK/split"; then
      record functional-split 0 1 "the API + 2 conductors did not start (PostgreSQL at 127.0.0.1:5432 needed)"
    else
      echo "== functional-split: python-ironicclient functional suite against $SPLIT_URL (1 API + 2 conductors)"
      if ! run_functional functional-split "$SPLIT_URL" "$WORK/functional-split" && grep -qE '\.\.\. FAILED$' "$WORK/functional-split/run.log" 2>/dev/null; then
        echo "server errors logged by the split deployment (first 20):"
        grep -hE '"level":(50|60)' "$WORK"/split/*.log | head -n 20 | cut -c1-400
      fi
      stop_split
    fi
  elif [ $HAVE_CLIENTS -eq 0 ]; then
    skip functional-split "needs $PEER_DIR (../shared beside the project)"
  else
    record functional-split 0 1 "the client packages could not be installed"
  fi
fi

# ----------------------------------------------------------------- summary ---
echo
echo "==================== summary ($(elapsed_since $T0)) ===================="
printf '%s\n' "${SUMMARY[@]}"
if [ $SKIPPED -gt 0 ]; then
  echo "$PASSED passed, $FAILED failed, $SKIPPED skipped"
else
  echo "$PASSED passed, $FAILED failed"
fi
[ "$FAILED" -eq 0 ]
