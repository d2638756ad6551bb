#!/usr/bin/env bash
# Instructions per request, counted by valgrind's callgrind: the comparison that survives a noisy
# machine. Timings here drift by 10-30 % from one minute to the next; an instruction count moves
# by well under 1 % between runs of the same build, so a change of a few hundred instructions in
# the middleware shows. It counts work, not time: cache misses, the kernel and the CPU's speed
# are not in it (bench/load.sh measures those).
#
# Builds examples/api-server.rs and examples/load-helper.rs in release, mints tokens as
# bench/load.sh does, then for each route starts the server under callgrind, warms it up, zeroes
# the counters, sends requests with wrk for a few seconds, dumps the counters and divides the
# instructions by the requests wrk completed. Prints one line per route. The never-seen tokens
# also go to the raw-verification server of bench/load.sh (`load-helper raw-server`), the
# bound of that route.
#
#   apt-get install valgrind wrk curl
#   bench/instructions.sh                 # about 3 minutes after the build
#   SECONDS_PER_ROUTE=8 bench/instructions.sh
#   CACHE_SIM=1 bench/instructions.sh     # also simulated cache misses and branch mispredictions
#
# CACHE_SIM=1 runs callgrind with --cache-sim=yes --branch-sim=yes (about twice as slow) and adds,
# per request: instruction-cache misses (I1), data-cache misses (D1, reads and writes), misses
# of the last-level cache (LL), and mispredicted conditional and indirect branches. They fit why
# time ratios are lower than instruction ratios (the library's code runs between the kernel's
# network code and aws-lc's RSA code, which can push it out of the instruction cache), but they
# are a simulation: this VM has no hardware counters to confirm it (BENCHMARKS.md).
# valgrind simulates a first-level and a last-level cache with this machine's sizes (no L2, no
# prefetching, no kernel): a count to compare routes and builds by, not a prediction of time.
#
# Under valgrind the CPU reports no AVX-512 (nor ADX), so glibc and aws-lc take other code paths
# than on the bare machine: compare builds with each other, not with perf numbers.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
WORK=${WORK:-$TARGET_DIR/bench-instructions}
PORT=${PORT:-18090}
SECONDS_PER_ROUTE=${SECONDS_PER_ROUTE:-4}
CACHE_SIM=${CACHE_SIM:-0}
VALGRIND_SIM=()
((CACHE_SIM)) && VALGRIND_SIM=(--cache-sim=yes --branch-sim=yes)
PK=pk_test_Y2xlcmsuaW5zcGlyZWQucHVtYS03NC5sY2wuZGV2JA
export WRK_DIR="$ROOT/bench/wrk" WRK_THREADS=1

for tool in valgrind callgrind_control wrk curl; do
  command -v "$tool" >/dev/null || {
    echo "instructions.sh: $tool is required (Debian: apt-get install valgrind wrk curl)" >&2
    exit 2
  }
done

SERVER=
cleanup() { [[ -n $SERVER ]] && kill "$SERVER" 2>/dev/null || true; }
trap cleanup EXIT

echo "== clerk-actix instructions per request $(date -u +%FT%TZ), commit $(git rev-parse --short HEAD 2>/dev/null || echo '?')"
echo "building (release)..." >&2
cargo build -q --release --example api-server --example load-helper
mkdir -p "$WORK/bin"
cp "$TARGET_DIR/release/examples/api-server" "$TARGET_DIR/release/examples/load-helper" "$WORK/bin/"
# Tokens live two hours: reuse them while they have more than one hour left.
if [[ ! -f "$WORK/tokens.txt" || -n $(find "$WORK/tokens.txt" -mmin +60) ]]; then
  "$WORK/bin/load-helper" setup "$WORK" 31250 >&2
fi

# measure NAME PATH LUA [env assignments...]: one route, one server under callgrind (the API
# server, or the raw-verification server for PATH /raw).
measure() {
  local name=$1 path=$2 lua=$3; shift 3
  rm -f "$WORK"/callgrind.out.*
  local callgrind=(valgrind --tool=callgrind "${VALGRIND_SIM[@]}" --callgrind-out-file="$WORK/callgrind.out.%p")
  if [[ $path == /raw ]]; then
    "${callgrind[@]}" "$WORK/bin/load-helper" raw-server "$WORK" "$PORT" >"$WORK/server.log" 2>&1 &
  else
    CLERK_JWT_KEY="$(cat "$WORK/public.pem")" CLERK_PUBLISHABLE_KEY=$PK \
      CLERK_AUTHORIZED_PARTIES=http://localhost:3000 PORT=$PORT \
      "${callgrind[@]}" "$WORK/bin/api-server" >"$WORK/server.log" 2>&1 &
  fi
  SERVER=$!
  for _ in $(seq 200); do
    [[ $(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT$path") =~ ^[24] ]] && break
    sleep 0.1
  done
  local url="http://127.0.0.1:$PORT$path"
  # Warm-up (never-seen tokens from elsewhere in the file, so none comes back), then zero.
  env "$@" URL_PATH="$path" OFFSET=0 wrk -t1 -c4 -d2s -s "$WRK_DIR/$lua" "$url" >/dev/null
  callgrind_control -z "$SERVER" >/dev/null 2>&1
  local result requests
  result=$(env "$@" URL_PATH="$path" OFFSET=500000 wrk -t1 -c4 -d"${SECONDS_PER_ROUTE}s" -s "$WRK_DIR/$lua" "$url")
  requests=$(sed -n 's/.*RESULT requests=\([0-9]*\).*/\1/p' <<<"$result")
  callgrind_control -d "$SERVER" >/dev/null 2>&1
  local dump
  for _ in $(seq 50); do
    dump=$(ls "$WORK"/callgrind.out.*.1 2>/dev/null || true)
    [[ -n $dump ]] && break
    sleep 0.1
  done
  kill "$SERVER" 2>/dev/null || true
  wait "$SERVER" 2>/dev/null || true
  SERVER=
  local total
  total=$(sed -n 's/^summary: \([0-9]*\).*/\1/p' "$dump")
  awk -v name="$name" -v t="$total" -v n="$requests" \
    'BEGIN { printf "%-48s %8.0f instructions/request (%d requests)\n", name, t / n, n }'
  if ((CACHE_SIM)); then
    # The dump's events, in its own order: Ir Dr Dw I1mr D1mr D1mw ILmr DLmr DLmw Bc Bcm Bi Bim.
    awk -v n="$requests" '
      /^events:/ { for (i = 2; i <= NF; i++) at[$i] = i }
      /^summary:/ {
        printf "%-48s I1 %6.0f  D1 %6.0f  LL %5.1f  mispredicted %5.0f (%.0f conditional, %.0f indirect)\n",
          "", $at["I1mr"] / n, ($at["D1mr"] + $at["D1mw"]) / n,
          ($at["ILmr"] + $at["DLmr"] + $at["DLmw"]) / n,
          ($at["Bcm"] + $at["Bim"]) / n, $at["Bcm"] / n, $at["Bim"] / n
      }' "$dump"
  fi
  PER_REQUEST[$name]=$(awk -v t="$total" -v n="$requests" 'BEGIN { printf "%.0f", t / n }')
  LAST_DUMP=$dump LAST_REQUESTS=$requests
}
declare -A PER_REQUEST

TOKENS=(TOKEN_FILE="$WORK/tokens.txt")
measure "bare /healthz" /healthz report.lua
measure "bare /healthz with one token's header" /healthz one-token.lua TOKEN_FILE="$WORK/one.txt"
measure "protected /api/ping, one token (cached)" /api/ping one-token.lua TOKEN_FILE="$WORK/one.txt"
measure "signed out /api/ping (401)" /api/ping report.lua
measure "bare /healthz, never-seen tokens" /healthz tokens.lua "${TOKENS[@]}" MODE=distinct
measure "raw-verification server, never-seen tokens" /raw tokens.lua "${TOKENS[@]}" MODE=distinct
RAW_SERVER=${PER_REQUEST["raw-verification server, never-seen tokens"]}
measure "protected /api/ping, never-seen tokens" /api/ping tokens.lua "${TOKENS[@]}" MODE=distinct

# The RSA signature check inside the last run (aws-lc's verification of a parsed key, the work
# raw verification does), and what the library adds to a never-seen request besides it.
RSA=$(callgrind_annotate --inclusive=yes "$LAST_DUMP" 2>/dev/null |
  awk -v n="$LAST_REQUESTS" '/parsed_verify_sig/ && !done { gsub(",", "", $1); printf "%.0f", $1 / n; done = 1 }')
BARE=${PER_REQUEST["bare /healthz, never-seen tokens"]}
PROTECTED=${PER_REQUEST["protected /api/ping, never-seen tokens"]}
echo "  of which the RSA signature check:               ${RSA:-?} instructions/request"
if [[ -n $RSA ]]; then
  awk -v p="$PROTECTED" -v b="$BARE" -v r="$RSA" 'BEGIN {
    printf "  added by the library besides it:                %8.0f instructions/request\n", p - b - r
    printf "  (bare + RSA) / protected, in instructions:      %8.3f (not the time ratio: see BENCHMARKS.md)\n", (b + r) / p
  }'
fi
awk -v p="$PROTECTED" -v s="$RAW_SERVER" 'BEGIN {
  printf "  raw-verification server / protected, in instructions: %.3f\n", s / p }'
